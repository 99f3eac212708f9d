/**
 * Two-sided CUSUM change-point detection (Page 1954, "Continuous inspection schemes"): accumulate how
 * far each point lies above (and below) the baseline, less an allowance k, and alarm when either sum
 * passes h:
 *
 *     S+ = max(0, S+ + u - k),  S- = max(0, S- - u - k),  u = (x - baseline median) / baseline sigma
 *
 * A spike moves the sums once; a shift of the mean by d sigma adds d - k every point, so even a shift
 * too small to see in any single point (a slow drift, a small step) is found after about h / (d - k)
 * points. The baseline (median and robust sigma) is learnt from the first `warmupPoints` and learnt
 * again after every alarm, so a level shift alarms once and the new level becomes normal. Each u is
 * clipped to +-`clipSigmas`, so under heavy-tailed noise one wild value cannot fill the sum by itself.
 */
import { nonNegative, positive } from '../../runtime/config-error.js';
import { pointCount, ratioScore, type AnomalyDetector } from './detector.js';
import { SortedWindow } from './sorted-window.js';

export interface CusumOptions {
  /** Points that set the baseline, at the start and after each alarm (default 60). */
  warmupPoints?: number;
  /** Allowance per point, in baseline sigmas (default 0.5: tuned to shifts of one sigma). */
  k?: number;
  /** Decision interval, in baseline sigmas: the sum at which the score reaches 0.5 (default 8). */
  h?: number;
  /** Each point counts at most this many sigmas (default 4). */
  clipSigmas?: number;
  /** A floor on the baseline sigma (default 0). */
  minStdDev?: number;
}

export class Cusum implements AnomalyDetector {
  readonly name = 'cusum';
  private readonly baseline: SortedWindow;
  private readonly k: number;
  private readonly h: number;
  private readonly clip: number;
  private readonly minStdDev: number;
  private centre = 0;
  private sigma = 0;
  private learning = true;
  private up = 0;
  private down = 0;

  constructor(opts: CusumOptions = {}) {
    this.baseline = new SortedWindow(pointCount('warmupPoints', opts.warmupPoints ?? 60, 3));
    this.k = nonNegative('k', opts.k ?? 0.5);
    this.h = positive('h', opts.h ?? 8);
    this.clip = positive('clipSigmas', opts.clipSigmas ?? 4);
    this.minStdDev = nonNegative('minStdDev', opts.minStdDev ?? 0);
  }

  update(value: number): number {
    if (!Number.isFinite(value)) return 0; // a missing point: skipped, so it cannot poison the state
    if (this.learning) {
      this.baseline.push(value);
      if (this.baseline.full) {
        this.centre = this.baseline.median();
        this.sigma = Math.max(this.minStdDev, this.baseline.robustStdDev(this.centre));
        this.learning = false;
      }
      return 0;
    }
    const d = value - this.centre;
    const u = this.sigma > 0 ? Math.max(-this.clip, Math.min(this.clip, d / this.sigma)) : d === 0 ? 0 : Math.sign(d) * this.clip;
    this.up = Math.max(0, this.up + u - this.k);
    this.down = Math.max(0, this.down - u - this.k);
    const score = ratioScore(Math.max(this.up, this.down), this.h);
    if (this.up >= this.h || this.down >= this.h) this.restart();
    return score;
  }

  private restart(): void {
    this.up = 0;
    this.down = 0;
    this.learning = true;
    this.baseline.clear();
  }
}
