/**
 * The Maelstrom harness against real programs (src/maelstrom/test-nodes): for each workload a
 * correct node is valid, under the nemesis it is meant to survive, and a subtly wrong one is caught
 * with a witness that names the problem. Bad input (a --bin that is missing or not executable, a node
 * that prints garbage or never answers init) ends the test quickly with a message naming it.
 *
 * Runs are short (seconds) and run four at a time: they mostly wait on timers, not on the CPU.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMaelstromTestError, runTest, type TestOptions, type TestResult } from './harness.js';
import { isDefiniteError } from './protocol.js';
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

/** Where the commands run: their results folders (store/) land here, not in the repository. */
const commandDir = mkdtempSync(join(tmpdir(), 'maelstrom-cli-'));
after(() => rmSync(commandDir, { recursive: true, force: true }));

/** `pillars ...` as a child process in `cwd`; resolves with its exit code and output. */
function pillars(args: string[], cwd = commandDir): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
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

test("error codes: Maelstrom's definite ones fail, timeout, crash, undefined and custom codes (1000 and above) are indefinite", () => {
  const definite = [1, 10, 11, 12, 14, 20, 21, 22, 30];
  for (let code = 0; code <= 30; code++) assert.equal(isDefiniteError(code), definite.includes(code), `code ${code}`);
  for (const code of [1000, 1001, 5000, -1, '11', undefined]) assert.equal(isDefiniteError(code), false, `code ${String(code)}`);
});

describe('the schedule of a test: faults inside the workload, the recovery wait after it', { concurrency: 4 }, () => {
  test('a CRDT gossiping every 5 s is valid thanks to the 10 s recovery wait (and not with a 2 s one)', async () => {
    const [waited, hurried] = await Promise.all([run('g-set', 'g-set-gossip.py', { timeLimitS: 2, recoveryMs: undefined }), run('g-set', 'g-set-gossip.py', { timeLimitS: 2, recoveryMs: 2_000 })]);
    assertValid(waited);
    assertInvalid(hurried, /\bn[0-2] lacks \d+ acknowledged values?/);
  });

  test('the nemesis fires with --nemesis-interval equal to --time-limit (say 10 and 10, as a short run with the default interval has them)', async () => {
    const r = await run('g-set', 'g-set.js', { nemesis: ['partition'], nemesisIntervalS: 2, timeLimitS: 2 });
    assertValid(r);
    assert.equal(r.stats.faults, 1, why(r));
    assert.deepEqual(r.warnings, []);
  });

  test('a requested nemesis that never fired: a warning and the verdict unknown, unless allowNoFaults', async () => {
    const [strict, allowed] = await Promise.all([
      run('echo', 'echo.js', { timeLimitS: 1, nemesis: ['partition', 'kill'], nemesisIntervalS: 2 }),
      run('echo', 'echo.js', { timeLimitS: 1, nemesis: ['partition', 'kill'], nemesisIntervalS: 2, allowNoFaults: true }),
    ]);
    assert.equal(strict.stats.faults, 0, why(strict));
    assert.equal(strict.valid, 'unknown', why(strict));
    assert.match(strict.check.summary, /^\d+ echoes came back intact, but nemesis partition never fired during the 1 s workload; nemesis kill never fired during the 1 s workload \(--allow-no-faults accepts it\)$/);
    assert.equal(strict.warnings.length, 2);
    assertValid(allowed);
    assert.equal(allowed.warnings.length, 2);
  });

  test('every fault starts and ends inside the workload: no kill lands after it to restart a node empty before the final reads', async () => {
    const r = await run('unique-ids', 'unique-ids.js', { nemesis: ['kill'], nemesisIntervalS: 1.5, timeLimitS: 3.5, requestTimeoutMs: 500 });
    assertValid(r);
    const starts = r.faults.filter((f) => f.what.startsWith('kill'));
    assert.equal(starts.length, 2, why(r));
    for (const f of starts) {
      const end = r.faults.find((e) => e.what === `end of ${f.what}` && e.atMs >= f.atMs);
      assert.ok(end !== undefined && end.atMs <= r.workloadMs.end, `${f.what} at ${f.atMs} ms ends inside the workload (${r.workloadMs.start}..${r.workloadMs.end} ms): ${why(r)}`);
    }
    assert.equal(r.stats.nodesRestarted, 2, why(r));
  });
});

