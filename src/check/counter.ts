/**
 * Acknowledged increments are never lost. Every acknowledged incr answers the counter's new value, so
 * on a counter that never loses an increment those answers are all distinct. Two acknowledged
 * increments that answered the same value on one key mean that one of them was lost: two primaries
 * counted from the same state, and one side's count was thrown away.
 */
import { NANOS_PER_MS, type History, type HistoryEvent } from './history.js';
import type { CheckOutcome } from './broadcast.js';
import { compareOrdinal } from '../runtime/ordinal.js';

export function checkNoLostIncrements(history: History): CheckOutcome {
  // key -> answer -> the first acknowledged increment that got it
  const answers = new Map<string, Map<number, { first: HistoryEvent; count: number }>>();
  let acked = 0;
  // The witness: the earliest acknowledgement of an answer another increment had already got.
  let witness: { key: string; first: HistoryEvent; again: HistoryEvent } | undefined;
  for (const { invoke, complete } of history.operations()) {
    if (invoke.f !== 'incr' || complete?.type !== 'ok' || typeof complete.value !== 'number') continue;
    acked++;
    const key = invoke.key ?? '';
    let m = answers.get(key);
    if (m === undefined) answers.set(key, (m = new Map()));
    const seen = m.get(complete.value);
    if (seen === undefined) {
      m.set(complete.value, { first: complete, count: 1 });
      continue;
    }
    seen.count++;
    const [first, again] = seen.first.time <= complete.time ? [seen.first, complete] : [complete, seen.first];
    if (witness === undefined || again.time < witness.again.time) witness = { key, first, again };
  }
  let lost = 0;
  const worst: string[] = [];
  for (const [key, m] of [...answers].sort(([a], [b]) => compareOrdinal(a, b))) {
    let k = 0;
    for (const { count } of m.values()) k += count - 1;
    lost += k;
    if (k > 0) worst.push(`${key}: ${k}`);
  }
  const at = (e: HistoryEvent) => `at ${(e.time / NANOS_PER_MS).toFixed(3)} ms${e.node === undefined ? '' : ` (via ${e.node})`}`;
  const w = witness;
  const example = w === undefined ? '' : `; the first: on ${w.key}, process ${w.again.process}'s incr answered ${String(w.again.value)} ${at(w.again)}, as process ${w.first.process}'s had ${at(w.first)}`;
  return {
    ok: lost === 0,
    detail: lost === 0 ? `${acked} acknowledged increments, all distinct` : `${lost} of ${acked} acknowledged increments were lost (answered a value another one also got): ${worst.join(', ')}${example}`,
    metrics: { acked_increments: acked, lost_acked_increments: lost },
  };
}
