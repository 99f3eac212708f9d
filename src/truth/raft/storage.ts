/**
 * Raft's durable state on a Context disk: the same code writes the simulator's disk and real files.
 *
 * - A write-ahead log in segments `raft.wal.<n>`, each a sequence of framed records (a header with the
 *   length, the payload's CRC-32C and its own CRC-32C, then the payload: src/runtime/records.ts). A payload is a hard state or a list of
 *   entries (src/truth/raft/wal-format.ts: positional, or the MessagePack `{ hs }` and `{ e }` of older files).
 *   Replaying them in order rebuilds the state: the last hard state wins, and entries at index i
 *   replace whatever was at i and after (a follower truncated by a new leader logs the entries that
 *   replace the old ones). A new segment starts with the current hard state, so every segment can be
 *   read on its own; one is started when the current one passes `segmentBytesMax`, or after a snapshot.
 * - A snapshot `raft.snap`: a framed record holding the state machine as of an index, then, for a
 *   snapshot taken in slices, the `parts` records it announces: each appends its lists to the
 *   same-named lists of the first record's data. Once it is on disk, a new segment starts with the
 *   entries after it that older segments hold, and the older segments it and they cover are removed.
 *
 * - A snapshot being received in chunks `raft.snap.incoming`: a record naming it (ReceivedSnapshotHead),
 *   then the leader's file bytes as they arrive, appended. Those are themselves checksummed records,
 *   so after a crash the complete ones are what the node holds (and tells the next leader it holds);
 *   whole and checked, the file is renamed to `raft.snap`, the naming record first (decodeSnapshotFile
 *   skips it). Nothing of it is encoded again.
 *
 * What a crash leaves behind is told apart from what a bad disk does (scanRecords): a torn last
 * record (a write cut short, never fsynced, so nothing acknowledged depends on it) is cut off with a
 * warning, and zero bytes after the last record (a real disk grows segments ahead in zeros) silently; a bad record with good data after it, a bad snapshot or a hole in the log is corruption.
 * What restore does with corruption is the `recovery` mode:
 * - refuse: throw with the file and the byte offset rather than serve from a log it cannot trust
 *   (and, when a `raft.durable` file is there, a log that ends before what it says was durable).
 * - trust: keep the good prefix and carry on as if nothing had been lost (the naive recovery of the
 *   disk-faults story: a node that forgot entries it acknowledged still votes and acknowledges).
 * - repair: protocol-aware recovery (Alagappan et al., "Protocol-Aware Recovery for Consensus-Based
 *   Storage", FAST 2018). Beside the log, a small file `raft.durable` records after every fsync of the
 *   log what is now durable: the last entry's index and term, the term and the vote. It is the
 *   witness the log cannot be of itself: a log cut in the middle looks exactly like a torn tail. After
 *   restore, a log less up to date than that record has lost entries this node acknowledged, and
 *   restore says so (`repairUntil`): the node keeps the good prefix and must catch up from its peers
 *   before it votes (raft.ts). A log at least as up to date lost only what was never acknowledged.
 */
import type { Disk } from '../../runtime/context.js';
import { StartRefusedError } from '../../runtime/member-supervisor.js';
import { invariant } from '../../runtime/invariant.js';
import { concatBytes, recordHeaderBytes, scanRecords } from '../../runtime/records.js';
import { crc32c } from '../../runtime/crc32c.js';
import type { Entry, HardState, ReceivedSnapshotHead, Snapshot, SnapshotChunk } from './types.js';
import { decodeMarkRecord, decodeValue, decodeWalRecord, RecordBatch, type WalRecord } from './wal-format.js';

export const snapshotFile = 'raft.snap';
/** The snapshot being received in chunks (see the header). */
export const incomingSnapshotFile = 'raft.snap.incoming';
export const segmentPrefix = 'raft.wal.';
/** A segment past this size is closed and a new one started (smaller files to scan and remove). */
export const segmentBytesMax = 64 * 1024 * 1024;

export interface Restored {
  hardState: HardState;
  entries: Entry[];
  snapshot: Snapshot | undefined;
  /**
   * repair mode: the log lost or damaged entries this node had made durable (and may have
   * acknowledged): the last one it held. The node must hold a log at least this up to date again
   * before it votes or campaigns.
   */
  repairUntil?: { index: number; term: number };
  /** Files restore cut or removed (trust and repair modes): fsync them so the next restore agrees. */
  changedFiles: string[];
  /** Part of a snapshot received in chunks before the stop: the next leader goes on from its end. */
  incomingSnapshot?: IncomingSnapshotHeld;
}

