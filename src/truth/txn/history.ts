/**
 * What the shards say at the end of a run, read back as the checks need it: every transaction's fate
 * at each shard it touched (atomicity, money, locks, blocking), and the same transactions as
 * register transactions for the Elle-style checker of src/check/txn.ts.
 *
 * Each shard is read from its most advanced replica that is up (describe() of truth/two-phase-commit's
 * shard replicas). The registers are the balances: a transaction reads each account it touches at
 * prepare (under its lock) and writes it at commit, each value tagged with the transaction that wrote
 * it ([balance, writer]), so written values are unique per key as the register checker needs. A
 * transaction T0 writes every account's initial balance.
 */
import type { Description } from '../../runtime/context.js';
import { initialWriter, type ShardTxnRecord, type Versioned } from './shard.js';

/** What a shard replica says of itself: its place, and its state for the checks. */
export interface ShardDescription extends Description {
  role: string;
  shard: number;
  /** The replica's applied index: the most advanced replica speaks for the shard. */
  applied: number;
  initialBalance: number;
  balances: Record<string, Versioned>;
  txns: ShardTxnRecord[];
}

export function isShardDescription(d: unknown): d is ShardDescription {
  return typeof d === 'object' && d !== null && typeof (d as ShardDescription).shard === 'number' && typeof (d as ShardDescription).applied === 'number' && 'txns' in d;
}

/** Per shard, its most advanced replica that is up. */
export function shardViews(described: ReadonlyMap<string, Description | undefined> | undefined): Map<number, ShardDescription> {
  const views = new Map<number, ShardDescription>();
  for (const d of described?.values() ?? []) {
    if (!isShardDescription(d)) continue;
    const best = views.get(d.shard);
    if (best === undefined || d.applied > best.applied) views.set(d.shard, d);
  }
  return views;
}

export type TxnFate = 'committed' | 'aborted' | 'in-doubt' | 'half-applied';

export interface AuditedTxn {
  txn: string;
  fate: TxnFate;
  /** Each shard the transaction involves, with its record there (undefined: the shard never heard of it). */
  parts: Map<number, ShardTxnRecord | undefined>;
  why?: string;
}

export interface TxnAudit {
  shardsSeen: number;
  /** Shards some transaction involves that no live replica could speak for. */
  shardsMissing: number[];
  txns: AuditedTxn[];
  committed: number;
  aborted: number;
  inDoubt: number;
  halfApplied: AuditedTxn[];
  /** Sum over every account of (balance - initial balance): 0 when money is conserved. */
  moneyDelta: number;
  /** What committed transactions still owe shards where their part is prepared, not yet applied. */
  moneyOwed: number;
  /** Per (transaction, shard) that voted yes: prepare to release, or to the end of the run if never released. */
  lockHeldMsMax: number;
  lockHeldMsTotal: number;
  /** The part of that time a shard spent asking for the outcome (past inquiryAfterMs). */
  blockedMsMax: number;
  blockedMsTotal: number;
  /** Prepares refused because another transaction held a key. */
  refusedLocked: number;
  /** Of those, the ones whose key was held by a transaction in doubt for longer than inquiryAfterMs: refused because of the blocking. */
  refusedByInDoubt: number;
}

export interface AuditOptions {
  /** The end of the run (ms), for locks still held. */
  endMs: number;
  /** When a shard in doubt starts asking (the process's inquiryAfterMs). */
  inquiryAfterMs: number;
}

function merge(views: Map<number, ShardDescription>): Map<string, { parts: Map<number, ShardTxnRecord>; shards: Set<number> }> {
  const txns = new Map<string, { parts: Map<number, ShardTxnRecord>; shards: Set<number> }>();
  // Shards in order, each journal in its order: the merged order is deterministic.
  for (const [shard, view] of [...views].sort((a, b) => a[0] - b[0])) {
    for (const r of view.txns) {
      let t = txns.get(r.txn);
      if (t === undefined) txns.set(r.txn, (t = { parts: new Map(), shards: new Set() }));
      t.parts.set(shard, r);
      for (const s of r.shards) t.shards.add(s);
    }
  }
  for (const t of txns.values()) if (t.shards.size === 0) for (const s of t.parts.keys()) t.shards.add(s);
  return txns;
}

const round = (x: number) => Number(x.toFixed(3));

