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
import { fraction, positive, positiveInt } from '../../runtime/config-error.js';
import { SlidingCounters } from '../sliding-counters.js';

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
  /** Three counters: calls (0), failures (1), slow calls (2). */
  private readonly window: SlidingCounters;
  constructor(readonly opts: TimeWindowOptions) {
    fraction('timeWindow.failureRate', opts.failureRate);
    positiveInt('timeWindow.minimumCalls', opts.minimumCalls);
    if (opts.slowCallMs !== undefined) positive('timeWindow.slowCallMs', opts.slowCallMs);
    if (opts.slowCallRate !== undefined) fraction('timeWindow.slowCallRate', opts.slowCallRate);
    this.window = new SlidingCounters(positive('timeWindow.windowMs', opts.windowMs), positiveInt('timeWindow.buckets', opts.buckets ?? 10), 3);
  }
  record(o: Outcome): boolean {
    const w = this.window;
    w.add(o.nowMs, 0);
    if (!o.ok) w.add(o.nowMs, 1);
    if (this.opts.slowCallMs !== undefined && o.durationMs > this.opts.slowCallMs) w.add(o.nowMs, 2);
    const calls = w.total(o.nowMs, 0);
    if (calls < this.opts.minimumCalls) return false;
    if (w.total(o.nowMs, 1) >= this.opts.failureRate * calls) return true;
    return this.opts.slowCallRate !== undefined && w.total(o.nowMs, 2) >= this.opts.slowCallRate * calls;
  }
  reset(): void {
    this.window.clear();
  }
  describe(): string {
    return `failure rate over ${this.opts.windowMs} ms reached ${this.opts.failureRate}${this.opts.slowCallRate !== undefined ? ` or slow-call rate reached ${this.opts.slowCallRate}` : ''}`;
  }
}
