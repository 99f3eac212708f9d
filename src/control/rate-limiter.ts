/**
 * Rate limiters: a token bucket (a steady rate with bursts up to the bucket's size) and a sliding
 * window (at most `limit` calls in any window, estimated from the current and previous fixed
 * windows as Cloudflare and Redis-cell users do). Both are synchronous cores on an injected clock;
 * `execute` refuses with RateLimitedError carrying the time until a call would pass.
 */
import type { Clock } from '../runtime/clock.js';
import { RateLimitedError } from './errors.js';
import { positive, positiveInt } from '../runtime/config-error.js';
import { call, defaultContext, type Operation, type Policy } from './policy.js';

export interface Limiter {
  /** Take n permits now: 0 if granted, else how many ms until they would be. */
  tryTake(n?: number): number;
}

/** Call fn if the limiter grants a permit now; refuse with the wait otherwise. */
function limited<T>(limiter: Limiter, fn: Operation<T>, signal: AbortSignal | undefined): Promise<T> {
  const wait = limiter.tryTake(1);
  if (wait > 0) return Promise.reject(RateLimitedError.create(wait));
  return call(fn, signal === undefined ? defaultContext : { signal });
}

export class TokenBucket implements Limiter, Policy {
  private tokens: number;
  private lastMs: number;
  private readonly perMs: number;
  rejected = 0;

  constructor(
    readonly ratePerSec: number,
    readonly burst: number,
    private readonly clock: Clock,
  ) {
    positive('ratePerSec', ratePerSec);
    positive('burst', burst);
    this.perMs = ratePerSec / 1000;
    this.tokens = burst;
    this.lastMs = clock.now();
  }

  tryTake(n = 1): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + (now - this.lastMs) * this.perMs);
    this.lastMs = now;
    if (this.tokens >= n) {
      this.tokens -= n;
      return 0;
    }
    this.rejected++;
    return (n - this.tokens) / this.perMs;
  }

  execute<T>(fn: Operation<T>, signal?: AbortSignal): Promise<T> {
    return limited(this, fn, signal);
  }
}

export class SlidingWindow implements Limiter, Policy {
  private windowStart: number;
  private current = 0;
  private previous = 0;
  rejected = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly clock: Clock,
  ) {
    positiveInt('limit', limit);
    positive('windowMs', windowMs);
    this.windowStart = Math.floor(clock.now() / windowMs) * windowMs;
  }

  tryTake(n = 1): number {
    const now = this.clock.now();
    const start = Math.floor(now / this.windowMs) * this.windowMs;
    if (start !== this.windowStart) {
      this.previous = start - this.windowStart === this.windowMs ? this.current : 0;
      this.current = 0;
      this.windowStart = start;
    }
    // The previous window's calls, weighted by how much of it the sliding window still covers.
    const weight = 1 - (now - start) / this.windowMs;
    const estimate = this.previous * weight + this.current;
    if (estimate + n <= this.limit) {
      this.current += n;
      return 0;
    }
    this.rejected++;
    // Until enough of the previous window slides out (or the next window starts).
    const needed = estimate + n - this.limit;
    const wait = this.previous > 0 ? (needed / this.previous) * this.windowMs : start + this.windowMs - now;
    return Math.max(wait, 1e-3);
  }

  execute<T>(fn: Operation<T>, signal?: AbortSignal): Promise<T> {
    return limited(this, fn, signal);
  }
}

export function tokenBucket(ratePerSec: number, burst: number, clock: Clock): TokenBucket {
  return new TokenBucket(ratePerSec, burst, clock);
}

export function slidingWindow(limit: number, windowMs: number, clock: Clock): SlidingWindow {
  return new SlidingWindow(limit, windowMs, clock);
}
