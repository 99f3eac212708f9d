/**
 * What every control policy is: something that runs an operation for you, or refuses to. Policies
 * compose with `wrap(outer, ..., inner)`: the first runs first and sees what the inner ones throw.
 *
 * The order we recommend, outermost first, and why:
 *
 *     wrap(killSwitch, retry, breaker, bulkhead, timeout)
 *
 * - timeout innermost, so a slow call ends as a TimeoutError the breaker counts as a failure;
 * - bulkhead inside the breaker, so an open breaker refuses before taking a slot;
 * - retry outside the breaker, so a retry asks the breaker again (and stops when it is open:
 *   retrying into an open breaker is how retry storms start; `retry` does not retry rejections
 *   unless told to);
 * - kill switch outermost: when it is off, nothing below runs, retries included.
 */

export interface ExecuteContext {
  /** Aborted when the caller gives up or a timeout fires: pass it on to fetch, sockets, queries. */
  signal: AbortSignal;
}

export type Operation<T> = (ctx: ExecuteContext) => PromiseLike<T> | T;

export interface Policy {
  execute<T>(fn: Operation<T>, signal?: AbortSignal): Promise<T>;
}

/** A signal that never aborts, shared by calls that bring none. */
export const neverAborted: AbortSignal = new AbortController().signal;

/** The context of calls without a signal of their own (one object, not one per call). */
export const defaultContext: ExecuteContext = Object.freeze({ signal: neverAborted });

/** Compose policies: wrap(a, b, c).execute(fn) is a.execute(() => b.execute(() => c.execute(fn))). */
export function wrap(...policies: Policy[]): Policy {
  if (policies.length === 0) return noop;
  if (policies.length === 1) return policies[0];
  const [outer, ...rest] = policies;
  const inner = wrap(...rest);
  return {
    execute<T>(fn: Operation<T>, signal?: AbortSignal): Promise<T> {
      return outer.execute((ctx) => inner.execute(fn, ctx.signal), signal);
    },
  };
}

/** The policy that just calls. */
export const noop: Policy = {
  execute<T>(fn: Operation<T>, signal?: AbortSignal): Promise<T> {
    return call(fn, signal === undefined ? defaultContext : { signal });
  },
};

/** Run fn as a promise, turning a synchronous throw into a rejection. */
export function call<T>(fn: Operation<T>, ctx: ExecuteContext): Promise<T> {
  try {
    const r = fn(ctx);
    return r instanceof Promise ? r : Promise.resolve(r);
  } catch (e) {
    return Promise.reject(e);
  }
}

/** A listener list that costs nothing when empty. */
export class Listeners<E> {
  private list: ((e: E) => void)[] = [];
  get empty(): boolean {
    return this.list.length === 0;
  }
  add(fn: (e: E) => void): () => void {
    this.list = [...this.list, fn];
    return () => {
      this.list = this.list.filter((f) => f !== fn);
    };
  }
  emit(e: E): void {
    for (const fn of this.list) fn(e);
  }
}
