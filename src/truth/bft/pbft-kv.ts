/**
 * PbftKv: the key-value service replicated by PBFT, as a Process. Nodes listed in `replicas` run a
 * PbftReplica (replica.ts) hosted on their Context; every other server node runs the PBFT client
 * library (client.ts) that the workload's clients talk to. A replica named in `byzantine` runs the
 * same honest core behind a filter that makes it lie on schedule (byzantine.ts).
 *
 * Configuration errors are refused when the scenario loads, naming the field: fewer than 3f + 1
 * replicas, an f that no replica count supports, a window too small for the checkpoint interval, a
 * Byzantine node that is not a replica.
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import type { Context, Description, NodeId, Process, TimerId } from '../../runtime/context.js';
import { clientReply, isClientRequest } from '../../runtime/client-protocol.js';
import { Keyring } from './crypto.js';
import { isPbftMessage, type PbftMessage, type PbftMessageType } from './messages.js';
import { PbftReplica, type ReplicaEffects, type ReplicaTimer } from './replica.js';
import { PbftClientNode } from './client.js';
import { byzantineConfigSchema, ByzantineSchedule, PbftByzantineFilter } from './byzantine.js';

const nodeName = nodeRef();

export const pbftKvConfigSchema = z
  .object({
    /** The replicas, in the order that makes replicas[v mod n] the primary of view v. Other nodes are clients. */
    replicas: z.array(nodeName).min(1),
    /** Byzantine replicas tolerated (default: the most the replicas allow, floor((n - 1) / 3)). */
    f: z.number().int().min(1).optional(),
    /** K: a checkpoint every this many sequence numbers (§4.3). */
    checkpointIntervalRequests: z.number().int().positive().default(32),
    /** L: sequence numbers a replica accepts above its last stable checkpoint (default 2K). */
    logWindowRequests: z.number().int().positive().optional(),
    /** T: a backup waiting this long for a request it knows of starts a view change (§4.4); doubles per failed attempt. */
    viewChangeTimeoutMs: z.number().positive().default(300),
    /** A client with no f + 1 matching replies after this long broadcasts the request to every replica. */
    clientRetransmitMs: z.number().positive().default(200),
    /** ... doubling the wait each time, up to this. */
    clientRetransmitMaxMs: z.number().positive().default(2000),
    /** A state transfer not answered within this long asks another replica. */
    stateFetchRetryMs: z.number().positive().default(100),
    /** The secret the pairwise MAC keys and signing keys are derived from (set up out of band). */
    clusterSecret: z.string().min(1).default('pillars-pbft-cluster'),
    /** Replicas that misbehave, and when (see byzantine.ts). */
    byzantine: byzantineConfigSchema.default({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    const n = c.replicas.length;
    const dup = c.replicas.find((r, i) => c.replicas.indexOf(r) !== i);
    if (dup !== undefined) ctx.addIssue({ code: 'custom', path: ['replicas'], message: `distinct replica names (${dup} is listed twice)` });
    if (c.f !== undefined && n < 3 * c.f + 1) {
      ctx.addIssue({ code: 'custom', path: ['f'], message: `f = ${c.f} needs n >= 3f + 1 = ${3 * c.f + 1} replicas, but replicas lists ${n}: tolerate f = ${Math.floor((n - 1) / 3)} with these, or add replicas` });
    } else if (n < 4) {
      ctx.addIssue({ code: 'custom', path: ['replicas'], message: `at least 4 replicas (n >= 3f + 1 with f >= 1) to tolerate one Byzantine replica, got ${n}` });
    }
    const K = c.checkpointIntervalRequests;
    if (c.logWindowRequests !== undefined && c.logWindowRequests < K) {
      ctx.addIssue({ code: 'custom', path: ['logWindowRequests'], message: `at least checkpointIntervalRequests (${K}), or the primary stalls before a checkpoint can become stable` });
    }
    if (c.clientRetransmitMaxMs < c.clientRetransmitMs) ctx.addIssue({ code: 'custom', path: ['clientRetransmitMaxMs'], message: `at least clientRetransmitMs (${c.clientRetransmitMs})` });
    for (const id of Object.keys(c.byzantine)) {
      if (!c.replicas.includes(id)) ctx.addIssue({ code: 'custom', path: ['byzantine', id], message: `a replica (${c.replicas.join(', ')}), got "${id}"` });
    }
  });
export type PbftKvConfig = z.infer<typeof pbftKvConfigSchema>;

