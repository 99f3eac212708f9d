import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sortedItems, unionOfSorted, withChange } from './cart-replicas.js';

/** Item order the plain way: distinct, by number, then by text. */
const byItemOrder = (xs: Iterable<string>) => [...new Set(xs)].sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0));

// Mostly numbers (what carts hold), now and then a numeric text with another spelling.
const item = fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 60 }).map(String) }, { weight: 1, arbitrary: fc.constantFrom('007', '1.50', '3e1') });
const cart = fc.array(item, { maxLength: 30 }).map((xs) => sortedItems(xs));

test('the union of sibling carts is the sorted union of their items', () => {
  fc.assert(fc.property(fc.array(cart, { minLength: 2, maxLength: 4 }), (carts) => assert.deepEqual(unionOfSorted(carts), byItemOrder(carts.flat()))));
});

test('a cart with one item added or removed is in item order, without duplicates', () => {
  fc.assert(
    fc.property(cart, item, fc.boolean(), (seen, x, adding) => {
      const expected = adding ? byItemOrder([...seen, x]) : byItemOrder(seen.filter((y) => y !== x));
      assert.deepEqual(withChange(seen, adding ? { add: x } : { remove: x }), expected);
    }),
  );
});

test('an item past the end is appended, one before it lands in its place', () => {
  assert.deepEqual(withChange(['1', '5', '9'], { add: '12' }), ['1', '5', '9', '12']);
  assert.deepEqual(withChange(['1', '5', '9'], { add: '7' }), ['1', '5', '7', '9']);
  assert.deepEqual(withChange(['1', '5', '9'], { add: '5' }), ['1', '5', '9']);
});
