/**
 * How long to wait before retry number n: exponential growth with a cap, and jitter so that many
 * clients that failed together do not come back together (Brooker, "Exponential Backoff And
 * Jitter", AWS Architecture Blog, 2015).
 *
 * - none:         min(maxMs, initialMs * factor^n)
 * - full:         uniform in [0, that]           (fewest calls, the AWS recommendation)
 * - equal:        half of it, plus uniform in [0, the other half]
 * - decorrelated: min(maxMs, uniform in [initialMs, 3 x the previous delay])
 */
import type { Random } from '../../runtime/clock.js';
import { ConfigError, nonNegative, positive } from '../../runtime/config-error.js';

export type Jitter = 'none' | 'full' | 'equal' | 'decorrelated';

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  jitter?: Jitter;
}

export interface Backoff {
  /** The delay before retry `retry` (0 = the first retry), given the previous delay. */
  delayMs(retry: number, previousMs: number, random: Random): number;
}

export function exponentialBackoff(opts: BackoffOptions = {}): Backoff {
  const initialMs = nonNegative('backoff.initialMs', opts.initialMs ?? 100);
  const maxMs = positive('backoff.maxMs', opts.maxMs ?? 30_000);
  const factor = opts.factor ?? 2;
  if (!(factor >= 1)) throw new ConfigError('backoff.factor', 'a number >= 1', factor);
  const jitter = opts.jitter ?? 'full';
  if (!['none', 'full', 'equal', 'decorrelated'].includes(jitter)) throw new ConfigError('backoff.jitter', 'none, full, equal or decorrelated', jitter);
  return {
    delayMs(retry, previousMs, random) {
      if (jitter === 'decorrelated') {
        const prev = Math.max(initialMs, previousMs);
        return Math.min(maxMs, initialMs + random() * (prev * 3 - initialMs));
      }
      const ceiling = Math.min(maxMs, initialMs * factor ** retry);
      if (jitter === 'full') return random() * ceiling;
      if (jitter === 'equal') return ceiling / 2 + (random() * ceiling) / 2;
      return ceiling;
    },
  };
}

/** The same delay every time (no backoff): the naive retry loop. */
export function constantBackoff(ms: number): Backoff {
  nonNegative('backoff.ms', ms);
  return { delayMs: () => ms };
}
