/**
 * `npm run bench:kv`: puts per second and latency of a replicated key-value store under the same Node
 * client load, against three anchors measured in the same run: a single redis-server with
 * `appendfsync always` (durable, not replicated: the ceiling of one fsyncing process), a three-member
 * etcd cluster (durable and replicated through Raft, like ours), and the floor (kv-floor.ts: a bare
 * three-process replicated log in Node, our durability and nothing else, the bound of any program of
 * our shape on the machine). Our cluster plugs in as the first target through
 * `runKvBench([factory])`; run directly, this benchmarks the anchors alone. The throughput goals are
 * printed level by level for our cluster and for the floor (`printGoals`), and so is the CPU time
 * the servers of each system spend per put, read from /proc (`printCpuPerPut`).
 *
 * Every target is started before any load, and each is first primed: `BENCH_PRIME_SECONDS` (default
 * 3; 0 for none) of puts at 64 in flight, not measured, so that a server whose code compiles as it
 * runs (ours: V8's JIT) is measured warm, as a long-running server is; without it, the first level (1
 * in flight) measured our cluster's code half-compiled. Then, for each level of 1, 16, 64 and 256
 * puts in flight, `BENCH_ROUNDS` (default 3) rounds, a round being one closed-loop run
 * (`bench/load.ts`) of every target in turn, `BENCH_SECONDS` (default 4) measured after
 * `BENCH_WARMUP_SECONDS` (default 1) of warm-up; the table shows each target's median round, and the
 * ops/s of every round. Keys `key:<0..99999>` at random, 100-byte values. One target runs at a time
 * (the others idle, a few per cent of a core each), and only once the machine is quiet (its cores
 * less than 10% busy over a quarter second): what the last target does in the background after its
 * run (Redis's AOF rewrite, etcd's and our snapshots, the kernel writing back dirty pages) must not
 * land on the next one's. Interleaving the rounds puts a slow minute of the VM on every target
 * alike: run one after another, one target's figures moved by half against another's between two
 * runs of the benchmark. Then redis-benchmark (the C client) runs
 * against the redis anchor and our cluster, to show how much of the Node figures is the Node client.
 *
 * Client setup, the same for every target: one connection (ioredis) or one client (etcd3, with its own
 * HTTP/2 connections) per `inFlightPerConnection` = 16 loops, loop i on connection floor(i / 16). Both
 * clients keep many requests outstanding on one connection (ioredis writes each command at once
 * without waiting for earlier replies; gRPC multiplexes streams), so one connection is what an
 * application would open, and it would add connections only as concurrency grows; 16 per connection
 * keeps any single socket or server-side connection handler from being the limit at 256 in flight
 * without giving 256 connections to a server that does not need them. Measured on the 2-core machine
 * this was written on: one connection for all loops and one per 16 gave the same figures within the
 * run-to-run noise, for both clients; one per loop cut redis' puts/s at 256 in flight about five-fold
 * (256 sockets for one Node thread to service); ioredis' `enableAutoPipelining` lowered it too, so
 * ioredis keeps its defaults.
 *
 * The client and the servers share the machine's cores, as they will for our cluster: the figures
 * compare systems under the same conditions, not absolute capacities. Figures vary by tens of per cent
 * from run to run on a small VM; compare targets within one run.
 *
 * Last line: `ratio <x> <first target> puts/s at 64 in flight vs redis-server appendfsync always`
 * (etcd vs redis when no target of ours is given).
 */
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { Etcd3 } from 'etcd3';
import { runClosedLoop, type ClosedLoopResult } from './load.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startRedis, startEtcdCluster, startReplicatedLogFloor, redisBenchmark, stopAllPeers, benchDataRoot } from './kv-peers.js';
import { LocalCluster } from '../src/node/launcher.js';
import { freePortRun } from '../src/testing/free-ports.js';