/** What a node holds of a snapshot being received: the first `received` bytes, whose CRC-32C is `receivedCrc`. */
export interface IncomingSnapshotHeld extends ReceivedSnapshotHead {
  received: number;
  receivedCrc: number;
}

/** A snapshot file's bytes as a leader sends them: `bytes` of them from `base` in the file, whose CRC-32C is `crc`. */
export interface SnapshotFileSource {
  index: number;
  bytes: number;
  crc: number;
}

/** What to do with a log that is damaged beyond a torn tail (see the header). */
export type RecoveryMode = 'refuse' | 'trust' | 'repair';

/** What the log held once its last fsync completed: the witness of what a later damage took away. */
export interface DurableMark {
  term: number;
  vote: string | undefined;
  lastIndex: number;
  lastTerm: number;
}

/** The file of DurableMark records (repair mode). */
export const durableMarkFile = 'raft.durable';
/** Past this size the mark file is rewritten with its last record alone. */
const durableMarkBytesMax = 256 * 1024;

/** The log cannot be trusted: restore refuses rather than guess (and the node does not start). */
export class StorageCorruptError extends StartRefusedError {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${file}: corrupt at byte ${offset} (${reason})`);
    this.name = 'StorageCorruptError';
  }
}

export function isStorageCorruptError(e: unknown): e is StorageCorruptError {
  return e instanceof StorageCorruptError;
}

/** Something restore repaired and the operator should hear about (a torn tail cut off). */
export type StorageWarning = (event: string, fields: Record<string, unknown>) => void;

interface Segment {
  n: number;
  file: string;
  /** Highest entry index written to it (0 when none). */
  maxIndex: number;
  bytes: number;
}

/** The records of one write are encoded into it (its buffer is reused; take() copies them out). */
const batch = new RecordBatch();

/**
 * A snapshot as the bytes of a snapshot file (checksummed records): also a backup's format. With
 * `parts` (encodeSnapshotPart, taken in slices), `snapshot.data` holds what is not in them.
 */
export function encodeSnapshotFile(snapshot: Snapshot, parts: readonly Uint8Array[] = []): Uint8Array {
  if (parts.length === 0) return batch.reset().value(snapshot).take();
  const head = batch.reset().value({ ...snapshot, parts: parts.length }).take();
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, head.length));
  bytes.set(head, 0);
  let at = head.length;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return bytes;
}

/** The head's `parts` of a snapshot file written as its parts were made, before their number was known. */
const streamedParts = -1;

/** A snapshot file being written a part at a time (RaftStorage.beginSnapshotWrite). */
export interface SnapshotWrite {
  part(bytes: Uint8Array): void;
  /** Every part is written: the file replaces the last snapshot once fsynced (the files returned). */
  finish(): string[];
  abort(): void;
  /**
   * The file's size and crc32c, computed a part at a time: a leader sends the file as InstallSnapshot
   * chunks read back from disk (RaftStorage.readSnapshotRange, Raft.offerSnapshotBytes) instead of
   * encoding the whole snapshot again in one go. Complete once finish() has run.
   */
  readonly written: SnapshotFileParts;
}

/** A snapshot file's size, with the crc32c of its bytes. */
export interface SnapshotFileParts {
  bytes: number;
  crc: number;
}

/** One part of a snapshot taken in slices: lists to append to the same-named lists of its data. */
export function encodeSnapshotPart(part: Record<string, unknown[]>): Uint8Array {
  return batch.reset().value(part).take();
}

/** Bytes [offset, offset + length) of a file, fewer at its end (Disk.readRange). */
export type ReadRange = (offset: number, length: number) => Uint8Array;

/**
 * A snapshot file read a record at a time (a follower loads a received one in slices, from disk):
 * the head at once, then each part on demand, never the whole file in memory. A record that does
 * not check out is a StorageCorruptError naming `file`.
 */
export class SnapshotFileReader {
  /** The snapshot's index, term and membership, and its data without what the parts hold. */
  readonly snapshot: Snapshot;
  /** For a file received in chunks: which snapshot it is, and where the leader's bytes start. */
  readonly received: (ReceivedSnapshotHead & { base: number }) | undefined;
  private offset = 0;
  private records = 0;
  private partsLeft: number;

  /** The reader of a file held whole in memory. */
  static ofBytes(bytes: Uint8Array, file: string): SnapshotFileReader {
    return new SnapshotFileReader((offset, length) => bytes.subarray(offset, offset + length), file);
  }

  constructor(
    private readonly read: ReadRange,
    private readonly file: string,
  ) {
    let first = this.unpack(this.nextRecord('no snapshot record')) as (Snapshot & { parts?: number }) | { received: ReceivedSnapshotHead };
    if (typeof first === 'object' && first !== null && 'received' in first) {
      this.received = { ...first.received, base: this.offset };
      this.records = 0;
      first = this.unpack(this.nextRecord('no snapshot record')) as Snapshot & { parts?: number };
    }
    const snap = first as Snapshot & { parts?: number };
    if (typeof snap !== 'object' || snap === null || !Number.isInteger(snap.index) || !Number.isInteger(snap.term)) throw new StorageCorruptError(file, 0, 'not a snapshot (no index and term)');
    // Streamed (streamedParts): every record after the head is a part; otherwise the head counts them.
    this.partsLeft = snap.parts === streamedParts ? Infinity : (snap.parts ?? 0);
    delete snap.parts;
    this.snapshot = snap;
  }

  /** The next part (lists to append to the same-named lists of the snapshot's data), or undefined after the last. */
  nextPart(): Record<string, unknown[]> | undefined {
    const record = this.nextRecord(undefined);
    if (record === undefined) {
      if (this.partsLeft !== Infinity && this.partsLeft > 0) throw new StorageCorruptError(this.file, this.offset, `${this.records} records where a snapshot of ${this.records + this.partsLeft} belongs`);
      return undefined;
    }
    if (this.partsLeft === 0) throw new StorageCorruptError(this.file, this.offset, `records after the last of a snapshot of ${this.records - 1}`);
    const part = this.unpack(record) as Record<string, unknown[]>;
    this.partsLeft--;
    const data = this.snapshot.data as Record<string, unknown>;
    for (const [field, items] of Object.entries(part ?? {})) {
      if (!Array.isArray(items) || !Array.isArray(data?.[field])) throw new StorageCorruptError(this.file, 0, `snapshot record ${this.records - 1}: "${field}" is not a list of the snapshot's`);
    }
    return part ?? {};
  }

  /** The record at the reader's offset; at the end of the file, undefined (or, with `missing`, that error). */
  private nextRecord(missing: string): Uint8Array;
  private nextRecord(missing: undefined): Uint8Array | undefined;
  private nextRecord(missing: string | undefined): Uint8Array | undefined {
    const header = this.read(this.offset, recordHeaderBytes);
    if (header.length === 0 && missing === undefined) return undefined;
    // The header first (its own checksum vouches for the length), then header and payload together.
    const head = scanRecords(header, 1);
    let scan = head;
    if (head.bad?.kind !== 'corrupt' && header.length === recordHeaderBytes) {
      const length = header[0] | (header[1] << 8) | (header[2] << 16) | (header[3] << 24);
      scan = scanRecords(this.read(this.offset, recordHeaderBytes + (length >>> 0)), 1);
    }
    // A snapshot is replaced atomically (write, fsync, rename): a bad one is never a torn write.
    if (scan.bad !== undefined || scan.records.length === 0) throw new StorageCorruptError(this.file, this.offset + (scan.bad?.offset ?? 0), scan.bad?.reason ?? missing ?? 'no record');
    this.offset += scan.validBytes;
    this.records++;
    return scan.records[0];
  }

  private unpack(record: Uint8Array): unknown {
    try {
      return decodeValue(record);
    } catch (e) {
      throw new StorageCorruptError(this.file, 0, `undecodable snapshot record ${this.records - 1}: ${(e as Error).message}`);
    }
  }
}

