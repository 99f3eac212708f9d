import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../runtime/clock.js';
import { AdaptiveConcurrency, AimdLimit, GradientLimit, type ConcurrencyLimit } from './adaptive-limit.js';
import { isBulkheadRejectedError } from './errors.js';

/**
 * A dependency that can work on `capacity` calls at once (each needs 10 ms of work) and shares
 * itself among more (processor sharing: latency grows with the excess), under unbounded demand.
 * Returns the mean limit and mean latency over the last half of the run.
 */
function drive(limit: ConcurrencyLimit, capacity: number, ms = 20_000): { limit: number; latencyMs: number } {
  const clock = new ManualClock();
  const ac = new AdaptiveConcurrency(limit, clock);
  let jobs: { start: number; left: number }[] = [];
  let limitSum = 0, latencySum = 0, latencyN = 0, steps = 0;
  for (let t = 0; t < ms; t++) {
    // Demand is unbounded: fill up to the limit.
    for (;;) {
      const start = ac.tryStart();
      if (start === undefined) break;
      jobs.push({ start, left: 10 });
    }
    clock.advance(1);
    const rate = Math.min(1, capacity / jobs.length);
    const still: typeof jobs = [];
    for (const j of jobs) {
      j.left -= rate;
      if (j.left > 1e-9) still.push(j);
      else {
        const rtt = clock.now() - j.start;
        if (t > ms / 2) (latencySum += rtt), latencyN++;
        ac.finish(j.start, false);
      }
    }
    jobs = still;
    if (t > ms / 2) (limitSum += limit.limit), steps++;
  }
  return { limit: limitSum / steps, latencyMs: latencySum / latencyN };
}

test('AIMD: grows by one while the limit is used, shrinks by the backoff ratio on a drop or a slow call', () => {
  const a = new AimdLimit({ initial: 10, backoffRatio: 0.5, timeoutMs: 100 });
  a.onSample(5, 10, false);
  assert.equal(a.limit, 11);
  a.onSample(5, 2, false);
  assert.equal(a.limit, 11, 'a limit far from used is not evidence it is too small');
  a.onSample(5, 11, true);
  assert.equal(a.limit, 5);
  a.onSample(150, 5, false);
  assert.equal(a.limit, 2);
});

test('AIMD with a latency timeout keeps a saturated dependency near its capacity', () => {
  // Calls slower than 2x the work time count as drops: the limit settles below 2x capacity.
  const r = drive(new AimdLimit({ initial: 5, timeoutMs: 20, backoffRatio: 0.9 }), 20);
  assert.ok(r.limit > 15 && r.limit < 45, `limit ${r.limit}`);
  assert.ok(r.latencyMs < 25, `latency ${r.latencyMs}`);
});

test('gradient: finds the capacity from latency alone, without any timeout', () => {
  const r = drive(new GradientLimit({ initial: 5, rttTolerance: 1.5 }), 20);
  assert.ok(r.limit > 12 && r.limit < 45, `limit ${r.limit}`);
  assert.ok(r.latencyMs < 25, `latency ${r.latencyMs}`);
  // A fixed limit of 200 under the same demand: ten times the latency.
  const fixed = drive({ limit: 200, onSample() {} }, 20);
  assert.ok(fixed.latencyMs > 90, `fixed latency ${fixed.latencyMs}`);
});

test('adaptive concurrency refuses past the limit with a bulkhead rejection', async () => {
  const ac = new AdaptiveConcurrency(new AimdLimit({ initial: 1 }), new ManualClock());
  const hang = ac.execute(() => new Promise(() => {}));
  void hang;
  const err = await ac.execute(async () => 1).catch((e) => e);
  assert.ok(isBulkheadRejectedError(err));
  assert.throws(() => new AimdLimit({ min: 10, max: 5 }), /aimd.min/);
  assert.throws(() => new GradientLimit({ smoothing: 2 }), /smoothing/);
  assert.throws(() => new GradientLimit({ min: 10, max: 5 }), /gradient.min/);
  assert.throws(() => new AimdLimit({ initial: 2000 }), /aimd.initial: expected between min/);
});
