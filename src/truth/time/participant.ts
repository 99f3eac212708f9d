/**
 * One shard's leader in a Spanner-style read-write transaction (Corbett et al., OSDI 2012, §4.1.2 and
 * §4.2.1), as a synchronous core: inputs (prepare, assign, commit) in, outcomes out; the host supplies
 * TT.now().latest and does the messaging and the waiting.
 *
 * - Writes take the key's lock (two-phase locking; a queue per key, first come first served).
 * - Once a transaction holds every lock it asked for here it is prepared, with a prepare timestamp
 *   larger than any timestamp this leader assigned before (monotonicity, §4.1.2) and no smaller than
 *   TT.now().latest.
 * - The coordinator picks the commit timestamp s (>= every prepare timestamp) and, with commit wait,
 *   waits until TT.after(s) before anyone applies or learns the outcome. Commit applies the writes as
 *   versions at s and releases the locks, which may prepare the next transactions in the queues.
 *
 * Spanner replicates each leader's state with Paxos; a leader here is one node, because replication
 * is not what this story is about (the Raft KV is). Locks are taken in the order the coordinator
 * prepares shards (sorted by name), one shard after another, so waiting never forms a cycle.
 */

export interface TxnWrite {
  key: string;
  value: unknown;
}

/** A transaction that became prepared here, with its prepare timestamp. */
export interface Prepared {
  txn: string;
  prepareTs: number;
}

export interface Version {
  ts: number;
  value: unknown;
}

/** Timestamps are assigned in microseconds (as Spanner's), so two assignments differ by at least this. */
export const timestampStepMs = 0.001;

/** An invariant of the protocol; violating it is a bug, never an expected error. */
export function invariant(cond: boolean, message: string): asserts cond {
  if (!cond) throw new Error(`commit-wait invariant violated: ${message}`);
}

interface Lock {
  holder: string;
  queue: string[];
}

interface Txn {
  writes: TxnWrite[];
  /** Keys whose lock it still waits for. */
  waiting: Set<string>;
  prepareTs?: number;
}

export class ShardParticipant {
  /** The largest timestamp this leader assigned or applied. */
  lastTs = -Infinity;
  private readonly locks = new Map<string, Lock>();
  private readonly txns = new Map<string, Txn>();
  readonly versions = new Map<string, Version[]>();

  /** Take the locks of `writes` for `txn`; returns it as prepared when it holds them all now. */
  prepare(txn: string, writes: TxnWrite[], ttLatest: number): Prepared | undefined {
    invariant(!this.txns.has(txn), `transaction ${txn} prepared twice`);
    const t: Txn = { writes, waiting: new Set() };
    this.txns.set(txn, t);
    for (const key of new Set(writes.map((w) => w.key))) {
      const lock = this.locks.get(key);
      if (lock === undefined) this.locks.set(key, { holder: txn, queue: [] });
      else {
        lock.queue.push(txn);
        t.waiting.add(key);
      }
    }
    return t.waiting.size === 0 ? this.prepared(txn, t, ttLatest) : undefined;
  }

  /**
   * The coordinator of a transaction (leader of one of its shards) assigned `ts` here: later prepare
   * timestamps of this leader must exceed it.
   */
  assigned(ts: number): void {
    this.lastTs = Math.max(this.lastTs, ts);
  }

  /**
   * Apply `txn`'s writes at `ts` and release its locks; returns the transactions that the release
   * prepared (their prepare timestamps taken now, at `ttLatest`).
   */
  commit(txn: string, ts: number, ttLatest: number): Prepared[] {
    const t = this.txns.get(txn);
    invariant(t !== undefined, `commit of unknown transaction ${txn}`);
    invariant(t.prepareTs !== undefined && ts >= t.prepareTs, `commit timestamp ${ts} of ${txn} below its prepare timestamp ${t.prepareTs}`);
    for (const w of t.writes) {
      const list = this.versions.get(w.key) ?? [];
      // Locks order the writers of a key and timestamps grow with them: versions only ever append.
      invariant(list.length === 0 || list[list.length - 1].ts < ts, `version of ${w.key} at ${ts} not after ${list[list.length - 1]?.ts}`);
      list.push({ ts, value: w.value });
      this.versions.set(w.key, list);
    }
    this.lastTs = Math.max(this.lastTs, ts);
    this.txns.delete(txn);
    return this.release(txn, t, ttLatest);
  }

  /** The latest version of `key` at or before `ts` (a snapshot read at ts), or undefined. */
  readAt(key: string, ts: number): Version | undefined {
    const list = this.versions.get(key) ?? [];
    for (let i = list.length - 1; i >= 0; i--) if (list[i].ts <= ts) return list[i];
    return undefined;
  }

  /** Transactions waiting for or holding locks here. */
  get inFlight(): number {
    return this.txns.size;
  }

  private prepared(txn: string, t: Txn, ttLatest: number): Prepared {
    const prepareTs = Math.max(ttLatest, this.lastTs + timestampStepMs);
    t.prepareTs = prepareTs;
    this.lastTs = prepareTs;
    return { txn, prepareTs };
  }

  private release(txn: string, t: Txn, ttLatest: number): Prepared[] {
    const out: Prepared[] = [];
    for (const key of new Set(t.writes.map((w) => w.key))) {
      const lock = this.locks.get(key)!;
      invariant(lock.holder === txn, `${txn} released ${key} held by ${lock.holder}`);
      const next = lock.queue.shift();
      if (next === undefined) {
        this.locks.delete(key);
        continue;
      }
      lock.holder = next;
      const n = this.txns.get(next)!;
      n.waiting.delete(key);
      if (n.waiting.size === 0) out.push(this.prepared(next, n, ttLatest));
    }
    return out;
  }
}