export function auditTxns(views: Map<number, ShardDescription>, opts: AuditOptions): TxnAudit {
  const audit: TxnAudit = {
    shardsSeen: views.size,
    shardsMissing: [],
    txns: [],
    committed: 0,
    aborted: 0,
    inDoubt: 0,
    halfApplied: [],
    moneyDelta: 0,
    moneyOwed: 0,
    lockHeldMsMax: 0,
    lockHeldMsTotal: 0,
    blockedMsMax: 0,
    blockedMsTotal: 0,
    refusedLocked: 0,
    refusedByInDoubt: 0,
  };
  const missing = new Set<number>();
  const merged = merge(views);
  for (const [txn, t] of merged) {
    const parts = new Map<number, ShardTxnRecord | undefined>();
    for (const s of [...t.shards].sort((a, b) => a - b)) {
      if (!views.has(s)) missing.add(s);
      parts.set(s, t.parts.get(s));
    }
    const records = [...parts.values()];
    const status = (r: ShardTxnRecord | undefined) => (r === undefined ? 'unknown' : r.status);
    const committed = records.filter((r) => status(r) === 'committed').length;
    const prepared = records.filter((r) => status(r) === 'prepared').length;
    const conflict = records.find((r) => r?.conflict !== undefined);
    const a: AuditedTxn = { txn, fate: 'aborted', parts };
    const where = () => [...parts].map(([s, r]) => `shard ${s} ${status(r)}`).join(', ');
    if (conflict !== undefined) {
      a.fate = 'half-applied';
      a.why = `${conflict.conflict} (${where()})`;
    } else if (committed > 0 && committed + prepared < records.length) {
      // Committed at one shard, refused, aborted or unknown at another: half a transfer.
      a.fate = 'half-applied';
      a.why = where();
    } else if (committed === records.length) {
      a.fate = 'committed';
    } else if (prepared > 0) {
      a.fate = 'in-doubt';
      a.why = where();
      // Decided commit (some shard applied it): the prepared shards owe their part of the transfer.
      if (committed > 0) for (const r of records) if (r?.status === 'prepared') for (const w of r.writes) audit.moneyOwed += w.after.v - w.before.v;
    }
    audit.txns.push(a);
    if (a.fate === 'committed') audit.committed++;
    else if (a.fate === 'aborted') audit.aborted++;
    else if (a.fate === 'in-doubt') audit.inDoubt++;
    else audit.halfApplied.push(a);
    for (const [shard, r] of parts) {
      if (r === undefined) continue;
      if (r.refusal === 'locked') {
        audit.refusedLocked++;
        const holder = r.lockedBy === undefined ? undefined : merged.get(r.lockedBy)?.parts.get(shard);
        if (holder?.preparedAtMs !== undefined && r.decidedAtMs !== undefined && r.decidedAtMs - holder.preparedAtMs > opts.inquiryAfterMs) audit.refusedByInDoubt++;
      }
      if (r.preparedAtMs === undefined) continue;
      const held = Math.max(0, (r.decidedAtMs ?? opts.endMs) - r.preparedAtMs);
      const blocked = Math.max(0, held - opts.inquiryAfterMs);
      audit.lockHeldMsMax = Math.max(audit.lockHeldMsMax, held);
      audit.lockHeldMsTotal += held;
      audit.blockedMsMax = Math.max(audit.blockedMsMax, blocked);
      audit.blockedMsTotal += blocked;
    }
  }
  for (const view of views.values()) for (const b of Object.values(view.balances)) audit.moneyDelta += b.v - view.initialBalance;
  audit.shardsMissing = [...missing].sort((a, b) => a - b);
  audit.lockHeldMsMax = round(audit.lockHeldMsMax);
  audit.lockHeldMsTotal = round(audit.lockHeldMsTotal);
  audit.blockedMsMax = round(audit.blockedMsMax);
  audit.blockedMsTotal = round(audit.blockedMsTotal);
  return audit;
}

export interface AtomicityOutcome {
  ok: boolean;
  detail: string;
  metrics: Record<string, number>;
}

/**
 * Atomicity: no transaction is applied at one shard and refused or aborted at another, no shard
 * took a decision that contradicts its own, and money is conserved across the shards (counting what
 * committed transactions still owe shards that are in doubt).
 */
