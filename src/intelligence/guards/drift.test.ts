/**
 * Drift detection on inputs: PSI, the two-sample Kolmogorov-Smirnov test, and the monitor that runs both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RandomStreams } from '../../sim/rng.js';
import { PopulationStability, psi, psiBand } from './population-stability.js';
import { kolmogorovSurvival, ksAsymptoticPValue, ksExactPValue, ksStatistic, ksTwoSample } from './kolmogorov-smirnov.js';
import { InputDriftMonitor } from './input-drift-monitor.js';

const close = (a: number, b: number, eps: number) => assert.ok(Math.abs(a - b) <= eps, `${a} vs ${b} (eps ${eps})`);

/** n normal draws from a seeded stream (Box-Muller). */
function normals(seed: number, n: number, mu = 0, sigma = 1): number[] {
  const r = new RandomStreams(seed).stream('normals');
  return Array.from({ length: n }, () => mu + sigma * Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next()));
}

test('PSI of binned fractions, by hand: (a - e) ln(a / e) summed', () => {
  // 2 bins, half and half -> a quarter and three quarters: 0.25 ln 2 + 0.25 ln 1.5.
  close(psi([0.5, 0.5], [0.25, 0.75]), 0.25 * Math.log(2) + 0.25 * Math.log(1.5), 1e-15);
  close(psi([0.5, 0.5], [0.25, 0.75]), 0.2746530721670274, 1e-15);
  // Deciles; two bins lose half their share to two that gain it: 0.1 ln 2 + 0.1 ln 1.5 = 0.10986, "moderate".
  const drifted = psi(Array(10).fill(0.1), [0.05, 0.05, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.15, 0.15]);
  close(drifted, 0.10986122886681095, 1e-12);
  assert.equal(psiBand(drifted), 'moderate');
  assert.equal(psiBand(0.09), 'stable');
  assert.equal(psiBand(0.25), 'significant');
  assert.equal(psi([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]), 0);
  // An empty bin counts as 1e-4 instead of making the log infinite.
  assert.ok(Number.isFinite(psi([0.5, 0.5], [0, 1])));
});

test('PSI bins at the reference deciles: the same population scores near 0, a shifted one far past 0.25', () => {
  const reference = Array.from({ length: 1000 }, (_, i) => i);
  const p = new PopulationStability(reference);
  assert.deepEqual(p.edges, [100, 200, 300, 400, 500, 600, 700, 800, 900]);
  assert.ok(p.expected.every((f) => f === 0.1));
  assert.equal(p.score(reference).psi, 0);
  // A sample from the top half only: five bins empty, five doubled.
  const top = p.score(Array.from({ length: 500 }, (_, i) => 500 + i));
  close(top.psi, 5 * (0.2 - 0.1) * Math.log(2) + 5 * (1e-4 - 0.1) * Math.log(1e-4 / 0.1), 1e-9);
  assert.equal(top.band, 'significant');
  // Normal samples: the same distribution stays stable, half a standard deviation of shift does not.
  const ref = new PopulationStability(normals(1, 2000));
  assert.equal(ref.score(normals(2, 1000)).band, 'stable');
  assert.ok(ref.score(normals(3, 1000, 0.5)).psi > 0.2);
  assert.throws(() => new PopulationStability([1, 2, 3], { bins: 10 }), /reference: expected at least as many values as bins \(10\)/);
  assert.throws(() => new PopulationStability([1, 2, 3], { bins: 0 }), /bins: expected a positive integer/);
});

test('KS statistic and exact p-values match scipy.stats.ks_2samp', () => {
  assert.deepEqual(ksTwoSample([1, 2, 3], [4, 5, 6]), { statistic: 1, pValue: 0.1, method: 'exact' }); // 2 / C(6, 3)
  const four = ksTwoSample([1, 2, 3, 4], [5, 6, 7, 8]);
  close(four.pValue, 0.028571428571428577, 1e-15); // 2 / C(8, 4)
  assert.deepEqual(ksTwoSample([1, 3, 5], [2, 4, 6]), { statistic: 1 / 3, pValue: 1, method: 'exact' });
  const a = [0.61, 0.29, 0.06, 0.59, -1.73, -0.74, 0.51, -0.56, 0.39, 1.64, 0.05, -0.06, 0.64, -0.82, 0.37, 1.77, 1.09, -1.28, 2.36, 1.31, 1.05, -0.32, -0.4, 1.06, -2.47];
  const b = [2.2, 1.66, 1.38, 0.2, 0.36, 0, 0.96, 1.56, 0.44, 1.5, -0.3, 0.66, 2.31, 3.29, -0.27, -0.37, 0.38, 0.7, 0.52, -0.71];
  const r = ksTwoSample(a, b);
  close(r.statistic, 0.23, 1e-12);
  close(r.pValue, 0.5286364448145011, 1e-12); // scipy 1.17, method exact
  // Stephens' asymptotic form at the same D: kstwobign.sf((en + 0.12 + 0.11 / en) * D), en = sqrt(500 / 45).
  close(ksAsymptoticPValue(0.23, 25, 20), 0.5411245537216747, 1e-12);
});