/** f and L after defaults. */
export function resolvePbft(c: PbftKvConfig): { f: number; logWindowRequests: number } {
  return { f: c.f ?? Math.floor((c.replicas.length - 1) / 3), logWindowRequests: c.logWindowRequests ?? 2 * c.checkpointIntervalRequests };
}

/** The messages of agreement proper (§4.2), counted apart from the rest for messages-per-decision. */
const agreementTypes: ReadonlySet<PbftMessageType> = new Set(['pbft_pre_prepare', 'pbft_prepare', 'pbft_commit']);

export class PbftReplicaNode implements Process {
  readonly replica: PbftReplica;
  private readonly timers = new Map<ReplicaTimer, TimerId>();
  private readonly replicas: ReadonlySet<NodeId>;
  private readonly schedule: ByzantineSchedule;
  private readonly filter: PbftByzantineFilter | undefined;

  constructor(
    private readonly ctx: Context,
    config: PbftKvConfig,
  ) {
    const { f, logWindowRequests } = resolvePbft(config);
    this.replicas = new Set(config.replicas);
    const keys = new Keyring(ctx.id, config.clusterSecret);
    this.schedule = ByzantineSchedule.of(config.byzantine, ctx.id);
    if (this.schedule.faulty) this.filter = new PbftByzantineFilter(ctx.id, config.replicas, keys, this.schedule, (m) => ctx.metrics.count(m));
    const io: ReplicaEffects = {
      send: (to, msg) => this.send(to, msg),
      setTimer: (name, ms) => {
        const old = this.timers.get(name);
        if (old !== undefined) ctx.clearTimer(old);
        this.timers.set(
          name,
          ctx.setTimer(ms, () => {
            this.timers.delete(name);
            this.replica.timeout(name);
          }),
        );
      },
      clearTimer: (name) => {
        const old = this.timers.get(name);
        if (old !== undefined) ctx.clearTimer(old);
        this.timers.delete(name);
      },
      // A faulty replica's own bookkeeping proves nothing: only its filter's byzantine_* counters count.
      count: (m, by) => {
        if (!this.schedule.faulty) ctx.metrics.count(m, by);
      },
      log: (event, fields) => ctx.log(event, fields),
    };
    this.replica = new PbftReplica(
      {
        id: ctx.id,
        replicas: config.replicas,
        f,
        checkpointIntervalRequests: config.checkpointIntervalRequests,
        logWindowRequests,
        viewChangeTimeoutMs: config.viewChangeTimeoutMs,
        stateFetchRetryMs: config.stateFetchRetryMs,
      },
      keys,
      io,
    );
  }

  private send(to: NodeId, msg: PbftMessage): void {
    const out = this.filter === undefined ? msg : this.filter.outgoing(to, msg, this.ctx.now());
    if (out === undefined) return;
    if (this.replicas.has(to)) {
      this.ctx.metrics.count('replica_messages');
      this.ctx.metrics.count(`bft_msgs_${out.type.slice('pbft_'.length)}`);
      if (agreementTypes.has(out.type)) this.ctx.metrics.count('agreement_messages');
    }
    this.ctx.send(to, out);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (this.filter !== undefined && !this.filter.incoming(this.ctx.now())) return;
    if (isPbftMessage(msg)) this.replica.receive(from, msg);
    else if (isClientRequest(msg)) this.ctx.send(from, clientReply(msg, 'fail', undefined, 'talk to a PBFT client node, not to a replica'));
  }

  /**
   * The primary says "leader" (so faults aimed at the leader hit it). Correct replicas report what
   * they executed at each sequence number, for the agreement check; a Byzantine one reports nothing:
   * its word proves nothing.
   */
  describe(): Description {
    const r = this.replica;
    if (this.schedule.faulty) return { role: 'byzantine' };
    const replicas: Record<string, { version: string; holders: readonly string[] }> = {};
    const holders = [...this.replicas];
    for (const [n, d] of r.executed) replicas[`seq:${n}`] = { version: d, holders };
    return { role: r.active && r.isPrimary ? 'leader' : 'follower', replicas };
  }
}

export const pbftKv = (ctx: Context, config: PbftKvConfig): Process => {
  if (config.replicas.includes(ctx.id)) return new PbftReplicaNode(ctx, config);
  const { f } = resolvePbft(config);
  return new PbftClientNode(ctx, { replicas: config.replicas, f, clusterSecret: config.clusterSecret, retransmitMs: config.clientRetransmitMs, retransmitMaxMs: config.clientRetransmitMaxMs });
};
