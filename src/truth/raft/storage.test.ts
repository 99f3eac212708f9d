/**
 * Raft's storage read back after what crashes and bad disks leave: the same code runs on the
 * simulator's disk (here) and on real files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimDisk } from '../../sim/disk.js';
import { RaftStorage, encodeSnapshotPart, isStorageCorruptError, segmentPrefix, snapshotFile } from './storage.js';
import type { Entry } from './types.js';
import { concatBytes, recordHeaderBytes, scanRecords } from '../../runtime/records.js';
import { crc32c } from '../../runtime/crc32c.js';

/** A disk whose fsyncs complete at once (the tests call crash() themselves). */
function disk(): SimDisk {
  return new SimDisk({ now: () => 0, fsyncDelayMs: () => 0, scheduleSync: (_at, _file, complete) => complete() });
}

const entries = (from: number, to: number, term = 1): Entry[] => Array.from({ length: to - from + 1 }, (_, i) => ({ term, index: from + i, data: { op: { f: 'write', key: `k${from + i}`, value: from + i } } }));

function write(d: SimDisk, s: RaftStorage, hsTerm: number, es: Entry[]): void {
  for (const f of s.append({ term: hsTerm, vote: 'n1', commit: es.length > 0 ? es[es.length - 1].index : 0 }, es)) d.fsync(f, () => {});
}

test('what was appended reads back: the last hard state, entries in order, undefined on an empty disk', () => {
  const d = disk();
  assert.equal(new RaftStorage(d).restore(), undefined);
  const s = new RaftStorage(d);
  s.restore();
  write(d, s, 1, entries(1, 3));
  write(d, s, 2, entries(4, 5, 2));
  const r = new RaftStorage(d).restore()!;
  assert.deepEqual(r.hardState, { term: 2, vote: 'n1', commit: 5 });
  assert.deepEqual(r.entries.map((e) => [e.index, e.term]), [[1, 1], [2, 1], [3, 1], [4, 2], [5, 2]]);
  assert.deepEqual(r.entries[2].data, { op: { f: 'write', key: 'k3', value: 3 } });
});

test("a Ready's entries and hard state leave in one append: two records, one write", () => {
  const d = disk();
  const s = new RaftStorage(d);
  s.restore();
  const appends: number[] = [];
  const append = d.append.bind(d);
  d.append = (file, data) => {
    appends.push(data.length);
    append(file, data);
  };
  s.append({ term: 1, vote: 'n1', commit: 0 }, entries(1, 2));
  s.append({ term: 1, vote: 'n1', commit: 2 }, []);
  s.append(undefined, entries(3, 3));
  assert.equal(appends.length, 3);
  const scan = scanRecords(d.read(`${segmentPrefix}1`)!);
  assert.equal(scan.bad, undefined);
  // Entries and hard state in the first write, then a hard state alone, then entries alone.
  assert.equal(scan.records.length, 4);
  assert.equal(scan.ends[1], appends[0]);
  assert.deepEqual(new RaftStorage(d).restore()!.hardState, { term: 1, vote: 'n1', commit: 2 });
});

test('entries a new leader overwrote are replaced from their index on', () => {
  const d = disk();
  const s = new RaftStorage(d);
  s.restore();
  write(d, s, 1, entries(1, 5));
  write(d, s, 2, entries(3, 4, 2));
  const r = new RaftStorage(d).restore()!;
  assert.deepEqual(r.entries.map((e) => [e.index, e.term]), [[1, 1], [2, 1], [3, 2], [4, 2]]);
});

/** A disk whose first segment holds entries 1..3 of term 1; `good` is that segment's length. */
function logOfThree(): { d: SimDisk; file: string; good: number } {
  const d = disk();
  const s = new RaftStorage(d);
  s.restore();
  write(d, s, 1, entries(1, 3));
  const file = `${segmentPrefix}1`;
  return { d, file, good: d.read(file)!.length };
}

