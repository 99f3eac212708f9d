/**
 * The kafka checker on small histories: it fails what Jepsen's kafka checker fails a Maelstrom test
 * on, including a poll of a message whose send failed (G1a) or had not yet been invoked
 * (G1c-realtime), and passes a history where every poll follows its sends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RandomStreams } from '../sim/rng.js';
import { workloads } from './workloads/index.js';
import type { HistoryEntry } from './workload.js';

const ms = 1e6;
function kafkaCheck(history: HistoryEntry[]) {
  return workloads.kafka.make({ nodes: ['n0'], random: new RandomStreams(1).stream('w'), keyCount: 1, maxTxnLength: 1, maxWritesPerKey: 1, consistencyModels: [] }).check(history);
}
const send = (process: number, msg: number, at: number, outcome: 'ok' | 'fail', offset = 0): HistoryEntry[] => [
  { process, type: 'invoke', f: 'send', value: { key: 'k0', msg }, time: at * ms },
  { process, type: outcome, f: 'send', value: outcome === 'ok' ? { key: 'k0', msg, offset } : { key: 'k0', msg }, time: (at + 1) * ms },
];
const poll = (process: number, at: number, msgs: [number, number][]): HistoryEntry[] => [
  { process, type: 'invoke', f: 'poll', value: { from: { k0: 0 }, process }, time: at * ms },
  { process, type: 'ok', f: 'poll', value: { from: { k0: 0 }, process, msgs: { k0: msgs } }, time: (at + 1) * ms },
];
const finalPoll = (at: number, msgs: [number, number][]): HistoryEntry[] => [
  { process: 9, type: 'invoke', f: 'final-poll', value: { from: { k0: 0 }, round: 0 }, time: at * ms },
  { process: 9, type: 'ok', f: 'final-poll', value: { from: { k0: 0 }, round: 0, msgs: { k0: msgs } }, time: (at + 1) * ms },
];

test('kafka: a history where every poll follows its sends is valid', () => {
  const r = kafkaCheck([...send(0, 1, 0, 'ok', 0), ...poll(1, 5, [[0, 1]]), ...finalPoll(10, [[0, 1]])]);
  assert.equal(r.valid, true, r.summary);
});

test('kafka: a poll returning a message whose send failed is G1a', () => {
  const r = kafkaCheck([...send(0, 1, 0, 'fail'), ...send(0, 2, 2, 'ok', 1), ...poll(1, 5, [[0, 1], [1, 2]]), ...finalPoll(10, [[0, 1], [1, 2]])]);
  assert.equal(r.valid, false);
  assert.match(r.summary, /^2 G1a$/, 'the poll and the final poll');
  assert.match(r.witness ?? '', /message 1, whose send to process 0 failed/);
});

test('kafka: a poll returning a message sent only after the poll completed is G1c-realtime', () => {
  const r = kafkaCheck([...poll(1, 0, [[0, 7]]), ...send(0, 7, 5, 'ok', 0), ...finalPoll(10, [[0, 7]])]);
  assert.equal(r.valid, false);
  assert.match(r.summary, /^1 G1c-realtime$/);
  assert.match(r.witness ?? '', /returned k0 offset 0, message 7, whose send was invoked only at 5\.0 ms/);
});
