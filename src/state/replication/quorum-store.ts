/**
 * A Dynamo-style quorum store (DeCandia et al. 2007): every key has a preference list,
 * the first `n` distinct nodes clockwise on a consistent-hashing ring. Any node coordinates a
 * client's request: a write goes to all n replicas stamped with the coordinator's hybrid logical
 * clock and succeeds once `w` have acknowledged; a read asks all n and answers with the newest of
 * the first `r` replies. An operation may bring its own level (ONE, QUORUM, ALL or a number), as
 * Cassandra clients do per query. With `readRepair`, replicas that answered an older version get
 * the newest.
 *
 * W + R > N makes every read quorum overlap every acknowledged write's quorum: a read that starts
 * after a write was acknowledged sees it (or something newer). W + R <= N does not: a read may ask
 * only replicas the write has not reached yet. A write that gets fewer than w acknowledgements in
 * `timeoutMs` answers info: some replicas may have it.
 *
 * Deletes write tombstones (kept `tombstoneGraceMs`, so that the delete beats older copies still
 * on other replicas). With `antiEntropyMs`, each node compares a Merkle tree of the keys it shares
 * with one peer at a time and the two exchange only the buckets that differ: replicas converge even
 * for keys nobody reads again.
 *
 * With `sloppyQuorum`, a replica silent after hintAfterMs is stood in for by the next node on the
 * ring, which keeps a hint; with `handoffMs` it hands the hint to its owner once it answers (hinted
 * handoff). Sloppy quorums without handoff stay available and lose acknowledged writes from the
 * replicas that should hold them.
 *
 * Not yet here: sibling values by version vector.
 */
import { z } from 'zod';
import type { Context, Description, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientRequest, type ClientRequest } from '../../runtime/client-protocol.js';
import { ConsistentHash } from '../../work/index.js';
import { HybridLogicalClock, compareHlc, type HlcTimestamp } from '../causality/hlc.js';
import { MerkleTree } from '../antientropy/merkle.js';

/** A consistency level: a number of replicas, or ONE, QUORUM (a majority of n) or ALL. */
const level = z.union([z.number().int().positive(), z.enum(['ONE', 'QUORUM', 'ALL'])]);
type Level = z.infer<typeof level>;

export function resolveLevel(l: Level, n: number): number {
  return l === 'ONE' ? 1 : l === 'QUORUM' ? Math.floor(n / 2) + 1 : l === 'ALL' ? n : l;
}

export const quorumStoreConfigSchema = z
  .object({
    n: z.number().int().positive().default(3),
    r: level.default('QUORUM'),
    w: level.default('QUORUM'),
    vnodes: z.number().int().positive().default(50),
    timeoutMs: z.number().positive().default(500),
    readRepair: z.boolean().default(true),
    /** Compare Merkle trees with one peer, round robin, this often (none: no anti-entropy). */
    antiEntropyMs: z.number().positive().optional(),
    /**
     * Sloppy quorum: a replica that has not acknowledged a write after hintAfterMs is stood in for by
     * the next node on the ring, which keeps the write as a hint for it (and its acknowledgement counts).
     */
    sloppyQuorum: z.boolean().default(false),
    hintAfterMs: z.number().positive().default(100),
    /** Hinted handoff: a node holding hints tries to deliver them this often (none: hints stay where they are). */
    handoffMs: z.number().positive().optional(),
    /** A delete's tombstone is kept this long (by its timestamp), then dropped. */
    tombstoneGraceMs: z.number().positive().default(60_000),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (resolveLevel(c.r, c.n) > c.n) ctx.addIssue({ code: 'custom', path: ['r'], message: `at most n (${c.n}): a read cannot wait for more replicas than there are` });
    if (resolveLevel(c.w, c.n) > c.n) ctx.addIssue({ code: 'custom', path: ['w'], message: `at most n (${c.n}): a write cannot wait for more replicas than there are` });
  });
export type QuorumStoreConfig = z.infer<typeof quorumStoreConfigSchema>;

interface Versioned {
  value: unknown;
  ts: HlcTimestamp;
  /** A delete: reads see nothing; kept (a tombstone) so that the delete wins over older copies. */
  deleted?: true;
}

