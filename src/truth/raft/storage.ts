/**
 * Raft's durable state on a Context disk: the same code writes the simulator's disk and real files.
 *
 * - A write-ahead log in segments `raft.wal.<n>`, each a sequence of framed records (a header with the
 *   length, the payload's CRC-32C and its own CRC-32C, then the payload: src/runtime/records.ts). A payload is a MessagePack `{ hs: HardState }` or `{ e: Entry[] }`.
 *   Replaying them in order rebuilds the state: the last hard state wins, and entries at index i
 *   replace whatever was at i and after (a follower truncated by a new leader logs the entries that
 *   replace the old ones). A new segment starts with the current hard state, so every segment can be
 *   read on its own; one is started when the current one passes `segmentBytesMax`, or after a snapshot.
 * - A snapshot `raft.snap`: one framed record holding the state machine as of an index. Once it is on
 *   disk, the segments it covers entirely are removed.
 *
 * What a crash leaves behind is told apart from what a bad disk does (scanRecords): a torn last
 * record (a write cut short, never fsynced, so nothing acknowledged depends on it) is cut off with a
 * warning, and zero bytes after the last record (a real disk grows segments ahead in zeros) silently; a bad record with good data after it, a bad snapshot or a hole in the log is corruption,
 * and restore refuses with the file and the byte offset rather than serve from a log it cannot trust.
 */
import { Packr } from 'msgpackr';
import type { Disk } from '../../runtime/context.js';
import { concatBytes, encodeRecord, scanRecords } from '../../runtime/records.js';
import type { Entry, HardState, Snapshot } from './types.js';

export const snapshotFile = 'raft.snap';
export const segmentPrefix = 'raft.wal.';
/** A segment past this size is closed and a new one started (smaller files to scan and remove). */
export const segmentBytesMax = 64 * 1024 * 1024;

/** Plain maps, not msgpackr's records: a log must read back the same whatever wrote it before. */
const packr = new Packr({ useRecords: false, variableMapSize: true });

export interface Restored {
  hardState: HardState;
  entries: Entry[];
  snapshot: Snapshot | undefined;
}

/** The log cannot be trusted: restore refuses rather than guess. */
export class StorageCorruptError extends Error {
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

type WalRecord = { hs?: { term: number; vote: string | null; commit: number }; e?: Entry[] };

const hsPayload = (hs: HardState): WalRecord => ({ hs: { term: hs.term, vote: hs.vote ?? null, commit: hs.commit } });
const frame = (rec: WalRecord | Snapshot) => encodeRecord(packr.pack(rec));

export class RaftStorage {
  private segments: Segment[] = [];
  /** The last hard state written, to open every new segment with. */
  private lastHardState: HardState = { term: 0, vote: undefined, commit: 0 };

  private readonly segmentBytesMax: number;

