/**
 * The commit-wait story as a system (Corbett et al., "Spanner", OSDI 2012, §4.1.2 and §4.2.1):
 * shards, each with a leader node, take read-write transactions with two-phase commit; the
 * coordinator (the leader of one of the transaction's shards) gives each transaction a commit
 * timestamp s = max(prepare timestamps, TT.now().latest, anything it assigned before) and, with commit
 * wait, acknowledges it (and lets the shards apply it and release its locks) only once TT.after(s):
 * once s has certainly passed on every clock within the bound.
 *
 * That buys external consistency (§4.1.2): if T2 starts after T1 was acknowledged, s1 < s2, even when
 * the two share no shard and their coordinators' clocks disagree. The proof is two lines: T1's
 * acknowledgement waited until s1 < true time, and T2's timestamp is at least TT.now().latest >= true
 * time at a later instant. Without the wait, a coordinator whose clock runs ahead stamps T1 in the
 * future, and a causally later T2 coordinated by a clock that runs behind can be stamped before it.
 * The wait costs about 2 epsilon per transaction (s is taken at latest and the wait ends at earliest),
 * and locks are held that much longer, which is what hot keys pay. In Spanner the wait overlaps the
 * Paxos write of the commit record; leaders here are single nodes, so all of it shows.
 *
 * Roles by node name: each node in `shards` leads that shard; `app` is an application server that
 * turns each client job into a causal pair: T1 (the `first` shards, at its coordinator), and once T1
 * is acknowledged, T2 (the `second` shards, at its coordinator). It counts the pairs whose timestamps
 * are inverted (s2 <= s1): the violations of external consistency a snapshot read at s2 would show as
 * T2's write without T1's.
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientRequest, type ClientRequest } from '../../runtime/client-protocol.js';
import { ShardParticipant, invariant, timestampStepMs, type Prepared, type TxnWrite } from '../../truth/time/participant.js';
import { TrueTime } from '../../truth/time/true-time.js';

const txnSpecSchema = z
  .object({
    /** The node that coordinates the transaction: the leader of one of its shards. */
    coordinator: nodeRef(),
    /** The shards it writes one key of each. */
    shards: z.array(z.string()).min(1),
  })
  .strict();

export const commitWaitConfigSchema = z
  .object({
    /** Shard name -> the node that leads it (one shard per node). */
    shards: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'a shard name of letters, digits, _ . -'), nodeRef({ reserved: 'a shard leader; clients talk to the app server' })),
    /** The application server that runs the causal pairs. */
    app: nodeRef(),
    /** T1 of each pair ... */
    first: txnSpecSchema,
    /** ... and T2, started once T1 was acknowledged. */
    second: txnSpecSchema,
    /** TrueTime's bound on each clock's error (ms). */
    epsilonMs: z.number().nonnegative(),
    /** TrueTime's bound on each clock's drift (ppm): the uncertainty grows by it from the start. */
    driftBoundPpm: z.number().nonnegative().default(0),
    /** Wait until TT.after(s) before acknowledging; false is the naive design. */
    commitWait: z.boolean().default(true),
    /** Keys per shard the transactions pick from (fewer: more lock conflicts). */
    keysPerShard: z.number().int().positive().default(1000),
    /** The app gives a job up (outcome unknown) when a pair takes longer than this. */
    pairTimeoutMs: z.number().positive().default(5000),
  })
  .strict()
  .superRefine((c, ctx) => {
    const leaders = Object.values(c.shards);
    if (leaders.length === 0) ctx.addIssue({ code: 'custom', path: ['shards'], message: 'at least one shard, e.g. { us: n1, eu: n2 }' });
    const seen = new Set<string>();
    for (const [shard, node] of Object.entries(c.shards)) {
      if (seen.has(node)) ctx.addIssue({ code: 'custom', path: ['shards', shard], message: `a node that leads no other shard (${node} already does)` });
      seen.add(node);
    }
    if (seen.has(c.app)) ctx.addIssue({ code: 'custom', path: ['app'], message: `a node that leads no shard (${c.app} does)` });
    for (const which of ['first', 'second'] as const) {
      const t = c[which];
      t.shards.forEach((s, i) => {
        if (c.shards[s] === undefined) ctx.addIssue({ code: 'custom', path: [which, 'shards', i], message: `a shard of shards (${Object.keys(c.shards).join(', ')}), got "${s}"` });
      });
      if (new Set(t.shards).size !== t.shards.length) ctx.addIssue({ code: 'custom', path: [which, 'shards'], message: 'distinct shards' });
      if (!t.shards.some((s) => c.shards[s] === t.coordinator)) ctx.addIssue({ code: 'custom', path: [which, 'coordinator'], message: `the leader of one of its shards (${t.shards.map((s) => c.shards[s] ?? '?').join(', ')}), got "${t.coordinator}"` });
    }
  });
