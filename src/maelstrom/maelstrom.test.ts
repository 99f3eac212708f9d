/**
 * The Maelstrom harness against real programs (src/maelstrom/test-nodes): for each workload a
 * correct node is valid, under the nemesis it is meant to survive, and a subtly wrong one is caught
 * with a witness that names the problem. Bad input (a --bin that is missing or not executable, a node
 * that prints garbage or never answers init) ends the test quickly with a message naming it.
 *
 * Runs are short (seconds) and run four at a time: they mostly wait on timers, not on the CPU.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMaelstromTestError, runTest, type TestOptions, type TestResult } from './harness.js';
import { workloads } from './workloads/index.js';
import { checkLinearizable, kvModel, parseHistory } from '../check/index.js';

/** The history as `maelstrom test --history` writes it, read back as `pillars check` reads it. */
function checkWrittenHistory(r: TestResult) {
  return checkLinearizable(parseHistory(r.history.map((e) => JSON.stringify(e)).join('\n')), kvModel);
}

const node = (name: string) => fileURLToPath(new URL(`../../../src/maelstrom/test-nodes/${name}`, import.meta.url));
const main = fileURLToPath(new URL('../cli/main.js', import.meta.url));

function run(workload: string, bin: string, o: Partial<TestOptions> = {}): Promise<TestResult> {
  return runTest({
    workload: workloads[workload],
    bin: node(bin),
    nodeCount: 3,
    timeLimitS: 3,
    rate: 50,
    concurrency: 3,
    latencyMs: 5,
    latencyDist: 'uniform',
    nemesis: [],
    nemesisIntervalS: 1,
    seed: 1,
    recoveryMs: 1_000,
    requestTimeoutMs: 2_000,
    ...o,
  });
}

/** What a failed assertion should show: the verdict, its witness and the faults. */
const why = (r: TestResult) => `${r.valid}: ${r.check.summary}\n${r.check.witness ?? ''}\nfaults: ${r.faults.map((f) => `${f.atMs} ${f.what}`).join('; ')}\nstats: ${JSON.stringify(r.stats)}`;

function assertValid(r: TestResult): void {
  assert.equal(r.valid, true, why(r));
  assert.ok(r.stats.ok > 0, why(r));
}

function assertInvalid(r: TestResult, witness: RegExp): void {
  assert.equal(r.valid, false, why(r));
  assert.match(r.check.witness ?? '', witness, why(r));
}

/** The faults a run really suffered: at least `n` of them, and messages actually cut. */
function assertFaulted(r: TestResult, n: number): void {
  assert.ok(r.stats.faults >= n, `expected at least ${n} faults: ${why(r)}`);
  assert.ok(r.stats.dropped > 0, `expected the partitions to drop messages between nodes: ${why(r)}`);
}

