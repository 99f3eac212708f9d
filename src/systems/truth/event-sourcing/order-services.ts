/**
 * The event-sourcing story as a system: the seeds' answer to "updates conflict", and the e-commerce
 * platform's order status ("event sourcing with projections").
 *
 * Orders move through placed, paid, shipped, cancelled, changed concurrently by four services:
 * checkout places an order (a client's job) and tells payments and support; payments charges the
 * customer a little later and tells shipping; shipping packs and ships; support cancels a share of
 * the orders when their customers ask, at any moment, racing payment and shipping. Every service
 * decides with the same rules (projection.ts) and does some work (charging a card, printing a label)
 * between deciding and recording. The store is the Raft KV (truth/raft-kv) on `store`.
 *
 * mode status-record (the naive design): an order is one record, read, modified and written back
 * (the record carries a version, only to count). Two services that read the same version both write,
 * and the second erases the first: a cancel acknowledged to the customer (refund issued) overwritten
 * by a ship that read the order before it, so the order is refunded and shipped.
 *
 * mode event-log (the fix): every change is an event appended to one log, at the next position, with
 * a conditional append (SET log/<position> NX: each position is taken once, Raft orders the takers).
 * A service decides against its write model, a projection of the log it brings up to date before
 * deciding; if another event took the position meanwhile, the append fails, the service reads what
 * came in and decides again (a ship after a cancel is refused). No update is lost, because none is
 * overwritten: status is computed from the log by projections (CQRS: the read side is separate).
 *
 * The read model (`readModel`) follows the log by polling, serves the status queries, keeps a
 * snapshot (position and state) on its disk and restarts from it, and now and then rebuilds a
 * projection from position 0 (and from its snapshot plus the tail) to prove both equal the live one.
 * Its lag is measured at each query: events behind the head it has heard of, and ms since the oldest
 * of those was announced. The audit node (`audit`) is the story's referee: it hears of every
 * acknowledged change and counts the lost ones (two acknowledged writes of one version; an
 * acknowledged event not in the log where it was acknowledged) and the orders both refunded and
 * shipped.
 */
import { z } from 'zod';
import { nodeRef } from '../../../runtime/node-ref.js';
import type { Context, NodeId, Process } from '../../../runtime/context.js';
import { clientReply, isClientRequest, type ClientRequest } from '../../../runtime/client-protocol.js';
import { distributionSchema, sample } from '../../../runtime/distribution.js';
import { withPeers } from '../../../runtime/scoped-context.js';
import { RaftKv, raftKvConfigSchema } from '../../../truth/raft/host.js';
import { decide, decodeSnapshot, encodeSnapshot, isOrderEvent, OrderProjection, type OrderEvent, type OrderStatus } from './projection.js';
import { RaftClient } from '../../../truth/raft-client.js';

