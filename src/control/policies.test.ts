import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../runtime/clock.js';
import {
  BudgetKillSwitch,
  Bulkhead,
  CircuitBreaker,
  ConsecutiveFailures,
  KeyedBulkhead,
  KillSwitch,
  RateKillSwitch,
  Retry,
  RetryBudget,
  SlidingWindow,
  Timeout,
  TokenBucket,
  constantBackoff,
  exponentialBackoff,
  isBrokenCircuitError,
  isBudgetExceededError,
  isBulkheadRejectedError,
  isIsolatedError,
  isRateLimitedError,
  isRetryBudgetExhaustedError,
  isTimeoutError,
  wrap,
} from './index.js';
import { ConfigError } from '../runtime/config-error.js';

/** Let promise callbacks run. */
const flush = () => new Promise<void>((r) => setImmediate(r));

/** Move a manual clock forward in steps, letting promises settle between them. */
async function drive(clock: ManualClock, ms: number, stepMs = 1): Promise<void> {
  for (let t = 0; t < ms; t += stepMs) {
    clock.advance(stepMs);
    await flush();
  }
}

test('backoff: exponential with a cap; full jitter stays under it; decorrelated grows from the previous delay', () => {
  const none = exponentialBackoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 'none' });
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((n) => none.delayMs(n, 0, () => 0.5)), [100, 200, 400, 800, 1000, 1000]);
  const full = exponentialBackoff({ initialMs: 100, maxMs: 1000, jitter: 'full' });
  assert.equal(full.delayMs(3, 0, () => 0.5), 400);
  assert.equal(full.delayMs(3, 0, () => 0), 0);
  const equal = exponentialBackoff({ initialMs: 100, jitter: 'equal' });
  assert.equal(equal.delayMs(1, 0, () => 0), 100);
  const dec = exponentialBackoff({ initialMs: 100, maxMs: 10_000, jitter: 'decorrelated' });
  assert.equal(dec.delayMs(0, 0, () => 1), 300);
  assert.equal(dec.delayMs(1, 300, () => 1), 900);
  assert.equal(dec.delayMs(1, 300, () => 0), 100);
  assert.throws(() => exponentialBackoff({ factor: 0.5 }), ConfigError);
});

test('retry: tries again after the backoff, up to maxAttempts, then gives up with the last error', async () => {
  const clock = new ManualClock();
  const r = new Retry({ maxAttempts: 3, backoff: constantBackoff(100), env: clock.environment() });
  let calls = 0;
  const result = r.execute(async () => {
    calls++;
    throw new Error(`attempt ${calls}`);
  });
  const caught = result.catch((e) => e);
  await flush();
  assert.equal(calls, 1);
  await drive(clock, 100, 10);
  assert.equal(calls, 2);
  await drive(clock, 100, 10);
  assert.equal(calls, 3);
  assert.equal(((await caught) as Error).message, 'attempt 3');
  assert.equal(r.retries, 2);
});

test('retry does not retry a refusal by another policy: an open breaker is asking for less load', async () => {
  const clock = new ManualClock();
  const breaker = new CircuitBreaker({ strategy: new ConsecutiveFailures(1), clock, random: () => 0.5, jitter: 0 });
  await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => {});
  const r = new Retry({ maxAttempts: 5, backoff: constantBackoff(0), env: clock.environment() });
  const err = await wrap(r, breaker).execute(async () => 'never').catch((e) => e);
  assert.ok(isBrokenCircuitError(err));
  assert.equal(r.retries, 0);
});

