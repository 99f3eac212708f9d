/**
 * A bulkhead: at most `maxConcurrent` calls at once, at most `maxQueue` more waiting (FIFO); beyond
 * that a call is refused at once with BulkheadRejectedError. One slow dependency can then take only
 * its own slots, not every thread of the caller (the cascade of the seeds). `keyedBulkhead` keeps
 * one bulkhead per key (per tenant, per downstream host) so that one key cannot starve the others.
 */
import { Fifo } from '../runtime/fifo.js';
import { BulkheadRejectedError } from './errors.js';
import { nonNegative, positiveInt } from '../runtime/config-error.js';
import { call, defaultContext, neverAborted, type ExecuteContext, type Operation, type Policy } from './policy.js';

export interface BulkheadOptions {
  maxConcurrent: number;
  /** Calls that may wait for a slot (default 0: refuse at once when full). */
  maxQueue?: number;
}

interface Waiting {
  start: () => void;
  signal: AbortSignal;
  onAbort: (() => void) | undefined;
  /** Aborted while waiting: skipped when its turn comes. */
  gone: boolean;
}

export class Bulkhead implements Policy {
  readonly maxConcurrent: number;
  readonly maxQueue: number;
  private running = 0;
  /** Waiting calls, oldest first (aborted ones are skipped when their turn comes). */
  private readonly queue = new Fifo<Waiting>();
  private waitingCount = 0;
  /** Calls refused because the bulkhead and its queue were full. */
  rejected = 0;

  constructor(opts: BulkheadOptions) {
    this.maxConcurrent = positiveInt('maxConcurrent', opts.maxConcurrent);
    const maxQueue = opts.maxQueue ?? 0;
    // Infinity is a queue without a bound: an executor with a concurrency limit (p-limit's model).
    this.maxQueue = maxQueue === Infinity ? Infinity : nonNegative('maxQueue', maxQueue);
  }

  /**
   * The synchronous core, for hosts that are not async (a Process in the simulator): take a slot if
   * one is free. Every true must be matched by one leave().
   */
  tryEnter(): boolean {
    if (this.running < this.maxConcurrent && this.waitingCount === 0) {
      this.running++;
      return true;
    }
    this.rejected++;
    return false;
  }

  /** Give back a slot taken by tryEnter (a queued execute() call may take it). */
  leave(): void {
    this.running--;
    this.startNext();
  }

  get executing(): number {
    return this.running;
  }

  get queued(): number {
    return this.waitingCount;
  }

  execute<T>(fn: Operation<T>, signal?: AbortSignal): Promise<T> {
    const ctx = signal === undefined ? defaultContext : { signal };
    if (this.running < this.maxConcurrent && this.waitingCount === 0) return this.run(fn, ctx);
    if (this.waitingCount >= this.maxQueue) {
      this.rejected++;
      return Promise.reject(BulkheadRejectedError.create(this.running, this.waitingCount));
    }
    if (ctx.signal.aborted) return Promise.reject(ctx.signal.reason);
    return new Promise<T>((resolve, reject) => {
      const w: Waiting = { start: () => this.run(fn, ctx).then(resolve, reject), signal: ctx.signal, onAbort: undefined, gone: false };
      // The shared never-aborting signal needs no listener (and thousands of them would be slow).
      if (ctx.signal !== neverAborted) {
        w.onAbort = () => {
          w.gone = true;
          this.waitingCount--;
          reject(ctx.signal.reason);
        };
        ctx.signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.queue.push(w);
      this.waitingCount++;
    });
  }

  private run<T>(fn: Operation<T>, ctx: ExecuteContext): Promise<T> {
    this.running++;
    return call(fn, ctx).finally(() => {
      this.running--;
      this.startNext();
    });
  }

  private startNext(): void {
    while (this.running < this.maxConcurrent) {
      const next = this.queue.shift();
      if (next === undefined) return;
      if (next.gone) continue;
      this.waitingCount--;
      if (next.onAbort !== undefined) next.signal.removeEventListener('abort', next.onAbort);
      next.start();
      return;
    }
  }
}

export function bulkhead(opts: BulkheadOptions): Bulkhead {
  return new Bulkhead(opts);
}

/** One bulkhead per key, made on first use; idle ones are dropped past keysMax. */
export class KeyedBulkhead {
  private readonly byKey = new Map<string, Bulkhead>();
  constructor(
    private readonly opts: BulkheadOptions,
    readonly keysMax = 10_000,
  ) {
    new Bulkhead(opts); // validate now, not at the first call
  }

  for(key: string): Bulkhead {
    let b = this.byKey.get(key);
    if (b === undefined) {
      if (this.byKey.size >= this.keysMax) {
        for (const [k, old] of this.byKey) {
          if (old.executing === 0 && old.queued === 0) {
            this.byKey.delete(k);
            break;
          }
        }
      }
      b = new Bulkhead(this.opts);
      this.byKey.set(key, b);
    }
    return b;
  }

  execute<T>(key: string, fn: Operation<T>, signal?: AbortSignal): Promise<T> {
    return this.for(key).execute(fn, signal);
  }
}

export function keyedBulkhead(opts: BulkheadOptions, keysMax?: number): KeyedBulkhead {
  return new KeyedBulkhead(opts, keysMax);
}