export const eventSourcingConfigSchema = z
  .object({
    /** status-record: read-modify-write of one record per order (naive); event-log: conditional appends to a log. */
    mode: z.enum(['status-record', 'event-log']),
    /** The Raft members holding the store. */
    store: z.array(nodeRef()).min(1).default(['s1', 's2', 's3']),
    /** The Raft KV's settings (voters are always `store`). */
    raft: raftKvConfigSchema.prefault({}),
    checkout: nodeRef().default('checkout'),
    payments: nodeRef().default('payments'),
    shipping: nodeRef().default('shipping'),
    support: nodeRef().default('support'),
    readModel: nodeRef({ reserved: 'the read model answers checkout, not clients' }).default('reads'),
    audit: nodeRef({ reserved: 'the audit serves no clients' }).default('audit'),
    /** From placing to paying (the customer at the payment page). */
    payDelayMs: distributionSchema.default({ dist: 'uniform', min: 10, max: 60 }),
    /** From paying to shipping (packing). */
    packDelayMs: distributionSchema.default({ dist: 'uniform', min: 10, max: 60 }),
    /** The share of orders whose customers ask support to cancel ... */
    cancelShare: z.number().min(0).max(1).default(0.3),
    /** ... this long after placing them. */
    cancelDelayMs: distributionSchema.default({ dist: 'uniform', min: 0, max: 150 }),
    /** A service's work between deciding and recording (charging a card, printing a label). */
    workMs: distributionSchema.default({ dist: 'uniform', min: 5, max: 20 }),
    /** The read model and the audit poll the log this often ... */
    pollMs: z.number().positive().default(50),
    /** ... reading this many positions per request (again at once when all were there). */
    batchEvents: z.number().int().positive().default(64),
    /** Positions per request when rebuilding a projection from 0. */
    rebuildBatchEvents: z.number().int().positive().default(500),
    /** The read model writes a snapshot every this many events. */
    snapshotEveryEvents: z.number().int().positive().default(500),
    /** The read model rebuilds a projection from 0 (and from its snapshot) every this long, and compares. */
    rebuildEveryMs: z.number().positive().default(10_000),
    /** Store requests: timeout per attempt, wait after "no leader", attempts. */
    requestTimeoutMs: z.number().positive().default(500),
    retryDelayMs: z.number().positive().default(50),
    attemptsMax: z.number().int().positive().default(10),
    /** A command that lost the race for a position this many times fails (contention). */
    appendAttemptsMax: z.number().int().positive().default(50),
    /** Checkout gives a status query to the read model up after this long. */
    queryTimeoutMs: z.number().positive().default(1000),
  })
  .strict()
  .superRefine((c, ctx) => {
    const roles = ['checkout', 'payments', 'shipping', 'support', 'readModel', 'audit'] as const;
    const seen = new Map<string, string>();
    for (const r of roles) {
      const node = c[r];
      if (c.store.includes(node)) ctx.addIssue({ code: 'custom', path: [r], message: `a node outside store (${node} is a Raft member)` });
      if (seen.has(node)) ctx.addIssue({ code: 'custom', path: [r], message: `a node of its own (${node} is already ${seen.get(node)})` });
      seen.set(node, r);
    }
    if (new Set(c.store).size !== c.store.length) ctx.addIssue({ code: 'custom', path: ['store'], message: 'distinct node names' });
  });
export type EventSourcingConfig = z.infer<typeof eventSourcingConfigSchema>;

/** The key of a log position, and of an order's record (naive). */
export const logKey = (position: number): string => `log/${position}`;
export const recordKey = (order: string): string => `order/${order}`;
/** Where the read model keeps its snapshot. */
export const snapshotFile = 'projection.snapshot';

/** The naive design's record of an order. */
export interface StatusRecord {
  status: OrderStatus;
  version: number;
  event: string;
}

type Msg =
  | { type: 'es_placed'; order: string }
  | { type: 'es_paid'; order: string }
  | { type: 'es_appended'; position: number }
  | { type: 'es_acked'; order: string; event: OrderStatus; id: string; version?: number; position?: number }
  | { type: 'es_query'; id: number; order: string }
  | { type: 'es_answer'; id: number; status: OrderStatus | null; position: number };

const isMsg = (m: unknown): m is Msg => typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string' && (m as { type: string }).type.startsWith('es_');

const raftClientConfig = (c: EventSourcingConfig) => ({ store: c.store, requestTimeoutMs: c.requestTimeoutMs, retryDelayMs: c.retryDelayMs, attemptsMax: c.attemptsMax });

/** Read `count` positions from `from`: the events there, up to the first position not yet taken. */
function readLog(client: RaftClient, from: number, count: number, done: (events: OrderEvent[] | undefined) => void): void {
  const keys = Array.from({ length: count }, (_, i) => logKey(from + i));
  client.call({ f: 'mget', value: keys }, (r) => {
    if (r?.status !== 'ok' || !Array.isArray(r.value)) return done(undefined);
    const events: OrderEvent[] = [];
    for (const v of r.value) {
      if (v === null) break;
      if (!isOrderEvent(v)) throw new Error(`event-sourcing invariant violated: log/${from + events.length} holds ${JSON.stringify(v)}`);
      events.push(v);
    }
    done(events);
  });
}

/**
 * Brings a projection up to the head of the log: one read at a time, again at once while a read came
 * back full. A caller who asks while a read is on its way waits for the next read, which starts after
 * its question: it is answered with the log as it was at least when it asked (a service that lost
 * the race for a position must see who took it).
 */
class LogFollower {
  private waiting: ((ok: boolean) => void)[] = [];
  private next: ((ok: boolean) => void)[] = [];
  private running = false;

