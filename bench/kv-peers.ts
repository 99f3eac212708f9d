/**
 * The anchors of the key-value benchmark (`bench/kv.ts`), started and stopped in the same run as the
 * figures compared with them: one redis-server with `appendfsync always`, and a three-member etcd
 * cluster. Both are started here as our own processes, on free loopback ports, with data in a fresh
 * temporary directory that is removed afterwards; whatever system services Debian's packages may have
 * started on install (redis on 6379, etcd on 2379/2380) are never used nor touched.
 *
 * A missing binary is installed with apt-get when that is possible (root, Debian); otherwise the
 * start functions return `undefined` after a one-line message, and the benchmark skips that anchor.
 * Every process started here is registered, so `stopAllPeers` (Ctrl-C) and the process's `exit`
 * handler can stop whatever is still running.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { Etcd3 } from 'etcd3';
import { ensureDebianPackage } from '../src/testing/debian-packages.js';

const loopback = '127.0.0.1';
/** Ports never handed out: the ones Debian's redis and etcd services listen on if apt started them. */
const reservedPorts = new Set([6379, 2379, 2380]);
const redisStartTimeoutMs = 15_000;
const floorStartTimeoutMs = 15_000;
const etcdStartTimeoutMs = 60_000;
/** Deadline of one readiness probe (a put) against etcd, so a cluster without a leader yet is retried. */
const etcdProbeDeadlineMs = 2_000;
const probeIntervalMs = 100;
/** How long a process is given to exit after SIGTERM (or SHUTDOWN) before SIGKILL. */
const stopTimeoutMs = 10_000;
const redisBenchmarkTimeoutMs = 10 * 60_000;
const logTailLines = 15;

const log = (line: string) => process.stdout.write(`${line}\n`);

/**
 * Where the anchors keep their data: `BENCH_DATA_DIR` if set, else the OS temp directory. Every
 * system in the comparison must write to the same disk, or the fsyncs compared are not the same.
 */
export function benchDataRoot(): string {
  return process.env.BENCH_DATA_DIR || os.tmpdir();
}

// ---------------------------------------------------------------------------------------------
// Ports

/** A port free on 127.0.0.1 right now: listen on port 0, read the port the kernel chose, close. */
export async function findFreePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.unref();
      server.once('error', reject);
      server.listen(0, loopback, () => {
        const address = server.address();
        const chosen = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(chosen));
      });
    });
    if (port > 0 && !reservedPorts.has(port)) return port;
  }
}

/** Distinct free ports (the kernel may hand out a port again once it has been closed). */
async function findFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await findFreePort());
  return [...ports];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: loopback, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Resolves once something accepts TCP connections on 127.0.0.1:`port`; rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await canConnect(port))) {
    if (Date.now() >= deadline) throw new Error(`nothing listening on ${loopback}:${port} after ${timeoutMs} ms`);
    await sleep(probeIntervalMs);
  }
}

function lastLines(text: string, count = logTailLines): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

// ---------------------------------------------------------------------------------------------
// Processes

interface Peer {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
  hasExited: () => boolean;
  logPath: string;
}

/** Peers still running, for `stopAllPeers` and the exit handler. */
const livePeers = new Set<Peer>();
/** Clients still running against the peers (redis-benchmark), killed with them. */
const liveHelpers = new Set<ChildProcess>();
/** Temporary directories still to remove, for the same. */
const liveDirs = new Set<string>();

function removeDir(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch {
    /* best effort: a directory left in the temp dir is not worth failing the benchmark for */
  }
  liveDirs.delete(dir);
}

function makeTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(benchDataRoot(), `pillars-bench-${prefix}-`));
  liveDirs.add(dir);
  return dir;
}

/** The process ids of started peers (one that failed to spawn has none). */
function pidsOf(peers: Peer[]): number[] {
  return peers.flatMap((p) => (p.child.pid === undefined ? [] : [p.child.pid]));
}

/** Starts `command`, its stdout and stderr appended to `logPath`, and registers it. */
function startPeer(name: string, command: string, args: string[], logPath: string): Peer {
  const logFd = fs.openSync(logPath, 'a');
  let exitedFlag = false;
  let child: ChildProcess;
  try {
    child = spawn(command, args, { stdio: ['ignore', logFd, logFd] });
  } finally {
    fs.closeSync(logFd);
  }
  const exited = new Promise<void>((resolve) => {
    const done = () => {
      exitedFlag = true;
      resolve();
    };
    child.once('exit', done);
    child.once('error', (err) => {
      fs.appendFileSync(logPath, `\nspawn ${command}: ${err.message}\n`);
      done();
    });
  });
  const peer: Peer = { name, child, exited, hasExited: () => exitedFlag, logPath };
  livePeers.add(peer);
  void exited.then(() => livePeers.delete(peer));
  return peer;
}