test('a retry budget caps retries at a ratio of calls (plus a floor), then refuses with its own error', async () => {
  const clock = new ManualClock();
  const budget = new RetryBudget({ ratio: 0.1, minPerSecond: 0, windowMs: 10_000 }, clock);
  const r = new Retry({ maxAttempts: 2, backoff: constantBackoff(0), budget, env: clock.environment() });
  let calls = 0;
  const failing = async () => {
    calls++;
    throw new Error('down');
  };
  const outcomes = await Promise.all(Array.from({ length: 100 }, () => r.execute(failing).catch((e) => e)));
  // 100 calls earn 10 retries: 110 attempts instead of the 200 a budget-less retry would make.
  assert.equal(calls, 110);
  assert.equal(outcomes.filter(isRetryBudgetExhaustedError).length, 90);
  assert.equal(budget.exhausted, 90);
  // The window slides: after it, new calls earn new retries.
  clock.advance(10_001);
  assert.equal(budget.tryRetry(), false, 'no calls in the new window, no floor: no retry');
  for (let i = 0; i < 10; i++) budget.recordCall();
  assert.equal(budget.tryRetry(), true);
});

test('timeout: the caller gets a TimeoutError and the call sees its signal aborted', async () => {
  const clock = new ManualClock();
  const t = new Timeout(50, clock);
  let aborted = false;
  const p = t.execute(({ signal }) => new Promise((resolve) => signal.addEventListener('abort', () => ((aborted = true), resolve('late')))));
  const caught = p.catch((e) => e);
  await drive(clock, 60, 10);
  const err = await caught;
  assert.ok(isTimeoutError(err) && err.timeoutMs === 50);
  assert.equal(aborted, true);
  assert.equal(await t.execute(async () => 'quick'), 'quick');
});

test('wrap(breaker, timeout): the breaker counts timeouts as failures and opens', async () => {
  const clock = new ManualClock();
  const breaker = new CircuitBreaker({ strategy: new ConsecutiveFailures(2), clock, random: () => 0.5, jitter: 0 });
  const policy = wrap(breaker, new Timeout(100, clock));
  const hang = () => new Promise<string>(() => {});
  for (let i = 0; i < 2; i++) {
    const p = policy.execute(hang).catch((e) => e);
    await drive(clock, 110, 10);
    assert.ok(isTimeoutError(await p));
  }
  assert.equal(breaker.state.kind, 'open');
});

test('bulkhead: maxConcurrent run, maxQueue wait in order, the rest are refused at once', async () => {
  const b = new Bulkhead({ maxConcurrent: 2, maxQueue: 1 });
  const release: (() => void)[] = [];
  const order: number[] = [];
  const job = (i: number) => () => new Promise<number>((r) => release.push(() => (order.push(i), r(i))));
  const ps = [0, 1, 2].map((i) => b.execute(job(i)));
  const refused = await b.execute(job(3)).catch((e) => e);
  assert.ok(isBulkheadRejectedError(refused) && refused.executing === 2 && refused.queued === 1);
  assert.equal(b.executing, 2);
  assert.equal(b.queued, 1);
  release.shift()!();
  await flush();
  assert.equal(b.queued, 0, 'the queued call took the freed slot');
  while (release.length > 0) {
    release.shift()!();
    await flush();
  }
  assert.deepEqual(await Promise.all(ps), [0, 1, 2]);
  assert.deepEqual(order, [0, 1, 2]);
  assert.throws(() => new Bulkhead({ maxConcurrent: 0 }), /maxConcurrent/);
});

test('keyed bulkhead: one key full does not refuse another', async () => {
  const kb = new KeyedBulkhead({ maxConcurrent: 1 });
  const hang = () => new Promise(() => {});
  void kb.execute('tenant-a', hang);
  assert.ok(isBulkheadRejectedError(await kb.execute('tenant-a', async () => 1).catch((e) => e)));
  assert.equal(await kb.execute('tenant-b', async () => 2), 2);
});

test('token bucket: a burst, then the steady rate; the refusal says how long to wait', () => {
  const clock = new ManualClock();
  const tb = new TokenBucket(10, 5, clock);
  for (let i = 0; i < 5; i++) assert.equal(tb.tryTake(), 0);
  assert.equal(Math.round(tb.tryTake()), 100);
  clock.advance(100);
  assert.equal(tb.tryTake(), 0);
  clock.advance(10_000);
  for (let i = 0; i < 5; i++) assert.equal(tb.tryTake(), 0, 'refills up to the burst only');
  assert.ok(tb.tryTake() > 0);
});