/** The snapshot of a snapshot file's (or a backup's) bytes; StorageCorruptError naming `file` when they are not one. */
export function decodeSnapshotFile(bytes: Uint8Array, file: string): Snapshot {
  return readWhole(SnapshotFileReader.ofBytes(bytes, file));
}

/** Every part of the reader's snapshot appended to its data. */
function readWhole(reader: SnapshotFileReader): Snapshot {
  const data = reader.snapshot.data as Record<string, unknown[]>;
  for (let part = reader.nextPart(); part !== undefined; part = reader.nextPart()) {
    for (const [field, items] of Object.entries(part)) for (const item of items) data[field].push(item);
  }
  return reader.snapshot;
}

export class RaftStorage {
  private segments: Segment[] = [];
  /** The last hard state written, to open every new segment with. */
  private lastHardState: HardState = { term: 0, vote: undefined, commit: 0 };

  private readonly segmentBytesMax: number;
  readonly recovery: RecoveryMode;
  /** Bytes in the mark file, to know when to rewrite it. */
  private markBytes = 0;
  /** Bytes of the last snapshot file written or read, and of the log written since it (snapshotLogBytesRatio). */
  private lastSnapshotBytes = 0;
  private logBytesSince = 0;
  /** What raft.snap holds, as a leader sends it (readSnapshotRange). */
  private snapshotSource: (SnapshotFileSource & { base: number }) | undefined;
  /** The snapshot being received: which one, where its bytes start in the file, how many are there. */
  private incoming: (ReceivedSnapshotHead & { base: number; received: number }) | undefined;

