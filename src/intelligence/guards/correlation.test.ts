import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fisherZDifference, pearson, ranks, spearman } from './correlation.js';

const close = (a: number, b: number, eps = 1e-12) => assert.ok(Math.abs(a - b) <= eps, `${a} vs ${b}`);

test('pearson and spearman agree with scipy.stats on small samples, ties included', () => {
  // scipy.stats.pearsonr / spearmanr on the same pairs.
  close(pearson([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [2, 1, 4, 3, 7, 8, 6, 9, 10, 12]), 0.9463140529521022);
  close(spearman([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [2, 1, 4, 3, 7, 8, 6, 9, 10, 12]), 0.9393939393939393);
  close(pearson([1, 2, 2, 3, 4, 4, 4, 5], [3, 1, 2, 2, 5, 6, 4, 9]), 0.8045179867091297);
  close(spearman([1, 2, 2, 3, 4, 4, 4, 5], [3, 1, 2, 2, 5, 6, 4, 9]), 0.8088885876886688);
});

test('a monotone but curved relation: spearman 1, pearson below 1; an outlier moves pearson, not spearman', () => {
  const xs = [1, 2, 3, 4, 5, 6, 7, 8];
  const ys = xs.map((x) => Math.exp(x));
  assert.equal(spearman(xs, ys), 1);
  assert.ok(pearson(xs, ys) < 0.9);
  const noisy = [1, 2, 3, 4, 5, 6, 7, -1000];
  assert.ok(pearson(xs, noisy) < 0);
  assert.ok(spearman(xs, noisy) > 0);
});

test('ties share the mean of their ranks', () => {
  assert.deepEqual(ranks([10, 20, 20, 5, 20]), [2, 4, 4, 1, 4]);
});

test('no variation, no correlation: NaN rather than 0; mismatched lengths are refused', () => {
  assert.ok(Number.isNaN(pearson([1, 2, 3], [5, 5, 5])));
  assert.ok(Number.isNaN(pearson([1], [2])));
  assert.throws(() => pearson([1, 2], [1]), /ys: expected as many values as xs/);
});

test("Fisher's z for r = 0.8 vs 0.2 on 28 pairs each is 3.1674 (atanh differences over sqrt(2/25))", () => {
  close(fisherZDifference(0.8, 28, 0.2, 28), 3.1674131773659173, 1e-12);
  assert.ok(Number.isFinite(fisherZDifference(1, 10, 0, 10)));
  assert.ok(Number.isNaN(fisherZDifference(0.5, 3, 0.1, 30)));
});
