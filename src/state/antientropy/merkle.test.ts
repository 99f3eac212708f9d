import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MerkleTree } from './merkle.js';

test('equal replicas have equal roots whatever the order; a difference is found in its bucket only', () => {
  const entries: [string, string][] = Array.from({ length: 1000 }, (_, i) => [`k${i}`, `v${i}`]);
  const a = MerkleTree.build(entries, 6);
  const b = MerkleTree.build([...entries].reverse(), 6);
  assert.equal(a.root, b.root);
  assert.deepEqual(a.diff(b), []);
  const changed = entries.map(([k, v]) => (k === 'k42' ? [k, 'newer'] : [k, v]) as [string, string]);
  const c = MerkleTree.build(changed, 6);
  assert.notEqual(a.root, c.root);
  assert.deepEqual(a.diff(c), [MerkleTree.bucketOf('k42', 6)]);
  const missing = MerkleTree.build(entries.filter(([k]) => k !== 'k7'), 6);
  assert.deepEqual(a.diff(missing), [MerkleTree.bucketOf('k7', 6)]);
});
