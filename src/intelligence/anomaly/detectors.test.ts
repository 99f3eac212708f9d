import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RandomStreams } from '../../sim/rng.js';
import { ConfigError } from '../../runtime/config-error.js';
import { alarmScore, ratioScore, type AnomalyDetector } from './detector.js';
import { SortedWindow } from './sorted-window.js';
import { studentTCdf, studentTQuantile } from './student-t.js';
import { esdCriticalValues, SeasonalEsd } from './seasonal-esd.js';
import { EwmaZScore } from './ewma-zscore.js';
import { MedianMad } from './median-mad.js';
import { HoltWintersResidual } from './holt-winters-residual.js';
import { Cusum } from './cusum.js';
import { AnomalyEnsemble } from './ensemble.js';
import { StaticThreshold } from './static-threshold.js';
import { AnomalyLikelihood } from './anomaly-likelihood.js';
import { RangeBreak } from './range-break.js';
import { RelativeEntropy } from './relative-entropy.js';
import { RepeatSuppression } from './repeat-suppression.js';
import { recommendedDetector } from './recommended.js';
import { SeasonLength } from './season.js';
import { detectorCatalogue } from './catalogue.js';

const fiveMinutesMs = 300_000;

function gaussianStream(seed: number): () => number {
  const rng = new RandomStreams(seed).stream('noise');
  return () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

/** Feeds values (one every five minutes); returns the scores. */
function run(d: AnomalyDetector, values: readonly number[]): number[] {
  return values.map((v, i) => d.update(v, i * fiveMinutesMs));
}

function isConfigError(option: string) {
  return (e: unknown) => e instanceof ConfigError && e.option === option;
}

test('ratioScore: 0 at nothing, 0.5 at the threshold, towards 1 beyond', () => {
  assert.equal(ratioScore(0, 3), 0);
  assert.equal(ratioScore(3, 3), alarmScore);
  assert.ok(ratioScore(30, 3) > 0.9 && ratioScore(30, 3) < 1);
  assert.equal(ratioScore(Number.POSITIVE_INFINITY, 3), 1);
  assert.equal(ratioScore(Number.NaN, 3), 0);
});

test('sorted window: median and MAD of any range agree with sorting by hand', () => {
  const rng = new RandomStreams(11).stream('w');
  const w = new SortedWindow(37);
  const kept: number[] = [];
  for (let step = 0; step < 400; step++) {
    const x = Math.round(rng.next() * 50) / 2; // ties on purpose
    w.push(x);
    kept.push(x);
    if (kept.length > 37) kept.shift();
    const sorted = [...kept].sort((a, b) => a - b);
    const lo = Math.min(step % 5, sorted.length - 1);
    const hi = sorted.length - (step % 3);
    if (hi - lo < 1) continue;
    const part = sorted.slice(lo, hi);
    const med = (xs: number[]) => (xs.length % 2 ? xs[xs.length >> 1] : (xs[xs.length / 2 - 1] + xs[xs.length / 2]) / 2);
    const m = med(part);
    const mad = med(part.map((v) => Math.abs(v - m)).sort((a, b) => a - b));
    assert.equal(w.median(lo, hi), m);
    assert.equal(w.mad(m, lo, hi), mad, `step ${step} [${lo}, ${hi})`);
    assert.equal(w.at(0), sorted[0]);
  }
  assert.equal(w.size, 37);
  assert.throws(() => new SortedWindow(0), isConfigError('capacity'));
});

test('Student t: CDF and quantiles match the tables', () => {
  assert.ok(Math.abs(studentTQuantile(0.975, 10) - 2.228139) < 1e-5);
  assert.ok(Math.abs(studentTQuantile(0.995, 30) - 2.749996) < 1e-5);
  assert.ok(Math.abs(studentTQuantile(0.975, 1) - 12.7062) < 1e-3);
  assert.ok(Math.abs(studentTQuantile(0.025, 10) + 2.228139) < 1e-5);
  assert.ok(Math.abs(studentTCdf(0, 5) - 0.5) < 1e-12);
});

test('generalized ESD critical values: the NIST handbook example (n = 54, alpha 0.05)', () => {
  // NIST/SEMATECH e-Handbook of Statistical Methods, 1.3.5.17.3, Rosner's example.
  const nist = [3.159, 3.151, 3.144, 3.136, 3.128, 3.12, 3.111, 3.103, 3.094, 3.085];
  const ours = esdCriticalValues(54, 10, 0.05);
  for (let i = 0; i < 10; i++) assert.ok(Math.abs(ours[i] - nist[i]) < 0.001, `lambda_${i + 1}: ${ours[i]} vs ${nist[i]}`);
});

test('EWMA z-score: silent on noise, alarms on a spike, refuses a bad configuration', () => {
  const noise = gaussianStream(1);
  const values = Array.from({ length: 500 }, () => 50 + noise());
  values[400] += 12;
  const scores = run(new EwmaZScore(), values);
  assert.ok(scores[400] > 0.7, `spike ${scores[400]}`);
  assert.equal(scores.filter((s, i) => i !== 400 && s >= alarmScore).length, 0);
  assert.ok(scores.slice(0, 30).every((s) => s === 0), 'silent while learning');
  assert.throws(() => new EwmaZScore({ alpha: 0 }), isConfigError('alpha'));
  assert.throws(() => new EwmaZScore({ zThreshold: -1 }), isConfigError('zThreshold'));
  assert.throws(() => new EwmaZScore({ warmupPoints: 0 }), isConfigError('warmupPoints'));
});

test('median/MAD: heavy-tailed noise does not blind it to a shift; window 0 is refused', () => {
  const rng = new RandomStreams(5).stream('t');
  // Cauchy noise: no mean, no variance.
  const cauchy = () => Math.tan(Math.PI * (rng.next() - 0.5));
  const values = Array.from({ length: 800 }, (_, i) => (i >= 600 ? 30 : 10) + cauchy());
  const robust = run(new MedianMad({ windowPoints: 200, smoothPoints: 5, zThreshold: 6 }), values);
  const ewma = run(new EwmaZScore(), values);
  const falseAlarms = (scores: number[]) => scores.slice(100, 600).filter((s) => s >= alarmScore).length;
  assert.ok(robust.slice(600, 610).some((s) => s >= alarmScore), 'the shift is found');
  assert.ok(falseAlarms(robust) < falseAlarms(ewma), `false alarms: median/MAD ${falseAlarms(robust)}, EWMA ${falseAlarms(ewma)}`);
  assert.throws(() => new MedianMad({ windowPoints: 0 }), isConfigError('windowPoints'));
  assert.throws(() => new MedianMad({ zThreshold: 0 }), isConfigError('zThreshold'));
});

/** Five-minute points with a daily peak at noon (a day is 288 points). */
function daily(days: number, seed: number): number[] {
  const noise = gaussianStream(seed);
  return Array.from({ length: days * 288 }, (_, i) => 100 + 40 * Math.exp(-(((i % 288) - 144) ** 2) / 800) + noise());
}

test('Holt-Winters residuals: a value normal at noon is an anomaly at midnight', () => {
  const values = daily(6, 2);
  const midnight = 5 * 288 + 10;
  values[midnight] = 140;
  const scores = run(new HoltWintersResidual(), values);
  assert.ok(scores[midnight] > 0.8, `${scores[midnight]}`);
  const noonsAlarmed = scores.filter((s, i) => i >= 3 * 288 && i !== midnight && s >= alarmScore).length;
  assert.ok(noonsAlarmed <= 2, `${noonsAlarmed} false alarms`);
  assert.throws(() => new HoltWintersResidual({ gamma: 2 }), isConfigError('gamma'));
  assert.throws(() => new HoltWintersResidual({ seasonLength: 1 }), isConfigError('seasonLength'));
  assert.throws(() => new HoltWintersResidual({ seasonLength: 24, seasonMs: 1000 }), isConfigError('seasonMs'));
});

test('seasonal hybrid ESD: finds the point that breaks the daily pattern; the daily peak is normal', () => {
  const values = daily(6, 3);
  const midnight = 5 * 288 + 20;
  values[midnight] = 140;
  const scores = run(new SeasonalEsd(), values);
  assert.ok(scores[midnight] >= alarmScore, `${scores[midnight]}`);
  const others = scores.filter((s, i) => i !== midnight && s >= alarmScore).length;
  assert.ok(others <= 3, `${others} false alarms`);
  assert.throws(() => new SeasonalEsd({ maxAnomalies: 0.9 }), isConfigError('maxAnomalies'));
  assert.throws(() => new SeasonalEsd({ alpha: 1 }), isConfigError('alpha'));
  assert.throws(() => new SeasonalEsd({ windowPoints: 0 }), isConfigError('windowPoints'));
});

test('season length: learnt from the sampling step, or given', () => {
  const s = new SeasonLength({});
  let known: number | undefined;
  for (let i = 0; i < 20 && known === undefined; i++) known = s.observe(i * fiveMinutesMs + (i === 3 ? 1000 : 0));
  assert.equal(known, 288);
  assert.equal(new SeasonLength({ seasonLength: 24 }).observe(0), 24);
});

test('CUSUM: a drift too small for any single point is found; the new level then becomes normal', () => {
  const noise = gaussianStream(4);
  // Flat for 300 points, then a drift of 0.02 sigma per point.
  const values = Array.from({ length: 1200 }, (_, i) => 10 + noise() + (i > 300 ? 0.02 * (i - 300) : 0));
  const scores = run(new Cusum(), values);
  const first = scores.findIndex((s) => s >= alarmScore);
  assert.ok(first > 300 && first < 450, `first alarm at ${first}`);
  assert.ok(scores.slice(60, 300).every((s) => s < alarmScore));
  assert.throws(() => new Cusum({ h: -1 }), isConfigError('h'));
  assert.throws(() => new Cusum({ k: -0.5 }), isConfigError('k'));
  assert.throws(() => new Cusum({ warmupPoints: 0 }), isConfigError('warmupPoints'));
});

test('ensemble: max, median and mean of the members; no members is refused', () => {
  const fixed = (score: number): AnomalyDetector => ({ name: `s${score}`, update: () => score });
  const members = [fixed(0.1), fixed(0.9), fixed(0.2)];
  assert.equal(new AnomalyEnsemble({ members }).update(1, 0), 0.9);
  assert.equal(new AnomalyEnsemble({ members, combine: 'median' }).update(1, 0), 0.2);
  assert.ok(Math.abs(new AnomalyEnsemble({ members, combine: 'mean' }).update(1, 0) - 0.4) < 1e-12);
  assert.equal(new AnomalyEnsemble({ members }).name, 'ensemble-max(s0.1,s0.9,s0.2)');
  assert.throws(() => new AnomalyEnsemble({ members: [] }), isConfigError('members'));
  assert.throws(() => new AnomalyEnsemble({ members, combine: 'min' as 'max' }), isConfigError('combine'));
});

test('static threshold: a fixed band, from a quiet period or given', () => {
  const s = StaticThreshold.fromQuietPeriod([9, 11, 9, 11]);
  assert.equal(s.above, 13);
  assert.equal(s.below, 7);
  assert.deepEqual([12, 14, 6].map((v) => s.update(v)), [0, 1, 1]);
  assert.throws(() => new StaticThreshold({}), isConfigError('above'));
  assert.throws(() => new StaticThreshold({ above: 1, below: 2 }), isConfigError('below'));
  assert.throws(() => StaticThreshold.fromQuietPeriod([1, 2], -3), isConfigError('sigmas'));
});

test('anomaly likelihood: a burst of raw scores on a quiet stream is red once, then yellow', () => {
  const noise = gaussianStream(6);
  const raw: number[] = Array.from({ length: 1000 }, () => Math.abs(noise()) * 0.05);
  for (let i = 800; i < 830; i++) raw[i] = 0.9;
  let at = 0;
  const inner: AnomalyDetector = { name: 'raw', update: () => raw[at++] };
  const likelihood = new AnomalyLikelihood({ inner, learningPoints: 100, estimationPoints: 100 });
  const scores = raw.map((_, i) => likelihood.update(i, i));
  assert.ok(scores.slice(0, 200).every((s) => s === 0), 'silent while learning');
  const alarms = scores.map((s, i) => (s >= alarmScore ? i : -1)).filter((i) => i >= 0);
  assert.ok(alarms.length > 0 && alarms[0] >= 800 && alarms[0] <= 805, `alarms ${alarms.slice(0, 5)}`);
  // Consecutive red-zone points after the first read as yellow (tail 1e-3: log score 0.3).
  assert.ok(scores[alarms[0] + 1] < alarmScore);
  assert.ok(scores.slice(200, 800).every((s) => s < alarmScore));
  assert.equal(likelihood.name, 'likelihood(raw)');
  assert.throws(() => new AnomalyLikelihood({ inner, averagePoints: 0 }), isConfigError('averagePoints'));
});

test('range break: a level never seen before, by more than the tolerance', () => {
  const r = new RangeBreak({ warmupPoints: 2 });
  const got = [0, 10, 5, 10.4, 11, 20].map((v) => r.update(v));
  const expected = [0, 0, 0, ratioScore(0.04, 0.05), ratioScore(0.6 / 10.4, 0.05), ratioScore(9 / 11, 0.05)];
  for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i] - expected[i]) < 1e-12, `${i}: ${got[i]} vs ${expected[i]}`);
  assert.ok(got[3] < alarmScore && got[4] > alarmScore);
  assert.throws(() => new RangeBreak({ tolerance: 0 }), isConfigError('tolerance'));
});

