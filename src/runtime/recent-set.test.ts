import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecentSet } from './recent-set.js';

test('recent-set: keeps at most max keys, forgets the oldest first, a repeated key keeps its place', () => {
  const s = new RecentSet<string>(3);
  for (const k of ['a', 'b', 'c']) s.add(k);
  s.add('a'); // already there: still the oldest
  s.add('d');
  assert.equal(s.size, 3);
  assert.deepEqual(['a', 'b', 'c', 'd'].map((k) => s.has(k)), [false, true, true, true]);
  s.add('e');
  assert.deepEqual(['b', 'c', 'd', 'e'].map((k) => s.has(k)), [false, true, true, true]);
});

test('recent-set: the same keys as a Set trimmed from the front, over a long run', () => {
  const max = 1000;
  const s = new RecentSet<number>(max);
  const model = new Set<number>();
  let x = 7;
  for (let i = 0; i < 50_000; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    const k = x % 3000;
    s.add(k);
    if (!model.has(k)) {
      model.add(k);
      if (model.size > max) model.delete(model.values().next().value!);
    }
    if (i % 997 === 0) for (let q = 0; q < 3000; q += 7) assert.equal(s.has(q), model.has(q), `key ${q} after ${i} adds`);
  }
  assert.equal(s.size, model.size);
});

test('recent-set: max must be a positive integer', () => {
  assert.throws(() => new RecentSet(0), /max must be a positive integer, got 0/);
});