export function checkAtomicity(described: ReadonlyMap<string, Description | undefined> | undefined, opts: AuditOptions): AtomicityOutcome {
  const views = shardViews(described);
  if (views.size === 0) return { ok: false, detail: 'no shard replica of truth/two-phase-commit was up at the end to describe its transactions', metrics: {} };
  const a = auditTxns(views, opts);
  const metrics = {
    txns_committed: a.committed,
    txns_aborted: a.aborted,
    txns_in_doubt: a.inDoubt,
    txns_half_applied: a.halfApplied.length,
    money_delta: a.moneyDelta,
    money_owed: a.moneyOwed,
    lock_held_ms_max: a.lockHeldMsMax,
    lock_held_ms_total: a.lockHeldMsTotal,
    blocked_ms_max: a.blockedMsMax,
    blocked_ms_total: a.blockedMsTotal,
    refused_locked: a.refusedLocked,
    refused_by_in_doubt: a.refusedByInDoubt,
  };
  const conserved = a.moneyDelta + a.moneyOwed === 0;
  const problems: string[] = [];
  if (a.shardsMissing.length > 0) problems.push(`no replica of shard ${a.shardsMissing.join(', ')} was up to say what it applied`);
  if (a.halfApplied.length > 0) problems.push(`${a.halfApplied.length} half-applied, e.g. ${a.halfApplied[0].txn}: ${a.halfApplied[0].why}`);
  if (!conserved) problems.push(`money not conserved: balances sum to ${a.moneyDelta >= 0 ? '+' : ''}${a.moneyDelta} against the initial total${a.moneyOwed !== 0 ? `, ${a.moneyOwed} owed by in-doubt commits` : ''}`);
  const doubt = a.inDoubt > 0 ? `; ${a.inDoubt} still in doubt, e.g. ${a.txns.find((t) => t.fate === 'in-doubt')!.txn}: ${a.txns.find((t) => t.fate === 'in-doubt')!.why}` : '';
  const summary = `${a.txns.length} transactions over ${a.shardsSeen} shards: ${a.committed} committed, ${a.aborted} aborted${doubt}; locks held up to ${a.lockHeldMsMax} ms`;
  return { ok: problems.length === 0, detail: problems.length === 0 ? `atomic, money conserved: ${summary}` : `${problems.join('; ')} (${summary})`, metrics };
}

export type RegisterMicro = readonly ['r', string, unknown] | readonly ['w', string, unknown];

/** The shape src/check/txn.ts's checkTxns reads. */
export interface RegisterTxn {
  process: number;
  type: 'ok' | 'fail' | 'info';
  value: RegisterMicro[];
  invokeTime: number;
  completeTime: number;
}

const NANOS_PER_MS = 1_000_000;
const ns = (ms: number) => Math.round(ms * NANOS_PER_MS);
const reg = (v: Versioned): [number, string] => [v.v, v.by];

/**
 * The run's transactions as register transactions: T0 (the initial balances), then every
 * transaction that prepared somewhere, in the shards' order. Committed ones are ok with their reads
 * and writes; aborted ones fail and in-doubt or half-applied ones are info, with their writes (a read
 * of one of those would be an aborted or unknown read). Undefined when no shard described itself.
 */
export function registerHistory(described: ReadonlyMap<string, Description | undefined> | undefined, endMs = Infinity): RegisterTxn[] | undefined {
  const views = shardViews(described);
  if (views.size === 0) return undefined;
  const audit = auditTxns(views, { endMs: Number.isFinite(endMs) ? endMs : 0, inquiryAfterMs: 0 });
  const keys = new Map<string, number>();
  const txns: RegisterTxn[] = [];
  for (const a of audit.txns) {
    const records = [...a.parts.values()].filter((r): r is ShardTxnRecord => r !== undefined);
    const writes = records.flatMap((r) => r.writes);
    if (writes.length === 0) continue;
    for (const [shard, r] of a.parts) for (const w of r?.writes ?? []) if (!keys.has(w.key)) keys.set(w.key, views.get(shard)!.initialBalance);
    const prepared = records.map((r) => r.preparedAtMs).filter((t): t is number => t !== undefined);
    const decided = records.map((r) => r.decidedAtMs).filter((t): t is number => t !== undefined);
    const invokeTime = ns(Math.min(...prepared));
    if (a.fate === 'committed') {
      const value: RegisterMicro[] = writes.flatMap((w): RegisterMicro[] => [
        ['r', w.key, reg(w.before)],
        ['w', w.key, reg(w.after)],
      ]);
      txns.push({ process: txns.length + 1, type: 'ok', value, invokeTime, completeTime: ns(Math.max(...decided)) });
    } else {
      const value = writes.map((w): RegisterMicro => ['w', w.key, reg(w.after)]);
      const type = a.fate === 'aborted' ? 'fail' : 'info';
      txns.push({ process: txns.length + 1, type, value, invokeTime, completeTime: type === 'fail' ? ns(Math.max(...decided)) : Infinity });
    }
  }
  const init: RegisterTxn = { process: 0, type: 'ok', value: [...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([k, v]) => ['w', k, [v, initialWriter]] as RegisterMicro), invokeTime: 0, completeTime: 0 };
  return [init, ...txns];
}
