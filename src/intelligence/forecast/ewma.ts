/**
 * Exponentially weighted moving mean and variance: the memory of a metric in two numbers, forgetting
 * the past at rate `alpha` per observation (Roberts 1959's EWMA chart; the incremental variance is
 * Finch 2009, "Incremental calculation of weighted mean and variance", eq. 143):
 *
 *     diff = x - mean;  mean += alpha * diff;  variance = (1 - alpha) * (variance + alpha * diff^2)
 *
 * alpha = 1 remembers only the last value; alpha = 0.05 averages over roughly 1/alpha = 20 points.
 * The first observation sets the mean (variance 0), so there is no bias towards an arbitrary start.
 */
import { ConfigError } from '../../runtime/config-error.js';

/** Checks an EWMA weight: a number in (0, 1]. */
export function ewmaAlpha(option: string, alpha: number): number {
  if (!(typeof alpha === 'number' && alpha > 0 && alpha <= 1)) throw new ConfigError(option, 'a number in (0, 1]', alpha);
  return alpha;
}

export class Ewma {
  private m = 0;
  private v = 0;
  private n = 0;
  readonly alpha: number;

  constructor(alpha: number) {
    this.alpha = ewmaAlpha('alpha', alpha);
  }

  update(x: number): void {
    if (this.n++ === 0) {
      this.m = x;
      return;
    }
    const diff = x - this.m;
    const incr = this.alpha * diff;
    this.m += incr;
    this.v = (1 - this.alpha) * (this.v + diff * incr);
  }

  /** The weighted mean (0 before the first observation). */
  get mean(): number {
    return this.m;
  }

  /** The weighted variance around the mean (0 until two observations). */
  get variance(): number {
    return this.v;
  }

  get stdDev(): number {
    return Math.sqrt(this.v);
  }

  get observations(): number {
    return this.n;
  }
}
