import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../runtime/clock.js';
import { BrokenCircuitError, isBrokenCircuitError, isIsolatedError } from '../errors.js';
import { ConfigError } from '../../runtime/config-error.js';
import { CircuitBreaker, type BreakerEvent, type CircuitBreakerOptions } from './circuit-breaker.js';
import { ConsecutiveFailures, CountWindow, TimeWindow } from './strategies.js';

const ok = () => Promise.resolve('ok');
const boom = () => Promise.reject(new Error('boom'));

/** A call that stays in flight until settled by hand. */
function deferred<T = string>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject, fn: () => promise };
}

async function failTimes(b: CircuitBreaker, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await b.execute(boom).catch(() => {});
}

function setup(opts: Partial<CircuitBreakerOptions> = {}) {
  const clock = new ManualClock(1000);
  const events: string[] = [];
  const b = new CircuitBreaker({ clock, random: () => 0.5, jitter: 0, openMs: 1000, ...opts });
  b.events.add((e: BreakerEvent) => e.type === 'state' && events.push(`${e.from}->${e.to}`));
  return { clock, b, events };
}

test('consecutive: N failures in a row open it; a success in between resets the count', async () => {
  const { b, events } = setup({ strategy: new ConsecutiveFailures(3) });
  await failTimes(b, 2);
  await b.execute(ok);
  await failTimes(b, 2);
  assert.equal(b.state.kind, 'closed');
  await failTimes(b, 1);
  assert.equal(b.state.kind, 'open');
  assert.deepEqual(events, ['closed->open']);
});

test('open refuses without calling, tells how long to wait, then half-opens when the time is up', async () => {
  const { b, clock } = setup({ strategy: new ConsecutiveFailures(1) });
  await failTimes(b, 1);
  let called = false;
  clock.advance(400);
  const err = await b.execute(async () => (called = true)).catch((e) => e);
  assert.ok(isBrokenCircuitError(err));
  assert.equal((err as BrokenCircuitError).retryAfterMs, 600);
  assert.equal(called, false);
  assert.equal(b.rejected, 1);
  clock.advance(600);
  assert.equal(b.state.kind, 'half-open');
});

test('half-open: one probe at a time; its success closes, and the failure count starts afresh', async () => {
  const { b, clock, events } = setup({ strategy: new ConsecutiveFailures(2) });
  await failTimes(b, 2);
  clock.advance(1000);
  const probe = deferred();
  const first = b.execute(probe.fn);
  // A second call while the probe is out is refused.
  assert.ok(isBrokenCircuitError(await b.execute(ok).catch((e) => e)));
  probe.resolve('fine');
  assert.equal(await first, 'fine');
  assert.equal(b.state.kind, 'closed');
  await failTimes(b, 1);
  assert.equal(b.state.kind, 'closed', 'one failure after closing is not two');
  assert.deepEqual(events, ['closed->open', 'open->half-open', 'half-open->closed']);
});

test('a failed probe reopens for longer each time (backoff), up to openMsMax', async () => {
  const { b, clock } = setup({ strategy: new ConsecutiveFailures(1), backoffFactor: 2, openMsMax: 3000 });
  await failTimes(b, 1);
  const opens: number[] = [];
  for (let i = 0; i < 4; i++) {
    const s = b.state;
    assert.equal(s.kind, 'open');
    opens.push((s as { untilMs: number }).untilMs - clock.now());
    clock.advance(opens[i]);
    await failTimes(b, 1); // the probe fails
  }
  assert.deepEqual(opens, [1000, 2000, 3000, 3000]);
  // A successful probe resets the backoff: the next trip opens for openMs again.
  clock.advance(3000);
  await b.execute(ok);
  await failTimes(b, 1);
  assert.equal((b.state as { untilMs: number }).untilMs - clock.now(), 1000);
});

test('several probes and a success threshold: closes only after enough successes', async () => {
  const { b, clock } = setup({ strategy: new ConsecutiveFailures(1), probes: 2, successThreshold: 3 });
  await failTimes(b, 1);
  clock.advance(1000);
  const p1 = deferred();
  const p2 = deferred();
  const r1 = b.execute(p1.fn);
  const r2 = b.execute(p2.fn);
  assert.ok(isBrokenCircuitError(await b.execute(ok).catch((e) => e)), 'a third concurrent probe is refused');
  p1.resolve('a');
  p2.resolve('b');
  await Promise.all([r1, r2]);
  assert.equal(b.state.kind, 'half-open');
  assert.equal((b.state as { successes: number }).successes, 2);
  await b.execute(ok);
  assert.equal(b.state.kind, 'closed');
});

test('jitter spreads open times within ± the fraction, drawn from the injected random stream', async () => {
  const draws = [0, 1 - 1e-12, 0.5];
  const untils: number[] = [];
  for (const r of draws) {
    const { b, clock } = setup({ strategy: new ConsecutiveFailures(1), jitter: 0.2, random: () => r });
    await failTimes(b, 1);
    untils.push((b.state as { untilMs: number }).untilMs - clock.now());
  }
  assert.deepEqual(untils.map(Math.round), [800, 1200, 1000]);
});

