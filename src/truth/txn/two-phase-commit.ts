/**
 * Two-phase commit across Raft-replicated shards: the two-phase-commit story as a system.
 *
 * Accounts live on shards (key kN on shard N mod shards; other keys by hash), each shard a Raft
 * group whose log replicates its balances, locks and prepared transactions (shard.ts). A client's
 * `transfer` (from `key` to `value.to`, `value.amount`) goes to a coordinator, which runs Gray's
 * two-phase commit ("Notes on Data Base Operating Systems", 1978, §5.8.3): prepare at every shard
 * involved (each takes its locks and votes), commit if all vote yes, abort on a no or when the votes
 * do not come within prepareTimeoutMs, then tell the shards until each acknowledges. A shard that
 * voted yes and hears nothing for inquiryAfterMs asks the coordinator for the outcome.
 *
 * Where the decision lives is the whole story (`coordination`):
 *
 * - single-node (naive): each coordinator node coordinates the transactions sent to it and keeps its
 *   decisions on its own disk (decision-log.ts). That is correct (a restart reads them back), and it
 *   blocks: Skeen ("Nonblocking Commit Protocols", SIGMOD 1981) and Bernstein, Hadzilacos & Goodman
 *   (1987, §7.4) show that no participant in doubt can learn the outcome while that one node is
 *   down, and none may guess. Its prepared shards hold their locks, and every other transaction on
 *   those keys is refused, until it returns.
 * - raft (fixed): the coordinator nodes are one Raft group; a transaction's record (records.ts) is
 *   proposed to its log together with the prepares, and its decision is committed there before any
 *   shard hears it (CockroachDB's transaction record; Spanner's coordinator leader, whose 2PC state is
 *   in its Paxos group). When the leader crashes, the next leader reads the records, aborts the
 *   transactions still pending, delivers the decided ones, and answers the shards' questions about
 *   any whose record had not committed (presumed abort, through the log): the locks go within an
 *   election and an inquiry.
 *
 * Roles by node name: the nodes of `shards[i]` are shard i's replicas, the `coordinators` serve
 * clients. describe().role is 'leader' only for the coordinator group's leader, so a fault aimed at
 * "leader" crashes it; shard replicas say shard-leader or shard-replica, and also describe their
 * shard's state for the end-of-run checks (history.ts).
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientRequest, type ClientRequest } from '../../runtime/client-protocol.js';
import { RecentSet } from '../../runtime/recent-set.js';
import { defaultRaftConfig } from '../raft/raft.js';
import { isRaftMessage } from '../raft/types.js';
import { raftKvProfiles } from '../raft/host.js';
import { RaftHost, type RaftHostOptions } from '../raft/raft-host.js';
import { ShardMachine, type ShardCommand, type ShardResult, type TransferOp } from './shard.js';
import { TxnRecordMachine, type Decision, type Part, type RecordCommand, type RecordResult, type RecordsSnapshot } from './records.js';
import { DecisionLog, epochFile } from './decision-log.js';
import type { ShardDescription } from './history.js';
import type { ShardSnapshot } from './shard.js';

const nodeName = nodeRef();
/** Shard replicas serve the coordinators and refuse client requests. */
const shardNode = nodeRef({ reserved: 'a shard replica; clients talk to the coordinators' });

