/**
 * The scaling stories in numbers: runaway automation and Black Friday.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runner } from '../../testing/story-runner.js';

test('runaway-autoscaling.yaml: warm-up load drives an unguarded scaler to its 30-node budget; guards settle at one more node', () => {
  const run = runner('runaway-autoscaling.yaml');
  const none = run('no-autoscaler');
  const naive = run('naive');
  const hpa = run('hpa');
  const fixed = run('fixed');
  for (const r of [none, naive, hpa, fixed]) assert.equal(r.met, true, r.variant);
  // The loop: every node added makes the running ones look busier, to the budget.
  assert.equal(naive.metrics.replicas_max, 30);
  assert.ok(naive.metrics.scale_ups >= 20, `${naive.metrics.scale_ups} scale-ups`);
  assert.equal(naive.metrics.scale_downs, 0, 'the loop never lets go within the run');
  // The HPA jumps by ratio and also hits the budget before scaling back in.
  assert.equal(hpa.metrics.replicas_max, 30);
  // Automation made it worse than none: more SLO minutes, failures, and 5x the machine time.
  assert.ok(naive.metrics.slo_violation_minutes > none.metrics.slo_violation_minutes);
  assert.ok(naive.metrics.requests_failed > 1000 && none.metrics.requests_failed === 0);
  assert.ok(naive.metrics.node_hours > 4 * none.metrics.node_hours, `${naive.metrics.node_hours} vs ${none.metrics.node_hours} node-hours`);
  // Guarded: one node, held by the cooldown while it warmed; no failures; cost within 25% of none.
  assert.equal(fixed.metrics.replicas_max, 5);
  assert.equal(fixed.metrics.scale_ups, 1);
  assert.ok(fixed.metrics.held_by_guards > 0);
  assert.equal(fixed.metrics.requests_failed, 0);
  assert.ok(fixed.metrics.node_hours < 1.25 * none.metrics.node_hours);
  assert.ok(fixed.metrics.slo_violation_minutes <= none.metrics.slo_violation_minutes);
});

test('black-friday.yaml: predictive scaling has the nodes running before the doorbuster; reactive scalers arrive minutes late', () => {
  const run = runner('black-friday.yaml');
  const naive = run('naive');
  const hpa = run('hpa');
  const shadow = run('forecast-only');
  const fixed = run('fixed');
  for (const r of [naive, hpa, shadow, fixed]) assert.equal(r.met, true, r.variant);
  // Reactive capacity arrives after the load: at least a boot time (3 min) late.
  for (const r of [naive, hpa]) {
    assert.ok(r.metrics.capacity_lead_ms <= -180_000, `${r.variant}: ${r.metrics.capacity_lead_ms} ms`);
    assert.ok(r.metrics.spike_slo_violation_minutes >= 4, `${r.variant}: ${r.metrics.spike_slo_violation_minutes} SLO minutes`);
  }
  // The forecast alone (shadow mode) acts exactly as the HPA does: same run, same trace.
  assert.equal(shadow.traceHash, hpa.traceHash);
  assert.ok(shadow.metrics.forecast_error_pct < 15, `forecast error ${shadow.metrics.forecast_error_pct}%`);
  // Predictive: capacity there ahead of the sale, no minute over the SLO during it, for the same machine time (within 2%).
  assert.ok(fixed.metrics.capacity_lead_ms > 0);
  assert.ok(fixed.metrics.spike_ready_at_start >= fixed.metrics.spike_nodes_needed);
  assert.equal(fixed.metrics.spike_slo_violation_minutes, 0);
  assert.ok(Math.abs(fixed.metrics.node_hours - hpa.metrics.node_hours) / hpa.metrics.node_hours < 0.02);
  assert.equal(fixed.metrics.maturity_level, 3);
  // The unguarded threshold scaler also flaps: dozens of direction changes the HPA's stabilization avoids.
  assert.ok(naive.metrics.scale_downs > 4 * hpa.metrics.scale_downs);
});
