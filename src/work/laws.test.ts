import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RandomStreams } from '../sim/rng.js';
import { amdahlSpeedup, betaForOverhead, coordinationPaths, fitUsl, uslCapacity, uslOverhead, uslPeak } from './laws.js';
import { erlangC } from './queueing-theory.js';

test('Amdahl: 95% parallel gives 5.93x on 8 workers and never more than 20x', () => {
  assert.ok(Math.abs(amdahlSpeedup(0.95, 8) - 5.9259) < 1e-4);
  assert.ok(amdahlSpeedup(0.95, 1e9) < 20);
  assert.ok(amdahlSpeedup(0.95, 1e9) > 19.99);
  assert.throws(() => amdahlSpeedup(1.5, 2), /p: expected a fraction/);
});

test('USL closed forms: C(8) = 5.6899, C(32) = 9.03 (not the seeds\' 16), N* = 30.8 for alpha 0.05, beta 0.001', () => {
  assert.ok(Math.abs(uslCapacity(0.05, 0.001, 8) - 5.6899) < 1e-4);
  assert.ok(Math.abs(uslCapacity(0.05, 0.001, 32) - 9.0345) < 1e-4);
  assert.ok(Math.abs(uslPeak(0.05, 0.001) - 30.822) < 1e-3);
  // Past the peak, more workers do less.
  assert.ok(uslCapacity(0.05, 0.001, 64) < uslCapacity(0.05, 0.001, 31));
  // beta = 0 is Amdahl: it flattens at 1 / alpha and never peaks.
  assert.ok(Math.abs(uslCapacity(0.05, 0, 8) - amdahlSpeedup(0.95, 8)) < 1e-12);
  assert.equal(uslPeak(0.05, 0), Infinity);
});

test('USL fit recovers alpha, beta and lambda within 10% from measurements with ±1% noise at N = 1..64', () => {
  const s = new RandomStreams(11).stream('noise');
  const lambda = 1000;
  for (const [alpha, beta] of [[0.05, 0.001], [0.1, 0.0005], [0.02, 0.002]]) {
    const points = [1, 2, 4, 8, 12, 16, 24, 32, 48, 64].map((n) => ({ n, x: lambda * uslCapacity(alpha, beta, n) * (1 + (s.next() - 0.5) * 0.02) }));
    const fit = fitUsl(points);
    assert.ok(Math.abs(fit.alpha - alpha) / alpha < 0.1, `alpha ${fit.alpha} vs ${alpha}`);
    assert.ok(Math.abs(fit.beta - beta) / beta < 0.1, `beta ${fit.beta} vs ${beta}`);
    assert.ok(Math.abs(fit.lambda - lambda) / lambda < 0.05, `lambda ${fit.lambda}`);
    assert.ok(fit.r2 > 0.98, `r2 ${fit.r2}`);
  }
  // Exact points fit exactly.
  const exact = fitUsl([1, 2, 4, 8, 16, 32].map((n) => ({ n, x: 100 * uslCapacity(0.05, 0.001, n) })));
  assert.ok(Math.abs(exact.alpha - 0.05) < 1e-4 && Math.abs(exact.beta - 0.001) < 1e-6 && Math.abs(exact.nStar - 30.822) < 0.01);
});

test('USL fit keeps alpha and beta non-negative when the data scale better than linearly', () => {
  const fit = fitUsl([1, 2, 4, 8].map((n) => ({ n, x: 100 * n * (1 + 0.01 * n) })));
  assert.ok(fit.alpha >= 0 && fit.beta >= 0);
  assert.throws(() => fitUsl([{ n: 1, x: 1 }]), /points: expected at least 3/);
  assert.throws(() => fitUsl([{ n: 1, x: 1 }, { n: 2, x: 0 }, { n: 3, x: 1 }]), /points\[1\]\.x/);
});

test('Erlang C against its textbook values', () => {
  assert.ok(Math.abs(erlangC(2, 1) - 1 / 3) < 1e-12);
  assert.ok(Math.abs(erlangC(10, 9) - 0.668732) < 1e-6);
});

test('the coordination law: N(N-1)/2 paths; the seed\'s 55% / 98% / 99.8% need a different beta each', () => {
  assert.deepEqual([10, 100, 1000].map(coordinationPaths), [45, 4950, 499500]);
  // At the beta that gives 55% at 10 workers, 100 and 1,000 workers lose more than the seed says.
  const b10 = betaForOverhead(0, 10, 0.55)!;
  assert.ok(Math.abs(uslOverhead(0, b10, 10) - 0.55) < 1e-12);
  assert.ok(uslOverhead(0, b10, 100) > 0.99);
  const b100 = betaForOverhead(0, 100, 0.98)!;
  const b1000 = betaForOverhead(0, 1000, 0.998)!;
  assert.ok(b10 / b1000 > 25, `${b10} vs ${b1000}`);
  assert.ok(Math.abs(b100 - 0.00495) < 1e-5);
  // Fitting alpha and beta to 10 and 100 workers misses 1,000: 99.98%, not 99.8%.
  const k10 = 1 / 0.45 - 1, k100 = 1 / 0.02 - 1;
  const beta = (k100 - 11 * k10) / (9900 - 11 * 90);
  const alpha = (k10 - 90 * beta) / 9;
  assert.ok(Math.abs(uslOverhead(alpha, beta, 100) - 0.98) < 1e-9);
  assert.ok(uslOverhead(alpha, beta, 1000) > 0.9997);
  assert.equal(betaForOverhead(0.5, 10, 0.1), undefined); // alpha alone loses more than 10%
});