export type CommitWaitConfig = z.infer<typeof commitWaitConfigSchema>;

type Msg =
  | { type: 'cw_txn'; id: number; writes: TxnWrite[] }
  | { type: 'cw_done'; id: number; ok: boolean; ts?: number; error?: string }
  | { type: 'cw_prepare'; txn: string; writes: TxnWrite[] }
  | { type: 'cw_prepared'; txn: string; prepareTs: number }
  | { type: 'cw_commit'; txn: string; ts: number };

const isMsg = (m: unknown): m is Msg => typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string' && (m as { type: string }).type.startsWith('cw_');

/** The shard a key belongs to: the part before its first '/'. */
export const shardOf = (key: string): string => key.slice(0, Math.max(0, key.indexOf('/')));

interface Coordinated {
  client: NodeId;
  clientId: number;
  /** Shards in locking order, each with its writes. */
  order: string[];
  writes: Map<string, TxnWrite[]>;
  next: number;
  maxPrepareTs: number;
  startedMs: number;
}

/** A shard leader: participant of its shard, coordinator of the transactions sent to it. */
export class ShardLeader implements Process {
  readonly participant = new ShardParticipant();
  readonly tt: TrueTime;
  private readonly shard: string;
  /** Transactions this node coordinates. */
  private readonly coordinating = new Map<string, Coordinated>();
  /** Who coordinates each transaction waiting for or holding locks here. */
  private readonly coordinatorOf = new Map<string, NodeId>();
  /** When each transaction got its locks here (local clock), for the lock hold time. */
  private readonly preparedAtMs = new Map<string, number>();

  constructor(
    private readonly ctx: Context,
    private readonly config: CommitWaitConfig,
  ) {
    this.shard = Object.entries(config.shards).find(([, n]) => n === ctx.id)![0];
    this.tt = new TrueTime(() => ctx.now(), { epsilonMs: config.epsilonMs, driftBoundPpm: config.driftBoundPpm });
  }

  describe(): { role: string } {
    return { role: 'leader' };
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.ctx.send(from, clientReply(msg, 'fail', undefined, `clients talk to the app server ${this.config.app}`));
    if (!isMsg(msg)) return;
    switch (msg.type) {
      case 'cw_txn':
        return this.begin(from, msg.id, msg.writes);
      case 'cw_prepare': {
        this.coordinatorOf.set(msg.txn, from);
        const p = this.participant.prepare(msg.txn, msg.writes, this.tt.now().latest);
        if (p !== undefined) this.granted([p]);
        return;
      }
      case 'cw_prepared':
        return this.onPrepared(msg.txn, msg.prepareTs);
      case 'cw_commit':
        return this.applyCommit(msg.txn, msg.ts);
      default:
        return;
    }
  }

  private begin(client: NodeId, clientId: number, writes: TxnWrite[]): void {
    const txn = `${client}/${clientId}`;
    const byShard = new Map<string, TxnWrite[]>();
    for (const w of writes) {
      const s = shardOf(w.key);
      if (this.config.shards[s] === undefined) return this.ctx.send(client, { type: 'cw_done', id: clientId, ok: false, error: `no shard for key ${w.key}` } satisfies Msg);
      byShard.set(s, [...(byShard.get(s) ?? []), w]);
    }
    if (!byShard.has(this.shard)) return this.ctx.send(client, { type: 'cw_done', id: clientId, ok: false, error: `${this.ctx.id} leads none of the shards written` } satisfies Msg);
    // Shards are locked in name order, one after another: no two transactions wait for each other.
    const order = [...byShard.keys()].sort();
    this.coordinating.set(txn, { client, clientId, order, writes: byShard, next: 0, maxPrepareTs: -Infinity, startedMs: this.ctx.now() });
    this.prepareNext(txn);
  }

