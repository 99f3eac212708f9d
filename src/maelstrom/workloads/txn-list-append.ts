/**
 * txn-list-append: transactions of reads and appends on lists (Maelstrom's transactional workload),
 * checked by inferring write-write, write-read and read-write dependencies and searching the graph
 * for cycles: G0, G1c, G-single and G2 (src/check/txn.ts, after Elle), plus aborted and intermediate
 * reads. The history must satisfy every model asked for (Maelstrom's --consistency-models, by default
 * strict-serializable): strict serializability adds real-time edges, so a read-only transaction
 * served from a stale copy is caught (G-single-realtime and kin), where serializability allows it.
 */
import { checkTxns, consistencyModels, describeTxnAnomaly, type ConsistencyModel, type Micro, type Txn } from '../../check/txn.js';
import type { CheckResult, HistoryEntry, WorkloadDefinition, WorkloadRun } from '../workload.js';

/** Micro-operations per transaction, at most. */
const microOpsMax = 4;

function txnListAppend(o: { random: { next(): number }; keyCount: number; consistencyModels: readonly string[] }): WorkloadRun {
  let nextElement = 1;
  return {
    next() {
      const n = 1 + Math.floor(o.random.next() * microOpsMax);
      const txn: Micro[] = [];
      for (let i = 0; i < n; i++) {
        const key = Math.floor(o.random.next() * o.keyCount);
        txn.push(o.random.next() < 0.5 ? ['r', key, null] : ['append', key, nextElement++]);
      }
      return { f: 'txn', body: { type: 'txn', txn }, value: txn };
    },
    complete(op, reply) {
      if (reply.type === 'txn_ok' && Array.isArray(reply.txn)) return { type: 'ok', value: reply.txn };
      return { type: 'fail', value: op.value, error: `expected txn_ok with the transaction's results, got ${JSON.stringify(reply).slice(0, 200)}` };
    },
    check: (history) => checkHistory(history, o.consistencyModels as readonly ConsistencyModel[]),
  };
}

function checkHistory(history: readonly HistoryEntry[], models: readonly ConsistencyModel[]): CheckResult {
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
  const r = checkTxns(txns, { workload: 'list-append', realtime, process: realtime || models.includes('strong-session-serializable') });
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

export const txnListAppendWorkload: WorkloadDefinition = {
  name: 'txn-list-append',
  description: 'transactions of reads and appends on lists; checked for G0, G1a, G1b, G1c, G-single and G2 anomalies',
  services: ['lin-kv'],
  consistencyModels,
  make: (o) => txnListAppend(o),
};
