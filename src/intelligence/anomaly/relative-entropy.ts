/**
 * Relative entropy (Wang, Kutare, Schwan, Talwar et al. 2011, "Statistical techniques for online anomaly
 * detection in data centers"; NAB's relativeEntropy detector): is the distribution of the last
 * `windowPoints` values one this stream has shown before?
 *
 * - The window's values fall into 5 equal bins over the range seen so far; their frequencies are its
 *   distribution P.
 * - Each distribution met before is a hypothesis. P agrees with a hypothesis Q when the test statistic
 *   2 W KL(P || Q) is below the chi-squared critical value for 4 degrees of freedom at 1%, 13.28.
 * - A window no hypothesis explains becomes a new hypothesis, and an anomaly. Otherwise the closest
 *   hypothesis it agrees with counts one more sighting.
 *
 * NAB's detector bins over the file's minimum and maximum, known before the first point; this one bins
 * over the range seen so far, so it runs on a live stream. It keeps at most `hypothesesMax` hypotheses,
 * dropping the least seen one when full, so memory stays bounded. It scores a window `noveltyScore`
 * when it is an anomaly, else 0: a yes or no, not a strength.
 */
import { ConfigError } from '../../runtime/config-error.js';
import { pointCount, type AnomalyDetector } from './detector.js';

export interface RelativeEntropyOptions {
  /** Values in a window (default 52, as NAB's). */
  windowPoints?: number;
  /** Hypotheses kept (default 64). */
  hypothesesMax?: number;
  /** The score of an anomalous window, in (0, 1] (default 1). */
  noveltyScore?: number;
}

const bins = 5;
/** The chi-squared distribution's 99th percentile at bins - 1 = 4 degrees of freedom. */
const chiSquared4At1Percent = 13.2767;

export class RelativeEntropy implements AnomalyDetector {
  readonly name = 'relative-entropy';
  private readonly windowPoints: number;
  private readonly hypothesesMax: number;
  private readonly noveltyScore: number;
  private readonly window: Float64Array;
  private seen = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private readonly current = new Float64Array(bins);
  private readonly hypotheses: Float64Array[] = [];
  private readonly sightings: number[] = [];

  constructor(opts: RelativeEntropyOptions = {}) {
    this.windowPoints = pointCount('windowPoints', opts.windowPoints ?? 52, 2);
    this.hypothesesMax = pointCount('hypothesesMax', opts.hypothesesMax ?? 64, 1);
    const novelty = opts.noveltyScore ?? 1;
    if (!(typeof novelty === 'number' && novelty > 0 && novelty <= 1)) throw new ConfigError('noveltyScore', 'a number in (0, 1]', novelty);
    this.noveltyScore = novelty;
    this.window = new Float64Array(this.windowPoints);
  }

  update(value: number): number {
    if (!Number.isFinite(value)) return 0; // a missing point: skipped, so it cannot poison the state
    this.window[this.seen++ % this.windowPoints] = value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (this.seen < this.windowPoints) return 0;
    this.distribution();
    if (this.hypotheses.length === 0) {
      this.remember();
      return 0;
    }
    const agreed = this.closestAgreeing();
    if (agreed < 0) {
      this.remember();
      return this.noveltyScore;
    }
    this.sightings[agreed]++;
    return 0;
  }

  /** The window's frequencies per bin, into `current` (NAB's ceil((v - min) / step), the minimum in the first bin). */
  private distribution(): void {
    const step = (this.max - this.min) / bins || 1;
    this.current.fill(0);
    for (let i = 0; i < this.windowPoints; i++) {
      const bin = Math.min(bins - 1, Math.max(0, Math.ceil((this.window[i] - this.min) / step) - 1));
      this.current[bin] += 1 / this.windowPoints;
    }
  }

  /** The hypothesis closest to the window among those it agrees with, or -1. */
  private closestAgreeing(): number {
    let best = -1;
    let bestStatistic = chiSquared4At1Percent;
    for (let h = 0; h < this.hypotheses.length; h++) {
      const q = this.hypotheses[h];
      let kl = 0;
      for (let b = 0; b < bins && kl < Number.POSITIVE_INFINITY; b++) {
        const p = this.current[b];
        if (p > 0) kl += q[b] > 0 ? p * Math.log(p / q[b]) : Number.POSITIVE_INFINITY;
      }
      const statistic = 2 * this.windowPoints * kl;
      if (statistic < bestStatistic) {
        bestStatistic = statistic;
        best = h;
      }
    }
    return best;
  }

  private remember(): void {
    if (this.hypotheses.length < this.hypothesesMax) {
      this.hypotheses.push(Float64Array.from(this.current));
      this.sightings.push(1);
      return;
    }
    let least = 0;
    for (let h = 1; h < this.sightings.length; h++) if (this.sightings[h] < this.sightings[least]) least = h;
    this.hypotheses[least].set(this.current);
    this.sightings[least] = 1;
  }
}
