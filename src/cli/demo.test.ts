/**
 * The demo's check summary paints its verdicts as the tables do: FAIL red, ok green, on a colour
 * terminal; plain words otherwise (piped, NO_COLOR).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCheckSummary } from './demo.js';

const naive = { checks: [{ name: 'no-oversell', ok: false, detail: '442 units oversold' }, { name: 'spike-checkouts', ok: true, detail: '' }] };
const fixed = { checks: [{ name: 'no-oversell', ok: true, detail: '0 units oversold' }] };

test("the demo's check summary: FAIL in red and ok in green on a colour terminal, plain words without colour", () => {
  assert.equal(
    formatCheckSummary(naive, fixed, true),
    'checks, naive (expected to fail): no-oversell \x1b[31mFAIL\x1b[0m, spike-checkouts \x1b[32mok\x1b[0m\nchecks, fixed (expected to pass): no-oversell \x1b[32mok\x1b[0m',
  );
  assert.equal(formatCheckSummary(naive, fixed, false), 'checks, naive (expected to fail): no-oversell FAIL, spike-checkouts ok\nchecks, fixed (expected to pass): no-oversell ok');
});
