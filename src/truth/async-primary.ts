/**
 * The design of the split-brain story: one primary per replica set, asynchronous replication, and
 * failover on a timeout. The primary acknowledges a write as soon as it applied it locally and ships
 * it to the replicas in the background. A replica that hears nothing from the primary for failoverMs
 * promotes itself (the lowest name first), in a new epoch. When a partition heals, the primary of the
 * higher epoch wins; the other resyncs from it, and every write it acknowledged meanwhile is gone.
 *
 * With `lockService` set, promotion needs the lock: a lease from that node with a fencing token
 * (a number that only grows). A primary acts only while its lease lasts, renews it with every
 * heartbeat, and replicas refuse anything stamped with a token older than the newest they have seen.
 * A side of a partition that cannot reach the lock service cannot elect a primary: it refuses writes
 * instead of diverging.
 *
 * Operations: read, write, incr (incr answers the new value).
 */
import { z } from 'zod';
import { nodeRef } from '../runtime/node-ref.js';
import type { Context, NodeId, Process } from '../runtime/context.js';
import { clientReply, isClientRequest, type ClientRequest } from '../runtime/client-protocol.js';
import { LeaseLock } from './fencing/lease-lock.js';
import { registerOp } from './register-op.js';

/** The one resource of the lock service: the right to be primary. */
const primaryLock = 'primary';

export const asyncPrimaryConfigSchema = z
  .object({
    /** The primary at start. */
    primary: nodeRef().default('n1'),
    heartbeatMs: z.number().positive().default(200),
    /** A replica that hears no primary for this long promotes itself. */
    failoverMs: z.number().positive().default(2000),
    /** The node that grants the primary's lease and its fencing token (none: plain timeout failover). */
    lockService: nodeRef().optional(),
    leaseMs: z.number().positive().default(1000),
  })
  .strict();
export type AsyncPrimaryConfig = z.infer<typeof asyncPrimaryConfigSchema>;

type Msg =
  | { type: 'ap_heartbeat'; epoch: number }
  | { type: 'ap_replicate'; epoch: number; key: string; value: unknown }
  | { type: 'ap_sync_request' }
  | { type: 'ap_sync'; epoch: number; data: [string, unknown][] }
  | { type: 'ap_forward'; client: NodeId; req: ClientRequest }
  | { type: 'lock_acquire'; epochSeen: number }
  | { type: 'lock_renew'; token: number }
  | { type: 'lock_grant'; token: number; leaseMs: number; renewal: boolean }
  | { type: 'lock_refuse' };

export class AsyncPrimaryKv implements Process {
  private readonly data = new Map<string, unknown>();
  /** The epoch (with a lock service: the fencing token) of the primary this node follows. */
  private epoch = 1;
  private primary: NodeId | undefined;
  private lastHeardMs = 0;
  /** With a lock service: until when this node may act as primary (its own clock). */
  private leaseUntilMs = 0;
  private acquiring = false;
  /** The lock, when this node is the lock service. */
  private readonly lock: LeaseLock | undefined;

  constructor(
    private readonly ctx: Context,
    private readonly config: AsyncPrimaryConfig,
  ) {
    this.primary = config.primary;
    if (ctx.id === config.lockService) {
      // The first primary holds the lock from the start, with token 1 = epoch 1.
      this.lock = new LeaseLock(config.leaseMs);
      this.lock.acquire(primaryLock, config.primary, ctx.now());
    }
  }

  private get isLockService(): boolean {
    return this.lock !== undefined;
  }

  private get fenced(): boolean {
    return this.config.lockService !== undefined;
  }

  private get isPrimary(): boolean {
    return this.primary === this.ctx.id && (!this.fenced || this.ctx.now() < this.leaseUntilMs);
  }

  describe(): { role: string } {
    return { role: this.primary === this.ctx.id ? 'leader' : 'follower' };
  }

  start(): void {
    this.lastHeardMs = this.ctx.now();
    if (this.fenced && this.primary === this.ctx.id) this.leaseUntilMs = this.ctx.now() + this.config.leaseMs;
    this.ctx.setTimer(this.config.heartbeatMs, () => this.tick());
  }

  private replicas(): NodeId[] {
    return this.ctx.peers.filter((p) => p !== this.config.lockService);
  }

  private tick(): void {
    this.ctx.setTimer(this.config.heartbeatMs, () => this.tick());
    if (this.isLockService) return;
    const now = this.ctx.now();
    if (this.primary === this.ctx.id) {
      for (const r of this.replicas()) this.ctx.send(r, { type: 'ap_heartbeat', epoch: this.epoch } satisfies Msg);
      if (this.fenced) this.ctx.send(this.config.lockService!, { type: 'lock_renew', token: this.epoch } satisfies Msg);
      return;
    }
    // Failover: the lowest-named replica waits failoverMs, the next one a little longer, and so on.
    const rank = this.replicas().filter((p) => p < this.ctx.id).length;
    if (now - this.lastHeardMs < this.config.failoverMs + rank * 2 * this.config.heartbeatMs) return;
    if (this.fenced) {
      if (!this.acquiring) {
        this.acquiring = true;
        this.ctx.send(this.config.lockService!, { type: 'lock_acquire', epochSeen: this.epoch } satisfies Msg);
        this.ctx.setTimer(this.config.failoverMs, () => (this.acquiring = false));
      }
      return;
    }
    this.promote(this.epoch + 1);
  }

