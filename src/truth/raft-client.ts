/**
 * A client of the Raft KV (truth/raft-kv) for processes that use it as their store: one operation
 * in, one outcome out, with the retries a Raft client needs. A request goes to the leader last heard
 * from (any member forwards to the leader it knows); a timeout or a "not applied" failure (no leader,
 * leadership lost, proposal overwritten) sends the same request again, same id, to the next member.
 * The KV's client sessions (Raft thesis §6.3) make a retried write apply once and answer the retry
 * with the first result, so a conditional append that timed out and is sent again cannot land twice.
 */
import type { Context, NodeId } from '../runtime/context.js';
import { isClientReply, type ClientReply, type ClientRequest, type Operation } from '../runtime/client-protocol.js';
import { isNotAppliedFailure } from './raft/host.js';

export interface RaftClientConfig {
  /** The Raft members, in the order they are tried. */
  store: readonly NodeId[];
  /** No answer within this long: send the request again to the next member. */
  requestTimeoutMs: number;
  /** Wait this long before sending again after a "not applied" failure (an election is under way). */
  retryDelayMs: number;
  /** Attempts before giving up (the outcome of a write is then unknown). */
  attemptsMax: number;
}

interface Pending {
  op: Operation;
  attempt: number;
  target: number;
  timer: number;
  done: (reply: ClientReply | undefined) => void;
}

export class RaftClient {
  private readonly pending = new Map<number, Pending>();
  private idNext: number;
  private leader = 0;

  constructor(
    private readonly ctx: Context,
    private readonly config: RaftClientConfig,
  ) {
    // Ids must grow across restarts of this node too (a session refuses ids below those it has seen
    // answered): start from the clock, in microseconds.
    this.idNext = Math.max(1, Math.floor(ctx.now() * 1000));
  }

  /** Run one KV operation; `done` gets the reply, or undefined when every attempt went unanswered. */
  call(op: Operation, done: (reply: ClientReply | undefined) => void): void {
    const id = this.idNext++;
    const p: Pending = { op, attempt: 0, target: this.leader, timer: 0, done };
    this.pending.set(id, p);
    this.send(id, p);
  }

  /** Feed every message here first; true when it was a reply for this client. */
  onMessage(from: NodeId, msg: unknown): boolean {
    if (!isClientReply(msg)) return false;
    const p = this.pending.get(msg.id);
    if (p === undefined) return true; // late, or a duplicate
    // A failure answers only the attempt that got it; a later attempt may still be on its way.
    if (msg.status === 'fail' && msg.attempt !== undefined && msg.attempt < p.attempt) return true;
    if (isNotAppliedFailure(msg)) {
      this.ctx.clearTimer(p.timer);
      p.timer = this.ctx.setTimer(this.config.retryDelayMs, () => this.retry(msg.id, p));
      return true;
    }
    const index = this.config.store.indexOf(from);
    if (index >= 0) this.leader = index;
    this.finish(msg.id, p, msg);
    return true;
  }

  /** Requests still waiting for an answer. */
  get inFlight(): number {
    return this.pending.size;
  }

  private send(id: number, p: Pending): void {
    p.attempt++;
    const to = this.config.store[p.target % this.config.store.length];
    p.timer = this.ctx.setTimer(this.config.requestTimeoutMs, () => this.retry(id, p));
    this.ctx.send(to, { type: 'client_request', id, op: p.op, attempt: p.attempt, ackedBelow: this.ackedBelow() } satisfies ClientRequest);
  }

  private retry(id: number, p: Pending): void {
    if (this.pending.get(id) !== p) return;
    this.ctx.clearTimer(p.timer);
    if (p.attempt >= this.config.attemptsMax) return this.finish(id, p, undefined);
    p.target++;
    this.send(id, p);
  }

  private finish(id: number, p: Pending, reply: ClientReply | undefined): void {
    this.ctx.clearTimer(p.timer);
    this.pending.delete(id);
    p.done(reply);
  }

  /** Every request below this id is answered or given up: the session may forget their results. */
  private ackedBelow(): number {
    for (const id of this.pending.keys()) return id;
    return this.idNext;
  }
}
