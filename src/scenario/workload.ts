/**
 * Workload clients: Processes on client nodes that issue operations to the servers, wait for replies
 * (or time out), and record the history. Open-loop clients issue operations at Poisson arrivals
 * whatever the replies; closed-loop clients issue one operation, wait for its outcome, think, repeat.
 *
 * Clients are part of the harness: they read true virtual time for the history, and share the value
 * and process-id counters of the run.
 */
import type { Context, NodeId, Process } from '../runtime/context.js';
import { isClientReply, type ClientRequest, type Operation, type OperationName } from '../runtime/client-protocol.js';
import { sample } from '../runtime/distribution.js';
import { NANOS_PER_MS, type History } from '../check/history.js';
import type { Workload } from './schema.js';
import { fromContext } from '../runtime/clock.js';
import { exponentialBackoff, RetryBudget, type Backoff } from '../control/index.js';

export interface ClientHarness {
  workload: Workload;
  servers: readonly NodeId[];
  history: History | undefined;
  /** True virtual time in ms (not the client's clock). */
  trueNowMs(): number;
  /** Unique values for writes and broadcasts. */
  nextValue(): number;
  /** A process id that is free now (for open-loop clients, whose operations overlap). */
  takeProcess(): number;
  releaseProcess(p: number): void;
  keyPicker: KeyPicker;
}

interface Pending {
  process: number;
  op: Operation;
  node: NodeId;
  invokedAtMs: number;
  timer: number;
  attempts: number;
  /** The last backoff waited before a retry (ms). */
  backoffMs: number;
  /** Attempts that timed out and have not been answered since: they may still apply. */
  unknown: Set<number> | undefined;
}

export interface ClientConfig {
  index: number;
  harness: ClientHarness;
}

/** Picks keys by the workload's distribution; Zipf through a precomputed CDF and binary search. */
export class KeyPicker {
  private readonly cdf: Float64Array | undefined;

  constructor(private readonly spec: Workload['keys']) {
    if (spec?.dist === 'zipf') {
      const n = spec.count;
      this.cdf = new Float64Array(n);
      let total = 0;
      for (let k = 1; k <= n; k++) total += 1 / Math.pow(k, spec.s);
      let acc = 0;
      for (let k = 1; k <= n; k++) {
        acc += 1 / Math.pow(k, spec.s) / total;
        this.cdf[k - 1] = acc;
      }
    }
  }

  /** A key at time nowMs (the time matters only when the keys move). */
  pick(random: () => number, nowMs = 0): string | undefined {
    const s = this.spec;
    if (s === undefined) return undefined;
    const index = this.index(s, random);
    let offset = 0;
    for (const m of s.moves ?? []) if (m.at <= nowMs) offset = m.offset;
    return `k${(index + offset) % s.count}`;
  }

