/**
 * txn-list-append: transactions of reads and appends on lists (Maelstrom's transactional workload),
 * checked for serializability anomalies by inferring write-write, write-read and read-write
 * dependencies and searching the graph for cycles: G0, G1c, G-single and G2 (src/check/txn.ts, after
 * Elle), plus aborted and intermediate reads.
 */
import { checkTxns, describeTxnAnomaly, type Micro, type Txn } from '../../check/txn.js';
import type { CheckResult, HistoryEntry, WorkloadDefinition, WorkloadRun } from '../workload.js';

/** Micro-operations per transaction, at most. */
const microOpsMax = 4;

function txnListAppend(o: { random: { next(): number }; keyCount: number }): WorkloadRun {
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
    check: (history) => checkHistory(history),
  };
}

function checkHistory(history: readonly HistoryEntry[]): CheckResult {
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
  const r = checkTxns(txns, { workload: 'list-append', model: 'serializable' });
  const stats: Record<string, number> = { transactions: r.txns, wwEdges: r.edges.ww, wrEdges: r.edges.wr, rwEdges: r.edges.rw };
  for (const [k, n] of Object.entries(r.anomalyCounts)) stats[k] = n as number;
  if (r.valid === true) return { valid: true, summary: `serializable: ${r.txns} transactions; also consistent with ${r.consistentWith.join(', ')}`, stats };
  if (r.anomalies.length === 0) return { valid: 'unknown', summary: `undecided: ${r.undetermined.join(', ')}`, stats };
  return {
    valid: false,
    summary: `not serializable: ${r.anomalyTypes.join(', ')}; violates ${r.violated.join(', ')}`,
    witness: r.anomalies.slice(0, 3).map((a) => describeTxnAnomaly(a)).join('\n'),
    stats,
  };
}

export const txnListAppendWorkload: WorkloadDefinition = {
  name: 'txn-list-append',
  description: 'transactions of reads and appends on lists; checked for G0, G1a, G1b, G1c, G-single and G2 anomalies',
  services: ['lin-kv'],
  make: (o) => txnListAppend(o),
};
