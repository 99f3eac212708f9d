/**
 * The baseline every detector here must beat: a fixed band on the value itself, the alert most
 * dashboards start with ("page when CPU > 90%"). Score 1 outside the band, 0 inside. The band is set
 * once, e.g. from a quiet period with `fromQuietPeriod` (mean +- 3 sigma, the three-sigma rule of
 * Shewhart's control charts), and never learns again: a season, a trend or a new normal defeats it.
 */
import { ConfigError, positive } from '../../runtime/config-error.js';
import type { AnomalyDetector } from './detector.js';

export interface StaticThresholdOptions {
  /** Alarm above this value. */
  above?: number;
  /** Alarm below this value. */
  below?: number;
}

export class StaticThreshold implements AnomalyDetector {
  readonly name = 'static-threshold';
  readonly above: number;
  readonly below: number;

  constructor(opts: StaticThresholdOptions) {
    this.above = opts.above ?? Number.POSITIVE_INFINITY;
    this.below = opts.below ?? Number.NEGATIVE_INFINITY;
    if (Number.isNaN(this.above) || Number.isNaN(this.below)) throw new ConfigError('above', 'numbers for above and below', opts);
    if (opts.above === undefined && opts.below === undefined) throw new ConfigError('above', 'a bound: above, below or both', opts);
    if (!(this.below < this.above)) throw new ConfigError('below', `a number below above (${this.above})`, this.below);
  }

  /** mean +- sigmas * standard deviation of a quiet stretch of the series. */
  static fromQuietPeriod(values: ArrayLike<number>, sigmas = 3): StaticThreshold {
    positive('sigmas', sigmas);
    if (values.length < 2) throw new ConfigError('values', 'a quiet period of at least 2 points', values.length);
    // Welford's running mean and variance.
    let mean = 0;
    let m2 = 0;
    for (let i = 0; i < values.length; i++) {
      const d = values[i] - mean;
      mean += d / (i + 1);
      m2 += d * (values[i] - mean);
    }
    const std = Math.sqrt(m2 / values.length);
    return new StaticThreshold({ above: mean + sigmas * std, below: mean - sigmas * std });
  }

  update(value: number): number {
    return value > this.above || value < this.below ? 1 : 0;
  }
}
