/**
 * How long a whole real cluster takes to come back: three `pillars node` processes are loaded with
 * `--writes` puts over `--keys` keys (redis-benchmark, pipelined), stopped, and started again on the
 * same data; the time is from the start of the processes until they agree on a leader (what
 * LocalCluster.waitForLeader, and `pillars cluster up`, wait for). A restarting node reads its
 * snapshot and replays the log after it before it listens, so this is the time the disk layout
 * (snapshot, segments left behind) and the decoding cost the operator.
 *
 *   npm run bench:restart [-- --writes 300000] [--keys 100000] [--value-bytes 100] [--rounds 3] [--cpu-prof DIR] [--keep] [--data DIR]
 *
 * Prints each node's files after the load (a segment a snapshot covered would show here), then one
 * line per restart round. Anchor: the time one node alone takes to load its directory in this
 * process (read, decode, rebuild), measured in the same run.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { FileDisk } from '../src/adapters/file-disk.js';
import { LocalCluster } from '../src/node/launcher.js';
import { freePortRun } from '../src/testing/free-ports.js';
import { RaftStorage } from '../src/truth/raft/storage.js';
import { KvStateMachine, type KvCommand, type KvSnapshot } from '../src/truth/kv.js';
import { benchDataRoot } from './kv-peers.js';

const run = promisify(execFile);
const leaderTimeoutMs = 60_000;

function usage(message: string): never {
  process.stderr.write(`restart-time: ${message}\nusage: node dist/bench/restart-time.js [--writes N] [--keys N] [--value-bytes N] [--rounds N] [--cpu-prof DIR] [--keep] [--data DIR]\n`);
  process.exit(2);
}

function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) usage(`--${name}: a whole number above 0 (got "${text}")`);
  return n;
}

/** One node's load in this process, as KvNode does it before it listens: restore the storage (read, check, decode), then rebuild the store. */
export function loadNodeDirectory(dir: string): { restoreMs: number; rebuildMs: number; entries: number; snapshotIndex: number } {
  const t = performance.now();
  const disk = new FileDisk(dir);
  const restored = new RaftStorage(disk, () => {}, { recovery: 'repair' }).restore();
  const restoreMs = performance.now() - t;
  const kv = new KvStateMachine();
  if (restored?.snapshot !== undefined) kv.restore(restored.snapshot.data as KvSnapshot);
  for (const e of restored?.entries ?? []) if (e.data !== undefined && typeof e.data === 'object' && 'op' in (e.data as object)) kv.apply(e.data as KvCommand);
  void disk.close();
  return { restoreMs, rebuildMs: performance.now() - t - restoreMs, entries: restored?.entries.length ?? 0, snapshotIndex: restored?.snapshot?.index ?? 0 };
}

/**
 * CPU seconds a process has used so far (Linux /proc: user + system clock ticks at 100 Hz), or NaN
 * elsewhere. On a shared machine the wall time of a restart depends on what else runs; the CPU the
 * nodes spent does not, and on two free cores the wall time is about half of it plus an election.
 */
function cpuSecondsOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

function filesOf(dir: string): string {
  return readdirSync(dir)
    .filter((f) => f.startsWith('raft.'))
    .sort()
    .map((f) => `${f} ${(statSync(join(dir, f)).size / 1e6).toFixed(1)} MB`)
    .join(', ');
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({ options: { writes: { type: 'string', default: '300000' }, keys: { type: 'string', default: '100000' }, 'value-bytes': { type: 'string', default: '100' }, rounds: { type: 'string', default: '3' }, 'cpu-prof': { type: 'string' }, keep: { type: 'boolean', default: false }, data: { type: 'string' } } }));
  } catch (e) {
    usage((e as Error).message);
  }
  const writes = positiveInt('writes', values.writes!);
  const keys = positiveInt('keys', values.keys!);
  const valueBytes = positiveInt('value-bytes', values['value-bytes']!);
  const rounds = positiveInt('rounds', values.rounds!);
  const base = await freePortRun(9);
  // --data: a directory a run with --keep left, restarted again without loading it anew (it is kept).
  const reuse = values.data;
  if (reuse !== undefined && !existsSync(join(reuse, 'cluster.json'))) usage(`--data: a directory a run with --keep left (no cluster.json in ${reuse})`);
  const dataDir = reuse ?? mkdtempSync(join(benchDataRoot(), 'pillars-restart-'));
  const layout = { nodes: 3, dataDir, respBase: base, httpBase: base + 3, peerBase: base + 6 };
  let cluster = new LocalCluster(layout);
  const stopAndClean = async () => {
    await cluster.stopAll();
    if (values.keep === true || reuse !== undefined) console.log(`data kept in ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  };
  const load = async () => {
    cluster.startAll();
    const leader = await cluster.waitForLeader(leaderTimeoutMs);
    const port = cluster.node(leader).resp;
    const loadStart = performance.now();
    // __rand_int__ is redis-benchmark's key placeholder: -r spreads the writes over `keys` keys.
    await run('redis-benchmark', ['-p', String(port), '-t', 'set', '-n', String(writes), '-r', String(keys), '-d', String(valueBytes), '-c', '32', '-P', '16', '-q'], { maxBuffer: 1 << 24 });
    console.log(`loaded ${writes} puts over ${keys} keys (${valueBytes}-byte values) in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`);
    await cluster.stopAll();
  };
  process.on('SIGINT', () => void stopAndClean().then(() => process.exit(130)));
  try {
    if (reuse === undefined) await load();
    for (const n of cluster.nodes) console.log(`  ${n.id}: ${filesOf(n.dataDir)}`);
    const one = loadNodeDirectory(cluster.nodes[0].dataDir);
    console.log(`anchor: one node's directory loaded in this process in ${(one.restoreMs + one.rebuildMs).toFixed(0)} ms: restore ${one.restoreMs.toFixed(0)} ms, rebuild ${one.rebuildMs.toFixed(0)} ms (snapshot at ${one.snapshotIndex}, ${one.entries} entries replayed)`);
    const times: number[] = [];
    const cpus: number[] = [];
    for (let r = 1; r <= rounds; r++) {
      const profile = values['cpu-prof'];
      cluster = new LocalCluster({ ...layout, ...(profile !== undefined && r === rounds ? { execArgv: ['--cpu-prof', '--cpu-prof-dir', profile] } : {}) });
      const t = performance.now();
      cluster.startAll();
      const who = await cluster.waitForLeader(leaderTimeoutMs);
      const ms = performance.now() - t;
      const cpu = cluster.nodes.map((n) => cpuSecondsOf(n.process?.pid));
      times.push(ms);
      cpus.push(cpu.reduce((a, b) => a + b, 0));
      console.log(`round ${r}: 3 nodes restarted, leader ${who} agreed by all in ${(ms / 1000).toFixed(2)} s; CPU until then ${cpu.map((c) => c.toFixed(2)).join(' + ')} s`);
      await cluster.stopAll();
    }
    const sorted = [...times].sort((a, b) => a - b);
    console.log(`restart to an agreed leader: median ${(sorted[sorted.length >> 1] / 1000).toFixed(2)} s, max ${(sorted[sorted.length - 1] / 1000).toFixed(2)} s over ${rounds} rounds (goal: under 3 s); CPU of the 3 nodes until then: median ${[...cpus].sort((a, b) => a - b)[cpus.length >> 1].toFixed(2)} s`);
  } finally {
    await stopAndClean();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
