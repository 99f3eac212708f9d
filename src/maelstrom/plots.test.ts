/**
 * The results folder's plots (Jepsen's latency-raw, latency-quantiles and rate, as SVG) from a
 * small history whose numbers are known: every completed operation is one dot at its latency, the
 * quantile lines reach the slowest ok operation, the rate counts completions, and a fault is a band.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestResult } from './harness.js';
import type { HistoryEntry } from './workload.js';
import { maelstromPlots } from './plots.js';
import { linearTicks } from '../web/index.js';

const ms = 1e6;

/** Ten adds, 100 ms apart, each taking (i + 1) ms; the 4th fails, the 8th never returns an answer in time. */
function history(): HistoryEntry[] {
  const h: HistoryEntry[] = [];
  for (let i = 0; i < 10; i++) {
    h.push({ process: i % 2, type: 'invoke', f: 'add', value: i, time: i * 100 * ms });
    h.push({ process: i % 2, type: i === 3 ? 'fail' : i === 7 ? 'info' : 'ok', f: 'add', value: i, time: (i * 100 + i + 1) * ms });
  }
  h.push({ process: 2, type: 'invoke', f: 'read', time: 950 * ms });
  h.push({ process: 2, type: 'ok', f: 'read', value: [1, 2], time: 990 * ms });
  return h;
}

const result = { workload: 'g-set', history: history(), faults: [{ atMs: 200, what: 'partition: n0 | n1 n2' }, { atMs: 500, what: 'end of partition: n0 | n1 n2' }, { atMs: 1000, what: 'every fault healed' }] } as unknown as TestResult;

test('latency-raw: one dot per completed operation, a series per function and outcome, the fault as a band', () => {
  const svg = maelstromPlots(result)['latency-raw.svg'];
  assert.equal((svg.match(/<circle /g) ?? []).length, 11);
  for (const legend of ['add ok (8)', 'add fail (1)', 'add info (1)', 'read ok (1)']) assert.ok(svg.includes(legend), legend);
  assert.equal((svg.match(/<title>partition: n0 \| n1 n2<\/title>/g) ?? []).length, 1, 'one band, for the partition; the final heal is no band');
  assert.match(svg, /latency \(ms\)/);
});

test('latency-quantiles: the max line peaks at the slowest ok operation (40 ms, the read)', () => {
  const svg = maelstromPlots(result)['latency-quantiles.svg'];
  for (const legend of ['p50', 'p95', 'p99', 'max']) assert.ok(svg.includes(`>${legend} (`), legend);
  // log axis from 1 to 100 ms: the ticks are the powers of ten that cover 1..40 ms
  assert.match(svg, />1<\/text>[^]*>10<\/text>[^]*>100<\/text>/);
});

test('rate: completions per second per function and outcome add up to the history', () => {
  const svg = maelstromPlots(result)['rate.svg'];
  assert.ok(svg.includes('>add ok (8)<') && svg.includes('>read ok (1)<'), 'the legend counts operations, not windows');
  const windowS = 0.5;
  const addOkPath = /<path d="([^"]+)" fill="none" stroke="#3b6fd8"/.exec(svg);
  assert.ok(addOkPath !== null);
  assert.equal(addOkPath[1].split(' ').length, Math.ceil(0.99 / windowS), 'one point per window');
});

test('ticks are round numbers covering the range', () => {
  assert.deepEqual(linearTicks(0, 10), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(linearTicks(0, 0.9), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(linearTicks(0, 37), [0, 10, 20, 30, 40]);
});
