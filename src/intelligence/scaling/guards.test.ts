import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GuardedAutoscaler } from './guards.js';
import { ThresholdScaler } from './threshold-scaler.js';
import type { Autoscaler } from './autoscaler.js';
import { KillSwitch } from '../../control/index.js';
import { ManualClock } from '../../runtime/clock.js';

/** An inner scaler that proposes whatever the test says next. */
const scripted = (proposals: number[]): Autoscaler => ({ name: 'scripted', decide: () => ({ replicas: proposals.shift()!, reason: 'scripted' }) });
const obs = (nowMs: number, replicas: number) => ({ nowMs, replicas, pods: [] });

test('bounds and maxStep cap a runaway proposal', () => {
  const g = new GuardedAutoscaler(scripted([50, 1]), { minReplicas: 2, maxReplicas: 20, maxStep: 3 });
  assert.equal(g.decide(obs(0, 4)).replicas, 7);
  assert.equal(g.decide(obs(15_000, 7)).replicas, 4);
  assert.equal(g.held.maxStep, 2);
  assert.deepEqual(g.log.map((a) => [a.proposed, a.to, a.heldBy]), [[50, 7, 'bounds'], [1, 4, 'bounds']]);
});

test('cooldown holds changes until the last one had time to show', () => {
  const g = new GuardedAutoscaler(scripted([5, 6, 7, 8]), { minReplicas: 1, maxReplicas: 20, cooldownMs: 60_000 });
  assert.equal(g.decide(obs(0, 4)).replicas, 5);
  assert.equal(g.decide(obs(15_000, 5)).replicas, 5);
  assert.equal(g.decide(obs(45_000, 5)).replicas, 5);
  assert.equal(g.decide(obs(60_000, 5)).replicas, 8);
  assert.equal(g.held.cooldown, 2);
});

test('the flap budget allows this many reversals per window, then holds', () => {
  const g = new GuardedAutoscaler(scripted([5, 4, 5, 4, 5]), { minReplicas: 1, maxReplicas: 20, flapBudget: { changes: 2, windowMs: 600_000 } });
  const seen: number[] = [];
  let r = 4;
  for (let i = 0; i < 5; i++) seen.push((r = g.decide(obs(i * 15_000, r)).replicas));
  assert.deepEqual(seen, [5, 4, 5, 5, 5]);
  assert.equal(g.held.flapBudget, 1);
});

test('paused and a tripped kill switch hold every change but still log the proposal; bounds still apply', () => {
  const clock = new ManualClock();
  const kill = new KillSwitch(clock);
  const g = new GuardedAutoscaler(new ThresholdScaler(), { minReplicas: 2, maxReplicas: 10, killSwitch: kill });
  const hot = { nowMs: 0, replicas: 3, pods: [{ phase: 'running' as const, ready: true, utilization: 0.95 }] };
  assert.equal(g.decide(hot).replicas, 4);
  kill.trip('runaway scaling');
  assert.equal(g.decide({ ...hot, replicas: 4 }).replicas, 4);
  assert.equal(g.decide({ ...hot, replicas: 1 }).replicas, 2, 'bringing the count back into bounds is never held');
  kill.reset();
  g.paused = true;
  assert.equal(g.decide({ ...hot, replicas: 4 }).replicas, 4);
  assert.deepEqual(g.log.map((a) => a.heldBy ?? '-'), ['-', 'killSwitch', '-', 'paused']);
});

test('bad options are named', () => {
  const inner = scripted([]);
  assert.throws(() => new GuardedAutoscaler(inner, { minReplicas: 0, maxReplicas: 3 }), /minReplicas: expected a positive integer/);
  assert.throws(() => new GuardedAutoscaler(inner, { minReplicas: 4, maxReplicas: 3 }), /maxReplicas/);
  assert.throws(() => new GuardedAutoscaler(inner, { minReplicas: 1, maxReplicas: 3, flapBudget: { changes: 1, windowMs: 0 } }), /flapBudget.windowMs/);
  assert.throws(() => new ThresholdScaler({ upper: 0 }), /upper: expected a number in \(0, 1\]/);
  assert.throws(() => new ThresholdScaler({ upper: 0.5, lower: 0.6 }), /lower: expected a number below upper/);
});