/** Asks `probe` every `probeIntervalMs` until it says yes (true), one of `peers` exits or `timeoutMs` passes (false). */
async function waitUntilReady(peers: Peer[], probe: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!peers.some((p) => p.hasExited()) && Date.now() < deadline) {
    if (await probe()) return true;
    await sleep(probeIntervalMs);
  }
  return false;
}

/** SIGTERM, then SIGKILL if the process has not exited after `stopTimeoutMs`. */
async function stopPeer(peer: Peer): Promise<void> {
  if (peer.hasExited()) return;
  peer.child.kill('SIGTERM');
  const timedOut = await Promise.race([peer.exited.then(() => false), sleep(stopTimeoutMs).then(() => true)]);
  if (timedOut && !peer.hasExited()) {
    log(`${peer.name} did not exit ${stopTimeoutMs} ms after SIGTERM: SIGKILL`);
    peer.child.kill('SIGKILL');
    await peer.exited;
  }
}

function tailOfLog(logPath: string): string {
  try {
    return lastLines(fs.readFileSync(logPath, 'utf8'));
  } catch {
    return '(no log)';
  }
}

/** Stops every process started here and removes their directories (for Ctrl-C and failures). */
export async function stopAllPeers(): Promise<void> {
  for (const helper of liveHelpers) helper.kill('SIGTERM');
  // One at a time, for the etcd members (see startEtcdCluster's stop).
  for (const peer of [...livePeers]) await stopPeer(peer);
  for (const dir of [...liveDirs]) removeDir(dir);
}

// The last resort, when the process exits without having stopped its peers (an uncaught error, or
// process.exit): the exit handler cannot wait, so SIGKILL; a killed store loses nothing we need.
process.on('exit', () => {
  for (const helper of liveHelpers) helper.kill('SIGKILL');
  for (const peer of livePeers) if (!peer.hasExited()) peer.child.kill('SIGKILL');
  for (const dir of [...liveDirs]) removeDir(dir);
});

// ---------------------------------------------------------------------------------------------
// redis-server

export interface RedisOptions {
  appendfsync: 'always' | 'everysec' | 'no';
}

export interface RunningRedis {
  port: number;
  /** The server's processes (for their CPU time: kv.ts). */
  pids: number[];
  stop(): Promise<void>;
}

/** A client that fails at once instead of queueing or reconnecting: for probes and SHUTDOWN. */
function probeClient(port: number): Redis {
  return new Redis({
    host: loopback,
    port,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2_000,
  });
}

