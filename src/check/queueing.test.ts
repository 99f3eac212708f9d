import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalQuantile, ratioInterval, studentT } from './queueing.js';

test('normal and Student t quantiles match the tables', () => {
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-5);
  assert.ok(Math.abs(normalQuantile(0.9995) - 3.290527) < 1e-5);
  assert.ok(Math.abs(normalQuantile(0.025) + 1.959964) < 1e-5);
  // t tables: t(0.975, 10) = 2.2281, t(0.9995, 49) = 3.5004, t(0.995, 20) = 2.8453.
  assert.ok(Math.abs(studentT(0.975, 10) - 2.2281) < 2e-3);
  assert.ok(Math.abs(studentT(0.9995, 49) - 3.5004) < 2e-3);
  assert.ok(Math.abs(studentT(0.995, 20) - 2.8453) < 2e-3);
});

test('ratioInterval: the ratio of sums, and no width when every batch has the same ratio', () => {
  const same = ratioInterval([[2, 1], [4, 2], [6, 3]], 0.99);
  assert.equal(same.estimate, 2);
  assert.equal(same.halfWidth, 0);
  const spread = ratioInterval([[1, 1], [3, 1], [2, 1], [2, 1]], 0.95);
  assert.equal(spread.estimate, 2);
  // Residuals -1, 1, 0, 0: s^2 = 2/3, SE = sqrt(2/3/4) = 0.408, t(0.975, 3) = 3.182.
  assert.ok(Math.abs(spread.halfWidth - 3.182 * Math.sqrt(2 / 3 / 4)) < 0.05);
});