  constructor(
    private readonly disk: Disk,
    private readonly warn: StorageWarning = () => {},
    options: { segmentBytesMax?: number } = {},
  ) {
    this.segmentBytesMax = options.segmentBytesMax ?? segmentBytesMax;
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
    const snapshot = this.readSnapshot();
    this.segments = [];
    let hardState: HardState = { term: 0, vote: undefined, commit: 0 };
    const entries: Entry[] = [];
    for (const { file, n } of names) {
      const bytes = this.disk.read(file) ?? new Uint8Array();
      const scan = scanRecords(bytes);
      if (scan.bad?.kind === 'corrupt') throw new StorageCorruptError(file, scan.bad.offset, scan.bad.reason);
      if (scan.bad !== undefined) {
        // Never fsynced, so never acknowledged: cut it off and say so. Zeros alone are not a torn
        // write but room the disk made ahead of the log (FileDisk's preallocation): cut silently.
        if (!zeroFrom(bytes, scan.validBytes)) this.warn('wal_torn_tail_truncated', { file, offset: scan.bad.offset, bytes: bytes.length - scan.bad.offset, reason: scan.bad.reason });
        this.disk.truncate(file, scan.validBytes);
      }
      const seg: Segment = { n, file, maxIndex: 0, bytes: scan.validBytes };
      this.segments.push(seg);
      for (let i = 0; i < scan.records.length; i++) {
        let rec: WalRecord;
        try {
          rec = packr.unpack(scan.records[i]) as WalRecord;
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
    if (names.length === 0 && snapshot === undefined) return undefined;
    const from = snapshot?.index ?? 0;
    const kept = entries.filter((e) => e.index > from);
    // After the snapshot the log must run without a hole: a missing entry is a lost acknowledged one.
    for (let i = 0; i < kept.length; i++) {
      const expected = i === 0 ? from + 1 : kept[i - 1].index + 1;
      if (kept[i].index !== expected) {
        throw new StorageCorruptError(this.current.file, 0, `the log jumps from index ${expected - 1} to ${kept[i].index}`);
      }
    }
    this.lastHardState = hardState;
    return { hardState, entries: kept, snapshot };
  }

  private readSnapshot(): Snapshot | undefined {
    const bytes = this.disk.read(snapshotFile);
    if (bytes === undefined) return undefined;
    const scan = scanRecords(bytes);
    // A snapshot is replaced atomically (write, fsync, rename): a bad one is never a torn write.
    if (scan.bad !== undefined || scan.records.length !== 1) throw new StorageCorruptError(snapshotFile, scan.bad?.offset ?? scan.validBytes, scan.bad?.reason ?? `${scan.records.length} records where one snapshot belongs`);
    try {
      return packr.unpack(scan.records[0]) as Snapshot;
    } catch (e) {
      throw new StorageCorruptError(snapshotFile, 0, `undecodable snapshot: ${(e as Error).message}`);
    }
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
    const entriesRecord = entries.length > 0 ? frame({ e: entries as Entry[] }) : undefined;
    const hardStateRecord = hardState !== undefined ? frame(hsPayload(hardState)) : undefined;
    // One write for the Ready's records: the same bytes as two appends, one system call fewer.
    const bytes = entriesRecord !== undefined && hardStateRecord !== undefined ? concatBytes([entriesRecord, hardStateRecord]) : (entriesRecord ?? hardStateRecord)!;
    this.disk.append(seg.file, bytes);
    seg.bytes += bytes.length;
    if (hardState !== undefined) this.lastHardState = hardState;
    for (const e of entries) if (e.index > seg.maxIndex) seg.maxIndex = e.index;
    return [seg.file];
  }

  private appendRecord(seg: Segment, rec: WalRecord): void {
    const bytes = frame(rec);
    this.disk.append(seg.file, bytes);
    seg.bytes += bytes.length;
  }

  private startSegment(hardState: HardState): void {
    const n = this.current.n + 1;
    const next: Segment = { n, file: `${segmentPrefix}${n}`, maxIndex: 0, bytes: 0 };
    this.segments.push(next);
    this.appendRecord(next, hsPayload(hardState));
    this.lastHardState = hardState;
  }

  /** Write a snapshot (not durable until the returned file is fsynced). */
  writeSnapshot(snapshot: Snapshot): string[] {
    this.disk.write(snapshotFile, frame(snapshot));
    return [snapshotFile];
  }

  /**
   * Once a snapshot at `index` is durable: start a new segment (opened with the latest hard state)
   * and remove the segments it covers entirely. Returns the files whose change must be fsynced.
   */
  rotate(index: number, hardState: HardState): string[] {
    this.startSegment(hardState);
    const next = this.current;
    const gone = this.segments.filter((s) => s !== next && s.maxIndex <= index);
    this.segments = this.segments.filter((s) => s === next || s.maxIndex > index);
    for (const s of gone) this.disk.remove(s.file);
    return [next.file, ...gone.map((s) => s.file)];
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
