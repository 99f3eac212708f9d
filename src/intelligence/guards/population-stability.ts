/**
 * The population stability index (PSI): how far the distribution of a model's input has moved from
 * the one it was trained on. The reference sample is cut into bins at its quantiles (deciles by
 * default, so each bin holds about a tenth of it); a new sample is counted into the same bins, and
 *
 *     PSI = sum over bins of (actual - expected) * ln(actual / expected)
 *
 * (a symmetric Kullback-Leibler divergence of the two binned distributions). The usual reading, from
 * credit scoring (Siddiqi 2006, "Credit Risk Scorecards"; Yurdakul 2018):
 *     PSI < 0.1         stable: no action
 *     0.1 <= PSI < 0.25 moderate shift: look into it
 *     PSI >= 0.25       significant shift: the model no longer sees the population it learned
 *
 * A bin that a sample leaves empty would make the log infinite; it counts as EMPTY_BIN_FRACTION
 * instead, as is common practice.
 */
import { ConfigError, positiveInt } from '../../runtime/config-error.js';

export type PsiBand = 'stable' | 'moderate' | 'significant';

/** The lower edges of the moderate and significant bands. */
export const PSI_MODERATE = 0.1;
export const PSI_SIGNIFICANT = 0.25;
/** The fraction an empty bin counts as. */
export const EMPTY_BIN_FRACTION = 1e-4;

export function psiBand(psi: number): PsiBand {
  return psi >= PSI_SIGNIFICANT ? 'significant' : psi >= PSI_MODERATE ? 'moderate' : 'stable';
}

/** PSI of two binned distributions given as fractions per bin (each summing to 1). */
export function psi(expected: readonly number[], actual: readonly number[]): number {
  if (expected.length !== actual.length || expected.length === 0) throw new ConfigError('actual', `as many bins as expected (${expected.length})`, actual.length);
  let s = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i], EMPTY_BIN_FRACTION);
    const a = Math.max(actual[i], EMPTY_BIN_FRACTION);
    s += (a - e) * Math.log(a / e);
  }
  return s;
}

export interface PsiResult {
  psi: number;
  band: PsiBand;
  /** The sample's fraction in each bin. */
  actual: number[];
}

export class PopulationStability {
  /** Cut points between bins (ascending, distinct): bin k holds edges[k-1] <= x < edges[k]. */
  readonly edges: readonly number[];
  /** The reference's fraction in each bin. */
  readonly expected: readonly number[];

  constructor(reference: readonly number[], opts: { bins?: number } = {}) {
    const bins = positiveInt('bins', opts.bins ?? 10);
    if (reference.length < bins) throw new ConfigError('reference', `at least as many values as bins (${bins})`, reference.length);
    const sorted = [...reference].sort((a, b) => a - b);
    const edges: number[] = [];
    for (let k = 1; k < bins; k++) {
      const q = sorted[Math.floor((k * sorted.length) / bins)];
      // Ties in the reference can make quantiles equal: a bin between equal edges would always be empty.
      if (q > sorted[0] && (edges.length === 0 || q > edges[edges.length - 1])) edges.push(q);
    }
    this.edges = edges;
    this.expected = this.fractions(reference);
  }

  /** Which bin x falls in. */
  bin(x: number): number {
    // Binary search for the first edge above x.
    let lo = 0;
    let hi = this.edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (x < this.edges[mid]) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  fractions(sample: readonly number[]): number[] {
    const counts = new Array<number>(this.edges.length + 1).fill(0);
    for (const x of sample) counts[this.bin(x)]++;
    return counts.map((c) => (sample.length === 0 ? 0 : c / sample.length));
  }

  score(sample: readonly number[]): PsiResult {
    if (sample.length === 0) throw new ConfigError('sample', 'at least one value', 0);
    const actual = this.fractions(sample);
    const value = psi(this.expected, actual);
    return { psi: value, band: psiBand(value), actual };
  }
}
