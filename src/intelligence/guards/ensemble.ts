/**
 * An ensemble: several models answer, a robust combiner picks the answer, members that fail are
 * skipped (the seeds' DiverseEnsemble: "Model failed, continue with others ... use median to avoid
 * outliers").
 *
 * The combiner only protects against members that are wrong on their own. Members trained on the
 * same data with the same features fail together (the herd stampede of 2008's risk models and of
 * 2019's models in 2020): five alike members are one model five times, and the median of five equal
 * mistakes is that mistake. Robustness comes from members that differ (data, features, method) plus
 * a combiner that outvotes the minority that is wrong.
 *
 * A member fails when it throws or answers something that is not a finite number; if fewer than
 * `minimumAnswers` members answer, predict() throws NoPredictionError (the caller falls back).
 */
import { ConfigError, positiveInt } from '../../runtime/config-error.js';
import { mean, median, trimmedMean, trimProportion } from './combiners.js';

export interface EnsembleMember<I> {
  readonly name: string;
  predict(input: I): number;
}

export type EnsembleCombiner = { kind: 'median' } | { kind: 'mean' } | { kind: 'trimmed-mean'; proportionToCut: number };

export interface ModelEnsembleOptions<I> {
  members: readonly EnsembleMember<I>[];
  /** Default: the median. */
  combiner?: EnsembleCombiner;
  /** Fewer answers than this and there is no prediction (default 1). */
  minimumAnswers?: number;
}

export interface ModelEnsemblePrediction {
  value: number;
  /** Each member's answer, in member order; undefined where it failed. */
  answers: (number | undefined)[];
  /** How many members answered. */
  answered: number;
}

/** Not enough members answered to combine. */
export class NoPredictionError extends Error {
  override readonly name = 'NoPredictionError';
  constructor(
    readonly answered: number,
    readonly needed: number,
    readonly failures: readonly string[],
  ) {
    super(`${answered} of the members answered, ${needed} needed (${failures.join('; ')})`);
  }
}

export class ModelEnsemble<I> {
  readonly members: readonly EnsembleMember<I>[];
  readonly combiner: EnsembleCombiner;
  private readonly minimumAnswers: number;
  /** Failed answers per member, in member order. */
  readonly failures: number[];

  constructor(opts: ModelEnsembleOptions<I>) {
    if (!Array.isArray(opts.members) || opts.members.length === 0) throw new ConfigError('members', 'at least one member', opts.members?.length ?? opts.members);
    this.members = [...opts.members];
    this.combiner = opts.combiner ?? { kind: 'median' };
    if (this.combiner.kind === 'trimmed-mean') trimProportion('combiner.proportionToCut', this.combiner.proportionToCut);
    this.minimumAnswers = positiveInt('minimumAnswers', opts.minimumAnswers ?? 1);
    if (this.minimumAnswers > this.members.length) throw new ConfigError('minimumAnswers', `at most the number of members (${this.members.length})`, this.minimumAnswers);
    this.failures = this.members.map(() => 0);
  }

  predict(input: I): ModelEnsemblePrediction {
    const answers: (number | undefined)[] = [];
    const values: number[] = [];
    let failed: string[] | undefined;
    this.members.forEach((m, i) => {
      let v: number;
      try {
        v = m.predict(input);
      } catch (e) {
        this.failures[i]++;
        (failed ??= []).push(`${m.name}: ${e instanceof Error ? e.message : String(e)}`);
        answers.push(undefined);
        return;
      }
      if (!Number.isFinite(v)) {
        this.failures[i]++;
        (failed ??= []).push(`${m.name}: answered ${v}`);
        answers.push(undefined);
        return;
      }
      answers.push(v);
      values.push(v);
    });
    if (values.length < this.minimumAnswers) throw new NoPredictionError(values.length, this.minimumAnswers, failed ?? []);
    return { value: this.combine(values), answers, answered: values.length };
  }

  private combine(values: number[]): number {
    const c = this.combiner;
    if (c.kind === 'median') return median(values);
    if (c.kind === 'mean') return mean(values);
    return trimmedMean(values, c.proportionToCut);
  }
}
