/**
 * A bulkhead: at most `maxConcurrent` calls at once, at most `maxQueue` more waiting (FIFO); beyond
 * that a call is refused at once with BulkheadRejectedError. One slow dependency can then take only
 * its own slots, not every thread of the caller (the cascade of the seeds). `keyedBulkhead` keeps
 * one bulkhead per key (per tenant, per downstream host) so that one key cannot starve the others.
 */
import { BulkheadRejectedError, nonNegative, positiveInt } from './errors.js';
import { call, defaultContext, type ExecuteContext, type Operation, type Policy } from './policy.js';

export interface BulkheadOptions {
  maxConcurrent: number;
  /** Calls that may wait for a slot (default 0: refuse at once when full). */
  maxQueue?: number;
}

interface Waiting {
  start: () => void;
  reject: (e: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

export class Bulkhead implements Policy {
  readonly maxConcurrent: number;
  readonly maxQueue: number;
  private running = 0;
  private readonly queue: Waiting[] = [];
  /** Calls refused because the bulkhead and its queue were full. */
  rejected = 0;

  constructor(opts: BulkheadOptions) {
    this.maxConcurrent = positiveInt('maxConcurrent', opts.maxConcurrent);
    this.maxQueue = nonNegative('maxQueue', opts.maxQueue ?? 0);
  }

  /**
   * The synchronous core, for hosts that are not async (a Process in the simulator): take a slot if
   * one is free. Every true must be matched by one leave().
   */
  tryEnter(): boolean {
    if (this.running < this.maxConcurrent && this.queue.length === 0) {
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
    return this.queue.length;
  }

  execute<T>(fn: Operation<T>, signal?: AbortSignal): Promise<T> {
    const ctx = signal === undefined ? defaultContext : { signal };
    if (this.running < this.maxConcurrent) return this.run(fn, ctx);
    if (this.queue.length >= this.maxQueue) {
      this.rejected++;
      return Promise.reject(BulkheadRejectedError.create(this.running, this.queue.length));
    }
    return new Promise<T>((resolve, reject) => {
      const w: Waiting = {
        start: () => this.run(fn, ctx).then(resolve, reject),
        reject,
        signal: ctx.signal,
        onAbort: () => {
          const i = this.queue.indexOf(w);
          if (i >= 0) this.queue.splice(i, 1);
          reject(ctx.signal.reason);
        },
      };
      ctx.signal.addEventListener('abort', w.onAbort, { once: true });
      this.queue.push(w);
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
    if (this.running >= this.maxConcurrent) return;
    const next = this.queue.shift();
    if (next !== undefined) {
      next.signal.removeEventListener('abort', next.onAbort);
      next.start();
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
