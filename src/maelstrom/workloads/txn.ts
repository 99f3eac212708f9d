/**
 * Maelstrom's transactional workloads: txn-list-append (reads and appends on lists) and
 * txn-rw-register (reads and writes on registers), checked by inferring write-write, write-read
 * and read-write dependencies and searching the graph for cycles: G0, G1c, G-single and G2
 * (src/check/txn.ts, after Elle), plus aborted (G1a) and intermediate (G1b) reads. The history must satisfy every model asked for (Maelstrom's --consistency-models, by default
 * strict-serializable): strict serializability adds real-time edges, so a read-only transaction
 * served from a stale copy is caught (G-single-realtime and kin), where serializability allows it.
 */
import { checkTxns, consistencyModels, describeTxnAnomaly, type ConsistencyModel, type Micro, type Txn, type Workload } from '../../check/txn.js';
import type { CheckResult, HistoryEntry, WorkloadDefinition, WorkloadOptions, WorkloadRun } from '../workload.js';

/**
 * The transactions of Maelstrom's txn workloads, as Elle's generators make them: 1 to maxTxnLength
 * micro-operations, each a read or a write (an append) of one of keyCount active keys. Written
 * values are unique, so a read names the write it saw. A key written maxWritesPerKey times is
 * retired for a fresh one, which keeps lists short and version orders small enough to search.
 *
 * Keys are drawn as Elle draws them by default (key-dist exponential, base 2): each active key is
 * twice as likely as the one before it, so about half of all operations meet on one hot key. With
 * keys drawn uniformly, two transactions that overlap in time rarely touch the same key, and a
 * node that is atomic per key but not per transaction got through whole runs unseen.
 */
function txnGenerator(o: WorkloadOptions, write: 'append' | 'w'): () => Micro[] {
  let nextValue = 1;
  const active = Array.from({ length: o.keyCount }, (_, i) => i);
  let nextKey = o.keyCount;
  const writes = new Map<number, number>();
  const slotOf = exponentialSlot(o.keyCount);
  return () => {
    const n = 1 + Math.floor(o.random.next() * o.maxTxnLength);
    const txn: Micro[] = [];
    for (let i = 0; i < n; i++) {
      const slot = slotOf(o.random.next());
      const key = active[slot];
      if (o.random.next() < 0.5) {
        txn.push(['r', key, null]);
        continue;
      }
      txn.push([write, key, nextValue++]);
      const written = (writes.get(key) ?? 0) + 1;
      writes.set(key, written);
      if (written >= o.maxWritesPerKey) {
        writes.delete(key);
        active[slot] = nextKey++;
      }
    }
    return txn;
  };
}

/** How much likelier each active key is than the one before it (Elle's key-dist-base). */
const keyDistBase = 2;

/**
 * Elle's exponential key choice: a uniform u in [0, 1) becomes a slot in [0, keys) with the slot i
 * drawn with weight base^i, by inverting the cumulative weight b + b^2 + ... + b^(i+1).
 */
export function exponentialSlot(keys: number, base = keyDistBase): (u: number) => number {
  const scale = (base * (base ** keys - 1)) / (base - 1);
  return (u) => Math.min(keys - 1, Math.floor(Math.log(u * scale + base) / Math.log(base) - 1));
}

function txnWorkload(kind: Workload, o: WorkloadOptions): WorkloadRun {
  const next = txnGenerator(o, kind === 'list-append' ? 'append' : 'w');
  return {
    next() {
      const txn = next();
      return { f: 'txn', body: { type: 'txn', txn }, value: txn };
    },
    complete(op, reply) {
      if (reply.type === 'txn_ok' && Array.isArray(reply.txn)) return { type: 'ok', value: reply.txn };
      return { type: 'fail', value: op.value, error: `expected txn_ok with the transaction's results, got ${JSON.stringify(reply).slice(0, 200)}` };
    },
    check: (history) => checkHistory(kind, history, o.consistencyModels as readonly ConsistencyModel[]),
  };
}

function checkHistory(kind: Workload, history: readonly HistoryEntry[], models: readonly ConsistencyModel[]): CheckResult {
  const started = new Map<number, HistoryEntry>();
  const txns: Txn[] = [];
  for (const e of history) {
    if (e.type === 'invoke') started.set(e.process, e);
    else {
      const inv = started.get(e.process);
      if (inv === undefined) continue;
      started.delete(e.process);
      txns.push({ process: e.process, type: e.type, value: (e.type === 'ok' ? e.value : inv.value) as Micro[], invokeTime: inv.time, completeTime: e.time });
    }
  }
  for (const inv of started.values()) txns.push({ process: inv.process, type: 'info', value: inv.value as Micro[], invokeTime: inv.time, completeTime: Infinity });
  // Real-time edges (and process ones) only when a model asked for needs them: they cost search time.
  const realtime = models.includes('strict-serializable');
  const r = checkTxns(txns, { workload: kind, realtime, process: realtime || models.includes('strong-session-serializable') });
  const stats: Record<string, number> = { transactions: r.txns, wwEdges: r.edges.ww, wrEdges: r.edges.wr, rwEdges: r.edges.rw, realtimeEdges: r.edges.realtime };
  for (const [k, n] of Object.entries(r.anomalyCounts)) stats[k] = n as number;
  const broken = models.filter((m) => r.violated.includes(m));
  const asked = models.join(', ');
  if (broken.length === 0 && models.every((m) => r.consistentWith.includes(m))) return { valid: true, summary: `${asked}: ${r.txns} transactions; consistent with ${r.consistentWith.join(', ')}`, stats };
  if (broken.length === 0) return { valid: 'unknown', summary: `undecided: ${r.undetermined.join(', ')}`, stats };
  return {
    valid: false,
    summary: `not ${broken.join(', ')}: ${r.anomalyTypes.join(', ')}; violates ${r.violated.join(', ')}`,
    witness: r.anomalies.slice(0, 3).map((a) => describeTxnAnomaly(a)).join('\n'),
    stats,
  };
}

/** The two txn workloads differ only in their writes: the same services (lin-kv, as Maelstrom's demos use), models and checker. */
const txnDefinition = (name: string, kind: Workload, data: string): WorkloadDefinition => ({
  name,
  description: `transactions of reads and ${data}; checked for G0, G1a, G1b, G1c, G-single and G2 anomalies (and their realtime forms under strict-serializable)`,
  services: ['lin-kv'],
  consistencyModels,
  make: (o) => txnWorkload(kind, o),
});

export const txnListAppendWorkload = txnDefinition('txn-list-append', 'list-append', 'appends on lists');
export const txnRwRegisterWorkload = txnDefinition('txn-rw-register', 'rw-register', 'writes on registers');