export const twoPhaseCommitConfigSchema = z
  .object({
    /** single-node: each coordinator decides alone, on its own disk (naive); raft: the coordinators are one Raft group (fixed). */
    coordination: z.enum(['single-node', 'raft']).default('raft'),
    coordinators: z.array(nodeName).min(1).default(['tc1', 'tc2', 'tc3']),
    /** Each shard's replicas (a Raft group each). */
    shards: z.array(z.array(shardNode).min(1)).min(1).default([
      ['a1', 'a2', 'a3'],
      ['b1', 'b2', 'b3'],
    ]),
    /** Every account starts with this balance. */
    initialBalance: z.number().int().nonnegative().default(100),
    /** The coordinator aborts a transaction whose votes are not all in after this long. */
    prepareTimeoutMs: z.number().positive().default(1000),
    /** No vote from a shard after this long: send the prepare again, to the shard's next replica. */
    prepareRetryMs: z.number().positive().default(100),
    /** Resend a decision to a shard that has not acknowledged it after this long. */
    decisionResendMs: z.number().positive().default(200),
    /** A shard in doubt this long asks the coordinator for the outcome ... */
    inquiryAfterMs: z.number().positive().default(500),
    /** ... and asks again every this long (looking for its in-doubt transactions this often). */
    inquiryEveryMs: z.number().positive().default(250),
    /** Milliseconds per Raft tick, and the election and heartbeat timeouts in ticks (all groups). */
    tickMs: z.number().positive().default(10),
    electionTicks: z.number().int().min(2).default(defaultRaftConfig.electionTicks),
    heartbeatTicks: z.number().int().min(1).default(defaultRaftConfig.heartbeatTicks),
    /** Snapshot a group's state and compact its log every this many applied entries. */
    snapshotEntries: z.number().int().positive().default(10_000),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Map<string, string>();
    const place = (id: string, where: string, path: (string | number)[]) => {
      const before = seen.get(id);
      if (before !== undefined) ctx.addIssue({ code: 'custom', path, message: `node ${id} is in ${before} already: every node has one role` });
      else seen.set(id, where);
    };
    c.coordinators.forEach((id, i) => place(id, 'coordinators', ['coordinators', i]));
    c.shards.forEach((s, si) => s.forEach((id, i) => place(id, `shards[${si}]`, ['shards', si, i])));
    if (c.prepareRetryMs >= c.prepareTimeoutMs) ctx.addIssue({ code: 'custom', path: ['prepareRetryMs'], message: `below prepareTimeoutMs (${c.prepareTimeoutMs}): a retry after the timeout never happens` });
    if (c.electionTicks <= c.heartbeatTicks) ctx.addIssue({ code: 'custom', path: ['electionTicks'], message: `above heartbeatTicks (${c.heartbeatTicks}), or followers campaign between heartbeats` });
  });
export type TwoPhaseCommitConfig = z.infer<typeof twoPhaseCommitConfigSchema>;

/** How many recent client attempts a coordinator remembers, to ignore the network's duplicates of them. */
const seenAttemptsMax = 100_000;

/** The shard an account lives on: kN on shard N mod shards (readable scenarios), other keys by FNV-1a hash. */
export function shardOf(key: string, shards: number): number {
  const m = /(\d+)$/.exec(key);
  if (m !== null) return Number(m[1]) % shards;
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h % shards;
}

export type TxnMsg =
  | { type: 'txn_prepare'; txn: string; shard: number; shards: number[]; coordinators: string[]; ops: TransferOp[] }
  | { type: 'txn_vote'; txn: string; shard: number; vote: 'yes' | 'no'; reason?: string; leader: NodeId }
  | { type: 'txn_decision'; txn: string; shard: number; decision: Decision; reason?: string }
  | { type: 'txn_ack'; txn: string; shard: number; leader: NodeId }
  | { type: 'txn_inquire'; txn: string; shard: number }
  | { type: 'txn_outcome'; txn: string; decision: Decision }
  /** A follower hands a message to its group's leader, which answers `origin`. */
  | { type: 'txn_forward'; origin: NodeId; msg: TxnMsg }
  | { type: 'txn_client_forward'; client: NodeId; req: ClientRequest };

/** Both kinds of group run the textbook profile of the one Raft host, with the scenario's periods. */
const groupOptions = (c: TwoPhaseCommitConfig, members: readonly string[]): RaftHostOptions => ({
  ...raftKvProfiles.textbook,
  voters: members,
  preVote: defaultRaftConfig.preVote,
  checkQuorum: defaultRaftConfig.checkQuorum,
  tickMs: c.tickMs,
  electionTicks: c.electionTicks,
  heartbeatTicks: c.heartbeatTicks,
  snapshotEntries: c.snapshotEntries,
});

const isTxnMsg = (m: unknown): m is TxnMsg => typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string' && (m as { type: string }).type.startsWith('txn_');

// ---------------------------------------------------------------------------------------------
// Shards

