/**
 * The real Disk: files in one flat directory, with the contract of src/runtime/context.ts (and of the
 * simulator's SimDisk): a change is visible at once, and durable once an fsync issued after it completes.
 *
 * How each operation keeps that contract on a POSIX file system:
 *
 * - append: a synchronous write(2) to a descriptor kept open per file. Synchronous on purpose: when it
 *   returns, the bytes are in the page cache, which is "visible at once"; only fsync is asynchronous.
 * - write: atomic replacement. The new content goes to `<file>.tmp`; the next fsync(file) fdatasyncs the
 *   tmp file, renames it over the file and fsyncs the directory, in that order. Renaming before the
 *   data is durable can leave a zero-length file after a power loss (the ext4 "O_PONIES" problem); the
 *   directory fsync is what makes the rename itself durable (POSIX leaves it to the directory, ext4 and
 *   XFS may lose it otherwise). Until the fsync, read() serves the tmp file and a crash leaves the old
 *   content whole: the write-fsync-rename-fsync sequence a Raft snapshot needs.
 * - remove and creation change the directory, not the file: fsync(file) then fsyncs the directory too.
 * - fsync: group commit. One fdatasync in flight per file; the calls made while it runs wait for the
 *   next one, which covers them all (it starts after their writes). fdatasync, not fsync: the log only
 *   needs the data and the size, not the timestamps. The async fs.fdatasync runs on libuv's thread
 *   pool, so the event loop keeps serving while the disk flushes.
 *
 * Failures. A failed append, write or truncate throws a DiskError at once; the caller can refuse the
 * request and live on (an append cut short is rolled back to the previous size, so a later append
 * does not leave a torn record in the middle of the log). A failed fsync or rename is fatal: the
 * kernel may already have dropped the dirty pages and cleared the error, so a retried fsync can
 * "succeed" over lost data ("fsyncgate", PostgreSQL 2018; Rebello et al., "Can Applications Recover
 * from fsync Failures?", USENIX ATC 2020). So the `done` callbacks of a failed sync never run,
 * options.onFatal hears of it once, and from then on the FileDisk acknowledges nothing and refuses
 * every change: the process must restart and recover from what is on disk.
 *
 * Preallocation (options.preallocate, for write-ahead logs): a file named by it grows in chunks of
 * zero bytes written ahead of its end, and appends overwrite them in place. An fdatasync after an
 * append that grows a file must also write the inode (its size changed); one inside zeros already on
 * disk writes the data alone: measured on this project's VM with 1 MiB chunks and 300-byte appends,
 * 0.21 -> 0.15 ms per fdatasync (p50) and 0.81 -> 0.28 ms (p99); about 40% less kernel CPU per
 * fdatasync (8 KB appends into a pre-zeroed file). The price: after a
 * restart the file's size includes the zero tail, so its owner must find where its records end
 * and truncate() there before appending (RaftStorage.restore does; records.ts reads a zero tail as
 * the end). A chunk that cannot be written (a full disk) is given back, and the append is tried as is.
 *
 * Limits: the FileDisk owns its directory (one FileDisk per directory, nothing else writing there; it
 * tracks each open file's size itself). POSIX only: Windows cannot open a directory to fsync it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Disk, DiskWriteStream } from '../runtime/context.js';

import { DiskError, type DiskOp } from '../runtime/disk-error.js';

export { DiskError, isDiskError, type DiskOp } from '../runtime/disk-error.js';

export interface FileDiskOptions {
  /**
   * A sync or a rename failed: the disk can no longer promise durability. Called once; the default
   * throws the error from the I/O callback (an uncaught exception, which ends the process).
   */
  onFatal?: (e: DiskError) => void;
  /** Files to grow in chunks of zeros ahead of their appends (see the header), and the chunk size. */
  preallocate?: { files: (file: string) => boolean; chunkBytes: number };
}

