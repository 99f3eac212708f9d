/**
 * Acknowledged increments are never lost. Every acknowledged incr answers the counter's new value, so
 * on a counter that never loses an increment those answers are all distinct. Two acknowledged
 * increments that answered the same value on one key mean that one of them was lost: two primaries
 * counted from the same state, and one side's count was thrown away.
 */
import type { History } from './history.js';
import type { CheckOutcome } from './broadcast.js';
import { compareOrdinal } from '../runtime/ordinal.js';

export function checkNoLostIncrements(history: History): CheckOutcome {
  const answers = new Map<string, Map<number, number>>();
  let acked = 0;
  for (const { invoke, complete } of history.operations()) {
    if (invoke.f !== 'incr' || complete?.type !== 'ok' || typeof complete.value !== 'number') continue;
    acked++;
    const key = invoke.key ?? '';
    let m = answers.get(key);
    if (m === undefined) answers.set(key, (m = new Map()));
    m.set(complete.value, (m.get(complete.value) ?? 0) + 1);
  }
  let lost = 0;
  const worst: string[] = [];
  for (const [key, m] of [...answers].sort(([a], [b]) => compareOrdinal(a, b))) {
    let k = 0;
    for (const n of m.values()) k += n - 1;
    lost += k;
    if (k > 0) worst.push(`${key}: ${k}`);
  }
  return {
    ok: lost === 0,
    detail: lost === 0 ? `${acked} acknowledged increments, all distinct` : `${lost} of ${acked} acknowledged increments were lost (answered a value another one also got): ${worst.join(', ')}`,
    metrics: { acked_increments: acked, lost_acked_increments: lost },
  };
}