/** A system under test, as the benchmark drives it. */
export interface Target {
  /** Shown in the table and the ratios. */
  name: string;
  /** One durable put; resolves once the system has acknowledged it. `loop` is the closed loop issuing it (0-based). */
  put(key: string, value: string, loop?: number): Promise<unknown>;
  /** The server processes whose CPU time is counted per put (all of the system's; none: not counted). */
  pids?: number[];
  /** Runs after the load, before `close` (redis-benchmark against the redis anchor, for one). */
  afterLoad?(): Promise<void>;
  /** Closes the clients and stops every process the factory started; also called on Ctrl-C. */
  close(): Promise<void>;
}

/** Starts a system and returns its target; undefined (after printing why) to skip it. */
export type TargetFactory = () => Promise<Target | undefined>;

export const inFlightLevels = [1, 16, 64, 256];
/** Loops per client connection (see the header). */
export const inFlightPerConnection = 16;
/** The in-flight level of the last line. */
const headlineInFlight = 64;
const defaultMeasureSeconds = 4;
const defaultWarmupSeconds = 1;
const defaultPrimeSeconds = 3;
const defaultRounds = 3;
/** The in-flight level of the priming run. */
const primeInFlight = 64;
const keyspace = 100_000;
const valueBytes = 100;
/** How long `close` of a target may take on Ctrl-C before the process exits anyway. */
const interruptCloseTimeoutMs = 15_000;
const redisAnchorName = 'redis-server appendfsync always';
const etcdAnchorName = 'etcd 3-member';
const floorName = 'floor: bare log in Node';
const pillarsDefaultName = 'pillars 3-node';
const redisBenchmarkRequests = 100_000;
const redisBenchmarkClients = 50;

const print = (line = '') => process.stdout.write(`${line}\n`);

function secondsFromEnv(name: string, fallback: number, zeroAllowed = false): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0 || (seconds === 0 && !zeroAllowed)) throw new Error(`${name} must be a ${zeroAllowed ? 'non-negative' : 'positive'} number of seconds, got "${raw}"`);
  return seconds;
}

function countFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number of at least 1, got "${raw}"`);
  return n;
}

/** The run's settings, from the environment (see `usage`); throws naming the variable on a bad value. */
function settingsFromEnv(): { durationMs: number; warmupMs: number; primeMs: number; rounds: number } {
  return {
    durationMs: secondsFromEnv('BENCH_SECONDS', defaultMeasureSeconds) * 1000,
    warmupMs: secondsFromEnv('BENCH_WARMUP_SECONDS', defaultWarmupSeconds) * 1000,
    primeMs: secondsFromEnv('BENCH_PRIME_SECONDS', defaultPrimeSeconds, true) * 1000,
    rounds: countFromEnv('BENCH_ROUNDS', defaultRounds),
  };
}

/** Printable 100-byte value: the same for every put, so every system stores the same bytes. */
export const value = Array.from({ length: valueBytes }, (_, i) => 'abcdefghijklmnopqrstuvwxyz0123456789'[(i * 7 + 3) % 36]).join('');
export const randomKey = () => `key:${Math.floor(Math.random() * keyspace)}`;

/**
 * Connections opened on demand, loop i on connection floor(i / inFlightPerConnection): the first
 * level's connection serves the next levels too, and a level only adds what it needs.
 */
function connectionsPerLoop<C>(open: (index: number) => C): { get(loop: number | undefined): C; all(): C[] } {
  const connections: C[] = [];
  return {
    get(loop) {
      const index = Math.floor((loop ?? 0) / inFlightPerConnection);
      while (connections.length <= index) connections.push(open(connections.length));
      return connections[index];
    },
    all: () => connections,
  };
}

/**
 * A target speaking the Redis protocol (SET key value) with ioredis, default options apart from the
 * error listener: for the redis anchor, and for any store with a Redis-protocol client port. With
 * several endpoints, connection k goes to endpoint k mod n.
 */
export function redisProtocolTarget(name: string, endpoints: Array<{ host: string; port: number }>, stopServers: () => Promise<void>, afterLoad?: () => Promise<void>, pids?: number[]): Target {
  let lastError: string | undefined;
  const pool = connectionsPerLoop((index) => {
    const { host, port } = endpoints[index % endpoints.length];
    const client = new Redis({ host, port });
    // Without a listener ioredis prints every connection error; the failed puts are counted instead.
    client.on('error', (err: Error) => {
      lastError = err.message;
    });
    return client;
  });
  return {
    name,
    put: (key, v, loop) => pool.get(loop).set(key, v),
    pids,
    afterLoad,
    async close() {
      for (const client of pool.all()) client.disconnect();
      if (lastError !== undefined) print(`${name}: last connection error: ${lastError}`);
      await stopServers();
    },
  };
}

/** The redis anchor: one redis-server, AOF fsynced before replying, then redis-benchmark against it. */
export const redisAnchor: TargetFactory = async () => {
  const redis = await startRedis({ appendfsync: 'always' });
  if (!redis) return undefined;
  const afterLoad = async () => {
    const figures = await redisBenchmark(redis.port, { tests: 'set,get', requests: redisBenchmarkRequests, clients: redisBenchmarkClients, keyspace, valueBytes });
    if (!figures) return;
    print(`redis-benchmark against ${redisAnchorName} (C client, -n ${redisBenchmarkRequests} -c ${redisBenchmarkClients} -r ${keyspace} -d ${valueBytes}):`);
    for (const [test, f] of Object.entries(figures)) {
      print(`  ${test.padEnd(4)} ${fmtRate(f.rps).padStart(9)} ops/s  p50 ${fmtMs(f.p50Ms).padStart(6)} ms  p99 ${fmtMs(f.p99Ms).padStart(6)} ms`);
    }
  };
  return redisProtocolTarget(redisAnchorName, [{ host: '127.0.0.1', port: redis.port }], redis.stop, afterLoad, redis.pids);
};

/**
 * The floor (kv-floor.ts): a bare three-process replicated log in Node.js with our durability (a
 * majority fsynced before the answer) and nothing else, driven by the same client. Not a system to
 * beat but a bound: a figure above the floor's is out of reach of any program of this shape in Node on
 * this machine.
 */
export const floorAnchor: TargetFactory = async () => {
  const floor = await startReplicatedLogFloor();
  if (!floor) return undefined;
  return redisProtocolTarget(floorName, [{ host: '127.0.0.1', port: floor.port }], floor.stop, undefined, floor.pids);
};

/**
 * The etcd anchor: three members; puts through etcd3 with its default options (each call to a random
 * member, followers forwarding to the leader; retries and per-member circuit breakers on), one
 * client per 16 loops, each with its own HTTP/2 connections (grpc-js would otherwise share one
 * connection per member among all clients of the process).
 */
export const etcdAnchor: TargetFactory = async () => {
  const etcd = await startEtcdCluster(3);
  if (!etcd) return undefined;
  const pool = connectionsPerLoop(() => new Etcd3({ hosts: etcd.endpoints, grpcOptions: { 'grpc.use_local_subchannel_pool': 1 } }));
  return {
    name: etcdAnchorName,
    put: (key, v, loop) => pool.get(loop).put(key).value(v).exec(),
    pids: etcd.pids,
    async close() {
      for (const client of pool.all()) client.close();
      await etcd.stop();
    },
  };
};

interface Row {
  target: string;
  inFlight: number;
  /** The median run of the rounds. */
  result: ClosedLoopResult;
  /** ops/s of every round, in the order they ran. */
  spread: number[];
  /** CPU time of the target's server processes per put, in µs, over all its rounds (undefined: not counted). */
  cpuUsPerPut: number | undefined;
}

function fmtRate(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '-' : Math.round(x).toLocaleString('en-US');
}
function fmtMs(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '-' : x < 10 ? x.toFixed(2) : x.toFixed(1);
}
function fmtUs(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(0);
}
function fmtRatio(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(3) : '-';
}

function printTable(rows: Row[]): void {
  const header = ['target', 'in flight', 'ops/s', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'server CPU µs/put', 'ops/s of each round'];
  const cells = rows.map((r) => [r.target, String(r.inFlight), fmtRate(r.result.opsPerSec), fmtMs(r.result.p50Ms), fmtMs(r.result.p99Ms), fmtMs(r.result.maxMs), String(r.result.errors), fmtUs(r.cpuUsPerPut), r.spread.map(fmtRate).join(' ')]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ');
  print(line(header));
  for (const c of cells) print(line(c));
}

/** Ratios of `subject` to `anchor` at each level: ops/s (higher is better for the subject) and p99 (lower is). */
function printRatios(rows: Row[], subject: string, anchor: string): void {
  print(`${subject} / ${anchor}:`);
  print(`  ${'in flight'.padStart(9)}  ${'ops/s'.padStart(7)}  ${'p99'.padStart(7)}`);
  for (const inFlight of inFlightLevels) {
    const ours = rows.find((r) => r.target === subject && r.inFlight === inFlight);
    const theirs = rows.find((r) => r.target === anchor && r.inFlight === inFlight);
    if (!ours || !theirs) continue;
    print(`  ${String(inFlight).padStart(9)}  ${fmtRatio(ours.result.opsPerSec / theirs.result.opsPerSec).padStart(7)}  ${fmtRatio(ours.result.p99Ms / theirs.result.p99Ms).padStart(7)}`);
  }
}

/** Throughput goals of our cluster: at least `min` times the anchor's puts/s, at every level. */
const throughputGoals = [
  { anchor: etcdAnchorName, min: 3 },
  { anchor: redisAnchorName, min: 0.5 },
];

/**
 * The throughput goals, level by level: the subject's ratio, and the floor's (the same ratio for a
 * bare replicated log in Node), so that a goal the floor itself misses reads as out of reach of this
 * design on this machine rather than as a shortfall of the subject's code.
 */
function printGoals(rows: Row[], subjects: readonly string[]): void {
  const at = (target: string, inFlight: number) => rows.find((r) => r.target === target && r.inFlight === inFlight)?.result.opsPerSec;
  const ratioAt = (target: string, anchor: string, inFlight: number) => {
    const a = at(target, inFlight);
    const b = at(anchor, inFlight);
    return a === undefined || b === undefined ? undefined : a / b;
  };
  const lines: string[][] = [['puts/s as a ratio', 'goal', ...inFlightLevels.map((n) => `${n} in flight`)]];
  for (const { anchor, min } of throughputGoals) {
    for (const who of [...subjects, floorName]) {
      if (who === anchor || at(who, inFlightLevels[0]) === undefined || at(anchor, inFlightLevels[0]) === undefined) continue;
      const cells = inFlightLevels.map((n) => {
        const r = ratioAt(who, anchor, n);
        return r === undefined ? '-' : `${fmtRatio(r)} ${r >= min ? 'met' : 'not met'}`;
      });
      lines.push([`${who} / ${anchor}`, `>= ${min}`, ...cells]);
    }
  }
  if (lines.length === 1) return;
  for (const subject of subjects) {
    if (subject !== floorName && at(floorName, inFlightLevels[0]) !== undefined) lines.push([`${subject} / ${floorName}`, '', ...inFlightLevels.map((n) => fmtRatio(ratioAt(subject, floorName, n) ?? NaN))]);
  }
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  print('throughput goals:');
  for (const l of lines) print(`  ${l.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')}`);
}

