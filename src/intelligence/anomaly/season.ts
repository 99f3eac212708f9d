/**
 * How many points a season holds. Seasonal detectors take it as `seasonLength` (points) when the
 * caller knows it, or as `seasonMs` (a day, by default) and learn the sampling step from the stream:
 * the median of its first intervals, so a late or missing point early on does not skew it.
 */
import { ConfigError, positive } from '../../runtime/config-error.js';
import { pointCount } from './detector.js';

export interface SeasonOptions {
  /** Points per season, if known (an integer >= 2). */
  seasonLength?: number;
  /** Otherwise, the season's duration (default one day) ... */
  seasonMs?: number;
  /** ... and a cap on the points it may hold (default 10,000). */
  seasonPointsMax?: number;
}

export const dayMs = 86_400_000;
/** Intervals that decide the sampling step. */
const stepSampleIntervals = 16;

export class SeasonLength {
  private readonly fixed: number | undefined;
  private readonly seasonMs: number;
  private readonly seasonPointsMax: number;
  private readonly intervals: number[] = [];
  private lastMs: number | undefined;
  private known: number | undefined;

  constructor(opts: SeasonOptions) {
    this.fixed = opts.seasonLength === undefined ? undefined : pointCount('seasonLength', opts.seasonLength, 2);
    this.seasonMs = positive('seasonMs', opts.seasonMs ?? dayMs);
    this.seasonPointsMax = pointCount('seasonPointsMax', opts.seasonPointsMax ?? 10_000, 2);
    if (this.fixed !== undefined && opts.seasonMs !== undefined) {
      throw new ConfigError('seasonMs', 'either seasonLength or seasonMs, not both', opts.seasonMs);
    }
    this.known = this.fixed;
  }

  /** Sees one more timestamp; returns the season length in points once it is known, else undefined. */
  observe(timeMs: number): number | undefined {
    if (this.known !== undefined) return this.known;
    if (this.lastMs !== undefined && timeMs > this.lastMs) this.intervals.push(timeMs - this.lastMs);
    this.lastMs = timeMs;
    if (this.intervals.length < stepSampleIntervals) return undefined;
    const sorted = [...this.intervals].sort((a, b) => a - b);
    const stepMs = sorted[sorted.length >> 1];
    this.known = Math.min(this.seasonPointsMax, Math.max(2, Math.round(this.seasonMs / stepMs)));
    return this.known;
  }
}
