/** Results as EDN, for tools that read Jepsen's results.edn. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toEdn } from './edn.js';

test("EDN: keyword keys in kebab-case, valid as :valid?, unknown as :unknown, vectors, nil; odd keys stay strings", () => {
  assert.equal(toEdn({ valid: true, latencyMs: { p50: 1.5 }, final_reads: [1, 'a', null], skipped: undefined }), '{:valid? true, :latency-ms {:p50 1.5}, :final-reads [1 "a" nil]}');
  assert.equal(toEdn({ check: { valid: 'unknown', summary: 'a "quoted" word' } }), '{:check {:valid? :unknown, :summary "a \\"quoted\\" word"}}');
  assert.equal(toEdn({ 'G-single-realtime': 2, 'two words': 1, n: Infinity }), '{:G-single-realtime 2, "two words" 1, :n nil}');
});