/**
 * CPU time of the servers per put, level by level: the subject's next to the floor's (the least a
 * program of this shape spends), and their ratio. All of a system's server processes, summed over
 * its rounds of the level, warm-up and drain included; the client's CPU is not counted.
 */
function printCpuPerPut(rows: Row[], subjects: readonly string[]): void {
  const at = (target: string, inFlight: number) => rows.find((r) => r.target === target && r.inFlight === inFlight)?.cpuUsPerPut;
  const lines: string[][] = [['server CPU µs per put', ...inFlightLevels.map((n) => `${n} in flight`)]];
  const whos = [...subjects, floorName, redisAnchorName, etcdAnchorName].filter((who, i, all) => all.indexOf(who) === i && inFlightLevels.some((n) => at(who, n) !== undefined));
  for (const who of whos) lines.push([who, ...inFlightLevels.map((n) => fmtUs(at(who, n)))]);
  for (const subject of subjects) {
    if (subject !== floorName && whos.includes(subject) && whos.includes(floorName)) lines.push([`${subject} / ${floorName}`, ...inFlightLevels.map((n) => fmtRatio((at(subject, n) ?? NaN) / (at(floorName, n) ?? NaN)))]);
  }
  if (lines.length === 1) return;
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  print('server CPU per put (every server process of the system, its rounds of the level, warm-up included; the client not counted):');
  for (const l of lines) print(`  ${l.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')}`);
}