  constructor(
    private readonly client: RaftClient,
    private readonly batchEvents: number,
    private readonly projection: () => OrderProjection,
    private readonly onApplied: (position: number, e: OrderEvent) => void = () => {},
  ) {}

  catchUp(done: (ok: boolean) => void = () => {}): void {
    if (this.running) return void this.next.push(done);
    this.waiting.push(done);
    this.running = true;
    this.step();
  }

  private step(): void {
    const from = this.projection().position;
    readLog(this.client, from, this.batchEvents, (events) => {
      if (events !== undefined) {
        events.forEach((e, i) => {
          const p = this.projection();
          // The projection may have moved meanwhile (a service applies its own appends).
          if (from + i < p.position) return;
          p.apply(from + i, e);
          this.onApplied(from + i, e);
        });
        if (events.length === this.batchEvents) return this.step();
      }
      const waiting = this.waiting;
      this.waiting = this.next;
      this.next = [];
      this.running = this.waiting.length > 0;
      for (const w of waiting) w(events !== undefined);
      if (this.running) this.step();
    });
  }
}

type Outcome = (status: 'ok' | 'fail' | 'info', error?: string) => void;

/** checkout, payments, shipping or support. */
class OrderService implements Process {
  private readonly client: RaftClient;
  /** The write model (event-log mode): the log as far as this service has read it. */
  private readonly model = new OrderProjection();
  private readonly follower: LogFollower;
  private readonly role: 'checkout' | 'payments' | 'shipping' | 'support';
  private eventSeq = 0;
  private orderSeq = 0;
  private queryNext = 1;
  private readonly queries = new Map<number, { client: NodeId; req: ClientRequest; timer: number }>();
  /** Events waiting for this service's turn to append (event-log mode). */
  private readonly appendQueue: { event: OrderEvent; done: Outcome }[] = [];
  private appending = false;

  constructor(
    private readonly ctx: Context,
    private readonly config: EventSourcingConfig,
  ) {
    this.role = (['checkout', 'payments', 'shipping', 'support'] as const).find((r) => config[r] === ctx.id)!;
    this.client = new RaftClient(ctx, raftClientConfig(config));
    this.follower = new LogFollower(this.client, config.batchEvents, () => this.model);
  }

  describe(): { role: string } {
    return { role: this.role };
  }

  start(): void {
    for (const m of ['commands_ok', 'commands_refused', 'append_conflicts', 'commands_refused_late']) this.ctx.metrics.count(m, 0);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (this.client.onMessage(from, msg)) return;
    if (isClientRequest(msg)) return this.onClient(from, msg);
    if (!isMsg(msg)) return;
    const after = (d: Parameters<typeof sample>[0], fn: () => void) => this.ctx.setTimer(sample(d, () => this.ctx.random()), fn);
    if (msg.type === 'es_placed' && this.role === 'payments') {
      after(this.config.payDelayMs, () => this.command(msg.order, 'paid', (s) => s === 'ok' && this.ctx.send(this.config.shipping, { type: 'es_paid', order: msg.order } satisfies Msg)));
    } else if (msg.type === 'es_placed' && this.role === 'support') {
      if (this.ctx.random() < this.config.cancelShare) after(this.config.cancelDelayMs, () => this.command(msg.order, 'cancelled', () => {}));
    } else if (msg.type === 'es_paid' && this.role === 'shipping') {
      after(this.config.packDelayMs, () => this.command(msg.order, 'shipped', () => {}));
    } else if (msg.type === 'es_answer') {
      const q = this.queries.get(msg.id);
      if (q === undefined) return;
      this.queries.delete(msg.id);
      this.ctx.clearTimer(q.timer);
      this.ctx.send(q.client, clientReply(q.req, 'ok', msg.status));
    }
  }

