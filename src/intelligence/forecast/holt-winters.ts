/**
 * Additive Holt-Winters (triple exponential smoothing; Holt 1957, Winters 1960), one observation per
 * step. The series is a level, a trend per step and a seasonal offset per phase of the season:
 *
 *     level_t  = alpha (x_t - season[t mod L]) + (1 - alpha)(level + trend)
 *     trend_t  = beta (level_t - level_{t-1}) + (1 - beta) trend
 *     season   = gamma (x_t - level_t) + (1 - gamma) season[t mod L]
 *     forecast(h) = level + h * trend + season[(t + h) mod L]
 *
 * Initialisation follows Hyndman & Athanasopoulos, "Forecasting: Principles and Practice" (2nd ed.,
 * section 7.3) in its classical form: the first two seasons give the trend (difference of their means
 * per step), the level, and each phase's offset from the season's trend line (averaged over both
 * seasons, then centred on zero). The smoothing equations are then run over those two seasons, so at
 * `ready` the state describes the latest observation, not the start of the series.
 */
import { ConfigError, positiveInt } from '../../runtime/config-error.js';

export interface HoltWintersOptions {
  /** Level smoothing, in [0, 1]. */
  alpha: number;
  /** Trend smoothing, in [0, 1]. */
  beta: number;
  /** Seasonal smoothing, in [0, 1]. */
  gamma: number;
  /** Observations per season (e.g. 288 five-minute points a day), an integer >= 2. */
  seasonLength: number;
}

function unitInterval(option: string, v: number): number {
  if (!(typeof v === 'number' && v >= 0 && v <= 1)) throw new ConfigError(option, 'a number in [0, 1]', v);
  return v;
}

/** Checks Holt-Winters smoothing constants (each in [0, 1]) before a season length is known. */
export function holtWintersSmoothing(opts: Pick<HoltWintersOptions, 'alpha' | 'beta' | 'gamma'>): Pick<HoltWintersOptions, 'alpha' | 'beta' | 'gamma'> {
  return { alpha: unitInterval('alpha', opts.alpha), beta: unitInterval('beta', opts.beta), gamma: unitInterval('gamma', opts.gamma) };
}

export class HoltWinters {
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  readonly seasonLength: number;
  private level = 0;
  private trend = 0;
  private readonly season: Float64Array;
  /** The first two seasons, kept until initialisation. */
  private warmup: number[] | undefined = [];
  private n = 0;

  constructor(opts: HoltWintersOptions) {
    this.alpha = unitInterval('alpha', opts.alpha);
    this.beta = unitInterval('beta', opts.beta);
    this.gamma = unitInterval('gamma', opts.gamma);
    if (!(Number.isInteger(opts.seasonLength) && opts.seasonLength >= 2)) {
      throw new ConfigError('seasonLength', 'an integer >= 2', opts.seasonLength);
    }
    this.seasonLength = opts.seasonLength;
    this.season = new Float64Array(this.seasonLength);
  }

  /** True once two full seasons have been seen and the components initialised. */
  get ready(): boolean {
    return this.warmup === undefined;
  }

  get observations(): number {
    return this.n;
  }

  update(x: number): void {
    if (this.warmup !== undefined) {
      this.warmup.push(x);
      this.n++;
      if (this.warmup.length === 2 * this.seasonLength) this.initialise(this.warmup);
      return;
    }
    this.smooth(x, this.n++);
  }

  /** The prediction for the step `stepsAhead` after the last update (1 = the next observation). */
  forecast(stepsAhead: number): number {
    if (this.warmup !== undefined) {
      throw new RangeError(`HoltWinters.forecast: not ready: needs ${2 * this.seasonLength} observations (two seasons), has ${this.n}`);
    }
    positiveInt('stepsAhead', stepsAhead);
    const phase = (this.n - 1 + stepsAhead) % this.seasonLength;
    return this.level + stepsAhead * this.trend + this.season[phase];
  }

  private smooth(x: number, t: number): void {
    const phase = t % this.seasonLength;
    const s = this.season[phase];
    const previousLevel = this.level;
    this.level = this.alpha * (x - s) + (1 - this.alpha) * (previousLevel + this.trend);
    this.trend = this.beta * (this.level - previousLevel) + (1 - this.beta) * this.trend;
    this.season[phase] = this.gamma * (x - this.level) + (1 - this.gamma) * s;
  }

  private initialise(xs: number[]): void {
    const L = this.seasonLength;
    let first = 0;
    let second = 0;
    for (let i = 0; i < L; i++) {
      first += xs[i];
      second += xs[L + i];
    }
    first /= L;
    second /= L;
    const trend = (second - first) / L;
    // Each season's mean sits at its middle phase, (L - 1) / 2.
    const centre = (L - 1) / 2;
    let sum = 0;
    for (let i = 0; i < L; i++) {
      const offset = (xs[i] - (first + trend * (i - centre)) + (xs[L + i] - (second + trend * (i - centre)))) / 2;
      this.season[i] = offset;
      sum += offset;
    }
    for (let i = 0; i < L; i++) this.season[i] -= sum / L;
    // The level one step before the first observation, so that level + trend predicts x_0's trend line.
    this.trend = trend;
    this.level = first - trend * (centre + 1);
    for (let t = 0; t < xs.length; t++) this.smooth(xs[t], t);
    this.warmup = undefined;
  }
}
