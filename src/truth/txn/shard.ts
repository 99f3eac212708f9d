/**
 * A participant of two-phase commit as a deterministic state machine: the balances of the accounts
 * one shard holds, the per-key exclusive locks, and what the shard knows of each transaction.
 * A shard's Raft group replicates it (its log carries prepare, commit and abort commands), so the
 * prepared state survives the crash of any minority of the shard's replicas.
 *
 * Gray, "Notes on Data Base Operating Systems" (1978), §5.8.3: in phase 1 a participant that can
 * commit makes its part durable, keeps its locks, and votes yes; from then on it may not decide
 * alone ("the participant is in doubt") and holds its locks until the coordinator tells it the
 * outcome. A participant that cannot commit (a lock is taken, the money is not there) votes no and
 * forgets its part: it may abort unilaterally because no one can have decided commit without its
 * vote.
 *
 * Locks follow the no-waiting policy (Bernstein, Hadzilacos & Goodman, "Concurrency Control and
 * Recovery in Database Systems", 1987, §3.11): a prepare that finds a key locked by another
 * transaction is refused at once. It cannot deadlock, and it makes the cost of a blocked transaction
 * visible: every other transaction on its keys is refused while it is in doubt.
 *
 * Every value carries the transaction that wrote it (`by`): the register history a serializability
 * checker reads needs each written value to be unique per key.
 */

/** A balance and the transaction that wrote it ('init' for the initial balance). */
export interface Versioned {
  v: number;
  by: string;
}

export const initialWriter = 'init';

/** Add `delta` to an account's balance (a transfer is a debit on one key and a credit on another). */
export interface TransferOp {
  key: string;
  delta: number;
}

export type ShardCommand =
  | {
      kind: 'prepare';
      txn: string;
      /** Every shard the transaction touches (for the end-of-run atomicity check). */
      shards: readonly number[];
      /** Whom to ask for the outcome when in doubt. */
      coordinators: readonly string[];
      ops: readonly TransferOp[];
      /** The proposing leader's clock: every replica records the same instant. */
      nowMs: number;
    }
  | { kind: 'commit'; txn: string; nowMs: number }
  | { kind: 'abort'; txn: string; reason: string; nowMs: number };

export type ShardResult =
  | { vote: 'yes' }
  | { vote: 'no'; refusal: Refusal; reason: string }
  /** After a decision: how the transaction ended here, and a conflict if the decision contradicts it. */
  | { settled: 'committed' | 'aborted'; conflict?: Conflict };

/** locked: another transaction holds a key; funds: a balance would go below zero; aborted: the abort came first. */
export type Refusal = 'locked' | 'funds' | 'aborted';
/**
 * A decision that contradicts what this shard already did: a commit for a transaction it refused
 * (or never prepared), an abort for one it committed. A correct coordinator never sends one; the
 * record keeps it so the atomicity check can say so.
 */
export type Conflict = 'commit-after-abort' | 'commit-unprepared' | 'abort-after-commit';

/** One transaction as this shard knows it: its journal entry. */
export interface ShardTxnRecord {
  txn: string;
  status: 'prepared' | 'committed' | 'aborted';
  shards: number[];
  coordinators: string[];
  /** For each key: the version read at prepare and the one written at commit (empty if refused). */
  writes: { key: string; before: Versioned; after: Versioned }[];
  /** Why it was refused at prepare. */
  refusal?: Refusal;
  /** For a refusal on a locked key: the transaction holding it. */
  lockedBy?: string;
  /** Why it aborted (the refusal, or the coordinator's reason). */
  reason?: string;
  conflict?: Conflict;
  /** When the prepare was applied (the proposer's clock); absent if the abort came first. */
  preparedAtMs?: number;
  /** When it committed or aborted here. */
  decidedAtMs?: number;
}

export interface ShardSnapshot {
  initialBalance: number;
  data: [string, Versioned][];
  txns: ShardTxnRecord[];
}