  constructor(
    private readonly disk: Disk,
    private readonly warn: StorageWarning = () => {},
    options: { segmentBytesMax?: number; recovery?: RecoveryMode } = {},
  ) {
    this.segmentBytesMax = options.segmentBytesMax ?? segmentBytesMax;
    this.recovery = options.recovery ?? 'refuse';
  }

  private get current(): Segment {
    return this.segments[this.segments.length - 1];
  }

  /** Read everything back (undefined when the node never wrote anything) and pick up the segments. */
  restore(): Restored | undefined {
    const names = this.disk
      .list()
      .filter((f) => f.startsWith(segmentPrefix) && /^\d+$/.test(f.slice(segmentPrefix.length)))
      .map((file) => ({ file, n: Number(file.slice(segmentPrefix.length)) }))
      .sort((a, b) => a.n - b.n);
    const changedFiles: string[] = [];
    let snapshot: Snapshot | undefined;
    try {
      snapshot = this.readSnapshot();
    } catch (e) {
      if (this.recovery === 'refuse' || !isStorageCorruptError(e)) throw e;
      // The state machine it held is gone; so is every entry it covered (their segments were removed).
      this.warn('snapshot_corrupt_dropped', { file: e.file, offset: e.offset, reason: e.reason });
      this.disk.remove(snapshotFile);
      changedFiles.push(snapshotFile);
    }
    this.segments = [];
    let hardState: HardState = { term: 0, vote: undefined, commit: 0 };
    const entries: Entry[] = [];
    /** Where the trusted log ends when a segment is damaged (trust and repair): nothing after it is read. */
    let damaged: StorageCorruptError | undefined;
    for (const { file, n } of names) {
      if (damaged !== undefined) {
        // After a damaged record the log cannot continue: a later segment's entries would leave a hole.
        this.disk.remove(file);
        changedFiles.push(file);
        continue;
      }
      const bytes = this.disk.read(file) ?? new Uint8Array();
      const scan = scanRecords(bytes);
      const last = n === names[names.length - 1].n;
      // Zeros alone are room the disk made ahead of the log (FileDisk's preallocation), in a closed
      // segment as in the last one: its end, not damage. Had a closed segment lost records to zeros,
      // the next segment's entries would leave a hole, which is judged below.
      const zeroTail = scan.bad !== undefined && zeroFrom(bytes, scan.validBytes);
      if (scan.bad?.kind === 'corrupt' || (scan.bad !== undefined && !zeroTail && !last && this.recovery !== 'refuse')) {
        const error = new StorageCorruptError(file, scan.bad.offset, scan.bad.reason);
        if (this.recovery === 'refuse') throw error;
        damaged = error;
        this.warn('wal_damage_cut', { file, offset: scan.bad.offset, bytes: bytes.length - scan.bad.offset, reason: scan.bad.reason, recovery: this.recovery });
        this.disk.truncate(file, scan.validBytes);
        changedFiles.push(file);
      } else if (scan.bad !== undefined) {
        // Never fsynced, so never acknowledged: cut it off and say so. Zeros alone are not a torn
        // write but room the disk made ahead of the log (FileDisk's preallocation): cut silently.
        if (!zeroTail) this.warn('wal_torn_tail_truncated', { file, offset: scan.bad.offset, bytes: bytes.length - scan.bad.offset, reason: scan.bad.reason });
        this.disk.truncate(file, scan.validBytes);
      }
      const seg: Segment = { n, file, maxIndex: 0, bytes: scan.validBytes };
      this.segments.push(seg);
      for (let i = 0; i < scan.records.length; i++) {
        let rec: WalRecord;
        try {
          rec = decodeWalRecord(scan.records[i]);
        } catch (e) {
          // The checksum held, so the bytes are what was written: a writer bug, not a torn write.
          throw new StorageCorruptError(file, i === 0 ? 0 : scan.ends[i - 1], `undecodable record: ${(e as Error).message}`);
        }
        if (rec.hs !== undefined) hardState = { term: rec.hs.term, vote: rec.hs.vote ?? undefined, commit: rec.hs.commit };
        for (const e of rec.e ?? []) {
          placeEntry(entries, e);
          if (e.index > seg.maxIndex) seg.maxIndex = e.index;
        }
      }
    }
    if (this.segments.length === 0) this.segments.push({ n: 1, file: `${segmentPrefix}1`, maxIndex: 0, bytes: 0 });
    this.logBytesSince = this.segments.reduce((n, s) => n + s.bytes, 0);
    const mark = this.recovery === 'trust' ? undefined : this.readMark();
    // A new member may have received part of its first snapshot and nothing else: that is kept too.
    const incoming = this.restoreIncoming(snapshot?.index ?? 0);
    if (names.length === 0 && snapshot === undefined && mark === undefined && incoming === undefined) return undefined;
    const from = snapshot?.index ?? 0;
    const kept = entries.filter((e) => e.index > from);
    // After the snapshot the log must run without a hole: a missing entry is a lost acknowledged one.
    for (let i = 0; i < kept.length; i++) {
      const expected = i === 0 ? from + 1 : kept[i - 1].index + 1;
      if (kept[i].index !== expected) {
        if (this.recovery === 'refuse') throw new StorageCorruptError(this.current.file, 0, `the log jumps from index ${expected - 1} to ${kept[i].index}`);
        this.warn('wal_hole_cut', { after: expected - 1, next: kept[i].index, recovery: this.recovery });
        kept.length = i;
        break;
      }
    }
    // A Ready's entries are written before its hard state, so a write torn between the two keeps
    // entries of a term the surviving hard state has not reached. Accepting them meant being in that
    // term; no vote in it can have been lost (a vote is durable before it is sent, in an earlier record).
    const lastTerm = kept.length > 0 ? kept[kept.length - 1].term : (snapshot?.term ?? 0);
    if (lastTerm > hardState.term) hardState = { term: lastTerm, vote: undefined, commit: hardState.commit };
    this.lastHardState = hardState;
    const restored: Restored = { hardState, entries: kept, snapshot, changedFiles };
    if (incoming !== undefined) restored.incomingSnapshot = incoming;
    if (mark !== undefined) this.judgeAgainstMark(restored, mark);
    return restored;
  }

