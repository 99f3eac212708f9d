import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitLogistic, predictLogistic } from './logistic.js';
import { ConfigError } from '../../../runtime/config-error.js';

test('fitLogistic learns which feature separates the classes and ignores one that does not', () => {
  // x0 decides the label (above 5 is class 1); x1 is the same pattern of values for both classes.
  const rows: number[][] = [];
  const labels: (0 | 1)[] = [];
  for (let i = 0; i < 200; i++) {
    const x0 = (i % 100) / 10;
    rows.push([x0, i % 7]);
    labels.push(x0 > 5 ? 1 : 0);
  }
  const fit = fitLogistic(rows, labels);
  assert.ok(fit.weights[0] > 2, `weight of the separating feature ${fit.weights[0]}`);
  assert.ok(Math.abs(fit.weights[1]) < 0.2, `weight of the noise feature ${fit.weights[1]}`);
  assert.ok(predictLogistic(fit, [9, 3]) > 0.95);
  assert.ok(predictLogistic(fit, [1, 3]) < 0.05);
});

test('fitLogistic refuses a single class or mismatched labels, naming the field', () => {
  assert.throws(() => fitLogistic([[1], [2]], [0, 0]), (e: unknown) => e instanceof ConfigError && /labels/.test(e.message));
  assert.throws(() => fitLogistic([[1], [2]], [0]), (e: unknown) => e instanceof ConfigError && /labels/.test(e.message));
});
