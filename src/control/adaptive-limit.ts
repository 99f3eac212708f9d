/**
 * Adaptive concurrency limits: a bulkhead whose size finds itself. Instead of guessing how many
 * calls a dependency can take at once, the limit moves with what the calls report, like TCP's
 * congestion window (Netflix's concurrency-limits; Envoy's adaptive concurrency filter).
 *
 * - AIMD: +1 when a call succeeds while the limit is in use (at least half of it in flight), x
 *   backoffRatio when a call is dropped or slower than timeoutMs. Simple and robust; it has to
 *   overload the dependency a little to learn where the edge is.
 * - Gradient (TCP Vegas' idea, as in Netflix's Gradient limit): compares a short-term latency
 *   average with the lowest such average seen (the latency without queueing). When the average rises
 *   past `rttTolerance` times that, queues are building and the limit shrinks by the ratio; below
 *   it, the limit grows by sqrt(limit). It finds the edge from latency alone. If the dependency
 *   becomes slower for good (a new version, a bigger payload), call resetBaseline().
 *
 * `AdaptiveConcurrency` runs calls under either limit and refuses the excess with
 * BulkheadRejectedError. The limits are synchronous cores (`onSample`); time comes from callers.
 */
import type { Clock } from '../runtime/clock.js';
import { BulkheadRejectedError } from './errors.js';
import { ConfigError, fraction, positive, positiveInt } from '../runtime/config-error.js';
import { call, defaultContext, type Operation, type Policy } from './policy.js';

export interface ConcurrencyLimit {
  /** The current limit (whole calls). */
  readonly limit: number;
  /** A call that ran with `inFlight` calls at once finished after rttMs; dropped = it failed or timed out. */
  onSample(rttMs: number, inFlight: number, dropped: boolean): void;
}

export interface AimdOptions {
  initial?: number;
  min?: number;
  max?: number;
  /** The limit is multiplied by this on a drop (default 0.9). */
  backoffRatio?: number;
  /** A call slower than this counts as a drop (default: none). */
  timeoutMs?: number;
}

/** The bounds every limit shares, checked once: min <= initial <= max. */
function bounds(prefix: string, opts: { min?: number; max?: number; initial?: number }): { min: number; max: number; initial: number } {
  const min = positiveInt(`${prefix}.min`, opts.min ?? 1);
  const max = positiveInt(`${prefix}.max`, opts.max ?? 1000);
  if (min > max) throw new ConfigError(`${prefix}.min`, `at most max (${max})`, min);
  const initial = positiveInt(`${prefix}.initial`, opts.initial ?? Math.min(max, Math.max(min, 20)));
  if (initial < min || initial > max) throw new ConfigError(`${prefix}.initial`, `between min (${min}) and max (${max})`, initial);
  return { min, max, initial };
}

export class AimdLimit implements ConcurrencyLimit {
  private value: number;
  private readonly min: number;
  private readonly max: number;
  private readonly backoffRatio: number;
  private readonly timeoutMs: number;

  constructor(opts: AimdOptions = {}) {
    ({ min: this.min, max: this.max, initial: this.value } = bounds('aimd', opts));
    this.backoffRatio = fraction('aimd.backoffRatio', opts.backoffRatio ?? 0.9);
    this.timeoutMs = opts.timeoutMs === undefined ? Infinity : positive('aimd.timeoutMs', opts.timeoutMs);
  }

  get limit(): number {
    return Math.floor(this.value);
  }

  onSample(rttMs: number, inFlight: number, dropped: boolean): void {
    if (dropped || rttMs > this.timeoutMs) this.value = Math.max(this.min, this.value * this.backoffRatio);
    else if (inFlight * 2 >= this.value) this.value = Math.min(this.max, this.value + 1);
  }
}

export interface GradientOptions {
  initial?: number;
  min?: number;
  max?: number;
  /** How far each sample moves the limit towards its target (default 0.2). */
  smoothing?: number;
  /** Samples per window: the short-term latency is a window's average, and the limit moves once per window (default 10). */
  shortWindow?: number;
  /** Latency up to this multiple of the lowest seen is tolerated as no queueing (default 1.5). */
  rttTolerance?: number;
}

export class GradientLimit implements ConcurrencyLimit {
  private value: number;
  private minRtt = Infinity;
  /** The current window of samples: the limit moves once per window, as Vegas moves once per RTT. */
  private windowSum = 0;
  private windowCount = 0;
  private windowUsed = false;
  private windowDropped = false;
  private readonly min: number;
  private readonly max: number;
  private readonly smoothing: number;
  private readonly shortWindow: number;
  private readonly tolerance: number;

  constructor(opts: GradientOptions = {}) {
    ({ min: this.min, max: this.max, initial: this.value } = bounds('gradient', opts));
    this.smoothing = fraction('gradient.smoothing', opts.smoothing ?? 0.2);
    this.shortWindow = positiveInt('gradient.shortWindow', opts.shortWindow ?? 10);
    this.tolerance = positive('gradient.rttTolerance', opts.rttTolerance ?? 1.5);
  }

  get limit(): number {
    return Math.floor(this.value);
  }

  /** Forget the lowest latency seen (the dependency's own speed changed). */
  resetBaseline(): void {
    this.minRtt = Infinity;
  }

  onSample(rttMs: number, inFlight: number, dropped: boolean): void {
    this.windowSum += rttMs;
    this.windowCount++;
    // Only a limit in use can be judged too small.
    if (inFlight * 2 >= this.value) this.windowUsed = true;
    if (dropped) this.windowDropped = true;
    if (this.windowCount < this.shortWindow) return;
    const shortRtt = this.windowSum / this.windowCount;
    const used = this.windowUsed;
    const lost = this.windowDropped;
    this.windowSum = this.windowCount = 0;
    this.windowUsed = this.windowDropped = false;
    // The baseline is the lowest window average, not the lowest sample: one tiny request must not
    // make every ordinary one look queued.
    this.minRtt = Math.min(this.minRtt, shortRtt);
    if (!lost && !used) return;
    const gradient = Math.max(0.5, Math.min(1, (this.tolerance * this.minRtt) / shortRtt));
    const target = lost ? this.value * 0.5 : this.value * gradient + (gradient === 1 ? Math.sqrt(this.value) : 0);
    this.value = Math.min(this.max, Math.max(this.min, this.value * (1 - this.smoothing) + target * this.smoothing));
  }
}

/** Calls under an adaptive limit; the excess is refused with BulkheadRejectedError. */
export class AdaptiveConcurrency implements Policy {
  private inFlight = 0;
  rejected = 0;

  constructor(
    readonly limiter: ConcurrencyLimit,
    private readonly clock: Clock,
  ) {}

  get executing(): number {
    return this.inFlight;
  }

  /** The synchronous core: a start time if the call may go, undefined if refused; pair with finish(). */
  tryStart(): number | undefined {
    if (this.inFlight >= this.limiter.limit) {
      this.rejected++;
      return undefined;
    }
    this.inFlight++;
    return this.clock.now();
  }

  finish(startMs: number, dropped: boolean): void {
    this.limiter.onSample(this.clock.now() - startMs, this.inFlight, dropped);
    this.inFlight--;
  }

  execute<T>(fn: Operation<T>, signal?: AbortSignal): Promise<T> {
    const start = this.tryStart();
    if (start === undefined) return Promise.reject(BulkheadRejectedError.create(this.inFlight, 0));
    return call(fn, signal === undefined ? defaultContext : { signal }).then(
      (v) => {
        this.finish(start, false);
        return v;
      },
      (e) => {
        this.finish(start, true);
        throw e;
      },
    );
  }
}