  /**
   * Protocol-aware recovery: compare what survived with what was durable. The term and vote are
   * taken from the mark when the log lost them (a vote forgotten is a vote that can be given twice);
   * a log less up to date than the mark's last entry lost entries this node acknowledged.
   */
  private judgeAgainstMark(restored: Restored, mark: DurableMark): void {
    const hs = restored.hardState;
    if (mark.term > hs.term || (mark.term === hs.term && hs.vote === undefined && mark.vote !== undefined)) {
      restored.hardState = { term: mark.term, vote: mark.vote, commit: hs.commit };
      this.lastHardState = restored.hardState;
    }
    const last = restored.entries.length > 0 ? restored.entries[restored.entries.length - 1] : (restored.snapshot ?? { index: 0, term: 0 });
    // Raft's "at least as up to date" (§5.4.1): a later last term wins, then a longer log.
    const behind = mark.lastTerm > last.term || (mark.lastTerm === last.term && mark.lastIndex > last.index);
    if (!behind) return;
    if (this.recovery === 'refuse') {
      const seg = this.current;
      throw new StorageCorruptError(seg.file, seg.bytes, `the log ends at index ${last.index} of term ${last.term}, but entries up to index ${mark.lastIndex} of term ${mark.lastTerm} were durable (${durableMarkFile}): the log lost acknowledged entries`);
    }
    restored.repairUntil = { index: mark.lastIndex, term: mark.lastTerm };
    this.warn('wal_acknowledged_entries_lost', { durableIndex: mark.lastIndex, durableTerm: mark.lastTerm, restoredIndex: last.index, restoredTerm: last.term });
  }

