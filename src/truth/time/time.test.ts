import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Context, Process } from '../../runtime/context.js';
import { World } from '../../sim/world.js';
import { runVariant } from '../../scenario/runner.js';
import { loadScenario, runner, scenarioFile } from '../../testing/story-runner.js';
import { parseScenario } from '../../scenario/load.js';
import { readFileSync } from 'node:fs';
import { ShardParticipant, timestampStepMs } from './participant.js';
import { TrueTime, waitSlackMs } from './true-time.js';

/** Samples TT.now() every sampleEveryMs and counts the samples whose interval misses the true time. */
class Sampler implements Process {
  misses = 0;
  samples = 0;
  worstMissMs = 0;
  constructor(
    readonly ctx: Context,
    readonly tt: TrueTime,
    readonly trueNow: () => number,
  ) {}
  start(): void {
    const tick = () => {
      const i = this.tt.now();
      const t = this.trueNow();
      this.samples++;
      const miss = Math.max(i.earliest - t, t - i.latest, 0);
      if (miss > 0) this.misses++;
      this.worstMissMs = Math.max(this.worstMissMs, miss);
      this.ctx.setTimer(10, tick);
    };
    this.ctx.setTimer(10, tick);
  }
  onMessage(): void {}
}

/** One node with the given clock, its TrueTime sampled for 60 s of true time. */
function sampleBound(clock: { offsetMs: number; driftPpm: number }, config: { epsilonMs: number; driftBoundPpm: number }) {
  let w: World | undefined;
  w = new World({ seed: 1, nodes: [{ id: 'n1', clock, factory: (ctx: Context) => new Sampler(ctx, new TrueTime(() => ctx.now(), config), () => w!.now) }] });
  w.start();
  w.run(60_000);
  return w.process('n1') as Sampler;
}

test('TrueTime: the true time is inside [earliest, latest] whenever epsilon covers the clock error', () => {
  // 15 ms ahead, drifting 50 ppm (3 ms over the minute): 20 ms plus a 100 ppm drift bound covers it.
  const covered = sampleBound({ offsetMs: 15, driftPpm: 50 }, { epsilonMs: 20, driftBoundPpm: 100 });
  assert.ok(covered.samples > 5000);
  assert.equal(covered.misses, 0);
  const behind = sampleBound({ offsetMs: -19, driftPpm: -50 }, { epsilonMs: 19.5, driftBoundPpm: 50 });
  assert.equal(behind.misses, 0);
});

test('TrueTime: a bound the clock breaks misses the true time, by the excess', () => {
  // 15 ms off and a 5 ms bound: every sample misses by 10 ms.
  const small = sampleBound({ offsetMs: 15, driftPpm: 0 }, { epsilonMs: 5, driftBoundPpm: 0 });
  assert.equal(small.misses, small.samples);
  assert.ok(Math.abs(small.worstMissMs - 10) < 1e-6, `${small.worstMissMs}`);
  // A bound that ignores drift holds at first and breaks once 200 ppm have added up past it (after 25 s).
  const drift = sampleBound({ offsetMs: 0, driftPpm: 200 }, { epsilonMs: 5, driftBoundPpm: 0 });
  assert.ok(drift.misses > 0 && drift.misses < drift.samples, `${drift.misses} of ${drift.samples}`);
  assert.ok(Math.abs(drift.misses / drift.samples - 35 / 60) < 0.01, `${drift.misses} of ${drift.samples}`);
});

test('TrueTime: the interval grows with the drift bound; waitUntilAfterMs lands just past the timestamp', () => {
  let local = 1000;
  const tt = new TrueTime(() => local, { epsilonMs: 4, driftBoundPpm: 200 });
  assert.deepEqual(tt.now(), { earliest: 996, latest: 1004 });
  local = 31_000; // 30 s later: 4 + 200e-6 * 30000 = 10 ms
  assert.ok(Math.abs(tt.epsilonAt(local) - 10) < 1e-9);
  const s = tt.now().latest;
  assert.equal(tt.after(s), false);
  assert.equal(tt.before(s + 1), true);
  const wait = tt.waitUntilAfterMs(s);
  // About 2 epsilon (a bit more: the interval keeps widening while we wait).
  assert.ok(wait > 20 && wait < 20.01, `${wait}`);
  local += wait;
  assert.equal(tt.after(s), true);
  local -= 2 * waitSlackMs;
  assert.equal(tt.after(s), false);
  assert.throws(() => new TrueTime(() => 0, { epsilonMs: -1, driftBoundPpm: 0 }), /epsilonMs/);
});

test('participant: locks queue first come first served; prepare timestamps only grow; versions apply at the commit timestamp', () => {
  const p = new ShardParticipant();
  const a = p.prepare('a', [{ key: 'x', value: 1 }], 100);
  assert.deepEqual(a, { txn: 'a', prepareTs: 100 });
  // b waits for x; c takes y at once, above a's timestamp although its clock said less.
  assert.equal(p.prepare('b', [{ key: 'x', value: 2 }, { key: 'y', value: 2 }], 90), undefined);
  const c = p.prepare('c', [{ key: 'z', value: 3 }], 95)!;
  assert.equal(c.prepareTs, 100 + timestampStepMs);
  p.assigned(130);
  const granted = p.commit('a', 130, 120);
  // b gets x when a releases it, stamped after what this leader assigned (130).
  assert.deepEqual(granted.map((g) => g.txn), ['b']);
  assert.ok(granted[0].prepareTs > 130);
  assert.deepEqual(p.readAt('x', 129), undefined);
  assert.deepEqual(p.readAt('x', 130), { ts: 130, value: 1 });
  // Committing below the prepare timestamp, or an unknown transaction, is a bug.
  assert.throws(() => p.commit('b', 100, 0), /invariant/);
  assert.throws(() => p.commit('nope', 200, 0), /invariant/);
  p.commit('b', 140, 140);
  assert.deepEqual(p.readAt('x', 1e9), { ts: 140, value: 2 });
  assert.equal(p.inFlight, 1);
});

