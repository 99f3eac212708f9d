/**
 * Logistic regression fitted by batch gradient descent on standardised features, with a little L2
 * so that perfectly separable training data (the old fraud tactic is nearly so) keeps finite weights.
 * Meant for a story's few features and few thousand rows; a real pipeline would use IRLS or L-BFGS.
 */
import { ConfigError } from '../../../runtime/config-error.js';

export interface LogisticFit {
  /** Per feature, the training mean and standard deviation the weights were learnt on. */
  means: number[];
  sds: number[];
  intercept: number;
  weights: number[];
}

export interface LogisticOptions {
  epochs?: number;
  learningRate?: number;
  l2?: number;
}

const EPOCHS_DEFAULT = 120;
const LEARNING_RATE_DEFAULT = 1;
const L2_DEFAULT = 1e-3;

export function fitLogistic(rows: readonly (readonly number[])[], labels: readonly (0 | 1)[], opts: LogisticOptions = {}): LogisticFit {
  if (rows.length !== labels.length) throw new ConfigError('labels', `one label per row (${rows.length})`, labels.length);
  if (rows.length < 2) throw new ConfigError('rows', 'at least two rows', rows.length);
  if (!labels.includes(0) || !labels.includes(1)) throw new ConfigError('labels', 'both classes present', labels.length);
  const k = rows[0].length;
  const n = rows.length;
  const means = new Array<number>(k).fill(0);
  const sds = new Array<number>(k).fill(0);
  for (const r of rows) for (let j = 0; j < k; j++) means[j] += r[j] / n;
  for (const r of rows) for (let j = 0; j < k; j++) sds[j] += (r[j] - means[j]) ** 2 / n;
  // A constant feature carries nothing: scale 1 keeps its standardised value at 0.
  for (let j = 0; j < k; j++) sds[j] = Math.sqrt(sds[j]) || 1;
  // Row-major and flat: the epochs below are the story's main cost.
  const z = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) z[i * k + j] = (rows[i][j] - means[j]) / sds[j];
  const epochs = opts.epochs ?? EPOCHS_DEFAULT;
  const rate = opts.learningRate ?? LEARNING_RATE_DEFAULT;
  const l2 = opts.l2 ?? L2_DEFAULT;
  let b = 0;
  const w = new Float64Array(k);
  const gw = new Float64Array(k);
  for (let e = 0; e < epochs; e++) {
    let gb = 0;
    gw.fill(0);
    for (let i = 0, row = 0; i < n; i++, row += k) {
      let s = b;
      for (let j = 0; j < k; j++) s += w[j] * z[row + j];
      const err = sigmoid(s) - labels[i];
      gb += err;
      for (let j = 0; j < k; j++) gw[j] += err * z[row + j];
    }
    b -= (rate * gb) / n;
    for (let j = 0; j < k; j++) w[j] -= rate * (gw[j] / n + l2 * w[j]);
  }
  return { means, sds, intercept: b, weights: [...w] };
}

/** The fitted probability of class 1. */
export function predictLogistic(fit: LogisticFit, x: readonly number[]): number {
  let s = fit.intercept;
  for (let j = 0; j < fit.weights.length; j++) s += fit.weights[j] * ((x[j] - fit.means[j]) / fit.sds[j]);
  return sigmoid(s);
}

const sigmoid = (s: number) => 1 / (1 + Math.exp(-s));