  /** The last DurableMark written (a torn last record is one never acted on: the one before it holds). */
  private readMark(): DurableMark | undefined {
    const bytes = this.disk.read(durableMarkFile);
    if (bytes === undefined) return undefined;
    const scan = scanRecords(bytes);
    this.markBytes = scan.validBytes;
    if (scan.bad !== undefined) this.disk.truncate(durableMarkFile, scan.validBytes);
    if (scan.records.length === 0) return undefined;
    const rec = decodeMarkRecord(scan.records[scan.records.length - 1]);
    return { term: rec.t, vote: rec.v ?? undefined, lastIndex: rec.i, lastTerm: rec.lt };
  }

  /**
   * repair mode: record what the log now holds durably, once its fsync has completed, and before
   * anything is acknowledged on the strength of it. Returns the file to fsync.
   */
  writeMark(mark: DurableMark): string[] {
    const record = batch.reset().mark(mark.term, mark.vote, mark.lastIndex, mark.lastTerm).take();
    if (this.markBytes + record.length > durableMarkBytesMax) {
      this.disk.write(durableMarkFile, record);
      this.markBytes = record.length;
    } else {
      this.disk.append(durableMarkFile, record);
      this.markBytes += record.length;
    }
    return [durableMarkFile];
  }

  private readSnapshot(): Snapshot | undefined {
    const bytes = this.disk.read(snapshotFile);
    this.lastSnapshotBytes = bytes?.length ?? 0;
    if (bytes === undefined) return undefined;
    const reader = SnapshotFileReader.ofBytes(bytes, snapshotFile);
    const snapshot = readWhole(reader);
    // A received file's leader bytes and their CRC are named in it; our own file's are all of it.
    const received = reader.received;
    this.snapshotSource =
      received !== undefined ? { index: snapshot.index, base: received.base, bytes: received.total, crc: received.crc } : { index: snapshot.index, base: 0, bytes: bytes.length, crc: crc32c(bytes) };
    return snapshot;
  }

  /**
   * The part of a snapshot received in chunks before a stop (undefined when none worth going on
   * from): its complete records, the torn rest cut off. Nothing was acknowledged on its strength, so
   * any damage just ends what is kept.
   */
  private restoreIncoming(snapshotIndex: number): IncomingSnapshotHeld | undefined {
    const bytes = this.disk.read(incomingSnapshotFile);
    if (bytes === undefined) return undefined;
    const first = scanRecords(bytes, 1);
    let head: ReceivedSnapshotHead | undefined;
    try {
      if (first.records.length === 1) head = (decodeValue(first.records[0]) as { received?: ReceivedSnapshotHead }).received;
    } catch {
      head = undefined;
    }
    if (head === undefined || head.index <= snapshotIndex) {
      this.disk.remove(incomingSnapshotFile);
      return undefined;
    }
    const base = first.validBytes;
    const scan = scanRecords(bytes.subarray(base));
    if (scan.bad !== undefined) this.disk.truncate(incomingSnapshotFile, base + scan.validBytes);
    const received = Math.min(scan.validBytes, head.total);
    this.incoming = { ...head, base, received };
    this.warn('raft_snapshot_partial_kept', { index: head.index, received, total: head.total });
    return { ...head, received, receivedCrc: crc32c(bytes.subarray(base, base + received)) };
  }

  /**
   * Append chunks of a snapshot being received (the core's Ready.snapshotChunks). A chunk at offset
   * 0 starts the file over; any other continues exactly what the file holds (the core asks for no
   * other). Returns the file to fsync.
   */
  appendSnapshotChunk(chunk: SnapshotChunk): string[] {
    let inc = this.incoming;
    if (chunk.offset === 0 || inc === undefined || inc.index !== chunk.index || inc.crc !== chunk.crc) {
      invariant('raft', chunk.offset === 0, () => `a chunk at ${chunk.offset} of snapshot ${chunk.index}, of which nothing is held`);
      const head: ReceivedSnapshotHead = { index: chunk.index, term: chunk.term, crc: chunk.crc, total: chunk.total, conf: chunk.conf };
      const record = batch.reset().value({ received: head }).take();
      this.disk.remove(incomingSnapshotFile);
      this.disk.append(incomingSnapshotFile, record);
      inc = this.incoming = { ...head, base: record.length, received: 0 };
    }
    invariant('raft', chunk.offset === inc.received && inc.received + chunk.bytes.length <= inc.total, () => `a chunk at ${chunk.offset} of ${chunk.bytes.length} bytes after ${inc!.received} of ${inc!.total}`);
    this.disk.append(incomingSnapshotFile, chunk.bytes);
    inc.received += chunk.bytes.length;
    return [incomingSnapshotFile];
  }

