/**
 * Holt-Winters residuals: forecast each point from the level, trend and daily season learnt so far
 * (additive Holt-Winters, see forecast/holt-winters.ts), and score the surprise: |actual - forecast| in
 * units of the typical recent error (an EWMA of |error|, times sqrt(pi / 2) to read as a standard
 * deviation). This is the detector of Brutlag 2000 ("Aberrant behavior detection in time series for
 * network monitoring", RRDtool's HWPREDICT): a value that is normal at noon but not at 3 a.m. stands out.
 */
import { positive } from '../../runtime/config-error.js';
import { Ewma, HoltWinters, holtWintersSmoothing } from '../forecast/index.js';
import { pointCount, ratioScore, type AnomalyDetector } from './detector.js';
import { zScore } from './ewma-zscore.js';
import { SeasonLength, type SeasonOptions } from './season.js';
import { meanAbsDevToStdDev } from './sorted-window.js';

export interface HoltWintersResidualOptions extends SeasonOptions {
  /** Level smoothing (default 0.1). */
  alpha?: number;
  /** Trend smoothing (default 0.001). */
  beta?: number;
  /** Seasonal smoothing (default 0.1). */
  gamma?: number;
  /** EWMA weight of each |error| in the error scale (default 0.02). */
  errorAlpha?: number;
  /** Errors, in typical errors, at which the score reaches 0.5 (default 4). */
  zThreshold?: number;
  /** Points scored only to learn the error scale, once the forecast is ready (default 30). */
  warmupPoints?: number;
}

export class HoltWintersResidual implements AnomalyDetector {
  readonly name = 'holt-winters';
  private readonly season: SeasonLength;
  private readonly smoothing: { alpha: number; beta: number; gamma: number };
  private model: HoltWinters | undefined;
  private readonly pending: number[] = [];
  private readonly error: Ewma;
  private readonly zThreshold: number;
  private readonly warmupPoints: number;

  constructor(opts: HoltWintersResidualOptions = {}) {
    this.season = new SeasonLength(opts);
    // Checked now, not when the season length becomes known.
    this.smoothing = holtWintersSmoothing({ alpha: opts.alpha ?? 0.1, beta: opts.beta ?? 0.001, gamma: opts.gamma ?? 0.1 });
    this.error = new Ewma(opts.errorAlpha ?? 0.02);
    this.zThreshold = positive('zThreshold', opts.zThreshold ?? 4);
    this.warmupPoints = pointCount('warmupPoints', opts.warmupPoints ?? 30);
  }

  update(value: number, timeMs: number): number {
    if (!Number.isFinite(value)) return 0; // a missing point: skipped, so it cannot poison the state
    if (this.model === undefined) {
      const seasonLength = this.season.observe(timeMs);
      this.pending.push(value);
      if (seasonLength === undefined) return 0;
      this.model = new HoltWinters({ ...this.smoothing, seasonLength });
      for (const v of this.pending.splice(0)) this.model.update(v);
      return 0;
    }
    const m = this.model;
    if (!m.ready) {
      m.update(value);
      return 0;
    }
    const error = Math.abs(value - m.forecast(1));
    const z = this.error.observations >= this.warmupPoints ? zScore(error, 0, meanAbsDevToStdDev * this.error.mean) : 0;
    this.error.update(error);
    m.update(value);
    return ratioScore(z, this.zThreshold);
  }
}