/** `pillars ...` as a child process; resolves with its exit code and output. */
function pillars(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

const partitions: Partial<TestOptions> = { nemesis: ['partition'], nemesisIntervalS: 1 };

describe('maelstrom test against real nodes', { concurrency: 4 }, () => {
  test('echo: echo.js and echo.py are valid', async () => {
    const [js, py] = await Promise.all([run('echo', 'echo.js', { timeLimitS: 2 }), run('echo', 'echo.py', { timeLimitS: 2 })]);
    assertValid(js);
    assertValid(py);
    assert.equal(py.stats.fail, 0, why(py));
  });

  test('unique-ids: node id + incarnation + counter stays unique under partitions and kill -9', async () => {
    const r = await run('unique-ids', 'unique-ids.js', { nemesis: ['partition', 'kill'], nemesisIntervalS: 1, timeLimitS: 4, requestTimeoutMs: 500 });
    assertValid(r);
    assert.equal(r.check.stats?.duplicates, 0, why(r));
  });

  test('unique-ids: a counter without the node id hands out the same id on two nodes', async () => {
    const r = await run('unique-ids', 'unique-ids-wrong.py', { timeLimitS: 2 });
    assertInvalid(r, /^id \d+ was returned twice \(the second time by n[1-3]\)$/);
    assert.ok((r.check.stats?.duplicates ?? 0) > 0, why(r));
  });

  test('broadcast: gossip retried until acknowledged survives partitions (5 nodes, grid)', async () => {
    const r = await run('broadcast', 'broadcast.py', { ...partitions, nodeCount: 5, concurrency: 5, timeLimitS: 5, topology: 'grid', recoveryMs: 1_500 });
    assertValid(r);
    assertFaulted(r, 3);
    assert.equal(r.check.stats?.lost, 0, why(r));
  });

  test('broadcast: flooding once without retries is fine without faults and loses messages under partitions', async () => {
    const [calm, cut] = await Promise.all([
      run('broadcast', 'broadcast-no-retry.js', { nodeCount: 5, concurrency: 5, timeLimitS: 3, topology: 'grid' }),
      run('broadcast', 'broadcast-no-retry.js', { ...partitions, nodeCount: 5, concurrency: 5, timeLimitS: 5, topology: 'grid' }),
    ]);
    assertValid(calm);
    assertFaulted(cut, 3);
    assertInvalid(cut, /\bn[1-5] lacks \d+ acknowledged values?: \d+/);
    assert.ok((cut.check.stats?.lost ?? 0) > 0, why(cut));
  });

  test('g-set: add pushes plus full-state anti-entropy survive partitions', async () => {
    const r = await run('g-set', 'g-set.js', { ...partitions, timeLimitS: 4, recoveryMs: 1_500 });
    assertValid(r);
    assertFaulted(r, 3);
  });

  test('g-set: a node that never shares only knows its own adds (every node lacks the others)', async () => {
    const r = await run('g-set', 'g-set-local.py', { timeLimitS: 2 });
    assertInvalid(r, /\bn1 lacks \d+ acknowledged values?: \d+/);
    for (const n of ['n2', 'n3']) assert.match(r.check.witness ?? '', new RegExp(`\\b${n} lacks \\d+ acknowledged`), why(r));
  });

  test('g-counter: per-node totals in seq-kv survive partitions', async () => {
    const r = await run('g-counter', 'g-counter.js', { ...partitions, timeLimitS: 4 });
    assertValid(r);
    assert.ok(r.stats.faults >= 3, why(r));
    assert.ok(r.stats.serviceMessages > 0, `it keeps its state in seq-kv: ${why(r)}`);
    assert.equal(r.check.stats?.finalReads, 3, why(r));
  });

  test('g-counter: deltas gossiped once, without retry or merge, are lost under partitions', async () => {
    const r = await run('g-counter', 'g-counter-lossy.js', { ...partitions, timeLimitS: 4 });
    assertFaulted(r, 3);
    assertInvalid(r, /\bn[1-3] (read|reads) -?\d+/);
    assert.match(r.check.summary, /the nodes disagree at the end|is outside \[/, why(r));
  });

  test('pn-counter: PN-counter CRDT gossip survives partitions', async () => {
    const r = await run('pn-counter', 'pn-counter.py', { ...partitions, timeLimitS: 4, recoveryMs: 1_500 });
    assertValid(r);
    assertFaulted(r, 3);
  });

  test('lin-kv: a proxy to the lin-kv service stays linearizable under partitions and relays errors 20 and 22', async () => {
    const r = await run('lin-kv', 'lin-kv-proxy.js', { ...partitions, timeLimitS: 4, keyCount: 8 });
    assertValid(r);
    assert.ok(r.stats.faults >= 3, why(r));
    const errors = r.history.filter((e) => e.type === 'fail').map((e) => e.error ?? '');
    assert.ok(errors.some((e) => e.startsWith('22: ')), `a cas with a stale "from" fails with code 22: ${errors.slice(0, 5).join(' | ')}`);
    assert.ok(errors.some((e) => e.startsWith('20: ')), `a read or cas of a missing key fails with code 20: ${errors.slice(0, 5).join(' | ')}`);
    assert.equal(checkWrittenHistory(r).ok, true, 'the history file, read back by pillars check, is linearizable too');
  });

  test("lin-kv: reads served from a cache of the node's own writes are stale: not linearizable", async () => {
    const r = await run('lin-kv', 'lin-kv-stale.py', { timeLimitS: 3 });
    assertInvalid(r, /^not linearizable on key \d+: no order of the operations explains this one:/);
    assert.equal(r.check.summary, 'not linearizable', why(r));
    const fromFile = checkWrittenHistory(r);
    assert.equal(fromFile.ok, false);
    assert.equal(fromFile.operations, r.check.stats!.operations);
  });

  test('bad input: a --bin that does not exist exits 2 and names it', async () => {
    const missing = node('no-such-node.js');
    const r = await pillars(['maelstrom', 'test', '-w', 'echo', '--bin', missing, '--time-limit', '1']);
    assert.equal(r.code, 2, r.err);
    assert.ok(r.err.includes(missing), r.err);
    assert.match(r.err, /--bin: .*no such file/);
    assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
  });

  test('bad input: a --bin that is not executable exits 2 and names it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maelstrom-test-'));
    try {
      const bin = join(dir, 'echo.js');
      copyFileSync(node('echo.js'), bin);
      chmodSync(bin, 0o644);
      const r = await pillars(['maelstrom', 'test', '-w', 'echo', '--bin', bin, '--time-limit', '1']);
      assert.equal(r.code, 2, r.err);
      assert.ok(r.err.includes(bin), r.err);
      assert.match(r.err, /not executable/);
      await assert.rejects(run('echo', 'echo.js', { bin }), (e: Error) => e.message.includes(bin) && /not executable/.test(e.message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bad input: a node that prints non-JSON stops the test, naming the node and quoting the line', async () => {
    const started = Date.now();
    const [cli] = await Promise.all([
      pillars(['maelstrom', 'test', '-w', 'echo', '--bin', node('prints-garbage.js'), '--time-limit', '2']),
      assert.rejects(run('echo', 'prints-garbage.js', { nodeCount: 1, concurrency: 1 }), (e: Error) => {
        assert.ok(isMaelstromTestError(e), String(e));
        assert.match(e.message, /^node n1 printed a line that is not a Maelstrom message \(expected one JSON message per line\): hello from a node that logs to stdout$/);
        return true;
      }),
    ]);
    assert.equal(cli.code, 2, cli.err);
    assert.match(cli.err, /node n[1-3] printed a line that is not a Maelstrom message .*: hello from a node that logs to stdout/);
    assert.doesNotMatch(cli.out, /verdict/);
    assert.ok(Date.now() - started < 5_000, `it stops at once, not after the time limit (${Date.now() - started} ms)`);
  });

  test('bad input: a node that never answers init fails within ~12 s, naming the node and its stderr', async () => {
    const started = Date.now();
    await assert.rejects(run('echo', 'never-init.js', { timeLimitS: 2 }), (e: Error) => {
      assert.ok(isMaelstromTestError(e), String(e));
      assert.match(e.message, /^node n[1-3] never answered init within 10 s; its stderr ends:\nnever-init: ignoring \{"src":"c0"/);
      return true;
    });
    const ms = Date.now() - started;
    assert.ok(ms < 12_000, `gave up after ${ms} ms`);
  });

  test('the command: exit 0 and the verdict for a valid run, exit 1 and the witness for an invalid one', async () => {
    const [ok, bad] = await Promise.all([
      pillars(['maelstrom', 'test', '-w', 'echo', '--bin', node('echo.py'), '--time-limit', '1', '--rate', '50']),
      pillars(['maelstrom', 'test', '-w', 'unique-ids', '--bin', node('unique-ids-wrong.py'), '--node-count', '2', '--time-limit', '1', '--rate', '50']),
    ]);
    assert.equal(ok.code, 0, ok.out + ok.err);
    assert.match(ok.out, /^echo on .*echo\.py: 3 nodes, 1 s, 50 ops\/s/);
    assert.match(ok.out, /verdict {6}valid: \d+ echoes came back intact/);
    assert.equal(bad.code, 1, bad.out + bad.err);
    assert.match(bad.out, /verdict {6}INVALID: \d+ ids returned more than once/);
    assert.match(bad.out, /witness {6}id \d+ was returned twice \(the second time by n[12]\)/);
  });
});
