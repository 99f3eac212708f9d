/**
 * `pillars maelstrom test` options read as Maelstrom (Jepsen) reads them: --concurrency as a count or
 * as a multiple of the node count ("2n", the Gossip Glomers' commands use it), and --topology tree.
 * Bad values are one ScenarioError naming the option (the command turns it into exit 2).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testOptionsFromFlags } from './maelstrom.js';

const flags = (o: Record<string, string> = {}) => ({ workload: 'broadcast', bin: '/x/node', nodeCount: '5', timeLimit: '10', rate: '10', latency: '0', latencyDist: 'constant', nemesisInterval: '10', topology: 'grid', seed: '1', recoveryMs: '10000', consistencyModels: 'strict-serializable', maxTxnLength: '4', maxWritesPerKey: '16', store: false as const, ...o });

test('--concurrency: a count, or "2n", two clients per node; one per node by default', () => {
  assert.equal(testOptionsFromFlags(flags(), []).concurrency, 5);
  assert.equal(testOptionsFromFlags(flags({ concurrency: '2n' }), []).concurrency, 10);
  assert.equal(testOptionsFromFlags(flags({ concurrency: '7' }), []).concurrency, 7);
  for (const bad of ['0', '0n', 'n', '2.5', 'x']) assert.throws(() => testOptionsFromFlags(flags({ concurrency: bad }), []), /--concurrency.*a positive integer, or a multiple of the node count like "2n"/, bad);
});

test('--topology tree is accepted (tree2), an unknown one is named', () => {
  assert.equal(testOptionsFromFlags(flags({ topology: 'tree' }), []).topology, 'tree');
  assert.throws(() => testOptionsFromFlags(flags({ topology: 'star' }), []), /--topology.*one of grid, line, tree, tree2, tree3, tree4, total, none \(got "star"\)/);
});
