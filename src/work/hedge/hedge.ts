/**
 * Hedged requests (Dean and Barroso, "The Tail at Scale", 2013): if a call has not answered by the
 * time most calls have (the `quantile` of recent latencies, or a fixed `delayMs`), send a second
 * copy (to another replica: the operation is told which attempt it is) and take whichever answers
 * first; the slower one is cancelled through its AbortSignal. A few percent more calls cut the tail
 * that one slow replica or a GC pause puts on every request. `maxExtraRatio` caps the extra load.
 */
import type { Clock, Timers } from '../../runtime/clock.js';
import { neverAborted } from '../../control/index.js';
import { fraction, nonNegative, positiveInt } from '../../runtime/config-error.js';

export interface HedgeOptions {
  /** Hedge after this many ms (fixed) ... */
  delayMs?: number;
  /** ... or after this quantile of the latencies seen so far (default 0.95), once minSamples were seen. */
  quantile?: number;
  minSamples?: number;
  /** Latencies remembered for the quantile (default 1000). */
  window?: number;
  /** At most this many hedges per call made (default 0.1): hedging must not double the load of a slow system. */
  maxExtraRatio?: number;
  /** The hedge waits on these timers ... */
  timers: Timers;
  /** ... and measures latencies on this clock (both required). */
  clock: Clock;
}

export type HedgedOperation<T> = (ctx: { signal: AbortSignal; attempt: number }) => Promise<T>;

export class Hedge {
  private readonly latencies: Float64Array;
  private next = 0;
  private seen = 0;
  private cachedQuantile: number | undefined;
  private calls = 0;
  /** Hedges sent so far. */
  hedges = 0;
  /** Calls the hedge answered first. */
  hedgeWins = 0;
  private readonly timers: Timers;
  private readonly clock: Clock;

  constructor(private readonly opts: HedgeOptions) {
    if (opts.delayMs !== undefined) nonNegative('delayMs', opts.delayMs);
    fraction('quantile', opts.quantile ?? 0.95);
    this.latencies = new Float64Array(positiveInt('window', opts.window ?? 1000));
    nonNegative('maxExtraRatio', opts.maxExtraRatio ?? 0.1);
    this.timers = opts.timers;
    this.clock = opts.clock;
  }

  /** When to hedge now, or undefined before enough latencies are known. */
  delayMs(): number | undefined {
    if (this.opts.delayMs !== undefined) return this.opts.delayMs;
    if (this.seen < (this.opts.minSamples ?? 20)) return undefined;
    if (this.cachedQuantile === undefined) {
      const n = Math.min(this.seen, this.latencies.length);
      const sorted = Array.from(this.latencies.subarray(0, n)).sort((a, b) => a - b);
      this.cachedQuantile = sorted[Math.min(n - 1, Math.floor((this.opts.quantile ?? 0.95) * n))];
    }
    return this.cachedQuantile;
  }

  private record(ms: number): void {
    this.latencies[this.next] = ms;
    this.next = (this.next + 1) % this.latencies.length;
    this.seen++;
    // Recompute the quantile now and then, not on every call.
    if (this.seen % 64 === 0) this.cachedQuantile = undefined;
  }

  execute<T>(fn: HedgedOperation<T>, signal: AbortSignal = neverAborted): Promise<T> {
    this.calls++;
    const start = this.clock.now();
    return new Promise<T>((resolve, reject) => {
      const controllers: AbortController[] = [];
      let settled = false;
      let failures = 0;
      let launched = 0;
      let timer: unknown;
      const finish = (winner: number) => {
        settled = true;
        if (timer !== undefined) this.timers.clear(timer);
        controllers.forEach((c, i) => i !== winner && c.abort(new Error('hedged: another attempt answered first')));
      };
      const launch = (attempt: number) => {
        const c = new AbortController();
        controllers.push(c);
        launched++;
        const onParent = () => c.abort(signal.reason);
        if (signal !== neverAborted) signal.addEventListener('abort', onParent, { once: true });
        fn({ signal: c.signal, attempt }).then(
          (v) => {
            if (settled) return;
            finish(attempt);
            this.record(this.clock.now() - start);
            if (attempt > 0) this.hedgeWins++;
            resolve(v);
          },
          (e) => {
            if (settled) return;
            // One failed copy is not the answer while another is still out.
            if (++failures < launched) return;
            finish(-1);
            reject(e);
          },
        );
      };
      launch(0);
      const delay = this.delayMs();
      const budget = (this.opts.maxExtraRatio ?? 0.1) * this.calls;
      if (delay !== undefined && this.hedges < budget) {
        timer = this.timers.set(delay, () => {
          timer = undefined;
          if (settled) return;
          this.hedges++;
          launch(1);
        });
      }
    });
  }
}
