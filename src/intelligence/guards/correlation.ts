/**
 * Correlation between paired samples: how far one series follows another.
 *
 * - Pearson's r: the covariance over the product of the standard deviations; linear association.
 * - Spearman's rho: Pearson's r of the ranks (ties share the mean of their ranks, as scipy.stats.spearmanr
 *   does), so any monotone relation scores 1 and a few wild values weigh no more than their rank.
 * - Fisher's z (Fisher 1921): atanh(r) is nearly normal with variance 1 / (n - 3), which makes two
 *   correlations from independent samples comparable: z = (atanh r1 - atanh r2) / sqrt(1/(n1-3) + 1/(n2-3)).
 *
 * A series with no variation has no correlation with anything: r is NaN then, not 0, so that a
 * caller cannot mistake "no data to judge" for "no relation".
 */
import { ConfigError } from '../../runtime/config-error.js';

/** |r| above this is treated as this in Fisher's transform (atanh(0.999999) = 7.25). */
const RHO_ABS_MAX = 0.999999;

function samePairs(xs: readonly number[], ys: readonly number[]): void {
  if (xs.length !== ys.length) throw new ConfigError('ys', `as many values as xs (${xs.length})`, ys.length);
}

/** Pearson's product-moment correlation; NaN when fewer than two pairs or either side is constant. */
export function pearson(xs: readonly number[], ys: readonly number[]): number {
  samePairs(xs, ys);
  const n = xs.length;
  if (n < 2) return NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i];
    my += ys[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i] - mx;
    const dy = ys[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return NaN;
  // Rounding can push |r| a hair past 1 for perfectly linear data.
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** Ranks from 1, ties given the mean of the ranks they span ("average" ranking). */
export function ranks(xs: readonly number[]): number[] {
  const order = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b]);
  const out = new Array<number>(xs.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && xs[order[j + 1]] === xs[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k]] = rank;
    i = j + 1;
  }
  return out;
}

/** Spearman's rank correlation: Pearson's r of the average ranks. */
export function spearman(xs: readonly number[], ys: readonly number[]): number {
  samePairs(xs, ys);
  return pearson(ranks(xs), ranks(ys));
}

/**
 * Fisher's z for the difference r1 - r2 of correlations measured on independent samples of n1 and
 * n2 pairs: about standard normal when the true correlations are equal. NaN when either r is NaN
 * or a sample has 3 pairs or fewer.
 */
export function fisherZDifference(r1: number, n1: number, r2: number, n2: number): number {
  if (!(n1 > 3 && n2 > 3) || Number.isNaN(r1) || Number.isNaN(r2)) return NaN;
  // atanh(±1) is infinite: clamp to keep a perfect correlation comparable.
  const clamp = (r: number) => Math.max(-RHO_ABS_MAX, Math.min(RHO_ABS_MAX, r));
  return (Math.atanh(clamp(r1)) - Math.atanh(clamp(r2))) / Math.sqrt(1 / (n1 - 3) + 1 / (n2 - 3));
}
