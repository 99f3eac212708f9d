/**
 * Seasonal Hybrid ESD (Hochenbaum, Vallis & Kejariwal 2017, "Automatic Anomaly Detection in the
 * Cloud Via Statistical Learning", Twitter's AnomalyDetection), streaming:
 *
 * 1. Remove the season: each point's expected value is the median of the same phase over the last
 *    `seasons` seasons (the paper uses STL; a per-phase median is the robust, streaming stand-in).
 * 2. Run the generalized ESD test (Rosner 1983) on the residuals of the last `windowPoints` points,
 *    "hybrid": with the median and MAD in place of mean and standard deviation, so the anomalies being
 *    tested for do not hide themselves by inflating the spread. For i = 1..k it removes the residual
 *    farthest from the median, R_i = its distance / (1.4826 MAD of what is left), and compares it with
 *
 *        lambda_i = (n - i) t_{p, n-i-1} / sqrt((n - i - 1 + t^2)(n - i + 1)),  p = 1 - alpha / (2(n - i + 1))
 *
 *    The anomalies are the points removed up to the largest i with R_i > lambda_i.
 * 3. The newest point's score is 0.5 or more when it is one of them, growing with R / lambda.
 *
 * The residuals are kept sorted (sorted-window.ts), so each removal just moves one end of a range and
 * each step costs O(log n): a streaming test over a 2,000-point window stays cheap.
 */
import { ConfigError, fraction } from '../../runtime/config-error.js';
import { pointCount, ratioScore, type AnomalyDetector } from './detector.js';
import { SeasonLength, type SeasonOptions } from './season.js';
import { SortedWindow } from './sorted-window.js';
import { studentTQuantile } from './student-t.js';

export interface SeasonalEsdOptions extends SeasonOptions {
  /** Seasons of history behind each phase's median (default 4). */
  seasons?: number;
  /** Residuals the ESD test runs over (default two seasons). */
  windowPoints?: number;
  /** At most this fraction of the window may be anomalous (Twitter's max_anoms, default 0.02). */
  maxAnomalies?: number;
  /** The test's significance level (default 0.05). */
  alpha?: number;
  /** Residuals to collect before testing (default 60). */
  warmupPoints?: number;
}

/** Critical values lambda_1..lambda_k for n points, shared by every detector with the same (n, k, alpha). */
const criticalCache = new Map<string, Float64Array>();

export function esdCriticalValues(n: number, k: number, alpha: number): Float64Array {
  const key = `${n}/${k}/${alpha}`;
  let lambdas = criticalCache.get(key);
  if (lambdas === undefined) {
    lambdas = new Float64Array(k);
    for (let i = 1; i <= k; i++) {
      const dof = n - i - 1;
      const t = studentTQuantile(1 - alpha / (2 * (n - i + 1)), dof);
      lambdas[i - 1] = ((n - i) * t) / Math.sqrt((dof + t * t) * (n - i + 1));
    }
    criticalCache.set(key, lambdas);
  }
  return lambdas;
}

export class SeasonalEsd implements AnomalyDetector {
  readonly name = 'seasonal-esd';
  private readonly season: SeasonLength;
  private readonly seasons: number;
  private readonly windowOption: number | undefined;
  private readonly maxAnomalies: number;
  private readonly alpha: number;
  private readonly warmupPoints: number;
  private phases: SortedWindow[] = [];
  private residuals: SortedWindow | undefined;
  private index = 0;

  constructor(opts: SeasonalEsdOptions = {}) {
    this.season = new SeasonLength(opts);
    this.seasons = pointCount('seasons', opts.seasons ?? 4);
    this.windowOption = opts.windowPoints === undefined ? undefined : pointCount('windowPoints', opts.windowPoints, 10);
    this.maxAnomalies = fraction('maxAnomalies', opts.maxAnomalies ?? 0.02);
    if (this.maxAnomalies > 0.5) throw new ConfigError('maxAnomalies', 'a fraction in (0, 0.5]', this.maxAnomalies);
    this.alpha = fraction('alpha', opts.alpha ?? 0.05);
    if (this.alpha >= 1) throw new ConfigError('alpha', 'a number in (0, 1)', this.alpha);
    this.warmupPoints = pointCount('warmupPoints', opts.warmupPoints ?? 60, 10);
  }

  update(value: number, timeMs: number): number {
    if (!Number.isFinite(value)) return 0; // a missing point: skipped, so it cannot poison the state
    const seasonLength = this.season.observe(timeMs);
    if (seasonLength === undefined) return 0;
    if (this.residuals === undefined) {
      this.phases = Array.from({ length: seasonLength }, () => new SortedWindow(this.seasons));
      this.residuals = new SortedWindow(this.windowOption ?? 2 * seasonLength);
    }
    const phase = this.phases[this.index++ % this.phases.length];
    if (phase.size === 0) {
      phase.push(value);
      return 0;
    }
    const residual = value - phase.median();
    phase.push(value);
    this.residuals.push(residual);
    if (this.residuals.size < this.warmupPoints) return 0;
    return this.test(residual);
  }

  /** Generalized ESD over the residual window; the score of `newest`. */
  private test(newest: number): number {
    const w = this.residuals!;
    const n = w.size;
    const k = Math.max(1, Math.floor(this.maxAnomalies * n));
    const lambdas = esdCriticalValues(n, k, this.alpha);
    let lo = 0;
    let hi = n;
    let anomalies = 0;
    let newestStep = -1;
    let newestR = 0;
    let firstR = 0;
    for (let i = 0; i < k; i++) {
      const m = w.median(lo, hi);
      const s = w.robustStdDev(m, lo, hi);
      if (i === 0) firstR = s > 0 ? Math.abs(newest - m) / s : newest === m ? 0 : Number.POSITIVE_INFINITY;
      const low = m - w.at(lo);
      const high = w.at(hi - 1) - m;
      const removed = high >= low ? w.at(--hi) : w.at(lo++);
      const dev = Math.max(low, high);
      const r = s > 0 ? dev / s : dev === 0 ? 0 : Number.POSITIVE_INFINITY;
      if (r > lambdas[i]) anomalies = i + 1;
      if (newestStep < 0 && removed === newest) {
        newestStep = i;
        newestR = r;
      }
    }
    if (newestStep >= 0 && newestStep < anomalies) return ratioScore(Math.max(1, newestR / lambdas[newestStep]), 1);
    const q = newestStep >= 0 ? newestR / lambdas[newestStep] : firstR / lambdas[0];
    return ratioScore(Math.min(q, 0.999), 1);
  }
}
