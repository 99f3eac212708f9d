/**
 * Raft with a liar: the project's RaftKv on every node, wrapped in a Process that, on the nodes named
 * in `byzantine`, rewrites what the node sends (byzantine.ts lists the behaviours). Raft assumes crash
 * faults only: a follower stores whatever entries its leader sends, a voter believes the log a
 * candidate claims, and the leader counts acknowledgements of "the entry at index i" without anyone
 * checking that all followers got the same entry. One liar among four is enough to make correct
 * replicas commit different commands at the same index, and to make clients read values nobody wrote.
 *
 * On correct nodes the wrapper changes nothing; it records the command applied at each log index,
 * which describe() reports for the agreement check, and counts messages between replicas.
 */
import { isInvariantViolation } from '../../runtime/invariant.js';
import type { Context, Description, Disk, NodeId, Process } from '../../runtime/context.js';
import { RaftKv, raftKvConfigSchema } from '../../truth/raft/host.js';
import { isRaftMessage, type Entry, type Message } from '../../truth/raft/types.js';
import type { KvCommand } from '../../truth/kv.js';
import { digestOf } from '../../truth/bft/crypto.js';
import { byzantineConfigSchema, ByzantineSchedule, forgedValue, misledGroup } from '../../truth/bft/byzantine.js';
import { z } from 'zod';

export const raftLiarConfigSchema = raftKvConfigSchema.extend({
  /** Nodes that misbehave, and when (byzantine.ts). */
  byzantine: byzantineConfigSchema.default({}),
});
export type RaftLiarConfig = z.infer<typeof raftLiarConfigSchema>;

/** How much longer a lying candidate claims its log is (entries, and terms of its last entry). */
export const claimedExtraEntries = 1_000_000;
export const claimedExtraTerms = 1_000;
/** While lying, a liar that is not leader campaigns again this often. */
export const liarCampaignEveryMs = 500;

const agreementTypes: ReadonlySet<string> = new Set(['append', 'append_resp']);

export class RaftLiarNode implements Process {
  readonly inner: RaftKv;
  private readonly schedule: ByzantineSchedule;
  private readonly voters: readonly NodeId[];
  private readonly misled: readonly NodeId[];
  private readonly misledSet: ReadonlySet<NodeId>;
  /** The digest of the command applied at each index (correct nodes; for the agreement check). */
  private readonly positions = new Map<number, string>();
  private recorded = 0;
  /** A correct node whose Raft core found its invariant broken (by a liar) and stopped. */
  private halted = false;

  constructor(
    private readonly ctx: Context,
    config: RaftLiarConfig,
  ) {
    const { byzantine, ...raftConfig } = config;
    this.voters = config.voters ?? [...ctx.peers, ctx.id].sort();
    this.schedule = ByzantineSchedule.of(byzantine, ctx.id);
    this.misled = misledGroup(ctx.id, this.voters);
    this.misledSet = new Set(this.misled);
    const disk: Disk = {
      write: (f, d) => ctx.disk.write(f, d),
      append: (f, d) => ctx.disk.append(f, d),
      read: (f) => ctx.disk.read(f),
      truncate: (f, n) => ctx.disk.truncate(f, n),
      remove: (f) => ctx.disk.remove(f),
      list: () => ctx.disk.list(),
      fsync: (f, done) => ctx.disk.fsync(f, () => this.guard(done)),
    };
    const wrapped: Context = {
      id: ctx.id,
      peers: ctx.peers,
      now: () => ctx.now(),
      random: () => ctx.random(),
      send: (to, msg) => this.send(to, msg),
      setTimer: (ms, fn) => ctx.setTimer(ms, () => this.guard(fn)),
      clearTimer: (id) => ctx.clearTimer(id),
      disk,
      metrics: ctx.metrics,
      log: (event, fields) => ctx.log(event, fields),
    };
    this.inner = new RaftKv(wrapped, raftConfig);
  }

  start(): void {
    this.inner.start();
    const now = this.ctx.now();
    for (const w of this.schedule.windows) {
      if (w.behaviours.includes('lie')) this.ctx.setTimer(Math.max(0, w.fromMs - now), () => this.campaignWhileLying());
      if (w.behaviours.includes('equivocate') && Number.isFinite(w.toMs)) this.ctx.setTimer(Math.max(0, w.toMs - now), () => this.handOver());
    }
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (this.halted) return;
    if (this.schedule.is('silent', this.ctx.now())) {
      this.ctx.metrics.count('byzantine_dropped');
      return;
    }
    this.guard(() => this.inner.onMessage(from, msg));
  }

