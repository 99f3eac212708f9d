/**
 * Retry a failed call after a backoff, a bounded number of times, within an optional retry budget.
 *
 * By default a call refused by another policy (an open breaker, a full bulkhead, a rate limit, a
 * kill switch) is not retried: the refusal is the system asking for less load, and retrying it is
 * how retry storms start. Aborted calls are not retried either.
 */
import type { Environment } from '../../runtime/clock.js';
import { isRejection, RetryBudgetExhaustedError } from '../errors.js';
import { positiveInt } from '../../runtime/config-error.js';
import { call, defaultContext, Listeners, type Operation, type Policy } from '../policy.js';
import { exponentialBackoff, type Backoff } from './backoff.js';
import type { RetryBudget } from './retry-budget.js';

export interface RetryOptions {
  /** Attempts in all, the first included (default 3). */
  maxAttempts?: number;
  /** Default: exponential from 100 ms, factor 2, capped at 30 s, full jitter. */
  backoff?: Backoff;
  /** Which errors are worth another attempt (default: any that is not a refusal by a policy). */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  budget?: RetryBudget;
  /** Backoffs wait on these timers and draw their jitter from this stream (required). */
  env: Pick<Environment, 'timers' | 'random'>;
}

export type RetryEvent = { type: 'retry'; attempt: number; delayMs: number; error: unknown } | { type: 'give-up'; attempts: number; error: unknown };

export class Retry implements Policy {
  private readonly maxAttempts: number;
  private readonly backoff: Backoff;
  private readonly shouldRetry: (error: unknown, attempt: number) => boolean;
  private readonly env: Pick<Environment, 'timers' | 'random'>;
  readonly events = new Listeners<RetryEvent>();
  /** Retries made (not counting first attempts). */
  retries = 0;

  constructor(private readonly opts: RetryOptions) {
    this.maxAttempts = positiveInt('maxAttempts', opts.maxAttempts ?? 3);
    this.backoff = opts.backoff ?? exponentialBackoff();
    this.shouldRetry = opts.shouldRetry ?? ((e) => !isRejection(e));
    this.env = opts.env;
  }

  execute<T>(fn: Operation<T>, signal?: AbortSignal): Promise<T> {
    const ctx = signal === undefined ? defaultContext : { signal };
    this.opts.budget?.recordCall();
    const first = call(fn, ctx);
    if (this.maxAttempts === 1) return first;
    return first.then(undefined, (e) => this.again(fn, ctx.signal, e, 1, 0));
  }

  private again<T>(fn: Operation<T>, signal: AbortSignal, error: unknown, attempt: number, previousMs: number): Promise<T> {
    if (attempt >= this.maxAttempts || signal.aborted || !this.shouldRetry(error, attempt)) {
      if (!this.events.empty) this.events.emit({ type: 'give-up', attempts: attempt, error });
      return Promise.reject(error);
    }
    if (this.opts.budget !== undefined && !this.opts.budget.tryRetry()) return Promise.reject(RetryBudgetExhaustedError.create(error));
    const delayMs = this.backoff.delayMs(attempt - 1, previousMs, this.env.random);
    if (!this.events.empty) this.events.emit({ type: 'retry', attempt, delayMs, error });
    this.retries++;
    return new Promise<void>((resolve, reject) => {
      if (delayMs <= 0) return resolve();
      const h = this.env.timers.set(delayMs, () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
      const onAbort = () => {
        this.env.timers.clear(h);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    }).then(() => call(fn, signal === defaultContext.signal ? defaultContext : { signal }).then(undefined, (e) => this.again(fn, signal, e, attempt + 1, delayMs)));
  }
}

export function retry(opts: RetryOptions): Retry {
  return new Retry(opts);
}
