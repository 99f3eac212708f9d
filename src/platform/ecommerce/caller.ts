/**
 * Calls from one platform node to others over the client protocol: one id space per node, replies
 * matched to their callbacks, a timeout per call, and for replica groups (a warehouse) the retry to
 * the next replica when one has no leader, does not answer, or is cut off: the replica that answered
 * last is tried first.
 */
import type { Context, NodeId } from '../../runtime/context.js';
import type { ClientReply, ClientRequest, Operation } from '../../runtime/client-protocol.js';

export type CallResult = { status: 'ok'; value: unknown } | { status: 'fail' | 'info'; error: string };

interface Pending {
  done: (r: CallResult) => void;
  timer: number;
}

export class Caller {
  private idNext = 1;
  private readonly pending = new Map<number, Pending>();
  /**
   * Calls not yet given their outcome, a group call waiting to send its next attempt included: the
   * lowest is what a request acknowledges below. Not `pending`'s first key: a retry goes back into
   * `pending` last, so its first key can be a later call's id, which told the group to forget the
   * retried request and made it refuse the retry as stale.
   */
  private readonly unanswered = new Set<number>();
  /** The replica of each group that answered last. */
  private readonly preferred = new Map<string, number>();

  constructor(private readonly ctx: Context) {}

  /** One call to one node; `done` runs once, with the reply or with info on timeout. */
  call(to: NodeId, op: Operation, timeoutMs: number, done: (r: CallResult) => void): void {
    const id = this.idNext++;
    this.unanswered.add(id);
    this.send(to, op, timeoutMs, 1, id, (r) => {
      this.unanswered.delete(id);
      done(r);
    });
  }

  /** One send of request `id` (an attempt of a call); `done` runs once, with the reply or with info on timeout. */
  private send(to: NodeId, op: Operation, timeoutMs: number, attempt: number, id: number, done: (r: CallResult) => void): void {
    const timer = this.ctx.setTimer(timeoutMs, () => {
      if (this.pending.delete(id)) done({ status: 'info', error: `no answer from ${to} within ${timeoutMs} ms` });
    });
    this.pending.set(id, { done, timer });
    let ackedBelow = id;
    for (const open of this.unanswered) if (open < ackedBelow) ackedBelow = open;
    this.ctx.send(to, { type: 'client_request', id, op, attempt, ackedBelow } satisfies ClientRequest);
  }

  /**
   * A call to a replica group: try the preferred replica, then the others, up to `attempts` sends in
   * all, with the same request id (a group with client sessions applies it once). A definite refusal
   * by the state machine (sold out) ends the call at once.
   */
  callGroup(group: readonly NodeId[], op: Operation, timeoutMs: number, attempts: number, done: (r: CallResult) => void): void {
    const key = group.join(',');
    const id = this.idNext++;
    this.unanswered.add(id);
    const finish = (r: CallResult) => {
      this.unanswered.delete(id);
      done(r);
    };
    const attemptAt = (n: number) => {
      const start = this.preferred.get(key) ?? 0;
      const index = (start + n - 1) % group.length;
      this.send(group[index], op, timeoutMs, n, id, (r) => {
        const retryable = r.status === 'info' || (r.status === 'fail' && /no leader|not the primary|no primary/.test(r.error));
        if (!retryable) {
          if (r.status === 'ok') this.preferred.set(key, index);
          return finish(r);
        }
        this.preferred.set(key, (index + 1) % group.length);
        if (n >= attempts) return finish(r.status === 'fail' ? { status: 'info', error: r.error } : r);
        this.ctx.setTimer(20 * n, () => attemptAt(n + 1));
      });
    };
    attemptAt(1);
  }

  /** A reply arrived: true when it was one of ours. */
  onReply(reply: ClientReply): boolean {
    const p = this.pending.get(reply.id);
    if (p === undefined) return false;
    this.pending.delete(reply.id);
    this.ctx.clearTimer(p.timer);
    p.done(reply.status === 'ok' ? { status: 'ok', value: reply.value } : { status: reply.status, error: reply.error ?? reply.status });
    return true;
  }
}
