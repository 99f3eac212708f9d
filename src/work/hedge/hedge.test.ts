import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../runtime/clock.js';
import { Hedge } from './hedge.js';

const flush = () => new Promise<void>((r) => setImmediate(r));

/** An operation whose attempts answer after the given delays on the manual clock. */
function replicas(clock: ManualClock, delays: number[]) {
  const aborted: number[] = [];
  const fn = ({ signal, attempt }: { signal: AbortSignal; attempt: number }) =>
    new Promise<string>((resolve) => {
      const h = clock.set(delays[attempt], () => resolve(`replica ${attempt}`));
      signal.addEventListener('abort', () => {
        aborted.push(attempt);
        clock.clear(h);
      });
    });
  return { fn, aborted };
}

test('a slow first attempt is hedged after the delay; the faster copy wins and the slower is cancelled', async () => {
  const clock = new ManualClock();
  const h = new Hedge({ delayMs: 10, maxExtraRatio: 1, timers: clock, clock });
  const { fn, aborted } = replicas(clock, [500, 5]);
  const p = h.execute(fn);
  clock.advance(10);
  await flush();
  clock.advance(5);
  assert.equal(await p, 'replica 1');
  assert.deepEqual(aborted, [0]);
  assert.equal(h.hedges, 1);
  assert.equal(h.hedgeWins, 1);
});

test('a fast answer sends no hedge; the hedge delay follows the latency quantile once known', async () => {
  const clock = new ManualClock();
  const h = new Hedge({ quantile: 0.9, minSamples: 10, maxExtraRatio: 1, timers: clock, clock });
  assert.equal(h.delayMs(), undefined, 'no hedging before enough latencies are known');
  for (let i = 0; i < 40; i++) {
    // 1..10 ms for the first ten (the quantile is learnt from them: 10 ms), then just under each.
    const ms = (i % 10) + (i < 10 ? 1 : 0.5);
    const { fn } = replicas(clock, [ms, ms]);
    const p = h.execute(fn);
    clock.advance(ms);
    await p;
  }
  assert.equal(h.hedges, 0, 'nothing was slower than the 90th percentile');
  assert.equal(h.delayMs(), 10, 'the 90th percentile of 1..10 ms');
});

test('the extra-load budget caps hedges at a share of calls', async () => {
  const clock = new ManualClock();
  const h = new Hedge({ delayMs: 1, maxExtraRatio: 0.1, timers: clock, clock });
  for (let i = 0; i < 50; i++) {
    const { fn } = replicas(clock, [10, 10]);
    const p = h.execute(fn);
    clock.advance(1);
    await flush();
    clock.advance(9);
    await p;
  }
  assert.ok(h.hedges <= 5, `${h.hedges} hedges for 50 calls`);
  assert.throws(() => new Hedge({ quantile: 2, clock, timers: clock }), /quantile/);
});
