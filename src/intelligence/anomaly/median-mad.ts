/**
 * Robust z-score over a sliding window: distance from the window's median in units of its median
 * absolute deviation (the modified z-score of Iglewicz & Hoaglin 1993, with MAD * 1.4826 as the
 * standard deviation). Median and MAD ignore up to half the window being outliers, so heavy tails and
 * earlier anomalies do not blind it the way they inflate a mean and variance.
 *
 * `smoothPoints` > 1 scores the median of the last few points instead of the last point: a single
 * wild value (common under heavy-tailed noise) then moves nothing, while a shift of the level moves
 * the recent median at once.
 */
import { positive } from '../../runtime/config-error.js';
import { pointCount, ratioScore, type AnomalyDetector } from './detector.js';
import { zScore } from './ewma-zscore.js';
import { SortedWindow } from './sorted-window.js';

export interface MedianMadOptions {
  /** Points in the reference window (default 288: a day of 5-minute points). */
  windowPoints?: number;
  /** Robust |z| at which the score reaches 0.5 (default 5). */
  zThreshold?: number;
  /** Score the median of this many latest points (default 1: the point itself). */
  smoothPoints?: number;
  /** Points to collect before scoring (default windowPoints / 4, at least 10). */
  warmupPoints?: number;
}

export class MedianMad implements AnomalyDetector {
  readonly name = 'median-mad';
  private readonly reference: SortedWindow;
  private readonly recent: SortedWindow;
  private readonly zThreshold: number;
  private readonly warmupPoints: number;

  constructor(opts: MedianMadOptions = {}) {
    const windowPoints = pointCount('windowPoints', opts.windowPoints ?? 288, 3);
    this.reference = new SortedWindow(windowPoints);
    this.recent = new SortedWindow(pointCount('smoothPoints', opts.smoothPoints ?? 1));
    this.zThreshold = positive('zThreshold', opts.zThreshold ?? 5);
    this.warmupPoints = pointCount('warmupPoints', opts.warmupPoints ?? Math.max(10, Math.floor(windowPoints / 4)), 3);
  }

  update(value: number): number {
    if (!Number.isFinite(value)) return 0; // a missing point: skipped, so it cannot poison the state
    this.recent.push(value);
    let z = 0;
    if (this.reference.size >= this.warmupPoints) {
      const m = this.reference.median();
      z = zScore(this.recent.median(), m, this.reference.robustStdDev(m));
    }
    this.reference.push(value);
    return ratioScore(z, this.zThreshold);
  }
}
