/**
 * How long a whole real cluster takes to come back: three `pillars node` processes are loaded with
 * `--writes` puts over `--keys` keys (redis-benchmark, pipelined), stopped, and started again on the
 * same data; the time is from the start of the processes until they agree on a leader (what
 * LocalCluster.waitForLeader, and `pillars cluster up`, wait for). A restarting node reads its
 * snapshot and replays the log after it before it listens, so this is the time the disk layout
 * (snapshot, segments left behind) and the decoding cost the operator.
 *
 *   npm run bench:restart [-- --writes 300000] [--keys 100000] [--value-bytes 100] [--rounds 3] [--cpu-prof DIR]
 *
 * Prints each node's files after the load (a segment a snapshot covered would show here), then one
 * line per restart round. Anchor: the time one node alone takes to load its directory in this
 * process (read, decode, rebuild), measured in the same run.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { FileDisk } from '../src/adapters/file-disk.js';
import { LocalCluster } from '../src/node/launcher.js';
import { RaftStorage } from '../src/truth/raft/storage.js';
import { KvStateMachine, type KvCommand, type KvSnapshot } from '../src/truth/kv.js';
import { benchDataRoot } from './kv-peers.js';

const run = promisify(execFile);
const leaderTimeoutMs = 60_000;

function usage(message: string): never {
  process.stderr.write(`restart-time: ${message}\nusage: node dist/bench/restart-time.js [--writes N] [--keys N] [--value-bytes N] [--rounds N] [--cpu-prof DIR]\n`);
  process.exit(2);
}

function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) usage(`--${name}: a whole number above 0 (got "${text}")`);
  return n;
}

/** One node's load in this process, as KvNode does it before it listens: restore the storage, rebuild the store. */
export function loadNodeDirectory(dir: string): { ms: number; entries: number; snapshotIndex: number } {
  const t = performance.now();
  const disk = new FileDisk(dir);
  const restored = new RaftStorage(disk, () => {}, { recovery: 'repair' }).restore();
  const kv = new KvStateMachine();
  if (restored?.snapshot !== undefined) kv.restore(restored.snapshot.data as KvSnapshot);
  for (const e of restored?.entries ?? []) if (e.data !== undefined && typeof e.data === 'object' && 'op' in (e.data as object)) kv.apply(e.data as KvCommand);
  void disk.close();
  return { ms: performance.now() - t, entries: restored?.entries.length ?? 0, snapshotIndex: restored?.snapshot?.index ?? 0 };
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
    ({ values } = parseArgs({ options: { writes: { type: 'string', default: '300000' }, keys: { type: 'string', default: '100000' }, 'value-bytes': { type: 'string', default: '100' }, rounds: { type: 'string', default: '3' }, 'cpu-prof': { type: 'string' } } }));
  } catch (e) {
    usage((e as Error).message);
  }
  const writes = positiveInt('writes', values.writes!);
  const keys = positiveInt('keys', values.keys!);
  const valueBytes = positiveInt('value-bytes', values['value-bytes']!);
  const rounds = positiveInt('rounds', values.rounds!);
  const base = 17_000 + Math.floor(Math.random() * 20_000);
  const dataDir = mkdtempSync(join(benchDataRoot(), 'pillars-restart-'));
  const layout = { nodes: 3, dataDir, respBase: base, httpBase: base + 3, peerBase: base + 6 };
  let cluster = new LocalCluster(layout);
  const stopAndClean = async () => {
    await cluster.stopAll();
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.on('SIGINT', () => void stopAndClean().then(() => process.exit(130)));
  try {
    cluster.startAll();
    const leader = await cluster.waitForLeader(leaderTimeoutMs);
    const port = cluster.node(leader).resp;
    const loadStart = performance.now();
    // __rand_int__ is redis-benchmark's key placeholder: -r spreads the writes over `keys` keys.
    await run('redis-benchmark', ['-p', String(port), '-t', 'set', '-n', String(writes), '-r', String(keys), '-d', String(valueBytes), '-c', '32', '-P', '16', '-q'], { maxBuffer: 1 << 24 });
    console.log(`loaded ${writes} puts over ${keys} keys (${valueBytes}-byte values) in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`);
    await cluster.stopAll();
    for (const n of cluster.nodes) console.log(`  ${n.id}: ${filesOf(n.dataDir)}`);
    const one = loadNodeDirectory(cluster.nodes[0].dataDir);
    console.log(`anchor: one node's directory loaded in this process in ${one.ms.toFixed(0)} ms (snapshot at ${one.snapshotIndex}, ${one.entries} entries replayed)`);
    const times: number[] = [];
    for (let r = 1; r <= rounds; r++) {
      const profile = values['cpu-prof'];
      cluster = new LocalCluster({ ...layout, ...(profile !== undefined && r === rounds ? { execArgv: ['--cpu-prof', '--cpu-prof-dir', profile] } : {}) });
      const t = performance.now();
      cluster.startAll();
      const who = await cluster.waitForLeader(leaderTimeoutMs);
      const ms = performance.now() - t;
      times.push(ms);
      console.log(`round ${r}: 3 nodes restarted, leader ${who} agreed by all in ${(ms / 1000).toFixed(2)} s`);
      await cluster.stopAll();
    }
    const sorted = [...times].sort((a, b) => a - b);
    console.log(`restart to an agreed leader: median ${(sorted[sorted.length >> 1] / 1000).toFixed(2)} s, max ${(sorted[sorted.length - 1] / 1000).toFixed(2)} s over ${rounds} rounds (goal: under 3 s)`);
  } finally {
    await stopAndClean();
  }
}

await main();