test('commit-wait.yaml: without commit wait causal pairs invert; with it none do, at 2 epsilon per transaction; a broken bound inverts again', () => {
  const run = runner('commit-wait.yaml');
  const naive = run('naive');
  const fixed = run('fixed');
  const small = run('epsilon-too-small');
  const atomic = run('atomic-clocks');
  for (const r of [naive, fixed, small, atomic]) assert.equal(r.met, true, r.variant);
  const m = (r: typeof naive, k: string) => r.metrics[k];
  // naive: n1 stamps T1 up to 2 epsilon ahead; T2, 15 ms behind, lands before it in (nearly) every pair.
  assert.ok(m(naive, 'pairs') > 1500, `${m(naive, 'pairs')} pairs`);
  assert.ok(m(naive, 'inversions') >= 0.9 * m(naive, 'pairs'), `${m(naive, 'inversions')} of ${m(naive, 'pairs')}`);
  assert.equal(m(naive, 'commit_wait_ms_mean'), 0);
  // fixed: none inverted.
  assert.ok(m(fixed, 'pairs') > 500);
  assert.equal(m(fixed, 'inversions'), 0);
  // The wait is 2 epsilon (epsilon grows with the drift bound: 20 ms plus 100 ppm of the run).
  const eps = m(fixed, 'epsilon_ms_mean');
  assert.ok(eps > 20 && eps < 23.1, `epsilon ${eps}`);
  assert.ok(Math.abs(m(fixed, 'commit_wait_ms_mean') - 2 * eps) < 0.02 * eps, `wait ${m(fixed, 'commit_wait_ms_mean')} vs 2 x ${eps}`);
  // ... and it is what the wait adds to a transaction's latency (within 15%: locks are held longer too).
  const added = m(fixed, 'txn_latency_ms_p50') - m(naive, 'txn_latency_ms_p50');
  assert.ok(Math.abs(added - 2 * eps) < 0.15 * 2 * eps, `latency added ${added} vs 2 epsilon ${2 * eps}`);
  // A bound of 5 ms under clocks 15 ms off: the wait (2 x 5) is shorter than the clocks' disagreement.
  assert.ok(m(small, 'inversions') > 0.5 * m(small, 'pairs'), `${m(small, 'inversions')} of ${m(small, 'pairs')}`);
  assert.ok(Math.abs(m(small, 'commit_wait_ms_mean') - 2 * m(small, 'epsilon_ms_mean')) < 0.5);
  // Clocks good to 1 ms and epsilon 2 ms: correct, and the wait costs a few ms instead of 40.
  assert.equal(m(atomic, 'inversions'), 0);
  assert.ok(m(atomic, 'commit_wait_ms_mean') < 8, `${m(atomic, 'commit_wait_ms_mean')}`);
  assert.ok(m(atomic, 'txn_latency_ms_p50') < m(fixed, 'txn_latency_ms_p50') - 30);
});

test('commit-wait.yaml: the same seed gives the same traceHash', () => {
  const v = loadScenario('commit-wait.yaml').variants.find((x) => x.name === 'fixed')!;
  assert.equal(runVariant(v).report.traceHash, runVariant(v).report.traceHash);
  assert.notEqual(runVariant(v).report.traceHash, runVariant(v, { seed: 2 }).report.traceHash);
});

test('commit-wait config: a coordinator that leads none of its shards is refused at load, naming the field', async () => {
  const { commitWaitConfigSchema } = await import('../../systems/truth/commit-wait.js');
  const base = { shards: { a: 'n1', b: 'n2' }, app: 'n3', first: { coordinator: 'n1', shards: ['a'] }, second: { coordinator: 'n2', shards: ['b'] }, epsilonMs: 5 };
  assert.equal(commitWaitConfigSchema.safeParse(base).success, true);
  const bad = commitWaitConfigSchema.safeParse({ ...base, second: { coordinator: 'n1', shards: ['b'] } });
  assert.equal(bad.success, false);
  assert.deepEqual(bad.error!.issues[0].path, ['second', 'coordinator']);
  const unknown = commitWaitConfigSchema.safeParse({ ...base, first: { coordinator: 'n1', shards: ['a', 'zz'] } });
  assert.deepEqual(unknown.error!.issues[0].path, ['first', 'shards', 1]);
  assert.equal(commitWaitConfigSchema.safeParse({ ...base, app: 'n1' }).success, false);
  // In a scenario file the message names the file and the field.
  const text = readFileSync(scenarioFile('commit-wait.yaml'), 'utf8').replace('second: { coordinator: n4,', 'second: { coordinator: n1,');
  assert.throws(() => parseScenario(text, 'bad.yaml'), /bad\.yaml:\d+:\d+: system\.config\.second\.coordinator: the leader of one of its shards \(n2, n4\), got "n1"/);
});
