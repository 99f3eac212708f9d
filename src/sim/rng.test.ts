import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RandomStreams } from './rng.js';

const draws = (s: { next(): number }, n: number) => Array.from({ length: n }, () => s.next());

test('the same seed and name give the same stream', () => {
  assert.deepEqual(draws(new RandomStreams(7).stream('node/n1'), 100), draws(new RandomStreams(7).stream('node/n1'), 100));
});

test('different seeds and different names give different streams', () => {
  assert.notDeepEqual(draws(new RandomStreams(7).stream('node/n1'), 10), draws(new RandomStreams(8).stream('node/n1'), 10));
  assert.notDeepEqual(draws(new RandomStreams(7).stream('node/n1'), 10), draws(new RandomStreams(7).stream('node/n2'), 10));
});

test('creating and drawing from other streams does not change a stream', () => {
  const a = new RandomStreams(42);
  const expected = draws(a.stream('link/n1->n2'), 50);
  const b = new RandomStreams(42);
  for (let i = 0; i < 30; i++) draws(b.stream(`node/n${i}`), 17); // a bigger cluster, drawn first
  assert.deepEqual(draws(b.stream('link/n1->n2'), 50), expected);
});

test('seeds beyond 32 bits are distinct', () => {
  assert.notDeepEqual(draws(new RandomStreams(1).stream('x'), 5), draws(new RandomStreams(1 + 2 ** 32).stream('x'), 5));
});

test('draws are uniform in [0, 1): mean, variance and a chi-square over 20 bins', () => {
  const s = new RandomStreams(3).stream('uniformity');
  const n = 200_000;
  const bins = new Array(20).fill(0);
  let sum = 0, sq = 0;
  for (let i = 0; i < n; i++) {
    const u = s.next();
    assert.ok(u >= 0 && u < 1);
    sum += u;
    sq += u * u;
    bins[Math.floor(u * 20)]++;
  }
  const mean = sum / n;
  assert.ok(Math.abs(mean - 0.5) < 0.005, `mean ${mean}`);
  assert.ok(Math.abs(sq / n - mean * mean - 1 / 12) < 0.002);
  const expected = n / 20;
  const chi2 = bins.reduce((acc, b) => acc + (b - expected) ** 2 / expected, 0);
  assert.ok(chi2 < 43.8, `chi-square ${chi2} over 19 degrees of freedom (p = 0.001 at 43.8)`);
});

test('int(n) covers 0..n-1', () => {
  const s = new RandomStreams(5).stream('ints');
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i++) seen.add(s.int(7));
  assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4, 5, 6]);
});

test('a negative or fractional seed is refused', () => {
  assert.throws(() => new RandomStreams(-1), RangeError);
  assert.throws(() => new RandomStreams(1.5), RangeError);
});