test('repeat suppression: one alarm per incident, order kept inside the hold', () => {
  const scores = [0.1, 0.8, 0.9, 0.7, 0.2, 0.95];
  let at = 0;
  const q = new RepeatSuppression({ inner: { name: 'x', update: () => scores[at++] }, quietPoints: 3 });
  const out = scores.map((_, i) => q.update(0, i));
  assert.deepEqual(out, [0.1, 0.8, 0.9 * 0.49, 0.7 * 0.49, 0.2 * 0.49, 0.95]);
  assert.throws(() => new RepeatSuppression({ inner: q, quietFactor: 0.5 }), isConfigError('quietFactor'));
});

test('the recommended detector alarms on a break of the daily pattern and on a new level', () => {
  const values = daily(8, 9);
  // Half an hour at the noon level in the middle of the night.
  const offPattern = 6 * 288 + 30;
  for (let i = offPattern; i < offPattern + 6; i++) values[i] = 138;
  const newLevel = 7 * 288 + 100;
  values[newLevel] = 400;
  const scores = run(recommendedDetector(), values);
  const offAlarm = scores.findIndex((s, i) => i >= offPattern && s >= alarmScore);
  assert.ok(offAlarm >= offPattern && offAlarm < offPattern + 6, `off-pattern scores ${scores.slice(offPattern, offPattern + 6)}`);
  assert.ok(scores.slice(3 * 288, offPattern).every((s) => s < alarmScore), 'no alarm before it');
  assert.ok(scores[newLevel] >= alarmScore, `new level ${scores[newLevel]}`);
  assert.equal(recommendedDetector().name, 'recommended');
});