export interface FileDiskStats {
  /** Calls of fsync(). */
  fsyncCalls: number;
  /** fdatasync system calls issued on files (log files and tmp files of writes). */
  fsyncs: number;
  /** fsync system calls issued on the directory (after a rename, a creation or a removal). */
  dirFsyncs: number;
  /** Bytes appended by append() that succeeded. */
  bytesAppended: number;
  /** Bytes written by write() that succeeded. */
  bytesWritten: number;
}

/** Suffix of the files holding a write() not yet renamed over its file. */
const tmpSuffix = '.tmp';
/** Before the tmp suffix, for a writeStream() not yet finished (removed on open, like every tmp file). */
const streamSuffix = '.stream';

/**
 * An open descriptor, shared between the file's state and the syncs running on it. It is closed only
 * when nothing uses it: closing a descriptor while fdatasync runs on it in the thread pool would let
 * the number be reused by another open, and the sync would flush the wrong file.
 */
class Descriptor {
  users = 0;
  retired = false;
  constructor(
    readonly fd: number,
    /** Size of the file as this FileDisk made it (it owns the directory). */
    public size: number,
    /** For a preallocated file, its size on disk: zero bytes from `size` up to here. */
    public allocated?: number,
  ) {}

  acquire(): void {
    this.users++;
  }

  release(): void {
    this.users--;
    if (this.retired && this.users === 0) closeQuietly(this.fd);
  }

  /** No new use; close as soon as the current ones end. */
  retire(): void {
    if (this.retired) return;
    this.retired = true;
    if (this.users === 0) closeQuietly(this.fd);
  }
}

/** A write() whose content sits in the tmp file, not yet renamed over the file. */
interface PendingWrite {
  descriptor: Descriptor;
  /** A sync has started on it: the tmp file must not be deleted or replaced under that sync. */
  syncing: boolean;
  /** Renamed over the file (by its sync, or early by a change that had to apply to the new content). */
  renamed: boolean;
}

interface FileState {
  readonly name: string;
  /** Descriptor open for appending on the file's current inode, when one has been needed. */
  appender: Descriptor | undefined;
  pending: PendingWrite | undefined;
  /** The directory entry changed (created, renamed over, removed) since a directory fsync covered it. */
  dirEntryDirty: boolean;
  /** done callbacks of fsync calls that the next sync will cover, in call order. */
  waiting: (() => void)[];
  sync: 'idle' | 'scheduled' | 'running';
}

export class FileDisk implements Disk {
  readonly stats: FileDiskStats = { fsyncCalls: 0, fsyncs: 0, dirFsyncs: 0, bytesAppended: 0, bytesWritten: 0 };
  private readonly files = new Map<string, FileState>();
  private readonly dirFd: number;
  private readonly onFatal: (e: DiskError) => void;
  private readonly preallocate: FileDiskOptions['preallocate'];
  /** The first fatal error; once set, nothing is acknowledged and every change is refused. */
  private failure: DiskError | undefined;
  private closing = false;
  private closed: Promise<void> | undefined;
  /** Files whose sync is scheduled or running; close() waits for it to reach 0. */
  private syncsActive = 0;
  private syncsIdleWaiters: (() => void)[] = [];

  constructor(
    readonly dir: string,
    options: FileDiskOptions = {},
  ) {
    this.preallocate = options.preallocate;
    if (this.preallocate !== undefined && !(Number.isInteger(this.preallocate.chunkBytes) && this.preallocate.chunkBytes > 0)) {
      throw new RangeError(`FileDisk: preallocate.chunkBytes must be a positive integer, got ${this.preallocate.chunkBytes}`);
    }
    this.onFatal =
      options.onFatal ??
      ((e) => {
        throw e;
      });
    try {
      fs.mkdirSync(dir, { recursive: true });
      // A tmp file is a write() that was never fsynced before the process stopped: not durable, so
      // not part of the disk. Removing it is the crash the simulator models.
      for (const name of fs.readdirSync(dir)) {
        if (name.endsWith(tmpSuffix)) fs.rmSync(path.join(dir, name), { force: true });
      }
      this.dirFd = fs.openSync(dir, 'r');
    } catch (e) {
      throw diskError(e, 'open', '.', `open ${dir}`);
    }
  }

