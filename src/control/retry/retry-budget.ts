/**
 * A retry budget (Finagle's RetryBudget, Envoy's retry_budget): retries may add at most `ratio` of
 * the calls made over the last `windowMs`, plus `minPerSecond` so that a quiet client can still
 * retry. When a dependency fails outright, every call wants a retry; a budget caps the extra load at
 * ratio (10% by default) instead of multiplying it by the attempts per call — the amplification
 * that turns a blip into a metastable collapse.
 */
import { realClock, type Clock } from '../../runtime/clock.js';
import { nonNegative, positive, positiveInt } from '../errors.js';

export interface RetryBudgetOptions {
  /** Retries allowed per call made (default 0.1). */
  ratio?: number;
  /** Retries allowed per second regardless of traffic (default 10). */
  minPerSecond?: number;
  /** Calls and retries of this long ago are counted (default 10 s). */
  windowMs?: number;
  /** The window is kept in this many buckets (default 10). */
  buckets?: number;
}

export class RetryBudget {
  private readonly ratio: number;
  private readonly minPerSecond: number;
  private readonly windowMs: number;
  private readonly bucketMs: number;
  private readonly calls: Float64Array;
  private readonly retries: Float64Array;
  private readonly epochs: Float64Array;
  /** Retries refused for want of budget. */
  exhausted = 0;

  constructor(
    opts: RetryBudgetOptions = {},
    private readonly clock: Clock = realClock,
  ) {
    this.ratio = nonNegative('retryBudget.ratio', opts.ratio ?? 0.1);
    this.minPerSecond = nonNegative('retryBudget.minPerSecond', opts.minPerSecond ?? 10);
    this.windowMs = positive('retryBudget.windowMs', opts.windowMs ?? 10_000);
    const n = positiveInt('retryBudget.buckets', opts.buckets ?? 10);
    this.bucketMs = this.windowMs / n;
    this.calls = new Float64Array(n);
    this.retries = new Float64Array(n);
    this.epochs = new Float64Array(n).fill(-1);
  }

  /** A first attempt was made: it earns `ratio` of a retry. */
  recordCall(): void {
    this.calls[this.slot()]++;
  }

  /** May we retry now? If so the retry is counted. */
  tryRetry(): boolean {
    const i = this.slot();
    let calls = 0;
    let retries = 0;
    for (let j = 0; j < this.calls.length; j++) {
      calls += this.calls[j];
      retries += this.retries[j];
    }
    const allowed = calls * this.ratio + (this.minPerSecond * this.windowMs) / 1000;
    if (retries + 1 > allowed) {
      this.exhausted++;
      return false;
    }
    this.retries[i]++;
    return true;
  }

  /** The bucket of now, cleared of what fell out of the window. */
  private slot(): number {
    const epoch = Math.floor(this.clock.now() / this.bucketMs);
    const n = this.calls.length;
    for (let j = 0; j < n; j++) {
      if (this.epochs[j] >= 0 && epoch - this.epochs[j] >= n) {
        this.calls[j] = this.retries[j] = 0;
        this.epochs[j] = -1;
      }
    }
    const i = ((epoch % n) + n) % n;
    if (this.epochs[i] !== epoch) {
      this.epochs[i] = epoch;
      this.calls[i] = this.retries[i] = 0;
    }
    return i;
  }
}