  /**
   * Run the inner node, then note what it applied. A correct Raft node that receives an entry
   * conflicting with one it committed (only a lying leader sends that) fails its core's invariant;
   * etcd panics there, and so does this node: it halts, and stays down.
   */
  private guard(fn: () => void): void {
    if (this.halted) return;
    try {
      fn();
    } catch (e) {
      if (!isInvariantViolation(e) || e.protocol !== 'raft') throw e;
      this.halted = true;
      this.ctx.metrics.count('raft_panics');
      this.ctx.log('raft_panic', { error: e.message });
      return;
    }
    this.record();
  }

  describe(): Description {
    if (this.schedule.faulty) return { role: 'byzantine' };
    const replicas: Record<string, { version: string; holders: readonly string[] }> = {};
    for (const [i, d] of this.positions) replicas[`index:${i}`] = { version: d, holders: this.voters };
    return { role: this.inner.raft.role, replicas };
  }

  /**
   * The lie that wins elections: the liar tells itself the leader handed over (a timeout_now), so
   * its core campaigns at once with a vote marked as a transfer, which voters honour even while
   * they hear from a leader; send() inflates the log it claims. Repeated while the lie lasts.
   */
  private campaignWhileLying(): void {
    const now = this.ctx.now();
    if (!this.schedule.is('lie', now)) return;
    const raft = this.inner.raft;
    if (raft.role === 'follower' && !this.schedule.is('silent', now)) {
      this.ctx.metrics.count('byzantine_lies');
      this.guard(() => this.inner.onMessage(raft.leader ?? this.ctx.id, { type: 'timeout_now', term: raft.term } satisfies Message));
    }
    this.ctx.setTimer(liarCampaignEveryMs, () => this.campaignWhileLying());
  }

  /** The end of an equivocation: hand leadership to a follower holding the forged entries (thesis §3.10). */
  private handOver(): void {
    if (this.inner.raft.role !== 'leader' || this.misled.length === 0) return;
    this.ctx.log('byzantine_handover', { to: this.misled[0] });
    this.guard(() => this.inner.transferLeadership(this.misled[0]));
  }

  private send(to: NodeId, msg: unknown): void {
    const now = this.ctx.now();
    if (this.halted) return;
    if (this.schedule.is('silent', now)) {
      this.ctx.metrics.count('byzantine_dropped');
      return;
    }
    let out = msg;
    if (isRaftMessage(msg)) {
      if ((msg.type === 'vote' || msg.type === 'pre_vote') && this.schedule.is('lie', now)) {
        out = { ...msg, lastLogIndex: msg.lastLogIndex + claimedExtraEntries, lastLogTerm: msg.lastLogTerm + claimedExtraTerms, ...(msg.type === 'vote' ? { transfer: true } : {}) };
        this.ctx.metrics.count('byzantine_lies');
      } else if (msg.type === 'append' && this.misledSet.has(to) && this.schedule.is('equivocate', now) && msg.entries.some(isWrite)) {
        out = { ...msg, entries: msg.entries.map(forgeEntry) };
        this.ctx.metrics.count('byzantine_equivocations');
      }
      if (agreementTypes.has(msg.type)) this.ctx.metrics.count('agreement_messages');
    }
    if (this.voters.includes(to)) this.ctx.metrics.count('replica_messages');
    this.ctx.send(to, out);
  }

  /** Note the command applied at each new index (correct nodes report them in describe()). */
  private record(): void {
    if (this.schedule.faulty) return;
    const log = this.inner.raft.log;
    const hi = log.applied;
    const from = Math.max(this.recorded + 1, log.snapshotIndex() + 1);
    if (hi >= from) for (const e of log.slice(from, hi - from + 1)) this.positions.set(e.index, digestOf({ term: e.term, data: e.data ?? null }));
    if (hi > this.recorded) this.recorded = hi;
  }
}

function isWrite(e: Entry): boolean {
  const cmd = e.data as KvCommand | undefined;
  return cmd?.op?.f === 'write';
}

/** The same entry (index, term, client session), with a value nobody wrote. */
function forgeEntry(e: Entry): Entry {
  if (!isWrite(e)) return e;
  const cmd = e.data as KvCommand;
  return { ...e, data: { ...cmd, op: { ...cmd.op, value: forgedValue(cmd.op.value) } } };
}

export const raftLiar = (ctx: Context, config: RaftLiarConfig): Process => new RaftLiarNode(ctx, config);
