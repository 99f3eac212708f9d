/** The partition shapes: who still reaches whom in each. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { partitionOf, shapesFor } from './partitions.js';

const order = ['n3', 'n0', 'n4', 'n1', 'n2'];

/** The nodes each node still reaches (itself included) under a partition's cuts. */
function reachable(cut: [string, string][]): Map<string, string[]> {
  const blocked = new Set(cut.flatMap(([a, b]) => [`${a}>${b}`, `${b}>${a}`]));
  return new Map(order.map((x) => [x, order.filter((y) => !blocked.has(`${x}>${y}`)).sort()]));
}

test('halves: a minority cut from a majority', () => {
  const p = partitionOf('halves', order);
  assert.equal(p.what, 'partition n0,n3 | n1,n2,n4');
  assert.deepEqual(reachable(p.cut).get('n3'), ['n0', 'n3']);
  assert.deepEqual(reachable(p.cut).get('n1'), ['n1', 'n2', 'n4']);
});

test('one: a single node alone', () => {
  const p = partitionOf('one', order);
  assert.equal(p.what, 'partition n3 alone | n0,n1,n2,n4');
  assert.deepEqual(reachable(p.cut).get('n3'), ['n3']);
  assert.deepEqual(reachable(p.cut).get('n0'), ['n0', 'n1', 'n2', 'n4']);
});

test('bridge: two halves that cannot reach each other, and one node both reach', () => {
  const p = partitionOf('bridge', order);
  assert.equal(p.what, 'partition n0,n4 | n1,n2, bridged by n3');
  const r = reachable(p.cut);
  assert.deepEqual(r.get('n3'), ['n0', 'n1', 'n2', 'n3', 'n4']);
  assert.deepEqual(r.get('n0'), ['n0', 'n3', 'n4']);
  assert.deepEqual(r.get('n2'), ['n1', 'n2', 'n3']);
});

test('majorities ring: every node reaches a majority, and no two the same one', () => {
  for (const nodes of [order, ['a', 'b', 'c', 'd', 'e', 'f', 'g']]) {
    const blocked = new Set(partitionOf('majorities-ring', nodes).cut.flatMap(([a, b]) => [`${a}>${b}`, `${b}>${a}`]));
    const views = nodes.map((x) => nodes.filter((y) => !blocked.has(`${x}>${y}`)).sort().join(','));
    for (const v of views) assert.ok(v.split(',').length > nodes.length / 2 && v.split(',').length < nodes.length, `${v} is a majority, not everyone`);
    assert.equal(new Set(views).size, nodes.length, views.join(' / '));
  }
  assert.equal(partitionOf('majorities-ring', order).what, 'majorities ring n3-n0-n4-n1-n2 (each node reaches 1 on each side)');
});

test('the shapes offered depend on the cluster size', () => {
  assert.deepEqual(shapesFor(2), ['halves', 'one']);
  assert.deepEqual(shapesFor(3), ['halves', 'one', 'bridge']);
  assert.deepEqual(shapesFor(5), ['halves', 'one', 'bridge', 'majorities-ring']);
});
