/**
 * FLP by construction: the adversary keeps the deterministic protocol undecided on every seed, while
 * the same protocol decides without the adversary or with unanimous inputs (so the scheduler, not a
 * bug, is what stops it), and the coin or the failure detector decides despite the adversary.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario, ScenarioError } from '../../scenario/load.js';
import { runVariant } from '../../scenario/runner.js';
import { runner } from '../../testing/story-runner.js';

function run(config: string, seed = 1) {
  const text = `
name: flp-core
topology: { nodes: [n1, n2, n3, n4, n5, net] }
network: { latency: { dist: uniform, min: 0.5, max: 2 } }
workload: { type: script, script: [], durationMs: 2000 }
checks: [ { name: agreement } ]
system: { process: truth/flp-consensus, config: ${config} }
`;
  return runVariant(parseScenario(text, 'flp-core').variants[0], { seed }).report;
}

test('the deterministic protocol decides when the scheduler cannot split the inputs, or is not there', () => {
  const unanimous = run('{ inputs: { n1: 1, n2: 1, n3: 1, n4: 1, n5: 1 }, adversary: net, tieBreak: keep }');
  assert.equal(unanimous.metrics.flp_decided_nodes, 5);
  assert.equal(unanimous.metrics.adversary_steps_split, 0);
  // 4 of 5 alike: any 4 reports hold 3 of them, a strict majority, whatever the order.
  const fourToOne = run('{ inputs: { n1: 1, n2: 1, n3: 1, n4: 1, n5: 0 }, adversary: net, tieBreak: keep }');
  assert.equal(fourToOne.metrics.flp_decided_nodes, 5);
  for (const seed of [1, 2, 3]) {
    const fair = run('{ inputs: { n1: 0, n2: 0, n3: 0, n4: 1, n5: 1 }, tieBreak: keep }', seed);
    assert.equal(fair.metrics.flp_decided_nodes, 5, `seed ${seed}: the network alone`);
    assert.equal(fair.checks[0].ok, true, fair.checks[0].detail);
  }
});

test('flp.yaml: the adversary keeps the deterministic protocol undecided for the whole run; the coin and the failure detector decide', () => {
  for (const seed of [1, 2, 3]) {
    const at = runner('flp.yaml', seed);
    const [naive, coin, detector] = ['naive', 'fixed', 'failure-detector'].map(at);
    for (const r of [naive, coin, detector]) assert.equal(r.met, true, `${r.variant} seed ${seed}: ${r.why}`);
    assert.equal(naive.metrics.flp_decided_nodes, 0);
    // Safety holds where termination is lost: nothing decided, nothing decided differently.
    const agreement = naive.checks.find((c) => c.name === 'agreement')!;
    assert.equal(agreement.ok, true, agreement.detail);
    assert.match(agreement.detail, /nothing decided: agreement holds vacuously/);
    // Every step of every round split: the adversary never lost one.
    assert.ok(naive.metrics.flp_rounds > 2000, `${naive.metrics.flp_rounds} rounds over the five nodes`);
    assert.equal(naive.metrics.adversary_steps_lost, 0);
    assert.equal(coin.metrics.flp_decided_nodes, 5);
    assert.ok(coin.metrics.flp_decision_round_max < 40, `coin: decided by round ${coin.metrics.flp_decision_round_max}`);
    assert.equal(detector.metrics.flp_decision_round_max, 1);
  }
});

test('a configuration that cannot work is refused at load time, naming the field', () => {
  const refused = (config: string) => assert.throws(() => run(config), (e: unknown) => e instanceof ScenarioError && /system\.config\.(f|adversary)/.test(e.message));
  refused('{ inputs: { n1: 0, n2: 0, n3: 1, n4: 1, n5: 1 }, f: 3, tieBreak: keep }');
  refused('{ inputs: { n1: 0, n2: 0, n3: 1, n4: 1, n5: 1 }, adversary: n1, tieBreak: keep }');
});