/** Targets open right now, closed on Ctrl-C. */
const openTargets = new Set<Target>();
let interrupted = false;

/** Closes a target once, however many times it is asked (the run and Ctrl-C may both ask). */
const closing = new WeakMap<Target, Promise<void>>();
function closeOnce(target: Target): Promise<void> {
  let done = closing.get(target);
  if (!done) {
    done = target.close();
    closing.set(target, done);
  }
  return done;
}

async function closeWithin(target: Target, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closeOnce(target).catch(() => {}), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}

/** Closes the open targets, stops whatever peer is left, exits with `code`; only the first call counts. */
let shuttingDown = false;
function shutdown(code: number): void {
  if (shuttingDown) return;
  shuttingDown = true;
  void Promise.all([...openTargets].map((t) => closeWithin(t, interruptCloseTimeoutMs)))
    .then(() => stopAllPeers())
    .finally(() => process.exit(code));
}

function onInterrupt(signal: NodeJS.Signals): void {
  if (interrupted) process.exit(130); // a second Ctrl-C: the exit handler of kv-peers SIGKILLs what is left
  interrupted = true;
  print(`\n${signal}: stopping the servers`);
  shutdown(130);
}

/** The machine counts as quiet when its cores were busy less than this fraction of a sampling interval. */
const quietBusyFractionMax = 0.1;
const quietSampleMs = 250;
/** Waiting for quiet gives up after this; the run then goes ahead and says so. */
const quietWaitMsMax = 15_000;

/** Busy and total CPU time of the whole machine so far (jiffies), from /proc/stat; undefined where there is none. */
function cpuTimes(): { busy: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    // idle and iowait are not busy
    return { busy: total - fields[3] - (fields[4] ?? 0), total };
  } catch {
    return undefined;
  }
}

/**
 * Waits until the machine is quiet: what a target did in the background after its run (Redis's
 * AOF rewrite in a forked child, etcd's and our snapshots, the kernel writing back dirty pages) must
 * not land on the next target's run. False when it gave up waiting; true where there is no /proc/stat.
 */
async function settle(): Promise<boolean> {
  const startedMs = Date.now();
  let before = cpuTimes();
  if (before === undefined) return true;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, quietSampleMs));
    const after = cpuTimes()!;
    const busy = (after.busy - before.busy) / Math.max(1, after.total - before.total);
    before = after;
    if (busy < quietBusyFractionMax) return true;
    if (Date.now() - startedMs > quietWaitMsMax) return false;
  }
}

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks (100 on every Linux ABI). */
const clockTicksPerSecond = 100;

/** CPU time (user and system) the processes have used so far, in µs; undefined where /proc cannot tell (no Linux, a process gone). */
export function processesCpuUs(pids: number[] | undefined): number | undefined {
  if (pids === undefined || pids.length === 0) return undefined;
  let ticks = 0;
  try {
    for (const pid of pids) {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name may hold spaces: fields are counted from after its closing parenthesis (field 3 on).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime and stime, fields 14 and 15
    }
  } catch {
    return undefined;
  }
  return (ticks * 1e6) / clockTicksPerSecond;
}

