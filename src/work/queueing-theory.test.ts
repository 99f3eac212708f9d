import { test } from 'node:test';
import assert from 'node:assert/strict';
import { erlangC, mmcMeanWait } from './queueing-theory.js';

test('Erlang C matches known values', () => {
  assert.ok(Math.abs(erlangC(10, 9) - 0.668732) < 1e-6);
  assert.ok(Math.abs(erlangC(2, 1) - 1 / 3) < 1e-12);
  assert.ok(Math.abs(erlangC(1, 0.5) - 0.5) < 1e-12); // M/M/1: P(wait) = rho
});

test('Erlang C agrees with the direct formula', () => {
  const direct = (c: number, a: number) => {
    let fact = 1, sum = 0;
    for (let k = 0; k < c; k++) {
      if (k > 0) fact *= k;
      sum += a ** k / fact;
    }
    const top = (a ** c / (fact * c)) * (c / (c - a));
    return top / (sum + top);
  };
  for (const [c, a] of [[3, 2], [5, 4], [20, 15], [50, 45]]) assert.ok(Math.abs(erlangC(c, a) - direct(c, a)) < 1e-9, `c=${c} a=${a}`);
});

test('mean wait: M/M/1 Wq = rho / (mu - lambda); saturated queues wait forever', () => {
  // mu = 1/10 per ms, lambda = 1/20 per ms: Wq = 0.5 / (0.1 - 0.05) = 10 ms
  assert.ok(Math.abs(mmcMeanWait(1, 0.5, 10) - 10) < 1e-9);
  assert.equal(mmcMeanWait(2, 2, 10), Infinity);
  assert.equal(erlangC(2, 3), 1);
  assert.throws(() => erlangC(0, 1), RangeError);
});
