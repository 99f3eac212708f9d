/**
 * A Dynamo-style quorum store (DeCandia et al. 2007), first cut: every key has a preference list,
 * the first `n` distinct nodes clockwise on a consistent-hashing ring. Any node coordinates a
 * client's request: a write goes to all n replicas stamped with the coordinator's hybrid logical
 * clock and succeeds once `w` have acknowledged; a read asks all n and answers with the newest of
 * the first `r` replies. With `readRepair`, replicas that answered an older version get the newest.
 *
 * W + R > N makes every read quorum overlap every acknowledged write's quorum: a read that starts
 * after a write was acknowledged sees it (or something newer). W + R <= N does not: a read may ask
 * only replicas the write has not reached yet. A write that gets fewer than w acknowledgements in
 * `timeoutMs` answers info: some replicas may have it.
 *
 * Not yet here (the State pillar's next steps): sloppy quorums with hinted handoff, Merkle-tree
 * anti-entropy, tombstones, and sibling values by version vector.
 */
import { z } from 'zod';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientRequest, type ClientRequest } from '../../runtime/client-protocol.js';
import { ConsistentHash } from '../../work/index.js';
import { HybridLogicalClock, compareHlc, type HlcTimestamp } from '../causality/hlc.js';

export const quorumStoreConfigSchema = z
  .object({
    n: z.number().int().positive().default(3),
    r: z.number().int().positive().default(2),
    w: z.number().int().positive().default(2),
    vnodes: z.number().int().positive().default(50),
    timeoutMs: z.number().positive().default(500),
    readRepair: z.boolean().default(true),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.r > c.n) ctx.addIssue({ code: 'custom', path: ['r'], message: `at most n (${c.n}): a read cannot wait for more replicas than there are` });
    if (c.w > c.n) ctx.addIssue({ code: 'custom', path: ['w'], message: `at most n (${c.n}): a write cannot wait for more replicas than there are` });
  });
export type QuorumStoreConfig = z.infer<typeof quorumStoreConfigSchema>;

interface Versioned {
  value: unknown;
  ts: HlcTimestamp;
}

type Msg =
  | { type: 'put'; op: number; key: string; v: Versioned }
  | { type: 'put_ack'; op: number }
  | { type: 'get'; op: number; key: string }
  | { type: 'get_reply'; op: number; v: Versioned | null };

interface Pending {
  client: NodeId;
  req: ClientRequest;
  key: string;
  replicas: NodeId[];
  acks: number;
  replies: Map<NodeId, Versioned | null>;
  answered: boolean;
  timer: number;
  written?: Versioned;
}

const newer = (a: Versioned | null, b: Versioned | null): boolean => a !== null && (b === null || compareHlc(a.ts, b.ts) > 0);

export class QuorumStore implements Process {
  private readonly data = new Map<string, Versioned>();
  private readonly ring: ConsistentHash;
  private readonly hlc: HybridLogicalClock;
  private opNext = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly ctx: Context,
    private readonly config: QuorumStoreConfig,
  ) {
    this.ring = new ConsistentHash([...ctx.peers, ctx.id].sort(), config.vnodes);
    this.hlc = new HybridLogicalClock(() => ctx.now());
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.coordinate(from, msg);
    const m = msg as Msg;
    switch (m.type) {
      case 'put':
        this.store(m.key, m.v);
        return this.ctx.send(from, { type: 'put_ack', op: m.op } satisfies Msg);
      case 'get':
        return this.ctx.send(from, { type: 'get_reply', op: m.op, v: this.data.get(m.key) ?? null } satisfies Msg);
      case 'put_ack':
        return this.onAck(m.op, from);
      case 'get_reply':
        return this.onReply(m.op, from, m.v);
    }
  }

  /** Keep a version if it is newer than the one held (last write wins by HLC). */
  private store(key: string, v: Versioned): void {
    this.hlc.receive(v.ts);
    if (newer(v, this.data.get(key) ?? null)) this.data.set(key, v);
  }

  private coordinate(client: NodeId, req: ClientRequest): void {
    const key = req.op.key ?? '';
    const replicas = this.ring.preferenceList(key, this.config.n);
    if (req.op.f !== 'write' && req.op.f !== 'read') return this.ctx.send(client, clientReply(req, 'fail', undefined, `unsupported operation ${req.op.f}`));
    const op = this.opNext++;
    const p: Pending = { client, req, key, replicas, acks: 0, replies: new Map(), answered: false, timer: 0 };
    p.timer = this.ctx.setTimer(this.config.timeoutMs, () => this.expire(op));
    this.pending.set(op, p);
    if (req.op.f === 'write') {
      const v: Versioned = { value: req.op.value, ts: this.hlc.now() };
      p.written = v;
      for (const r of replicas) {
        if (r === this.ctx.id) {
          this.store(key, v);
          this.onAck(op, r);
        } else this.ctx.send(r, { type: 'put', op, key, v } satisfies Msg);
      }
    } else {
      for (const r of replicas) {
        if (r === this.ctx.id) this.onReply(op, r, this.data.get(key) ?? null);
        else this.ctx.send(r, { type: 'get', op, key } satisfies Msg);
      }
    }
  }

  private onAck(op: number, _from: NodeId): void {
    const p = this.pending.get(op);
    if (p === undefined) return;
    p.acks++;
    if (!p.answered && p.acks >= this.config.w) {
      p.answered = true;
      this.ctx.send(p.client, clientReply(p.req, 'ok'));
    }
    if (p.acks === p.replicas.length) this.done(op, p);
  }

  private onReply(op: number, from: NodeId, v: Versioned | null): void {
    const p = this.pending.get(op);
    if (p === undefined) return;
    p.replies.set(from, v);
    if (!p.answered && p.replies.size >= this.config.r) {
      p.answered = true;
      this.ctx.send(p.client, clientReply(p.req, 'ok', this.newest(p)?.value ?? null));
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
    if (!p.answered) this.ctx.send(p.client, p.req.op.f === 'write' ? clientReply(p.req, 'info', undefined, `${p.acks} of ${this.config.w} acknowledgements`) : clientReply(p.req, 'fail', undefined, `${p.replies.size} of ${this.config.r} replies`));
    p.answered = true;
    this.done(op, p);
  }
}

export const quorumStore = (ctx: Context, config: QuorumStoreConfig): Process => new QuorumStore(ctx, config);
