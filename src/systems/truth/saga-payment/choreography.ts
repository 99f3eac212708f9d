/**
 * The choreographed saga: no coordinator. The order service emits "run step 0"; the service of step i
 * runs it and emits "run step i+1" to the next service, or "done" to the order service after the last
 * step; a refusal emits "undo step i-1" to the service before it, which compensates and passes "undo"
 * further up, and the first step's service tells the order service the order failed. The saga's state
 * is spread over the services' journals; the definition's order is the only plan.
 *
 * What replaces the coordinator's retries: a transactional outbox. A service journals its local
 * transaction and the event it emits in one record set, fsyncs, then sends the event, and sends it
 * again (doubling the wait up to eventResendMaxMs) until the receiver acknowledges it. The receiver
 * acknowledges once its own reaction is durable and treats the step's idempotency key as the event's
 * identity, so a resent or duplicated event is acknowledged again, not applied again.
 *
 * The trade-off against orchestration, visible in the scenario: nobody times a step out, so an order
 * whose payment service is down waits for it to come back (and then completes) instead of being
 * compensated; and no single log says where a saga is.
 */
import type { Context, NodeId, Process, TimerId } from '../../../runtime/context.js';
import { clientReply, isClientRequest } from '../../../runtime/client-protocol.js';
import type { SagaEnd } from '../../../truth/saga/coordinator.js';
import { pivotIndex, stepKey } from '../../../truth/saga/definition.js';
import { Journal } from '../../../truth/saga/journal.js';
import { OrderDesk } from './order-desk.js';
import { SagaParticipant, type ParticipantRecord } from '../../../truth/saga/participant.js';
import { ledgerFor, nodeOf, type OrderData, type PaymentFlowService, type SagaPaymentConfig } from './payment-flow.js';
import { countServiceZeros, countStep, replayService, serviceLogFile } from './orchestration.js';
import type { SagaDescription } from './audit.js';

export const orderServiceLogFile = 'saga-orders.log';

export interface SagaEvent {
  type: 'saga_event';
  /** The event's identity: the same event, resent or duplicated, has the same id. */
  id: string;
  saga: string;
  /** run: do step `step`; undo: compensate step `step`; done / failed: the order's end, to the order service. */
  kind: 'run' | 'undo' | 'done' | 'failed';
  step: number;
  data: unknown;
  /** For failed: whether the completed steps were undone. */
  status?: SagaEnd;
  reason?: string;
}

export interface EventAck {
  type: 'saga_event_ack';
  id: string;
}

function isSagaEvent(m: unknown): m is SagaEvent {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'saga_event';
}
function isEventAck(m: unknown): m is EventAck {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'saga_event_ack';
}

function makeEvent(saga: string, kind: SagaEvent['kind'], step: number, data: unknown, extra: { status?: SagaEnd; reason?: string } = {}): SagaEvent {
  const e: SagaEvent = { type: 'saga_event', id: `${saga}/${kind}/${step}`, saga, kind, step, data };
  if (extra.status !== undefined) e.status = extra.status;
  if (extra.reason !== undefined) e.reason = extra.reason;
  return e;
}

type OutboxRecord = { t: 'out'; event: SagaEvent; to: NodeId } | { t: 'acked'; id: string };

/** Events sent and not yet acknowledged, sent again until they are. */
class Outbox {
  private readonly entries = new Map<string, { event: SagaEvent; to: NodeId; attempts: number; dueMs: number }>();
  private timer: TimerId | undefined;

  constructor(
    private readonly ctx: Context,
    private readonly resendMs: number,
    private readonly resendMaxMs: number,
  ) {}

  /** Rebuild from the journal (sent again by resendAll). */
  replay(r: OutboxRecord): void {
    if (r.t === 'out') this.entries.set(r.event.id, { event: r.event, to: r.to, attempts: 0, dueMs: 0 });
    else this.entries.delete(r.id);
  }

  /** After a restart: every event not known to be acknowledged goes out again. */
  resendAll(): void {
    for (const e of this.entries.values()) e.dueMs = 0;
    this.tick();
  }

  /** Send an event whose record is durable, and keep it until it is acknowledged. */
  send(event: SagaEvent, to: NodeId): void {
    this.entries.set(event.id, { event, to, attempts: 1, dueMs: this.ctx.now() + this.resendMs });
    this.ctx.send(to, event);
    this.arm();
  }

  /** Whether the acknowledged event was waiting (a duplicate ack finds nothing). */
  ack(id: string): boolean {
    return this.entries.delete(id);
  }

