import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareNumbered, compareOrdinal } from './ordinal.js';

test('compareOrdinal is code-unit order, whatever the locale would say', () => {
  assert.deepEqual(['b', 'B', 'a', 'A', 'é', 'e', '_x', '-x'].sort(compareOrdinal), ['-x', 'A', 'B', '_x', 'a', 'b', 'e', 'é']);
  assert.equal(compareOrdinal('same', 'same'), 0);
});

test('compareNumbered puts unpadded node numbers in numeric order and stays total', () => {
  assert.deepEqual(['n10', 'n2', 'n1', 'm3', 'n', 'n2a', 'n02', 'n1b10', 'n1b9'].sort(compareNumbered), ['m3', 'n', 'n1', 'n1b9', 'n1b10', 'n02', 'n2', 'n2a', 'n10']);
  assert.deepEqual(['s99999999999999999999', 's100000000000000000000', 's9'].sort(compareNumbered), ['s9', 's99999999999999999999', 's100000000000000000000']);
  assert.equal(compareNumbered('n7', 'n7'), 0);
  assert.ok(compareNumbered('n01', 'n1') < 0 && compareNumbered('n1', 'n01') > 0);
});