test('the exact p-value equals the permutation count: every split of 1..9 into 4 and 5', () => {
  // Under the null hypothesis each of the C(9, 4) = 126 splits is equally likely: count those with D >= d.
  const values = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  const ds: number[] = [];
  for (let mask = 0; mask < 1 << 9; mask++) {
    const a = values.filter((_, i) => mask & (1 << i));
    if (a.length !== 4) continue;
    ds.push(ksStatistic(a, values.filter((_, i) => !(mask & (1 << i)))));
  }
  assert.equal(ds.length, 126);
  for (const d of new Set(ds)) close(ksExactPValue(d, 4, 5), ds.filter((x) => x >= d - 1e-12).length / 126, 1e-12);
});

test('the exact count keeps a tiny p-value: 1..50 against 51..100 is 2 / C(100, 50)', () => {
  const r = ksTwoSample(Array.from({ length: 50 }, (_, i) => i + 1), Array.from({ length: 50 }, (_, i) => i + 51));
  assert.equal(r.method, 'exact');
  close(r.pValue / (2 / 1.0089134454556419e29), 1, 1e-9);
});

test('the Kolmogorov distribution: scipy.stats.kstwobign.sf values, and the 5% and 1% critical values', () => {
  const table: [number, number][] = [
    [0.3, 0.9999906941986655],
    [0.5, 0.9639452436648751],
    [1.0, 0.26999967167735456],
    [1.2, 0.11224966667072497],
    [1.3581, 0.0499996304316674],
    [1.6276, 0.010001537333060776],
    [2.0, 0.0006709252557796953],
  ];
  for (const [lambda, q] of table) close(kolmogorovSurvival(lambda), q, 1e-14);
  close(kolmogorovSurvival(3) / 3.045995948942526e-8, 1, 1e-12);
  assert.equal(kolmogorovSurvival(0), 1);
  // Both series agree where one hands over to the other.
  close(kolmogorovSurvival(1.1799999), kolmogorovSurvival(1.18), 1e-7);
});

test('large samples use the asymptotic p-value: the same population passes, a shifted one is rejected', () => {
  const same = ksTwoSample(normals(10, 300), normals(11, 400));
  assert.equal(same.method, 'asymptotic');
  assert.ok(same.pValue > 0.05, `same population p = ${same.pValue}`);
  const shifted = ksTwoSample(normals(10, 300), normals(12, 400, 0.5));
  assert.ok(shifted.pValue < 1e-6, `shifted p = ${shifted.pValue}`);
  assert.throws(() => ksTwoSample([], [1]), /a: expected a sample of at least one value/);
});

test('the drift monitor flags a shift within a window of it, and not before', () => {
  const m = new InputDriftMonitor({ referenceSize: 500, windowSize: 200, checkEvery: 20 });
  for (const x of normals(20, 1500, 50, 10)) assert.equal(m.observe(x)?.drifted ?? false, false);
  assert.equal(m.firstDrift, undefined);
  assert.equal(m.last!.band, 'stable');
  const before = m.observed;
  let flagged: number | undefined;
  for (const x of normals(21, 400, 20, 10)) {
    const c = m.observe(x);
    if (c?.drifted && flagged === undefined) flagged = m.observed - before;
  }
  assert.ok(flagged !== undefined && flagged <= 60, `flagged after ${flagged} shifted values`);
  assert.equal(m.firstDrift!.observed, before + flagged!);
  assert.equal(m.last!.band, 'significant');
  assert.throws(() => new InputDriftMonitor({ referenceSize: 5, windowSize: 10 }), /referenceSize: expected at least as many values as bins \(10\)/);
  assert.throws(() => new InputDriftMonitor({ referenceSize: 100, windowSize: 0 }), /windowSize: expected a positive integer/);
  assert.throws(() => new InputDriftMonitor({ referenceSize: 100, windowSize: 10, pValueMin: 2 }), /pValueMin: expected a number in \(0, 1\]/);
});
