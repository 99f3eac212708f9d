/**
 * Where a real node's snapshot pause and restart time go, step by step, at a given number of keys:
 * the work RaftHost.maybeSnapshot does on the event loop in one go (copy the state machine as plain
 * data, encode it as one checksummed record, write the file), and what a restarting node does before
 * it listens (read and decode that record, rebuild the maps). Each step is timed alone, so the
 * figures say which one a sliced snapshot or a faster restart has to take apart first.
 *
 *   npm run build && node dist/bench/snapshot-cost.js [--keys 100000] [--value-bytes 100] [--rounds 3]
 *
 * Prints one line per round; the first round pays for the JIT and a cold heap, as a node's first
 * snapshot does. Then the longest pauses of a leader sending the snapshot to a follower far behind
 * (snapshot-send.ts), reading the file back from disk a chunk at a time, and the
 * follower's longest step receiving and loading it, against the 20 ms a node may pause (a `ratio` line).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { KvStateMachine } from '../src/truth/kv.js';
import { FileDisk } from '../src/adapters/file-disk.js';
import { decodeSnapshotFile, encodeSnapshotFile, encodeSnapshotPart, RaftStorage } from '../src/truth/raft/storage.js';
import { measureSnapshotSend } from './snapshot-send.js';

interface SnapshotCost {
  copyMs: number;
  encodeMs: number;
  writeMs: number;
  readMs: number;
  decodeMs: number;
  rebuildMs: number;
  bytes: number;
}

function usage(message: string): never {
  process.stderr.write(`snapshot-cost: ${message}\nusage: node dist/bench/snapshot-cost.js [--keys N] [--value-bytes N] [--rounds N]\n`);
  process.exit(2);
}

function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) usage(`--${name}: a whole number above 0 (got "${text}")`);
  return n;
}

/** A store of `keys` plain string keys, as `SET key:<i> <value>` leaves it. */
export function filledStore(keys: number, valueBytes: number): KvStateMachine {
  const kv = new KvStateMachine();
  const value = 'x'.repeat(valueBytes);
  for (let i = 0; i < keys; i++) kv.apply({ op: { f: 'write', key: `key:${i}`, value } });
  return kv;
}

export function measureSnapshotCost(kv: KvStateMachine, dir: string): SnapshotCost {
  const file = join(dir, 'raft.snap');
  let t = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = now - t;
    t = now;
    return ms;
  };
  const data = kv.snapshot();
  const copyMs = lap();
  const bytes = encodeSnapshotFile({ index: 1, term: 1, data, conf: { voters: ['n1'], learners: [] } });
  const encodeMs = lap();
  writeFileSync(file, bytes);
  const writeMs = lap();
  const read = readFileSync(file);
  const readMs = lap();
  const decoded = decodeSnapshotFile(read, file);
  const decodeMs = lap();
  new KvStateMachine().restore(decoded.data as ReturnType<KvStateMachine['snapshot']>);
  const rebuildMs = lap();
  return { copyMs, encodeMs, writeMs, readMs, decodeMs, rebuildMs, bytes: bytes.length };
}

/** The longest pause a node may take while it installs a snapshot of 100k keys (issue: "no pause over 20 ms"). */
const followerPauseBudgetMs = 20;

/** Entries per slice: the real-node profile's (host.ts raftKvProfiles). */
const sliceItems = 1_000;

/**
 * The longest event-loop pause (ms, monitorEventLoopDelay) while a snapshot is taken whole, or in
 * slices of sliceItems with a timer between them: `joined`, the slices' bytes joined and written at
 * the end; `streamed`, each slice written as it is encoded (RaftStorage.beginSnapshotWrite on a
 * FileDisk, as RaftHost does), then fsynced and renamed.
 */
async function maxPauseMs(kv: KvStateMachine, dir: string, mode: 'whole' | 'joined' | 'streamed'): Promise<number> {
  const file = join(dir, 'raft.snap');
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  await new Promise((r) => setTimeout(r, 20));
  const conf = { voters: ['n1'], learners: [] };
  if (mode === 'whole') {
    writeFileSync(file, encodeSnapshotFile({ index: 1, term: 1, data: kv.snapshot(), conf }));
  } else if (mode === 'streamed') {
    const disk = new FileDisk(dir);
    const slicer = kv.beginSnapshot();
    const write = new RaftStorage(disk).beginSnapshotWrite({ index: 1, term: 1, data: slicer.head(), conf });
    for (;;) {
      await new Promise((r) => setTimeout(r, 0));
      const part = slicer.next(sliceItems);
      if (part === undefined) break;
      write.part(encodeSnapshotPart(part));
    }
    const files = write.finish();
    await Promise.all(files.map((f) => new Promise<void>((r) => disk.fsync(f, r))));
    await disk.close();
  } else {
    const slicer = kv.beginSnapshot();
    const parts: Uint8Array[] = [];
    for (;;) {
      await new Promise((r) => setTimeout(r, 0));
      const part = slicer.next(sliceItems);
      if (part === undefined) break;
      parts.push(encodeSnapshotPart(part));
    }
    writeFileSync(file, encodeSnapshotFile({ index: 1, term: 1, data: slicer.head(), conf }, parts));
  }
  await new Promise((r) => setTimeout(r, 20));
  histogram.disable();
  return histogram.max / 1e6;
}

