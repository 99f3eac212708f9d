import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatNumber } from './number-format.js';

test('one number format: separators, fixed decimals by magnitude, no raw floats', () => {
  assert.equal(formatNumber(1007), '1,007');
  assert.equal(formatNumber(4837.4), '4,837.4');
  assert.equal(formatNumber(1651.2958188541234), '1,651.3');
  assert.equal(formatNumber(2.6291228235108624), '2.63');
  assert.equal(formatNumber(2.5), '2.50');
  assert.equal(formatNumber(0.0012345), '0.00123');
  assert.equal(formatNumber(-12_345.67), '-12,345.7');
  assert.equal(formatNumber(undefined), '-');
  assert.equal(formatNumber(Number.NaN), '-');
});
