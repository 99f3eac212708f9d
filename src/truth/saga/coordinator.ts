/**
 * The saga execution coordinator of an orchestrated saga (Garcia-Molina and Salem's saga execution
 * component, the SEC, with backward recovery: it runs the steps in order, logs each outcome, and on a
 * failure runs the compensations of the completed steps in reverse order), as a synchronous sans-I/O
 * state machine: inputs (a new saga, a step's reply, a timer) in, effects (journal records, step
 * requests, timers, a saga's end) out, as etcd-io/raft's Step/Ready. The host writes the records and
 * fsyncs them before it performs the other effects of the same input (src/truth/saga/journal.ts), so
 * the log always knows at least what the world was told.
 *
 * Every transition is a record, and the state is a fold of the records (`apply`): live and after a
 * crash, the same function builds it. Recovery (the paper's SEC reads its log after a crash, too)
 * then asks `drive` what each unfinished saga needs now: the current step again, or the current
 * compensation again, with the same idempotency key, so a step that did apply before the crash is
 * answered from the service's memory of its key rather than applied twice.
 *
 * Timeouts: a step whose reply does not come within `stepTimeoutMs` is asked again, with the same key.
 * A compensatable step is given up on after `stepAttemptsMax` attempts: its outcome is unknown, so it
 * is compensated with the others (its compensation, with its key, undoes it or forbids it). The pivot,
 * the steps after it, and every compensation are asked again until they answer, with a timeout that
 * doubles up to `retryTimeoutMaxMs` (a compensation must end in success: backward recovery has no way
 * back from a failed one).
 */
import { isCompensatable, pivotIndex, stepKey, type SagaDefinition } from './definition.js';
import { invariant } from './invariant.js';

/** completed: every step ran; compensated: a step failed and every completed step was undone; failed: given up without undoing. */
export type SagaEnd = 'completed' | 'compensated' | 'failed';
export type StepOutcome = 'ok' | 'failed' | 'unknown';
export type StepPhase = 'action' | 'compensation';

export type CoordinatorRecord =
  | { t: 'begin'; saga: string; data: unknown }
  | { t: 'step'; saga: string; step: number; outcome: StepOutcome; reason?: string }
  | { t: 'undone'; saga: string; step: number }
  | { t: 'end'; saga: string; status: SagaEnd; reason?: string };

/** Coordinator to service: run (or undo) one step. */
export interface StepRequest {
  type: 'saga_step';
  saga: string;
  step: number;
  phase: StepPhase;
  op: string;
  /** Absent when the coordinator sends no idempotency keys (the naive design). */
  key?: string;
  attempt: number;
  data: unknown;
}

/** Service to coordinator. A compensation is always answered ok: it means "undone, or made impossible". */
export interface StepReply {
  type: 'saga_step_reply';
  saga: string;
  step: number;
  phase: StepPhase;
  attempt: number;
  outcome: 'ok' | 'refused';
  reason?: string;
}

export function isStepRequest(m: unknown): m is StepRequest {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'saga_step';
}
export function isStepReply(m: unknown): m is StepReply {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'saga_step_reply';
}

export interface TimerToken {
  saga: string;
  phase: StepPhase;
  step: number;
  attempt: number;
}

export type CoordinatorEffect =
  | { kind: 'record'; record: CoordinatorRecord }
  | { kind: 'send'; service: string; msg: StepRequest }
  | { kind: 'timer'; ms: number; token: TimerToken }
  | { kind: 'ended'; saga: string; status: SagaEnd; reason?: string };

export interface CoordinatorOptions {
  /** Run compensations on a failure; false is the naive design (the saga just stops). */
  compensate: boolean;
  /** Send each step's idempotency key; false is the naive design (a retry is a new request). */
  idempotencyKeys: boolean;
  stepTimeoutMs: number;
  /** Attempts of a compensatable step before its outcome is declared unknown and it is compensated. */
  stepAttemptsMax: number;
  /** The cap of the doubling timeout of steps and compensations that are never given up on. */
  retryTimeoutMaxMs: number;
}

