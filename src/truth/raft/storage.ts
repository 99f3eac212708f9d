/**
 * Raft's durable state on a Context disk.
 *
 * - A write-ahead log in segments `raft.wal.<n>`: records, one JSON line each, `{"hs": HardState}` or
 *   `{"e": Entry[]}`. Replaying them in order rebuilds the state: the last hard state wins, and
 *   entries at index i replace whatever was at i and after (a follower truncated by a new leader
 *   logs the entries that replace the old ones). A new segment starts with the current hard state.
 * - A snapshot `raft.snap`: the state machine as of an index. Once it is on disk, the segments it
 *   covers entirely are removed.
 *
 * A torn last line (a crash in the middle of a real write) is ignored: it was never fsynced, so
 * nothing acknowledged depends on it.
 */
import type { Disk } from '../../runtime/context.js';
import type { Entry, HardState, Snapshot } from './types.js';

export const snapshotFile = 'raft.snap';
const segmentPrefix = 'raft.wal.';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface Restored {
  hardState: HardState;
  entries: Entry[];
  snapshot: Snapshot | undefined;
}

interface Segment {
  n: number;
  file: string;
  /** Highest entry index written to it (0 when none). */
  maxIndex: number;
}

const hsRecord = (hs: HardState) => JSON.stringify({ hs: { ...hs, vote: hs.vote ?? null } }) + '\n';

export class RaftStorage {
  private segments: Segment[] = [];

  constructor(private readonly disk: Disk) {}

  private get current(): Segment {
    return this.segments[this.segments.length - 1];
  }

  /** Read everything back (undefined when the node never wrote anything) and pick up the segments. */
  restore(): Restored | undefined {
    const names = this.disk
      .list()
      .filter((f) => f.startsWith(segmentPrefix))
      .map((file) => ({ file, n: Number(file.slice(segmentPrefix.length)) }))
      .sort((a, b) => a.n - b.n);
    const snapBytes = this.disk.read(snapshotFile);
    const snapshot = snapBytes === undefined ? undefined : (JSON.parse(decoder.decode(snapBytes)) as Snapshot);
    this.segments = [];
    let hardState: HardState = { term: 0, vote: undefined, commit: 0 };
    const entries: Entry[] = [];
    for (const { file, n } of names) {
      const seg: Segment = { n, file, maxIndex: 0 };
      this.segments.push(seg);
      const lines = decoder.decode(this.disk.read(file) ?? new Uint8Array()).split('\n');
      for (let i = 0; i < lines.length; i++) {
        if (lines[i] === '') continue;
        let rec: { hs?: { term: number; vote: string | null; commit: number }; e?: Entry[] };
        try {
          rec = JSON.parse(lines[i]);
        } catch {
          if (i === lines.length - 1) break; // torn tail
          throw new Error(`${file}: record ${i + 1} is corrupt`);
        }
        if (rec.hs !== undefined) hardState = { term: rec.hs.term, vote: rec.hs.vote ?? undefined, commit: rec.hs.commit };
        for (const e of rec.e ?? []) {
          const at = entries.findIndex((x) => x.index >= e.index);
          if (at >= 0) entries.length = at;
          entries.push(e);
          seg.maxIndex = Math.max(seg.maxIndex, e.index);
        }
      }
    }
    if (this.segments.length === 0) this.segments.push({ n: 1, file: `${segmentPrefix}1`, maxIndex: 0 });
    if (names.length === 0 && snapshot === undefined) return undefined;
    const from = snapshot?.index ?? 0;
    return { hardState, entries: entries.filter((e) => e.index > from), snapshot };
  }

  /** Append the records of one Ready to the current segment; returns the files to fsync. */
  append(hardState: HardState | undefined, entries: readonly Entry[]): string[] {
    let text = '';
    if (entries.length > 0) text += JSON.stringify({ e: entries }) + '\n';
    if (hardState !== undefined) text += hsRecord(hardState);
    if (text === '') return [];
    const seg = this.current;
    this.disk.append(seg.file, encoder.encode(text));
    for (const e of entries) seg.maxIndex = Math.max(seg.maxIndex, e.index);
    return [seg.file];
  }

  /** Write a snapshot (not durable until the returned file is fsynced). */
  writeSnapshot(snapshot: Snapshot): string[] {
    this.disk.write(snapshotFile, encoder.encode(JSON.stringify(snapshot)));
    return [snapshotFile];
  }

  /**
   * Once a snapshot at `index` is durable: start a new segment (opened with the latest hard state)
   * and remove the segments it covers entirely. Returns the files whose change must be fsynced.
   */
  rotate(index: number, hardState: HardState): string[] {
    const next: Segment = { n: this.current.n + 1, file: `${segmentPrefix}${this.current.n + 1}`, maxIndex: 0 };
    this.disk.append(next.file, encoder.encode(hsRecord(hardState)));
    const gone = this.segments.filter((s) => s.maxIndex <= index);
    this.segments = [...this.segments.filter((s) => s.maxIndex > index), next];
    for (const s of gone) this.disk.remove(s.file);
    return [next.file, ...gone.map((s) => s.file)];
  }
}