class ShardReplica implements Process {
  private readonly machine: ShardMachine;
  private readonly group: RaftHost<ShardCommand, ShardResult>;
  constructor(
    private readonly ctx: Context,
    private readonly config: TwoPhaseCommitConfig,
    private readonly shard: number,
  ) {
    this.machine = new ShardMachine(config.initialBalance);
    const machine = this.machine;
    this.group = new RaftHost(ctx, { apply: (c) => machine.apply(c), snapshot: () => machine.snapshot(), restore: (d) => machine.restore(d as ShardSnapshot) }, groupOptions(config, config.shards[shard]));
  }

  start(): void {
    this.group.start();
    const look = () => {
      this.askAboutInDoubt();
      this.ctx.setTimer(this.config.inquiryEveryMs, look);
    };
    this.ctx.setTimer(this.config.inquiryEveryMs, look);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isRaftMessage(msg)) return this.group.step(from, msg);
    if (isClientRequest(msg)) return this.ctx.send(from, clientReply(msg, 'fail', undefined, 'clients talk to the coordinators'));
    if (!isTxnMsg(msg)) return;
    if (msg.type === 'txn_forward') return this.handle(msg.origin, msg.msg, true);
    this.handle(from, msg, false);
  }

  /** Prepares and decisions are the leader's to propose; a follower passes them on once. */
  private handle(origin: NodeId, m: TxnMsg, forwarded: boolean): void {
    if (m.type !== 'txn_prepare' && m.type !== 'txn_decision' && m.type !== 'txn_outcome') return;
    if (!this.group.isLeader) {
      const leader = this.group.leader;
      if (!forwarded && leader !== undefined && leader !== this.ctx.id) this.ctx.send(leader, { type: 'txn_forward', origin, msg: m } satisfies TxnMsg);
      return;
    }
    const nowMs = this.ctx.now();
    if (m.type === 'txn_prepare') {
      // A vote already in the applied (committed) state is durable: give it again without the log.
      const known = this.machine.known(m.txn);
      if (known !== undefined) return this.vote(origin, m.txn, known.status === 'aborted' ? { vote: 'no', refusal: known.refusal ?? 'aborted', reason: known.reason ?? 'aborted' } : { vote: 'yes' });
      this.group.propose({ kind: 'prepare', txn: m.txn, shards: m.shards, coordinators: m.coordinators, ops: m.ops, nowMs }, (r) => {
        if (r === undefined || !('vote' in r)) return;
        this.ctx.metrics.count(r.vote === 'yes' ? 'votes_yes' : `votes_no_${r.refusal}`);
        this.vote(origin, m.txn, r);
      });
      return;
    }
    const ack = m.type === 'txn_decision';
    if (this.machine.settled(m.txn) !== undefined) {
      if (ack) this.ctx.send(origin, { type: 'txn_ack', txn: m.txn, shard: this.shard, leader: this.ctx.id } satisfies TxnMsg);
      return;
    }
    const cmd: ShardCommand = m.decision === 'commit' ? { kind: 'commit', txn: m.txn, nowMs } : { kind: 'abort', txn: m.txn, reason: (m.type === 'txn_decision' ? m.reason : undefined) ?? 'the coordinator aborted', nowMs };
    this.group.propose(cmd, (r) => {
      if (r === undefined) return;
      if ('conflict' in r && r.conflict !== undefined) this.ctx.log('decision_conflict', { txn: m.txn, conflict: r.conflict });
      if (ack) this.ctx.send(origin, { type: 'txn_ack', txn: m.txn, shard: this.shard, leader: this.ctx.id } satisfies TxnMsg);
    });
  }

  private vote(to: NodeId, txn: string, r: ShardResult): void {
    if (!('vote' in r)) return;
    const m: TxnMsg = { type: 'txn_vote', txn, shard: this.shard, vote: r.vote, leader: this.ctx.id };
    if (r.vote === 'no') m.reason = r.reason;
    this.ctx.send(to, m);
  }

  /**
   * The leader asks about every transaction it has been in doubt about for inquiryAfterMs, again
   * every inquiryEveryMs: it asks every coordinator it was given at once (the one that prepared it
   * may be down; of a Raft group, followers pass the question to their leader).
   */
  private askAboutInDoubt(): void {
    if (!this.group.leaderReady) return;
    const now = this.ctx.now();
    for (const t of this.machine.inDoubt()) {
      if (now - t.preparedAtMs < this.config.inquiryAfterMs) continue;
      for (const c of t.coordinators) this.ctx.send(c, { type: 'txn_inquire', txn: t.txn, shard: this.shard } satisfies TxnMsg);
      this.ctx.metrics.count('inquiries_sent');
    }
  }

  describe(): ShardDescription {
    const machine = this.machine;
    return {
      role: this.group.isLeader ? 'shard-leader' : 'shard-replica',
      shard: this.shard,
      applied: this.group.applied,
      initialBalance: machine.initial,
      get balances() {
        return machine.balances();
      },
      get txns() {
        return machine.journal();
      },
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Coordinators

/** A transaction this coordinator is running or finishing. */
interface Coordinating {
  txn: string;
  parts: Part[];
  client?: { node: NodeId; req: ClientRequest };
  phase: 'beginning' | 'preparing' | 'deciding' | 'delivering';
  votes: Set<number>;
  acked: Set<number>;
  decision?: Decision;
  reason?: string;
  startedMs: number;
}

/**
 * What both coordinators do: prepare, collect votes, decide, deliver, answer questions. Where the
 * record and the decision are made durable, and who may coordinate, is the subclass's.
 */
abstract class Coordinator implements Process {
  protected readonly inflight = new Map<string, Coordinating>();
  /** Per shard, the index of the replica believed to lead it. */
  private readonly shardLeader: number[];
  private readonly seenAttempts = new RecentSet<string>(seenAttemptsMax);

  constructor(
    protected readonly ctx: Context,
    protected readonly config: TwoPhaseCommitConfig,
  ) {
    this.shardLeader = config.shards.map(() => 0);
  }

  abstract start(): void;
  abstract describe(): { role: string };
  /** May this node start a transaction now? If not, it answers or forwards the request itself (a forwarded one, not again). */
  protected abstract admit(client: NodeId, req: ClientRequest, forwarded: boolean): boolean;
  protected abstract newTxnId(): string;
  /** Whom a participant asks when in doubt. */
  protected abstract askWhom(): string[];
  /** Record that the transaction begins (before its prepares, or along with them); done(false): it cannot run (leadership lost). */
  protected abstract recordBegin(c: Coordinating, done: (ok: boolean) => void): void;
  /** Make the decision durable; done(the decision that holds), or undefined if this node can no longer tell. */
  protected abstract recordDecision(c: Coordinating, decision: Decision, reason: string | undefined, done: (d: Decision | undefined) => void): void;
  protected abstract recordEnd(txn: string): void;
  /** For a participant's question: the outcome, 'pending' while it may still be decided here, or undefined if never heard of. */
  protected abstract outcome(txn: string): Decision | 'pending' | undefined;
  /** Answer a question about a transaction this coordinator has no record of. */
  protected abstract presumeAbort(txn: string, answer: (d: Decision) => void): void;
  /** Messages of the subclass (Raft's). */
  protected abstract other(from: NodeId, msg: unknown): void;

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.onClient(from, msg);
    if (!isTxnMsg(msg)) return this.other(from, msg);
    switch (msg.type) {
      case 'txn_client_forward':
        return this.onClient(msg.client, msg.req, true);
      case 'txn_vote':
        return this.onVote(msg);
      case 'txn_ack':
        return this.onAck(msg);
      case 'txn_inquire':
        return this.onInquire(from, msg, false);
      case 'txn_forward':
        if (msg.msg.type === 'txn_inquire') this.onInquire(msg.origin, msg.msg, true);
        return;
    }
  }

  /** Pass a message to the group's leader (the Raft coordinator's followers); false if there is none to pass it to. */
  protected forwardToLeader(_msg: TxnMsg): boolean {
    return false;
  }

  protected onClient(client: NodeId, req: ClientRequest, forwarded = false): void {
    // A copy of an attempt already handled (the network duplicates): another copy would be another transfer.
    const attempt = `${client}/${req.id}/${req.attempt ?? 1}`;
    if (this.seenAttempts.has(attempt)) return;
    this.seenAttempts.add(attempt);
    const op = req.op;
    if (op.f !== 'transfer') return this.ctx.send(client, clientReply(req, 'fail', undefined, `unsupported operation ${op.f}: a coordinator runs transfers`));
    const v = op.value as { to?: unknown; amount?: unknown } | undefined;
    const from = op.key;
    const to = v?.to;
    const amount = v?.amount;
    if (typeof from !== 'string' || from === '' || typeof to !== 'string' || to === '') return this.ctx.send(client, clientReply(req, 'fail', undefined, 'a transfer needs key (from) and value.to'));
    if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) return this.ctx.send(client, clientReply(req, 'fail', undefined, `a transfer needs a positive integer value.amount, got ${JSON.stringify(amount)}`));
    if (from === to) return this.ctx.send(client, clientReply(req, 'fail', undefined, 'a transfer to the same account'));
    if (!this.admit(client, req, forwarded)) return;
    const n = this.config.shards.length;
    const byShard = new Map<number, TransferOp[]>();
    for (const o of [{ key: from, delta: -amount }, { key: to, delta: amount }]) {
      const s = shardOf(o.key, n);
      byShard.set(s, [...(byShard.get(s) ?? []), o]);
    }
    const parts: Part[] = [...byShard].sort((a, b) => a[0] - b[0]).map(([shard, ops]) => ({ shard, ops }));
    const c: Coordinating = { txn: this.newTxnId(), parts, client: { node: client, req }, phase: 'beginning', votes: new Set(), acked: new Set(), startedMs: this.ctx.now() };
    this.inflight.set(c.txn, c);
    this.ctx.metrics.count('txns_begun');
    this.recordBegin(c, (ok) => {
      if (this.inflight.get(c.txn) !== c) return;
      if (!ok) {
        this.inflight.delete(c.txn);
        return this.ctx.send(client, clientReply(req, 'fail', undefined, 'leadership lost before the transaction began'));
      }
      this.prepare(c);
    });
  }

  private prepare(c: Coordinating): void {
    c.phase = 'preparing';
    for (const part of c.parts) this.sendPrepare(c, part);
    this.ctx.setTimer(this.config.prepareTimeoutMs, () => {
      if (this.inflight.get(c.txn) !== c || c.phase !== 'preparing') return;
      this.ctx.metrics.count('prepare_timeouts');
      this.decide(c, 'abort', `votes missing after ${this.config.prepareTimeoutMs} ms`);
    });
  }

  private sendPrepare(c: Coordinating, part: Part): void {
    const shards = c.parts.map((p) => p.shard);
    this.ctx.send(this.shardNode(part.shard), { type: 'txn_prepare', txn: c.txn, shard: part.shard, shards, coordinators: this.askWhom(), ops: [...part.ops] } satisfies TxnMsg);
    this.ctx.setTimer(this.config.prepareRetryMs, () => {
      if (this.inflight.get(c.txn) !== c || c.phase !== 'preparing' || c.votes.has(part.shard)) return;
      // No vote yet: the replica we asked may be down or no longer lead; ask the next one.
      this.nextShardNode(part.shard);
      this.ctx.metrics.count('prepare_resends');
      this.sendPrepare(c, part);
    });
  }

  private onVote(m: Extract<TxnMsg, { type: 'txn_vote' }>): void {
    this.learnShardLeader(m.shard, m.leader);
    const c = this.inflight.get(m.txn);
    if (c === undefined || c.phase !== 'preparing') return;
    if (m.vote === 'no') return this.decide(c, 'abort', `shard ${m.shard} voted no: ${m.reason ?? ''}`);
    c.votes.add(m.shard);
    if (c.votes.size === c.parts.length) this.decide(c, 'commit', undefined);
  }

  protected decide(c: Coordinating, decision: Decision, reason: string | undefined): void {
    c.phase = 'deciding';
    this.recordDecision(c, decision, reason, (d) => {
      if (this.inflight.get(c.txn) !== c) return;
      if (d === undefined) {
        // Leadership lost before the decision applied here: the next leader settles it.
        this.inflight.delete(c.txn);
        return;
      }
      c.decision = d;
      c.reason = d === decision ? reason : 'decided otherwise first';
      this.ctx.metrics.count(d === 'commit' ? 'commit_decisions' : 'abort_decisions');
      this.ctx.metrics.observe('decision_ms', this.ctx.now() - c.startedMs);
      if (c.client !== undefined) {
        const { node, req } = c.client;
        this.ctx.send(node, d === 'commit' ? clientReply(req, 'ok') : clientReply(req, 'fail', undefined, `aborted: ${c.reason ?? ''}`));
      }
      this.deliver(c);
    });
  }

  /** Tell every participant the decision, again every decisionResendMs, until each acknowledges. */
  protected deliver(c: Coordinating): void {
    c.phase = 'delivering';
    const send = (resend: boolean) => {
      if (this.inflight.get(c.txn) !== c) return;
      for (const part of c.parts) {
        if (c.acked.has(part.shard)) continue;
        if (resend) {
          this.nextShardNode(part.shard);
          this.ctx.metrics.count('decision_resends');
        }
        const m: TxnMsg = { type: 'txn_decision', txn: c.txn, shard: part.shard, decision: c.decision! };
        if (c.reason !== undefined && c.decision === 'abort') m.reason = c.reason;
        this.ctx.send(this.shardNode(part.shard), m);
      }
      this.ctx.setTimer(this.config.decisionResendMs, () => send(true));
    };
    if (c.parts.length === 0) return this.finish(c);
    send(false);
  }

  private onAck(m: Extract<TxnMsg, { type: 'txn_ack' }>): void {
    this.learnShardLeader(m.shard, m.leader);
    const c = this.inflight.get(m.txn);
    if (c === undefined || c.phase !== 'delivering') return;
    c.acked.add(m.shard);
    if (c.parts.every((p) => c.acked.has(p.shard))) this.finish(c);
  }

  private finish(c: Coordinating): void {
    this.inflight.delete(c.txn);
    this.recordEnd(c.txn);
  }

  private onInquire(from: NodeId, m: Extract<TxnMsg, { type: 'txn_inquire' }>, forwarded: boolean): void {
    if (!forwarded && this.forwardToLeader({ type: 'txn_forward', origin: from, msg: m })) return;
    const answer = (decision: Decision) => this.ctx.send(from, { type: 'txn_outcome', txn: m.txn, decision } satisfies TxnMsg);
    const d = this.outcome(m.txn);
    if (d === 'pending') return;
    if (d !== undefined) return answer(d);
    this.ctx.metrics.count('presumed_aborts');
    this.presumeAbort(m.txn, answer);
  }

  private shardNode(shard: number): NodeId {
    const replicas = this.config.shards[shard];
    return replicas[this.shardLeader[shard] % replicas.length];
  }

  private nextShardNode(shard: number): void {
    this.shardLeader[shard] = (this.shardLeader[shard] + 1) % this.config.shards[shard].length;
  }

  private learnShardLeader(shard: number, leader: NodeId): void {
    const i = this.config.shards[shard]?.indexOf(leader) ?? -1;
    if (i >= 0) this.shardLeader[shard] = i;
  }
}

