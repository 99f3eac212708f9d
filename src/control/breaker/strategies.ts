/**
 * When to trip: the failure-counting strategies a circuit breaker can use while closed. Each records
 * outcomes and answers whether the breaker should open now. Pure state, time passed in.
 *
 * - consecutive: N failures in a row (cockatiel's ConsecutiveBreaker, opossum-like volume of one).
 * - countWindow: the failure rate over the last N calls, once at least minimumCalls were seen
 *   (resilience4j's COUNT_BASED sliding window).
 * - timeWindow: the failure rate and the slow-call rate over the last windowMs, in buckets, once at
 *   least minimumCalls were seen (resilience4j's TIME_BASED window with slowCallRateThreshold;
 *   Envoy's outlier detection uses the same idea per host).
 */
import { fraction, positive, positiveInt } from '../errors.js';

export interface Outcome {
  ok: boolean;
  /** Milliseconds the call took (0 when the breaker does not time calls). */
  durationMs: number;
  nowMs: number;
}

export interface TripStrategy {
  /** Whether outcomes need the call's duration (and so the clock read around each call). */
  readonly needsTime: boolean;
  /** Record an outcome; true when the breaker should open now. */
  record(o: Outcome): boolean;
  /** Forget everything (the breaker closed again). */
  reset(): void;
  /** A short description for events and errors. */
  describe(): string;
}

export class ConsecutiveFailures implements TripStrategy {
  readonly needsTime = false;
  private failures = 0;
  constructor(readonly threshold: number) {
    positiveInt('consecutive.threshold', threshold);
  }
  record(o: Outcome): boolean {
    if (o.ok) {
      this.failures = 0;
      return false;
    }
    return ++this.failures >= this.threshold;
  }
  reset(): void {
    this.failures = 0;
  }
  describe(): string {
    return `${this.failures} consecutive failures (threshold ${this.threshold})`;
  }
}

export interface CountWindowOptions {
  /** The last this many calls are counted. */
  size: number;
  /** Open when failures / calls reaches this, in (0, 1]. */
  failureRate: number;
  /** ... and at least this many calls were counted (default: size). */
  minimumCalls?: number;
}

export class CountWindow implements TripStrategy {
  readonly needsTime = false;
  private readonly ring: Uint8Array;
  private next = 0;
  private count = 0;
  private failures = 0;
  private readonly minimumCalls: number;
  constructor(readonly opts: CountWindowOptions) {
    positiveInt('countWindow.size', opts.size);
    fraction('countWindow.failureRate', opts.failureRate);
    this.minimumCalls = positiveInt('countWindow.minimumCalls', opts.minimumCalls ?? opts.size);
    this.ring = new Uint8Array(opts.size);
  }
  record(o: Outcome): boolean {
    const failed = o.ok ? 0 : 1;
    if (this.count === this.ring.length) this.failures -= this.ring[this.next];
    else this.count++;
    this.ring[this.next] = failed;
    this.failures += failed;
    this.next = (this.next + 1) % this.ring.length;
    return this.count >= this.minimumCalls && this.failures >= this.opts.failureRate * this.count;
  }
  reset(): void {
    this.ring.fill(0);
    this.next = this.count = this.failures = 0;
  }
  describe(): string {
    return `${this.failures} of the last ${this.count} calls failed (rate ${this.opts.failureRate})`;
  }
}

export interface TimeWindowOptions {
  /** Outcomes of the last windowMs are counted. */
  windowMs: number;
  /** Open when failures / calls reaches this, in (0, 1]. */
  failureRate: number;
  /** ... and at least this many calls fell in the window. */
  minimumCalls: number;
  /** A call slower than this counts as slow (success or not). */
  slowCallMs?: number;
  /** Open when slow calls / calls reaches this, in (0, 1]. */
  slowCallRate?: number;
  /** The window is kept as this many buckets (default 10): memory and precision. */
  buckets?: number;
}

export class TimeWindow implements TripStrategy {
  readonly needsTime = true;
  private readonly bucketMs: number;
  private readonly calls: Uint32Array;
  private readonly failures: Uint32Array;
  private readonly slow: Uint32Array;
  /** The bucket index (time / bucketMs) each slot holds. */
  private readonly epochs: Float64Array;
  constructor(readonly opts: TimeWindowOptions) {
    positive('timeWindow.windowMs', opts.windowMs);
    fraction('timeWindow.failureRate', opts.failureRate);
    positiveInt('timeWindow.minimumCalls', opts.minimumCalls);
    if (opts.slowCallMs !== undefined) positive('timeWindow.slowCallMs', opts.slowCallMs);
    if (opts.slowCallRate !== undefined) fraction('timeWindow.slowCallRate', opts.slowCallRate);
    const n = positiveInt('timeWindow.buckets', opts.buckets ?? 10);
    this.bucketMs = opts.windowMs / n;
    this.calls = new Uint32Array(n);
    this.failures = new Uint32Array(n);
    this.slow = new Uint32Array(n);
    this.epochs = new Float64Array(n).fill(-1);
  }
  record(o: Outcome): boolean {
    const epoch = Math.floor(o.nowMs / this.bucketMs);
    const n = this.calls.length;
    const i = ((epoch % n) + n) % n;
    if (this.epochs[i] !== epoch) {
      this.epochs[i] = epoch;
      this.calls[i] = this.failures[i] = this.slow[i] = 0;
    }
    this.calls[i]++;
    if (!o.ok) this.failures[i]++;
    if (this.opts.slowCallMs !== undefined && o.durationMs > this.opts.slowCallMs) this.slow[i]++;
    let calls = 0;
    let failures = 0;
    let slow = 0;
    for (let j = 0; j < n; j++) {
      if (epoch - this.epochs[j] >= n) continue; // older than the window
      calls += this.calls[j];
      failures += this.failures[j];
      slow += this.slow[j];
    }
    if (calls < this.opts.minimumCalls) return false;
    if (failures >= this.opts.failureRate * calls) return true;
    return this.opts.slowCallRate !== undefined && slow >= this.opts.slowCallRate * calls;
  }
  reset(): void {
    this.epochs.fill(-1);
  }
  describe(): string {
    return `failure rate over ${this.opts.windowMs} ms reached ${this.opts.failureRate}${this.opts.slowCallRate !== undefined ? ` or slow-call rate reached ${this.opts.slowCallRate}` : ''}`;
  }
}
