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
 * snapshot does.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KvStateMachine } from '../src/truth/kv.js';
import { decodeSnapshotFile, encodeSnapshotFile } from '../src/truth/raft/storage.js';

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

function main(): void {
  const options = { keys: { type: 'string', default: '100000' }, 'value-bytes': { type: 'string', default: '100' }, rounds: { type: 'string', default: '3' }, help: { type: 'boolean', short: 'h' } } as const;
  let values: ReturnType<typeof parseArgs<{ options: typeof options }>>['values'];
  try {
    ({ values } = parseArgs({ options }));
  } catch (e) {
    usage((e as Error).message);
  }
  if (values.help === true) {
    process.stdout.write('usage: node dist/bench/snapshot-cost.js [--keys 100000] [--value-bytes 100] [--rounds 3]\nTimes each step of taking a snapshot (copy, encode, write) and of loading one (read, decode, rebuild).\n');
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
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