  private index(s: NonNullable<Workload['keys']>, random: () => number): number {
    if (s.dist === 'hot') return s.hotShare >= 1 || s.count < 2 || random() < s.hotShare ? 0 : 1 + Math.floor(random() * (s.count - 1));
    if (s.dist === 'uniform') return Math.floor(random() * s.count);
    const u = random();
    const cdf = this.cdf!;
    let lo = 0, hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** The counter of each outcome, named once: a name built per operation is a string to build and hash each time. */
const outcomeCounters = { ok: 'ops_ok', fail: 'ops_fail', info: 'ops_info' } as const;

export class WorkloadClient implements Process {
  private readonly pending = new Map<number, Pending>();
  private requestIdNext = 1;
  private readonly w: Workload;
  private readonly ops: [OperationName, number][];
  private readonly weightTotal: number;
  private closedProcess: number | undefined;
  private readonly backoff: Backoff | undefined;
  private readonly budget: RetryBudget | undefined;
  /** The highest arrival rate of the run (spikes included), per client per ms: candidates for thinning. */
  private readonly peakPerClientPerMs: number;

  constructor(
    private readonly ctx: Context,
    private readonly cfg: ClientConfig,
  ) {
    this.w = cfg.harness.workload;
    if (this.w.retryBackoff !== undefined) this.backoff = exponentialBackoff(this.w.retryBackoff);
    if (this.w.retryBudget !== undefined) this.budget = new RetryBudget({ ...this.w.retryBudget, buckets: 10 }, fromContext(ctx).clock);
    const shapePeak = this.w.rateShape === undefined ? 1 : Math.max(...this.w.rateShape.points.map(([, f]) => f));
    const peakFactor = shapePeak * Math.max(1, ...this.w.spikes.map((s) => s.factor));
    this.peakPerClientPerMs = ((this.w.ratePerSec ?? 0) * peakFactor) / 1000 / this.w.clients;
    this.ops = (Object.entries(this.w.ops ?? {}) as [OperationName, number][]).filter(([, x]) => x > 0);
    this.weightTotal = this.ops.reduce((s, [, x]) => s + x, 0);
  }

  start(): void {
    // Outcomes nobody saw are reported as 0, not left out: a bound on them then means something.
    for (const s of ['ok', 'fail', 'info']) this.ctx.metrics.count(`ops_${s}`, 0);
    if (this.w.type === 'open') this.scheduleArrival();
    else if (this.w.type === 'closed') this.ctx.setTimer(this.think(), () => this.issueClosed());
    else this.scheduleScript();
  }

  /** Scripted operations: each at its time, each as its own process (they may overlap). */
  private scheduleScript(): void {
    for (const step of this.w.script ?? []) {
      if (step.client !== this.cfg.index + 1) continue;
      const op: Operation = { f: step.f };
      if (step.key !== undefined) op.key = step.key;
      if (step.value !== undefined) op.value = step.value;
      this.ctx.setTimer(step.at, () => this.issue(this.h.takeProcess(), op, step.node ?? this.target()));
    }
  }

  private get h(): ClientHarness {
    return this.cfg.harness;
  }

  private active(): boolean {
    return this.h.trueNowMs() < this.w.durationMs;
  }

  /**
   * Poisson arrivals; with spikes, a non-homogeneous Poisson process by thinning: candidates at the
   * peak rate, each kept with probability rate(now) / peak rate.
   */
  private scheduleArrival(): void {
    const gap = -Math.log(1 - this.ctx.random()) / this.peakPerClientPerMs;
    this.ctx.setTimer(gap, () => {
      if (!this.active()) return;
      const kept = (this.w.spikes.length === 0 && this.w.rateShape === undefined) || this.ctx.random() * this.peakPerClientPerMs * 1000 * this.w.clients < this.rateNow();
      if (kept) this.issue(this.h.takeProcess(), this.nextOp(), this.target());
      this.scheduleArrival();
    });
  }

  /** The open workload's arrival rate (per second) at this instant. */
  private rateNow(): number {
    const t = this.h.trueNowMs();
    let rate = this.w.ratePerSec! * (this.w.rateShape === undefined ? 1 : shapeFactor(this.w.rateShape, t));
    for (const s of this.w.spikes) if (t >= s.at && t < s.at + s.for) rate *= s.factor;
    return rate;
  }

  private think(): number {
    return this.w.thinkMs === undefined ? 0 : sample(this.w.thinkMs, () => this.ctx.random());
  }

  private issueClosed(): void {
    if (!this.active()) return;
    if (this.closedProcess === undefined) this.closedProcess = this.h.takeProcess();
    this.issue(this.closedProcess, this.nextOp(), this.target());
  }

  private nextOp(): Operation {
    let u = this.ctx.random() * this.weightTotal;
    let f = this.ops[this.ops.length - 1][0];
    for (const [name, weight] of this.ops) {
      if (u < weight) {
        f = name;
        break;
      }
      u -= weight;
    }
    const key = this.h.keyPicker.pick(() => this.ctx.random(), this.ctx.now());
    const op: Operation = { f };
    if (key !== undefined) op.key = key;
    const level = f === 'read' ? this.w.consistency?.read : f === 'write' || f === 'delete' ? this.w.consistency?.write : undefined;
    if (level !== undefined) op.consistency = level;
    switch (f) {
      case 'write':
      case 'broadcast':
        op.value = this.h.nextValue();
        break;
      case 'cas':
        op.value = [Math.floor(this.ctx.random() * 5), Math.floor(this.ctx.random() * 5)];
        break;
      case 'incr':
        op.value = 1;
        break;
      case 'transfer': {
        const to = this.h.keyPicker.pick(() => this.ctx.random(), this.ctx.now());
        op.value = { to, amount: 1 + Math.floor(this.ctx.random() * 10) };
        break;
      }
      default:
        break;
    }
    return op;
  }

  private target(): NodeId {
    const servers = this.h.servers;
    const t = this.w.target;
    if (t === 'sticky') return servers[this.cfg.index % servers.length];
    if (t === 'random') return servers[Math.floor(this.ctx.random() * servers.length)];
    return t;
  }

  /** Send one operation and record its invocation. */
  issue(process: number, op: Operation, node: NodeId): void {
    const id = this.requestIdNext++;
    const now = this.h.trueNowMs();
    this.h.history?.add({ process, type: 'invoke', f: op.f, key: op.key, value: op.f === 'read' ? null : op.value, time: Math.round(now * NANOS_PER_MS), node });
    this.ctx.metrics.count('ops_invoked');
    const timer = this.ctx.setTimer(this.w.timeoutMs, () => this.timeout(id));
    this.pending.set(id, { process, op, node, invokedAtMs: now, timer, attempts: 1, backoffMs: 0, unknown: undefined });
    this.budget?.recordCall();
    this.ctx.send(node, { type: 'client_request', id, op, attempt: 1, ackedBelow: this.ackedBelow() } satisfies ClientRequest);
  }

  /** The lowest id still waiting for an answer: every smaller one is done (ids grow, the map keeps order). */
  private ackedBelow(): number {
    for (const id of this.pending.keys()) return id;
    return this.requestIdNext;
  }

  /** No answer in time: retry the very same request at the next server, or give up (info). */
  private timeout(id: number): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    (p.unknown ??= new Set()).add(p.attempts);
    this.retryOrGiveUp(id, p, 'timeout');
  }

  /**
   * Another attempt after the backoff, within the retry budget; or give up: unknown if an attempt
   * timed out, a definite failure if every attempt was refused.
   */
  private retryOrGiveUp(id: number, p: Pending, why: string): void {
    const giveUp = (p.unknown?.size ?? 0) > 0 ? 'info' : 'fail';
    if (p.attempts > this.w.retries) return this.complete(id, giveUp, undefined, why, true);
    if (this.budget !== undefined && !this.budget.tryRetry()) {
      this.ctx.metrics.count('retries_refused_by_budget');
      return this.complete(id, giveUp, undefined, `${why} (retry budget exhausted)`, true);
    }
    const delay = this.backoff?.delayMs(p.attempts - 1, p.backoffMs, () => this.ctx.random()) ?? 0;
    if (delay <= 0) return this.retry(id, p);
    p.backoffMs = delay;
    this.ctx.clearTimer(p.timer);
    // Still pending while it backs off: a late reply to an earlier attempt completes it.
    p.timer = this.ctx.setTimer(delay, () => this.retry(id, p));
  }

  private retry(id: number, p: Pending): void {
    const servers = this.h.servers;
    p.node = servers[(servers.indexOf(p.node) + 1) % servers.length];
    p.attempts++;
    this.ctx.metrics.count('ops_retried');
    this.ctx.clearTimer(p.timer);
    p.timer = this.ctx.setTimer(this.w.timeoutMs, () => this.timeout(id));
    this.ctx.send(p.node, { type: 'client_request', id, op: p.op, attempt: p.attempts, ackedBelow: this.ackedBelow() } satisfies ClientRequest);
  }

  /** Read every key once, at the servers in turn (the final reads of key-value workloads). */
  finalKeyReads(): void {
    const n = this.w.keys?.count ?? 0;
    for (let k = 0; k < n; k++) this.issue(this.h.takeProcess(), { f: 'read', key: `k${k}` }, this.h.servers[k % this.h.servers.length]);
  }

  /** Read every server once (the final reads of set and broadcast workloads). */
  finalReads(): void {
    for (const node of this.h.servers) this.issue(this.h.takeProcess(), { f: 'read' }, node);
  }

  onMessage(_from: NodeId, msg: unknown): void {
    if (!isClientReply(msg)) return;
    const p = this.pending.get(msg.id);
    if (p === undefined) return; // a late reply after the operation completed, or a duplicate
    // An abandoned attempt's reply arrives on a closed connection.
    if (this.w.abandonTimedOut && p.unknown?.has(msg.attempt ?? p.attempts)) return;
    // This attempt's outcome is known now.
    p.unknown?.delete(msg.attempt ?? p.attempts);
    // A failure of an earlier attempt says nothing about the later one in flight.
    if (msg.status === 'fail' && msg.attempt !== undefined && msg.attempt < p.attempts) return;
    this.complete(msg.id, msg.status, msg.value, msg.error);
  }

  private complete(id: number, status: 'ok' | 'fail' | 'info', value: unknown, error: string | undefined, final = false): void {
    const p = this.pending.get(id);
    if (p === undefined) return; // a late reply after a timeout, or a duplicate
    const unknown = (p.unknown?.size ?? 0) > 0;
    if (!final && status === 'fail' && (unknown || this.w.retryFailures)) {
      // A failure answers for the attempt that got it, not for an earlier one still on its way: try
      // again (a session answers for all attempts at once), or admit the outcome is unknown. With
      // retryFailures a refusal is retried too: it certainly did not apply.
      const why = unknown ? `${error ?? 'failed'} (after ${p.attempts} attempts, an earlier one may still apply)` : (error ?? 'failed');
      return this.retryOrGiveUp(id, p, why);
    }
    this.pending.delete(id);
    this.ctx.clearTimer(p.timer);
    const now = this.h.trueNowMs();
    // Reads, increments and deletes report what they returned; the others, what they wrote.
    const v = p.op.f === 'read' || p.op.f === 'incr' || p.op.f === 'delete' ? (status === 'ok' ? value : null) : p.op.value;
    this.h.history?.add({ process: p.process, type: status, f: p.op.f, key: p.op.key, value: v ?? null, time: Math.round(now * NANOS_PER_MS), node: p.node, error });
    this.ctx.metrics.count(outcomeCounters[status]);
    // What clients saw is part of the run's identity: it goes into the trace hash.
    this.ctx.log('outcome', { id, status, value: v ?? null });
    if (status === 'ok') this.ctx.metrics.observe('latency_ms', now - p.invokedAtMs);
    const closedLoop = this.w.type === 'closed' && p.process === this.closedProcess;
    // A process whose last outcome is unknown is retired, as in Jepsen; ok and fail free it.
    if (status === 'info') {
      if (closedLoop) this.closedProcess = undefined;
    } else if (!closedLoop) {
      this.h.releaseProcess(p.process);
    }
    if (closedLoop) {
      this.ctx.setTimer(this.think(), () => this.issueClosed());
    }
  }

  /** Operations still waiting when the run ends are recorded as info (outcome unknown). */
  abandon(): void {
    for (const id of [...this.pending.keys()]) this.complete(id, 'info', undefined, 'run ended');
  }
}

/** The factor of a repeating piecewise-linear rate shape at time t (wrapping from the last point to the first). */
export function shapeFactor(shape: { periodMs: number; points: [number, number][] }, t: number): number {
  const pts = shape.points;
  const x = ((t % shape.periodMs) + shape.periodMs) % shape.periodMs;
  let i = pts.length - 1;
  while (i >= 0 && pts[i][0] > x) i--;
  const [t0, f0] = i < 0 ? [pts[pts.length - 1][0] - shape.periodMs, pts[pts.length - 1][1]] : pts[i];
  const [t1, f1] = i + 1 < pts.length ? pts[i + 1] : [pts[0][0] + shape.periodMs, pts[0][1]];
  return t1 === t0 ? f0 : f0 + ((f1 - f0) * (x - t0)) / (t1 - t0);
}