type Msg =
  | { type: 'put'; op: number; key: string; v: Versioned; hintFor?: NodeId }
  | { type: 'put_ack'; op: number }
  | { type: 'handoff'; key: string; v: Versioned }
  | { type: 'handoff_ack'; key: string; v: Versioned }
  | { type: 'get'; op: number; key: string }
  | { type: 'get_reply'; op: number; v: Versioned | null }
  | { type: 'ae_tree'; levels: number[][] }
  | { type: 'ae_pull'; buckets: number[]; entries: [string, Versioned][] }
  | { type: 'ae_push'; entries: [string, Versioned][] };

/** Buckets of the anti-entropy trees: 2^depth leaves. */
const treeDepth = 6;

interface Pending {
  client: NodeId;
  req: ClientRequest;
  key: string;
  replicas: NodeId[];
  /** Acknowledgements (writes) or replies (reads) this operation waits for. */
  need: number;
  acks: number;
  /** Nodes that acknowledged (replicas, or stand-ins for them). */
  acked: Set<NodeId>;
  /** Stand-ins asked so far, so that each is asked once. */
  standIns: Set<NodeId>;
  replies: Map<NodeId, Versioned | null>;
  answered: boolean;
  timer: number;
  written?: Versioned;
}

/** A version as text: its timestamp, and whether it is a tombstone. */
const versionOf = (v: Versioned) => `${v.ts.l}/${v.ts.c}${v.deleted ? '/deleted' : ''}`;

const newer = (a: Versioned | null, b: Versioned | null): boolean => a !== null && (b === null || compareHlc(a.ts, b.ts) > 0);

export class QuorumStore implements Process {
  private readonly data = new Map<string, Versioned>();
  private readonly ring: ConsistentHash;
  private readonly hlc: HybridLogicalClock;
  private opNext = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly r: number;
  private readonly w: number;
  private aePeer = 0;

  constructor(
    private readonly ctx: Context,
    private readonly config: QuorumStoreConfig,
  ) {
    this.ring = new ConsistentHash([...ctx.peers, ctx.id].sort(), config.vnodes);
    this.hlc = new HybridLogicalClock(() => ctx.now());
    this.r = resolveLevel(config.r, config.n);
    this.w = resolveLevel(config.w, config.n);
  }

  start(): void {
    const h = this.config.handoffMs;
    if (h !== undefined) {
      const tick = () => {
        this.handoff();
        this.ctx.setTimer(h, tick);
      };
      this.ctx.setTimer(h, tick);
    }
    const every = this.config.antiEntropyMs;
    if (every === undefined) return;
    const round = () => {
      this.antiEntropy();
      this.ctx.setTimer(every, round);
    };
    this.ctx.setTimer(every * (0.5 + this.ctx.random()), round);
  }

  // ---- anti-entropy ----

  /** The keys this node holds that `peer` should hold too (both in the key's preference list). */
  private shared(peer: NodeId): [string, Versioned][] {
    const out: [string, Versioned][] = [];
    for (const [k, v] of this.data) {
      const pref = this.ring.preferenceList(k, this.config.n);
      if (pref.includes(peer) && pref.includes(this.ctx.id)) out.push([k, v]);
    }
    return out;
  }

  private tree(entries: [string, Versioned][]): MerkleTree {
    return MerkleTree.build(entries.map(([k, v]) => [k, versionOf(v)]), treeDepth);
  }

  /** Send our tree for what we share with the next peer; drop tombstones past their grace. */
  private antiEntropy(): void {
    const now = this.ctx.now();
    for (const [k, v] of [...this.data]) {
      if (!v.deleted || now - v.ts.l <= this.config.tombstoneGraceMs) continue;
      this.data.delete(k);
    }
    const peers = [...this.ctx.peers].sort();
    const peer = peers[this.aePeer++ % peers.length];
    this.ctx.metrics.count('anti_entropy_rounds');
    this.ctx.send(peer, { type: 'ae_tree', levels: this.tree(this.shared(peer)).levels.map((l) => [...l]) } satisfies Msg);
  }

  /** A peer's tree: send it our entries in the buckets that differ, and ask for theirs. */
  private onTree(from: NodeId, levels: number[][]): void {
    const mine = this.shared(from);
    const theirs = MerkleTree.fromLevels(levels);
    const buckets = this.tree(mine).diff(theirs);
    this.ctx.metrics.gauge(`divergent_buckets_${this.ctx.id}`, buckets.length);
    if (buckets.length === 0) return;
    const wanted = new Set(buckets);
    this.ctx.send(from, { type: 'ae_pull', buckets, entries: mine.filter(([k]) => wanted.has(MerkleTree.bucketOf(k, treeDepth))) } satisfies Msg);
  }

