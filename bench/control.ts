/**
 * Overhead per call of the control policies, against cockatiel 3 and opossum 9 measured in the same
 * run. Each figure is ns per call over a bare `await fn()` of an async function that resolves at
 * once, median of 7 rounds. The last line is the breaker's overhead as a ratio of cockatiel's.
 */
import { ConsecutiveBreaker, circuitBreaker as cbCockatiel, handleAll, retry as retryCockatiel, wrap as wrapCockatiel, ExponentialBackoff } from 'cockatiel';
import CircuitBreakerOpossum from 'opossum';
import { circuitBreaker, retry, wrap, tokenBucket, ConsecutiveFailures, exponentialBackoff } from '../src/control/index.js';
import { realClock, realEnvironment } from '../src/adapters/real-clock.js';
import { median } from './anchors.js';

const CALLS = 300_000;
const ROUNDS = 7;
const ok = async () => 1;
const preallocated = new Error('refused');
const fail = async () => {
  throw new Error('down');
};

async function nsPerCall(run: () => Promise<unknown>, calls = CALLS): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    try {
      await run();
    } catch {
      /* rejections are what some rows measure */
    }
  }
  return Number(process.hrtime.bigint() - t0) / calls;
}

async function measure(rows: Record<string, () => Promise<unknown>>): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = {};
  for (let r = 0; r <= ROUNDS; r++) {
    for (const [name, run] of Object.entries(rows)) {
      const ns = await nsPerCall(run);
      if (r > 0) (samples[name] ??= []).push(ns);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

const real = realEnvironment();
const ours = circuitBreaker({ ...real, strategy: new ConsecutiveFailures(5), openMs: 1e9 });
const theirs = cbCockatiel(handleAll, { halfOpenAfter: 1e9, breaker: new ConsecutiveBreaker(5) });
const opossum = new CircuitBreakerOpossum(ok, { timeout: false, resetTimeout: 1e9, errorThresholdPercentage: 50, volumeThreshold: 5 });

const oursRetry = wrap(retry({ maxAttempts: 3, backoff: exponentialBackoff({ initialMs: 1 }), env: real }), circuitBreaker({ ...real, openMs: 1e9 }));
const theirsRetry = wrapCockatiel(retryCockatiel(handleAll, { maxAttempts: 3, backoff: new ExponentialBackoff() }), cbCockatiel(handleAll, { halfOpenAfter: 1e9, breaker: new ConsecutiveBreaker(5) }));

const limiter = tokenBucket(1e9, 1e9, realClock());

// Open breakers, to measure the cost of a rejection.
const oursOpen = circuitBreaker({ ...real, strategy: new ConsecutiveFailures(1), openMs: 1e9 });
const theirsOpen = cbCockatiel(handleAll, { halfOpenAfter: 1e9, breaker: new ConsecutiveBreaker(1) });
const opossumOpen = new CircuitBreakerOpossum(fail, { timeout: false, resetTimeout: 1e9, errorThresholdPercentage: 1, volumeThreshold: 1 });
await oursOpen.execute(fail).catch(() => {});
await theirsOpen.execute(fail).catch(() => {});
for (let i = 0; i < 3; i++) await opossumOpen.fire().catch(() => {});
if (!opossumOpen.opened) throw new Error('opossum breaker did not open');

const m = await measure({
  bare: () => ok(),
  'bare rejection': () => Promise.reject(preallocated),
  'pillars breaker': () => ours.execute(ok),
  'cockatiel breaker': () => theirs.execute(ok),
  'opossum breaker': () => opossum.fire(),
  'pillars retry+breaker': () => oursRetry.execute(ok),
  'cockatiel retry+breaker': () => theirsRetry.execute(ok),
  'pillars token bucket': () => limiter.execute(ok),
  'pillars rejection (open)': () => oursOpen.execute(ok),
  'cockatiel rejection (open)': () => theirsOpen.execute(ok),
  'opossum rejection (open)': () => opossumOpen.fire(),
});

// Calls are compared with a bare call; rejections with a bare rejected promise caught by the caller.
const over = (k: string) => m[k] - (k.includes('rejection') ? m['bare rejection'] : m.bare);
process.stdout.write(`bare await: ${m.bare.toFixed(0)} ns per call; bare rejected await: ${m['bare rejection'].toFixed(0)} ns\n`);
for (const k of Object.keys(m)) if (!k.startsWith('bare')) process.stdout.write(`${k.padEnd(28)} ${over(k).toFixed(0).padStart(6)} ns over bare\n`);
const ratio = over('pillars breaker') / over('cockatiel breaker');
process.stdout.write(`rejection on an open breaker: ${over('pillars rejection (open)').toFixed(0)} ns (target < 1000)\n`);
process.stdout.write(`ratio ${ratio.toFixed(3)} pillars breaker overhead vs cockatiel breaker overhead (target <= 0.5)\n`);