  private prepareNext(txn: string): void {
    const c = this.coordinating.get(txn)!;
    const shard = c.order[c.next];
    const writes = c.writes.get(shard)!;
    if (shard !== this.shard) return this.ctx.send(this.config.shards[shard], { type: 'cw_prepare', txn, writes } satisfies Msg);
    this.coordinatorOf.set(txn, this.ctx.id);
    const p = this.participant.prepare(txn, writes, this.tt.now().latest);
    if (p !== undefined) this.granted([p]);
  }

  /** Transactions that got their locks here: tell their coordinators (or go on, for our own). */
  private granted(list: Prepared[]): void {
    for (const p of list) {
      this.preparedAtMs.set(p.txn, this.ctx.now());
      const coordinator = this.coordinatorOf.get(p.txn)!;
      if (coordinator === this.ctx.id) this.onPrepared(p.txn, p.prepareTs);
      else this.ctx.send(coordinator, { type: 'cw_prepared', txn: p.txn, prepareTs: p.prepareTs } satisfies Msg);
    }
  }

  private onPrepared(txn: string, prepareTs: number): void {
    const c = this.coordinating.get(txn);
    if (c === undefined) return;
    c.maxPrepareTs = Math.max(c.maxPrepareTs, prepareTs);
    c.next++;
    if (c.next < c.order.length) return this.prepareNext(txn);
    this.decide(txn, c);
  }

  /** §4.2.1: s >= every prepare timestamp, >= TT.now().latest now, > anything this leader assigned. */
  private decide(txn: string, c: Coordinated): void {
    const nowLocal = this.ctx.now();
    const s = Math.max(c.maxPrepareTs, this.tt.now().latest, this.participant.lastTs + timestampStepMs);
    this.participant.assigned(s);
    this.ctx.metrics.observe('epsilon_ms', this.tt.epsilonAt(nowLocal));
    if (!this.config.commitWait) return this.finish(txn, c, s, nowLocal);
    const wait = () => {
      // Commit wait: nobody may see T before s has certainly passed.
      if (!this.tt.after(s)) return void this.ctx.setTimer(this.tt.waitUntilAfterMs(s), wait);
      this.finish(txn, c, s, nowLocal);
    };
    wait();
  }

  private finish(txn: string, c: Coordinated, s: number, decidedMs: number): void {
    this.coordinating.delete(txn);
    this.ctx.metrics.observe('commit_wait_ms', this.ctx.now() - decidedMs);
    this.ctx.metrics.observe('txn_commit_ms', this.ctx.now() - c.startedMs);
    this.ctx.metrics.count('txns_committed');
    for (const shard of c.order) if (shard !== this.shard) this.ctx.send(this.config.shards[shard], { type: 'cw_commit', txn, ts: s } satisfies Msg);
    this.ctx.send(c.client, { type: 'cw_done', id: c.clientId, ok: true, ts: s } satisfies Msg);
    this.applyCommit(txn, s);
  }

  private applyCommit(txn: string, ts: number): void {
    const at = this.preparedAtMs.get(txn);
    if (at !== undefined) this.ctx.metrics.observe('lock_hold_ms', this.ctx.now() - at);
    this.preparedAtMs.delete(txn);
    this.coordinatorOf.delete(txn);
    this.granted(this.participant.commit(txn, ts, this.tt.now().latest));
  }
}

interface Pair {
  client: NodeId;
  req: ClientRequest;
  timer: number;
  s1?: number;
  sentMs: number;
}

/** The application server: each job is T1, then (once T1 is acknowledged) T2, and a comparison. */
export class CommitWaitApp implements Process {
  private readonly pairs = new Map<number, Pair>();
  private txnIdNext = 1;
  /** Transaction id -> the pair it belongs to (T1 and T2 have their own ids). */
  private readonly pairOf = new Map<number, number>();
  private pairsDone = 0;
  private inversions = 0;