export type SagaPhase = 'forward' | 'compensating' | 'ended';

interface SagaState {
  id: string;
  data: unknown;
  phase: SagaPhase;
  /** forward: the step running; compensating: the step being undone (below 0: none left). */
  step: number;
  attempt: number;
  status?: SagaEnd;
  reason?: string;
}

export interface SagaView {
  phase: SagaPhase;
  status?: SagaEnd;
  reason?: string;
  data: unknown;
}

export class SagaCoordinator {
  private readonly sagas = new Map<string, SagaState>();
  private out: CoordinatorEffect[] = [];
  private readonly pivot: number;
  /** Sagas found unfinished in the journal at recovery. */
  resumed = 0;

  constructor(
    readonly def: SagaDefinition,
    private readonly opts: CoordinatorOptions,
    /** For the jitter of retry timeouts (the host's seeded stream). */
    private readonly random: () => number,
  ) {
    this.pivot = pivotIndex(def);
  }

  /** Rebuild the state from the journal and return what carries every unfinished saga on. */
  recover(records: readonly CoordinatorRecord[]): CoordinatorEffect[] {
    for (const r of records) this.apply(r);
    for (const s of this.sagas.values()) {
      if (s.phase === 'ended') continue;
      this.resumed++;
      this.drive(s);
    }
    return this.take();
  }

  view(id: string): SagaView | undefined {
    const s = this.sagas.get(id);
    return s === undefined ? undefined : { phase: s.phase, status: s.status, reason: s.reason, data: s.data };
  }

  *entries(): IterableIterator<[string, SagaView]> {
    for (const [id, s] of this.sagas) yield [id, { phase: s.phase, status: s.status, reason: s.reason, data: s.data }];
  }

  /** Start a saga; nothing happens if one with this id exists (a client's retry joins it). */
  begin(id: string, data: unknown): CoordinatorEffect[] {
    if (this.sagas.has(id)) return [];
    this.record({ t: 'begin', saga: id, data });
    this.drive(this.sagas.get(id)!);
    return this.take();
  }

  onReply(m: StepReply): CoordinatorEffect[] {
    const s = this.sagas.get(m.saga);
    // Replies to an earlier step or phase (duplicates, late answers to a step given up on) say nothing now.
    if (s === undefined || m.step !== s.step) return [];
    if (s.phase === 'forward' && m.phase === 'action') {
      if (m.outcome === 'ok') this.record({ t: 'step', saga: s.id, step: s.step, outcome: 'ok' });
      else this.record({ t: 'step', saga: s.id, step: s.step, outcome: 'failed', reason: m.reason ?? `${this.def.steps[s.step].name} refused` });
      this.drive(s);
    } else if (s.phase === 'compensating' && m.phase === 'compensation' && m.outcome === 'ok') {
      this.record({ t: 'undone', saga: s.id, step: s.step });
      this.drive(s);
    }
    return this.take();
  }

  onTimer(tok: TimerToken): CoordinatorEffect[] {
    const s = this.sagas.get(tok.saga);
    if (s === undefined || s.step !== tok.step || s.attempt !== tok.attempt) return [];
    const phase: StepPhase = s.phase === 'forward' ? 'action' : 'compensation';
    if (s.phase === 'ended' || phase !== tok.phase) return [];
    if (phase === 'action' && isCompensatable(this.def, s.step) && s.attempt >= this.opts.stepAttemptsMax) {
      const step = this.def.steps[s.step];
      this.record({ t: 'step', saga: s.id, step: s.step, outcome: 'unknown', reason: `no answer from ${step.service} to ${step.action} after ${s.attempt} attempts` });
      this.drive(s);
    } else {
      this.ask(s, phase, s.attempt + 1);
    }
    return this.take();
  }