/**
 * The naive coordinator: alone, its decisions on its own disk. Correct, and blocking: while it is
 * down, nobody can tell the shards it prepared what it decided.
 */
class SingleNodeCoordinator extends Coordinator {
  private readonly log: DecisionLog;
  private epoch = 0;
  private seq = 0;
  /** Decisions known here: commits from the log and this incarnation, aborts of this incarnation. */
  private readonly decisions = new Map<string, Decision>();
  private ready = false;
  /** The decision log cannot be read: serve nothing rather than answer from a partial history. */
  private broken: string | undefined;

  constructor(ctx: Context, config: TwoPhaseCommitConfig) {
    super(ctx, config);
    this.log = new DecisionLog(ctx.disk, (event, fields) => ctx.log(event, fields));
  }

  start(): void {
    let restored;
    try {
      restored = this.log.restore();
    } catch (e) {
      this.broken = (e as Error).message;
      this.ctx.log('decision_log_refused', { error: this.broken });
      return;
    }
    this.epoch = restored.epoch;
    for (const txn of restored.commits.keys()) this.decisions.set(txn, 'commit');
    // Transactions start only once this incarnation's number is durable: ids are never reused.
    this.ctx.disk.fsync(epochFile, () => {
      this.ready = true;
      for (const [txn, parts] of restored.commits) {
        if (restored.ended.has(txn)) continue;
        // Decided before the crash, maybe never delivered: deliver it now.
        const c: Coordinating = { txn, parts, phase: 'delivering', votes: new Set(), acked: new Set(), decision: 'commit', startedMs: this.ctx.now() };
        this.inflight.set(txn, c);
        this.ctx.metrics.count('txns_recovered');
        this.deliver(c);
      }
    });
  }