async function main(): Promise<void> {
  const options = { keys: { type: 'string', default: '100000' }, 'value-bytes': { type: 'string', default: '100' }, rounds: { type: 'string', default: '3' }, help: { type: 'boolean', short: 'h' } } as const;
  let values: ReturnType<typeof parseArgs<{ options: typeof options }>>['values'];
  try {
    ({ values } = parseArgs({ options }));
  } catch (e) {
    usage((e as Error).message);
  }
  if (values.help === true) {
    process.stdout.write('usage: node dist/bench/snapshot-cost.js [--keys 100000] [--value-bytes 100] [--rounds 3]\nTimes each step of taking a snapshot (copy, encode, write) and of loading one (read, decode, rebuild), then the leader\'s longest step while it sends one to a follower far behind.\n');
    return;
  }
  const keys = positiveInt('keys', values.keys);
  const valueBytes = positiveInt('value-bytes', values['value-bytes']);
  const rounds = positiveInt('rounds', values.rounds);
  const kv = filledStore(keys, valueBytes);
  const dir = mkdtempSync(join(tmpdir(), 'pillars-snapshot-cost-'));
  const ms = (x: number) => `${x.toFixed(0)} ms`;
  try {
    for (let round = 1; round <= rounds; round++) {
      const c = measureSnapshotCost(kv, dir);
      const pause = c.copyMs + c.encodeMs + c.writeMs;
      process.stdout.write(`round ${round}: ${keys} keys, ${(c.bytes / 2 ** 20).toFixed(1)} MiB | take: copy ${ms(c.copyMs)} + encode ${ms(c.encodeMs)} + write ${ms(c.writeMs)} = ${ms(pause)} on the event loop | load: read ${ms(c.readMs)} + decode ${ms(c.decodeMs)} + rebuild ${ms(c.rebuildMs)}\n`);
    }
    let whole = 0;
    let sliced = 0;
    let streamed = 0;
    for (let round = 1; round <= rounds; round++) {
      whole = Math.max(whole, await maxPauseMs(kv, dir, 'whole'));
      sliced = Math.max(sliced, await maxPauseMs(kv, dir, 'joined'));
      streamed = Math.max(streamed, await maxPauseMs(kv, dir, 'streamed'));
    }
    process.stdout.write(`max event-loop pause over ${rounds} rounds: whole ${ms(whole)}, sliced by ${sliceItems} entries and joined at the end ${ms(sliced)}, sliced and streamed to the file ${ms(streamed)}\n`);
    process.stdout.write(`ratio ${(whole / streamed).toFixed(1)}x shorter longest pause when sliced and streamed\n`);
    let followerMax = 0;
    let followerMaxCpu = 0;
    let loopDelayMax = 0;
    for (let round = 1; round <= rounds; round++) {
      const offered = await measureSnapshotSend(keys, valueBytes);
      followerMax = Math.max(followerMax, offered.followerMaxMs);
      followerMaxCpu = Math.max(followerMaxCpu, offered.followerMaxCpuMs);
      loopDelayMax = Math.max(loopDelayMax, offered.loopDelayMaxMs);
      process.stdout.write(
        `round ${round}: a follower catches up from the snapshot in ${offered.chunks} chunks | the leader's longest step (less GC), reading the file it wrote a chunk at a time: ${ms(offered.leaderMaxMs)} (${ms(offered.leaderMaxWithoutGcMs)}) | the follower's, receiving and loading it in slices: ${ms(offered.followerMaxMs)} (${offered.followerMaxStep}; ${ms(offered.followerMaxCpuMs)} of CPU) | event loop's longest delay meanwhile (monitorEventLoopDelay, any node or GC): ${ms(offered.loopDelayMaxMs)}\n`,
      );
    }
    const loadAverage = loadavg()[0];
    process.stdout.write(
      `ratio ${(loopDelayMax / followerPauseBudgetMs).toFixed(2)} of the ${followerPauseBudgetMs} ms budget: the longest event-loop delay while the follower caught up over ${rounds} rounds, ${loopDelayMax.toFixed(1)} ms (the follower's longest step ${followerMax.toFixed(1)} ms, ${followerMaxCpu.toFixed(1)} ms of CPU; load average ${loadAverage.toFixed(1)} on ${availableParallelism()} cores)\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
