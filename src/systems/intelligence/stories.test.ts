/**
 * The model-guard stories in numbers: model drift, the herd stampede, correlated models and the flash crash.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario, runner } from '../../testing/story-runner.js';
import { runVariant } from '../../scenario/runner.js';

test('model-drift.yaml: the 2019 model under-orders by half after the shift; the breaker falls back within ~75 requests and switches back to a refit model', () => {
  const run = runner('model-drift.yaml');
  const naive = run('naive');
  const alert = run('drift-alert');
  const breaker = run('breaker-only');
  const fixed = run('fixed');
  for (const r of [naive, alert, breaker, fixed]) assert.equal(r.met, true, r.variant);
  const [n, a, b, f] = [naive.metrics, alert.metrics, breaker.metrics, fixed.metrics];
  // Before the shift the model is good (within 4%); after it, off by half, and nobody notices.
  assert.ok(n.error_before_pct < 5, `before ${n.error_before_pct}%`);
  assert.ok(n.error_after_pct > 45, `after ${n.error_after_pct}%`);
  assert.ok(n.bad_decisions > 0.95 * n.requests_after_shift, 'almost every forecast after the shift is a bad decision');
  assert.equal(n.requests_to_detect, n.requests_after_shift, 'never detected');
  assert.equal(n.maturity_level, 0);
  // The input monitor sees the shift within a few dozen requests, before any label could (1 s delay = 50 requests).
  assert.ok(a.drift_requests_to_detect <= 50, `drift flagged after ${a.drift_requests_to_detect} requests`);
  assert.ok(a.drift_detected_after_ms < 1000);
  assert.ok(a.psi_at_detect >= 0.25 || a.ks_p_at_detect < 0.001);
  assert.equal(a.drift_false_alarm, 0);
  assert.equal(a.error_after_pct, n.error_after_pct, 'an alert alone changes nothing');
  assert.equal(a.maturity_level, 1);
  // The breaker: the label delay (50 requests) plus a quarter of a 2 s window of wrong answers.
  for (const m of [b, f]) {
    assert.ok(m.requests_to_detect > 50 && m.requests_to_detect <= 100, `breaker detected after ${m.requests_to_detect}`);
    assert.ok(m.detected_after_ms < 2000);
  }
  // Without a refit the moving average serves to the end: error bounded, the 2019 model never comes back.
  assert.ok(b.error_after_pct < 15 && b.error_after_pct < n.error_after_pct / 4, `breaker-only after ${b.error_after_pct}%`);
  assert.equal(b.model_restored, 0);
  assert.equal(b.maturity_level, 4);
  // With a refit on 300 new labels, probed in the shadow: back on a model within ~8 s, better than the heuristic.
  assert.equal(f.model_restored, 1);
  assert.ok(f.fallback_ms > 6000 && f.fallback_ms < 10_000, `on the fallback for ${f.fallback_ms} ms`);
  assert.ok(f.error_after_restore_pct < 3, `refit model error ${f.error_after_restore_pct}%`);
  assert.ok(f.error_after_pct < b.error_after_pct);
  assert.ok(f.bad_decisions < n.bad_decisions / 10, `${f.bad_decisions} vs ${n.bad_decisions} bad decisions`);
  assert.equal(f.maturity_level, 5);
});

test('herd-stampede.yaml: five alike members fail together whatever the combiner; a diverse median keeps the error bounded', () => {
  const run = runner('herd-stampede.yaml');
  const naive = run('naive');
  const alikeMedian = run('alike-median');
  const diverseMean = run('diverse-mean');
  const fixed = run('fixed');
  for (const r of [naive, alikeMedian, diverseMean, fixed]) assert.equal(r.met, true, r.variant);
  const [n, am, dm, f] = [naive.metrics, alikeMedian.metrics, diverseMean.metrics, fixed.metrics];
  // Alike: all five fail, the ensemble is exactly as wrong as one of them.
  for (const m of [n, am]) {
    assert.equal(m.members_failing_after, 5);
    assert.ok(Math.abs(m.error_after_pct - m.single_error_after_pct) < 1, `${m.error_after_pct} vs single ${m.single_error_after_pct}`);
    assert.ok(m.error_after_pct > 45);
  }
  // Diverse: the two 2019 members still fail; the median follows the three that learn.
  assert.equal(f.members_failing_after, 2);
  assert.ok(f.single_error_after_pct > 45);
  assert.ok(f.error_after_pct < 10, `diverse median after ${f.error_after_pct}%`);
  assert.ok(f.error_after_pct < f.single_error_after_pct / 5);
  // The mean lets the stale minority drag every answer: bounded, but twice the median's error.
  assert.ok(dm.error_after_pct > 2 * f.error_after_pct && dm.error_after_pct < n.error_after_pct / 2, `diverse mean ${dm.error_after_pct}%`);
  // Diversity costs something in normal times: the heuristics are worse than the 2019 model before the shift.
  assert.ok(f.error_before_pct > n.error_before_pct && f.error_before_pct < 10);
  // Members that could not answer yet (no labels, no fit) were skipped, not fatal.
  assert.ok(f.member_failures > 0);
  assert.equal(f.maturity_level, 2);
  assert.equal(n.maturity_level, 0);
});

test('flash-crash.yaml: the algorithms spiral the index down ~9% in 3 s; the feedback-loop halt stops it near 2.5%, the 7% breaker only at 7%', () => {
  const run = runner('flash-crash.yaml');
  const naive = run('naive');
  const breaker = run('market-breaker');
  const fixed = run('fixed');
  for (const r of [naive, breaker, fixed]) assert.equal(r.met, true, r.variant);
  const [n, b, f] = [naive.metrics, breaker.metrics, fixed.metrics];
  assert.equal(n.price_start, 10_650);
  // The spiral: 9% (the Dow lost 9.2%, 998.5 points, on May 6, 2010) within seconds, every algorithm's position dumped.
  assert.ok(n.fall_pct > 8 && n.fall_pct < 11, `naive fall ${n.fall_pct}%`);
  assert.ok(n.fall_points > 850, `${n.fall_points} points`);
  assert.ok(n.fall_duration_ms <= 5000, `fell for ${n.fall_duration_ms} ms`);
  assert.equal(n.agent_stop_sells, 10 * 3000);
  assert.equal(n.halts, 0);
  // ... and the V: value buyers bring most of it back within the run.
  assert.ok(n.recovered_pct > 80);
  // The market-wide breaker waits for 7% below the start: the fall is bounded there, after the damage.
  assert.equal(b.price_low, 9904.5);
  assert.ok(b.fall_pct > 6.5 && b.fall_pct < 7.5);
  assert.equal(b.halts, 1);
  // The feedback-loop halt: about a second in, with the orders predicting returns and not the fundamental.
  assert.equal(f.halts, 1);
  assert.equal(f.halts_before_order, 0, 'no false halt in the 20 calm seconds');
  assert.ok(f.time_to_halt_ms <= 1500 && f.time_to_halt_ms < b.time_to_halt_ms, `halted after ${f.time_to_halt_ms} ms`);
  assert.ok(f.acted_correlation_at_halt >= 0.5 && Math.abs(f.holdout_correlation_at_halt) < 0.4);
  assert.ok(f.z_at_halt >= 3);
  assert.ok(f.fall_pct < 4 && f.fall_pct < n.fall_pct / 3, `fixed fall ${f.fall_pct}%`);
  assert.ok(f.agent_stop_sells < n.agent_stop_sells / 4, 'most algorithms never joined the stampede');
  assert.equal(f.halted_ms, 5000);
  assert.deepEqual([n.maturity_level, b.maturity_level, f.maturity_level], [0, 2, 3]);
});

test('correlated-models.yaml: five models trained alike miss the same takeovers; diverse members with a disagreement guard catch them', () => {
  const run = runner('correlated-models.yaml');
  const naive = run('naive');
  const alikeGuard = run('alike-guard');
  const diverseVote = run('diverse-vote');
  const fixed = run('fixed');
  for (const r of [naive, alikeGuard, diverseVote, fixed]) assert.equal(r.met, true, r.variant);
  const [n, ag, dv, f] = [naive.metrics, alikeGuard.metrics, diverseVote.metrics, fixed.metrics];
  // Alike: every member fails the shift, their errors are one error, and all five are wrong together
  // millions of times more often than independent members with the same error rates would be.
  for (const m of [n, ag]) {
    assert.equal(m.members_failing_after, 5);
    assert.ok(m.error_correlation > 0.95, `alike error correlation ${m.error_correlation}`);
    assert.ok(m.all_wrong_pct > 1 && m.all_wrong_pct > 1e6 * m.all_wrong_if_independent_pct, `${m.all_wrong_pct}% vs ${m.all_wrong_if_independent_pct}%`);
    assert.ok(m.fraud_missed_after_pct > 60, `alike missed ${m.fraud_missed_after_pct}%`);
  }
  // The guard has nothing to go on when the members agree: it holds almost nothing and catches nothing more.
  assert.ok(ag.review_pct < 0.2, `alike-guard reviewed ${ag.review_pct}%`);
  assert.ok(ag.fraud_missed_after_pct > 60);
  // Diverse: unrelated mistakes, one member sees the takeovers well, all-wrong becomes rare ...
  for (const m of [dv, f]) {
    assert.ok(m.error_correlation < 0.6, `diverse error correlation ${m.error_correlation}`);
    assert.ok(m.best_member_missed_after_pct < 35, `best member missed ${m.best_member_missed_after_pct}%`);
    assert.ok(m.all_wrong_pct < n.all_wrong_pct / 10, `all wrong ${m.all_wrong_pct}% vs alike ${n.all_wrong_pct}%`);
  }
  // ... but a majority vote outvotes the members that see it until the refitted member has learnt it.
  assert.ok(dv.fraud_missed_after_pct > 15 && dv.fraud_missed_after_pct > 3 * f.fraud_missed_after_pct, `diverse-vote missed ${dv.fraud_missed_after_pct}%`);
  assert.equal(dv.review_pct, 0);
  // The disagreement guard turns the split votes into reviews: the shift is caught, for about 0.5% of transactions held.
  assert.ok(f.fraud_missed_after_pct < 10, `fixed missed ${f.fraud_missed_after_pct}%`);
  assert.ok(f.fraud_losses_after_usd < n.fraud_losses_after_usd / 10, `$${f.fraud_losses_after_usd} vs $${n.fraud_losses_after_usd}`);
  assert.ok(f.review_pct > 0.2 && f.review_pct < 1, `fixed reviewed ${f.review_pct}%`);
  assert.ok(f.false_decline_pct < 0.1);
});

test('same scenario and seed give the same traceHash and numbers; the variants leave different traces', () => {
  for (const file of ['model-drift.yaml', 'herd-stampede.yaml', 'flash-crash.yaml', 'correlated-models.yaml']) {
    const s = loadScenario(file);
    const fixed = s.variants.find((v) => v.name === 'fixed')!;
    const a = runVariant(fixed).report;
    const b = runVariant(fixed).report;
    assert.equal(a.traceHash, b.traceHash, file);
    assert.deepEqual(a.metrics, b.metrics, file);
    assert.notEqual(runVariant(fixed, { seed: 2 }).report.traceHash, a.traceHash, `${file}: another seed`);
    assert.notEqual(runVariant(s.variants.find((v) => v.name === 'naive')!).report.traceHash, a.traceHash, `${file}: naive vs fixed`);
  }
});