/** The run of a (target, level) whose ops/s is the median of its rounds (the lower middle for an even count). */
function medianRun(results: ClosedLoopResult[]): ClosedLoopResult {
  const sorted = [...results].sort((a, b) => a.opsPerSec - b.opsPerSec);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/**
 * Runs the benchmark: starts `extraTargets` (ours) and the redis and etcd anchors, all of them
 * before any load; primes each; then for each level runs `BENCH_ROUNDS` rounds, a round being one
 * run of every target in turn (the order rotating from round to round). Interleaved this way, a slow
 * minute of the machine (another VM on the host, a disk slower for a while) falls on every target
 * alike instead of on whichever ran then. Prints the table of median runs,
 * the ratios of the first target to each anchor, and the `ratio` line; then runs each target's
 * `afterLoad` and closes them all.
 */
export async function runKvBench(extraTargets: TargetFactory[] = []): Promise<void> {
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  const { durationMs, warmupMs, primeMs, rounds } = settingsFromEnv();
  const factories: Array<{ factory: TargetFactory; anchor: boolean }> = [
    ...extraTargets.map((factory) => ({ factory, anchor: false })),
    { factory: redisAnchor, anchor: true },
    { factory: etcdAnchor, anchor: true },
    { factory: floorAnchor, anchor: true },
  ];
  print(`puts of ${valueBytes}-byte values to ${keyspace.toLocaleString('en-US')} random keys, closed loop at ${inFlightLevels.join(', ')} in flight, ${durationMs / 1000} s each after ${warmupMs / 1000} s warm-up; ${inFlightPerConnection} in flight per client connection; every target started first and primed with ${primeMs / 1000} s at ${primeInFlight} in flight; ${rounds} interleaved round(s) per level, the median reported`);

  const started: Array<{ target: Target; anchor: boolean }> = [];
  try {
    for (const { factory, anchor } of factories) {
      if (interrupted) return;
      const target = await factory();
      if (!target) continue;
      openTargets.add(target);
      started.push({ target, anchor });
    }
    if (started.length === 0) throw new Error('no target could be started');
    for (const { target } of started) {
      if (primeMs <= 0 || interrupted) break;
      const primed = await runClosedLoop({ inFlight: primeInFlight, durationMs: primeMs, warmupMs: 0, op: (_seq, loop) => target.put(randomKey(), value, loop) });
      print(`  ${target.name}, primed: ${fmtRate(primed.opsPerSec)} ops/s at ${primeInFlight} in flight (not measured)`);
    }

    const rows: Row[] = [];
    for (const inFlight of inFlightLevels) {
      const runs = new Map<string, ClosedLoopResult[]>(started.map(({ target }) => [target.name, []]));
      // Server CPU time and puts of every round of the level (a round's CPU covers its warm-up and drain too).
      const cpu = new Map<string, { us: number; puts: number } | undefined>(started.map(({ target }) => [target.name, { us: 0, puts: 0 }]));
      for (let round = 0; round < rounds; round++) {
        for (let k = 0; k < started.length; k++) {
          const { target } = started[(round + k) % started.length];
          if (!(await settle())) print(`  (the machine did not quieten within ${quietWaitMsMax / 1000} s; running anyway)`);
          const cpuBefore = processesCpuUs(target.pids);
          const result = await runClosedLoop({ inFlight, durationMs, warmupMs, op: (_seq, loop) => target.put(randomKey(), value, loop) });
          const cpuAfter = processesCpuUs(target.pids);
          if (interrupted) return;
          runs.get(target.name)!.push(result);
          const counted = cpu.get(target.name);
          if (counted === undefined || cpuBefore === undefined || cpuAfter === undefined) cpu.set(target.name, undefined);
          else {
            counted.us += cpuAfter - cpuBefore;
            counted.puts += result.completedAll;
          }
          print(`  ${target.name}, ${inFlight} in flight, round ${round + 1}/${rounds}: ${fmtRate(result.opsPerSec)} ops/s, p99 ${fmtMs(result.p99Ms)} ms${result.errors ? `, ${result.errors} errors` : ''}`);
        }
      }
      for (const { target } of started) {
        const counted = cpu.get(target.name);
        const cpuUsPerPut = counted === undefined || counted.puts === 0 ? undefined : counted.us / counted.puts;
        rows.push({ target: target.name, inFlight, result: medianRun(runs.get(target.name)!), spread: runs.get(target.name)!.map((r) => r.opsPerSec), cpuUsPerPut });
      }
    }

    print();
    printTable(rows);
    // The subjects are the targets of ours (the first gives the last line), or with none the etcd anchor.
    const ran = started.map(({ target, anchor }) => ({ name: target.name, anchor }));
    const ours = ran.filter((t) => !t.anchor);
    const subject = ours[0] ?? ran.find((t) => t.name === etcdAnchorName);
    if (!subject) throw new Error('cannot print a ratio: no target of ours, and the etcd anchor did not run');
    const subjects = ours.length > 0 ? ours.map((t) => t.name) : [subject.name];
    const anchors = ran.filter((t) => t.anchor && t.name !== subject.name);
    if (anchors.length === 0) throw new Error(`cannot print a ratio: no anchor to compare ${subject.name} with ran`);
    for (const who of subjects) {
      for (const anchor of anchors) {
        print();
        printRatios(rows, who, anchor.name);
      }
    }
    const names = new Set(ran.map((t) => t.name));
    for (const anchor of [redisAnchorName, etcdAnchorName]) {
      if (subject.name === floorName || !names.has(floorName) || !names.has(anchor)) continue;
      print();
      printRatios(rows, floorName, anchor);
    }
    print();
    printGoals(rows, subjects);
    print();
    printCpuPerPut(rows, subjects);
    for (const { target } of started) {
      if (interrupted) return;
      await target.afterLoad?.();
    }
    const headlineAnchor = anchors.find((a) => a.name === redisAnchorName) ?? anchors[0];
    const at = (name: string) => rows.find((r) => r.target === name && r.inFlight === headlineInFlight)!.result.opsPerSec;
    print();
    print(`ratio ${fmtRatio(at(subject.name) / at(headlineAnchor.name))} ${subject.name} puts/s at ${headlineInFlight} in flight vs ${headlineAnchor.name}`);
  } finally {
    // On Ctrl-C the signal handler closes what is open and exits.
    if (!interrupted) {
      for (const { target } of started) {
        await closeOnce(target);
        openTargets.delete(target);
      }
    }
  }
}

const usage = `usage: npm run bench:kv   (node dist/bench/kv.js [--help])

Puts of ${valueBytes}-byte values to ${keyspace.toLocaleString('en-US')} random keys at ${inFlightLevels.join(', ')} in flight against our 3-node cluster
twice (as pillars node runs by default, and with --recovery refuse: no durable mark, so one fsync
per write where the default makes two), redis-server with appendfsync always, a 3-member etcd and
the floor (a bare replicated log in Node), all in the same run; prints a table, the ratios, the
throughput goals, the servers' CPU time per put (each system's, the floor's beside ours) and a last
line \`ratio <x> ... vs redis-server appendfsync always\`. Installs Debian's redis-server, redis-tools and
etcd-server when missing and possible; skips an anchor it cannot start, with a message.

Environment (seconds unless said):
  BENCH_SECONDS          measured time of each run (default ${defaultMeasureSeconds})
  BENCH_WARMUP_SECONDS   warm-up before each run (default ${defaultWarmupSeconds})
  BENCH_PRIME_SECONDS    priming of every target at ${primeInFlight} in flight before any run; 0 for none (default ${defaultPrimeSeconds})
  BENCH_ROUNDS           interleaved rounds per level, the median reported (count, default ${defaultRounds})
  BENCH_DATA_DIR         where every system keeps its data (default: the OS temp directory)
`;

/** Runs `runKvBench(extraTargets)` as a program: one line and exit code 1 on failure (2 on bad arguments or settings), never a stack trace. */
export async function mainKvBench(extraTargets: TargetFactory[] = []): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    print(usage.trimEnd());
    return;
  }
  if (args.length > 0) {
    process.stderr.write(`bench:kv: unknown argument ${JSON.stringify(args[0])} (expected none, or --help; settings come from the environment, see --help)\n`);
    process.exit(2);
  }
  try {
    settingsFromEnv();
  } catch (err) {
    process.stderr.write(`bench:kv: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const fail = (err: unknown) => {
    if (shuttingDown) return;
    print(`bench:kv failed: ${err instanceof Error ? err.message : String(err)}`);
    shutdown(1);
  };
  process.on('unhandledRejection', fail);
  try {
    await runKvBench(extraTargets);
  } catch (err) {
    fail(err);
    return;
  }
  if (!interrupted) process.exit(0); // gRPC and ioredis may keep timers alive for a while after close
}

/**
 * Ours: a three-node cluster of `pillars node` processes (src/node/launcher.ts) with its data under
 * the same root as the anchors', every put fsynced on a majority before it is acknowledged. The
 * clients connect to the leader, as they would to a Redis primary (a follower would forward each
 * command to it: one more hop and a follower's CPU). Then redis-benchmark against the same leader.
 */
export const pillarsCluster: TargetFactory = () => pillarsClusterWith();

/**
 * Our cluster with `--recovery refuse`: a node that finds its log damaged beyond a torn tail exits,
 * as etcd's does, so it keeps no record of what its log held, and a write costs one fsync per node
 * instead of two. The durability of an acknowledged write is the same; what is given up is coming
 * back by itself from a damaged disk.
 */
export const pillarsClusterRefusing: TargetFactory = () => pillarsClusterWith([], ['--recovery', 'refuse']);

/**
 * Our cluster, its node processes started with `execArgv` (`--cpu-prof` to profile them under the
 * load) and `pillars node` given `nodeArgs` too.
 */
export const pillarsClusterWith = async (execArgv: string[] = [], nodeArgs: string[] = []): Promise<Target | undefined> => {
  const pillarsName = nodeArgs.length === 0 ? pillarsDefaultName : `${pillarsDefaultName}, ${nodeArgs.join(' ').replace(/^--/, '')}`;
  const base = await freePortRun(9);
  const dataDir = mkdtempSync(join(benchDataRoot(), 'pillars-bench-'));
  const cluster = new LocalCluster({ nodes: 3, dataDir, respBase: base, httpBase: base + 3, peerBase: base + 6, execArgv, nodeArgs });
  cluster.startAll();
  const stop = async () => {
    await cluster.stopAll();
    rmSync(dataDir, { recursive: true, force: true });
  };
  let leader: string;
  try {
    leader = await cluster.waitForLeader(20_000);
  } catch (err) {
    await stop();
    throw err;
  }
  const port = cluster.node(leader).resp;
  print(`${pillarsName}: leader ${leader} on port ${port}`);
  const afterLoad = async () => {
    const figures = await redisBenchmark(port, { tests: 'set,get', requests: redisBenchmarkRequests, clients: redisBenchmarkClients, keyspace, valueBytes });
    if (!figures) return;
    print(`redis-benchmark against ${pillarsName} (C client, -n ${redisBenchmarkRequests} -c ${redisBenchmarkClients} -r ${keyspace} -d ${valueBytes}):`);
    for (const [test, f] of Object.entries(figures)) print(`  ${test.padEnd(4)} ${fmtRate(f.rps).padStart(9)} ops/s  p50 ${fmtMs(f.p50Ms).padStart(6)} ms  p99 ${fmtMs(f.p99Ms).padStart(6)} ms`);
  };
  const pids = cluster.nodes.flatMap((n) => (n.process?.pid === undefined ? [] : [n.process.pid]));
  return redisProtocolTarget(pillarsName, [{ host: '127.0.0.1', port }], stop, afterLoad, pids);
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await mainKvBench([pillarsCluster, pillarsClusterRefusing]);
}
