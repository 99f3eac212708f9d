/**
 * The txn workloads' generator on its own, without processes: keys are drawn as Elle draws them
 * (exponentially, so transactions meet on hot keys).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RandomStreams } from '../sim/rng.js';
import { workloads } from './workloads/index.js';
import { exponentialSlot } from './workloads/txn.js';

test("Elle's exponential key choice: each slot twice as likely as the one before it", () => {
  const slot = exponentialSlot(5);
  const counts = new Array<number>(5).fill(0);
  const n = 31_000;
  for (let i = 0; i < n; i++) counts[slot((i + 0.5) / n)]++;
  // weights 2, 4, 8, 16, 32 of 62
  assert.deepEqual(counts.map((c) => Math.round((c / n) * 62)), [2, 4, 8, 16, 32]);
  assert.equal(slot(0), 0);
  assert.equal(slot(0.999999), 4);
});

test('txn transactions meet on a hot key: the busiest key of a run takes about half of all operations', () => {
  const w = workloads['txn-list-append'].make({ nodes: ['n0'], random: new RandomStreams(1).stream('w'), keyCount: 5, maxTxnLength: 4, maxWritesPerKey: 1_000, consistencyModels: ['serializable'] });
  const perKey = new Map<unknown, number>();
  let ops = 0;
  for (let i = 0; i < 500; i++) for (const [, k] of w.next(0)!.value as [string, number, unknown][]) (ops++, perKey.set(k, (perKey.get(k) ?? 0) + 1));
  const busiest = Math.max(...perKey.values()) / ops;
  assert.ok(busiest > 0.4 && busiest < 0.6, `busiest key: ${busiest}`);
});