test('a missing point (NaN, Infinity) is skipped by every detector: score 0, state unharmed', () => {
  const values = daily(4, 12);
  const gap = 3 * 288 + 50;
  for (const [name, make] of Object.entries(detectorCatalogue)) {
    const clean = run(make(), values);
    const d = make();
    const holed = values.flatMap((v, i) => (i === gap ? [Number.NaN, Number.POSITIVE_INFINITY, v] : [v]));
    const scores = holed.map((v, i) => d.update(v, i * fiveMinutesMs));
    assert.equal(scores[gap], 0, name);
    assert.equal(scores[gap + 1], 0, name);
    assert.ok(scores.every((s) => s >= 0 && s <= 1), name);
    // The stream after the hole scores as if the hole were not there (time aside).
    const after = scores.slice(gap + 2);
    const expected = clean.slice(gap);
    const close = after.filter((s, i) => Math.abs(s - expected[i]) < 1e-9).length;
    assert.ok(close > 0.9 * after.length, `${name}: ${close}/${after.length}`);
  }
});

test('relative entropy: silent once a stationary stream\'s distribution is known, alarms when the spread changes, and keeps its hypotheses bounded', () => {
  const rng = new RandomStreams(5).stream('relative-entropy');
  const d = new RelativeEntropy({ hypothesesMax: 8 });
  const alarmsIn = (n: number, spread: number, level: number) => {
    let alarms = 0;
    for (let i = 0; i < n; i++) if (d.update(level + spread * (rng.next() + rng.next() + rng.next() - 1.5)) > 0) alarms++;
    return alarms;
  };
  alarmsIn(1_000, 1, 10); // learning: the first windows set the hypotheses
  assert.ok(alarmsIn(1_000, 1, 10) <= 5, 'a known distribution raises (nearly) nothing');
  // The level holds, the spread collapses: every point is within the old range, yet the window's
  // distribution (all in the middle bins) is new.
  assert.ok(alarmsIn(200, 0.1, 10) >= 1, 'a change of spread is noticed');
  assert.throws(() => new RelativeEntropy({ noveltyScore: 0 }), ConfigError);
  // Hypotheses are capped: a stream that never repeats still costs bounded memory.
  for (let i = 0; i < 5_000; i++) d.update(i % 2 === 0 ? i : -i);
  assert.ok((d as unknown as { hypotheses: unknown[] }).hypotheses.length <= 8);
});
