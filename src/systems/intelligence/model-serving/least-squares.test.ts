import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RandomStreams } from '../../../sim/rng.js';
import { fitLeastSquares, predictLinear } from './least-squares.js';
import { era2019, era2020 } from './demand-world.js';
import { trainLinear } from './predictors.js';

const close = (a: number, b: number, eps: number) => assert.ok(Math.abs(a - b) <= eps, `${a} vs ${b}`);

test('least squares recovers an exact plane, and agrees with the closed form for one feature', () => {
  const rows = [[1, 2], [2, 1], [3, 5], [4, 2], [5, 7]];
  const fit = fitLeastSquares(rows, rows.map(([a, b]) => 3 + 2 * a - 0.5 * b));
  close(fit.intercept, 3, 1e-9);
  close(fit.coefficients[0], 2, 1e-9);
  close(fit.coefficients[1], -0.5, 1e-9);
  close(predictLinear(fit, [10, 10]), 18, 1e-9);
  // y = [1, 3, 2, 5] on x = [0, 1, 2, 3]: slope = Sxy / Sxx = 5.5 / 5 = 1.1, intercept = 2.75 - 1.1 * 1.5 = 1.1.
  const one = fitLeastSquares([[0], [1], [2], [3]], [1, 3, 2, 5]);
  close(one.coefficients[0], 1.1, 1e-12);
  close(one.intercept, 1.1, 1e-12);
});

test('a singular or short design is a clear error', () => {
  assert.throws(() => fitLeastSquares([[1, 2], [2, 4], [3, 6], [4, 8]], [1, 2, 3, 4]), /rows: expected features that vary independently/);
  assert.throws(() => fitLeastSquares([[1, 2]], [1]), /rows: expected at least 3 rows for 2 features and an intercept/);
  assert.throws(() => fitLeastSquares([[1]], [1, 2]), /ys: expected one outcome per row \(1\)/);
});

test('the 2019 model learns 2019 and predicts half of 2020: the drift of the stories', () => {
  const r = new RandomStreams(3).stream('train');
  const fit = trainLinear(era2019, ['footfall', 'online'], 2000, () => r.next());
  close(fit.coefficients[0], era2019.footfallCoef, 0.1);
  close(fit.coefficients[1], era2019.onlineCoef, 0.2);
  const mean2020 = (f: number, o: number) => era2020.intercept + era2020.footfallCoef * f + era2020.onlineCoef * o;
  const typical = [12, 60];
  const ratio = predictLinear(fit, typical) / mean2020(typical[0], typical[1]);
  assert.ok(ratio > 0.45 && ratio < 0.55, `2019 model predicts ${ratio} of 2020 orders`);
});