  private arm(): void {
    if (this.timer === undefined && this.entries.size > 0) this.timer = this.ctx.setTimer(this.resendMs, () => this.tick());
  }

  private tick(): void {
    this.timer = undefined;
    const now = this.ctx.now();
    for (const e of this.entries.values()) {
      if (e.dueMs > now) continue;
      if (e.attempts > 0) this.ctx.metrics.count('event_resends');
      e.attempts++;
      const wait = Math.min(this.resendMs * 2 ** (e.attempts - 1), this.resendMaxMs);
      // Equal jitter: the events waiting on a service that comes back do not all go at once.
      e.dueMs = now + wait / 2 + (wait / 2) * this.ctx.random();
      this.ctx.send(e.to, e.event);
    }
    this.arm();
  }
}

type OrderRecord = { t: 'begin'; saga: string; data: OrderData } | { t: 'end'; saga: string; status: SagaEnd; reason?: string } | OutboxRecord;

/** The order service: takes orders, starts their sagas with an event, and hears how they ended. */
export class OrderServiceNode extends OrderDesk {
  private readonly journal: Journal<OrderRecord>;
  private readonly outbox: Outbox;
  private readonly sagas = new Map<string, { data: OrderData; status: 'running' | SagaEnd; reason?: string }>();

  constructor(ctx: Context, config: SagaPaymentConfig) {
    super(ctx, config);
    this.journal = new Journal(ctx, orderServiceLogFile, config.durableLog);
    this.outbox = new Outbox(ctx, config.eventResendMs, config.eventResendMaxMs);
  }

  start(): void {
    this.countZeros();
    this.ctx.metrics.count('event_resends', 0);
    if (this.journal.corrupt !== undefined) {
      this.refusing = this.journal.corrupt;
      this.ctx.log('journal_corrupt', { detail: this.journal.corrupt });
      return;
    }
    for (const r of this.journal.replayed) {
      if (r.t === 'begin') this.sagas.set(r.saga, { data: r.data, status: 'running' });
      else if (r.t === 'end') {
        const s = this.sagas.get(r.saga);
        if (s !== undefined) s.status = r.status;
        this.ended.set(r.saga, r.reason === undefined ? { status: r.status } : { status: r.status, reason: r.reason });
      } else this.outbox.replay(r);
    }
    this.outbox.resendAll();
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.intake(from, msg);
    if (this.refusing !== undefined) return;
    if (isEventAck(msg)) {
      if (this.outbox.ack(msg.id)) this.journal.commit([{ t: 'acked', id: msg.id }], () => {});
      return;
    }
    if (!isSagaEvent(msg) || (msg.kind !== 'done' && msg.kind !== 'failed')) return;
    const ack = () => this.ctx.send(from, { type: 'saga_event_ack', id: msg.id } satisfies EventAck);
    const s = this.sagas.get(msg.saga);
    if (s === undefined || s.status !== 'running') return this.journal.commit([], ack);
    const status: SagaEnd = msg.kind === 'done' ? 'completed' : (msg.status ?? 'failed');
    s.status = status;
    s.reason = msg.reason;
    const end: OrderRecord = msg.reason === undefined ? { t: 'end', saga: msg.saga, status } : { t: 'end', saga: msg.saga, status, reason: msg.reason };
    this.journal.commit([end], () => {
      ack();
      this.finished(msg.saga, status, msg.reason);
    });
  }

  protected knows(id: string): boolean {
    return this.sagas.has(id);
  }

  protected place(id: string, data: OrderData): void {
    this.sagas.set(id, { data, status: 'running' });
    const first = this.config.saga.steps[0];
    const event = makeEvent(id, 'run', 0, data);
    const to = nodeOf(this.config, first.service);
    this.journal.commit([{ t: 'begin', saga: id, data }, { t: 'out', event, to }], () => this.outbox.send(event, to));
  }

  protected *sagaStates(): Iterable<[string, { status: 'running' | SagaEnd; units: number }]> {
    for (const [id, s] of this.sagas) yield [id, { status: s.status, units: s.data.units }];
  }
}

type ServiceRecord = ParticipantRecord | OutboxRecord;

/** A service of a choreographed saga: reacts to events with its step or its compensation, and emits the next. */
export class EventServiceNode implements Process {
  private readonly participant: SagaParticipant;
  private readonly journal: Journal<ServiceRecord>;
  private readonly outbox: Outbox;
  private refusing: string | undefined;
  private readonly pivot: number;

