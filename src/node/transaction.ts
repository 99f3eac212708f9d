/**
 * MULTI/EXEC/DISCARD/WATCH for one client connection, as Redis runs them: commands after MULTI are
 * checked and queued (QUEUED, or an error that dooms the transaction to EXECABORT); EXEC sends them
 * all as ONE operation of the replicated KV, so they apply in one log entry, atomically, on every
 * replica. WATCH reads the keys' versions (through the leader, like any read); EXEC carries them, and
 * the state machine applies nothing if any watched key changed since (EXEC answers nil).
 */
import type { Operation } from '../runtime/client-protocol.js';
import type { KvResult, TransactionArgs } from '../truth/index.js';
import { replyTo, type Planned } from './commands.js';
import { array, NULL, NULL_ARRAY, OK, type RespProtocol } from './resp.js';

type StorePlan = Extract<Planned, { kind: 'read' | 'write' }>;

/** A queued command: one for the store, or one answered by the node (PING in a transaction), already answered. */
export type Queued = { plan: StorePlan } | { reply: Buffer };

export class Transaction {
  /** The commands queued since MULTI; undefined outside MULTI. */
  queued: Queued[] | undefined;
  /** A queued command was refused (syntax, arity, unknown): EXEC answers EXECABORT. */
  doomed = false;
  /** The bytes of the queued commands, held to writeBytesMax like one write. */
  queuedBytes = 0;
  /** Watched keys and the versions WATCH read (-1 when it could not read them: EXEC then fails). */
  watched = new Map<string, number>();

  get active(): boolean {
    return this.queued !== undefined;
  }

  begin(): void {
    this.queued = [];
    this.doomed = false;
    this.queuedBytes = 0;
  }

  /**
   * Leave MULTI and forget the watches (EXEC, DISCARD); says what was queued and watched. The watches
   * go with EXEC as they are: a WATCH still being read fills them in before EXEC is sent (a read is
   * answered before the write after it goes), and commands after EXEC start afresh.
   */
  end(): { queued: Queued[]; watched: Map<string, number> } {
    const ended = { queued: this.queued ?? [], watched: this.watched };
    this.queued = undefined;
    this.doomed = false;
    this.queuedBytes = 0;
    this.watched = new Map();
    return ended;
  }

  /** WATCH's read: the versions of the keys not already watched (the first WATCH of a key counts). */
  watchPlan(keys: string[]): StorePlan {
    const watched = this.watched;
    const fresh = keys.filter((k) => !watched.has(k));
    const record = (versions: number[]) => fresh.forEach((k, i) => watched.set(k, versions[i]));
    return {
      kind: 'read',
      op: { f: 'versions', value: fresh },
      reply: (v) => {
        record(v as number[]);
        return OK;
      },
      // Without the versions nothing can be promised: the transaction will fail, as after a change.
      failed: () => {
        record(fresh.map(() => -1));
        return undefined;
      },
    };
  }

  /** EXEC's operation, made when it is sent (after WATCH's read was answered): the queue and the watches. */
  static execOperation(queued: Queued[], watched: Map<string, number>): Operation {
    const value: TransactionArgs = { ops: queued.flatMap((q) => ('plan' in q ? [q.plan.op] : [])) };
    if (watched.size > 0) value.watch = [...watched];
    return { f: 'multi', value };
  }

  /** The reply to EXEC: nil when a watched key changed, else each queued command's own reply, in order. */
  static execReply(queued: Queued[]): (value: unknown, proto: RespProtocol) => Buffer {
    return (value, proto) => {
      if (value === null) return proto === 3 ? NULL : NULL_ARRAY;
      const results = value as KvResult[];
      let next = 0;
      const replies = queued.map((q) => {
        if ('reply' in q) return q.reply;
        const r = results[next++];
        return replyTo(q.plan, r, proto);
      });
      return array(replies, proto);
    };
  }
}
