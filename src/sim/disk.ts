/**
 * A simulated disk with a volatile cache.
 *
 * Each file has a current content (what read() sees) and a durable content (what survives a crash).
 * fsync captures the current content when it is issued and makes it durable when it completes, after a
 * modelled delay. Completions of one file are FIFO, so durability never goes backwards. A crash
 * replaces every file's current content with its durable content.
 *
 * Content is kept as a list of chunks so that an fsync snapshot is O(1): appends only push to the
 * array the snapshot references, beyond the snapshot's length.
 *
 * The disk also fails the way real ones do, when a nemesis says so (DiskFaultKind), in the spirit of
 * TigerBeetle's storage simulator and of "Protocol-Aware Recovery for Consensus-Based Storage"
 * (Alagappan et al., FAST 2018):
 * - at a crash, a torn last write (a prefix of it reached the platter), or unsynced writes kept and
 *   lost out of order (a later write's sectors made it, an earlier one's did not and read as zeros);
 * - EIO or ENOSPC thrown by append and write while the fault lasts, as FileDisk throws them;
 * - a failed fsync (EIO or ENOSPC): its `done` never runs, the host hears of it, and the data it
 *   covered is dropped for good: a later fsync of that file "succeeds" without it (fsyncgate:
 *   PostgreSQL 2018, the kernel marks the dirty pages clean after a failed write-back);
 * - damage to what was durable, found by the next read: a flipped bit, a zeroed sector, a write that
 *   landed at the wrong offset (misdirected), a write that never reached the media (lost), a log cut
 *   short in the middle.
 */
import type { Disk, DiskWriteStream } from '../runtime/context.js';
import { DiskError } from '../runtime/disk-error.js';
import { bytesOfChunks, concatBytes } from '../runtime/records.js';
import type { RandomStream } from './rng.js';

/** The faults a nemesis can give a simulated disk. */
export const diskFaultKinds = ['torn-write', 'crash-reorder', 'eio-append', 'enospc-append', 'eio-fsync', 'enospc-fsync', 'bit-flip', 'zero-sector', 'misdirected-write', 'lost-write', 'cut-log'] as const;
export type DiskFaultKind = (typeof diskFaultKinds)[number];

/** How a crash treats the writes no fsync covered. */
export type CrashMode = 'lose-unsynced' | 'torn-write' | 'crash-reorder';

/** Damage to durable content, found by the next read. */
export type DamageKind = 'bit-flip' | 'zero-sector' | 'misdirected-write' | 'lost-write' | 'cut-log';

const sectorBytes = 512;

interface Content {
  chunks: Uint8Array[];
  length: number;
  exists: boolean;
}

interface FileState {
  current: { chunks: Uint8Array[]; exists: boolean };
  durable: Content;
  lastSyncDoneAt: number;
  /** fsyncgate: the byte ranges a failed fsync dropped; no later fsync makes them durable. */
  dropped: { from: number; to: number }[];
}

export interface DiskHost {
  /** Virtual time now. */
  now(): number;
  /** Delay of one fsync in ms (already includes the node's slowness). */
  fsyncDelayMs(): number;
  /** Schedule the completion of an fsync at a virtual time; the host drops it if the node crashed. */
  scheduleSync(at: number, file: string, complete: () => void): void;
  /** An fsync failed (at its completion time): the node can no longer trust this disk. */
  syncFailed?(error: DiskError): void;
}

export class SimDisk implements Disk {
  private readonly files = new Map<string, FileState>();
  /** While set, changes throw this errno (eio-append, enospc-append). */
  private changesFail: 'EIO' | 'ENOSPC' | undefined;
  /** The next fsync fails with this errno (eio-fsync, enospc-fsync). */
  private nextSyncFails: 'EIO' | 'ENOSPC' | undefined;

  constructor(private readonly host: DiskHost) {}

  private file(name: string): FileState {
    let f = this.files.get(name);
    if (f === undefined) {
      f = { current: { chunks: [], exists: false }, durable: { chunks: [], length: 0, exists: false }, lastSyncDoneAt: 0, dropped: [] };
      this.files.set(name, f);
    }
    return f;
  }

  private checkChange(op: 'append' | 'write' | 'truncate', file: string): void {
    const code = this.changesFail;
    if (code !== undefined) throw new DiskError(code, file, op, `${op} ${file}: ${code === 'ENOSPC' ? 'no space left on device' : 'input/output error'} (simulated)`);
  }

