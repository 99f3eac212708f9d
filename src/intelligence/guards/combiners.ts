/**
 * Ways to combine the answers of several models into one, and how many bad answers each survives
 * (its breakdown point, Hampel 1971):
 *
 * - mean: none. One member that answers 10^6 moves the mean by 10^6 / n.
 * - median: fewer than half. Of five members, any two may be arbitrarily wrong (the DiverseEnsemble
 *   of the seeds: "use median to avoid outliers").
 * - trimmed mean: drops floor(n * proportionToCut) answers from each end, then averages the rest (as
 *   scipy.stats.trim_mean); survives that many bad answers on each side and, unlike the median, still
 *   averages the noise of the members in the middle.
 */
import { ConfigError } from '../../runtime/config-error.js';

export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** The middle value (the mean of the two middle values for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Checks a trimming proportion: [0, 0.5) leaves at least one value in the middle. */
export function trimProportion(option: string, p: number): number {
  if (!(typeof p === 'number' && p >= 0 && p < 0.5)) throw new ConfigError(option, 'a proportion in [0, 0.5)', p);
  return p;
}

/** The mean after cutting floor(n * proportionToCut) values from each end. */
export function trimmedMean(values: readonly number[], proportionToCut: number): number {
  trimProportion('proportionToCut', proportionToCut);
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const cut = Math.floor(s.length * proportionToCut);
  return mean(s.slice(cut, s.length - cut));
}

/** The combiners as one object (the pillar's index exports this rather than generic names like `median`). */
export const combiners = { mean, median, trimmedMean } as const;