  describe(): { role: string } {
    return { role: 'coordinator' };
  }

  protected admit(client: NodeId, req: ClientRequest, _forwarded: boolean): boolean {
    if (this.ready) return true;
    this.ctx.send(client, clientReply(req, 'fail', undefined, this.broken ?? 'the coordinator is starting'));
    return false;
  }

  protected newTxnId(): string {
    return `${this.ctx.id}.${this.epoch}.${++this.seq}`;
  }

  protected askWhom(): string[] {
    return [this.ctx.id];
  }

  protected recordBegin(_c: Coordinating, done: (ok: boolean) => void): void {
    // Presumed abort: nothing to write before the prepares; a crash now means abort.
    done(true);
  }

  protected recordDecision(c: Coordinating, decision: Decision, _reason: string | undefined, done: (d: Decision | undefined) => void): void {
    if (decision === 'abort') {
      this.decisions.set(c.txn, 'abort');
      return done('abort');
    }
    // The commit point: durable on this one disk before any participant hears it.
    this.log.commit(c.txn, c.parts, () => {
      this.decisions.set(c.txn, 'commit');
      done('commit');
    });
  }

  protected recordEnd(txn: string): void {
    this.log.end(txn);
  }

  protected outcome(txn: string): Decision | 'pending' | undefined {
    if (!this.ready) return 'pending';
    const d = this.decisions.get(txn);
    if (d !== undefined) return d;
    // Still collecting votes or writing the decision: the shard will ask again.
    return this.inflight.has(txn) ? 'pending' : undefined;
  }