  append(file: string, data: Uint8Array): void {
    this.checkChange('append', file);
    const f = this.state(file);
    if (f.pending !== undefined) this.renamePendingNow(f, 'append');
    const d = this.appender(f, 'append');
    if (d.allocated !== undefined && d.size + data.length > d.allocated) this.growZeros(d, d.size + data.length);
    try {
      writeFully(d.fd, data, d.allocated !== undefined ? d.size : undefined);
    } catch (e) {
      const error = diskError(e, 'append', file);
      if (partialWriteLength(e) > 0) this.rollBackAppend(f, d, d.size, error);
      throw error;
    }
    d.size += data.length;
    this.stats.bytesAppended += data.length;
  }

  write(file: string, data: Uint8Array): void {
    this.checkChange('write', file);
    const f = this.state(file);
    this.replacePending(f, 'write');
    const tmp = this.tmpPath(file);
    let fd: number | undefined;
    try {
      fd = fs.openSync(tmp, 'w');
      writeFully(fd, data);
    } catch (e) {
      if (fd !== undefined) closeQuietly(fd);
      removeQuietly(tmp);
      throw diskError(e, 'write', file);
    }
    f.pending = { descriptor: new Descriptor(fd, data.length), syncing: false, renamed: false };
    this.stats.bytesWritten += data.length;
  }

  /**
   * write() in pieces: they go to `<file>.stream.tmp` as they come (a sliced snapshot writes each
   * slice so, and nothing is joined and written at the end); finish() renames it to the tmp file a
   * write() would have made, and from there it is a pending write like any other (see the header).
   */
  writeStream(file: string): DiskWriteStream {
    this.checkChange('write', file);
    const streamPath = this.tmpPath(`${file}${streamSuffix}`);
    let fd: number;
    try {
      fd = fs.openSync(streamPath, 'w');
    } catch (e) {
      throw diskError(e, 'write', file);
    }
    let size = 0;
    let open = true;
    const drop = () => {
      if (!open) return;
      open = false;
      closeQuietly(fd);
      removeQuietly(streamPath);
    };
    return {
      append: (data) => {
        this.checkChange('write', file);
        try {
          writeFully(fd, data);
        } catch (e) {
          drop();
          throw diskError(e, 'write', file);
        }
        size += data.length;
        this.stats.bytesWritten += data.length;
      },
      finish: () => {
        this.checkChange('write', file);
        const f = this.state(file);
        this.replacePending(f, 'write');
        try {
          fs.renameSync(streamPath, this.tmpPath(file));
        } catch (e) {
          drop();
          throw diskError(e, 'write', file);
        }
        open = false;
        f.pending = { descriptor: new Descriptor(fd, size), syncing: false, renamed: false };
      },
      abort: drop,
    };
  }

  /** Cut the file to its first `length` bytes (clamped to [0, size], as in the simulator; no-op if missing). */
  truncate(file: string, length: number): void {
    this.checkChange('truncate', file);
    if (!Number.isFinite(length)) throw new RangeError(`FileDisk: truncate(${file}) to ${length} bytes`);
    const f = this.state(file);
    if (f.pending !== undefined) this.renamePendingNow(f, 'truncate');
    if (!this.exists(f, 'truncate')) return;
    const d = this.appender(f, 'truncate');
    const target = Math.max(0, Math.min(Math.floor(length), d.size));
    // A preallocated file is cut on disk too: bytes left beyond the end would sit after the next appends.
    if (target === d.size && (d.allocated === undefined || d.allocated === target)) return;
    try {
      fs.ftruncateSync(d.fd, target);
    } catch (e) {
      throw diskError(e, 'truncate', file);
    }
    d.size = target;
    if (d.allocated !== undefined) d.allocated = target;
  }

