/**
 * Watches one input feature of a model for drift: the first `referenceSize` values seen (the
 * population the model was trained and validated on) are the reference; every `checkEvery` values
 * the last `windowSize` are compared with it by the population stability index and by the
 * two-sample Kolmogorov-Smirnov test. Drift is flagged when PSI reaches `psiMax` (0.25: the
 * "significant shift" band) or the KS p-value falls below `pValueMin`.
 *
 * Inputs are known at once, while a model's errors are known only when the outcome arrives (label
 * delay): watching inputs can flag a shift before any label says the model is wrong. It cannot say
 * that the model is wrong, though: a shift the model extrapolates well is flagged all the same, and
 * a change in the relation between inputs and outcome with the inputs unchanged is never flagged.
 * That is why it complements the ML circuit breaker instead of replacing it.
 *
 * Checks run repeatedly on overlapping windows, so a p-value threshold is not a false-alarm rate:
 * keep pValueMin small (default 0.001).
 */
import { ConfigError, fraction, positive, positiveInt } from '../../runtime/config-error.js';
import { ksTwoSample } from './kolmogorov-smirnov.js';
import { PopulationStability, PSI_SIGNIFICANT, type PsiBand } from './population-stability.js';

export interface InputDriftMonitorOptions {
  /** The first this many values are the reference. */
  referenceSize: number;
  /** The last this many values are compared with the reference. */
  windowSize: number;
  /** Compare every this many values once the window is full (default: windowSize / 10, at least 1). */
  checkEvery?: number;
  /** PSI bins (default 10: deciles of the reference). */
  bins?: number;
  /** Flag at or above this PSI (default 0.25). */
  psiMax?: number;
  /** Flag below this KS p-value (default 0.001). */
  pValueMin?: number;
}

export interface DriftCheck {
  /** How many values had been observed when the check ran. */
  observed: number;
  psi: number;
  band: PsiBand;
  ksStatistic: number;
  pValue: number;
  drifted: boolean;
}

export class InputDriftMonitor {
  private readonly referenceSize: number;
  private readonly windowSize: number;
  private readonly checkEvery: number;
  private readonly bins: number;
  private readonly psiMax: number;
  private readonly pValueMin: number;
  private readonly reference: number[] = [];
  private stability: PopulationStability | undefined;
  private readonly window: Float64Array;
  private windowCount = 0;
  private windowNext = 0;
  private sinceCheck = 0;
  private n = 0;
  /** The latest check. */
  last: DriftCheck | undefined;
  /** The first check that flagged drift. */
  firstDrift: DriftCheck | undefined;

  constructor(opts: InputDriftMonitorOptions) {
    this.referenceSize = positiveInt('referenceSize', opts.referenceSize);
    this.windowSize = positiveInt('windowSize', opts.windowSize);
    this.checkEvery = positiveInt('checkEvery', opts.checkEvery ?? Math.max(1, Math.floor(this.windowSize / 10)));
    this.bins = positiveInt('bins', opts.bins ?? 10);
    if (this.referenceSize < this.bins) throw new ConfigError('referenceSize', `at least as many values as bins (${this.bins})`, this.referenceSize);
    this.psiMax = positive('psiMax', opts.psiMax ?? PSI_SIGNIFICANT);
    this.pValueMin = fraction('pValueMin', opts.pValueMin ?? 0.001);
    this.window = new Float64Array(this.windowSize);
  }

  get observed(): number {
    return this.n;
  }

  /** Record a value; returns the check if one ran now. */
  observe(x: number): DriftCheck | undefined {
    this.n++;
    if (this.stability === undefined) {
      this.reference.push(x);
      if (this.reference.length === this.referenceSize) this.stability = new PopulationStability(this.reference, { bins: this.bins });
      return undefined;
    }
    this.window[this.windowNext] = x;
    this.windowNext = (this.windowNext + 1) % this.windowSize;
    if (this.windowCount < this.windowSize) this.windowCount++;
    if (this.windowCount < this.windowSize || ++this.sinceCheck < this.checkEvery) return undefined;
    this.sinceCheck = 0;
    return this.check();
  }

  private check(): DriftCheck {
    const current = Array.from(this.window);
    const p = this.stability!.score(current);
    const ks = ksTwoSample(this.reference, current);
    const c: DriftCheck = { observed: this.n, psi: p.psi, band: p.band, ksStatistic: ks.statistic, pValue: ks.pValue, drifted: p.psi >= this.psiMax || ks.pValue < this.pValueMin };
    this.last = c;
    if (c.drifted) this.firstDrift ??= c;
    return c;
  }
}