describe("Maelstrom's protocol, as its programs use it", { concurrency: 4 }, () => {
  test("a node may forward a client's request with the client as src; the leader answers the client (and stale follower reads are caught)", async () => {
    const [forward, stale] = await Promise.all([
      run('lin-kv', 'lin-kv-forward.py', { timeLimitS: 3 }),
      run('lin-kv', 'lin-kv-forward.py', { timeLimitS: 3, args: ['--stale-reads'], latencyMs: 20 }),
    ]);
    assertValid(forward);
    assert.ok(forward.history.some((e) => e.type === 'ok' && e.node !== 'n0'), `requests to n1, n2 were answered by way of n0: ${why(forward)}`);
    assertInvalid(stale, /^not linearizable on key \d+/);
  });

  test('bodies between nodes may have any shape: gossip with no type, no msg_id and in_reply_to null', async () => {
    const r = await run('g-set', 'g-set-gossip.py', { timeLimitS: 2, args: ['--every', '0.3'] });
    assertValid(r);
    assert.ok(r.stats.serverMessages > 0, why(r));
  });

  test('a node may call lin-kv while it handles init, and answer init only then (after every restart too); a read then a write there is a race', async () => {
    const [r, racy] = await Promise.all([
      run('unique-ids', 'unique-ids-kv.js', { nemesis: ['kill'], nemesisIntervalS: 1, timeLimitS: 3, requestTimeoutMs: 500 }),
      run('unique-ids', 'unique-ids-kv.js', { timeLimitS: 2, latencyMs: 100, latencyDist: 'constant', args: ['--read-then-write'] }),
    ]);
    assertValid(r);
    assert.ok(r.stats.nodesRestarted > 0, why(r));
    assert.ok(r.stats.serviceMessages >= 2 * (3 + r.stats.nodesRestarted), `a read and a cas per start: ${why(r)}`);
    // The nodes start together: with 100 ms to the service and back, all read the same count before
    // any write lands, and all take the same incarnation.
    assertInvalid(racy, /^id "\d+-\d+" was returned twice \(the second time by n[0-2]\)$/);
  });

  test('a custom error (1000) after applying a write is indefinite: linearizable; a definite one (11) after applying is caught', async () => {
    const [custom, definite] = await Promise.all([
      run('lin-kv', 'lin-kv-proxy.js', { timeLimitS: 3, keyCount: 2, args: ['--error-after-write', '1000'] }),
      run('lin-kv', 'lin-kv-proxy.js', { timeLimitS: 3, keyCount: 2, args: ['--error-after-write', '11'] }),
    ]);
    assertValid(custom);
    assert.ok(custom.history.some((e) => e.type === 'info' && e.error?.startsWith('1000: ')), why(custom));
    assertInvalid(definite, /^not linearizable on key \d+/);
  });

  test('--availability: "total" fails a test where some operations did not succeed; a lower bar passes it', async () => {
    const o: Partial<TestOptions> = { timeLimitS: 2, keyCount: 2, args: ['--error-after-write', '1000'] };
    const [total, half] = await Promise.all([run('lin-kv', 'lin-kv-proxy.js', { ...o, availability: 1 }), run('lin-kv', 'lin-kv-proxy.js', { ...o, availability: 0.5 })]);
    assert.equal(total.valid, false, why(total));
    assert.match(total.check.summary, /^availability \d+\.\d% is below the required 100\.0%$/);
    assert.match(total.check.witness ?? '', /^\d+ of \d+ operations did not succeed$/);
    assertValid(half);
  });

  test('--log-stderr, --log-net-send and --log-net-recv: the nodes\' stderr and every message, as they happen', async () => {
    const lines: string[] = [];
    const r = await run('echo', 'echo.js', { nodeCount: 2, timeLimitS: 0.5, logStderr: true, logNetSend: true, logNetRecv: true, log: (l) => lines.push(l) });
    assertValid(r);
    for (const n of ['n0', 'n1']) assert.ok(lines.some((l) => new RegExp(`^\\d+\\.\\d{3} ${n} stderr: echo\\.js: ${n} is up$`).test(l)), lines.slice(0, 10).join('\n'));
    const echo = lines.find((l) => / send c\d+ -> n[01] \{"type":"echo"/.test(l));
    assert.ok(echo !== undefined, lines.slice(0, 10).join('\n'));
    assert.ok(lines.some((l) => l.replace(/^[\d.]+ recv/, '') === echo.replace(/^[\d.]+ send/, '')), `the same message received: ${echo}`);
    const quiet: string[] = [];
    await run('echo', 'echo.js', { nodeCount: 1, timeLimitS: 0.3, log: (l) => quiet.push(l) });
    assert.deepEqual(quiet, [], 'nothing is logged unless asked');
  });

  test('clients see no latency (--latency is between nodes and services), and nodes are n0..n(N-1)', async () => {
    const r = await run('echo', 'echo.js', { timeLimitS: 2, latencyMs: 100, latencyDist: 'constant' });
    assertValid(r);
    assert.ok(r.stats.latencyMs.p50 < 50, `echo p50 ${r.stats.latencyMs.p50} ms at --latency 100: ${why(r)}`);
    assert.deepEqual([...new Set(r.history.map((e) => e.node))].sort(), ['n0', 'n1', 'n2']);
  });
});

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
    assertInvalid(r, /^id \d+ was returned twice \(the second time by n[0-2]\)$/);
    assert.ok((r.check.stats?.duplicates ?? 0) > 0, why(r));
  });

  test('broadcast: gossip retried until acknowledged survives partitions (5 nodes, grid)', async () => {
    const r = await run('broadcast', 'broadcast.py', { ...partitions, nodeCount: 5, concurrency: 5, timeLimitS: 5, topology: 'grid', recoveryMs: 1_500 });
    assertValid(r);
    assertFaulted(r, 3);
    assert.equal(r.check.stats?.lost, 0, why(r));
    const shapes = new Set(r.faults.filter((f) => !f.what.startsWith('end of')).map((f) => (/ alone /.test(f.what) ? 'one' : /bridged by/.test(f.what) ? 'bridge' : /^majorities ring/.test(f.what) ? 'ring' : 'halves')));
    assert.ok(shapes.size >= 2, `partitions of more than one shape: ${why(r)}`);
  });

  test('broadcast: flooding once without retries is fine without faults and loses messages under partitions', async () => {
    const [calm, cut] = await Promise.all([
      run('broadcast', 'broadcast-no-retry.js', { nodeCount: 5, concurrency: 5, timeLimitS: 3, topology: 'grid' }),
      run('broadcast', 'broadcast-no-retry.js', { ...partitions, nodeCount: 5, concurrency: 5, timeLimitS: 5, topology: 'grid' }),
    ]);
    assertValid(calm);
    assertFaulted(cut, 3);
    assertInvalid(cut, /\bn[0-4] lacks \d+ acknowledged values?: \d+/);
    assert.ok((cut.check.stats?.lost ?? 0) > 0, why(cut));
  });

  test('g-set: add pushes plus full-state anti-entropy survive partitions', async () => {
    const r = await run('g-set', 'g-set.js', { ...partitions, timeLimitS: 4, recoveryMs: 1_500 });
    assertValid(r);
    assertFaulted(r, 3);
  });

  test('g-set: a node that never shares only knows its own adds (every node lacks the others)', async () => {
    const r = await run('g-set', 'g-set-local.py', { timeLimitS: 2 });
    assertInvalid(r, /\bn0 lacks \d+ acknowledged values?: \d+/);
    for (const n of ['n1', 'n2']) assert.match(r.check.witness ?? '', new RegExp(`\\b${n} lacks \\d+ acknowledged`), why(r));
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
    assertInvalid(r, /\bn[0-2] (read|reads) -?\d+/);
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
      // A time limit far above what starting the processes can take on a loaded machine: a run that waited
      // for it would take a minute, one that stops at the bad line takes seconds.
      pillars(['maelstrom', 'test', '-w', 'echo', '--bin', node('prints-garbage.js'), '--node-count', '3', '--time-limit', '60']),
      assert.rejects(run('echo', 'prints-garbage.js', { nodeCount: 1, concurrency: 1, timeLimitS: 60 }), (e: Error) => {
        assert.ok(isMaelstromTestError(e), String(e));
        assert.match(e.message, /^node n0 printed a line that is not a Maelstrom message \(expected one JSON message per line\): hello from a node that logs to stdout$/);
        return true;
      }),
    ]);
    assert.equal(cli.code, 2, cli.err);
    assert.match(cli.err, /node n[0-2] printed a line that is not a Maelstrom message .*: hello from a node that logs to stdout/);
    assert.doesNotMatch(cli.out, /verdict/);
    assert.ok(Date.now() - started < 30_000, `it stops at once, not after the time limit (${Date.now() - started} ms)`);
  });

  test('bad input: a node that never answers init fails within ~12 s, naming the node and its stderr', async () => {
    const started = Date.now();
    await assert.rejects(run('echo', 'never-init.js', { timeLimitS: 2 }), (e: Error) => {
      assert.ok(isMaelstromTestError(e), String(e));
      assert.match(e.message, /^node n[0-2] never answered init within 10 s; its stderr ends:\nnever-init: ignoring \{"src":"c0"/);
      return true;
    });
    const ms = Date.now() - started;
    assert.ok(ms < 12_000, `gave up after ${ms} ms`);
  });

  test('bad input: an unknown option, or no --bin, exits 2 with one line', async () => {
    const [unknown, noBin] = await Promise.all([
      pillars(['maelstrom', 'test', '-w', 'echo', '--bin', node('echo.js'), '--no-such-option', '1']),
      pillars(['maelstrom', 'test', '-w', 'echo', '--time-limit', '1']),
    ]);
    assert.equal(unknown.code, 2, unknown.err);
    assert.equal(unknown.err, "error: unknown option '--no-such-option'\n");
    assert.equal(noBin.code, 2, noBin.err);
    assert.equal(noBin.err, "error: required option '--bin <program>' not specified\n");
  });

  test('the results folder: store/<workload>/<time>/ with results.json, results.edn, the history, node logs and the report (message diagrams, real time); latest links to it', async () => {
    const cwd = mkdtempSync(join(commandDir, 'store-'));
    // The node gossips every 250 ms: the recovery wait gives it four rounds after the last partition heals.
    const r = await pillars(['maelstrom', 'test', '-w', 'g-set', '--bin', node('g-set.js'), '--node-count', '3', '--time-limit', '2', '--rate', '30', '--recovery-ms', '1000', '--nemesis', 'partition', '--nemesis-interval', '1'], cwd);
    assert.equal(r.code, 0, r.out + r.err);
    const m = /^results in (store\/g-set\/\d{4}-\d\d-\d\dT\d{6}\.\d{3}Z) \(/m.exec(r.out);
    assert.ok(m !== null, r.out);
    const dir = join(cwd, m[1]);
    assert.equal(readlinkSync(join(cwd, 'store', 'latest')), m[1].slice('store/'.length));
    assert.equal(readlinkSync(join(cwd, 'store', 'g-set', 'latest')), m[1].slice('store/g-set/'.length));
    for (const f of ['results.json', 'results.edn', 'history.jsonl', 'report.html', 'n0.log', 'n1.log', 'n2.log']) assert.ok(existsSync(join(dir, f)), f);
    for (const f of ['latency-raw.svg', 'latency-quantiles.svg', 'rate.svg']) assert.match(readFileSync(join(dir, f), 'utf8'), /^<svg [^]*<title>partition[^]*<\/svg>\n$/, f);
    const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { valid: boolean; faults: unknown[]; options: { workload: string } };
    assert.equal(json.valid, true);
    assert.equal(json.options.workload, 'g-set');
    assert.match(readFileSync(join(dir, 'results.edn'), 'utf8'), /^\{:workload "g-set", :valid\? true, :check \{:valid\? true, :summary "all \d+ acknowledged values on every node"/);
    assert.ok(readFileSync(join(dir, 'history.jsonl'), 'utf8').split('\n').filter((l) => l !== '').every((l) => /^\{"process":\d+,"type":"(invoke|ok|fail|info)"/.test(l)));
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.match(html, /Messages around the start of the test/);
    assert.match(html, /Messages around partition /);
    assert.match(html, /over real time/);
    const none = mkdtempSync(join(commandDir, 'no-store-'));
    const quiet = await pillars(['maelstrom', 'test', '-w', 'echo', '--bin', node('echo.js'), '--node-count', '3', '--time-limit', '0.5', '--recovery-ms', '0', '--no-store', '--nemesis', 'none'], none);
    assert.equal(quiet.code, 0, quiet.err);
    assert.doesNotMatch(quiet.out, /nemesis|warning/, '--nemesis none asks for no faults, as in Jepsen');
    assert.ok(!existsSync(join(none, 'store')), '--no-store keeps none');
  });

  test('the command: exit 0 and the verdict for a valid run, exit 1 and the witness for an invalid one', async () => {
    const [ok, bad] = await Promise.all([
      pillars(['maelstrom', 'test', '-w', 'echo', '--bin', node('echo.py'), '--node-count', '3', '--time-limit', '1', '--rate', '50', '--recovery-ms', '200']),
      pillars(['maelstrom', 'test', '-w', 'unique-ids', '--bin', node('unique-ids-wrong.py'), '--node-count', '2', '--time-limit', '1', '--rate', '50', '--recovery-ms', '200']),
    ]);
    assert.equal(ok.code, 0, ok.out + ok.err);
    assert.match(ok.out, /^echo on .*echo\.py: 3 nodes, 1 s, 50 ops\/s/);
    assert.match(ok.out, /verdict {6}valid: \d+ echoes came back intact/);
    assert.equal(bad.code, 1, bad.out + bad.err);
    assert.match(bad.out, /verdict {6}INVALID: \d+ ids returned more than once/);
    assert.match(bad.out, /witness {6}id \d+ was returned twice \(the second time by n[01]\)/);
  });
});