/** Internal consistency of the lock table and the journal: a failure here is a bug, not an expected error. */
function invariant(cond: boolean, message: string): asserts cond {
  if (!cond) throw new Error(`shard invariant violated: ${message}`);
}

const copyRecord = (r: ShardTxnRecord): ShardTxnRecord => ({
  ...r,
  shards: [...r.shards],
  coordinators: [...r.coordinators],
  writes: r.writes.map((w) => ({ key: w.key, before: { ...w.before }, after: { ...w.after } })),
});

export class ShardMachine {
  private readonly data = new Map<string, Versioned>();
  /** Key -> the prepared transaction holding its lock. */
  private readonly locks = new Map<string, string>();
  /**
   * Every transaction this shard heard of, in the order it did. Kept for the run's checks; a real
   * participant would drop a settled record once its coordinator has ended the transaction.
   */
  private readonly txns = new Map<string, ShardTxnRecord>();
  /** The transactions prepared and not yet decided: this shard is in doubt about them. */
  private readonly inDoubtTxns = new Set<string>();

  constructor(private initialBalance: number) {}

  apply(cmd: ShardCommand): ShardResult {
    switch (cmd.kind) {
      case 'prepare':
        return this.prepare(cmd);
      case 'commit':
        return this.commit(cmd.txn, cmd.nowMs);
      case 'abort':
        return this.abort(cmd.txn, cmd.reason, cmd.nowMs);
    }
  }

  /** An account's balance and its writer (the initial balance when never written). */
  balance(key: string): Versioned {
    return this.data.get(key) ?? { v: this.initialBalance, by: initialWriter };
  }

  /** What this shard knows of a transaction (a copy). */
  known(txn: string): ShardTxnRecord | undefined {
    const r = this.txns.get(txn);
    return r === undefined ? undefined : copyRecord(r);
  }

  /** The settled status of a transaction here, if it has one (prepared is not settled). */
  settled(txn: string): 'committed' | 'aborted' | undefined {
    const s = this.txns.get(txn)?.status;
    return s === 'prepared' ? undefined : s;
  }

  /** The transactions this shard voted yes on and has no outcome for, oldest first. */
  inDoubt(): { txn: string; coordinators: readonly string[]; preparedAtMs: number }[] {
    return [...this.inDoubtTxns].map((t) => {
      const r = this.txns.get(t)!;
      return { txn: t, coordinators: r.coordinators, preparedAtMs: r.preparedAtMs! };
    });
  }

  /** The key -> holder lock table (a copy). */
  lockTable(): Map<string, string> {
    return new Map(this.locks);
  }

  /** Every record, oldest first (copies), and the balances written. */
  journal(): ShardTxnRecord[] {
    return [...this.txns.values()].map(copyRecord);
  }

  balances(): Record<string, Versioned> {
    const out: Record<string, Versioned> = {};
    for (const [k, v] of this.data) out[k] = { ...v };
    return out;
  }

  get initial(): number {
    return this.initialBalance;
  }