  protected presumeAbort(_txn: string, answer: (d: Decision) => void): void {
    // No record: it was never decided commit here, and this incarnation cannot decide it (ids are per epoch).
    answer('abort');
  }

  protected other(): void {}
}

/**
 * The fixed coordinator: a Raft group of coordinator nodes whose leader coordinates, every record
 * and decision in the group's log first. A new leader finishes what the old one left.
 */
class RaftCoordinator extends Coordinator {
  private readonly records = new TxnRecordMachine();
  private readonly group: RaftHost<RecordCommand, RecordResult>;
  private seq = 0;

  constructor(ctx: Context, config: TwoPhaseCommitConfig) {
    super(ctx, config);
    const records = this.records;
    this.group = new RaftHost(ctx, { apply: (c) => records.apply(c), snapshot: () => records.snapshot(), restore: (d) => records.restore(d as RecordsSnapshot) }, groupOptions(config, config.coordinators));
    this.group.onLeaderReady = () => this.takeOver();
    // What was in flight is the next leader's to finish; its clients hear nothing (their outcome is unknown).
    this.group.onLeadershipLost = () => this.inflight.clear();
  }

  start(): void {
    this.group.start();
  }

  describe(): { role: string } {
    return { role: this.group.isLeader ? 'leader' : 'coordinator' };
  }

