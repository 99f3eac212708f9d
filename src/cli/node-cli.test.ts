/**
 * `pillars node` and `pillars cluster` as an operator meets them: --help, bad options and data
 * directories that cannot be trusted exit 2 with one line naming what is wrong; a cluster comes up,
 * reports its status and stops on SIGTERM.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterIdOf } from '../node/kv-node.js';
import { FileDisk } from '../adapters/file-disk.js';
import { RaftStorage } from '../truth/index.js';
import { freePortRun, resp, tempDir } from '../testing/real-nodes.js';

const main = fileURLToPath(new URL('./main.js', import.meta.url));
/** A cluster secret of the shortest length a node accepts. */
const longSecret = 's3cret'.padEnd(32, '.');

function pillars(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function badInput(args: string[], pattern: RegExp, env: Record<string, string> = {}) {
  const r = pillars(args, env);
  assert.equal(r.code, 2, `exit code for ${args.join(' ')}: ${r.err}`);
  assert.equal(r.err.trim().split('\n').length, 1, `one line: ${r.err}`);
  assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
  assert.match(r.err, pattern);
}

test('pillars node and cluster have --help', () => {
  for (const cmd of [['node'], ['cluster'], ['cluster', 'up'], ['cluster', 'status']]) {
    const r = pillars([...cmd, '--help']);
    assert.equal(r.code, 0, cmd.join(' '));
    assert.match(r.out, /Usage: pillars/);
  }
  assert.match(pillars(['node', '--help']).out, /--secret-file/);
});

test('bad node options exit 2 naming the option', () => {
  const dir = tempDir('pillars-cli-node-');
  const secret = join(dir, 'secret');
  writeFileSync(secret, 'abc'.repeat(11) + '\n', { mode: 0o600 });
  const base = ['node', '--id', 'n1', '--data', join(dir, 'n1'), '--resp', '0', '--http', '0'];
  badInput([...base, '--listen', '127.0.0.1:7001'], /--secret-file: a cluster secret: --secret-file FILE or the environment variable PILLARS_CLUSTER_SECRET/);
  badInput([...base, '--listen', 'nowhere', '--secret-file', secret], /--listen: host:port or a port number from 0 to 65535 \(got "nowhere"\)/);
  badInput([...base, '--listen', '0', '--secret-file', secret, '--peers', 'n2=127.0.0.1:99999'], /--peers n2: host:port or a port number/);
  badInput([...base, '--listen', '0', '--secret-file', secret, '--peers', 'bad id=127.0.0.1:1'], /--peers: id=host:port/);
  badInput([...base, '--listen', '0', '--secret-file', join(dir, 'missing')], /missing: --secret-file: a readable file \(ENOENT\)/);
  // Secrets as ssh treats a private key: readable by group or others, or too short to resist guessing, is refused.
  for (const mode of [0o644, 0o666, 0o640]) {
    const open = join(dir, `secret-${mode.toString(8)}`);
    writeFileSync(open, 'abc'.repeat(11) + '\n');
    chmodSync(open, mode);
    badInput([...base, '--listen', '0', '--secret-file', open], new RegExp(`secret-${mode.toString(8)}: --secret-file: a file only its owner may read \\(mode 0600 or 0400; it is 0${mode.toString(8)}\\)`));
    badInput([...base, '--listen', '0', '--requirepass-file', open], /--requirepass-file: a file only its owner may read/, { PILLARS_CLUSTER_SECRET: longSecret });
  }
  const short = join(dir, 'short');
  writeFileSync(short, 'x'.repeat(31) + '\n', { mode: 0o600 });
  badInput([...base, '--listen', '0', '--secret-file', short], /short: --secret-file: a secret of at least 32 bytes \(it has 31\)/);
  badInput([...base, '--listen', '0'], /PILLARS_CLUSTER_SECRET: --secret-file: a secret of at least 32 bytes \(it has 1\)/, { PILLARS_CLUSTER_SECRET: 'x' });
  badInput([...base, '--listen', '0', '--read-mode', 'fast'], /--read-mode: read-index or lease \(got "fast"\)/, { PILLARS_CLUSTER_SECRET: longSecret });
  badInput([...base, '--listen', '0', '--recovery', 'trust'], /--recovery: repair or refuse \(got "trust"\)/, { PILLARS_CLUSTER_SECRET: longSecret });
  badInput([...base, '--listen', '0', '--election-ticks', '1'], /--election-ticks: an integer of 2 or more/, { PILLARS_CLUSTER_SECRET: longSecret });
  badInput([...base, '--listen', '0', '--client-output-buffer-limit', '64mb 16mb 60'], /--client-output-buffer-limit: "<hard bytes> <soft bytes> <soft seconds>", three positive integers \(got "64mb 16mb 60"\)/, { PILLARS_CLUSTER_SECRET: longSecret });
  badInput([...base, '--listen', '0', '--maxclients', '1.5'], /--maxclients: a positive integer \(got "1.5"\)/, { PILLARS_CLUSTER_SECRET: longSecret });
});

test("another node's data directory and a corrupt log each stop a node at start with exit 2", () => {
  const dir = tempDir('pillars-cli-data-');
  const data = join(dir, 'n1');
  mkdirSync(data);
  writeFileSync(join(data, 'node.json'), JSON.stringify({ node: 'n1', cluster: clusterIdOf(Buffer.from(longSecret)) }));
  const args = (id: string) => ['node', '--id', id, '--data', data, '--listen', '0', '--resp', '0', '--http', '0'];
  badInput(args('n2'), /holds node n1's data, not n2's: refusing to start/, { PILLARS_CLUSTER_SECRET: longSecret });
  badInput(args('n1'), /belongs to cluster [0-9a-f]{16}, not to the cluster of this secret/, { PILLARS_CLUSTER_SECRET: 'another'.repeat(8) });
  // A log with a flipped byte in its middle.
  const disk = new FileDisk(data);
  const storage = new RaftStorage(disk);
  storage.restore();
  for (let i = 1; i <= 10; i++) storage.append({ term: 1, vote: 'n1', commit: i }, [{ term: 1, index: i, data: { op: { f: 'write', key: 'k', value: i } } }]);
  const bytes = Buffer.from(disk.read('raft.wal.1')!);
  bytes[Math.floor(bytes.length / 2)] ^= 0x10;
  writeFileSync(join(data, 'raft.wal.1'), bytes);
  badInput(args('n1'), /n1: raft\.wal\.1: a log this node can trust: corrupt at byte \d+ \((header )?checksum mismatch\); refusing to start/, { PILLARS_CLUSTER_SECRET: longSecret });
});

test('pillars cluster up starts three processes that elect a leader, cluster status reports them, SIGTERM stops them all', { timeout: 60_000 }, async () => {
  const dir = tempDir('pillars-cli-cluster-');
  const base = await freePortRun(9);
  const passFile = join(dir, 'client.pass');
  const up = spawn(process.execPath, [main, 'cluster', 'up', '--nodes', '3', '--data', dir, '--resp-base', String(base), '--http-base', String(base + 3), '--peer-base', String(base + 6), '--requirepass-file', passFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  up.stdout.on('data', (d) => (out += d));
  try {
    const deadline = Date.now() + 30_000;
    while (!/leader: n\d/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(out, /leader: n\d\. Try: redis-cli -p \d+ set hello world/);
    // --requirepass-file: made owner-only, and every node asks for it.
    assert.match(out, new RegExp(`^client password written to ${passFile} \\(mode 0600\\)$`, 'm'));
    assert.equal(statSync(passFile).mode & 0o777, 0o600);
    const password = readFileSync(passFile, 'utf8').trim();
    for (let i = 0; i < 3; i++) {
      assert.match(await redisExchange(base + i, 'PING'), /^-NOAUTH Authentication required\.\r\n$/, `n${i + 1} without the password`);
      assert.equal(await redisExchange(base + i, 'AUTH', password), '+OK\r\n', `n${i + 1} with it`);
    }
    assert.match(out, new RegExp(`pillars cluster kill ${/leader: (n\d)/.exec(out)![1]} --data `), 'the hint kills the leader');
    assert.match(out, new RegExp(`n1  pid \\d+  redis 127\\.0\\.0\\.1:${base}  http http://127\\.0\\.0\\.1:${base + 3}`));
    const status = pillars(['cluster', 'status', '--data', dir]);
    assert.equal(status.code, 0, status.err);
    assert.match(status.out, /^node\s+pid\s+role\s+term\s+leader\s+commit/);
    assert.equal((status.out.match(/\bleader\b\s+\d+\s+n\d/g) ?? []).length, 1, status.out);
    assert.equal((status.out.match(/follower/g) ?? []).length, 2, status.out);
    // Each node's endpoints, as cluster up printed them.
    assert.match(status.out, new RegExp(`^n2 .*  127\\.0\\.0\\.1:${base + 1}  http://127\\.0\\.0\\.1:${base + 4}  127\\.0\\.0\\.1:${base + 7}$`, 'm'));
    const json = JSON.parse(pillars(['cluster', 'status', '--data', dir, '--json']).out) as { id: string; reachable: boolean; pid: number; redis: string; http: string; peer: string }[];
    assert.deepEqual(json.map((n) => [n.id, n.reachable]), [['n1', true], ['n2', true], ['n3', true]]);
    assert.deepEqual([json[2].redis, json[2].http, json[2].peer], [`127.0.0.1:${base + 2}`, `http://127.0.0.1:${base + 5}`, `127.0.0.1:${base + 8}`]);
    const pids = json.map((n) => n.pid);
    assert.ok(pids.every((p) => Number.isInteger(p) && alive(p)), `live pids ${pids}`);

    // One node, by the launcher: a real SIGKILL, then a start on its data, then a restart.
    const killed = pillars(['cluster', 'kill', 'n2', '--data', dir]);
    assert.equal(killed.code, 0, killed.err);
    assert.equal(killed.out, `n2 killed (SIGKILL, pid ${pids[1]})\n`);
    assert.equal(alive(pids[1]), false, 'the process is gone');
    assert.match(pillars(['cluster', 'status', '--data', dir]).out, new RegExp(`^n2\\s+-\\s+not running\\s+127\\.0\\.0\\.1:${base + 1}  http://127\\.0\\.0\\.1:${base + 4}  127\\.0\\.0\\.1:${base + 7}$`, 'm'));
    assert.equal(pillars(['cluster', 'kill', 'n2', '--data', dir]).out, 'n2 is not running\n');
    const started = pillars(['cluster', 'start', 'n2', '--data', dir]);
    assert.match(started.out, /^n2 started \(pid \d+\)\n$/);
    const restarted = pillars(['cluster', 'restart', 'n3', '--data', dir]);
    assert.match(restarted.out, new RegExp(`^n3 restarted \\(pid \\d+, was ${pids[2]}\\)\n$`));
    assert.equal(alive(pids[2]), false);
    badInput(['cluster', 'stop', 'n9', '--data', dir], /^no node n9 in this cluster \(n1, n2, n3\)/);
    const deadline2 = Date.now() + 20_000;
    while (pillars(['cluster', 'status', '--data', dir]).code !== 0 && Date.now() < deadline2) await new Promise((r) => setTimeout(r, 200));
    assert.equal(pillars(['cluster', 'status', '--data', dir]).code, 0, 'all three answer again, one leads');
  } finally {
    const exited = new Promise<number | null>((r) => up.once('exit', (code) => r(code)));
    up.kill('SIGTERM');
    assert.equal(await exited, 0);
  }
  assert.match(out, /stopped\n$/);
  const after = pillars(['cluster', 'status', '--data', dir]);
  assert.equal(after.code, 1, 'nobody answers now');
  assert.equal((after.out.match(/not running/g) ?? []).length, 3);
  assert.deepEqual(nodeProcessesOf(dir), [], 'no node process is left');
  badInput(['cluster', 'status', '--data', join(dir, 'nope')], /nope\/cluster\.json: \(top level\): a cluster file written by pillars cluster up \(ENOENT\)/);
  badInput(['cluster', 'kill', 'n1', '--data', dir], /--data: no launcher is running on .* \(start the cluster with pillars cluster up --data /);
});

test('cluster up on a port in use exits 2 naming the node and the port, and starts nothing', async () => {
  const dir = tempDir('pillars-cli-clash-');
  const base = await freePortRun(9);
  const holder = createServer().listen(base + 4, '127.0.0.1');
  await new Promise((r) => holder.once('listening', r));
  try {
    const r = spawnSync(process.execPath, [main, 'cluster', 'up', '--nodes', '3', '--data', dir, '--resp-base', String(base), '--http-base', String(base + 3), '--peer-base', String(base + 6)], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`--http-base: n2's http port 127\\.0\\.0\\.1:${base + 4} is in use`));
    assert.equal(r.stdout, '');
    assert.deepEqual(nodeProcessesOf(dir), []);
  } finally {
    holder.close();
  }
});

test('a Ctrl-C at any moment of cluster up leaves no process behind', { timeout: 90_000 }, async () => {
  for (const afterMs of [0, 150, 400, 900]) {
    const dir = tempDir('pillars-cli-ctrlc-');
    const base = await freePortRun(9);
    const up = spawn(process.execPath, [main, 'cluster', 'up', '--nodes', '3', '--data', dir, '--resp-base', String(base), '--http-base', String(base + 3), '--peer-base', String(base + 6)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    up.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => up.once('exit', (code) => r(code)));
    // Wait until the launcher itself runs (its first output, or the moment), then interrupt it.
    await new Promise((r) => setTimeout(r, afterMs));
    up.kill('SIGINT');
    const code = await exited;
    assert.ok(code === 0 || code === null, `exit ${code} after ${afterMs} ms: ${out}`);
    assert.deepEqual(nodeProcessesOf(dir), [], `no orphan after a Ctrl-C at ${afterMs} ms (${out.split('\n')[0]})`);
  }
});

test('a launcher killed with SIGKILL leaves no node behind: each node stops when its pipe from the launcher closes', { timeout: 60_000 }, async () => {
  const dir = tempDir('pillars-cli-kill9-');
  const base = await freePortRun(9);
  const up = spawn(process.execPath, [main, 'cluster', 'up', '--nodes', '3', '--data', dir, '--resp-base', String(base), '--http-base', String(base + 3), '--peer-base', String(base + 6)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  up.stdout.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => up.once('exit', () => r()));
  const deadline = Date.now() + 30_000;
  while (!/leader: n\d/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const nodes = nodeProcessesOf(dir);
  assert.equal(nodes.length, 3, out);
  up.kill('SIGKILL');
  await exited;
  const gone = Date.now() + 10_000;
  while (nodeProcessesOf(dir).length > 0 && Date.now() < gone) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(nodeProcessesOf(dir), [], 'every node stopped once its launcher was gone');
  // The ports are free for the next cluster up.
  for (let port = base; port < base + 9; port++) {
    const server = createServer();
    await new Promise<void>((ok, fail) => server.once('error', fail).listen(port, '127.0.0.1', ok));
    await new Promise((r) => server.close(r));
  }
});

/** One command on a new connection, its first reply line. */
function redisExchange(port: number, ...args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => socket.write(resp(...args)));
    let text = '';
    socket.setEncoding('utf8').on('data', (d: string) => {
      text += d;
      if (text.endsWith('\r\n')) {
        socket.destroy();
        done(text);
      }
    });
    socket.on('error', fail);
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Processes whose command line names this cluster directory (the node processes of its launcher). */
function nodeProcessesOf(dir: string): number[] {
  const found: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (cmd.includes(`${dir}/n`) && cmd.includes('node\0--id')) found.push(Number(p));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}