  write(file: string, data: Uint8Array): void {
    this.checkChange('write', file);
    const f = this.file(file);
    f.current = { chunks: [data.slice()], exists: true };
  }

  writeStream(file: string): DiskWriteStream {
    const chunks: Uint8Array[] = [];
    return {
      // One write, as write() is: the disk's faults get one chance at it, at finish().
      append: (data) => {
        chunks.push(data.slice());
      },
      finish: () => {
        this.checkChange('write', file);
        this.file(file).current = { chunks, exists: true };
      },
      abort: () => {
        chunks.length = 0;
      },
    };
  }

  append(file: string, data: Uint8Array): void {
    this.checkChange('append', file);
    const f = this.file(file);
    f.current.chunks.push(data.slice());
    f.current.exists = true;
  }

  read(file: string): Uint8Array | undefined {
    const f = this.files.get(file);
    if (f === undefined || !f.current.exists) return undefined;
    const chunks = f.current.chunks;
    if (chunks.length === 1) return chunks[0].slice();
    const out = concatBytes(chunks);
    // Compact into a fresh array; a pending fsync snapshot still references the old one.
    f.current = { chunks: [out], exists: true };
    return out.slice();
  }

  readRange(file: string, offset: number, length: number): Uint8Array | undefined {
    const f = this.files.get(file);
    if (f === undefined || !f.current.exists) return undefined;
    // From the chunks as they are: a range of a large file costs its own bytes, not the file's.
    return bytesOfChunks(f.current.chunks, offset, length).slice();
  }

  rename(from: string, to: string): void {
    this.checkChange('write', to);
    const src = this.file(from);
    if (!src.current.exists) throw new Error(`SimDisk: rename(${from}, ${to}): no such file`);
    // As write(to): durable at the next fsync of `to`, and a replaced file keeps its old content whole till then.
    this.file(to).current = { chunks: src.current.chunks.slice(), exists: true };
    // Gone at once and for good, as FileDisk's rename to `to`'s tmp file (removed after a crash) leaves it.
    src.current = { chunks: [], exists: false };
    src.durable = { chunks: [], length: 0, exists: false };
  }

  truncate(file: string, length: number): void {
    this.checkChange('truncate', file);
    const f = this.files.get(file);
    if (f === undefined || !f.current.exists) return;
    const all = concatBytes(f.current.chunks);
    // A fresh array: a pending fsync snapshot still references the old chunks.
    f.current = { chunks: [all.slice(0, Math.max(0, Math.min(length, all.length)))], exists: true };
  }

  remove(file: string): void {
    const f = this.files.get(file);
    if (f !== undefined) f.current = { chunks: [], exists: false };
  }

  list(): string[] {
    return [...this.files.entries()].filter(([, f]) => f.current.exists).map(([n]) => n).sort();
  }

  fsync(file: string, done: () => void): void {
    const f = this.file(file);
    const snapshot: Content = { chunks: f.current.chunks, length: f.current.chunks.length, exists: f.current.exists };
    const at = Math.max(this.host.now() + this.host.fsyncDelayMs(), f.lastSyncDoneAt);
    f.lastSyncDoneAt = at;
    const fails = this.nextSyncFails;
    this.nextSyncFails = undefined;
    this.host.scheduleSync(at, file, () => {
      if (fails !== undefined) {
        // The write-back failed and the kernel dropped the dirty pages: what this sync covered
        // beyond the durable content never reaches the disk, whatever a later fsync says.
        f.dropped.push({ from: bytesOf(f.durable), to: bytesOf(snapshot) });
        this.host.syncFailed?.(new DiskError(fails, file, 'fsync', `fsync ${file}: ${fails === 'ENOSPC' ? 'no space left on device' : 'input/output error'} (simulated)`));
        return;
      }
      f.durable = f.dropped.length === 0 ? snapshot : withDropped(snapshot, f.dropped);
      done();
    });
  }