  private prepare(cmd: Extract<ShardCommand, { kind: 'prepare' }>): ShardResult {
    const known = this.txns.get(cmd.txn);
    // A retried or duplicated prepare gets the vote already given (an abort that came first is a no).
    if (known !== undefined) return known.status === 'aborted' ? { vote: 'no', refusal: known.refusal ?? 'aborted', reason: known.reason ?? 'aborted' } : { vote: 'yes' };
    const deltas = new Map<string, number>();
    for (const op of cmd.ops) deltas.set(op.key, (deltas.get(op.key) ?? 0) + op.delta);
    const base: ShardTxnRecord = { txn: cmd.txn, status: 'aborted', shards: [...cmd.shards], coordinators: [...cmd.coordinators], writes: [] };
    const refuse = (refusal: Refusal, reason: string, lockedBy?: string): ShardResult => {
      const r: ShardTxnRecord = { ...base, refusal, reason, decidedAtMs: cmd.nowMs };
      if (lockedBy !== undefined) r.lockedBy = lockedBy;
      this.txns.set(cmd.txn, r);
      return { vote: 'no', refusal, reason };
    };
    for (const key of deltas.keys()) {
      const holder = this.locks.get(key);
      if (holder !== undefined) return refuse('locked', `${key} is locked by ${holder}`, holder);
    }
    const writes: ShardTxnRecord['writes'] = [];
    for (const [key, delta] of deltas) {
      const before = this.balance(key);
      if (before.v + delta < 0) return refuse('funds', `insufficient funds in ${key}: ${before.v} < ${-delta}`);
      writes.push({ key, before: { ...before }, after: { v: before.v + delta, by: cmd.txn } });
    }
    for (const { key } of writes) {
      invariant(!this.locks.has(key), `${key} locked twice`);
      this.locks.set(key, cmd.txn);
    }
    this.txns.set(cmd.txn, { ...base, status: 'prepared', writes, preparedAtMs: cmd.nowMs });
    this.inDoubtTxns.add(cmd.txn);
    return { vote: 'yes' };
  }

  private commit(txn: string, nowMs: number): ShardResult {
    const r = this.txns.get(txn);
    if (r === undefined) {
      // Commit needs this shard's yes, which needs a prepare: a coordinator that sends this is broken.
      this.txns.set(txn, { txn, status: 'aborted', shards: [], coordinators: [], writes: [], reason: 'commit of a transaction never prepared here', conflict: 'commit-unprepared', decidedAtMs: nowMs });
      return { settled: 'aborted', conflict: 'commit-unprepared' };
    }
    if (r.status === 'committed') return { settled: 'committed' };
    if (r.status === 'aborted') {
      r.conflict = 'commit-after-abort';
      return { settled: 'aborted', conflict: r.conflict };
    }
    for (const w of r.writes) {
      invariant(this.locks.get(w.key) === txn, `${txn} commits ${w.key} without holding its lock`);
      this.data.set(w.key, { ...w.after });
      this.locks.delete(w.key);
    }
    r.status = 'committed';
    r.decidedAtMs = nowMs;
    this.inDoubtTxns.delete(txn);
    return { settled: 'committed' };
  }

  private abort(txn: string, reason: string, nowMs: number): ShardResult {
    const r = this.txns.get(txn);
    if (r === undefined) {
      // Aborted before its prepare arrived (a timeout): remember it, so a late prepare is refused.
      this.txns.set(txn, { txn, status: 'aborted', shards: [], coordinators: [], writes: [], reason, decidedAtMs: nowMs });
      return { settled: 'aborted' };
    }
    if (r.status === 'aborted') return { settled: 'aborted' };
    if (r.status === 'committed') {
      r.conflict = 'abort-after-commit';
      return { settled: 'committed', conflict: r.conflict };
    }
    for (const w of r.writes) {
      invariant(this.locks.get(w.key) === txn, `${txn} releases ${w.key} without holding its lock`);
      this.locks.delete(w.key);
    }
    r.status = 'aborted';
    r.reason = reason;
    r.decidedAtMs = nowMs;
    this.inDoubtTxns.delete(txn);
    return { settled: 'aborted' };
  }

  snapshot(): ShardSnapshot {
    return { initialBalance: this.initialBalance, data: [...this.data].map(([k, v]) => [k, { ...v }]), txns: this.journal() };
  }

  restore(s: ShardSnapshot): void {
    this.initialBalance = s.initialBalance;
    this.data.clear();
    for (const [k, v] of s.data) this.data.set(k, { ...v });
    this.txns.clear();
    this.locks.clear();
    this.inDoubtTxns.clear();
    for (const r of s.txns) {
      const c = copyRecord(r);
      this.txns.set(c.txn, c);
      if (c.status !== 'prepared') continue;
      this.inDoubtTxns.add(c.txn);
      for (const w of c.writes) this.locks.set(w.key, c.txn);
    }
  }
}