  private take(): CoordinatorEffect[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  private record(r: CoordinatorRecord): void {
    this.out.push({ kind: 'record', record: r });
    this.apply(r);
  }

  /** The state after one record: the only place the state changes. */
  private apply(r: CoordinatorRecord): void {
    if (r.t === 'begin') {
      this.sagas.set(r.saga, { id: r.saga, data: r.data, phase: 'forward', step: 0, attempt: 0 });
      return;
    }
    const s = this.sagas.get(r.saga);
    invariant(s !== undefined && s.phase !== 'ended', () => `a ${r.t} record for saga ${r.saga}, which is ${s === undefined ? 'unknown' : 'ended'}`);
    s.attempt = 0;
    if (r.t === 'step') {
      invariant(s.phase === 'forward' && r.step === s.step, () => `saga ${r.saga}: an outcome of step ${r.step} while at step ${s.step} (${s.phase})`);
      if (r.outcome === 'ok') s.step = r.step + 1;
      else {
        s.phase = 'compensating';
        // A refused step committed nothing; a step whose outcome is unknown is undone with the others.
        s.step = r.outcome === 'failed' ? r.step - 1 : r.step;
        s.reason ??= r.reason;
      }
    } else if (r.t === 'undone') {
      invariant(s.phase === 'compensating' && r.step === s.step, () => `saga ${r.saga}: step ${r.step} undone while at step ${s.step} (${s.phase})`);
      s.step = r.step - 1;
    } else {
      s.phase = 'ended';
      s.status = r.status;
      s.reason = r.reason ?? s.reason;
    }
  }

  /** What a saga needs now, in its current state: the next request, or its end. */
  private drive(s: SagaState): void {
    const n = this.def.steps.length;
    if (s.phase === 'forward') {
      if (s.step < n) return this.ask(s, 'action', 1);
      return this.end(s, 'completed');
    }
    if (s.phase !== 'compensating') return;
    if (!this.opts.compensate) return this.end(s, 'failed');
    // Past the pivot nothing can be undone (a step that must succeed refused): a human must look.
    if (s.step >= this.pivot) return this.end(s, 'failed', `${s.reason ?? 'a step failed'} after the pivot ${this.def.steps[this.pivot].name}`);
    if (s.step < 0) return this.end(s, 'compensated');
    this.ask(s, 'compensation', 1);
  }

  private end(s: SagaState, status: SagaEnd, reason?: string): void {
    this.record(reason === undefined ? { t: 'end', saga: s.id, status } : { t: 'end', saga: s.id, status, reason });
    this.out.push(s.reason === undefined ? { kind: 'ended', saga: s.id, status } : { kind: 'ended', saga: s.id, status, reason: s.reason });
  }

  private ask(s: SagaState, phase: StepPhase, attempt: number): void {
    const step = this.def.steps[s.step];
    s.attempt = attempt;
    const msg: StepRequest = { type: 'saga_step', saga: s.id, step: s.step, phase, op: phase === 'action' ? step.action : step.compensation!, attempt, data: s.data };
    if (this.opts.idempotencyKeys) msg.key = stepKey(s.id, step);
    this.out.push({ kind: 'send', service: step.service, msg });
    this.out.push({ kind: 'timer', ms: this.timeoutMs(s, phase, attempt), token: { saga: s.id, phase, step: s.step, attempt } });
  }

  /**
   * A given-up-on step keeps a fixed timeout (it has few attempts); one asked until it answers doubles
   * its timeout up to the cap, with equal jitter (half fixed, half random) so that the sagas waiting on
   * a service that comes back do not all ask it again at the same instant.
   */
  private timeoutMs(s: SagaState, phase: StepPhase, attempt: number): number {
    const base = this.opts.stepTimeoutMs;
    if (attempt === 1 || (phase === 'action' && isCompensatable(this.def, s.step))) return base;
    const capped = Math.min(base * 2 ** (attempt - 1), this.opts.retryTimeoutMaxMs);
    return capped / 2 + (capped / 2) * this.random();
  }
}
