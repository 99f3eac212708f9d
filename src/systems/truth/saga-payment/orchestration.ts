/**
 * The orchestrated saga on a Context: the coordinator node (the SagaCoordinator core behind a journal
 * and the order desk), and the service nodes that run steps on request (a SagaParticipant behind a
 * journal). Both write before they act: the coordinator sends the next step only once the previous
 * step's outcome is on its disk, and a service answers only once what it did is on its disk, so after
 * a crash neither has told the world anything its log does not know.
 */
import type { Context, NodeId, Process } from '../../../runtime/context.js';
import { clientReply, isClientRequest } from '../../../runtime/client-protocol.js';
import { isStepReply, isStepRequest, SagaCoordinator, type CoordinatorEffect, type CoordinatorRecord, type StepReply } from '../../../truth/saga/coordinator.js';
import { Journal } from '../../../truth/saga/journal.js';
import { OrderDesk } from './order-desk.js';
import { SagaParticipant, type ActResult, type ParticipantRecord, type UndoResult } from '../../../truth/saga/participant.js';
import { ledgerFor, nodeOf, paymentFlowCatalog, type OrderData, type PaymentFlowService, type SagaPaymentConfig } from './payment-flow.js';
import type { SagaDescription } from './audit.js';
import type { SagaEnd } from '../../../truth/saga/coordinator.js';

export const coordinatorLogFile = 'saga-coordinator.log';
export const serviceLogFile = (service: string) => `saga-${service}.log`;

export class CoordinatorNode extends OrderDesk {
  private readonly core: SagaCoordinator;
  private readonly journal: Journal<CoordinatorRecord>;

  constructor(ctx: Context, config: SagaPaymentConfig) {
    super(ctx, config);
    this.journal = new Journal(ctx, coordinatorLogFile, config.durableLog);
    this.core = new SagaCoordinator(
      config.saga,
      { compensate: config.compensate, idempotencyKeys: config.idempotencyKeys, stepTimeoutMs: config.stepTimeoutMs, stepAttemptsMax: config.stepAttemptsMax, retryTimeoutMaxMs: config.retryTimeoutMaxMs },
      () => ctx.random(),
    );
  }

  start(): void {
    this.countZeros();
    for (const name of ['step_retries', 'steps_given_up']) this.ctx.metrics.count(name, 0);
    if (this.journal.corrupt !== undefined) {
      this.refusing = this.journal.corrupt;
      this.ctx.log('journal_corrupt', { detail: this.journal.corrupt });
      return;
    }
    for (const r of this.journal.replayed) if (r.t === 'end') this.ended.set(r.saga, r.reason === undefined ? { status: r.status } : { status: r.status, reason: r.reason });
    const effects = this.core.recover(this.journal.replayed);
    if (this.core.resumed > 0) {
      this.ctx.metrics.count('sagas_resumed', this.core.resumed);
      this.ctx.log('sagas_resumed', { count: this.core.resumed });
    }
    this.run(effects);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.intake(from, msg);
    if (isStepReply(msg) && this.refusing === undefined) this.run(this.core.onReply(msg));
  }

  protected knows(id: string): boolean {
    return this.core.view(id) !== undefined;
  }

  protected place(id: string, data: OrderData): void {
    this.run(this.core.begin(id, data));
  }

  protected *sagaStates(): Iterable<[string, { status: 'running' | SagaEnd; units: number }]> {
    for (const [id, v] of this.core.entries()) yield [id, { status: v.status ?? 'running', units: (v.data as OrderData).units }];
  }

