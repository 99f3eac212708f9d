/**
 * A new extreme: the value leaves the range [min, max] of everything seen so far by more than
 * `tolerance` of that range. Numenta's NAB detector adds exactly this "spatial anomaly" check to its
 * HTM scores (nab/detectors/numenta/numenta_detector.py, 5% tolerance): a metric going where it has
 * never been is worth a look whatever a model predicted. Alone it is crude (a growing trend sets a new
 * record every day) but it catches what smoothing models learn to expect, a level never seen before.
 * The score is ratioScore(excess / range, tolerance): 0.5 at exactly the tolerance.
 */
import { positive } from '../../runtime/config-error.js';
import { pointCount, ratioScore, type AnomalyDetector } from './detector.js';

export interface RangeBreakOptions {
  /** How far past the range, as a fraction of it, scores 0.5 (default 0.05). */
  tolerance?: number;
  /** Points that only set the range (default 100). */
  warmupPoints?: number;
}

export class RangeBreak implements AnomalyDetector {
  readonly name = 'range-break';
  private readonly tolerance: number;
  private readonly warmupPoints: number;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private seen = 0;

  constructor(opts: RangeBreakOptions = {}) {
    this.tolerance = positive('tolerance', opts.tolerance ?? 0.05);
    this.warmupPoints = pointCount('warmupPoints', opts.warmupPoints ?? 100, 0);
  }

  update(value: number): number {
    if (!Number.isFinite(value)) return 0; // a missing point: skipped, so it cannot poison the state
    const range = this.max - this.min;
    let score = 0;
    if (this.seen++ >= this.warmupPoints && range > 0) score = ratioScore(Math.max(value - this.max, this.min - value) / range, this.tolerance);
    if (value > this.max) this.max = value;
    if (value < this.min) this.min = value;
    return score;
  }
}
