/**
 * The real world's clock, timers and randomness, for a service that uses the pillars' cores outside the
 * simulator. The cores take these as required arguments, never as a default, so that a forgotten
 * argument fails to compile instead of quietly bringing wall time into a simulated run; inside the
 * simulator `fromContext(ctx)` (pillars/runtime) hands them the node's virtual clock, timers and
 * seeded stream instead.
 *
 *   import { realEnvironment } from 'pillars/adapters/real-clock';
 *   const breaker = circuitBreaker({ ...realEnvironment(), openMs: 5_000 });
 */
import type { Clock, Environment, Random, Timers } from '../runtime/clock.js';

const monotonic: Clock = { now: () => performance.now() };

/** Milliseconds on the process's monotonic clock (only differences matter). */
export function realClock(): Clock {
  return monotonic;
}

const nodeTimers: Timers = {
  // Not unref'd: a caller awaiting a retry's backoff must keep the process alive until it fires.
  set: (ms, fn) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Node's setTimeout and clearTimeout. */
export function realTimers(): Timers {
  return nodeTimers;
}

/** Math.random: unseeded, so a service's jitter differs between its instances. */
export function realRandom(): Random {
  return Math.random;
}

/** The clock, the timers and the random stream of the real world, together. */
export function realEnvironment(): Environment {
  return { clock: monotonic, timers: nodeTimers, random: Math.random };
}
