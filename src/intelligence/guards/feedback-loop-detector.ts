/**
 * Is the model measuring the world, or making it? (The seeds' FeedbackLoopDetector, with the piece
 * it needs to tell the two apart: a hold-out group.)
 *
 * A model whose predictions correlate with later outcomes may be right, or may be causing them: a
 * fraud model that blocks a user makes them leave, a hiring model that rejects a group leaves no
 * good examples of it, trading algorithms that predict a fall and sell make the fall. Correlation
 * alone cannot tell these apart (the seeds' version flags any correlation above 0.8, which flags a
 * good model too). A hold-out can: a group the model scores but does not act on. If the model
 * measures something real, the hold-out's outcomes follow its predictions as well as the acted-on
 * group's do. If the acted-on outcomes follow the predictions far more than the hold-out's, the
 * action is what makes the prediction come true: a feedback loop.
 *
 * "Far more" is Fisher's z for the difference of two correlations (Fisher 1921): the acted-on
 * correlation must reach `correlationMin` and exceed the hold-out's by `zMin` standard errors. The
 * test treats the two groups as independent samples; pairs that share predictions (one signal
 * judged against two outcomes) make it approximate, which a large zMin absorbs.
 *
 * Correlations are signed: predictions and outcomes are expected to rise together (predict a
 * fall as a negative number).
 */
import { ConfigError, fraction, positive, positiveInt } from '../../runtime/config-error.js';
import { fisherZDifference, pearson, spearman } from './correlation.js';

export type Group = 'acted' | 'holdout';

export type FeedbackVerdict =
  /** Too few pairs in a group, or no variation to correlate. */
  | 'insufficient-data'
  /** The acted-on outcomes do not follow the predictions (much). */
  | 'no-relation'
  /** Both groups follow the predictions alike: the model measures something real. */
  | 'real-effect'
  /** Only the acted-on group follows: the model causes what it predicts. */
  | 'feedback-loop';

export interface FeedbackAssessment {
  verdict: FeedbackVerdict;
  acted: number;
  holdout: number;
  /** Fisher's z of acted - holdout. */
  z: number;
  pairs: { acted: number; holdout: number };
}

export interface FeedbackLoopDetectorOptions {
  /** The last this many (prediction, outcome) pairs of each group are kept. */
  windowSize: number;
  /** Judge once each group has this many pairs (default: windowSize, at least 4). */
  minimumPairs?: number;
  /** The acted-on correlation must reach this (default 0.5). */
  correlationMin?: number;
  /** ... and exceed the hold-out's by this many standard errors (default 3). */
  zMin?: number;
  /** Pearson (linear, default) or Spearman (ranks: any monotone relation, robust to outliers). */
  method?: 'pearson' | 'spearman';
}

/** The last `size` pairs. */
class PairWindow {
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  private next = 0;
  count = 0;
  constructor(size: number) {
    this.xs = new Float64Array(size);
    this.ys = new Float64Array(size);
  }
  add(x: number, y: number): void {
    this.xs[this.next] = x;
    this.ys[this.next] = y;
    this.next = (this.next + 1) % this.xs.length;
    if (this.count < this.xs.length) this.count++;
  }
  clear(): void {
    this.next = this.count = 0;
  }
  /** The pairs in no particular order (correlation does not care). */
  arrays(): [number[], number[]] {
    return [Array.from(this.xs.subarray(0, this.count)), Array.from(this.ys.subarray(0, this.count))];
  }
}

export class FeedbackLoopDetector {
  private readonly acted: PairWindow;
  private readonly holdout: PairWindow;
  private readonly minimumPairs: number;
  private readonly correlationMin: number;
  private readonly zMin: number;
  private readonly correlate: (xs: readonly number[], ys: readonly number[]) => number;

  constructor(opts: FeedbackLoopDetectorOptions) {
    const size = positiveInt('windowSize', opts.windowSize);
    this.minimumPairs = positiveInt('minimumPairs', opts.minimumPairs ?? size);
    if (this.minimumPairs < 4 || this.minimumPairs > size) throw new ConfigError('minimumPairs', `a count in [4, windowSize = ${size}] (Fisher's z needs more than 3 pairs)`, this.minimumPairs);
    this.correlationMin = fraction('correlationMin', opts.correlationMin ?? 0.5);
    this.zMin = positive('zMin', opts.zMin ?? 3);
    const method = opts.method ?? 'pearson';
    if (method !== 'pearson' && method !== 'spearman') throw new ConfigError('method', '"pearson" or "spearman"', method);
    this.correlate = method === 'pearson' ? pearson : spearman;
    this.acted = new PairWindow(size);
    this.holdout = new PairWindow(size);
  }

  /** A prediction and the outcome that followed, for a case the model acted on or held out. */
  record(group: Group, prediction: number, outcome: number): void {
    if (!Number.isFinite(prediction) || !Number.isFinite(outcome)) return;
    (group === 'acted' ? this.acted : this.holdout).add(prediction, outcome);
  }

  /** Forget every pair (after acting on a verdict, judge on new evidence only). */
  reset(): void {
    this.acted.clear();
    this.holdout.clear();
  }

  assess(): FeedbackAssessment {
    const pairs = { acted: this.acted.count, holdout: this.holdout.count };
    if (pairs.acted < this.minimumPairs || pairs.holdout < this.minimumPairs) return { verdict: 'insufficient-data', acted: NaN, holdout: NaN, z: NaN, pairs };
    const acted = this.correlate(...this.acted.arrays());
    const holdout = this.correlate(...this.holdout.arrays());
    const z = fisherZDifference(acted, pairs.acted, holdout, pairs.holdout);
    // A group without variation (constant predictions or outcomes) says nothing either way.
    if (Number.isNaN(acted) || Number.isNaN(holdout)) return { verdict: 'insufficient-data', acted, holdout, z, pairs };
    const verdict: FeedbackVerdict = acted < this.correlationMin ? 'no-relation' : z >= this.zMin ? 'feedback-loop' : 'real-effect';
    return { verdict, acted, holdout, z, pairs };
  }
}