  /** The effects of one input: its records made durable first, then the rest in order. */
  private run(effects: CoordinatorEffect[]): void {
    if (effects.length === 0) return;
    const records = effects.flatMap((e) => (e.kind === 'record' ? [e.record] : []));
    this.journal.commit(records, () => {
      for (const e of effects) {
        if (e.kind === 'record') {
          if (e.record.t === 'step' && e.record.outcome === 'unknown') this.ctx.metrics.count('steps_given_up');
        } else if (e.kind === 'send') {
          if (e.msg.attempt > 1) this.ctx.metrics.count('step_retries');
          this.ctx.send(nodeOf(this.config, e.service), e.msg);
        } else if (e.kind === 'timer') {
          this.ctx.setTimer(e.ms, () => this.run(this.core.onTimer(e.token)));
        } else {
          this.finished(e.saga, e.status, e.reason);
        }
      }
    });
  }
}

/** Counters of what a service did, once it is durable. */
export function countStep(ctx: Context, op: string, r: ActResult | UndoResult): void {
  if (r.duplicate) return ctx.metrics.count('duplicates_absorbed');
  if ('ok' in r) return ctx.metrics.count(r.ok ? `applied_${op}` : `refused_${op}`);
  if (r.effect === 'undone') ctx.metrics.count('compensations_run');
  else if (r.effect === 'forbidden') ctx.metrics.count('compensations_before_step');
}

/** The zero counters of a service, so that a bound on them means something in every run. */
export function countServiceZeros(ctx: Context, service: PaymentFlowService): void {
  for (const name of ['duplicates_absorbed', 'compensations_run', 'compensations_before_step']) ctx.metrics.count(name, 0);
  for (const op of paymentFlowCatalog[service].actions) for (const what of ['applied', 'refused']) ctx.metrics.count(`${what}_${op}`, 0);
}

/** Replays a service's journal into its participant; returns the records it did not know (outbox records). */
export function replayService<R extends { t: string }>(participant: SagaParticipant, records: readonly R[]): R[] {
  const rest: R[] = [];
  for (const r of records) {
    if (r.t === 'act' || r.t === 'undo') participant.replay(r as unknown as ParticipantRecord);
    else rest.push(r);
  }
  return rest;
}

/** A service of an orchestrated saga: runs the step it is asked for and answers once that is durable. */
export class StepServiceNode implements Process {
  private readonly participant: SagaParticipant;
  private readonly journal: Journal<ParticipantRecord>;
  private refusing: string | undefined;

  constructor(
    private readonly ctx: Context,
    config: SagaPaymentConfig,
    private readonly service: PaymentFlowService,
  ) {
    this.participant = new SagaParticipant(ledgerFor(service, config), () => ctx.random());
    this.journal = new Journal(ctx, serviceLogFile(service), true);
  }

  start(): void {
    countServiceZeros(this.ctx, this.service);
    if (this.journal.corrupt !== undefined) {
      this.refusing = this.journal.corrupt;
      this.ctx.log('journal_corrupt', { detail: this.journal.corrupt });
      return;
    }
    replayService(this.participant, this.journal.replayed);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.ctx.send(from, clientReply(msg, 'fail', undefined, `${this.service} serves sagas, not clients`));
    // A service with a damaged journal answers nothing: the coordinator keeps asking until it is repaired.
    if (!isStepRequest(msg) || this.refusing !== undefined) return;
    const r = msg.phase === 'action' ? this.participant.act(msg.op, msg.saga, msg.key, msg.data) : this.participant.undo(msg.op, msg.saga, msg.key, msg.data);
    this.journal.commit(r.record === undefined ? [] : [r.record], () => {
      countStep(this.ctx, msg.op, r);
      const ok = 'ok' in r ? r.ok : true;
      const reply: StepReply = { type: 'saga_step_reply', saga: msg.saga, step: msg.step, phase: msg.phase, attempt: msg.attempt, outcome: ok ? 'ok' : 'refused' };
      if ('ok' in r && r.reason !== undefined) reply.reason = r.reason;
      this.ctx.send(from, reply);
    });
  }

  describe(): SagaDescription {
    return { role: this.service, saga: { kind: 'service', service: this.service, holdings: this.participant.ledger.holdings() } };
  }
}