  /** The front end (checkout): a job places an order; a read asks the status of order o<N> for key k<N>. */
  private onClient(from: NodeId, req: ClientRequest): void {
    if (this.role !== 'checkout') return this.ctx.send(from, clientReply(req, 'fail', undefined, `clients talk to checkout (${this.config.checkout})`));
    if (req.op.f === 'job') {
      const order = `o${this.orderSeq++}`;
      return this.command(order, 'placed', (status, error) => {
        this.ctx.send(from, clientReply(req, status, status === 'ok' ? order : undefined, error));
        if (status !== 'ok') return;
        for (const to of [this.config.payments, this.config.support]) this.ctx.send(to, { type: 'es_placed', order } satisfies Msg);
      });
    }
    if (req.op.f !== 'read') return this.ctx.send(from, clientReply(req, 'fail', undefined, `unsupported operation ${req.op.f}: job places an order, read asks a status`));
    const order = `o${(req.op.key ?? '').replace(/^k/, '')}`;
    if (this.config.mode === 'status-record') {
      // Without a log there is no read side: the query reads the record.
      return this.client.call({ f: 'read', key: recordKey(order) }, (r) => {
        if (r?.status !== 'ok') return this.ctx.send(from, clientReply(req, r === undefined ? 'info' : 'fail', undefined, r?.error ?? 'store did not answer'));
        this.ctx.send(from, clientReply(req, 'ok', (r.value as StatusRecord | null)?.status ?? null));
      });
    }
    // CQRS: queries go to the read model, not to the log.
    const id = this.queryNext++;
    const timer = this.ctx.setTimer(this.config.queryTimeoutMs, () => {
      this.queries.delete(id);
      this.ctx.send(from, clientReply(req, 'info', undefined, 'read model did not answer'));
    });
    this.queries.set(id, { client: from, req, timer });
    this.ctx.send(this.config.readModel, { type: 'es_query', id, order } satisfies Msg);
  }

  /** Make `type` happen to `order`, if the rules allow it, and report. */
  private command(order: string, type: OrderStatus, done: Outcome): void {
    const startedMs = this.ctx.now();
    const finish: Outcome = (status, error) => {
      this.ctx.metrics.count(status === 'ok' ? 'commands_ok' : status === 'fail' ? 'commands_failed' : 'commands_unknown');
      if (status === 'ok') this.ctx.metrics.observe('command_ms', this.ctx.now() - startedMs);
      done(status, error);
    };
    const id = `${this.ctx.id}-${Math.floor(startedMs)}-${this.eventSeq++}`;
    if (this.config.mode === 'status-record') this.readModifyWrite(order, type, id, finish);
    else this.appendEvent({ id, order, type }, finish);
  }

  /** The naive design: read the record, decide, work, write it back. */
  private readModifyWrite(order: string, type: OrderStatus, id: string, done: Outcome): void {
    const key = recordKey(order);
    this.client.call({ f: 'read', key }, (r) => {
      if (r?.status !== 'ok') return done(r === undefined ? 'info' : 'fail', r?.error ?? 'store did not answer');
      const record = r.value as StatusRecord | null;
      const d = decide(record?.status, type);
      if (!d.ok) {
        this.ctx.metrics.count('commands_refused');
        return done('fail', d.error);
      }
      this.work(() => {
        const version = (record?.version ?? 0) + 1;
        this.client.call({ f: 'write', key, value: { status: type, version, event: id } satisfies StatusRecord }, (w) => {
          if (w?.status !== 'ok') return done(w === undefined ? 'info' : 'fail', w?.error ?? 'store did not answer');
          this.acked({ type: 'es_acked', order, event: type, id, version });
          done('ok');
        });
      });
    });
  }

  /**
   * The fix: look at the log's head and refuse early what the rules refuse; work; then, one append of
   * this service at a time (its own commands would only race each other), decide again against the
   * head and append at that position only if it is still free.
   */
  private appendEvent(event: OrderEvent, done: Outcome): void {
    this.follower.catchUp(() => {
      const d = decide(this.model.status(event.order), event.type);
      if (!d.ok) {
        this.ctx.metrics.count('commands_refused');
        return done('fail', d.error);
      }
      this.work(() => {
        this.appendQueue.push({ event, done });
        this.nextAppend();
      });
    });
  }