test('zeros after the last record (room a real disk made ahead of the log) are cut without a warning; appends follow the records', () => {
  const { d, file, good } = logOfThree();
  for (const zeros of [5, 12, 64 * 1024]) {
    d.append(file, new Uint8Array(zeros));
    const warnings: string[] = [];
    const again = new RaftStorage(d, (e) => warnings.push(e));
    assert.deepEqual(again.restore()!.entries.map((e) => e.index), [1, 2, 3], `${zeros} zeros`);
    assert.deepEqual(warnings, [], 'nothing was torn');
    assert.equal(d.read(file)!.length, good, 'the zeros are gone');
  }
  const again = new RaftStorage(d);
  again.restore();
  write(d, again, 1, entries(4, 4));
  assert.deepEqual(new RaftStorage(d).restore()!.entries.map((e) => e.index), [1, 2, 3, 4]);
});

test('a torn last record is cut off with a warning; what was before it stays, and new appends follow', () => {
  const { d, file, good } = logOfThree();
  // A crash in the middle of a write: the next record cut after its header and four bytes.
  const d2 = disk();
  const s2 = new RaftStorage(d2);
  s2.restore();
  s2.append({ term: 1, vote: 'n1', commit: 4 }, entries(4, 4));
  const next = d2.read(file)!;
  d.append(file, next.subarray(0, recordHeaderBytes + 4));
  const warnings: [string, Record<string, unknown>][] = [];
  const again = new RaftStorage(d, (e, f) => warnings.push([e, f]));
  const r = again.restore()!;
  assert.deepEqual(r.entries.map((e) => e.index), [1, 2, 3]);
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0][0], 'wal_torn_tail_truncated');
  assert.equal(warnings[0][1].file, file);
  assert.equal(warnings[0][1].offset, good);
  assert.equal(d.read(file)!.length, good, 'the torn bytes are gone');
  write(d, again, 1, entries(4, 4));
  assert.deepEqual(new RaftStorage(d).restore()!.entries.map((e) => e.index), [1, 2, 3, 4]);
});

test('a flipped byte in the middle of the log refuses to start, naming the file and the offset', () => {
  const d = disk();
  const s = new RaftStorage(d);
  s.restore();
  write(d, s, 1, entries(1, 3));
  const file = `${segmentPrefix}1`;
  const offset = d.read(file)!.length;
  write(d, s, 1, entries(4, 6));
  write(d, s, 1, entries(7, 9));
  const bytes = d.read(file)!;
  bytes[offset + 20] ^= 0x40;
  d.write(file, bytes);
  assert.throws(
    () => new RaftStorage(d).restore(),
    (e: unknown) => isStorageCorruptError(e) && e.file === file && e.offset === offset && /raft\.wal\.1: corrupt at byte \d+ \(checksum mismatch\)/.test(e.message),
  );
});

test('a snapshot compacts: covered segments go, the log restarts after it; a bad snapshot is corruption', () => {
  const d = disk();
  const s = new RaftStorage(d);
  s.restore();
  write(d, s, 1, entries(1, 10));
  for (const f of s.writeSnapshot({ index: 10, term: 1, data: { kv: 'state' } })) d.fsync(f, () => {});
  const rotation = s.rotate(10, { term: 1, vote: 'n1', commit: 10 });
  for (const f of [...rotation.sync, ...rotation.removeCovered()]) d.fsync(f, () => {});
  write(d, s, 1, entries(11, 12));
  assert.deepEqual(d.list(), [snapshotFile, `${segmentPrefix}2`]);
  const r = new RaftStorage(d).restore()!;
  assert.equal(r.snapshot!.index, 10);
  assert.deepEqual(r.snapshot!.data, { kv: 'state' });
  assert.deepEqual(r.entries.map((e) => e.index), [11, 12]);
  assert.equal(r.hardState.commit, 12);

  const snap = d.read(snapshotFile)!;
  snap[snap.length - 1] ^= 1;
  d.write(snapshotFile, snap);
  assert.throws(() => new RaftStorage(d).restore(), (e: unknown) => isStorageCorruptError(e) && e.file === snapshotFile);
});

