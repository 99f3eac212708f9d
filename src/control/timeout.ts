/**
 * Give up on a call after timeoutMs: the caller gets a TimeoutError at once, and the call's signal is
 * aborted so that the work behind it (a fetch, a query) can stop too. The call's own late result is
 * dropped. Put it innermost in a wrap(), so that breakers count timeouts as failures.
 */
import type { Timers } from '../runtime/clock.js';
import { TimeoutError } from './errors.js';
import { positive } from '../runtime/config-error.js';
import { call, type Operation, type Policy } from './policy.js';

export class Timeout implements Policy {
  /** Calls that timed out. */
  timedOut = 0;
  constructor(
    readonly timeoutMs: number,
    private readonly timers: Timers,
  ) {
    positive('timeoutMs', timeoutMs);
  }

  execute<T>(fn: Operation<T>, signal?: AbortSignal): Promise<T> {
    const controller = new AbortController();
    const onParentAbort = () => controller.abort(signal!.reason);
    if (signal !== undefined) {
      if (signal.aborted) return Promise.reject(signal.reason);
      signal.addEventListener('abort', onParentAbort, { once: true });
    }
    return new Promise<T>((resolve, reject) => {
      const h = this.timers.set(this.timeoutMs, () => {
        this.timedOut++;
        const err = TimeoutError.create(this.timeoutMs);
        controller.abort(err);
        reject(err);
      });
      const done = () => {
        this.timers.clear(h);
        signal?.removeEventListener('abort', onParentAbort);
      };
      call(fn, { signal: controller.signal }).then(
        (v) => {
          done();
          resolve(v);
        },
        (e) => {
          done();
          reject(e);
        },
      );
    });
  }
}

export function timeout(timeoutMs: number, timers: Timers): Timeout {
  return new Timeout(timeoutMs, timers);
}