  /**
   * The snapshot received in chunks is whole (the core checked its CRC): it becomes raft.snap as it
   * is, without being decoded or encoded. Durable once the returned file is fsynced.
   */
  installReceivedSnapshot(head: ReceivedSnapshotHead): string[] {
    const inc = this.incoming;
    invariant('raft', inc !== undefined && inc.index === head.index && inc.crc === head.crc && inc.received === inc.total, () => `installing snapshot ${head.index}, of which ${inc?.received ?? 0} of ${head.total} bytes are held`);
    if (this.disk.rename !== undefined) this.disk.rename(incomingSnapshotFile, snapshotFile);
    else {
      this.disk.write(snapshotFile, this.disk.read(incomingSnapshotFile)!);
      this.disk.remove(incomingSnapshotFile);
    }
    this.incoming = undefined;
    this.snapshotSource = { index: head.index, base: inc.base, bytes: head.total, crc: head.crc };
    this.lastSnapshotBytes = inc.base + head.total;
    this.logBytesSince = 0;
    return [snapshotFile];
  }

  /** Bytes of raft.snap as they are in the file, read when asked: a received snapshot loads a record at a time (SnapshotFileReader). */
  readSnapshotFileRange(offset: number, length: number): Uint8Array {
    const bytes = this.disk.readRange !== undefined ? this.disk.readRange(snapshotFile, offset, length) : this.disk.read(snapshotFile)?.slice(offset, offset + length);
    invariant('raft', bytes !== undefined, () => `no ${snapshotFile} to load`);
    return bytes;
  }

  /** What raft.snap holds, as a leader sends it: its index, size and CRC (undefined when there is none). */
  snapshotFileSource(): SnapshotFileSource | undefined {
    const src = this.snapshotSource;
    return src === undefined ? undefined : { index: src.index, bytes: src.bytes, crc: src.crc };
  }

  /**
   * Bytes [offset, offset + length) of the snapshot at `index` as a leader sends it, read from
   * raft.snap when asked: no copy of the file is held in memory while a follower receives it.
   */
  readSnapshotRange(index: number, offset: number, length: number): Uint8Array {
    const src = this.snapshotSource;
    invariant('raft', src !== undefined && src.index === index, () => `reading snapshot ${index} from a file that holds ${src?.index}`);
    const end = Math.min(offset + length, src.bytes);
    const at = src.base + offset;
    const bytes = this.disk.readRange !== undefined ? this.disk.readRange(snapshotFile, at, end - offset) : this.disk.read(snapshotFile)?.slice(at, src.base + end);
    invariant('raft', bytes !== undefined && bytes.length === end - offset, () => `${snapshotFile} gave ${bytes?.length} of ${end - offset} bytes at ${at}`);
    return bytes;
  }

  /** The hard state last written (not necessarily synced yet). */
  writtenHardState(): HardState {
    return this.lastHardState;
  }

  /** Append the records of one Ready to the current segment; returns the files to fsync. */
  append(hardState: HardState | undefined, entries: readonly Entry[]): string[] {
    if (hardState === undefined && entries.length === 0) return [];
    if (this.current.bytes >= this.segmentBytesMax) {
      // The new segment opens with the hard state, so it reads alone once older ones are removed.
      this.startSegment(hardState ?? this.lastHardState);
    }
    const seg = this.current;
    // One write for the Ready's records: the same bytes as two appends, one system call fewer.
    batch.reset();
    if (entries.length > 0) batch.entries(entries);
    if (hardState !== undefined) batch.hardState(hardState);
    const bytes = batch.take();
    this.disk.append(seg.file, bytes);
    seg.bytes += bytes.length;
    this.logBytesSince += bytes.length;
    if (hardState !== undefined) this.lastHardState = hardState;
    for (const e of entries) if (e.index > seg.maxIndex) seg.maxIndex = e.index;
    return [seg.file];
  }

  private startSegment(hardState: HardState): void {
    const n = this.current.n + 1;
    const next: Segment = { n, file: `${segmentPrefix}${n}`, maxIndex: 0, bytes: 0 };
    this.segments.push(next);
    const bytes = batch.reset().hardState(hardState).take();
    this.disk.append(next.file, bytes);
    next.bytes += bytes.length;
    this.lastHardState = hardState;
  }