test('a snapshot inside a segment: the entries after it are carried to the new segment, and the segment goes once they are durable', () => {
  const d = disk();
  const s = new RaftStorage(d);
  s.restore();
  write(d, s, 1, entries(1, 10));
  write(d, s, 1, entries(11, 14));
  for (const f of s.writeSnapshot({ index: 12, term: 1, data: { kv: 'state' } })) d.fsync(f, () => {});
  assert.equal(s.maxWrittenIndex(), 14);
  // Without the carry the segment holding 13 and 14 must stay, and a restart decodes all 14 entries.
  const rotation = s.rotate(12, { term: 1, vote: 'n1', commit: 14 }, entries(13, 14));
  for (const f of rotation.sync) d.fsync(f, () => {});
  assert.deepEqual(d.list(), [snapshotFile, `${segmentPrefix}1`, `${segmentPrefix}2`], 'removed only once the carried entries are durable');
  for (const f of rotation.removeCovered()) d.fsync(f, () => {});
  assert.deepEqual(d.list(), [snapshotFile, `${segmentPrefix}2`]);
  write(d, s, 1, entries(15, 15));
  const r = new RaftStorage(d).restore()!;
  assert.equal(r.snapshot!.index, 12);
  assert.deepEqual(r.entries.map((e) => e.index), [13, 14, 15]);
  assert.deepEqual(r.entries[0].data, entries(13, 13)[0].data);
  d.crash();
  assert.deepEqual(new RaftStorage(d).restore()!.entries.map((e) => e.index), [13, 14, 15], 'all of it durable');
});

test("a snapshot installed from the leader replaced the whole log: every older segment goes, even one reaching past it", () => {
  const d = disk();
  const s = new RaftStorage(d);
  s.restore();
  // Entries 1..8 of an old term, of which 6..8 the leader's log does not have.
  write(d, s, 1, entries(1, 8));
  for (const f of s.writeSnapshot({ index: 5, term: 2, data: null })) d.fsync(f, () => {});
  const rotation = s.rotate(5, { term: 2, vote: undefined, commit: 5 }, [], true);
  for (const f of [...rotation.sync, ...rotation.removeCovered()]) d.fsync(f, () => {});
  write(d, s, 2, entries(6, 6, 2));
  const r = new RaftStorage(d).restore()!;
  assert.deepEqual(r.entries.map((e) => [e.index, e.term]), [[6, 2]]);
  assert.deepEqual(d.list(), [snapshotFile, `${segmentPrefix}2`]);
});

test('a snapshot written a part at a time reads back whole; one aborted leaves the last one', () => {
  const d = disk();
  const s = new RaftStorage(d);
  s.restore();
  for (const f of s.writeSnapshot({ index: 3, term: 1, data: { items: ['a'], n: 1 } })) d.fsync(f, () => {});
  const aborted = s.beginSnapshotWrite({ index: 5, term: 1, data: { items: [], n: 2 } });
  aborted.part(encodeSnapshotPart({ items: ['x'] }));
  aborted.abort();
  assert.deepEqual(new RaftStorage(d).restore()!.snapshot, { index: 3, term: 1, data: { items: ['a'], n: 1 } });
  const w = s.beginSnapshotWrite({ index: 9, term: 2, data: { items: [], n: 3 } });
  w.part(encodeSnapshotPart({ items: ['a', 'b'] }));
  w.part(encodeSnapshotPart({ items: ['c'] }));
  assert.equal(new RaftStorage(d).restore()!.snapshot!.index, 3, 'nothing shows before finish');
  for (const f of w.finish()) d.fsync(f, () => {});
  assert.deepEqual(new RaftStorage(d).restore()!.snapshot, { index: 9, term: 2, data: { items: ['a', 'b', 'c'], n: 3 } });
  assert.equal(s.snapshotBytes(), d.read(snapshotFile)!.length);
  assert.equal(w.written.bytes, d.read(snapshotFile)!.length);
  assert.equal(w.written.crc, crc32c(d.read(snapshotFile)!), 'the crc taken a part at a time is the whole file\'s');
  // What a leader sends, read back from the file a range at a time.
  const file = d.read(snapshotFile)!;
  assert.deepEqual(s.snapshotFileSource(), { index: 9, bytes: file.length, crc: crc32c(file) });
  assert.deepEqual(concatBytes([s.readSnapshotRange(9, 0, 5), s.readSnapshotRange(9, 5, file.length)]), file);
});