test('a late result from before the trip does not count as a probe', async () => {
  const { b, clock } = setup({ strategy: new ConsecutiveFailures(1) });
  const slow = deferred();
  const before = b.execute(slow.fn);
  await failTimes(b, 1);
  clock.advance(1000);
  assert.equal(b.state.kind, 'half-open');
  slow.resolve('late');
  await before;
  assert.equal(b.state.kind, 'half-open', 'the late success did not close it');
  await b.execute(ok);
  assert.equal(b.state.kind, 'closed');
});

test('isolate holds it open by hand until release; errors that are not failures count for nothing', async () => {
  const { b } = setup({ strategy: new ConsecutiveFailures(1), isFailure: (e) => (e as Error).message !== 'not found' });
  await b.execute(() => Promise.reject(new Error('not found'))).catch(() => {});
  assert.equal(b.state.kind, 'closed');
  b.isolate('deploy in progress');
  const err = await b.execute(ok).catch((e) => e);
  assert.ok(isIsolatedError(err) && err.reason === 'deploy in progress');
  b.release();
  assert.equal(await b.execute(ok), 'ok');
});

test('count window: trips on the failure rate of the last N calls once minimumCalls were seen', async () => {
  const { b } = setup({ strategy: new CountWindow({ size: 10, failureRate: 0.5, minimumCalls: 4 }) });
  await failTimes(b, 3);
  assert.equal(b.state.kind, 'closed', 'three calls are below the minimum, however many failed');
  const c = setup({ strategy: new CountWindow({ size: 10, failureRate: 0.5, minimumCalls: 4 }) }).b;
  for (let i = 0; i < 5; i++) await c.execute(ok);
  await failTimes(c, 4); // 4 of 9
  assert.equal(c.state.kind, 'closed');
  await failTimes(c, 1); // 5 of 10
  assert.equal(c.state.kind, 'open');
});

test('count window forgets calls that slid out of it', () => {
  const w = new CountWindow({ size: 4, failureRate: 0.75 });
  const at = (ok: boolean) => w.record({ ok, durationMs: 0, nowMs: 0 });
  assert.equal(at(false), false);
  at(false);
  at(true);
  assert.equal(at(false), true); // 3 of 4
  at(true); // the first failure slides out: 2 of 4
  assert.equal(at(true), false);
});

test('time window: failures older than the window expire; slow calls trip on their own rate', async () => {
  const w = new TimeWindow({ windowMs: 1000, failureRate: 0.5, minimumCalls: 4, slowCallMs: 100, slowCallRate: 0.75 });
  const rec = (ok: boolean, nowMs: number, durationMs = 1) => w.record({ ok, durationMs, nowMs });
  rec(false, 0);
  rec(false, 50);
  rec(true, 100);
  // Two old failures drop out of the window by t = 1100: 1 of 4 calls failed.
  assert.equal(rec(true, 1100), false);
  rec(true, 1150);
  rec(true, 1160);
  assert.equal(rec(false, 1170), false);
  // Slow successes: 3 slow of 4 in a fresh window trips on the slow-call rate.
  const s = new TimeWindow({ windowMs: 1000, failureRate: 1, minimumCalls: 4, slowCallMs: 100, slowCallRate: 0.75 });
  s.record({ ok: true, durationMs: 500, nowMs: 0 });
  s.record({ ok: true, durationMs: 500, nowMs: 1 });
  s.record({ ok: true, durationMs: 5, nowMs: 2 });
  assert.equal(s.record({ ok: true, durationMs: 500, nowMs: 3 }), true);
});

test('a breaker with a time window times its calls on the injected clock', async () => {
  const { b, clock } = setup({ strategy: new TimeWindow({ windowMs: 10_000, failureRate: 1, minimumCalls: 2, slowCallMs: 100, slowCallRate: 1 }) });
  for (let i = 0; i < 2; i++) {
    const d = deferred();
    const r = b.execute(d.fn);
    clock.advance(150);
    d.resolve('slow');
    await r;
  }
  assert.equal(b.state.kind, 'open');
});

test('bad options are refused at construction, naming the option', () => {
  assert.throws(() => new CountWindow({ size: 10, failureRate: 1.5 }), (e: unknown) => e instanceof ConfigError && e.option === 'countWindow.failureRate');
  assert.throws(() => new CountWindow({ size: 10, failureRate: 0 }), ConfigError);
  assert.throws(() => new TimeWindow({ windowMs: -1, failureRate: 0.5, minimumCalls: 1 }), /windowMs/);
  const env = { clock: new ManualClock(), random: () => 0.5 };
  assert.throws(() => new CircuitBreaker({ ...env, openMs: -5 }), /openMs: expected a positive number/);
  assert.throws(() => new CircuitBreaker({ ...env, jitter: 1 }), /jitter/);
  assert.throws(() => new ConsecutiveFailures(0), /threshold/);
});
