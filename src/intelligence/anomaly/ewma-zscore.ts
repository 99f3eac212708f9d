/**
 * EWMA z-score: how many standard deviations the new point lies from the exponentially weighted mean
 * of the points before it (Roberts 1959's EWMA control chart, in the streaming form Finch 2009 gives for
 * the variance). Cheap and good at spikes in stationary noise; fooled by seasons (a daily peak is
 * "unusual" every day) and by heavy tails (the variance is not robust: one huge value inflates it, and
 * ordinary tail values read as many sigmas).
 */
import { nonNegative, positive } from '../../runtime/config-error.js';
import { Ewma } from '../forecast/index.js';
import { pointCount, ratioScore, type AnomalyDetector } from './detector.js';

export interface EwmaZScoreOptions {
  /** EWMA weight of each new point, in (0, 1] (default 0.05: a memory of about 20 points). */
  alpha?: number;
  /** |z| at which the score reaches 0.5 (default 4). */
  zThreshold?: number;
  /** Points to learn from before scoring (default 30). */
  warmupPoints?: number;
  /** A floor on the standard deviation, so a flat series does not turn every wiggle into infinity (default 0). */
  minStdDev?: number;
}

export class EwmaZScore implements AnomalyDetector {
  readonly name = 'ewma-z';
  private readonly stats: Ewma;
  private readonly zThreshold: number;
  private readonly warmupPoints: number;
  private readonly minStdDev: number;

  constructor(opts: EwmaZScoreOptions = {}) {
    this.stats = new Ewma(opts.alpha ?? 0.05);
    this.zThreshold = positive('zThreshold', opts.zThreshold ?? 4);
    this.warmupPoints = pointCount('warmupPoints', opts.warmupPoints ?? 30, 2);
    this.minStdDev = nonNegative('minStdDev', opts.minStdDev ?? 0);
  }

  update(value: number): number {
    if (!Number.isFinite(value)) return 0; // a missing point: skipped, so it cannot poison the state
    const ready = this.stats.observations >= this.warmupPoints;
    const z = ready ? zScore(value, this.stats.mean, Math.max(this.stats.stdDev, this.minStdDev)) : 0;
    this.stats.update(value);
    return ratioScore(z, this.zThreshold);
  }
}

/** |x - mean| / std, with 0 / 0 read as 0 and x / 0 as infinitely far. */
export function zScore(x: number, mean: number, std: number): number {
  const d = Math.abs(x - mean);
  if (std > 0) return d / std;
  return d === 0 ? 0 : Number.POSITIVE_INFINITY;
}
