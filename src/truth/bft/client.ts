/**
 * The PBFT client (Castro & Liskov §4.1), run on a node of its own that the workload's clients talk
 * to: it is the client library, trusted by the clients it serves, and nothing else. (A real client
 * links it in; here it is a node so that the scenario's generic clients can use the service.)
 *
 * For each operation of workload client X it sends ⟨REQUEST, o, t, c⟩ with c = "<this node>/X" and
 * t = X's request id, authenticated by one MAC per replica, to the replica it believes is the
 * primary. It waits for f + 1 replies with the same result from different replicas (at least one of
 * them is correct, so the result is the service's); a lie from up to f replicas is outvoted. If no
 * such set arrives within retransmitMs it broadcasts the request to every replica (backups relay it
 * to the primary and start their view-change timers), doubling the wait up to retransmitMaxMs.
 */
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientRequest, type ClientRequest } from '../../runtime/client-protocol.js';
import type { KvResult } from '../kv.js';
import { canonical, Keyring } from './crypto.js';
import { isPbftMessage, replyDigest, requestDigest, type AuthRequest, type PbftMessage, type PbftRequest } from './messages.js';

export interface PbftClientConfig {
  replicas: readonly NodeId[];
  f: number;
  clusterSecret: string;
  retransmitMs: number;
  retransmitMaxMs: number;
}

/** Answers kept per workload client for its retries (those below its ackedBelow are dropped first). */
export const clientAnswersMax = 1_000;

interface Pending {
  client: NodeId;
  req: ClientRequest;
  m: AuthRequest;
  /** Each replica's reply: its view and the canonical form of its result. */
  replies: Map<NodeId, { v: number; key: string; r: KvResult }>;
  timer: number;
  waitMs: number;
}

export class PbftClientNode implements Process {
  private readonly keys: Keyring;
  private readonly pending = new Map<string, Pending>();
  private readonly answers = new Map<string, Map<number, KvResult>>();
  /** The view the replicas were last seen in (by f + 1 of them). */
  private view = 0;

  constructor(
    private readonly ctx: Context,
    private readonly cfg: PbftClientConfig,
  ) {
    this.keys = new Keyring(ctx.id, cfg.clusterSecret);
  }

  describe(): { role: string } {
    return { role: 'client' };
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.onClientRequest(from, msg);
    if (isPbftMessage(msg) && msg.type === 'pbft_reply') return this.onReply(msg);
  }

  private primary(): NodeId {
    return this.cfg.replicas[this.view % this.cfg.replicas.length];
  }

  private onClientRequest(client: NodeId, req: ClientRequest): void {
    const c = `${this.ctx.id}/${client}`;
    const key = `${c}#${req.id}`;
    const done = this.answers.get(c)?.get(req.id);
    if (done !== undefined) return this.answer(client, req, done);
    const p = this.pending.get(key);
    if (p !== undefined) {
      // A retry of a request in progress: answer this attempt, and ask everyone now.
      p.req = req;
      this.broadcast(p);
      return;
    }
    const body: PbftRequest = { c, t: req.id, op: req.op };
    if (req.ackedBelow !== undefined) body.ackedBelow = req.ackedBelow;
    const d = requestDigest({ req: body, auth: {} });
    const m: AuthRequest = { req: body, auth: this.keys.authenticator(this.cfg.replicas, d) };
    const pending: Pending = { client, req, m, replies: new Map(), timer: 0, waitMs: this.cfg.retransmitMs };
    this.pending.set(key, pending);
    this.ctx.send(this.primary(), { type: 'pbft_request', m } satisfies PbftMessage);
    pending.timer = this.ctx.setTimer(pending.waitMs, () => this.retransmit(key));
  }

  private broadcast(p: Pending): void {
    this.ctx.metrics.count('bft_client_broadcasts');
    for (const r of this.cfg.replicas) this.ctx.send(r, { type: 'pbft_request', m: p.m } satisfies PbftMessage);
  }

  private retransmit(key: string): void {
    const p = this.pending.get(key);
    if (p === undefined) return;
    this.broadcast(p);
    p.waitMs = Math.min(p.waitMs * 2, this.cfg.retransmitMaxMs);
    p.timer = this.ctx.setTimer(p.waitMs, () => this.retransmit(key));
  }

  private onReply(msg: Extract<PbftMessage, { type: 'pbft_reply' }>): void {
    if (!this.cfg.replicas.includes(msg.i) || !this.keys.checkMac(msg.i, replyDigest(msg), msg.mac)) {
      this.ctx.metrics.count('bft_auth_failures');
      return;
    }
    const key = `${msg.c}#${msg.t}`;
    const p = this.pending.get(key);
    if (p === undefined) return;
    const rkey = canonical(msg.r);
    p.replies.set(msg.i, { v: msg.v, key: rkey, r: msg.r });
    let same = 0;
    for (const x of p.replies.values()) if (x.key === rkey) same++;
    if (same < this.cfg.f + 1) return;
    // f + 1 matching: at least one correct replica vouches for this result.
    this.pending.delete(key);
    this.ctx.clearTimer(p.timer);
    let outvoted = 0;
    for (const x of p.replies.values()) if (x.key !== rkey) outvoted++;
    if (outvoted > 0) this.ctx.metrics.count('bft_client_replies_outvoted', outvoted);
    // The view at least f + 1 replicas have reached: one of them is correct.
    const views = [...p.replies.values()].map((x) => x.v).sort((a, b) => b - a);
    if (views.length > this.cfg.f) this.view = Math.max(this.view, views[this.cfg.f]);
    this.remember(msg.c, p.req, msg.r);
    this.answer(p.client, p.req, msg.r);
  }

  private remember(c: string, req: ClientRequest, r: KvResult): void {
    let m = this.answers.get(c);
    if (m === undefined) this.answers.set(c, (m = new Map()));
    const below = req.ackedBelow ?? 0;
    for (const t of m.keys()) if (t < below) m.delete(t);
    m.set(req.id, r);
    if (m.size > clientAnswersMax) m.delete(m.keys().next().value!);
  }

  private answer(client: NodeId, req: ClientRequest, r: KvResult): void {
    this.ctx.send(client, r.ok ? clientReply(req, 'ok', r.value) : clientReply(req, 'fail', undefined, r.error));
  }
}
