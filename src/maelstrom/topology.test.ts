/**
 * Broadcast's topologies are Maelstrom's own: the same neighbours in the same order, so a node that
 * gossips to its first neighbour only, or relies on a tree's parent coming first, sees the network
 * it would see under Maelstrom. Expected maps are worked out by hand from Maelstrom's broadcast.clj.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topologyOf } from './workloads/index.js';

const nodes = (n: number) => Array.from({ length: n }, (_, i) => `n${i}`);

test('grid: rows of ceil(sqrt n); neighbours below, above, right, left', () => {
  assert.deepEqual(topologyOf('grid', nodes(5)), { n0: ['n3', 'n1'], n1: ['n4', 'n2', 'n0'], n2: ['n1'], n3: ['n0', 'n4'], n4: ['n1', 'n3'] });
});

test('line: left, then right', () => {
  assert.deepEqual(topologyOf('line', nodes(3)), { n0: ['n1'], n1: ['n0', 'n2'], n2: ['n1'] });
});

test('tree is tree2: tiers of 1, 2, 4 nodes; parent first, then children', () => {
  const tree2 = { n0: ['n1', 'n2'], n1: ['n0', 'n3', 'n4'], n2: ['n0', 'n5', 'n6'], n3: ['n1'], n4: ['n1'], n5: ['n2'], n6: ['n2'] };
  assert.deepEqual(topologyOf('tree', nodes(7)), tree2);
  assert.deepEqual(topologyOf('tree2', nodes(7)), tree2);
});

test("tree4 on 25 nodes, the Gossip Glomers' efficient broadcast: 24 links, 3 hops from the root to any node", () => {
  const t = topologyOf('tree4', nodes(25));
  assert.deepEqual(t.n0, ['n1', 'n2', 'n3', 'n4']);
  assert.deepEqual(t.n1, ['n0', 'n5', 'n6', 'n7', 'n8']);
  assert.deepEqual(t.n5, ['n1', 'n21', 'n22', 'n23', 'n24']);
  assert.deepEqual(t.n6, ['n1']);
  assert.equal(Object.values(t).reduce((sum, ns) => sum + ns.length, 0) / 2, 24);
});

test('total links every pair; none leaves every node alone; an unknown name is refused', () => {
  assert.deepEqual(topologyOf('total', nodes(3)), { n0: ['n1', 'n2'], n1: ['n0', 'n2'], n2: ['n0', 'n1'] });
  assert.deepEqual(topologyOf('none', nodes(2)), { n0: [], n1: [] });
  assert.throws(() => topologyOf('star', nodes(2)), /unknown topology star/);
});