  private onPull(from: NodeId, buckets: number[], entries: [string, Versioned][]): void {
    this.absorb(entries);
    const wanted = new Set(buckets);
    this.ctx.send(from, { type: 'ae_push', entries: this.shared(from).filter(([k]) => wanted.has(MerkleTree.bucketOf(k, treeDepth))) } satisfies Msg);
  }

  private absorb(entries: [string, Versioned][]): void {
    for (const [k, v] of entries) {
      if (!newer(v, this.data.get(k) ?? null)) continue;
      this.store(k, v);
      this.ctx.metrics.count('anti_entropy_repairs');
    }
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.coordinate(from, msg);
    const m = msg as Msg;
    switch (m.type) {
      case 'put':
        if (m.hintFor !== undefined) this.keepHint(m.hintFor, m.key, m.v);
        else this.store(m.key, m.v);
        return this.ctx.send(from, { type: 'put_ack', op: m.op } satisfies Msg);
      case 'handoff':
        this.store(m.key, m.v);
        return this.ctx.send(from, { type: 'handoff_ack', key: m.key, v: m.v } satisfies Msg);
      case 'handoff_ack':
        return this.onHandoffAck(from, m.key, m.v);
      case 'get':
        return this.ctx.send(from, { type: 'get_reply', op: m.op, v: this.data.get(m.key) ?? null } satisfies Msg);
      case 'put_ack':
        return this.onAck(m.op, from);
      case 'get_reply':
        return this.onReply(m.op, from, m.v);
      case 'ae_tree':
        return this.onTree(from, m.levels);
      case 'ae_pull':
        return this.onPull(from, m.buckets, m.entries);
      case 'ae_push':
        return this.absorb(m.entries);
    }
  }

  /** Keep a version if it is newer than the one held (last write wins by HLC). */
  private store(key: string, v: Versioned): void {
    this.hlc.receive(v.ts);
    if (!newer(v, this.data.get(key) ?? null)) return;
    this.data.set(key, v);
  }

  /** Every key held, its version, and the nodes meant to hold it (for end-of-run checks). */
  describe(): Description {
    const replicas: NonNullable<Description['replicas']> = {};
    for (const [k, v] of this.data) replicas[k] = { version: versionOf(v), holders: this.ring.preferenceList(k, this.config.n) };
    return { role: 'replica', replicas };
  }

  private coordinate(client: NodeId, req: ClientRequest): void {
    const key = req.op.key ?? '';
    const replicas = this.ring.preferenceList(key, this.config.n);
    if (req.op.f !== 'write' && req.op.f !== 'read' && req.op.f !== 'delete') return this.ctx.send(client, clientReply(req, 'fail', undefined, `unsupported operation ${req.op.f}`));
    // The operation's own consistency level, if it brings one; the store's otherwise.
    const need = req.op.consistency !== undefined ? resolveLevel(req.op.consistency, this.config.n) : req.op.f === 'read' ? this.r : this.w;
    if (need > this.config.n) return this.ctx.send(client, clientReply(req, 'fail', undefined, `consistency ${req.op.consistency} needs ${need} replicas, n is ${this.config.n}`));
    const op = this.opNext++;
    const p: Pending = { client, req, key, replicas, need, acks: 0, acked: new Set(), standIns: new Set(), replies: new Map(), answered: false, timer: 0 };
    p.timer = this.ctx.setTimer(this.config.timeoutMs, () => this.expire(op));
    this.pending.set(op, p);
    if (req.op.f !== 'read') {
      const v: Versioned = req.op.f === 'delete' ? { value: null, ts: this.hlc.now(), deleted: true } : { value: req.op.value, ts: this.hlc.now() };
      p.written = v;
      for (const r of replicas) {
        if (r === this.ctx.id) {
          this.store(key, v);
          this.onAck(op, r);
        } else this.ctx.send(r, { type: 'put', op, key, v } satisfies Msg);
      }
      if (this.config.sloppyQuorum) this.ctx.setTimer(this.config.hintAfterMs, () => this.standIn(op, v));
    } else {
      for (const r of replicas) {
        if (r === this.ctx.id) this.onReply(op, r, this.data.get(key) ?? null);
        else this.ctx.send(r, { type: 'get', op, key } satisfies Msg);
      }
    }
  }

