import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RandomStreams } from '../../sim/rng.js';
import { ConfigError } from '../../runtime/config-error.js';
import { alarmScore } from './detector.js';
import { AdaptiveResonance } from './adaptive-resonance.js';
import { FuzzyArt } from './fuzzy-art.js';

const dayPoints = 288;

/** A daily sine around 10 with a little Gaussian noise: stationary, as a healthy metric is. */
function dailySine(seed: number, points = 3000): number[] {
  const rng = new RandomStreams(seed).stream('noise');
  return Array.from({ length: points }, (_, i) => {
    const noise = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    return 10 + 3 * Math.sin((2 * Math.PI * i) / dayPoints) + 0.3 * noise;
  });
}

function scores(values: readonly number[], opts = {}): number[] {
  const d = new AdaptiveResonance(opts);
  return values.map((v) => d.update(v));
}

const isConfigError = (option: string) => (e: unknown) => e instanceof ConfigError && e.option === option;

test('fuzzy ART: a learned input resonates fully, a distant one mismatches, and no more categories than allowed', () => {
  const art = new FuzzyArt({ features: 4, energyFeature: 3, categoriesMax: 8 });
  art.lowerVigilance = 0.8;
  art.upperVigilance = 0.9;
  const a = [0.1, 0.2, 0.3, 0.4];
  assert.equal(art.present(a).mismatch, true, 'the first input is unlike the whole-space category');
  const again = art.present(a);
  assert.equal(again.similarity, 1);
  assert.equal(again.mismatch, false);
  assert.equal(art.present([0.9, 0.1, 0.8, 0.95]).mismatch, true);
  const rng = new RandomStreams(3).stream('x');
  for (let i = 0; i < 200; i++) art.present([rng.next(), rng.next(), rng.next(), rng.next()]);
  assert.equal(art.categories, 8);
});

test('fuzzy ART: re-expressed in a wider frame, a learned input still resonates fully', () => {
  const art = new FuzzyArt({ features: 2, energyFeature: 1 });
  art.lowerVigilance = 0.8;
  art.upperVigilance = 0.9;
  art.present([0.6, 0.8]);
  // The frame doubles to the upper side: x -> x / 2.
  art.reframe(0, 2, 0.5, 0);
  assert.equal(art.present([0.3, 0.4], false).similarity, 1);
  assert.ok(art.present([0.6, 0.8], false).similarity < 0.8, 'the old coordinates no longer match');
});

test('adaptive resonance: a stationary daily series never nears full confidence, a spike reaches it at once', () => {
  for (let seed = 1; seed <= 5; seed++) {
    const calm = scores(dailySine(seed));
    const worst = Math.max(...calm);
    assert.ok(worst < 0.9, `seed ${seed}: a stationary series scored ${worst}`);
    const spiked = dailySine(seed);
    for (let i = 2000; i < 2004; i++) spiked[i] += 8;
    const s = scores(spiked);
    const first = s.findIndex((x) => x >= 0.9);
    assert.equal(first, 2003, `seed ${seed}: the spike's step ends at 2003, first near-certain score at ${first}`);
    assert.equal(s[first], 1);
  }
});

test('adaptive resonance: after a spike widens the frame, the daily pattern raises no alarm', () => {
  // What was learned is re-expressed in the wider frame; without that, the same days look new.
  for (let seed = 1; seed <= 5; seed++) {
    const values = dailySine(seed, 4000);
    for (let i = 1500; i < 1504; i++) values[i] += 30;
    const s = scores(values);
    assert.equal(s[1503], 1, `seed ${seed}`);
    const later = s.slice(1600).findIndex((x) => x >= alarmScore);
    assert.equal(later, -1, `seed ${seed}: alarm at ${1600 + later}`);
  }
});

test('adaptive resonance: silent while learning, maxScore scales, deterministic, missing points skipped', () => {
  const values = dailySine(2);
  for (let i = 300; i < 304; i++) values[i] += 8; // inside the learning period: 13 windows of 8 steps of 4 points
  const s = scores(values);
  assert.ok(s.slice(0, 13 * 8 * 4).every((x) => x === 0));
  assert.deepEqual(scores(values), s);
  const scaled = scores(values, { maxScore: 0.7 });
  s.forEach((x, i) => assert.ok(Math.abs(scaled[i] - 0.7 * x) < 1e-12));
  const d = new AdaptiveResonance();
  assert.equal(d.update(Number.NaN), 0);
});

test('adaptive resonance: options are checked', () => {
  assert.throws(() => new AdaptiveResonance({ windowPoints: 6 }), isConfigError('windowPoints'));
  assert.throws(() => new AdaptiveResonance({ stepPoints: 0 }), isConfigError('stepPoints'));
  assert.throws(() => new AdaptiveResonance({ maxScore: 0 }), isConfigError('maxScore'));
  assert.throws(() => new AdaptiveResonance({ rangeMargin: -1 }), isConfigError('rangeMargin'));
});
