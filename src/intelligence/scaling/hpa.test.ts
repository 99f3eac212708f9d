/**
 * The HPA against the Kubernetes documentation's worked examples ("Horizontal Pod Autoscaling":
 * algorithm details, configurable scaling behavior) and the controller's rules for missing and
 * unready pods.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HorizontalPodAutoscaler, type HpaOptions } from './hpa.js';
import type { PodSample } from './autoscaler.js';

const running = (utilization: number | undefined, ready = true): PodSample => ({ phase: 'running', ready, ...(utilization === undefined ? {} : { utilization }) });
const pods = (n: number, utilization: number) => Array.from({ length: n }, () => running(utilization));
const hpa = (opts: Partial<HpaOptions> = {}) => new HorizontalPodAutoscaler({ maxReplicas: 100, targetUtilization: 0.5, ...opts });

test('desired = ceil(current * metric / target): 200m against 100m doubles, 50m halves', () => {
  // target 100m of a 200m request = 50%; pods at 200m = 100% of request.
  assert.equal(hpa().decide({ nowMs: 0, replicas: 3, pods: pods(3, 1.0) }).replicas, 6);
  assert.equal(hpa().decide({ nowMs: 0, replicas: 4, pods: pods(4, 0.25) }).replicas, 2);
  // ceil, not round: 3 pods at 1.7x need 5.1 -> 6.
  assert.equal(hpa().decide({ nowMs: 0, replicas: 3, pods: pods(3, 0.85) }).replicas, 6);
});

test('a ratio within the 0.1 tolerance changes nothing; the tolerance is per direction', () => {
  assert.equal(hpa().decide({ nowMs: 0, replicas: 10, pods: pods(10, 0.54) }).replicas, 10); // 1.08
  assert.equal(hpa().decide({ nowMs: 0, replicas: 10, pods: pods(10, 0.56) }).replicas, 12); // 1.12
  assert.equal(hpa().decide({ nowMs: 0, replicas: 10, pods: pods(10, 0.46) }).replicas, 10); // 0.92
  // Kubernetes 1.33: scaleUp.tolerance 0.05 makes 1.08 scale up; scale-down keeps 0.1.
  const sensitive = hpa({ scaleUp: { tolerance: 0.05 } });
  assert.equal(sensitive.decide({ nowMs: 0, replicas: 10, pods: pods(10, 0.54) }).replicas, 11);
  assert.equal(sensitive.decide({ nowMs: 0, replicas: 10, pods: pods(10, 0.46) }).replicas, 10);
});

test('missing metrics count as 100% on a scale-down and 0% on a scale-up; a reversed direction holds', () => {
  // Scale-up: 3 at 2x and 1 missing (assumed 0%): ratio 1.5 over 4 pods -> 6.
  assert.equal(hpa().decide({ nowMs: 0, replicas: 4, pods: [...pods(3, 1.0), running(undefined)] }).replicas, 6);
  // Scale-up 1.2x with two missing: filled ratio 0.6 reverses the direction: no change.
  assert.equal(hpa().decide({ nowMs: 0, replicas: 4, pods: [...pods(2, 0.6), running(undefined), running(undefined)] }).replicas, 4);
  // Scale-down: 2 at 0.5x, 2 missing assumed at 100% of request (2x target): ratio 1.25 reverses: hold.
  assert.equal(hpa().decide({ nowMs: 0, replicas: 4, pods: [...pods(2, 0.25), running(undefined), running(undefined)] }).replicas, 4);
  // Scale-down: 3 at 0.2x, 1 missing at 2x: ratio (0.6+2)/4 = 0.65 over 4 -> 3.
  assert.equal(hpa().decide({ nowMs: 0, replicas: 4, pods: [...pods(3, 0.1), running(undefined)] }).replicas, 3);
});

test('unready and pending pods count as 0% on a scale-up and are left out of a scale-down', () => {
  // 3 ready at 2x, 1 warming up: ratio (2+2+2+0)/4 = 1.5 over 4 -> 6.
  assert.equal(hpa().decide({ nowMs: 0, replicas: 4, pods: [...pods(3, 1.0), running(0.9, false)] }).replicas, 6);
  // 2 ready at 1.5x, 2 booting: the filled ratio 0.75 reverses the direction: hold.
  assert.equal(hpa().decide({ nowMs: 0, replicas: 4, pods: [...pods(2, 0.75), { phase: 'pending', ready: false }, { phase: 'pending', ready: false }] }).replicas, 4);
  // Scale-down ignores unready pods: 2 ready at 0.5x -> ceil(0.5 * 2) = 1.
  assert.equal(hpa().decide({ nowMs: 0, replicas: 3, pods: [...pods(2, 0.25), running(0.9, false)] }).replicas, 1);
  // Failed and deleting pods are ignored altogether.
  assert.equal(hpa().decide({ nowMs: 0, replicas: 3, pods: [...pods(3, 1.0), { phase: 'failed', ready: false }] }).replicas, 6);
});

test('scale-down stabilization: the highest recommendation of the last 300 s wins', () => {
  const h = hpa();
  assert.equal(h.decide({ nowMs: 0, replicas: 10, pods: pods(10, 0.5) }).replicas, 10);
  // Load halves at 15 s: the recommendation is 5, but 10 was recommended within 300 s.
  for (let t = 15_000; t < 300_000; t += 15_000) assert.equal(h.decide({ nowMs: t, replicas: 10, pods: pods(10, 0.25) }).replicas, 10, `at ${t}`);
  // At 300 s the 10 has left the window (it holds recommendations newer than now - 300 s).
  assert.equal(h.decide({ nowMs: 300_000, replicas: 10, pods: pods(10, 0.25) }).replicas, 5);
  // Scale-up is not stabilized by default: a spike acts at once.
  assert.equal(h.decide({ nowMs: 330_000, replicas: 5, pods: pods(5, 1.0) }).replicas, 10);
});

test('default scale-up rate: max(4 pods, 100%) per 15 s', () => {
  const h = hpa();
  // 1 -> 10 wanted: 1 + 4 = 5 beats 1 * 2 = 2.
  assert.equal(h.decide({ nowMs: 0, replicas: 1, pods: pods(1, 5.0) }).replicas, 5);
  // Still within the period: 4 were added since 0 - 15 s; the limit stays 5.
  assert.equal(h.decide({ nowMs: 10_000, replicas: 5, pods: pods(5, 1.0) }).replicas, 5);
  // A period later: 5 * 2 = 10 beats 5 + 4 = 9.
  assert.equal(h.decide({ nowMs: 15_000, replicas: 5, pods: pods(5, 2.0) }).replicas, 10);
});

test('the documentation\'s scale-down policies: 4 pods or 10% per 60 s, 80 -> 10', () => {
  const h = hpa({
    scaleDown: {
      stabilizationWindowMs: 0,
      policies: [
        { type: 'Pods', value: 4, periodMs: 60_000 },
        { type: 'Percent', value: 10, periodMs: 60_000 },
      ],
    },
  });
  // "during the first step 8 replicas will be reduced"
  assert.equal(h.decide({ nowMs: 0, replicas: 80, pods: pods(80, 0.0625) }).replicas, 72);
  // Within the 60 s period nothing more goes.
  assert.equal(h.decide({ nowMs: 30_000, replicas: 72, pods: pods(72, 0.07) }).replicas, 72);
  // "when the number of replicas is 72, 10% of the pods is 7.2 but the number is rounded up to 8"
  assert.equal(h.decide({ nowMs: 60_000, replicas: 72, pods: pods(72, 0.07) }).replicas, 64);
  // "With 40 or less replicas, the first policy will be applied": 4 at a time.
  const small = hpa({ scaleDown: { stabilizationWindowMs: 0, policies: [{ type: 'Pods', value: 4, periodMs: 60_000 }, { type: 'Percent', value: 10, periodMs: 60_000 }] } });
  assert.equal(small.decide({ nowMs: 0, replicas: 30, pods: pods(30, 0.1) }).replicas, 26);
});

test('selectPolicy Min takes the smallest change, Disabled forbids the direction; 900% scales 1 -> 10', () => {
  const policies = [
    { type: 'Pods' as const, value: 4, periodMs: 60_000 },
    { type: 'Percent' as const, value: 10, periodMs: 60_000 },
  ];
  const min = hpa({ scaleDown: { stabilizationWindowMs: 0, selectPolicy: 'Min', policies } });
  assert.equal(min.decide({ nowMs: 0, replicas: 80, pods: pods(80, 0.0625) }).replicas, 76);
  const disabled = hpa({ scaleDown: { selectPolicy: 'Disabled' } });
  assert.equal(disabled.decide({ nowMs: 0, replicas: 10, pods: pods(10, 0.1) }).replicas, 10);
  assert.equal(disabled.decide({ nowMs: 15_000, replicas: 10, pods: pods(10, 1.0) }).replicas, 20);
  const fast = hpa({ scaleUp: { policies: [{ type: 'Percent', value: 900, periodMs: 60_000 }] } });
  assert.equal(fast.decide({ nowMs: 0, replicas: 1, pods: pods(1, 10) }).replicas, 10);
});

test('bounds: out-of-range counts are brought back first; recommendations are capped at maxReplicas', () => {
  const h = hpa({ minReplicas: 2, maxReplicas: 6 });
  assert.equal(h.decide({ nowMs: 0, replicas: 1, pods: pods(1, 0.5) }).replicas, 2);
  assert.equal(h.decide({ nowMs: 15_000, replicas: 9, pods: pods(9, 0.5) }).replicas, 6);
  assert.equal(hpa({ minReplicas: 2, maxReplicas: 6 }).decide({ nowMs: 0, replicas: 4, pods: pods(4, 2) }).replicas, 6);
  assert.equal(hpa({ minReplicas: 2, maxReplicas: 6 }).decide({ nowMs: 0, replicas: 4, pods: pods(4, 0.01) }).replicas, 2);
});

test('bad options are named: a target outside (0, 1], max below min, an empty policy list', () => {
  assert.throws(() => hpa({ targetUtilization: 0 }), /targetUtilization: expected a number in \(0, 1\], got 0/);
  assert.throws(() => hpa({ targetUtilization: 1.5 }), /targetUtilization/);
  assert.throws(() => hpa({ minReplicas: 5, maxReplicas: 3 }), /maxReplicas: expected an integer >= minReplicas \(5\)/);
  assert.throws(() => hpa({ scaleUp: { policies: [] } }), /scaleUp.policies/);
  assert.throws(() => hpa({ scaleDown: { selectPolicy: 'Fastest' as never } }), /scaleDown.selectPolicy: expected Max, Min or Disabled/);
});