  remove(file: string): void {
    this.checkChange('remove', file);
    const f = this.state(file);
    this.replacePending(f, 'remove');
    if (f.appender !== undefined) {
      f.appender.retire();
      f.appender = undefined;
    }
    try {
      fs.rmSync(this.filePath(file), { force: true });
    } catch (e) {
      throw diskError(e, 'remove', file);
    }
    f.dirEntryDirty = true;
  }

  read(file: string): Uint8Array | undefined {
    validateName(file);
    const f = this.files.get(file);
    const p = f?.pending !== undefined ? this.tmpPath(file) : this.filePath(file);
    let buf: Buffer;
    try {
      buf = fs.readFileSync(p);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return undefined;
      throw diskError(e, 'read', file);
    }
    // A plain Uint8Array (as the simulator returns), over the Buffer's own memory: no copy.
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  readRange(file: string, offset: number, length: number): Uint8Array | undefined {
    validateName(file);
    const f = this.files.get(file);
    const p = f?.pending !== undefined ? this.tmpPath(file) : this.filePath(file);
    let fd: number;
    try {
      fd = fs.openSync(p, 'r');
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return undefined;
      throw diskError(e, 'read', file);
    }
    try {
      const out = new Uint8Array(length);
      let n = 0;
      while (n < length) {
        const got = fs.readSync(fd, out, n, length - n, offset + n);
        if (got === 0) break;
        n += got;
      }
      return n === length ? out : out.slice(0, n);
    } catch (e) {
      throw diskError(e, 'read', file);
    } finally {
      closeQuietly(fd);
    }
  }

  /**
   * `from` becomes the tmp file of a pending write of `to` (see write()): the next fsync(to)
   * fdatasyncs it, renames it over `to` and fsyncs the directory. A crash before then removes it.
   */
  rename(from: string, to: string): void {
    this.checkChange('write', to);
    validateName(from);
    const src = this.state(from);
    if (src.pending !== undefined) this.renamePendingNow(src, 'write');
    src.appender?.retire();
    src.appender = undefined;
    const f = this.state(to);
    this.replacePending(f, 'write');
    const tmp = this.tmpPath(to);
    let fd: number | undefined;
    try {
      fs.renameSync(this.filePath(from), tmp);
      fd = fs.openSync(tmp, 'r+');
      f.pending = { descriptor: new Descriptor(fd, fs.fstatSync(fd).size), syncing: false, renamed: false };
    } catch (e) {
      if (fd !== undefined) closeQuietly(fd);
      throw diskError(e, 'write', to);
    }
    src.dirEntryDirty = true;
  }

  list(): string[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter((n) => !n.endsWith(tmpSuffix));
    } catch (e) {
      throw diskError(e, 'list', '.');
    }
    const all = new Set(names);
    // A write() to a new file exists at once, though only its tmp file is on disk yet.
    for (const f of this.files.values()) if (f.pending !== undefined) all.add(f.name);
    return [...all].sort();
  }

  /**
   * Make everything written to `file` so far durable, then call `done`. Calls made while a sync of
   * the file runs are served together by the next one; `done` callbacks run in call order. After a
   * fatal error nothing is acknowledged: `done` never runs.
   */
  fsync(file: string, done: () => void): void {
    validateName(file);
    if (this.closing) throw new Error(`FileDisk ${this.dir}: fsync(${file}) after close()`);
    this.stats.fsyncCalls++;
    if (this.failure !== undefined) return;
    const f = this.state(file);
    f.waiting.push(done);
    if (f.sync === 'idle') {
      // Start after the current task's synchronous code: every fsync it makes joins this one sync.
      f.sync = 'scheduled';
      this.syncsActive++;
      queueMicrotask(() => this.startSync(f));
    }
  }