test('on a disk that cannot stream, a snapshot written a part at a time is one write of the same bytes', () => {
  const d = disk();
  (d as { writeStream?: unknown }).writeStream = undefined;
  const s = new RaftStorage(d);
  s.restore();
  const w = s.beginSnapshotWrite({ index: 9, term: 2, data: { items: [], n: 3 } });
  w.part(encodeSnapshotPart({ items: ['a', 'b'] }));
  w.part(encodeSnapshotPart({ items: ['c'] }));
  assert.equal(d.read(snapshotFile), undefined, 'nothing is written before finish');
  for (const f of w.finish()) d.fsync(f, () => {});
  assert.deepEqual(new RaftStorage(d).restore()!.snapshot, { index: 9, term: 2, data: { items: ['a', 'b', 'c'], n: 3 } });
  assert.equal(w.written.bytes, d.read(snapshotFile)!.length);
  assert.equal(w.written.crc, crc32c(d.read(snapshotFile)!));
});

test('a hole in the log after the snapshot is corruption, not a shorter log', () => {
  const d = disk();
  const s = new RaftStorage(d);
  s.restore();
  write(d, s, 1, entries(1, 3));
  write(d, s, 1, entries(5, 6));
  assert.throws(() => new RaftStorage(d).restore(), (e: unknown) => isStorageCorruptError(e) && /jumps from index 3 to 5/.test(e.message));
});

test('a segment past its size limit is closed; the new one opens with the hard state and reads alone', () => {
  const d = disk();
  const s = new RaftStorage(d, undefined, { segmentBytesMax: 200 });
  s.restore();
  for (let i = 1; i <= 20; i++) write(d, s, 3, entries(i, i));
  const segments = d.list().filter((f) => f.startsWith(segmentPrefix));
  assert.ok(segments.length >= 5, `${segments.length} segments`);
  const r = new RaftStorage(d).restore()!;
  assert.deepEqual(r.entries.map((e) => e.index), Array.from({ length: 20 }, (_, i) => i + 1));
  assert.deepEqual(r.hardState, { term: 3, vote: 'n1', commit: 20 });
  // A snapshot at 20 removes every full segment; the hard state survives in the new one.
  for (const f of s.writeSnapshot({ index: 20, term: 3, data: null })) d.fsync(f, () => {});
  const rotation = s.rotate(20, { term: 3, vote: 'n1', commit: 20 });
  for (const f of [...rotation.sync, ...rotation.removeCovered()]) d.fsync(f, () => {});
  const after = new RaftStorage(d).restore()!;
  assert.deepEqual(after.hardState, { term: 3, vote: 'n1', commit: 20 });
  assert.equal(after.entries.length, 0);
  assert.equal(d.list().filter((f) => f.startsWith(segmentPrefix)).length, 1);
});

for (const recovery of ['repair', 'trust'] as const) {
  test(`${recovery}: zeros after the records of a closed segment (preallocated room) end it; no entry is lost and no repair starts`, () => {
    const d = disk();
    const s = new RaftStorage(d, () => {}, { recovery, segmentBytesMax: 200 });
    s.restore();
    for (let i = 1; i <= 12; i++) {
      write(d, s, 1, entries(i, i));
      for (const f of s.writeMark({ term: 1, vote: 'n1', lastIndex: i, lastTerm: 1 })) d.fsync(f, () => {});
    }
    const segments = d.list().filter((f) => f.startsWith(segmentPrefix));
    assert.ok(segments.length >= 2, `${segments.length} segments`);
    // A real segment grows in zeros ahead of its appends (FileDisk's preallocation); they stay once the next one opens.
    for (const closed of segments.slice(0, -1)) d.append(closed, new Uint8Array(4096));
    const warnings: string[] = [];
    const r = new RaftStorage(d, (event) => warnings.push(event), { recovery }).restore()!;
    assert.deepEqual(r.entries.map((e) => e.index), Array.from({ length: 12 }, (_, i) => i + 1));
    assert.equal(r.repairUntil, undefined);
    assert.deepEqual(warnings, []);
    assert.deepEqual(d.list().filter((f) => f.startsWith(segmentPrefix)), segments, 'no segment removed');
  });
}