  constructor(
    private readonly ctx: Context,
    private readonly config: SagaPaymentConfig,
    private readonly service: PaymentFlowService,
  ) {
    this.participant = new SagaParticipant(ledgerFor(service, config), () => ctx.random());
    this.journal = new Journal(ctx, serviceLogFile(service), true);
    this.outbox = new Outbox(ctx, config.eventResendMs, config.eventResendMaxMs);
    this.pivot = pivotIndex(config.saga);
  }

  start(): void {
    countServiceZeros(this.ctx, this.service);
    this.ctx.metrics.count('event_resends', 0);
    if (this.journal.corrupt !== undefined) {
      this.refusing = this.journal.corrupt;
      this.ctx.log('journal_corrupt', { detail: this.journal.corrupt });
      return;
    }
    for (const r of replayService(this.participant, this.journal.replayed)) this.outbox.replay(r as OutboxRecord);
    this.outbox.resendAll();
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.ctx.send(from, clientReply(msg, 'fail', undefined, `${this.service} serves sagas, not clients`));
    if (this.refusing !== undefined) return;
    if (isEventAck(msg)) {
      if (this.outbox.ack(msg.id)) this.journal.commit([{ t: 'acked', id: msg.id }], () => {});
      return;
    }
    if (!isSagaEvent(msg) || (msg.kind !== 'run' && msg.kind !== 'undo')) return;
    const step = this.config.saga.steps[msg.step];
    if (step === undefined || step.service !== this.service) return;
    const ack = () => this.ctx.send(from, { type: 'saga_event_ack', id: msg.id } satisfies EventAck);
    const key = this.config.idempotencyKeys ? stepKey(msg.saga, step) : undefined;
    const op = msg.kind === 'run' ? step.action : step.compensation!;
    const r = msg.kind === 'run' ? this.participant.act(op, msg.saga, key, msg.data) : this.participant.undo(op, msg.saga, key, msg.data);
    // Seen before: the event that followed went into the outbox the first time.
    if (r.duplicate) return this.journal.commit([], () => (countStep(this.ctx, op, r), ack()));
    const next = msg.kind === 'run' ? this.afterRun(msg, 'ok' in r && r.ok, ('ok' in r && r.reason) || undefined) : this.afterUndo(msg);
    const records: ServiceRecord[] = r.record === undefined ? [] : [r.record];
    records.push({ t: 'out', event: next.event, to: next.to });
    this.journal.commit(records, () => {
      countStep(this.ctx, op, r);
      ack();
      this.outbox.send(next.event, next.to);
    });
  }

  private afterRun(msg: SagaEvent, ok: boolean, reason: string | undefined): { event: SagaEvent; to: NodeId } {
    const steps = this.config.saga.steps;
    const orders = this.config.nodes.orders;
    if (ok) {
      if (msg.step + 1 < steps.length) return { event: makeEvent(msg.saga, 'run', msg.step + 1, msg.data), to: nodeOf(this.config, steps[msg.step + 1].service) };
      return { event: makeEvent(msg.saga, 'done', steps.length, msg.data), to: orders };
    }
    const why = reason ?? `${steps[msg.step].name} refused`;
    if (!this.config.compensate) return { event: makeEvent(msg.saga, 'failed', -1, msg.data, { status: 'failed', reason: why }), to: orders };
    // Past the pivot nothing can be undone: the order is stuck for a human to look at.
    if (msg.step - 1 >= this.pivot) return { event: makeEvent(msg.saga, 'failed', -1, msg.data, { status: 'failed', reason: `${why} after the pivot` }), to: orders };
    return this.undoFrom(msg, msg.step - 1, why);
  }

  private afterUndo(msg: SagaEvent): { event: SagaEvent; to: NodeId } {
    return this.undoFrom(msg, msg.step - 1, msg.reason ?? 'a step failed');
  }

  private undoFrom(msg: SagaEvent, step: number, reason: string): { event: SagaEvent; to: NodeId } {
    if (step < 0) return { event: makeEvent(msg.saga, 'failed', -1, msg.data, { status: 'compensated', reason }), to: this.config.nodes.orders };
    return { event: makeEvent(msg.saga, 'undo', step, msg.data, { reason }), to: nodeOf(this.config, this.config.saga.steps[step].service) };
  }

  describe(): SagaDescription {
    return { role: this.service, saga: { kind: 'service', service: this.service, holdings: this.participant.ledger.holdings() } };
  }
}
