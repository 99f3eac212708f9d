/**
 * The harder Maelstrom workloads against real programs, the built-in services on their own, and the
 * other direction: the Truth pillar's Raft KV as a Maelstrom node, tested with lin-kv under
 * partitions and kill -9.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RandomStreams } from '../sim/rng.js';
import { tempDir } from '../testing/real-nodes.js';
import { runTest, type TestOptions, type TestResult } from './harness.js';
import { LinKv, LinTso, SeqKv } from './services.js';
import { workloads } from './workloads/index.js';
import { maelstromReportInput } from './html.js';
import { renderHtmlReport } from '../web/index.js';

const node = (name: string) => fileURLToPath(new URL(`../../../src/maelstrom/test-nodes/${name}`, import.meta.url));
const main = fileURLToPath(new URL('../cli/main.js', import.meta.url));

function run(workload: string, bin: string, o: Partial<TestOptions> = {}): Promise<TestResult> {
  return runTest({ workload: workloads[workload], bin, nodeCount: 3, timeLimitS: 3, rate: 60, concurrency: 4, latencyMs: 2, latencyDist: 'uniform', nemesis: [], nemesisIntervalS: 1, seed: 1, recoveryMs: 1_000, requestTimeoutMs: 2_000, ...o });
}

// Two at a time: each run is three real processes on wall-clock time, and four at once on a loaded
// 2-core machine completed too few operations for the verdicts to mean something.
describe('maelstrom workloads on logs and transactions', { concurrency: 2 }, () => {
  test('kafka: logs kept in lin-kv survive partitions; logs kept per node give one offset to two messages', async () => {
    const good = await run('kafka', node('kafka.js'), { nemesis: ['partition'] });
    assert.equal(good.valid, true, good.check.witness ?? good.check.summary);
    // 180 offered in 3 s, some refused during partitions; a loaded machine completes fewer.
    assert.ok(good.check.stats!.acknowledgedSends > 30, JSON.stringify(good.check.stats));
    const bad = await run('kafka', node('kafka-local.js'));
    assert.equal(bad.valid, false);
    assert.ok(bad.check.stats!['inconsistent-offsets'] > 0);
    assert.match(bad.check.witness!, /inconsistent-offsets: k\d offset \d+ holds \d+ and \d+/);
  });

  test('txn-list-append: one compare-and-set of the whole database is serializable; a key at a time is not (G-single, G2)', async () => {
    const good = await run('txn-list-append', node('txn-list-append.js'), { concurrency: 6, rate: 100 });
    assert.equal(good.valid, true, good.check.witness ?? good.check.summary);
    // 300 offered in 3 s; a loaded machine completes fewer, and the edges are what make the verdict mean something.
    assert.ok(good.check.stats!.transactions > 60 && good.check.stats!.rwEdges > 30, JSON.stringify(good.check.stats));
    const bad = await run('txn-list-append', node('txn-per-key.py'), { concurrency: 6, rate: 100, latencyMs: 3 });
    assert.equal(bad.valid, false);
    assert.match(bad.check.summary, /^not strict-serializable: .*(G-single|G2-item).*; violates .*\bserializable/);
    assert.match(bad.check.witness!, /T\d+ \(process \d+, ok/);
  });

  test('txn-list-append: read-only transactions from a stale copy are serializable but not strict-serializable, the default model', async () => {
    const o = { concurrency: 6, rate: 100, args: ['--stale-read-only'] };
    const [strict, serializable] = await Promise.all([run('txn-list-append', node('txn-list-append.js'), o), run('txn-list-append', node('txn-list-append.js'), { ...o, consistencyModels: ['serializable'] })]);
    assert.equal(strict.valid, false, strict.check.summary);
    assert.match(strict.check.summary, /^not strict-serializable: .*-realtime\b.*; violates .*strict-serializable/);
    assert.ok(strict.check.stats!.realtimeEdges > 0, JSON.stringify(strict.check.stats));
    assert.equal(serializable.valid, true, serializable.check.witness ?? serializable.check.summary);
    assert.match(serializable.check.summary, /^serializable: \d+ transactions; consistent with .*serializable/);
  });

  test('txn-rw-register: the whole database in one cas is strict-serializable; a key at a time is not; reads from a stale copy are not strict', async () => {
    const o = { concurrency: 6, rate: 100, latencyMs: 3 };
    // The run whose count of transactions is asserted first, on its own: beside two more runs (nine
    // processes on wall-clock time) a loaded 2-core machine completed 40 of the 300 offered.
    const good = await run('txn-rw-register', node('txn-list-append.js'), o);
    const [perKey, stale] = await Promise.all([run('txn-rw-register', node('txn-per-key.py'), o), run('txn-rw-register', node('txn-list-append.js'), { ...o, args: ['--stale-read-only'] })]);
    assert.equal(good.valid, true, good.check.witness ?? good.check.summary);
    // 300 offered in 3 s; enough transactions and read-from edges that a cycle would show.
    assert.ok(good.check.stats!.transactions > 60 && good.check.stats!.wrEdges > 30, JSON.stringify(good.check.stats));
    assert.equal(perKey.valid, false, perKey.check.summary);
    assert.match(perKey.check.summary, /^not strict-serializable: .*\b(G1b|G1c|G-single|G2-item|internal)\b/);
    assert.equal(stale.valid, false, stale.check.summary);
    assert.match(stale.check.summary, /^not strict-serializable: [^;]*\bG-single-(process|realtime)\b[^;]*; violates (strong-session-serializable, )?strict-serializable$/, 'serializable still: only order edges close the cycles');
  });

  test('the txn generator: at most maxTxnLength micro-operations, unique values, a key retired after maxWritesPerKey writes', () => {
    const w = workloads['txn-rw-register'].make({ nodes: ['n0'], random: new RandomStreams(3).stream('w'), keyCount: 2, maxTxnLength: 2, maxWritesPerKey: 3, consistencyModels: ['serializable'] });
    const writes = new Map<unknown, number>();
    const values = new Set<unknown>();
    for (let i = 0; i < 200; i++) {
      const txn = w.next(0)!.value as [string, number, unknown][];
      assert.ok(txn.length >= 1 && txn.length <= 2, JSON.stringify(txn));
      for (const [f, k, v] of txn) {
        if (f !== 'w') continue;
        assert.ok(!values.has(v), `value ${String(v)} written twice`);
        values.add(v);
        writes.set(k, (writes.get(k) ?? 0) + 1);
      }
    }
    assert.ok([...writes.values()].every((n) => n <= 3), JSON.stringify([...writes]));
    assert.ok(writes.size > 20, `keys rotate: ${writes.size} keys written`);
  });
});

// On its own, after the workloads above (which run two at a time): its count of acknowledged operations
// needs the machine, and beside another run a loaded fresh-clone run completed 28 of the 30 it asks.
test("the Raft KV as a Maelstrom node (pillars maelstrom node) stays linearizable under partitions and kill -9", async () => {
  const dir = tempDir('pillars-raft-maelstrom-');
  const bin = join(dir, 'raft-node.sh');
  writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${main}" maelstrom node --process truth/raft-kv --data "${join(dir, 'data')}"\n`);
  chmodSync(bin, 0o755);
  const r = await run('lin-kv', bin, { timeLimitS: 6, rate: 40, latencyMs: 3, nemesis: ['partition', 'kill'], nemesisIntervalS: 1.5, requestTimeoutMs: 1_500 });
  assert.equal(r.valid, true, r.check.witness ?? r.check.summary);
  assert.ok(r.stats.ok > 30, `${r.stats.ok} ok`);
  assert.ok(r.stats.faults >= 3 && r.stats.serverMessages > 500, JSON.stringify(r.stats));
  assert.ok(r.faults.some((f) => f.what.startsWith('kill -9')), 'a node was killed');
});

test('the services: lin-kv refuses a cas on a missing key (20) or a wrong value (22); seq-kv reads never go back for a caller; lin-tso only rises', () => {
  const kv = new LinKv();
  assert.equal(kv.handle('n1', { type: 'cas', msg_id: 1, key: 'a', from: 1, to: 2 }).code, 20);
  assert.equal(kv.handle('n1', { type: 'cas', msg_id: 2, key: 'a', from: 1, to: 2, create_if_not_exists: true }).type, 'cas_ok');
  assert.equal(kv.handle('n1', { type: 'cas', msg_id: 3, key: 'a', from: 1, to: 3 }).code, 22);
  assert.deepEqual(kv.handle('n1', { type: 'read', msg_id: 4, key: 'a' }), { type: 'read_ok', in_reply_to: 4, value: 2 });
  const seq = new SeqKv(new RandomStreams(1).stream('s'));
  for (let i = 1; i <= 50; i++) seq.handle('n1', { type: 'write', msg_id: i, key: 'x', value: i });
  let last = 0;
  let stale = 0;
  for (let i = 0; i < 200; i++) {
    const r = seq.handle('n2', { type: 'read', msg_id: 100 + i, key: 'x' });
    const v = r.type === 'read_ok' ? (r.value as number) : 0;
    assert.ok(v >= last, `n2 read ${v} after ${last}`);
    if (v < 50) stale++;
    last = v;
  }
  assert.ok(stale > 0, 'some reads were stale: sequential, not linearizable');
  assert.equal(seq.handle('n1', { type: 'read', msg_id: 999, key: 'x' }).value, 50, 'a caller reads its own writes');
  const tso = new LinTso();
  const ts = Array.from({ length: 5 }, (_, i) => tso.handle('n1', { type: 'ts', msg_id: i }).ts as number);
  assert.deepEqual(ts, [1, 2, 3, 4, 5]);
});

test('a test result as the HTML report: the verdict with its witness, operations and latency over time, each fault with its end', () => {
  const history = [
    { process: 0, type: 'invoke' as const, f: 'add', value: 1, time: 1e6 },
    { process: 0, type: 'ok' as const, f: 'add', value: 1, time: 3e6 },
    { process: 1, type: 'invoke' as const, f: 'read', time: 4e6 },
    { process: 1, type: 'info' as const, f: 'read', time: 9e6 },
  ];
  const result = {
    workload: 'g-set',
    valid: false as const,
    check: { valid: false as const, summary: '1 acknowledged value lost', witness: 'n2 lacks 1 acknowledged value: 1', stats: { lost: 1 } },
    stats: { operations: 2, ok: 1, fail: 0, info: 1, availability: 0.5, latencyMs: { p50: 2, p95: 2, p99: 2, max: 2 }, serverMessages: 4, clientMessages: 4, serviceMessages: 0, serverMessagesPerOp: 2, clientMessagesPerOp: 2, dropped: 1, duplicated: 0, faults: 1, nodesRestarted: 0 },
    faults: [
      { atMs: 2, what: 'partition n1 | n2,n3' },
      { atMs: 6, what: 'end of partition n1 | n2,n3' },
      { atMs: 8, what: 'every fault healed' },
    ],
    workloadMs: { start: 1, end: 9 },
    warnings: [],
    sequences: [],
    history,
  };
  const opts = { workload: workloads['g-set'], bin: '/x/my-node', nodeCount: 3, timeLimitS: 1, rate: 10, concurrency: 2, latencyMs: 0, latencyDist: 'constant' as const, nemesis: ['partition' as const], nemesisIntervalS: 1, seed: 7 };
  const input = maelstromReportInput(opts, result);
  assert.equal(input.variants[0].met, false);
  assert.match(input.variants[0].checks[0].detail, /1 acknowledged value lost: n2 lacks 1 acknowledged value: 1/);
  assert.deepEqual(input.faults!.map((f) => [f.kind, f.atMs, f.untilMs]), [['partition', 2, 6], ['heal', 8, undefined]]);
  const ok = input.variants[0].series!.ops_ok;
  assert.equal(ok[ok.length - 1][1], 1);
  assert.equal(input.variants[0].series!.ops_info.at(-1)![1], 1);
  const html = renderHtmlReport(input);
  assert.ok(html.includes('maelstrom g-set: my-node') && html.includes('n2 lacks 1 acknowledged value'));
  // A real-time run: no talk of virtual time or exact replays.
  assert.doesNotMatch(html, /virtual time|replay it exactly/);
  assert.match(html, /over real time/);
  assert.match(html, /"timeLabel":"real time"/);
});