/** A log of entries 1..9 of term 1, with the mark of each write (repair mode's witness) beside it. */
function markedLogOfNine(): { d: SimDisk; file: string } {
  const d = disk();
  const s = new RaftStorage(d, () => {}, { recovery: 'repair' });
  s.restore();
  for (const [from, to] of [[1, 3], [4, 6], [7, 9]]) {
    write(d, s, 1, entries(from, to));
    for (const f of s.writeMark({ term: 1, vote: 'n1', lastIndex: to, lastTerm: 1 })) d.fsync(f, () => {});
  }
  return { d, file: `${segmentPrefix}1` };
}

test('repair: a log cut in the middle (it reads as a torn tail) is told from a torn tail by the durable mark: the node must catch up to what it held', () => {
  const { d, file } = markedLogOfNine();
  const bytes = d.read(file)!;
  d.write(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
  const warnings: string[] = [];
  const r = new RaftStorage(d, (e) => warnings.push(e), { recovery: 'repair' }).restore()!;
  assert.ok(r.entries.length < 9 && r.entries.length > 0, `kept a good prefix (${r.entries.length})`);
  assert.deepEqual(r.repairUntil, { index: 9, term: 1 });
  assert.ok(warnings.includes('wal_acknowledged_entries_lost'), warnings.join());
  // The same cut with refuse: a clear refusal naming the log and what was durable.
  const again = markedLogOfNine();
  const b2 = again.d.read(again.file)!;
  again.d.write(again.file, b2.subarray(0, Math.floor(b2.length / 2)));
  assert.throws(() => new RaftStorage(again.d).restore(), (e: unknown) => isStorageCorruptError(e) && /entries up to index 9 of term 1 were durable/.test(e.message));
});

test('repair: a torn tail past what was durable is no loss; trust cuts corruption in the middle and goes on as if nothing was lost', () => {
  const { d, file } = markedLogOfNine();
  const s = new RaftStorage(d, () => {}, { recovery: 'repair' });
  s.restore();
  // Entries 10..12 written, never synced, torn by a crash: the mark still says 9.
  s.append(undefined, entries(10, 12));
  const bytes = d.read(file)!;
  d.write(file, bytes.subarray(0, bytes.length - 5));
  const r = new RaftStorage(d, () => {}, { recovery: 'repair' }).restore()!;
  assert.equal(r.entries.length, 9);
  assert.equal(r.repairUntil, undefined);

  const flipped = markedLogOfNine();
  const b = flipped.d.read(flipped.file)!;
  b[Math.floor(b.length / 2)] ^= 0x10;
  flipped.d.write(flipped.file, b);
  const trusted = new RaftStorage(flipped.d, () => {}, { recovery: 'trust' }).restore()!;
  assert.ok(trusted.entries.length < 9);
  assert.equal(trusted.repairUntil, undefined, 'trust never knows what it lost');
  const repaired = new RaftStorage(flipped.d, () => {}, { recovery: 'repair' }).restore()!;
  assert.deepEqual(repaired.repairUntil, { index: 9, term: 1 }, 'repair does, from the mark');
});

test('repair: a term and vote the log lost come back from the mark (a forgotten vote could be given twice)', () => {
  const { d, file } = markedLogOfNine();
  const s = new RaftStorage(d, () => {}, { recovery: 'repair' });
  s.restore();
  const before = d.read(file)!.length;
  write(d, s, 3, []);
  for (const f of s.writeMark({ term: 3, vote: 'n2', lastIndex: 9, lastTerm: 1 })) d.fsync(f, () => {});
  d.write(file, d.read(file)!.subarray(0, before));
  const r = new RaftStorage(d, () => {}, { recovery: 'repair' }).restore()!;
  assert.deepEqual([r.hardState.term, r.hardState.vote], [3, 'n2']);
  assert.equal(r.repairUntil, undefined, 'no entry was lost');
});

test("a write torn between a Ready's entries and its hard state: the term of the surviving entries is the node's term", () => {
  const d = disk();
  const s = new RaftStorage(d);
  s.restore();
  write(d, s, 1, entries(1, 3));
  const file = `${segmentPrefix}1`;
  const before = d.read(file)!.length;
  // A new leader's entries of term 2 and the hard state that moves to term 2, in one append.
  s.append({ term: 2, vote: undefined, commit: 3 }, entries(4, 5, 2));
  const entriesEnd = before + scanRecords(d.read(file)!.subarray(before)).ends[0];
  d.write(file, d.read(file)!.subarray(0, entriesEnd + 5));
  const r = new RaftStorage(d).restore()!;
  assert.deepEqual(r.entries.map((e) => e.term), [1, 1, 1, 2, 2]);
  assert.deepEqual([r.hardState.term, r.hardState.vote], [2, undefined], 'never a log ahead of its term');
});

test('a snapshot received in chunks: after a crash the complete records are kept and the torn rest cut; whole, it becomes raft.snap as it is', () => {
  // The leader's file: a head and three parts, sent in chunks that cut across its records.
  const leader = disk();
  const ls = new RaftStorage(leader);
  ls.restore();
  const w = ls.beginSnapshotWrite({ index: 40, term: 3, data: { items: [], n: 7 }, conf: { voters: ['n1'], learners: [] } });
  for (const items of [['a', 'b'], ['c'], ['d', 'e', 'f']]) w.part(encodeSnapshotPart({ items }));
  w.finish();
  const file = leader.read(snapshotFile)!;
  const head = { index: 40, term: 3, crc: crc32c(file), total: file.length, conf: { voters: ['n1'], learners: [] } };
  const cut = Math.floor(file.length * 0.6);

  const d = disk();
  const s = new RaftStorage(d);
  s.restore();
  s.append({ term: 3, vote: undefined, commit: 0 }, []);
  d.fsync(`${segmentPrefix}1`, () => {});
  for (const f of s.appendSnapshotChunk({ ...head, offset: 0, bytes: file.subarray(0, cut) })) d.fsync(f, () => {});
  // Unsynced when the node stops: lost.
  s.appendSnapshotChunk({ ...head, offset: cut, bytes: file.subarray(cut, cut + 10) });
  d.crash();
  const restored = new RaftStorage(d).restore()!;
  const held = restored.incomingSnapshot!;
  // The records wholly inside the first chunk: the one it cuts is torn, and goes.
  const recordEnds = scanRecords(file).ends;
  const complete = recordEnds.filter((end) => end <= cut).at(-1)!;
  assert.deepEqual(held, { ...head, received: complete, receivedCrc: crc32c(file.subarray(0, complete)) });
  assert.ok(complete > 0 && complete < cut);

  const again = new RaftStorage(d);
  again.restore();
  for (const f of again.appendSnapshotChunk({ ...head, offset: complete, bytes: file.subarray(complete) })) d.fsync(f, () => {});
  for (const f of again.installReceivedSnapshot(head)) d.fsync(f, () => {});
  assert.equal(d.read('raft.snap.incoming'), undefined);
  assert.deepEqual(again.snapshotFileSource(), { index: 40, bytes: file.length, crc: head.crc });
  assert.deepEqual(again.readSnapshotRange(40, 0, file.length), file, 'what it sends on is the leader\'s bytes');
  const after = new RaftStorage(d).restore()!;
  assert.deepEqual(after.snapshot, { index: 40, term: 3, data: { items: ['a', 'b', 'c', 'd', 'e', 'f'], n: 7 }, conf: { voters: ['n1'], learners: [] } });
  assert.equal(after.incomingSnapshot, undefined);
});