  constructor(
    private readonly ctx: Context,
    private readonly config: CommitWaitConfig,
  ) {}

  describe(): { role: string } {
    return { role: 'app' };
  }

  start(): void {
    for (const m of ['pairs', 'inversions']) this.ctx.metrics.count(m, 0);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) {
      if (msg.op.f !== 'job') return this.ctx.send(from, clientReply(msg, 'fail', undefined, `unsupported operation ${msg.op.f}: a job runs a causal pair`));
      const id = this.txnIdNext++;
      const timer = this.ctx.setTimer(this.config.pairTimeoutMs, () => this.giveUp(id));
      this.pairs.set(id, { client: from, req: msg, timer, sentMs: this.ctx.now() });
      this.send(id, this.config.first);
      return;
    }
    if (!isMsg(msg) || msg.type !== 'cw_done') return;
    const pairId = this.pairOf.get(msg.id);
    this.pairOf.delete(msg.id);
    const p = pairId === undefined ? undefined : this.pairs.get(pairId);
    if (p === undefined || pairId === undefined) return;
    if (!msg.ok) {
      this.finish(pairId, p);
      return this.ctx.send(p.client, clientReply(p.req, 'fail', undefined, msg.error));
    }
    this.ctx.metrics.observe('txn_latency_ms', this.ctx.now() - p.sentMs);
    if (p.s1 === undefined) {
      p.s1 = msg.ts!;
      // T1 is acknowledged: only now does T2 start, on the other coordinator.
      p.sentMs = this.ctx.now();
      return this.send(pairId, this.config.second);
    }
    const s2 = msg.ts!;
    this.pairsDone++;
    this.ctx.metrics.count('pairs');
    if (s2 <= p.s1) {
      this.inversions++;
      this.ctx.metrics.count('inversions');
      this.ctx.metrics.observe('inversion_ms', p.s1 - s2);
      this.ctx.log('inversion', { s1: p.s1, s2 });
    }
    this.ctx.metrics.gauge('inversion_rate', Number((this.inversions / this.pairsDone).toFixed(5)));
    this.finish(pairId, p);
    this.ctx.send(p.client, clientReply(p.req, 'ok', { s1: p.s1, s2 }));
  }

  private send(pairId: number, spec: CommitWaitConfig['first']): void {
    const id = this.txnIdNext++;
    this.pairOf.set(id, pairId);
    const writes = spec.shards.map((shard) => ({ key: `${shard}/k${Math.floor(this.ctx.random() * this.config.keysPerShard)}`, value: pairId }));
    invariant(writes.every((w) => this.config.shards[shardOf(w.key)] !== undefined), 'a key of an unknown shard');
    this.ctx.send(spec.coordinator, { type: 'cw_txn', id, writes } satisfies Msg);
  }

  private finish(pairId: number, p: Pair): void {
    this.ctx.clearTimer(p.timer);
    this.pairs.delete(pairId);
  }

  private giveUp(pairId: number): void {
    const p = this.pairs.get(pairId);
    if (p === undefined) return;
    this.pairs.delete(pairId);
    this.ctx.metrics.count('pairs_timed_out');
    this.ctx.send(p.client, clientReply(p.req, 'info', undefined, 'pair timed out'));
  }
}

export const commitWaitTxns = (ctx: Context, config: CommitWaitConfig): Process => {
  if (ctx.id === config.app) return new CommitWaitApp(ctx, config);
  if (Object.values(config.shards).includes(ctx.id)) return new ShardLeader(ctx, config);
  return new IdleNode(ctx, config);
};

/** A server of the topology the config gives no role: it refuses clients and says why. */
class IdleNode implements Process {
  constructor(
    private readonly ctx: Context,
    private readonly config: CommitWaitConfig,
  ) {}

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) this.ctx.send(from, clientReply(msg, 'fail', undefined, `${this.ctx.id} has no role: clients talk to the app server ${this.config.app}`));
  }
}