  private promote(epoch: number): void {
    this.ctx.log('promote', { epoch });
    this.ctx.metrics.count('promotions');
    this.epoch = epoch;
    this.primary = this.ctx.id;
    this.lastHeardMs = this.ctx.now();
    for (const r of this.replicas()) this.ctx.send(r, { type: 'ap_heartbeat', epoch } satisfies Msg);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.onClient(from, msg);
    const m = msg as Msg;
    switch (m.type) {
      case 'ap_heartbeat':
        return this.onHeartbeat(from, m.epoch);
      case 'ap_replicate':
        // Fencing: anything stamped with an older epoch than the one we follow is refused.
        if (m.epoch === this.epoch && from === this.primary) this.data.set(m.key, m.value);
        return;
      case 'ap_sync_request':
        if (this.primary === this.ctx.id) this.ctx.send(from, { type: 'ap_sync', epoch: this.epoch, data: [...this.data] } satisfies Msg);
        return;
      case 'ap_sync':
        if (m.epoch === this.epoch && from === this.primary) {
          this.data.clear();
          for (const [k, v] of m.data) this.data.set(k, v);
        }
        return;
      case 'ap_forward':
        return this.onClient(m.client, m.req);
      case 'lock_acquire':
      case 'lock_renew':
        return this.onLock(from, m);
      case 'lock_grant':
        if (m.renewal && m.token === this.epoch) this.leaseUntilMs = this.ctx.now() + m.leaseMs * 0.9;
        if (!m.renewal && m.token > this.epoch) {
          this.acquiring = false;
          this.leaseUntilMs = this.ctx.now() + m.leaseMs * 0.9;
          this.promote(m.token);
        }
        return;
      case 'lock_refuse':
        return;
    }
  }

  private onHeartbeat(from: NodeId, epoch: number): void {
    if (epoch < this.epoch) return; // a deposed primary; it will hear from us when we are primary
    if (epoch === this.epoch && this.primary === this.ctx.id && from !== this.ctx.id) {
      // Two primaries of one epoch (both timed out at once): the lower name keeps it.
      if (from > this.ctx.id) return;
    }
    const changed = epoch > this.epoch || this.primary !== from;
    this.epoch = epoch;
    this.primary = from;
    this.lastHeardMs = this.ctx.now();
    if (changed) {
      // A new primary: drop what we had and take its state (our own unreplicated writes vanish here).
      this.ctx.metrics.count('resyncs');
      this.ctx.send(from, { type: 'ap_sync_request' } satisfies Msg);
    }
  }

  private onLock(from: NodeId, m: Extract<Msg, { type: 'lock_acquire' | 'lock_renew' }>): void {
    if (this.lock === undefined) return;
    const now = this.ctx.now();
    if (m.type === 'lock_renew') {
      const a = this.lock.renew(primaryLock, from, m.token, now);
      if (a.granted) this.ctx.send(from, { type: 'lock_grant', token: a.token, leaseMs: this.config.leaseMs, renewal: true } satisfies Msg);
      return;
    }
    // The token goes above any epoch the asker has seen, so it wins over every primary before it.
    const a = this.lock.acquire(primaryLock, from, now, m.epochSeen);
    this.ctx.send(from, (a.granted ? { type: 'lock_grant', token: a.token, leaseMs: this.config.leaseMs, renewal: false } : { type: 'lock_refuse' }) satisfies Msg);
  }

  private onClient(client: NodeId, req: ClientRequest): void {
    if (this.isLockService) {
      this.ctx.send(client, clientReply(req, 'fail', undefined, 'the lock service serves no data'));
      return;
    }
    if (!this.isPrimary) {
      if (this.primary !== undefined && this.primary !== this.ctx.id) this.ctx.send(this.primary, { type: 'ap_forward', client, req } satisfies Msg);
      else this.ctx.send(client, clientReply(req, 'fail', undefined, this.fenced ? 'no lease' : 'no primary'));
      return;
    }
    const key = req.op.key ?? '';
    const op = registerOp(req, this.data.get(key));
    if (op.kind === 'read') return this.ctx.send(client, clientReply(req, 'ok', this.data.get(key) ?? null));
    if (op.kind === 'unsupported') return this.ctx.send(client, clientReply(req, 'fail', undefined, op.error));
    const value = op.value;
    // Acknowledge first, replicate later: the asynchronous part of asynchronous replication.
    this.data.set(key, value);
    this.ctx.send(client, clientReply(req, 'ok', req.op.f === 'incr' ? value : undefined));
    for (const r of this.replicas()) this.ctx.send(r, { type: 'ap_replicate', epoch: this.epoch, key, value } satisfies Msg);
  }
}

export const asyncPrimaryKv = (ctx: Context, config: AsyncPrimaryConfig): Process => new AsyncPrimaryKv(ctx, config);
