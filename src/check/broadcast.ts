/**
 * Broadcast completeness: every value whose broadcast was acknowledged must be in every node's final
 * read. The history must contain final reads (f = read, one per node, after the faults healed).
 */
import type { History, HistoryEvent } from './history.js';

export interface CheckOutcome {
  ok: boolean;
  /** The check could not decide (e.g. a search gave up): not a pass, and not proof of a failure either. */
  unknown?: boolean;
  detail: string;
  metrics?: Record<string, number>;
}

export function checkBroadcastComplete(history: History, nodes: readonly string[]): CheckOutcome {
  const acked = new Set<number>();
  const finalRead = new Map<string, HistoryEvent>();
  for (const { invoke, complete } of history.operations()) {
    if (complete?.type !== 'ok') continue;
    if (invoke.f === 'broadcast' && typeof invoke.value === 'number') acked.add(invoke.value);
    // The last successful read on each node is its final read.
    if (invoke.f === 'read' && invoke.node !== undefined) finalRead.set(invoke.node, complete);
  }
  let missingPairs = 0;
  const missingValues = new Set<number>();
  const unread: string[] = [];
  const worst: string[] = [];
  for (const node of nodes) {
    const read = finalRead.get(node);
    if (read === undefined || !Array.isArray(read.value)) {
      unread.push(node);
      continue;
    }
    const have = new Set(read.value as number[]);
    let missing = 0;
    for (const v of acked) {
      if (!have.has(v)) {
        missing++;
        missingValues.add(v);
      }
    }
    missingPairs += missing;
    if (missing > 0) worst.push(`${node} misses ${missing}`);
  }
  const ok = missingPairs === 0 && unread.length === 0;
  const parts = [`${acked.size} acknowledged broadcasts, ${nodes.length} nodes`];
  if (missingValues.size > 0) parts.push(`${missingValues.size} values missing somewhere (${worst.join(', ')})`);
  if (unread.length > 0) parts.push(`no final read from ${unread.join(', ')}`);
  if (ok) parts.push('every node has every value');
  return {
    ok,
    detail: parts.join('; '),
    metrics: { acked_broadcasts: acked.size, lost_values: missingValues.size, lost_deliveries: missingPairs, unread_nodes: unread.length },
  };
}
