/**
 * The predictors a model server can run, built from their config: models and heuristics of orders
 * from features.
 *
 * - linear: least squares on some features, fitted once on `samples` draws of an era (the model
 *   "trained on 2019 data"). Members alike: same era, same features, only their draws differ.
 * - recent-linear: least squares refitted every `refitEvery` labels on the last `window` labelled
 *   requests (a model trained on the newest data; it has no answer until its first fit).
 * - moving-average: the mean of the last `labels` outcomes (the seeds' SimpleHeuristicModel:
 *   "about as many as lately"), blind to features, so no shift in them can fool it; it lags.
 * - ewma: an exponentially weighted mean of outcomes (the forecast folder's Ewma).
 *
 * Predictors that learn from outcomes are told each label as it arrives (learn()).
 */
import { z } from 'zod';
import type { Uniform } from '../../../runtime/distribution.js';
import { Ewma } from '../../../intelligence/forecast/index.js';
import type { EnsembleMember } from '../../../intelligence/guards/index.js';
import { drawFeatures, drawOrders, featureNames, type Era, type FeatureName, type Features } from './demand-world.js';
import { fitLeastSquares, predictLinear, type LinearFit } from './least-squares.js';

const features = z.array(z.enum(featureNames)).min(1).default([...featureNames]);
const count = z.number().int().positive();

export const predictorSpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('linear'), name: z.string().optional(), features, trainedOn: z.enum(['before', 'after']).default('before'), samples: count.default(1000) }).strict(),
  z.object({ kind: z.literal('recent-linear'), name: z.string().optional(), features, window: count.min(10).default(300), refitEvery: count.default(50) }).strict(),
  z.object({ kind: z.literal('moving-average'), name: z.string().optional(), labels: count.default(100) }).strict(),
  z.object({ kind: z.literal('ewma'), name: z.string().optional(), alpha: z.number().gt(0).lte(1).default(0.05) }).strict(),
]);
export type PredictorSpec = z.infer<typeof predictorSpecSchema>;

export interface Predictor extends EnsembleMember<Features> {
  /** The outcome of a request with these features is known. */
  learn?(features: Features, orders: number): void;
}

const pick = (names: readonly FeatureName[], f: Features) => names.map((n) => f[featureNames.indexOf(n)]);

/** A linear model fitted once, on data drawn from an era. */
export function trainLinear(era: Era, names: readonly FeatureName[], samples: number, random: Uniform): LinearFit {
  const rows: number[][] = [];
  const ys: number[] = [];
  for (let i = 0; i < samples; i++) {
    const f = drawFeatures(era, random);
    rows.push(pick(names, f));
    ys.push(drawOrders(era, f, random));
  }
  return fitLeastSquares(rows, ys);
}

/** A linear model as a predictor. */
export function linearPredictor(name: string, fit: LinearFit, names: readonly FeatureName[]): Predictor {
  return { name, predict: (f) => predictLinear(fit, pick(names, f)) };
}

/** The last `size` labelled requests. */
export class LabelWindow {
  private readonly rows: Features[] = [];
  private readonly ys: number[] = [];
  private next = 0;
  constructor(readonly size: number) {}
  add(f: Features, y: number): void {
    if (this.rows.length < this.size) {
      this.rows.push(f);
      this.ys.push(y);
    } else {
      this.rows[this.next] = f;
      this.ys[this.next] = y;
    }
    this.next = (this.next + 1) % this.size;
  }
  get length(): number {
    return this.ys.length;
  }
  outcomes(): readonly number[] {
    return this.ys;
  }
  fit(names: readonly FeatureName[]): LinearFit {
    return fitLeastSquares(this.rows.map((f) => pick(names, f)), this.ys);
  }
}

class RecentLinear implements Predictor {
  private readonly window: LabelWindow;
  private fit: LinearFit | undefined;
  private sinceFit = 0;
  constructor(
    readonly name: string,
    private readonly names: readonly FeatureName[],
    size: number,
    private readonly refitEvery: number,
  ) {
    this.window = new LabelWindow(size);
  }
  predict(f: Features): number {
    if (this.fit === undefined) throw new Error(`not trained yet (${this.window.length} labels)`);
    return predictLinear(this.fit, pick(this.names, f));
  }
  learn(f: Features, y: number): void {
    this.window.add(f, y);
    if (++this.sinceFit < this.refitEvery || this.window.length < this.refitEvery) return;
    this.sinceFit = 0;
    try {
      this.fit = this.window.fit(this.names);
    } catch {
      // A degenerate window (too few distinct rows) keeps the previous fit.
    }
  }
}

class MovingAverage implements Predictor {
  private readonly window: number[] = [];
  private next = 0;
  private sum = 0;
  constructor(
    readonly name: string,
    private readonly size: number,
  ) {}
  predict(): number {
    if (this.window.length === 0) throw new Error('no outcome seen yet');
    return this.sum / this.window.length;
  }
  learn(_: Features, y: number): void {
    if (this.window.length < this.size) this.window.push(y);
    else {
      this.sum -= this.window[this.next];
      this.window[this.next] = y;
      this.next = (this.next + 1) % this.size;
    }
    this.sum += y;
  }
}

class EwmaPredictor implements Predictor {
  private readonly ewma: Ewma;
  constructor(
    readonly name: string,
    alpha: number,
  ) {
    this.ewma = new Ewma(alpha);
  }
  predict(): number {
    if (this.ewma.observations === 0) throw new Error('no outcome seen yet');
    return this.ewma.mean;
  }
  learn(_: Features, y: number): void {
    this.ewma.update(y);
  }
}

export function buildPredictor(spec: PredictorSpec, eras: { before: Era; after: Era }, random: Uniform): Predictor {
  switch (spec.kind) {
    case 'linear': {
      const name = spec.name ?? `linear(${spec.features.join('+')}, ${spec.trainedOn === 'before' ? '2019' : '2020'})`;
      return linearPredictor(name, trainLinear(eras[spec.trainedOn], spec.features, spec.samples, random), spec.features);
    }
    case 'recent-linear':
      return new RecentLinear(spec.name ?? `recent-linear(${spec.features.join('+')}, last ${spec.window})`, spec.features, spec.window, spec.refitEvery);
    case 'moving-average':
      return new MovingAverage(spec.name ?? `moving-average(${spec.labels})`, spec.labels);
    case 'ewma':
      return new EwmaPredictor(spec.name ?? `ewma(${spec.alpha})`, spec.alpha);
  }
}
