/**
 * The two-sample Kolmogorov-Smirnov test: were two samples drawn from the same distribution? It
 * needs no bins and no assumption about the shape: the statistic is the largest vertical distance
 * between the two empirical distribution functions,
 *
 *     D = sup_x | F_a(x) - F_b(x) |
 *
 * and its p-value, the chance of a D at least this large if both came from one continuous
 * distribution, comes from
 *
 * - small samples (m * n <= EXACT_PAIRS_MAX): the exact count of Hodges (1957). Under the null
 *   hypothesis each of the C(m + n, m) ways to interleave the two sorted samples is equally likely;
 *   an interleaving is a lattice path from (0, 0) to (m, n), and D >= d exactly when the path
 *   touches |i/m - j/n| >= d. Paths are counted up to their first touch and multiplied by the
 *   number of ways to finish, so a tiny p-value is not lost to 1 - (almost 1).
 * - larger samples: the limiting Kolmogorov distribution,
 *       Q_KS(lambda) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 lambda^2)
 *   at lambda = (sqrt(ne) + 0.12 + 0.11 / sqrt(ne)) D with ne = m n / (m + n), Stephens' (1970)
 *   correction that makes it good from ne of about 4 (Numerical Recipes, 3rd ed., 14.3.3; the
 *   formula scipy.stats.ks_2samp used for method "asymp" up to scipy 1.4).
 *
 * Ties across the samples make the test conservative (the p-values are too large), as in scipy.
 */
import { ConfigError } from '../../runtime/config-error.js';

/** Above this many pairs (m * n) the p-value is the asymptotic one (the exact count costs m * n steps). */
export const EXACT_PAIRS_MAX = 10_000;

export interface KsResult {
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymptotic';
}

function nonEmpty(option: string, xs: readonly number[]): void {
  if (xs.length === 0) throw new ConfigError(option, 'a sample of at least one value', 0);
}

/** D: the largest distance between the two empirical distribution functions. */
export function ksStatistic(a: readonly number[], b: readonly number[]): number {
  nonEmpty('a', a);
  nonEmpty('b', b);
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  const m = x.length;
  const n = y.length;
  let i = 0;
  let j = 0;
  // |i/m - j/n| kept as the integer |i n - j m| until the end: no rounding between steps.
  let gap = 0;
  while (i < m && j < n) {
    // Step past every copy of the smaller value in both samples, then compare the two CDFs.
    const v = Math.min(x[i], y[j]);
    while (i < m && x[i] === v) i++;
    while (j < n && y[j] === v) j++;
    gap = Math.max(gap, Math.abs(i * n - j * m));
  }
  return gap / (m * n);
}

/** The Kolmogorov distribution's survival function Q_KS(lambda) = P(K > lambda). */
export function kolmogorovSurvival(lambda: number): number {
  if (!(lambda > 0)) return 1;
  if (lambda < JACOBI_SWITCH) {
    // For small lambda the alternating series converges slowly; its Jacobi theta form converges fast:
    // P(K <= lambda) = sqrt(2 pi) / lambda * sum_{k>=1} exp(-(2k-1)^2 pi^2 / (8 lambda^2)).
    const w = -(Math.PI * Math.PI) / (8 * lambda * lambda);
    let s = 0;
    for (let k = 1; k <= SERIES_TERMS; k++) s += Math.exp((2 * k - 1) * (2 * k - 1) * w);
    return 1 - (Math.sqrt(2 * Math.PI) / lambda) * s;
  }
  let s = 0;
  for (let k = 1; k <= SERIES_TERMS; k++) s += (k % 2 === 1 ? 2 : -2) * Math.exp(-2 * k * k * lambda * lambda);
  return Math.max(0, Math.min(1, s));
}

/** Below this lambda the theta form is used (both agree to 1e-15 around it). */
const JACOBI_SWITCH = 1.18;
/** Terms summed: at lambda >= 1.18 the 6th term is below 1e-30; at lambda < 1.18 the 6th theta term too. */
const SERIES_TERMS = 6;

/** C(n, k) as a float (exact below 2^53, then to rounding). */
function binomial(n: number, k: number): number {
  k = Math.min(k, n - k);
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}

/** P(D >= d) for samples of m and n values without ties, by counting lattice paths (Hodges 1957). */
export function ksExactPValue(d: number, m: number, n: number): number {
  if (!(d > 0)) return 1;
  // D is |i n - j m| / (m n) at some lattice point: compare in integers to avoid rounding at the boundary.
  const raw = d * m * n;
  const bound = Math.abs(raw - Math.round(raw)) < 1e-7 * Math.max(1, raw) ? Math.round(raw) : raw;
  const total = binomial(m + n, m);
  // paths[j] for the current i: paths to (i, j) that stayed strictly inside before reaching it.
  const paths = new Float64Array(n + 1);
  let outside = 0;
  for (let i = 0; i <= m; i++) {
    for (let j = 0; j <= n; j++) {
      let p = i === 0 && j === 0 ? 1 : (i > 0 ? paths[j] : 0) + (j > 0 ? paths[j - 1] : 0);
      if (Math.abs(i * n - j * m) >= bound) {
        // First touch: every way to finish from here has D >= d.
        if (p > 0) outside += p * binomial(m - i + (n - j), m - i);
        p = 0;
      }
      paths[j] = p;
    }
  }
  return Math.min(1, outside / total);
}

/** P(D >= d) from the limiting distribution with Stephens' correction. */
export function ksAsymptoticPValue(d: number, m: number, n: number): number {
  const en = Math.sqrt((m * n) / (m + n));
  return kolmogorovSurvival((en + 0.12 + 0.11 / en) * d);
}

/** The two-sample test: D and its two-sided p-value. */
export function ksTwoSample(a: readonly number[], b: readonly number[]): KsResult {
  const statistic = ksStatistic(a, b);
  const m = a.length;
  const n = b.length;
  if (m * n <= EXACT_PAIRS_MAX) return { statistic, pValue: ksExactPValue(statistic, m, n), method: 'exact' };
  return { statistic, pValue: ksAsymptoticPValue(statistic, m, n), method: 'asymptotic' };
}
