/**
 * A snapshot taken in slices (KvStateMachine.beginSnapshot) must hold exactly the state at its start,
 * whatever commands apply between its slices: every kind of write, on keys already copied and keys
 * not yet copied. The reference is the stop-the-world snapshot() taken at the same instant.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Operation } from '../runtime/client-protocol.js';
import { KvStateMachine, type KvSnapshot } from './kv.js';
import { decodeSnapshotFile, encodeSnapshotFile, encodeSnapshotPart, StorageCorruptError } from './raft/storage.js';

/** A tiny deterministic PRNG (mulberry32): the test draws the same commands every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const keysMax = 60;

/** One random write among every kind that changes a key: put, replace, deadlines, remove, sweep, rename, hashes, collections. */
function randomWrite(random: () => number, now: number): Operation {
  const key = `k${Math.floor(random() * keysMax)}`;
  const other = `k${Math.floor(random() * keysMax)}`;
  const kinds: Operation[] = [
    { f: 'write', key, value: `v${Math.floor(random() * 1000)}` },
    { f: 'delete', key },
    { f: 'incr', key: `n${Math.floor(random() * 10)}`, value: 1 },
    { f: 'hset', key: `h${Math.floor(random() * 10)}`, value: [[`f${Math.floor(random() * 5)}`, `${Math.floor(random() * 100)}`]] },
    { f: 'hdel', key: `h${Math.floor(random() * 10)}`, value: [`f${Math.floor(random() * 5)}`] },
    { f: 'expire', key, value: { ms: Math.floor(random() * 50), relative: true } },
    { f: 'persist', key },
    { f: 'rename', key, value: { to: other } },
    { f: 'expire-sweep' },
    // Lists, sets and sorted sets change in place, as hashes do.
    { f: 'rpush', key: `l${Math.floor(random() * 10)}`, value: [`x${Math.floor(random() * 100)}`] },
    { f: 'lpop', key: `l${Math.floor(random() * 10)}`, value: {} },
    { f: 'sadd', key: `s${Math.floor(random() * 10)}`, value: [`${Math.floor(random() * 20)}`] },
    { f: 'srem', key: `s${Math.floor(random() * 10)}`, value: [`${Math.floor(random() * 20)}`] },
    { f: 'zadd', key: `z${Math.floor(random() * 10)}`, value: { pairs: [[`${Math.floor(random() * 50)}`, `m${Math.floor(random() * 5)}`]] } },
  ];
  void now;
  return kinds[Math.floor(random() * kinds.length)];
}

function filled(random: () => number, now: number): KvStateMachine {
  const kv = new KvStateMachine();
  for (let i = 0; i < 400; i++) kv.apply({ op: randomWrite(random, now), nowMs: now });
  for (let i = 0; i < keysMax; i += 3) kv.apply({ op: { f: 'write', key: `k${i}`, value: `base${i}` }, nowMs: now });
  return kv;
}

test('a sliced snapshot holds the state at its start while every kind of write applies between its slices', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const random = prng(seed);
    let now = 1_000;
    const kv = filled(random, now);
    const expected = kv.snapshot();
    const slicer = kv.beginSnapshot();
    let writes = 0;
    for (;;) {
      const part = slicer.next(1 + Math.floor(random() * 7));
      if (part === undefined) break;
      for (let i = Math.floor(random() * 6); i > 0; i--, writes++) kv.apply({ op: randomWrite(random, now), nowMs: (now += 5) });
    }
    assert.ok(writes > 20, `seed ${seed}: only ${writes} writes during the snapshot`);
    assert.notDeepEqual(kv.snapshot(), expected, `seed ${seed}: the writes changed nothing, the test proves nothing`);
    assert.deepEqual(slicer.whole(), expected, `seed ${seed}`);
    const restored = new KvStateMachine();
    restored.restore(slicer.whole());
    assert.deepEqual(restored.snapshot(), expected, `seed ${seed}: restored`);
  }
});

test('a sliced snapshot file is the head record and its parts; restore reads them back as one snapshot', () => {
  const random = prng(7);
  const kv = filled(random, 1_000);
  const expected = kv.snapshot();
  const slicer = kv.beginSnapshot();
  const parts: Uint8Array[] = [];
  for (let part = slicer.next(11); part !== undefined; part = slicer.next(11)) {
    parts.push(encodeSnapshotPart(part));
    kv.apply({ op: randomWrite(random, 1_000), nowMs: 1_000 });
  }
  assert.ok(parts.length > 5);
  const conf = { voters: ['n1'], learners: [] };
  const bytes = encodeSnapshotFile({ index: 9, term: 2, conf, data: slicer.head() }, parts);
  const decoded = decodeSnapshotFile(bytes, 'raft.snap');
  assert.deepEqual(decoded, { index: 9, term: 2, conf, data: expected });
  // The head announces its parts: a file cut after a whole record is corruption, not a smaller snapshot.
  const head = encodeSnapshotFile({ index: 9, term: 2, conf, data: slicer.head() }, parts.slice(0, 1));
  const cut = head.subarray(0, head.length - parts[0].length);
  assert.throws(() => decodeSnapshotFile(cut, 'raft.snap'), (e: unknown) => e instanceof StorageCorruptError && /2 belongs/.test(e.message));
});

test('restore cancels a snapshot in progress: its view is gone and reading on from it is refused', () => {
  const kv = filled(prng(3), 1_000);
  const slicer = kv.beginSnapshot();
  slicer.next(5);
  kv.restore({ data: [['a', '1']], sessions: [], applied: 0 } satisfies KvSnapshot);
  assert.throws(() => slicer.next(5), /cancelled snapshot/);
});
