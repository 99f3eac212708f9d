/**
 * `node dist/bench/kv-quick.js`: a short look at our 3-node cluster alone, for work on its write
 * path (the usage below says what it prints and its settings).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { runClosedLoop } from './load.js';
import { benchDataRoot } from './kv-peers.js';
import { inFlightPerConnection, processesCpuUs, randomKey, value } from './kv.js';
import { LocalCluster } from '../src/node/launcher.js';
import { freePortRun } from '../src/testing/free-ports.js';

const defaultSeconds = 10;
const defaultPrimeSeconds = 3;
const warmupMs = 1_000;
const primeInFlight = 64;
const leaderTimeoutMs = 20_000;

const print = (line = '') => process.stdout.write(`${line}\n`);

const usage = `usage: node dist/bench/kv-quick.js [--help]

A short look at our 3-node cluster alone, for work on its write path: puts/s and the CPU time of the
node processes per put (the leader's and the followers' apart) at a few in-flight levels, in well
under a minute, with each node's log fsyncs and the entries they carried. The same client, keys and
values as bench/kv.ts (which compares with the anchors and takes minutes); no anchors here, so its
figures only compare with themselves, run after run on the same machine.

Environment:
  QUICK_SECONDS        measured seconds per level (default ${defaultSeconds}), after 1 s of warm-up
  QUICK_LEVELS         in-flight levels, comma-separated (default 1,64)
  QUICK_PRIME_SECONDS  priming at 64 in flight before the first level, not measured (default ${defaultPrimeSeconds})
  QUICK_NODE_ARGS      more \`pillars node\` options, space-separated (e.g. "--recovery refuse")
  QUICK_CPU_PROF       a directory: the nodes run with --cpu-prof into it (profiles written at stop;
                       V8's samples are wall time, so on a busy machine a syscall that wakes another
                       process looks dearer than it is)
  QUICK_EXEC_ARGV      more Node.js options for the nodes, space-separated (e.g. "--perf-basic-prof"
                       for \`perf record -g -p <leader pid>\`, which samples CPU time only)
  QUICK_KEEP_DATA      1: keep the nodes' data directory and logs (n1.log...) and print where
  BENCH_DATA_DIR       where the nodes keep their data (default: the OS temp directory)

One line per level: inflight N  puts/s X  p50 ms  p99 ms  cpu µs/put: all A leader L followers F.`;

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new SettingError(`${name} must be a non-negative number, got "${raw}"`);
  return n;
}

async function main({ seconds, primeSeconds, levels }: ReturnType<typeof settings>): Promise<void> {
  const nodeArgs = (process.env.QUICK_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const profDir = process.env.QUICK_CPU_PROF;
  const execArgv = [...(profDir ? ['--cpu-prof', '--cpu-prof-dir', resolve(profDir)] : []), ...(process.env.QUICK_EXEC_ARGV ?? '').split(' ').filter((a) => a !== '')];
  const base = await freePortRun(9);
  const dataDir = mkdtempSync(join(benchDataRoot(), 'pillars-quick-'));
  const cluster = new LocalCluster({ nodes: 3, dataDir, respBase: base, httpBase: base + 3, peerBase: base + 6, execArgv, nodeArgs });
  cluster.startAll();
  const clients: Redis[] = [];
  try {
    const leader = await cluster.waitForLeader(leaderTimeoutMs);
    const leaderPid = cluster.node(leader).process!.pid!;
    const followerPids = cluster.nodes.flatMap((n) => (n.id === leader || n.process?.pid === undefined ? [] : [n.process.pid]));
    const port = cluster.node(leader).resp;
    print(`leader ${leader} (pid ${leaderPid}) on port ${port}${nodeArgs.length ? `, ${nodeArgs.join(' ')}` : ''}${profDir ? `, profiles in ${profDir}` : ''}`);
    const client = (loop: number) => {
      const index = Math.floor(loop / inFlightPerConnection);
      while (clients.length <= index) {
        const c = new Redis({ host: '127.0.0.1', port });
        c.on('error', () => {});
        clients.push(c);
      }
      return clients[index];
    };
    const op = (_seq: number, loop: number) => client(loop).set(randomKey(), value);
    if (primeSeconds > 0) {
      const primed = await runClosedLoop({ inFlight: primeInFlight, durationMs: primeSeconds * 1000, warmupMs: 0, op });
      print(`primed: ${Math.round(primed.opsPerSec)} puts/s at ${primeInFlight} in flight`);
    }
    // The log's fsyncs of each node so far, and how many of them carried at most one entry (its /metrics).
    const syncs = async () => {
      const out: Array<{ count: number; single: number; entries: number }> = [];
      for (const n of cluster.nodes) {
        const text = await (await fetch(`http://127.0.0.1:${n.http}/metrics`)).text();
        const figure = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
        out.push({ count: figure(/wal_entries_per_sync_count\{[^}]*\} (\S+)/), single: figure(/wal_entries_per_sync_bucket\{le="1",[^}]*\} (\S+)/), entries: figure(/wal_entries_per_sync_sum\{[^}]*\} (\S+)/) });
      }
      return out;
    };
    for (const inFlight of levels) {
      const syncsBefore = await syncs();
      const before = { all: processesCpuUs([leaderPid, ...followerPids])!, leader: processesCpuUs([leaderPid])! };
      const r = await runClosedLoop({ inFlight, durationMs: seconds * 1000, warmupMs, op });
      const all = processesCpuUs([leaderPid, ...followerPids])! - before.all;
      const lead = processesCpuUs([leaderPid])! - before.leader;
      const per = (us: number) => (us / r.completedAll).toFixed(0);
      const syncsAfter = await syncs();
      const syncLine = cluster.nodes.map((n, i) => {
        const count = syncsAfter[i].count - syncsBefore[i].count;
        return `${n.id}${n.id === leader ? '*' : ''} ${count} (${syncsAfter[i].single - syncsBefore[i].single} of 1, ${((syncsAfter[i].entries - syncsBefore[i].entries) / count).toFixed(1)} entries each)`;
      });
      print(`  log fsyncs: ${syncLine.join(', ')}`);
      print(`inflight ${String(inFlight).padStart(3)}  puts/s ${Math.round(r.opsPerSec).toString().padStart(6)}  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  errors ${r.errors}  cpu µs/put: all ${per(all)} leader ${per(lead)} followers ${per((all - lead) / followerPids.length)} each`);
    }
  } finally {
    for (const c of clients) c.disconnect();
    await cluster.stopAll();
    if (process.env.QUICK_KEEP_DATA === '1') print(`data and logs kept in ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A bad setting: exit 2 with one line naming it, not 1 as a failed run. */
class SettingError extends Error {}

/** The settings, checked before a node starts. */
function settings() {
  const levels = (process.env.QUICK_LEVELS ?? '1,64').split(',').map(Number);
  const bad = levels.find((n) => !Number.isInteger(n) || n < 1);
  if (bad !== undefined) throw new SettingError(`QUICK_LEVELS must be positive integers separated by commas, got "${process.env.QUICK_LEVELS}"`);
  return { seconds: numberFromEnv('QUICK_SECONDS', defaultSeconds), primeSeconds: numberFromEnv('QUICK_PRIME_SECONDS', defaultPrimeSeconds), levels };
}

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  print(usage);
  process.exit(0);
}
if (args.length > 0) {
  process.stderr.write(`kv-quick: unknown argument ${JSON.stringify(args[0])} (expected none, or --help; settings come from the environment, see --help)\n`);
  process.exit(2);
}
try {
  await main(settings());
  process.exit(0);
} catch (err) {
  if (err instanceof SettingError) {
    process.stderr.write(`kv-quick: ${err.message}\n`);
    process.exit(2);
  }
  print(`kv-quick failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