  /**
   * Stop: refuse every new change and fsync, let the syncs already requested finish (their `done`
   * callbacks run), then close every descriptor. A write() not yet fsynced is dropped, as a crash would
   * (its tmp file is removed by the next FileDisk on the directory).
   */
  close(): Promise<void> {
    if (this.closed !== undefined) return this.closed;
    this.closing = true;
    this.closed = new Promise<void>((resolve) => {
      const closeAll = () => {
        for (const f of this.files.values()) {
          f.appender?.retire();
          f.appender = undefined;
          f.pending?.descriptor.retire();
          f.pending = undefined;
        }
        closeQuietly(this.dirFd);
        resolve();
      };
      if (this.syncsActive === 0) closeAll();
      else this.syncsIdleWaiters.push(closeAll);
    });
    return this.closed;
  }

  // ---- syncs ----

  private startSync(f: FileState): void {
    if (this.failure !== undefined) return this.endSyncs(f);
    const batch = f.waiting;
    f.waiting = [];
    f.sync = 'running';
    const fail = (e: unknown, op: DiskOp) => {
      this.endSyncs(f);
      this.fatal(diskError(e, op, f.name));
    };
    const acknowledge = () => {
      if (this.failure !== undefined) return this.endSyncs(f);
      try {
        for (const done of batch) done();
      } finally {
        // Calls made while this sync ran (or by the callbacks just now) are the next batch.
        if (f.waiting.length > 0 && this.failure === undefined) this.startSync(f);
        else this.endSyncs(f);
      }
    };
    const syncDirectory = () => {
      f.dirEntryDirty = false;
      this.stats.dirFsyncs++;
      fs.fsync(this.dirFd, (err) => (err ? fail(err, 'fsync') : acknowledge()));
    };

    const p = f.pending;
    if (p !== undefined) {
      // A write() to make durable: data of the tmp file, then the rename, then the directory.
      p.syncing = true;
      p.descriptor.acquire();
      this.stats.fsyncs++;
      fs.fdatasync(p.descriptor.fd, (err) => {
        p.descriptor.release();
        if (err) return fail(err, 'fsync');
        // A change made meanwhile may have renamed it already (after its own fdatasync of the tmp).
        if (!p.renamed) {
          try {
            this.renamePending(f, p);
          } catch (e) {
            return fail(e, 'rename');
          }
        }
        syncDirectory();
      });
      return;
    }

    let d: Descriptor | undefined;
    try {
      if (this.exists(f, 'fsync')) d = this.appender(f, 'fsync');
    } catch (e) {
      return fail(e, 'fsync');
    }
    if (d === undefined) return syncDirectory(); // removed or never there: make its absence durable
    const withDirectory = f.dirEntryDirty;
    const descriptor = d;
    descriptor.acquire();
    this.stats.fsyncs++;
    fs.fdatasync(descriptor.fd, (err) => {
      descriptor.release();
      if (err) return fail(err, 'fsync');
      if (withDirectory) syncDirectory();
      else acknowledge();
    });
  }

