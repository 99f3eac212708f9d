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
 */
import type { Disk } from '../runtime/context.js';
import { concatBytes } from '../runtime/records.js';

interface Content {
  chunks: Uint8Array[];
  length: number;
  exists: boolean;
}

interface FileState {
  current: { chunks: Uint8Array[]; exists: boolean };
  durable: Content;
  lastSyncDoneAt: number;
}

export interface DiskHost {
  /** Virtual time now. */
  now(): number;
  /** Delay of one fsync in ms (already includes the node's slowness). */
  fsyncDelayMs(): number;
  /** Schedule the completion of an fsync at a virtual time; the host drops it if the node crashed. */
  scheduleSync(at: number, file: string, complete: () => void): void;
}

export class SimDisk implements Disk {
  private readonly files = new Map<string, FileState>();

  constructor(private readonly host: DiskHost) {}

  private file(name: string): FileState {
    let f = this.files.get(name);
    if (f === undefined) {
      f = { current: { chunks: [], exists: false }, durable: { chunks: [], length: 0, exists: false }, lastSyncDoneAt: 0 };
      this.files.set(name, f);
    }
    return f;
  }

  write(file: string, data: Uint8Array): void {
    const f = this.file(file);
    f.current = { chunks: [data.slice()], exists: true };
  }

  append(file: string, data: Uint8Array): void {
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

  truncate(file: string, length: number): void {
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
    this.host.scheduleSync(at, file, () => {
      f.durable = snapshot;
      done();
    });
  }

  /** Lose everything not made durable. */
  crash(): void {
    for (const f of this.files.values()) {
      f.current = { chunks: f.durable.chunks.slice(0, f.durable.length), exists: f.durable.exists };
      f.lastSyncDoneAt = 0;
    }
  }
}
