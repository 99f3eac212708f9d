/**
 * The e-commerce platform on all five pillars: each pillar's choice prevents its failure, in numbers,
 * in one run through the same day and the same chaos.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runner } from '../../testing/story-runner.js';
import { drawCheckout, fraudModel, fraudRules } from './fraud.js';
import { RandomStreams } from '../../sim/rng.js';

test('fraud world: the model catches last year\'s fraud and misses the new tactic; the rules catch both, cruder', () => {
  const stream = new RandomStreams(7).stream('fraud');
  const random = () => stream.next();
  const recall = (era: 1 | 2, score: (f: ReturnType<typeof drawCheckout>['features']) => number) => {
    let fraud = 0;
    let caught = 0;
    let legit = 0;
    let declined = 0;
    for (let i = 0; i < 20_000; i++) {
      const d = drawCheckout(random, 0.05, era);
      const flagged = score(d.features) >= 0.5;
      if (d.fraud) (fraud++, flagged && caught++);
      else (legit++, flagged && declined++);
    }
    return { recall: caught / fraud, falseDeclineRate: declined / legit };
  };
  const before = recall(1, fraudModel);
  const after = recall(2, fraudModel);
  const rulesAfter = recall(2, fraudRules);
  assert.ok(before.recall > 0.9, `model recall before the drift ${before.recall}`);
  assert.ok(after.recall < 0.1, `model recall after ${after.recall}`);
  assert.ok(rulesAfter.recall > 0.8, `rules recall after ${rulesAfter.recall}`);
  assert.ok(before.falseDeclineRate < 0.01 && rulesAfter.falseDeclineRate < 0.02);
});

test('ecommerce.yaml: one day, same chaos; each pillar of the fixed platform prevents its failure', () => {
  const run = runner('ecommerce.yaml');
  const naive = run('naive');
  const fixed = run('fixed');
  for (const r of [naive, fixed]) assert.equal(r.met, true, r.variant);
  const n = naive.metrics;
  const f = fixed.metrics;
  // Truth: read-check-write on an async primary sells what is not there; one Raft transfer never does.
  assert.ok(n.oversold_units > 100, `naive oversold ${n.oversold_units}`);
  assert.equal(f.oversold_units, 0);
  assert.equal(f.acked_orders_lost, 0);
  assert.equal(f.audit_incomplete, 0);
  assert.ok(f.units_sold_recorded <= 20 * 150 && f.orders_acked_total <= f.units_sold_recorded);
  // Work: fulfilment on the checkout path fails checkouts in the spike; a queue absorbs it.
  assert.ok(n.spike_checkouts_failed > 200, `naive spike failures ${n.spike_checkouts_failed}`);
  assert.equal(f.spike_checkouts_failed, 0);
  assert.ok(f.spike_checkout_ms_p99 < n.spike_checkout_ms_p99 / 2);
  // State: a catalog only in the US cannot serve Europe during the partition; replicated, it can.
  assert.ok(n.partition_browse_fail > 1000, `naive browse failures ${n.partition_browse_fail}`);
  assert.equal(f.partition_browse_fail, 0);
  // Control: the bad release fails requests until someone notices; the breaker rolls it back in seconds.
  assert.ok(n.server_errors > 100 && f.server_errors < 20, `server errors ${n.server_errors} vs ${f.server_errors}`);
  assert.equal(f.rollbacks, 1);
  // Intelligence: the drifted fraud model lets the ring through; the guarded one falls back to rules.
  assert.ok(n.fraud_loss_after_reaction_usd > 0 && f.fraud_loss_after_reaction_usd === 0, `fraud losses after the reaction window ${n.fraud_loss_after_reaction_usd} vs ${f.fraud_loss_after_reaction_usd}`);
  assert.ok(n.fraud_loss_after_drift_usd > f.fraud_loss_after_drift_usd, `fraud losses ${n.fraud_loss_after_drift_usd} vs ${f.fraud_loss_after_drift_usd}`);
  assert.ok(f.fraud_scored_by_fallback > 1000);
});
