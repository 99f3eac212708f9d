import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RandomStreams } from '../../sim/rng.js';
import { ConfigError } from '../../runtime/config-error.js';
import { Ewma } from './ewma.js';
import { HoltWinters } from './holt-winters.js';

function gaussian(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

test('EWMA: mean and variance of a stationary series converge to the true ones', () => {
  const rng = new RandomStreams(1).stream('ewma');
  const e = new Ewma(0.01);
  for (let i = 0; i < 20_000; i++) e.update(10 + 2 * gaussian(() => rng.next()));
  assert.ok(Math.abs(e.mean - 10) < 0.3, `mean ${e.mean}`);
  assert.ok(Math.abs(e.stdDev - 2) < 0.3, `std ${e.stdDev}`);
  assert.equal(e.observations, 20_000);
});

test('EWMA: alpha 1 remembers only the last value; the first value sets the mean', () => {
  const e = new Ewma(1);
  e.update(5);
  assert.equal(e.mean, 5);
  assert.equal(e.variance, 0);
  e.update(7);
  assert.equal(e.mean, 7);
  const half = new Ewma(0.5);
  half.update(0);
  half.update(4);
  assert.equal(half.mean, 2);
  assert.equal(half.variance, 0.5 * (0 + 4 * 2));
});

test('EWMA: alpha outside (0, 1] is refused, naming the field', () => {
  for (const bad of [0, -0.1, 1.5, Number.NaN]) {
    assert.throws(() => new Ewma(bad), (e: unknown) => e instanceof ConfigError && e.option === 'alpha');
  }
});

test('Holt-Winters: recovers a sine + trend + noise series; one-step errors near the noise level', () => {
  const rng = new RandomStreams(7).stream('hw');
  const L = 24;
  const noiseStd = 0.5;
  const truth = (t: number) => 100 + 0.05 * t + 10 * Math.sin((2 * Math.PI * t) / L);
  const hw = new HoltWinters({ alpha: 0.2, beta: 0.01, gamma: 0.2, seasonLength: L });
  let absError = 0;
  let counted = 0;
  let lastForecastOfTruth = 0;
  for (let t = 0; t < 30 * L; t++) {
    if (hw.ready && t >= 10 * L) {
      const f = hw.forecast(1);
      absError += Math.abs(f - truth(t));
      counted++;
      lastForecastOfTruth = f - truth(t);
    }
    hw.update(truth(t) + noiseStd * gaussian(() => rng.next()));
  }
  assert.equal(hw.observations, 30 * L);
  // The forecast tracks the noiseless signal: mean error well below the noise itself.
  assert.ok(absError / counted < noiseStd, `mean |forecast - truth| ${absError / counted}`);
  assert.ok(Math.abs(lastForecastOfTruth) < 3 * noiseStd);
  // A day ahead: the trend carries on.
  const t = 30 * L - 1 + L;
  assert.ok(Math.abs(hw.forecast(L) - truth(t)) < 1, `day-ahead ${hw.forecast(L)} vs ${truth(t)}`);
});

test('Holt-Winters: forecasts tomorrow\'s daily spike at the right step', () => {
  // Hourly points; a spike of +50 at 09:00 every day over a flat 20.
  const L = 24;
  const spikeHour = 9;
  const rng = new RandomStreams(3).stream('spike');
  const hw = new HoltWinters({ alpha: 0.1, beta: 0, gamma: 0.3, seasonLength: L });
  const days = 6;
  for (let t = 0; t < days * L; t++) hw.update(20 + (t % L === spikeHour ? 50 : 0) + gaussian(() => rng.next()));
  // The last update was 23:00 of the last day: 10 steps ahead is 09:00 tomorrow.
  const ahead = Array.from({ length: L }, (_, i) => hw.forecast(i + 1));
  const peak = ahead.indexOf(Math.max(...ahead));
  assert.equal((days * L - 1 + peak + 1) % L, spikeHour);
  assert.ok(ahead[peak] > 60, `spike forecast ${ahead[peak]}`);
  for (let i = 0; i < L; i++) if (i !== peak) assert.ok(Math.abs(ahead[i] - 20) < 3, `hour ${i}: ${ahead[i]}`);
});

test('Holt-Winters: not ready before two seasons; forecast then throws', () => {
  const hw = new HoltWinters({ alpha: 0.5, beta: 0.1, gamma: 0.1, seasonLength: 4 });
  for (let i = 0; i < 7; i++) hw.update(i % 4);
  assert.equal(hw.ready, false);
  assert.throws(() => hw.forecast(1), /not ready: needs 8 observations/);
  hw.update(3);
  assert.equal(hw.ready, true);
  // A perfectly periodic series: the forecast repeats it exactly.
  assert.ok(Math.abs(hw.forecast(1) - 0) < 1e-9);
  assert.ok(Math.abs(hw.forecast(3) - 2) < 1e-9);
  assert.throws(() => hw.forecast(0), (e: unknown) => e instanceof ConfigError && e.option === 'stepsAhead');
});

test('Holt-Winters: bad options are refused, naming the field', () => {
  const ok = { alpha: 0.5, beta: 0.1, gamma: 0.1, seasonLength: 24 };
  const cases: [Partial<typeof ok>, string][] = [
    [{ alpha: -0.1 }, 'alpha'],
    [{ beta: 1.2 }, 'beta'],
    [{ gamma: Number.NaN }, 'gamma'],
    [{ seasonLength: 1 }, 'seasonLength'],
    [{ seasonLength: 2.5 }, 'seasonLength'],
  ];
  for (const [change, field] of cases) {
    assert.throws(() => new HoltWinters({ ...ok, ...change }), (e: unknown) => e instanceof ConfigError && e.option === field);
  }
  assert.doesNotThrow(() => new HoltWinters({ alpha: 0, beta: 1, gamma: 0, seasonLength: 2 }));
});