async function answersPing(port: number): Promise<boolean> {
  const client = probeClient(port);
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * One redis-server with the append-only file on and `appendfsync` as asked (`always`: the AOF is
 * fsynced before replies to the writes it holds are sent, the same durability as a store that fsyncs
 * before acknowledging), no RDB snapshots, on a free loopback port. Undefined when redis-server is
 * missing and cannot be installed, or does not start.
 */
export async function startRedis(options: RedisOptions): Promise<RunningRedis | undefined> {
  const redisServerPackage = ensureDebianPackage('redis-server', 'redis-server', log);
  if (!redisServerPackage.available) {
    log(`skipping redis-server: ${redisServerPackage.why}`);
    return undefined;
  }
  const port = await findFreePort();
  const dir = makeTempDir('redis');
  const logPath = path.join(dir, 'redis.log');
  const args = ['--port', String(port), '--bind', loopback, '--dir', dir, '--appendonly', 'yes', '--appendfsync', options.appendfsync, '--save', '', '--daemonize', 'no'];
  const peer = startPeer(`redis-server :${port}`, 'redis-server', args, logPath);

  if (!(await waitUntilReady([peer], () => answersPing(port), redisStartTimeoutMs))) {
    const why = peer.hasExited() ? 'exited' : `did not answer PING within ${redisStartTimeoutMs} ms`;
    log(`skipping redis-server: it ${why}; last lines of its log:\n${tailOfLog(logPath)}`);
    await stopPeer(peer);
    removeDir(dir);
    return undefined;
  }

  const stop = async () => {
    if (!peer.hasExited()) {
      // SHUTDOWN NOSAVE: the data is thrown away anyway; the connection drops as the server exits.
      const client = probeClient(port);
      client.on('error', () => {});
      try {
        await client.connect();
        await client.call('SHUTDOWN', 'NOSAVE');
      } catch {
        /* expected: the server closes the connection instead of replying */
      } finally {
        client.disconnect();
      }
      await Promise.race([peer.exited, sleep(stopTimeoutMs)]);
      await stopPeer(peer);
    }
    removeDir(dir);
  };
  return { port, pids: pidsOf([peer]), stop };
}

// ---------------------------------------------------------------------------------------------
// The floor: a bare replicated log in Node.js (kv-floor.ts)

const floorProgram = fileURLToPath(new URL('./kv-floor.js', import.meta.url));

/**
 * The three processes of the floor (kv-floor.ts): two followers, then a leader sending to them, each
 * with its write-ahead file in a fresh directory on free loopback ports. The port is the leader's;
 * undefined, after a message with the end of the logs, if it does not answer PING in time.
 */
export async function startReplicatedLogFloor(): Promise<RunningRedis | undefined> {
  const [leaderPort, ...followerPorts] = await findFreePorts(3);
  const dir = makeTempDir('floor');
  const peers = followerPorts.map((port, i) => startPeer(`floor follower ${i + 1}`, process.execPath, [floorProgram, 'follower', '--port', String(port), '--data', path.join(dir, `f${i + 1}`)], path.join(dir, `f${i + 1}.log`)));
  for (const port of followerPorts) await waitForPort(port, floorStartTimeoutMs).catch(() => {});
  peers.push(startPeer('floor leader', process.execPath, [floorProgram, 'leader', '--port', String(leaderPort), '--data', path.join(dir, 'leader'), '--followers', followerPorts.join(',')], path.join(dir, 'leader.log')));
  const stop = async () => {
    for (const peer of peers) await stopPeer(peer);
    removeDir(dir);
  };
  if (!(await waitUntilReady(peers, () => answersPing(leaderPort), floorStartTimeoutMs))) {
    const tails = peers.map((p) => `--- ${p.name}:\n${tailOfLog(p.logPath)}`).join('\n');
    const dead = peers.filter((p) => p.hasExited()).map((p) => p.name);
    const why = dead.length > 0 ? `${dead.join(', ')} exited` : `its leader did not answer PING within ${floorStartTimeoutMs} ms`;
    log(`skipping the floor: ${why}; last lines of the logs:\n${tails}`);
    await stop();
    return undefined;
  }
  return { port: leaderPort, pids: pidsOf(peers), stop };
}

// ---------------------------------------------------------------------------------------------
// etcd

export interface RunningEtcd {
  /** Client URLs of the members, `http://127.0.0.1:PORT`. */
  endpoints: string[];
  /** The members' processes. */
  pids: number[];
  stop(): Promise<void>;
}

/** One put through a fresh etcd3 client (fresh so no circuit breaker opened by earlier probes is in the way). */
async function putSucceeds(endpoints: string[]): Promise<boolean> {
  const client = new Etcd3({ hosts: endpoints, dialTimeout: etcdProbeDeadlineMs });
  try {
    await client
      .put('pillars-bench-ready')
      .value('1')
      .options({ deadline: Date.now() + etcdProbeDeadlineMs });
    return true;
  } catch {
    return false;
  } finally {
    client.close();
  }
}

/**
 * A `members`-member etcd cluster on loopback, each member with its own data directory and free
 * client and peer ports. Durability: with its defaults, etcd fsyncs its write-ahead log before a
 * member acknowledges an entry to the leader, and a put is acknowledged to the client only once a
 * majority has it on disk: the same durability as our cluster (Raft, fsync before acknowledging).
 * Undefined, after a message with the end of the members' logs, when etcd is missing or does not start.
 */
export async function startEtcdCluster(members = 3): Promise<RunningEtcd | undefined> {
  const etcdPackage = ensureDebianPackage('etcd', 'etcd-server', log);
  if (!etcdPackage.available) {
    log(`skipping etcd: ${etcdPackage.why}`);
    return undefined;
  }
  const ports = await findFreePorts(2 * members);
  const dir = makeTempDir('etcd');
  const token = path.basename(dir);
  const nodes = Array.from({ length: members }, (_, i) => ({
    name: `m${i}`,
    clientUrl: `http://${loopback}:${ports[2 * i]}`,
    peerUrl: `http://${loopback}:${ports[2 * i + 1]}`,
    dataDir: path.join(dir, `m${i}`),
    logPath: path.join(dir, `m${i}.log`),
  }));
  const initialCluster = nodes.map((n) => `${n.name}=${n.peerUrl}`).join(',');
  const peers = nodes.map((n) =>
    startPeer(
      `etcd ${n.name}`,
      'etcd',
      [
        '--name', n.name,
        '--data-dir', n.dataDir,
        '--listen-client-urls', n.clientUrl,
        '--advertise-client-urls', n.clientUrl,
        '--listen-peer-urls', n.peerUrl,
        '--initial-advertise-peer-urls', n.peerUrl,
        '--initial-cluster', initialCluster,
        '--initial-cluster-state', 'new',
        '--initial-cluster-token', token,
        '--logger', 'zap',
        '--log-outputs', 'stderr',
      ],
      n.logPath,
    ),
  );
  const endpoints = nodes.map((n) => n.clientUrl);
  // One member at a time: a leader given SIGTERM hands its leadership to a live peer first, which
  // takes milliseconds, but waits 7 s for a transfer that cannot finish if its peers stop with it.
  const stop = async () => {
    for (const peer of peers) await stopPeer(peer);
    removeDir(dir);
  };

  if (!(await waitUntilReady(peers, () => putSucceeds(endpoints), etcdStartTimeoutMs))) {
    const dead = peers.filter((p) => p.hasExited()).map((p) => p.name);
    const why = dead.length > 0 ? `${dead.join(', ')} exited` : `no put succeeded within ${etcdStartTimeoutMs} ms`;
    const tails = nodes.map((n) => `--- ${n.name}:\n${tailOfLog(n.logPath)}`).join('\n');
    log(`skipping etcd: ${why}; last lines of the members' logs:\n${tails}`);
    await stop();
    return undefined;
  }
  return { endpoints, pids: pidsOf(peers), stop };
}

// ---------------------------------------------------------------------------------------------
// redis-benchmark

export interface RedisBenchmarkOptions {
  /** Comma-separated tests, as `-t` takes them: `set,get`. */
  tests: string;
  requests: number;
  clients: number;
  /** Requests pipelined per connection (`-P`); 1 when absent. */
  pipeline?: number;
  /** Keys drawn at random from this many (`-r`); one single key when absent. */
  keyspace?: number;
  /** Value size in bytes (`-d`); redis-benchmark's default (3) when absent. */
  valueBytes?: number;
}

export interface RedisBenchmarkFigures {
  rps: number;
  p50Ms?: number;
  p99Ms?: number;
}

/** One line of redis-benchmark's CSV: its fields are quoted and never contain commas. */
function parseCsvLine(line: string): string[] {
  return line.split(',').map((field) => field.trim().replace(/^"(.*)"$/, '$1'));
}

/**
 * Parses `redis-benchmark --csv`. Redis 7 prints a header
 * (`"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"`)
 * and a quoted row per test; older versions print `"SET","12345.67"` rows with no header.
 */
export function parseRedisBenchmarkCsv(output: string): Record<string, RedisBenchmarkFigures> {
  const figures: Record<string, RedisBenchmarkFigures> = {};
  let columns = ['test', 'rps'];
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line.startsWith('"')) continue;
    const fields = parseCsvLine(line);
    if (fields[0] === 'test') {
      columns = fields;
      continue;
    }
    const at = (column: string): number | undefined => {
      const i = columns.indexOf(column);
      const v = i >= 0 ? Number(fields[i]) : NaN;
      return Number.isFinite(v) ? v : undefined;
    };
    const rps = at('rps');
    if (rps === undefined) continue;
    const row: RedisBenchmarkFigures = { rps };
    const p50 = at('p50_latency_ms');
    const p99 = at('p99_latency_ms');
    if (p50 !== undefined) row.p50Ms = p50;
    if (p99 !== undefined) row.p99Ms = p99;
    figures[fields[0]] = row;
  }
  return figures;
}

