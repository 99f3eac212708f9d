import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IdTable } from './id-table.js';

test('IdTable holds what a Map holds, whatever the order of sets and deletes', () => {
  // Ids near a power of two and beyond 2^32 too: their low bits collide with small ones.
  const id = fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 2 ** 32 - 8, max: 2 ** 32 + 8 }), fc.integer({ min: 1, max: 2 ** 40 }));
  const step = fc.oneof(fc.record({ set: id, value: fc.integer() }), fc.record({ del: id }), fc.constant({ clear: true }));
  fc.assert(
    fc.property(fc.array(step, { maxLength: 300 }), (steps) => {
      const table = new IdTable<number>();
      const model = new Map<number, number>();
      for (const s of steps) {
        if ('set' in s) {
          table.set(s.set, s.value);
          model.set(s.set, s.value);
        } else if ('del' in s) {
          assert.equal(table.delete(s.del), model.delete(s.del));
        } else {
          table.clear();
          model.clear();
        }
        assert.equal(table.size, model.size);
      }
      for (const [k, v] of model) assert.equal(table.get(k), v);
      assert.deepEqual([...table.idsInAnyOrder()].sort((a, b) => a - b), [...model.keys()].sort((a, b) => a - b));
      assert.deepEqual([...table.valuesInAnyOrder()].sort((a, b) => a - b), [...model.values()].sort((a, b) => a - b));
    }),
    { numRuns: 300 },
  );
});

test('IdTable: a stream of timers set and cleared keeps the live ones and forgets the rest', () => {
  const table = new IdTable<string>();
  for (let id = 1; id <= 100_000; id++) {
    table.set(id, 't');
    if (id > 5) assert.ok(table.delete(id - 5));
  }
  assert.equal(table.size, 5);
  assert.equal(table.get(100_000), 't');
  assert.equal(table.get(99_995), undefined);
  assert.equal(table.has(0), false);
  assert.throws(() => table.set(0, 'x'), RangeError);
  assert.throws(() => table.set(1.5, 'x'), RangeError);
});