  private endSyncs(f: FileState): void {
    f.sync = 'idle';
    f.waiting = [];
    this.syncsActive--;
    if (this.syncsActive === 0) {
      const waiters = this.syncsIdleWaiters;
      this.syncsIdleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private fatal(e: DiskError): void {
    if (this.failure !== undefined) return;
    this.failure = e;
    this.onFatal(e);
  }

  // ---- pending writes ----

  /** Rename the tmp file over the file (its data must already be durable). */
  private renamePending(f: FileState, p: PendingWrite): void {
    fs.renameSync(this.tmpPath(f.name), this.filePath(f.name));
    p.renamed = true;
    if (f.pending === p) f.pending = undefined;
    p.descriptor.retire();
    // The appender, if any, is open on the replaced inode.
    f.appender?.retire();
    f.appender = undefined;
    f.dirEntryDirty = true;
  }

  /**
   * Finish a pending write at once (a change must apply to the new content, as in the simulator):
   * fdatasync the tmp file, then rename it. The directory fsync is left to the next fsync(file):
   * until then a crash keeps either the old or the new content, both whole.
   */
  private renamePendingNow(f: FileState, op: DiskOp): void {
    const p = f.pending;
    if (p === undefined) return;
    let stage: DiskOp = 'fsync';
    try {
      this.stats.fsyncs++;
      fs.fdatasyncSync(p.descriptor.fd);
      stage = 'rename';
      this.renamePending(f, p);
    } catch (e) {
      const error = diskError(e, stage, f.name, `${op} ${f.name}: finishing the pending write`);
      this.fatal(error);
      throw error;
    }
  }

  /**
   * A change that replaces the file's content: a pending write whose sync holds the tmp file is
   * finished first; one whose sync has not started promised nothing and is dropped.
   */
  private replacePending(f: FileState, op: DiskOp): void {
    if (f.pending === undefined) return;
    if (f.pending.syncing) this.renamePendingNow(f, op);
    else this.discardPending(f, op);
  }

  private discardPending(f: FileState, op: DiskOp): void {
    const p = f.pending;
    if (p === undefined) return;
    f.pending = undefined;
    p.descriptor.retire();
    try {
      fs.rmSync(this.tmpPath(f.name), { force: true });
    } catch (e) {
      throw diskError(e, op, f.name);
    }
  }

  // ---- helpers ----

  /**
   * Write zero bytes from the file's allocated end to a whole number of chunks past `end`. Best
   * effort: when the disk cannot take them, what was written of them is given back and the append
   * goes ahead without them (and fails on its own if the disk is full).
   */
  private growZeros(d: Descriptor, end: number): void {
    const chunk = this.preallocate!.chunkBytes;
    const from = d.allocated!;
    const to = (Math.floor(end / chunk) + 1) * chunk;
    try {
      const zeros = zeroChunk(chunk);
      for (let at = from; at < to; at += chunk) writeFully(d.fd, zeros.subarray(0, Math.min(chunk, to - at)), at);
      d.allocated = to;
    } catch {
      try {
        fs.ftruncateSync(d.fd, from);
      } catch {
        // Zeros past the end read as the end of the log; leaving them is harmless.
      }
    }
  }

  /** Undo the part of a failed append that reached the file, so the log has no torn record inside. */
  private rollBackAppend(f: FileState, d: Descriptor, size: number, cause: DiskError): void {
    try {
      fs.ftruncateSync(d.fd, size);
      d.size = size;
      if (d.allocated !== undefined) d.allocated = size;
    } catch {
      // The file now ends in a torn record that later appends would bury: stop changing it.
      this.fatal(new DiskError(cause.code, f.name, 'append', `append ${f.name}: could not roll back a partial append (${cause.message})`, { cause }));
    }
  }

  private checkChange(op: DiskOp, file: string): void {
    validateName(file);
    if (this.closing) throw new Error(`FileDisk ${this.dir}: ${op}(${file}) after close()`);
    const failure = this.failure;
    if (failure !== undefined) {
      throw new DiskError(failure.code, file, op, `${op} ${file}: the disk failed earlier (${failure.message})`, { cause: failure });
    }
  }

  private state(file: string): FileState {
    let f = this.files.get(file);
    if (f === undefined) {
      f = { name: file, appender: undefined, pending: undefined, dirEntryDirty: false, waiting: [], sync: 'idle' };
      this.files.set(file, f);
    }
    return f;
  }

  private appender(f: FileState, op: DiskOp): Descriptor {
    if (f.appender !== undefined) return f.appender;
    let fd: number | undefined;
    try {
      // A preallocated file is written at positions (O_APPEND would write after its zeros).
      const preallocated = this.preallocate?.files(f.name) === true;
      fd = fs.openSync(this.filePath(f.name), preallocated ? fs.constants.O_WRONLY | fs.constants.O_CREAT : 'a');
      const size = fs.fstatSync(fd).size;
      f.appender = new Descriptor(fd, size, preallocated ? size : undefined);
    } catch (e) {
      if (fd !== undefined) closeQuietly(fd);
      throw diskError(e, op, f.name);
    }
    // It may have just been created, or created by an earlier process that stopped before fsyncing
    // the directory: the first fsync of the file covers the directory entry too.
    f.dirEntryDirty = true;
    return f.appender;
  }

  private exists(f: FileState, op: DiskOp): boolean {
    if (f.appender !== undefined) return true;
    try {
      return fs.statSync(this.filePath(f.name), { throwIfNoEntry: false }) !== undefined;
    } catch (e) {
      throw diskError(e, op, f.name);
    }
  }

  private filePath(file: string): string {
    return path.join(this.dir, file);
  }

  private tmpPath(file: string): string {
    return path.join(this.dir, file + tmpSuffix);
  }
}

/**
 * Flat names only, and none that could be mistaken for a tmp file (removed when a FileDisk opens).
 * A bad name is a programming error, not a disk failure: a RangeError, not a DiskError.
 */
function validateName(file: string): void {
  const problem =
    typeof file !== 'string' || file.length === 0
      ? 'empty'
      : file.includes('/') || file.includes('\\')
        ? 'contains a path separator'
        : file.includes('..') || file === '.'
          ? 'contains ".." or is "."'
          : file.includes('\0')
            ? 'contains NUL'
            : file.endsWith(tmpSuffix)
              ? `ends with ${tmpSuffix} (reserved for pending writes)`
              : undefined;
  if (problem !== undefined) throw new RangeError(`FileDisk: invalid file name ${JSON.stringify(file)}: ${problem}`);
}

/**
 * Write all of `data`, looping over short writes (a signal, a quota, a nearly full disk can cut a
 * write(2) short). If an error ends it midway, the bytes already written are attached to the error.
 */
function writeFully(fd: number, data: Uint8Array, position?: number): void {
  let written = 0;
  while (written < data.length) {
    let n: number;
    try {
      n = position === undefined ? fs.writeSync(fd, data, written, data.length - written) : fs.writeSync(fd, data, written, data.length - written, position + written);
    } catch (e) {
      if (e !== null && typeof e === 'object') (e as { partialWriteLength?: number }).partialWriteLength = written;
      throw e;
    }
    if (n <= 0) {
      const e = Object.assign(new Error(`write(2) returned ${n} with ${data.length - written} bytes left`), { code: 'EIO', partialWriteLength: written });
      throw e;
    }
    written += n;
  }
}

let zeros: Buffer | undefined;
/** A buffer of at least `bytes` zero bytes, shared (never written to). */
function zeroChunk(bytes: number): Buffer {
  if (zeros === undefined || zeros.length < bytes) zeros = Buffer.alloc(bytes);
  return zeros;
}

function partialWriteLength(e: unknown): number {
  const n = (e as { partialWriteLength?: unknown } | null)?.partialWriteLength;
  return typeof n === 'number' ? n : 0;
}

function errnoCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function diskError(e: unknown, op: DiskOp, file: string, context?: string): DiskError {
  if (e instanceof DiskError) return e;
  const code = errnoCode(e) ?? 'EIO';
  const detail = e instanceof Error ? e.message : String(e);
  return new DiskError(code, file, op, `${context ?? `${op} ${file}`}: ${detail}`, { cause: e });
}

/** Best effort: the file is a tmp file, which the next FileDisk on the directory removes anyway. */
function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // see above
  }
}

/**
 * Errors of close(2) are ignored: durability is decided by the fsyncs, which report write-back errors
 * themselves; a close error cannot un-acknowledge anything.
 */
function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // see above
  }
}