  private nextAppend(): void {
    if (this.appending) return;
    const item = this.appendQueue.shift();
    if (item === undefined) return;
    this.appending = true;
    const { event } = item;
    const finish: Outcome = (status, error) => {
      this.appending = false;
      item.done(status, error);
      this.nextAppend();
    };
    let conflicts = 0;
    const attempt = () => {
      const d = decide(this.model.status(event.order), event.type);
      if (!d.ok) {
        // What came in since the early look changed the answer: a ship that meets a cancel.
        this.ctx.metrics.count('commands_refused_late');
        return finish('fail', d.error);
      }
      const position = this.model.position;
      this.client.call({ f: 'set', key: logKey(position), value: { v: event, nx: true } }, (r) => {
        if (r === undefined) return finish('info', 'store did not answer');
        if (r.status !== 'ok') return finish('fail', r.error);
        if (r.value === true) {
          // Ours now: the write model takes it at once unless a read took it in already.
          if (this.model.position === position) this.model.apply(position, event);
          this.ctx.send(this.config.readModel, { type: 'es_appended', position } satisfies Msg);
          this.acked({ type: 'es_acked', order: event.order, event: event.type, id: event.id, position });
          return finish('ok');
        }
        // Another service's event took the position: read what came in, and decide again.
        this.ctx.metrics.count('append_conflicts');
        if (++conflicts >= this.config.appendAttemptsMax) {
          this.ctx.metrics.count('commands_failed_contention');
          return finish('fail', `lost the race for a position ${conflicts} times`);
        }
        this.follower.catchUp(attempt);
      });
    };
    attempt();
  }

  private work(fn: () => void): void {
    this.ctx.setTimer(sample(this.config.workMs, () => this.ctx.random()), fn);
  }

  private acked(m: Extract<Msg, { type: 'es_acked' }>): void {
    this.ctx.metrics.count(`acked_${m.event}`);
    this.ctx.send(this.config.audit, m);
  }
}

/** The read side: the live projection, its snapshots, its rebuilds, and the status queries. */
class ReadModel implements Process {
  private readonly client: RaftClient;
  private projection: OrderProjection;
  private readonly follower: LogFollower;
  /** The highest position + 1 that services announced. */
  private headKnown = 0;
  /** When each announced position not yet applied was announced (local clock). */
  private readonly announcedAtMs = new Map<number, number>();
  private snapshotPosition: number;
  private recovery: { from: number; startedMs: number } | undefined;
  private rebuilding = false;

  constructor(
    private readonly ctx: Context,
    private readonly config: EventSourcingConfig,
  ) {
    this.client = new RaftClient(ctx, raftClientConfig(config));
    const saved = decodeSnapshot(ctx.disk.read(snapshotFile));
    this.projection = saved === undefined ? new OrderProjection() : OrderProjection.restore(saved);
    this.snapshotPosition = this.projection.position;
    if (saved !== undefined) {
      this.recovery = { from: saved.position, startedMs: ctx.now() };
      ctx.metrics.gauge('projection_restored_position', saved.position);
    }
    this.follower = new LogFollower(this.client, config.batchEvents, () => this.projection, (p) => this.applied(p));
  }

  describe(): { role: string } {
    return { role: 'read-model' };
  }

  /** The live projection (for tests and tools: the queries are the way in). */
  get view(): OrderProjection {
    return this.projection;
  }

  start(): void {
    // Without a log (status-record) there is nothing to project.
    if (this.config.mode !== 'event-log') return;
    for (const m of ['rebuilds', 'rebuild_mismatches', 'snapshot_tail_checks', 'snapshot_tail_mismatches']) this.ctx.metrics.count(m, 0);
    const poll = () => this.follower.catchUp(() => {
      this.caughtUp();
      this.ctx.setTimer(this.config.pollMs, poll);
    });
    poll();
    const rebuild = () => {
      this.rebuild();
      this.ctx.setTimer(this.config.rebuildEveryMs, rebuild);
    };
    this.ctx.setTimer(this.config.rebuildEveryMs, rebuild);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (this.client.onMessage(from, msg)) return;
    if (isClientRequest(msg)) return this.ctx.send(from, clientReply(msg, 'fail', undefined, `clients talk to checkout (${this.config.checkout})`));
    if (!isMsg(msg)) return;
    if (msg.type === 'es_appended') {
      this.headKnown = Math.max(this.headKnown, msg.position + 1);
      if (msg.position >= this.projection.position) this.announcedAtMs.set(msg.position, this.ctx.now());
    } else if (msg.type === 'es_query') {
      const p = this.projection;
      // Lag at this query: events announced and not yet applied, and how long the oldest has waited.
      let oldest = Infinity;
      for (const at of this.announcedAtMs.values()) oldest = Math.min(oldest, at);
      this.ctx.metrics.observe('read_model_lag_events', Math.max(0, this.headKnown - p.position));
      this.ctx.metrics.observe('read_model_lag_ms', oldest === Infinity ? 0 : this.ctx.now() - oldest);
      this.ctx.metrics.count('queries_served');
      this.ctx.send(from, { type: 'es_answer', id: msg.id, status: p.status(msg.order) ?? null, position: p.position } satisfies Msg);
    }
  }

