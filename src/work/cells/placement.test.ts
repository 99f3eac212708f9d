import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RandomStreams } from '../../sim/rng.js';
import { choose, overlapCounts, overlapProbability, place } from './placement.js';

const fleet = ['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8'];

test('shuffle shards overlap as the hypergeometric formula says: 1/28 the same, 12/28 one server, 15/28 none (n 8, k 2)', () => {
  assert.equal(choose(8, 2), 28);
  assert.equal(choose(100, 5), 75_287_520);
  assert.ok(Math.abs(overlapProbability(8, 2, 2) - 1 / 28) < 1e-12);
  assert.ok(Math.abs(overlapProbability(8, 2, 1) - 12 / 28) < 1e-12);
  assert.ok(Math.abs([0, 1, 2].reduce((s, m) => s + overlapProbability(8, 2, m), 0) - 1) < 1e-12);
  const r = new RandomStreams(5).stream('shards');
  const shards = Array.from({ length: 600 }, (_, i) => place('shuffle-sharding', fleet, i, 2, () => r.next()));
  for (const s of shards) assert.equal(new Set(s).size, 2);
  const counts = overlapCounts(shards, 2);
  const pairs = (600 * 599) / 2;
  assert.equal(counts.reduce((a, b) => a + b, 0), pairs);
  // 179,700 pairs: each share within half a percentage point of the formula.
  for (let m = 0; m <= 2; m++) assert.ok(Math.abs(counts[m] / pairs - overlapProbability(8, 2, m)) < 0.005, `overlap ${m}: ${counts[m] / pairs}`);
});

test('cells deal customers in turn; a shared fleet gives everyone every server', () => {
  const cells = [0, 1, 2, 3, 4].map((i) => place('cells', fleet, i, 2, () => 0));
  assert.deepEqual(cells[0], ['s1', 's2']);
  assert.deepEqual(cells[3], ['s7', 's8']);
  assert.deepEqual(cells[4], cells[0]);
  assert.deepEqual(place('shared', fleet, 9, 2, () => 0), fleet);
  assert.throws(() => place('cells', fleet, 0, 9, () => 0), /size: expected a whole number of servers from 1 to 8/);
});
