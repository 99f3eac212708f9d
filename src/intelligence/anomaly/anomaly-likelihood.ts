/**
 * Anomaly likelihood (Ahmad, Lavin, Purdy & Agha 2017, "Unsupervised real-time anomaly detection for
 * streaming data", section 3.3; nupic's anomaly_likelihood.py as NAB's "numenta" detector runs it):
 * a post-processing step that turns any detector's raw scores into "how unusual is the recent level of
 * raw scores, given this stream's own history of raw scores".
 *
 * - Keep the last `historyPoints` raw scores; every `reestimateEvery` points fit a normal distribution
 *   to their short-term averages (mean of the last `averagePoints`), with floors on the mean (0.03) and
 *   variance (0.0003) so a detector that is nearly always silent does not make every blip certain.
 * - The likelihood of a point is 1 - the normal tail probability of the current short-term average.
 *   A noisy stream whose raw scores are often high needs a lot more to stand out than a quiet one:
 *   the threshold adapts per stream without being tuned per stream.
 * - Two red-zone likelihoods in a row (tail <= 1e-5): the second is lowered to the yellow zone (1e-3), so
 *   an anomaly is reported at its start rather than repeatedly.
 * - The score is the log-likelihood, log(1 - L) / log(1e-10): 0.5 at L = 0.99999, 1 at 1 - 1e-10.
 * - A stream whose values are flat (variance < 1.5e-5) over the history is reported as not anomalous,
 *   as nupic does.
 *
 * Nothing is reported while the first `learningPoints` raw scores are skipped (the inner detector is
 * still learning) and the next `estimationPoints` collected.
 */
import { erfc } from '../../control/index.js';
import { pointCount, type AnomalyDetector } from './detector.js';

export interface AnomalyLikelihoodOptions {
  /** The detector whose raw scores are post-processed. */
  inner: AnomalyDetector;
  /** Raw scores ignored at the start (default 288). */
  learningPoints?: number;
  /** Raw scores collected before the first estimate (default 100). */
  estimationPoints?: number;
  /** Raw scores kept for the estimate (default 8640: a month of 5-minute points). */
  historyPoints?: number;
  /** Points between estimates (default 100). */
  reestimateEvery?: number;
  /** Points in the short-term average (default 10). */
  averagePoints?: number;
  name?: string;
}

const meanFloor = 0.03;
const varianceFloor = 0.0003;
const flatValueVariance = 1.5e-5;
const redTail = 1e-5;
const yellowTail = 1e-3;
const logTiny = Math.log(1e-10);

export class AnomalyLikelihood implements AnomalyDetector {
  readonly name: string;
  private readonly inner: AnomalyDetector;
  private readonly learningPoints: number;
  private readonly estimationPoints: number;
  private readonly reestimateEvery: number;
  private readonly averagePoints: number;
  private readonly raw: Float64Array;
  private readonly values: Float64Array;
  private stored = 0;
  private seen = 0;
  private readonly recent: Float64Array;
  private recentSum = 0;
  private mean = 0;
  private std = 0;
  private flat = false;
  private estimated = false;
  private previousTail = 1;

  constructor(opts: AnomalyLikelihoodOptions) {
    this.inner = opts.inner;
    this.learningPoints = pointCount('learningPoints', opts.learningPoints ?? 288, 0);
    this.estimationPoints = pointCount('estimationPoints', opts.estimationPoints ?? 100, 2);
    const history = pointCount('historyPoints', opts.historyPoints ?? 8640, 2);
    this.reestimateEvery = pointCount('reestimateEvery', opts.reestimateEvery ?? 100);
    this.averagePoints = pointCount('averagePoints', opts.averagePoints ?? 10);
    this.raw = new Float64Array(history);
    this.values = new Float64Array(history);
    this.recent = new Float64Array(this.averagePoints);
    this.name = opts.name ?? `likelihood(${opts.inner.name})`;
  }

  update(value: number, timeMs: number): number {
    if (!Number.isFinite(value)) return 0; // a missing point: skipped, as the inner detector skips it
    const rawScore = this.inner.update(value, timeMs);
    const i = this.seen++;
    // The short-term average of raw scores, over the last averagePoints (fewer at the start).
    const slot = i % this.averagePoints;
    this.recentSum += rawScore - this.recent[slot];
    this.recent[slot] = rawScore;
    const average = this.recentSum / Math.min(i + 1, this.averagePoints);
    let score = 0;
    if (i >= this.learningPoints + this.estimationPoints) {
      if (!this.estimated || i % this.reestimateEvery === 0) this.estimate(i);
      score = this.flat || !this.estimated ? 0 : this.logScore(average);
    }
    this.remember(rawScore, value);
    return score;
  }

  private logScore(average: number): number {
    const z = Math.abs(average - this.mean) / this.std;
    let tail = 0.5 * erfc(z / Math.SQRT2);
    const red = tail <= redTail;
    if (red && this.previousTail <= redTail) tail = yellowTail;
    this.previousTail = red ? 0 : tail;
    // nupic's log(1.0000000001 - likelihood) / log(1e-10), with likelihood = 1 - tail.
    return Math.min(1, Math.max(0, Math.log(tail + 1e-10) / logTiny));
  }

  private remember(rawScore: number, value: number): void {
    const slot = this.stored % this.raw.length;
    this.raw[slot] = rawScore;
    this.values[slot] = value;
    this.stored++;
  }

  /** Fit the normal to the short-term averages of the stored raw scores, past the learning period. */
  private estimate(ingested: number): void {
    const capacity = this.raw.length;
    const kept = Math.min(this.stored, capacity);
    const first = this.stored - kept;
    // Points of the learning period still in the history are skipped (nupic's _calcSkipRecords).
    const skip = Math.min(ingested, Math.max(0, this.learningPoints - first));
    let windowSum = 0;
    let n = 0;
    let mean = 0;
    let m2 = 0;
    let valueMean = 0;
    let valueM2 = 0;
    for (let j = 0; j < kept; j++) {
      const k = (first + j) % capacity;
      windowSum += this.raw[k];
      if (j >= this.averagePoints) windowSum -= this.raw[(first + j - this.averagePoints) % capacity];
      if (j < skip) continue;
      const avg = windowSum / Math.min(j + 1, this.averagePoints);
      n++;
      const d = avg - mean;
      mean += d / n;
      m2 += d * (avg - mean);
      const v = this.values[k];
      const dv = v - valueMean;
      valueMean += dv / n;
      valueM2 += dv * (v - valueMean);
    }
    if (n === 0) return;
    this.mean = Math.max(meanFloor, mean);
    this.std = Math.sqrt(Math.max(varianceFloor, m2 / n));
    this.flat = valueM2 / n < flatValueVariance;
    this.estimated = true;
  }
}