  protected other(from: NodeId, msg: unknown): void {
    if (isRaftMessage(msg)) this.group.step(from, msg);
  }

  protected override forwardToLeader(msg: TxnMsg): boolean {
    if (this.group.isLeader) return false;
    const leader = this.group.leader;
    if (leader !== undefined && leader !== this.ctx.id) this.ctx.send(leader, msg);
    // A follower never answers itself: its records may lag the leader's.
    return true;
  }

  protected admit(client: NodeId, req: ClientRequest, forwarded: boolean): boolean {
    if (this.group.leaderReady) return true;
    const leader = this.group.leader;
    if (!this.group.isLeader && leader !== undefined && leader !== this.ctx.id && !forwarded) {
      this.ctx.send(leader, { type: 'txn_client_forward', client, req } satisfies TxnMsg);
      return false;
    }
    this.ctx.send(client, clientReply(req, 'fail', undefined, this.group.isLeader ? 'the new leader is catching up' : 'no coordinator leader'));
    return false;
  }

  protected newTxnId(): string {
    // A (node, term) pair leads once: ids never repeat, across leaders and restarts.
    return `${this.ctx.id}.${this.group.raft.term}.${++this.seq}`;
  }

  protected askWhom(): string[] {
    return [this.ctx.id, ...this.config.coordinators.filter((id) => id !== this.ctx.id)];
  }