  private applied(position: number): void {
    const at = this.announcedAtMs.get(position);
    if (at === undefined) return;
    this.announcedAtMs.delete(position);
    this.ctx.metrics.observe('projection_apply_lag_ms', this.ctx.now() - at);
  }

  private caughtUp(): void {
    const p = this.projection;
    this.ctx.metrics.gauge('read_model_position', p.position);
    for (const [status, n] of Object.entries(p.counts)) this.ctx.metrics.gauge(`orders_${status}`, n);
    if (this.recovery !== undefined) {
      // Back from a restart: how much of the log the snapshot spared us.
      this.ctx.metrics.gauge('recovery_tail_events', p.position - this.recovery.from);
      this.ctx.metrics.gauge('recovery_ms', this.ctx.now() - this.recovery.startedMs);
      this.recovery = undefined;
    }
    if (p.position - this.snapshotPosition >= this.config.snapshotEveryEvents) {
      this.snapshotPosition = p.position;
      this.ctx.disk.write(snapshotFile, encodeSnapshot(p.snapshot()));
      this.ctx.disk.fsync(snapshotFile, () => this.ctx.metrics.count('snapshots_written'));
    }
  }

  /**
   * Rebuild from position 0 up to where the live projection is now, and compare with it; restore the
   * snapshot on disk and apply the same tail after it, and compare that too.
   */
  private rebuild(): void {
    if (this.rebuilding) return;
    this.rebuilding = true;
    const target = this.projection.position;
    const expected = JSON.stringify(this.projection.snapshot());
    const base = decodeSnapshot(this.ctx.disk.read(snapshotFile));
    const from = base !== undefined && base.position <= target ? base : undefined;
    const startedMs = this.ctx.now();
    const fresh = new OrderProjection();
    const tail: OrderEvent[] = [];
    const step = () => {
      const count = Math.min(this.config.rebuildBatchEvents, target - fresh.position);
      if (count === 0) return finish();
      readLog(this.client, fresh.position, count, (events) => {
        if (events === undefined || events.length === 0) {
          this.rebuilding = false;
          return this.ctx.metrics.count('rebuilds_abandoned');
        }
        for (const e of events) {
          if (from !== undefined && fresh.position >= from.position) tail.push(e);
          fresh.apply(fresh.position, e);
        }
        step();
      });
    };
    const finish = () => {
      this.rebuilding = false;
      this.ctx.metrics.count('rebuilds');
      const same = JSON.stringify(fresh.snapshot()) === expected;
      if (!same) {
        this.ctx.metrics.count('rebuild_mismatches');
        this.ctx.log('rebuild_mismatch', { position: target });
      }
      this.ctx.metrics.gauge('rebuild_events', target);
      this.ctx.metrics.gauge('rebuild_ms', this.ctx.now() - startedMs);
      if (from === undefined) return;
      const restored = OrderProjection.restore(from);
      tail.forEach((e, i) => restored.apply(from.position + i, e));
      this.ctx.metrics.count('snapshot_tail_checks');
      if (JSON.stringify(restored.snapshot()) !== expected) this.ctx.metrics.count('snapshot_tail_mismatches');
      this.ctx.metrics.gauge('snapshot_tail_events', tail.length);
    };
    step();
  }
}

/** The referee: hears of every acknowledged change and counts the lost ones. */
class Audit implements Process {
  private readonly client: RaftClient;
  private readonly projection = new OrderProjection();
  private readonly follower: LogFollower;
  /** status-record: acknowledged writes per order and version. */
  private readonly writesPerVersion = new Map<string, number>();
  /** event-log: the id at each position read so far, and acknowledgements not yet checked. */
  private readonly ids: string[] = [];
  private readonly seenIds = new Set<string>();
  private readonly unchecked = new Map<number, string>();
  private readonly ackedTypes = new Map<string, Set<OrderStatus>>();

