import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeartbeatDetector } from './heartbeat.js';
import { PhiAccrualDetector, erfc } from './phi-accrual.js';
import { OutlierEjection } from './outlier-ejection.js';

test('erfc agrees with tabulated values to 1e-7 relative', () => {
  const table: [number, number][] = [
    [0, 1],
    [0.5, 0.4795001221869535],
    [1, 0.15729920705028513],
    [2, 0.004677734981047266],
    [3, 2.209049699858544e-5],
    [-1, 1.8427007929497148],
  ];
  for (const [x, want] of table) assert.ok(Math.abs(erfc(x) - want) / want < 1.2e-7, `erfc(${x}) = ${erfc(x)}`);
});

test('phi accrual: phi = -log10 P(later) under the fitted normal; grows with silence, adapts to jitter', () => {
  const d = new PhiAccrualDetector({ windowSize: 1000, minStdDeviationMs: 1, firstHeartbeatEstimateMs: 1000 });
  // Heartbeats alternating 900 and 1100 ms apart: mean 1000, sd 100 (the two seed samples are 750 and 1250).
  let t = 0;
  d.heartbeat(t);
  for (let i = 0; i < 998; i++) d.heartbeat((t += i % 2 === 0 ? 900 : 1100));
  const sd = Math.sqrt((998 * 100 * 100 + 2 * 250 * 250) / 1000);
  // Two standard deviations late: P(later) = erfc(2/sqrt2)/2 = 0.02275, phi = 1.643.
  const phi = d.phi(t + 1000 + 2 * sd);
  assert.ok(Math.abs(phi - 1.6430) < 1e-3, `phi ${phi}`);
  assert.ok(d.phi(t + 500) < 0.01);
  assert.ok(d.phi(t + 2000) > 8 && d.suspected(t + 2000));
  // A jittery peer needs a longer silence for the same suspicion.
  const jittery = new PhiAccrualDetector({ minStdDeviationMs: 1 });
  let u = 0;
  jittery.heartbeat(u);
  for (let i = 0; i < 998; i++) jittery.heartbeat((u += i % 2 === 0 ? 500 : 1500));
  assert.ok(jittery.phi(u + 2000) < 2, `${jittery.phi(u + 2000)}`);
});

test('heartbeat detector: suspects after timeoutMs of silence, and never otherwise', () => {
  const d = new HeartbeatDetector(500);
  assert.equal(d.suspected('a', 0), true, 'never heard from');
  d.heartbeat('a', 100);
  assert.equal(d.suspected('a', 599), false);
  assert.equal(d.suspected('a', 600), true);
});

test('outlier ejection: the slow host goes for baseEjectionMs x ejections, never more than the cap', () => {
  const hosts = ['a', 'b', 'c', 'd', 'e'];
  const o = new OutlierEjection(hosts, 0, { intervalMs: 1000, latencyFactor: 5, minimumCalls: 10, baseEjectionMs: 10_000, maxEjectedFraction: 0.25 });
  const interval = (start: number, latency: Record<string, number>) => {
    for (let i = 0; i < 20; i++) for (const h of hosts) o.record(h, true, latency[h] ?? 5, start + i * 10);
  };
  interval(0, { c: 100, d: 90 });
  assert.deepEqual(o.healthy(1000), ['a', 'b', 'd', 'e'], 'the worst goes first; the cap (1 of 5) keeps d');
  assert.equal(o.ejected('c', 10_999), true);
  assert.equal(o.ejected('c', 11_000), false);
  // Ejected again: twice as long.
  interval(11_000, { c: 100 });
  assert.equal(o.ejected('c', 12_100), true, 'judged at 12,100: out for 20 s');
  assert.equal(o.ejected('c', 12_100 + 19_999), true);
  assert.equal(o.ejected('c', 12_100 + 20_000), false);
  // Hosts alike: nobody is ejected.
  const calm = new OutlierEjection(hosts, 0, { minimumCalls: 1 });
  for (const h of hosts) calm.record(h, true, 5, 10);
  assert.deepEqual(calm.healthy(2000), hosts);
});

test('failure detectors refuse bad options', () => {
  assert.throws(() => new PhiAccrualDetector({ threshold: 0 }), /threshold/);
  assert.throws(() => new OutlierEjection(['a'], 0, { maxEjectedFraction: 2 }), /maxEjectedFraction/);
  assert.throws(() => new HeartbeatDetector(-1), /timeoutMs/);
});

test('health: liveness ignores dependencies and draining; readiness fails on them; hung checks time out', async () => {
  const { Health } = await import('./health.js');
  const { ManualClock } = await import('../../runtime/clock.js');
  const clock = new ManualClock();
  let dbUp = true;
  const h = new Health(clock.environment())
    .add('worker loop', 'liveness', () => true)
    .add('database', 'readiness', () => dbUp)
    .add('cache warm', 'readiness', () => new Promise<boolean>(() => {}), 50);
  const pending = h.ready();
  clock.advance(60);
  const r = await pending;
  assert.equal(r.ok, false);
  assert.deepEqual(r.checks.map((c) => [c.name, c.ok]), [['database', true], ['cache warm', false]]);
  assert.match(r.checks[1].error!, /no answer within 50 ms/);
  dbUp = false;
  assert.equal((await h.live()).ok, true, 'a dependency down is not a reason to restart');
  h.drain('deploy');
  assert.equal((await h.live()).ok, true);
  const drained = h.ready();
  clock.advance(60);
  assert.equal((await drained).checks[0].error, 'deploy');
});