  /**
   * The record is proposed and the prepares go out at once, without waiting for it to commit (as
   * CockroachDB writes intents before its record is durable): the decision is proposed after it by
   * the same leader, so it cannot commit without it. If this leader dies first, the next one does not
   * know the transaction, and the shards' questions get a presumed abort through the log.
   */
  protected recordBegin(c: Coordinating, done: (ok: boolean) => void): void {
    done(this.group.propose({ kind: 'begin', txn: c.txn, parts: c.parts }));
  }

  protected recordDecision(c: Coordinating, decision: Decision, reason: string | undefined, done: (d: Decision | undefined) => void): void {
    const cmd: RecordCommand = reason === undefined ? { kind: 'decide', txn: c.txn, decision } : { kind: 'decide', txn: c.txn, decision, reason };
    const proposed = this.group.propose(cmd, (r) => done(r === undefined || r.status === 'pending' ? undefined : r.status === 'committed' ? 'commit' : 'abort'));
    if (!proposed) done(undefined);
  }

  protected recordEnd(txn: string): void {
    this.group.propose({ kind: 'end', txn });
  }

  protected outcome(txn: string): Decision | 'pending' | undefined {
    if (!this.group.leaderReady) return 'pending';
    const r = this.records.get(txn);
    if (r === undefined) return undefined;
    if (r.status === 'pending') return 'pending';
    return r.status === 'committed' ? 'commit' : 'abort';
  }

  protected presumeAbort(txn: string, answer: (d: Decision) => void): void {
    // Through the log: if an older leader's commit of it is there after all, the first decision wins.
    this.group.propose({ kind: 'decide', txn, decision: 'abort', reason: 'presumed abort: no record' }, (r) => {
      if (r !== undefined && r.status !== 'pending') answer(r.status === 'committed' ? 'commit' : 'abort');
    });
  }

  /** A new leader with every committed record applied: abort what is pending, deliver what is decided. */
  private takeOver(): void {
    for (const r of this.records.unfinished()) {
      if (this.inflight.has(r.txn)) continue;
      const c: Coordinating = { txn: r.txn, parts: r.parts, phase: 'deciding', votes: new Set(), acked: new Set(), startedMs: this.ctx.now() };
      this.inflight.set(r.txn, c);
      this.ctx.metrics.count('txns_recovered');
      if (r.status === 'pending') {
        // Its coordinator is gone and its votes with it: abort it (a pending record is never committed by anyone else).
        this.decide(c, 'abort', 'its coordinator failed; aborted by the next leader');
      } else {
        c.decision = r.status === 'committed' ? 'commit' : 'abort';
        if (r.reason !== undefined) c.reason = r.reason;
        this.deliver(c);
      }
    }
  }
}

/** A node the configuration gives no role, or a configuration this node cannot run: it says why to every client. */
class Bystander implements Process {
  constructor(
    private readonly ctx: Context,
    private readonly why: string,
  ) {}
  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) this.ctx.send(from, clientReply(msg, 'fail', undefined, this.why));
  }
}

export const twoPhaseCommit = (ctx: Context, config: TwoPhaseCommitConfig): Process => {
  // The config's schema cannot see the topology: a node it names that does not exist would make
  // every transaction time out in silence, so every node refuses to serve and says which.
  const exists = new Set([ctx.id, ...ctx.peers]);
  const missing = [...config.coordinators.map((id, i) => [`coordinators[${i}]`, id]), ...config.shards.flatMap((s, si) => s.map((id, i) => [`shards[${si}][${i}]`, id]))].filter(([, id]) => !exists.has(id));
  if (missing.length > 0) {
    const why = `system.config.${missing[0][0]}: node ${missing[0][1]} is not in the topology`;
    ctx.log('misconfigured', { why });
    return new Bystander(ctx, why);
  }
  const shard = config.shards.findIndex((s) => s.includes(ctx.id));
  if (shard >= 0) return new ShardReplica(ctx, config, shard);
  if (config.coordinators.includes(ctx.id)) return config.coordination === 'raft' ? new RaftCoordinator(ctx, config) : new SingleNodeCoordinator(ctx, config);
  return new Bystander(ctx, `${ctx.id} is neither a coordinator nor a shard replica`);
};