  constructor(
    private readonly ctx: Context,
    private readonly config: EventSourcingConfig,
  ) {
    this.client = new RaftClient(ctx, raftClientConfig(config));
    this.follower = new LogFollower(this.client, config.batchEvents, () => this.projection, (p, e) => this.read(p, e));
  }

  describe(): { role: string } {
    return { role: 'audit' };
  }

  start(): void {
    for (const m of ['lost_updates', 'refunded_and_shipped', 'duplicate_events']) this.ctx.metrics.count(m, 0);
    if (this.config.mode !== 'event-log') return;
    this.ctx.metrics.gauge('acked_unverified', 0);
    const poll = () => this.follower.catchUp(() => {
      this.ctx.metrics.gauge('acked_unverified', this.unchecked.size);
      this.ctx.metrics.gauge('events_breaking_rules', this.projection.breakingRules);
      this.ctx.metrics.gauge('log_events', this.projection.position);
      this.ctx.setTimer(this.config.pollMs, poll);
    });
    poll();
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (this.client.onMessage(from, msg)) return;
    if (isClientRequest(msg)) return this.ctx.send(from, clientReply(msg, 'fail', undefined, 'the audit serves no clients'));
    if (!isMsg(msg) || msg.type !== 'es_acked') return;
    const types = this.ackedTypes.get(msg.order) ?? new Set<OrderStatus>();
    const before = types.has('cancelled') && types.has('shipped');
    types.add(msg.event);
    this.ackedTypes.set(msg.order, types);
    // The customer got a refund and the parcel: both changes were acknowledged.
    if (!before && types.has('cancelled') && types.has('shipped')) this.ctx.metrics.count('refunded_and_shipped');
    if (msg.version !== undefined) {
      // Two acknowledged writes of one version: the later one was computed without the earlier, and erased it.
      const k = `${msg.order}@${msg.version}`;
      const n = (this.writesPerVersion.get(k) ?? 0) + 1;
      this.writesPerVersion.set(k, n);
      if (n > 1) {
        this.ctx.metrics.count('lost_updates');
        this.ctx.log('lost_update', { order: msg.order, version: msg.version, event: msg.event });
      }
    }
    if (msg.position !== undefined) {
      if (msg.position < this.ids.length) this.check(msg.position, msg.id, this.ids[msg.position]);
      else this.unchecked.set(msg.position, msg.id);
    }
  }

  private read(position: number, e: OrderEvent): void {
    this.ids.push(e.id);
    if (this.seenIds.has(e.id)) this.ctx.metrics.count('duplicate_events');
    this.seenIds.add(e.id);
    const acked = this.unchecked.get(position);
    if (acked === undefined) return;
    this.unchecked.delete(position);
    this.check(position, acked, e.id);
  }

  private check(position: number, acked: string, found: string): void {
    this.ctx.metrics.count('acked_events_verified');
    if (acked === found) return;
    this.ctx.metrics.count('lost_updates');
    this.ctx.log('lost_update', { position, acked, found });
  }
}

/** A server of the topology the config gives no role: it refuses clients and says why. */
class IdleNode implements Process {
  constructor(
    private readonly ctx: Context,
    private readonly config: EventSourcingConfig,
  ) {}

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) this.ctx.send(from, clientReply(msg, 'fail', undefined, `${this.ctx.id} has no role: clients talk to checkout (${this.config.checkout})`));
  }
}

export const eventSourcing = (ctx: Context, config: EventSourcingConfig): Process => {
  if (config.store.includes(ctx.id)) return new RaftKv(withPeers(ctx, config.store), { ...config.raft, voters: [...config.store].sort() });
  if (ctx.id === config.readModel) return new ReadModel(ctx, config);
  if (ctx.id === config.audit) return new Audit(ctx, config);
  if ([config.checkout, config.payments, config.shipping, config.support].includes(ctx.id)) return new OrderService(ctx, config);
  return new IdleNode(ctx, config);
};
