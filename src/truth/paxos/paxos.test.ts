/**
 * Paxos in numbers: the acceptor's promises, the retry policies, the protocol under leader crashes
 * and partitions (safety, and the re-proposal of values a deposed leader left accepted), and the
 * paxos story's separating numbers over a few seeds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../scenario/load.js';
import { runVariant } from '../../scenario/runner.js';
import { runner } from '../../testing/story-runner.js';
import { Acceptor, type AcceptorRecord } from './acceptor.js';
import { retryDelayMs } from './retry-policy.js';

test('an acceptor refuses every ballot below its promise, and its promise reports what it accepted', () => {
  const records: AcceptorRecord<string>[] = [];
  const a = new Acceptor<string>();
  const record = (r: AcceptorRecord<string>) => records.push(r);
  assert.deepEqual(a.prepare({ round: 1, node: 'n1' }, 1, record), { ok: true, accepted: [] });
  assert.deepEqual(a.accept({ round: 1, node: 'n1' }, 3, 'x', record), { ok: true });
  // n2's higher ballot learns of x in slot 3 (and not of slots below the one it asks from).
  assert.deepEqual(a.prepare({ round: 1, node: 'n2' }, 2, record), { ok: true, accepted: [[3, { ballot: { round: 1, node: 'n1' }, value: 'x' }]] });
  assert.deepEqual(a.prepare({ round: 1, node: 'n2' }, 4, record), { ok: true, accepted: [] });
  // n1's accept under its old ballot is now refused, with the promise that refuses it.
  assert.deepEqual(a.accept({ round: 1, node: 'n1' }, 4, 'y', record), { ok: false, promised: { round: 1, node: 'n2' } });
  assert.deepEqual(a.prepare({ round: 1, node: 'n1' }, 1, record), { ok: false, promised: { round: 1, node: 'n2' } });
  // Every change went to the records; an acceptor rebuilt from them keeps the same promise and value.
  assert.equal(records.length, 3);
  const b = new Acceptor<string>();
  b.restore(records);
  assert.deepEqual(b.promised, { round: 1, node: 'n2' });
  assert.deepEqual(b.accept({ round: 1, node: 'n1' }, 4, 'y', () => {}), { ok: false, promised: { round: 1, node: 'n2' } });
  assert.deepEqual(b.prepare({ round: 2, node: 'n1' }, 3, () => {}), { ok: true, accepted: [[3, { ballot: { round: 1, node: 'n1' }, value: 'x' }]] });
});

test('a fixed retry waits the same every time; a randomised backoff draws below a doubling ceiling', () => {
  const fixed = { kind: 'fixed', retryMs: 1 } as const;
  assert.deepEqual([1, 2, 10].map((n) => retryDelayMs(fixed, n, () => 0.5)), [1, 1, 1]);
  const backoff = { kind: 'random-backoff', baseMs: 1, maxMs: 100 } as const;
  assert.deepEqual([1, 2, 3, 8, 40].map((n) => retryDelayMs(backoff, n, () => 0.999999)).map(Math.round), [1, 2, 4, 100, 100]);
  assert.equal(retryDelayMs(backoff, 5, () => 0), 0);
});

/** Five servers under one fault schedule, for a mode; the leader (or n1) is crashed or cut off. */
function chaos(mode: string, faults: string, seed: number) {
  const text = `
name: paxos-chaos
topology: { nodes: 5 }
network: { latency: { dist: uniform, min: 0.5, max: 2 }, clientLatency: { dist: constant, value: 1 } }
disk: { fsyncMs: { dist: uniform, min: 0.1, max: 0.5 } }
workload: { type: closed, clients: 5, thinkMs: { dist: exponential, mean: 10 }, durationMs: 3000, ops: { write: 1, read: 1, cas: 1 }, keys: { dist: uniform, count: 3 }, target: random, timeoutMs: 300, settleMs: 1000 }
faults: ${faults}
checks: [ { name: linearizable, model: kv }, { name: agreement } ]
system: { process: truth/paxos-kv, config: { mode: ${mode}, retry: { kind: random-backoff, baseMs: 1, maxMs: 50 } } }
`;
  return runVariant(parseScenario(text, 'paxos-chaos').variants[0], { seed }).report;
}

test('Multi-Paxos: a leader crashed or cut off mid-stream is replaced; every value it left accepted is re-proposed, never contradicted', () => {
  for (const seed of [1, 2]) {
    const r = chaos('multi-paxos', '[ { at: 800, for: 600, crash: leader }, { at: 2000, for: 500, isolate: leader } ]', seed);
    assert.equal(r.met, true, `seed ${seed}: ${r.checks.map((c) => `${c.name}: ${c.detail}`).join('; ')}`);
    assert.ok(r.metrics.paxos_leaders_elected >= 3, `seed ${seed}: ${r.metrics.paxos_leaders_elected} leaders elected`);
    assert.ok(r.metrics.ops_ok > 300, `seed ${seed}: ${r.metrics.ops_ok} operations ok`);
  }
});

test('single-decree Paxos stays safe with its proposers dueling while one of them crashes and another is cut off', () => {
  const r = chaos('single-decree', '[ { at: 800, for: 600, crash: n1 }, { at: 2000, for: 500, isolate: n2 } ]', 3);
  assert.equal(r.met, true, r.checks.map((c) => `${c.name}: ${c.detail}`).join('; '));
  assert.ok(r.metrics.paxos_preemptions > 50, `${r.metrics.paxos_preemptions} preemptions`);
});

test('paxos.yaml: fixed retries livelock, randomised backoff decides; 2 round trips per write alone, 1 with a leader, at Raft\'s latency', () => {
  for (const seed of [1, 5]) {
    const run = runner('paxos.yaml', seed);
    const [naive, fixed, single, multi] = ['naive', 'fixed', 'single-proposer', 'multi-paxos'].map(run);
    for (const r of [naive, fixed, single, multi]) assert.equal(r.met, true, `${r.variant} seed ${seed}: ${r.why}`);
    // Livelock: thousands of rounds, next to no decisions (a lucky gap in the jitter lets one through at times).
    assert.ok(naive.metrics.paxos_rounds > 3000 && naive.metrics.paxos_decisions <= 10, `naive: ${naive.metrics.paxos_decisions} decisions in ${naive.metrics.paxos_rounds} rounds`);
    assert.ok(fixed.metrics.paxos_decisions > 150, `fixed: ${fixed.metrics.paxos_decisions} decisions`);
    assert.equal(single.metrics.paxos_round_trips_mean, 2);
    assert.equal(multi.metrics.paxos_round_trips_mean, 1);
    assert.ok(multi.metrics.latency_ms_p50_vs_raft < 1.25 && fixed.metrics.latency_ms_p50_vs_raft > 2);
  }
});
