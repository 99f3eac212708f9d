import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Trace } from './trace.js';

/** The hash after folding fields both ways: by their JSON text, and by json(). */
function bothWays(fields: Record<string, unknown>): [string, string] {
  const byText = new Trace();
  byText.text('before');
  byText.text(JSON.stringify(fields));
  const byJson = new Trace();
  byJson.text('before');
  byJson.json(fields);
  return [byText.hash(), byJson.hash()];
}

test('json() folds the very characters of JSON.stringify, whatever the fields', () => {
  const scalar = fc.oneof(
    fc.integer(),
    fc.double(),
    fc.constantFrom(-0, NaN, Infinity, -Infinity, 1e21, 5e-324, null, undefined, true, false),
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.constantFrom('a"b', 'a\\b', 'line\nbreak', '\u0001', '\ud800 lone', '\u2028', 'é'),
  );
  const value = fc.oneof(scalar, fc.array(scalar), fc.dictionary(fc.string(), scalar), fc.constant(() => 1), fc.constant(new Map([[1, 2]])), fc.constant({ toJSON: () => 'x' }));
  const key = fc.oneof(fc.string(), fc.constantFrom('id', 'status', 'value', '0', '10', '2', 'toJSON', 'a"b', '\u0000'));
  fc.assert(
    fc.property(fc.dictionary(key, value), (fields) => {
      const [byText, byJson] = bothWays(fields);
      assert.equal(byJson, byText);
    }),
    { numRuns: 1000 },
  );
  // A client's outcome record, a record with a nested value, one made by a class.
  for (const fields of [{ id: 12, status: 'ok', value: null }, { id: 3, status: 'ok', value: [1, 2] }, new (class { a = 1 })() as unknown as Record<string, unknown>]) {
    const [byText, byJson] = bothWays(fields);
    assert.equal(byJson, byText);
  }
});
