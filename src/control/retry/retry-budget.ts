/**
 * A retry budget (Finagle's RetryBudget, Envoy's retry_budget): retries may add at most `ratio` of
 * the calls made over the last `windowMs`, plus `minPerSecond` so that a quiet client can still
 * retry. When a dependency fails outright, every call wants a retry; a budget caps the extra load at
 * ratio (10% by default) instead of multiplying it by the attempts per call — the amplification
 * that turns a blip into a metastable collapse.
 */
import type { Clock } from '../../runtime/clock.js';
import { nonNegative, positive, positiveInt } from '../../runtime/config-error.js';
import { SlidingCounters } from '../sliding-counters.js';

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
  /** Two counters: calls made (0) and retries made (1). */
  private readonly window: SlidingCounters;
  /** Retries refused for want of budget. */
  exhausted = 0;

  constructor(
    opts: RetryBudgetOptions,
    private readonly clock: Clock,
  ) {
    this.ratio = nonNegative('retryBudget.ratio', opts.ratio ?? 0.1);
    this.minPerSecond = nonNegative('retryBudget.minPerSecond', opts.minPerSecond ?? 10);
    this.window = new SlidingCounters(positive('retryBudget.windowMs', opts.windowMs ?? 10_000), positiveInt('retryBudget.buckets', opts.buckets ?? 10), 2);
  }

  /** A first attempt was made: it earns `ratio` of a retry. */
  recordCall(): void {
    this.window.add(this.clock.now(), 0);
  }

  /** May we retry now? If so the retry is counted. */
  tryRetry(): boolean {
    const now = this.clock.now();
    const allowed = this.window.total(now, 0) * this.ratio + (this.minPerSecond * this.window.windowMs) / 1000;
    if (this.window.total(now, 1) + 1 > allowed) {
      this.exhausted++;
      return false;
    }
    this.window.add(now, 1);
    return true;
  }
}