  /**
   * Lose what was not made durable. A torn write keeps every unsynced write of a file but cuts its
   * last one short; crash-reorder keeps each unsynced write or not at random, and the ones lost before
   * a kept one read back as zeros. Both apply only to a file that was appended to since its last
   * fsync (a replaced file keeps its old content whole, as FileDisk's rename does).
   */
  crash(mode: CrashMode = 'lose-unsynced', random?: RandomStream): void {
    for (const f of this.files.values()) {
      const appended = f.current.chunks === f.durable.chunks && f.current.chunks.length > f.durable.length;
      if (mode !== 'lose-unsynced' && random !== undefined && appended) {
        const unsynced = f.current.chunks.slice(f.durable.length);
        const kept = f.durable.chunks.slice(0, f.durable.length);
        if (mode === 'torn-write') {
          kept.push(...unsynced.slice(0, -1));
          const last = unsynced[unsynced.length - 1];
          kept.push(last.slice(0, random.int(last.length)));
        } else {
          const keep = unsynced.map(() => random.next() < 0.5);
          const lastKept = keep.lastIndexOf(true);
          for (let i = 0; i <= lastKept; i++) kept.push(keep[i] ? unsynced[i] : new Uint8Array(unsynced[i].length));
        }
        f.durable = { chunks: kept, length: kept.length, exists: true };
      }
      f.current = { chunks: f.durable.chunks.slice(0, f.durable.length), exists: f.durable.exists };
      f.lastSyncDoneAt = 0;
      f.dropped = [];
    }
  }

  /** eio-append, enospc-append: every change throws this errno until cleared (undefined). */
  failChanges(code: 'EIO' | 'ENOSPC' | undefined): void {
    this.changesFail = code;
  }

  acceptsChanges(): boolean {
    return this.changesFail === undefined;
  }

  /** eio-fsync, enospc-fsync: the next fsync fails (or, with undefined, no longer). */
  failNextSync(code: 'EIO' | 'ENOSPC' | undefined): void {
    this.nextSyncFails = code;
  }

  /**
   * Damage the durable content of the file holding the most durable bytes (a node's log, in practice),
   * while the node is down: the next read finds it. Returns what was done, for the trace.
   */
  damage(kind: DamageKind, random: RandomStream): Record<string, unknown> | undefined {
    let target: [string, FileState] | undefined;
    for (const entry of [...this.files.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (entry[1].durable.exists && bytesOf(entry[1].durable) > (target === undefined ? 0 : bytesOf(target[1].durable))) target = entry;
    }
    if (target === undefined) return undefined;
    const [name, f] = target;
    const chunks = f.durable.chunks.slice(0, f.durable.length);
    const bytes = concatBytes(chunks);
    let detail: Record<string, unknown>;
    let out = bytes.slice();
    switch (kind) {
      case 'bit-flip': {
        const offset = random.int(bytes.length);
        out[offset] ^= 1 << random.int(8);
        detail = { offset };
        break;
      }
      case 'zero-sector': {
        const offset = random.int(Math.ceil(bytes.length / sectorBytes)) * sectorBytes;
        out.fill(0, offset, offset + sectorBytes);
        detail = { offset, bytes: Math.min(sectorBytes, bytes.length - offset) };
        break;
      }
      case 'misdirected-write': {
        // The last write landed somewhere earlier in the file; where it belonged, nothing was written.
        const last = chunks[chunks.length - 1];
        const at = bytes.length - last.length;
        const offset = random.int(Math.max(1, at));
        out.fill(0, at);
        out.set(last.subarray(0, Math.min(last.length, at - offset)), offset);
        detail = { intendedOffset: at, offset, bytes: last.length };
        break;
      }
      case 'lost-write': {
        // A write the disk acknowledged that never reached the media: its sectors read as zeros.
        const i = random.int(chunks.length);
        let offset = 0;
        for (let k = 0; k < i; k++) offset += chunks[k].length;
        out.fill(0, offset, offset + chunks[i].length);
        detail = { offset, bytes: chunks[i].length };
        break;
      }
      case 'cut-log': {
        const length = random.int(bytes.length);
        out = out.slice(0, length);
        detail = { length, of: bytes.length };
        break;
      }
    }
    f.durable = { chunks: [out], length: 1, exists: true };
    f.current = { chunks: [out], exists: true };
    return { file: name, ...detail };
  }
}

function bytesOf(c: Content): number {
  let n = 0;
  for (let i = 0; i < c.length; i++) n += c.chunks[i].length;
  return n;
}

/** Content as an fsync after a failed one makes it durable: the dropped ranges read as zeros. */
function withDropped(c: Content, dropped: readonly { from: number; to: number }[]): Content {
  const bytes = concatBytes(c.chunks.slice(0, c.length));
  for (const r of dropped) bytes.fill(0, r.from, Math.min(r.to, bytes.length));
  return { chunks: [bytes], length: 1, exists: c.exists };
}
