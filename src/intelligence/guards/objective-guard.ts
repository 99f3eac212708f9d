/**
 * A guard against objective monsters ("you optimise for what you measure, not what you want"): a
 * learner that optimises a proxy (watch time) is judged on what the proxy stands for, measured
 * apart from the proxy and against a hold-out group the learner never shapes. Each window, for every
 * watched metric (a satisfaction survey, complaints), the treatment's mean is compared with the
 * hold-out's; when the treatment is worse than the hold-out by more than `margin` on any of them,
 * with enough samples on both sides, in windowsToTrip windows in a row, the guard trips. What to do then is the host's: roll the
 * learner back to its last checkpoint that passed and stop it learning on the proxy alone.
 *
 * Sans-I/O: samples and the time are passed in.
 */
import { ConfigError, nonNegative, positive, positiveInt } from '../../runtime/config-error.js';

export type ObjectiveGroup = 'treatment' | 'holdout';

export interface WatchedMetric {
  name: string;
  /** higher: more is better (satisfaction); lower: less is better (complaints). */
  better: 'higher' | 'lower';
}

export interface ObjectiveGuardOptions {
  metrics: readonly WatchedMetric[];
  /** Samples are compared per window of this length. */
  windowMs: number;
  /** Samples of a metric each group needs in a window before it is judged. */
  minSamples: number;
  /** How much worse than the hold-out the treatment may be (in the metric's units) before the guard trips. */
  margin: number;
  /** Windows in a row the treatment must be worse before the guard trips (default 2): one noisy window is no verdict. */
  windowsToTrip?: number;
}

export interface MetricComparison {
  name: string;
  treatment: number;
  holdout: number;
  worseBy: number;
}

export type ObjectiveVerdict =
  | { kind: 'waiting' }
  | { kind: 'insufficient'; comparisons: MetricComparison[] }
  | { kind: 'pass'; comparisons: MetricComparison[] }
  /** Worse this window, not yet for windowsToTrip in a row. */
  | { kind: 'suspect'; comparisons: MetricComparison[]; worse: MetricComparison[] }
  | { kind: 'trip'; comparisons: MetricComparison[]; worse: MetricComparison[] };

interface Sums {
  n: number;
  sum: number;
}

export class ObjectiveGuard {
  private readonly sums = new Map<string, Sums>();
  private windowStartMs: number;
  private worseStreak = 0;
  private readonly windowsToTrip: number;

  constructor(
    private readonly opts: ObjectiveGuardOptions,
    nowMs: number,
  ) {
    if (opts.metrics.length === 0) throw new ConfigError('metrics', 'at least one metric to watch beside the proxy', opts.metrics);
    positive('windowMs', opts.windowMs);
    positiveInt('minSamples', opts.minSamples);
    nonNegative('margin', opts.margin);
    this.windowsToTrip = positiveInt('windowsToTrip', opts.windowsToTrip ?? 2);
    this.windowStartMs = nowMs;
  }

  record(group: ObjectiveGroup, metric: string, value: number): void {
    if (!this.opts.metrics.some((m) => m.name === metric)) throw new RangeError(`metric ${metric} is not watched`);
    const key = `${group}/${metric}`;
    const s = this.sums.get(key) ?? { n: 0, sum: 0 };
    s.n++;
    s.sum += value;
    this.sums.set(key, s);
  }

  /** At the end of a window: compare, then start the next window. Before it ends: waiting. */
  assess(nowMs: number): ObjectiveVerdict {
    if (nowMs - this.windowStartMs < this.opts.windowMs) return { kind: 'waiting' };
    this.windowStartMs = nowMs;
    const comparisons: MetricComparison[] = [];
    let enough = true;
    for (const m of this.opts.metrics) {
      const t = this.sums.get(`treatment/${m.name}`);
      const h = this.sums.get(`holdout/${m.name}`);
      if (t === undefined || h === undefined || t.n < this.opts.minSamples || h.n < this.opts.minSamples) {
        enough = false;
        continue;
      }
      const treatment = t.sum / t.n;
      const holdout = h.sum / h.n;
      comparisons.push({ name: m.name, treatment, holdout, worseBy: m.better === 'higher' ? holdout - treatment : treatment - holdout });
    }
    this.sums.clear();
    const worse = comparisons.filter((c) => c.worseBy > this.opts.margin);
    if (worse.length > 0) {
      this.worseStreak++;
      return this.worseStreak >= this.windowsToTrip ? { kind: 'trip', comparisons, worse } : { kind: 'suspect', comparisons, worse };
    }
    this.worseStreak = 0;
    return enough ? { kind: 'pass', comparisons } : { kind: 'insufficient', comparisons };
  }
}