  /** Write a snapshot (not durable until the returned file is fsynced). */
  writeSnapshot(snapshot: Snapshot, parts: readonly Uint8Array[] = []): string[] {
    const bytes = encodeSnapshotFile(snapshot, parts);
    this.disk.write(snapshotFile, bytes);
    this.snapshotSource = { index: snapshot.index, base: 0, bytes: bytes.length, crc: crc32c(bytes) };
    this.lastSnapshotBytes = bytes.length;
    this.logBytesSince = 0;
    return [snapshotFile];
  }

  /**
   * Write a snapshot taken in slices as it is taken: the head (`head.data` without what the parts
   * hold) now, each part (encodeSnapshotPart) as it is encoded, through the disk's writeStream, so
   * the last slice leaves no whole file to join and write. A disk without writeStream gets one
   * write() at finish().
   */
  beginSnapshotWrite(head: Snapshot): SnapshotWrite {
    const stream = this.disk.writeStream?.(snapshotFile);
    const written: SnapshotFileParts = { bytes: 0, crc: 0 };
    // Joined and written at finish() only without writeStream: a streamed file is read back when sent.
    const parts: Uint8Array[] = [];
    // The crc taken as each part goes by, so no step touches the whole file.
    const append = (bytes: Uint8Array) => {
      if (stream !== undefined) stream.append(bytes);
      else parts.push(bytes);
      written.bytes += bytes.length;
      written.crc = crc32c(bytes, written.crc);
    };
    append(batch.reset().value({ ...head, parts: streamedParts }).take());
    return {
      part: append,
      finish: () => {
        if (stream === undefined) this.disk.write(snapshotFile, concatBytes(parts));
        else stream.finish();
        this.snapshotSource = { index: head.index, base: 0, bytes: written.bytes, crc: written.crc };
        this.lastSnapshotBytes = written.bytes;
        this.logBytesSince = 0;
        return [snapshotFile];
      },
      abort: () => stream?.abort(),
      written,
    };
  }

  /** Bytes of the last snapshot file written or read (0 when none). */
  snapshotBytes(): number {
    return this.lastSnapshotBytes;
  }

  /** Bytes appended to the log since the last snapshot was written (since restore: all the segments hold). */
  logBytesSinceSnapshot(): number {
    return this.logBytesSince;
  }

  /** The highest entry index written to any segment (0 when none). */
  maxWrittenIndex(): number {
    return this.segments.reduce((m, s) => Math.max(m, s.maxIndex), 0);
  }

  /**
   * Once a snapshot at `index` is durable: start a new segment, opened with the latest hard state and
   * carrying `carried`, the log's entries after `index` that the closed segments hold. A closed segment
   * is then covered when its entries reach no further than the snapshot or the carried entries
   * (`everyClosed`: all of them, as after a snapshot installed from the leader, which replaced the
   * whole log). Without the carry, the segment the snapshot index falls in stays (a 24 MB one was
   * seen), and a restart decodes every entry it holds only to drop those the snapshot covers.
   * Returns the new segment's file to fsync, and what removes the covered segments once it is durable
   * (returning the files whose removal to fsync).
   */
  rotate(index: number, hardState: HardState, carried: readonly Entry[] = [], everyClosed = false): { sync: string[]; removeCovered: () => string[] } {
    invariant('raft', carried.length === 0 || carried[0].index === index + 1, () => `carrying entries from ${carried[0].index} after a snapshot at ${index}`);
    const reach = carried.length > 0 ? carried[carried.length - 1].index : index;
    const covered = this.segments.filter((s) => everyClosed || s.maxIndex <= reach);
    this.startSegment(hardState);
    if (carried.length > 0) this.append(undefined, carried);
    const removeCovered = () => {
      this.segments = this.segments.filter((s) => !covered.includes(s));
      for (const s of covered) this.disk.remove(s.file);
      return covered.map((s) => s.file);
    };
    return { sync: [this.current.file], removeCovered };
  }
}

function zeroFrom(bytes: Uint8Array, from: number): boolean {
  for (let i = from; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * Put an entry read from the log in place: after the last one, or replacing the entry at its index
 * and everything after (the entries a new leader overwrote). Entries are sorted by index; a jump
 * forward (entries after an installed snapshot) is kept and judged once the snapshot index is known.
 */
function placeEntry(entries: Entry[], e: Entry): void {
  const last = entries.length === 0 ? undefined : entries[entries.length - 1];
  if (last === undefined || e.index > last.index) {
    entries.push(e);
    return;
  }
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid].index < e.index) lo = mid + 1;
    else hi = mid;
  }
  entries.length = lo;
  entries.push(e);
}