  /** Sloppy quorum: the next nodes on the ring take a hinted copy for each replica still silent. */
  private standIn(op: number, v: Versioned): void {
    const p = this.pending.get(op);
    if (p === undefined) return;
    const silent = p.replicas.filter((r) => !p.acked.has(r));
    const ring = this.ring.preferenceList(p.key, this.ring.backends.length);
    const candidates = ring.filter((n) => !p.replicas.includes(n) && !p.standIns.has(n) && n !== this.ctx.id);
    for (const [i, replica] of silent.entries()) {
      const node = candidates[i];
      if (node === undefined) break;
      p.standIns.add(node);
      this.ctx.metrics.count('hinted_writes');
      this.ctx.send(node, { type: 'put', op, key: p.key, v, hintFor: replica } satisfies Msg);
    }
  }

  // ---- hints ----

  private readonly hints = new Map<NodeId, Map<string, Versioned>>();

  private keepHint(forNode: NodeId, key: string, v: Versioned): void {
    this.hlc.receive(v.ts);
    let m = this.hints.get(forNode);
    if (m === undefined) this.hints.set(forNode, (m = new Map()));
    if (newer(v, m.get(key) ?? null)) m.set(key, v);
  }

  private handoff(): void {
    for (const [node, m] of this.hints) for (const [key, v] of m) this.ctx.send(node, { type: 'handoff', key, v } satisfies Msg);
  }

  private onHandoffAck(from: NodeId, key: string, v: Versioned): void {
    const m = this.hints.get(from);
    const held = m?.get(key);
    if (held === undefined || compareHlc(held.ts, v.ts) !== 0) return;
    m!.delete(key);
    if (m!.size === 0) this.hints.delete(from);
    this.ctx.metrics.count('hints_delivered');
  }

  private onAck(op: number, from: NodeId): void {
    const p = this.pending.get(op);
    if (p === undefined || p.acked.has(from)) return;
    p.acked.add(from);
    p.acks++;
    if (!p.answered && p.acks >= p.need) {
      p.answered = true;
      this.ctx.send(p.client, clientReply(p.req, 'ok'));
    }
    if (p.acks === p.replicas.length + p.standIns.size) this.done(op, p);
  }

  private onReply(op: number, from: NodeId, v: Versioned | null): void {
    const p = this.pending.get(op);
    if (p === undefined) return;
    p.replies.set(from, v);
    if (!p.answered && p.replies.size >= p.need) {
      p.answered = true;
      const best = this.newest(p);
      this.ctx.send(p.client, clientReply(p.req, 'ok', best === null || best.deleted ? null : best.value));
    }
    if (p.replies.size === p.replicas.length) this.done(op, p);
  }

  private newest(p: Pending): Versioned | null {
    let best: Versioned | null = null;
    for (const v of p.replies.values()) if (newer(v, best)) best = v;
    return best;
  }

  /** Everyone answered (or time is up): repair stale replicas and forget the request. */
  private done(op: number, p: Pending): void {
    this.ctx.clearTimer(p.timer);
    this.pending.delete(op);
    if (p.req.op.f !== 'read' || !this.config.readRepair) return;
    const best = this.newest(p);
    if (best === null) return;
    for (const [node, v] of p.replies) {
      if (!newer(best, v)) continue;
      this.ctx.metrics.count('read_repairs');
      if (node === this.ctx.id) this.store(p.key, best);
      else this.ctx.send(node, { type: 'put', op: 0, key: p.key, v: best } satisfies Msg);
    }
  }

  private expire(op: number): void {
    const p = this.pending.get(op);
    if (p === undefined) return;
    // Too few answers: a write may still be on some replicas (unknown); a read saw too little.
    if (!p.answered) this.ctx.send(p.client, p.req.op.f === 'read' ? clientReply(p.req, 'fail', undefined, `${p.replies.size} of ${p.need} replies`) : clientReply(p.req, 'info', undefined, `${p.acks} of ${p.need} acknowledgements`));
    p.answered = true;
    this.done(op, p);
  }
}

export const quorumStore = (ctx: Context, config: QuorumStoreConfig): Process => new QuorumStore(ctx, config);