test('sliding window: at most the limit in any window, the previous window weighted by its overlap', async () => {
  const clock = new ManualClock();
  const sw = new SlidingWindow(10, 1000, clock);
  for (let i = 0; i < 10; i++) assert.equal(sw.tryTake(), 0);
  assert.ok(sw.tryTake() > 0);
  clock.advance(1000); // a new window; the previous (10 calls) still weighs fully at its start
  assert.ok(sw.tryTake() > 0);
  clock.advance(500); // half of it has slid out: 5 + 0 used, 5 free
  for (let i = 0; i < 5; i++) assert.equal(sw.tryTake(), 0);
  assert.ok(sw.tryTake() > 0);
  const err = await sw.execute(async () => 1).catch((e) => e);
  assert.ok(isRateLimitedError(err) && err.retryAfterMs > 0);
});

test('manual kill switch: off refuses everything with the reason until turned back on; watch follows a flag', async () => {
  const clock = new ManualClock();
  const k = new KillSwitch(clock);
  assert.equal(await k.execute(async () => 'runs'), 'runs');
  k.trip('operator: stop trading');
  const err = await k.execute(async () => 'runs').catch((e) => e);
  assert.ok(isIsolatedError(err) && err.reason === 'operator: stop trading');
  assert.equal(k.refused, 1);
  k.reset();
  assert.equal(k.allow(), true);
  k.watch(true);
  assert.equal(k.allow(), false);
  k.watch(false);
  assert.equal(k.allow(), true);
});

test('rate kill switch: an abnormal rate stops everything and it stays stopped until reset', () => {
  const clock = new ManualClock();
  const k = new RateKillSwitch({ maxOps: 100, windowMs: 1000, clock });
  for (let i = 0; i < 100; i++) assert.equal(k.allow(), true);
  assert.equal(k.allow(), false);
  assert.match(k.tripped!.reason, /more than 100 operations in 1000 ms/);
  clock.advance(60_000);
  assert.equal(k.allow(), false, 'a kill switch does not heal itself: a person decides');
  k.reset();
  assert.equal(k.allow(), true);
});

test('budget kill switch: the spend that would pass the cap is refused and trips the switch', async () => {
  const clock = new ManualClock();
  const k = new BudgetKillSwitch({ cap: 1_000_000, windowMs: 60_000, clock });
  assert.equal(await k.spend(600_000, async () => 'order 1'), 'order 1');
  const err = await k.spend(500_000, async () => 'order 2').catch((e) => e);
  assert.ok(isBudgetExceededError(err) && err.spent === 1_100_000);
  assert.equal(k.spent(), 600_000);
  assert.ok(isIsolatedError(await k.spend(1, async () => 'order 3').catch((e) => e)), 'tripped: even small spends stop');
  assert.throws(() => new BudgetKillSwitch({ cap: 0, windowMs: 1000, clock }), /cap/);
  assert.throws(() => new RateKillSwitch({ maxOps: 10, windowMs: -1, clock }), /windowMs/);
});

test('bulkhead: a queued call whose signal aborts is refused with the reason and skipped when its turn comes', async () => {
  const b = new Bulkhead({ maxConcurrent: 1, maxQueue: Infinity });
  let release!: () => void;
  const first = b.execute(() => new Promise<void>((r) => (release = r)));
  const controller = new AbortController();
  const aborted = b.execute(async () => 'never', controller.signal).catch((e) => e);
  const third = b.execute(async () => 'third');
  assert.equal(b.queued, 2);
  controller.abort(new Error('caller gave up'));
  assert.equal(((await aborted) as Error).message, 'caller gave up');
  assert.equal(b.queued, 1);
  release();
  await first;
  assert.equal(await third, 'third');
  assert.equal(b.queued, 0);
});