/**
 * Runs `redis-benchmark -q --csv` against 127.0.0.1:`port`: the C client's view of the same server,
 * which says how much of a Node figure is the Node client. Figures per test, keyed as redis-benchmark
 * names them (`SET`, `GET`); undefined, with a message, when redis-benchmark is missing or fails.
 */
export async function redisBenchmark(port: number, options: RedisBenchmarkOptions): Promise<Record<string, RedisBenchmarkFigures> | undefined> {
  const redisBenchmarkToolPackage = ensureDebianPackage('redis-benchmark', 'redis-tools', log);
  if (!redisBenchmarkToolPackage.available) {
    log(`skipping redis-benchmark: ${redisBenchmarkToolPackage.why}`);
    return undefined;
  }
  const args = ['-h', loopback, '-p', String(port), '-t', options.tests, '-n', String(options.requests), '-c', String(options.clients), '-q', '--csv'];
  if (options.pipeline !== undefined) args.push('-P', String(options.pipeline));
  if (options.keyspace !== undefined) args.push('-r', String(options.keyspace));
  if (options.valueBytes !== undefined) args.push('-d', String(options.valueBytes));
  const result = await new Promise<{ stdout: string; error?: Error }>((resolve) => {
    const helper = execFile('redis-benchmark', args, { timeout: redisBenchmarkTimeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      liveHelpers.delete(helper);
      resolve({ stdout: `${stdout}`, error: error ? new Error(`${error.message.split('\n')[0]} ${lastLines(`${stderr}`, 3)}`) : undefined });
    });
    liveHelpers.add(helper);
  });
  if (result.error) {
    log(`redis-benchmark failed: ${result.error.message}`);
    return undefined;
  }
  const figures = parseRedisBenchmarkCsv(result.stdout);
  if (Object.keys(figures).length === 0) {
    log(`redis-benchmark printed nothing parsable: ${lastLines(result.stdout, 3)}`);
    return undefined;
  }
  return figures;
}
