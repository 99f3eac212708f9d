/**
 * A cluster-wide kill switch, and what it needs to work on a bad day. Workers run automation (one
 * unit of work every `workEveryMs`) behind a KillSwitch each, and poll a flag (`flagKey`) every
 * `pollMs`; an operator sets the flag to true to stop them all. The flag lives either on one flag
 * server (`storeKind: single`) or in the Truth pillar's Raft KV replicated over the `store` nodes.
 *
 * The day the kill switch is needed is a day things are broken: here the flag server (or one Raft
 * node) is down when the operator throws it. On a single server the throw fails and the workers,
 * unable to read the flag, carry on (fail-open). On Raft the write commits on the majority that is
 * up and the workers' next poll, at another node, stops them. `failClosedMs` makes a worker stop by
 * itself when it could not read the flag for that long: safe, and it also stops when only the flag
 * store is sick.
 *
 * Roles by name: `store` nodes keep the flag; every other server is a worker.
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { fromContext } from '../../runtime/clock.js';
import { clientReply, isClientReply, isClientRequest, type ClientReply, type ClientRequest } from '../../runtime/client-protocol.js';
import { raftKv, raftKvConfigSchema } from '../../truth/index.js';
import { KillSwitch } from '../../control/kill-switch.js';

export const killFleetConfigSchema = z
  .object({
    store: z.array(nodeRef()).min(1).default(['n1', 'n2', 'n3']),
    storeKind: z.enum(['single', 'raft']).default('raft'),
    /** The Raft KV's own settings (its voters are the store nodes). */
    raft: raftKvConfigSchema.default(raftKvConfigSchema.parse({})),
    flagKey: z.string().default('kill'),
    pollMs: z.number().positive().default(100),
    readTimeoutMs: z.number().positive().default(200),
    /** Stop by itself after this long without a successful read of the flag (none: fail open). */
    failClosedMs: z.number().positive().optional(),
    workEveryMs: z.number().positive().default(10),
  })
  .strict();
export type KillFleetConfig = z.infer<typeof killFleetConfigSchema>;

/** The single flag server: a map in memory, reads and writes. Other store nodes refuse. */
class FlagServer implements Process {
  private readonly flags = new Map<string, unknown>();
  constructor(
    private readonly ctx: Context,
    private readonly config: KillFleetConfig,
  ) {}
  onMessage(from: NodeId, msg: unknown): void {
    if (!isClientRequest(msg)) return;
    if (this.ctx.id !== this.config.store[0]) return this.ctx.send(from, clientReply(msg, 'fail', undefined, `the flag server is ${this.config.store[0]}`));
    const key = msg.op.key ?? '';
    if (msg.op.f === 'write') {
      this.flags.set(key, msg.op.value);
      return this.ctx.send(from, clientReply(msg, 'ok'));
    }
    this.ctx.send(from, clientReply(msg, 'ok', this.flags.get(key) ?? null));
  }
}

class Worker implements Process {
  private readonly kill: KillSwitch;
  private lastGoodPollMs: number;
  private storeIndex = 0;
  private pollIdNext = 1;
  private pending: { id: number; timer: number } | undefined;

  constructor(
    private readonly ctx: Context,
    private readonly config: KillFleetConfig,
  ) {
    this.kill = new KillSwitch(fromContext(ctx).clock);
    this.lastGoodPollMs = ctx.now();
    this.kill.events.add((e) => {
      if (e.type === 'tripped') this.ctx.log('stopped', { reason: e.reason });
    });
  }

  start(): void {
    const work = () => {
      this.ctx.setTimer(this.config.workEveryMs, work);
      const f = this.config.failClosedMs;
      if (f !== undefined && this.ctx.now() - this.lastGoodPollMs > f) this.kill.trip('fail closed: the kill switch could not be read');
      if (!this.kill.allow()) return;
      this.ctx.metrics.count('work_done');
      this.ctx.metrics.gauge('last_work_ms', Math.round(this.ctx.now()));
    };
    this.ctx.setTimer(this.config.workEveryMs * this.ctx.random(), work);
    this.ctx.setTimer(this.config.pollMs * this.ctx.random(), () => this.poll());
  }

  private poll(): void {
    const id = this.pollIdNext++;
    const node = this.config.store[this.storeIndex % this.config.store.length];
    const timer = this.ctx.setTimer(this.config.readTimeoutMs, () => this.pollDone(id, undefined));
    this.pending = { id, timer };
    this.ctx.send(node, { type: 'client_request', id, op: { f: 'read', key: this.config.flagKey } } satisfies ClientRequest);
  }

  private pollDone(id: number, reply: ClientReply | undefined): void {
    if (this.pending?.id !== id) return;
    this.ctx.clearTimer(this.pending.timer);
    this.pending = undefined;
    if (reply?.status === 'ok') {
      this.lastGoodPollMs = this.ctx.now();
      if (reply.value === true) this.kill.trip('cluster kill switch thrown');
      // A worker that stopped only because it could not read the switch may run again.
      else if (this.kill.tripped?.reason.startsWith('fail closed')) this.kill.reset();
    } else {
      this.ctx.metrics.count('kill_switch_reads_failed');
      this.storeIndex++; // try another store node next time
    }
    this.ctx.setTimer(this.config.pollMs, () => this.poll());
  }

  onMessage(_from: NodeId, msg: unknown): void {
    if (isClientReply(msg)) this.pollDone(msg.id, msg);
  }
}

export const killFleet = (ctx: Context, config: KillFleetConfig): Process => {
  if (!config.store.includes(ctx.id)) return new Worker(ctx, config);
  return config.storeKind === 'raft' ? raftKv(ctx, { ...config.raft, voters: config.store }) : new FlagServer(ctx, config);
};
