/**
 * FileDisk on a temporary directory: the Disk contract (visible at once, durable after fsync), atomic
 * replacement, group commit, and how failures surface. A power loss cannot be staged here; "what a
 * restart sees" is a second FileDisk opened on the directory after the first one stopped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DiskError, FileDisk, isDiskError } from './file-disk.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pillars-disk-'));
}

/** Run `body` with a fresh directory and FileDisk, then close it and remove the directory. */
async function withDisk(body: (disk: FileDisk, dir: string) => Promise<void> | void, options?: ConstructorParameters<typeof FileDisk>[1]): Promise<void> {
  const dir = tempDir();
  const disk = new FileDisk(dir, options);
  try {
    await body(disk, dir);
  } finally {
    await disk.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const fsynced = (disk: FileDisk, file: string) => new Promise<void>((resolve) => disk.fsync(file, resolve));

test('file-disk: append, read, list, remove', async () => {
  await withDisk(async (disk, dir) => {
    assert.equal(disk.read('wal.1'), undefined);
    assert.deepEqual(disk.list(), []);
    disk.append('wal.1', bytes('hello '));
    disk.append('wal.1', bytes('world'));
    disk.append('b', bytes('x'));
    assert.equal(str(disk.read('wal.1')), 'hello world');
    assert.ok(!Buffer.isBuffer(disk.read('wal.1')), 'a plain Uint8Array, as the simulator returns');
    assert.deepEqual(disk.list(), ['b', 'wal.1']);
    assert.equal(fs.readFileSync(path.join(dir, 'wal.1'), 'utf8'), 'hello world', 'in the file at once');
    await fsynced(disk, 'wal.1');
    disk.remove('wal.1');
    assert.equal(disk.read('wal.1'), undefined);
    assert.deepEqual(disk.list(), ['b']);
    disk.remove('never-there');
    disk.append('wal.1', bytes('again'));
    assert.equal(str(disk.read('wal.1')), 'again', 'a removed file starts anew');
    assert.equal(disk.stats.bytesAppended, 17);
  });
});

test('file-disk: fsync of a removed file fsyncs the directory', async () => {
  await withDisk(async (disk) => {
    disk.append('a', bytes('1'));
    await fsynced(disk, 'a');
    const before = { ...disk.stats };
    disk.remove('a');
    await fsynced(disk, 'a');
    assert.equal(disk.stats.fsyncs, before.fsyncs, 'no data to flush');
    assert.equal(disk.stats.dirFsyncs, before.dirFsyncs + 1);
  });
});

test('file-disk: a new file is made durable with its directory entry, later syncs only flush data', async () => {
  await withDisk(async (disk) => {
    disk.append('a', bytes('1'));
    await fsynced(disk, 'a');
    assert.deepEqual([disk.stats.fsyncs, disk.stats.dirFsyncs], [1, 1]);
    disk.append('a', bytes('2'));
    await fsynced(disk, 'a');
    assert.deepEqual([disk.stats.fsyncs, disk.stats.dirFsyncs], [2, 1]);
  });
});

test('file-disk: write is atomic: new content after write and fsync', async () => {
  await withDisk(async (disk, dir) => {
    disk.write('snap', bytes('old'));
    assert.equal(str(disk.read('snap')), 'old');
    assert.deepEqual(disk.list(), ['snap'], 'a pending write of a new file is listed');
    await fsynced(disk, 'snap');
    disk.write('snap', bytes('new content'));
    assert.equal(str(disk.read('snap')), 'new content', 'visible at once');
    assert.equal(fs.readFileSync(path.join(dir, 'snap'), 'utf8'), 'old', 'not yet renamed over the file');
    await fsynced(disk, 'snap');
    assert.equal(fs.readFileSync(path.join(dir, 'snap'), 'utf8'), 'new content');
    assert.deepEqual(fs.readdirSync(dir), ['snap'], 'no tmp file left');
  });
});

test('file-disk: writeStream: pieces go to disk as they come, nothing shows before finish, then it is a write like any other; abort leaves the old content', async () => {
  await withDisk(async (disk, dir) => {
    disk.write('snap', bytes('old'));
    await fsynced(disk, 'snap');
    const stream = disk.writeStream('snap');
    stream.append(bytes('new '));
    stream.append(bytes('content'));
    assert.equal(fs.readFileSync(path.join(dir, 'snap.stream.tmp'), 'utf8'), 'new content', 'on disk piece by piece');
    assert.equal(str(disk.read('snap')), 'old', 'not the content before finish');
    assert.deepEqual(disk.list(), ['snap']);
    stream.finish();
    assert.equal(str(disk.read('snap')), 'new content', 'visible once finished');
    assert.equal(fs.readFileSync(path.join(dir, 'snap'), 'utf8'), 'old', 'not yet renamed over the file');
    await fsynced(disk, 'snap');
    assert.equal(fs.readFileSync(path.join(dir, 'snap'), 'utf8'), 'new content');
    assert.deepEqual(fs.readdirSync(dir), ['snap'], 'no tmp file left');

    const dropped = disk.writeStream('snap');
    dropped.append(bytes('half'));
    dropped.abort();
    assert.equal(str(disk.read('snap')), 'new content');
    assert.deepEqual(fs.readdirSync(dir), ['snap'], 'the stream file is gone');
  });
});

test('file-disk: write without fsync: a FileDisk opened after it sees the old content and no tmp file', async () => {
  const dir = tempDir();
  try {
    const first = new FileDisk(dir);
    first.write('snap', bytes('old'));
    await fsynced(first, 'snap');
    first.write('snap', bytes('new'));
    first.write('fresh', bytes('never synced'));
    assert.equal(str(first.read('snap')), 'new');
    await first.close();
    assert.ok(fs.readdirSync(dir).some((n) => n.endsWith('.tmp')), 'the stopped process left its tmp files');

    const second = new FileDisk(dir);
    assert.equal(str(second.read('snap')), 'old');
    assert.equal(second.read('fresh'), undefined);
    assert.deepEqual(second.list(), ['snap']);
    assert.deepEqual(fs.readdirSync(dir), ['snap'], 'leftover tmp files removed on open');
    await second.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('file-disk: rename gives a file another\'s content as a write would: old content after a stop before its fsync, new after; readRange reads a piece', async () => {
  const dir = tempDir();
  try {
    const first = new FileDisk(dir);
    first.write('snap', bytes('old'));
    await fsynced(first, 'snap');
    first.append('incoming', bytes('new '));
    first.append('incoming', bytes('content'));
    first.rename('incoming', 'snap');
    assert.equal(str(first.read('snap')), 'new content', 'visible at once');
    assert.equal(str(first.readRange('snap', 4, 100)), 'content', 'a range, cut at the end');
    assert.equal(first.read('incoming'), undefined, 'the old name is gone at once');
    assert.deepEqual(first.list(), ['snap']);
    await first.close();

    const stopped = new FileDisk(dir);
    assert.equal(str(stopped.read('snap')), 'old', 'not fsynced: the old content, whole');
    assert.equal(stopped.read('incoming'), undefined);
    stopped.append('incoming', bytes('newer'));
    stopped.rename('incoming', 'snap');
    await fsynced(stopped, 'snap');
    await stopped.close();

    const third = new FileDisk(dir);
    assert.equal(str(third.read('snap')), 'newer');
    assert.equal(str(third.readRange('snap', 1, 3)), 'ewe');
    assert.equal(third.readRange('missing', 0, 3), undefined);
    assert.deepEqual(fs.readdirSync(dir), ['snap']);
    await third.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('file-disk: append and truncate after a pending write apply to the new content', async () => {
  await withDisk(async (disk) => {
    disk.append('f', bytes('old old old'));
    disk.write('f', bytes('new'));
    disk.append('f', bytes('+more'));
    assert.equal(str(disk.read('f')), 'new+more');
    disk.write('g', bytes('abcdef'));
    disk.truncate('g', 2);
    assert.equal(str(disk.read('g')), 'ab');
    await fsynced(disk, 'f');
    await fsynced(disk, 'g');
  });
  const dir = tempDir();
  try {
    const first = new FileDisk(dir);
    first.write('f', bytes('new'));
    first.append('f', bytes('+more'));
    await fsynced(first, 'f');
    await first.close();
    const second = new FileDisk(dir);
    assert.equal(str(second.read('f')), 'new+more');
    await second.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('file-disk: changes made while a write is being synced', async () => {
  await withDisk(async (disk, dir) => {
    disk.write('s', bytes('one'));
    const order: string[] = [];
    disk.fsync('s', () => order.push('one'));
    await Promise.resolve(); // the sync has started: its fdatasync is in the thread pool
    disk.write('s', bytes('two'));
    assert.equal(str(disk.read('s')), 'two');
    disk.fsync('s', () => order.push('two'));
    await fsynced(disk, 's');
    assert.deepEqual(order, ['one', 'two']);
    assert.equal(fs.readFileSync(path.join(dir, 's'), 'utf8'), 'two');

    disk.write('r', bytes('doomed'));
    disk.fsync('r', () => order.push('r'));
    await Promise.resolve();
    disk.remove('r');
    await fsynced(disk, 'r');
    assert.equal(disk.read('r'), undefined);
    assert.equal(fs.existsSync(path.join(dir, 'r')), false);
    assert.deepEqual(order, ['one', 'two', 'r']);
    assert.deepEqual(fs.readdirSync(dir), ['s']);
  });
});

test('file-disk: group commit: 1,000 fsync calls in one tick cost at most 2 fdatasyncs', async () => {
  await withDisk(async (disk) => {
    const order: number[] = [];
    const all: Promise<void>[] = [];
    for (let i = 0; i < 1000; i++) {
      disk.append('wal', bytes(`record ${i}\n`));
      all.push(new Promise<void>((resolve) => disk.fsync('wal', () => (order.push(i), resolve()))));
    }
    await Promise.all(all);
    assert.equal(disk.stats.fsyncCalls, 1000);
    assert.ok(disk.stats.fsyncs <= 2, `${disk.stats.fsyncs} fdatasyncs`);
    assert.deepEqual(order, Array.from({ length: 1000 }, (_, i) => i), 'done callbacks in call order');
  });
});

test('file-disk: calls made while a sync runs wait for the next one, which serves them all, in order', async () => {
  await withDisk(async (disk) => {
    const order: string[] = [];
    disk.append('wal', bytes('a'));
    disk.fsync('wal', () => order.push('first'));
    await Promise.resolve(); // the first sync is now in flight
    for (let i = 0; i < 50; i++) {
      disk.append('wal', bytes('b'));
      disk.fsync('wal', () => order.push(`queued ${i}`));
    }
    assert.deepEqual(order, [], 'nothing acknowledged before the disk says so');
    await fsynced(disk, 'wal');
    assert.equal(order[0], 'first');
    assert.deepEqual(order.slice(1), Array.from({ length: 50 }, (_, i) => `queued ${i}`));
    assert.equal(disk.stats.fsyncs, 2, 'one for the first call, one for all the calls queued behind it');
  });
});

test('file-disk: a done callback may fsync again; syncs of different files run side by side', async () => {
  await withDisk(async (disk) => {
    const order: string[] = [];
    disk.append('a', bytes('1'));
    disk.append('b', bytes('2'));
    // b's one sync runs beside a's two, so it may end before, between or after them.
    await Promise.all([
      new Promise<void>((resolve) => {
        disk.fsync('a', () => {
          order.push('a1');
          disk.append('a', bytes('3'));
          disk.fsync('a', () => (order.push('a2'), resolve()));
        });
      }),
      new Promise<void>((resolve) => disk.fsync('b', () => (order.push('b1'), resolve()))),
    ]);
    assert.deepEqual(
      order.filter((x) => x.startsWith('a')),
      ['a1', 'a2'],
    );
    assert.equal(order.filter((x) => x === 'b1').length, 1);
    assert.ok(disk.stats.fsyncs >= 3, `${disk.stats.fsyncs} fdatasyncs: two of a, one of b`);
  });
});

test('file-disk: fsync of a file that never existed completes (its absence made durable)', async () => {
  await withDisk(async (disk) => {
    await fsynced(disk, 'ghost');
    assert.equal(disk.stats.fsyncs, 0);
    assert.equal(disk.stats.dirFsyncs, 1);
    assert.deepEqual(disk.list(), []);
  });
});

test('file-disk: truncate cuts a file, never extends it, ignores a missing file', async () => {
  await withDisk(async (disk, dir) => {
    disk.append('wal', bytes('0123456789'));
    disk.truncate('wal', 4);
    assert.equal(str(disk.read('wal')), '0123');
    disk.append('wal', bytes('X'));
    assert.equal(str(disk.read('wal')), '0123X', 'appends continue at the new end');
    disk.truncate('wal', 100);
    assert.equal(str(disk.read('wal')), '0123X');
    disk.truncate('wal', 0);
    assert.equal(str(disk.read('wal')), '');
    disk.truncate('missing', 3);
    assert.equal(disk.read('missing'), undefined);
    assert.equal(fs.existsSync(path.join(dir, 'missing')), false);
    await fsynced(disk, 'wal');
  });
  // A file from an earlier process, truncated without being appended to first.
  const dir = tempDir();
  try {
    fs.writeFileSync(path.join(dir, 'old'), 'abcdef');
    const disk = new FileDisk(dir);
    disk.truncate('old', 3);
    assert.equal(str(disk.read('old')), 'abc');
    disk.append('old', bytes('!'));
    assert.equal(str(disk.read('old')), 'abc!');
    await disk.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('file-disk: names must be flat and not look like tmp files', async () => {
  await withDisk((disk) => {
    for (const bad of ['', '.', '..', 'a/b', '../x', 'a\\b', 'a..b', 'nul\0', 'snap.tmp']) {
      assert.throws(() => disk.append(bad, bytes('x')), RangeError, JSON.stringify(bad));
      assert.throws(() => disk.write(bad, bytes('x')), RangeError);
      assert.throws(() => disk.read(bad), RangeError);
      assert.throws(() => disk.truncate(bad, 0), RangeError);
      assert.throws(() => disk.remove(bad), RangeError);
      assert.throws(() => disk.fsync(bad, () => {}), RangeError);
    }
    disk.append('raft.wal.1', bytes('ok'));
    disk.append('.hidden', bytes('ok'));
    assert.deepEqual(disk.list(), ['.hidden', 'raft.wal.1']);
  });
});

test('file-disk: a failing append throws a DiskError with the OS code (a directory where the file should be)', async () => {
  await withDisk((disk, dir) => {
    fs.mkdirSync(path.join(dir, 'wal'));
    const e = captureError(() => disk.append('wal', bytes('x')));
    assert.ok(isDiskError(e));
    assert.equal(e.code, 'EISDIR');
    assert.equal(e.file, 'wal');
    assert.equal(e.op, 'append');
    fs.rmdirSync(path.join(dir, 'wal'));
    disk.append('wal', bytes('fine now'));
    assert.equal(str(disk.read('wal')), 'fine now', 'an append failure is not fatal');
  });
});

test('file-disk: an append cut short by an error is rolled back, so no torn record is left inside the log', { skip: fs.existsSync('/bin/bash') ? false : 'needs bash for ulimit' }, () => {
  // A file size limit (ulimit -f, in 1024-byte blocks) makes write(2) stop short at the limit and the
  // next write fail with EFBIG: the short-write-then-error path of a disk filling up.
  const dir = tempDir();
  try {
    const script = `
      import { FileDisk } from ${JSON.stringify(new URL('./file-disk.js', import.meta.url).href)};
      const disk = new FileDisk(${JSON.stringify(dir)});
      disk.append('wal', new Uint8Array(1000).fill(1));
      let code = 'none';
      try { disk.append('wal', new Uint8Array(5000).fill(2)); } catch (e) { code = e.code; }
      disk.append('wal', new Uint8Array(10).fill(3));
      console.log(JSON.stringify({ code, length: disk.read('wal').length }));
      await disk.close();`;
    const run = spawnSync('/bin/bash', ['-c', 'trap "" XFSZ; ulimit -f 4; exec "$0" --input-type=module -e "$1"', process.execPath, script], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { code: 'EFBIG', length: 1010 });
    const content = fs.readFileSync(path.join(dir, 'wal'));
    assert.equal(content.length, 1010);
    assert.ok(content.subarray(0, 1000).every((b) => b === 1) && content.subarray(1000).every((b) => b === 3), 'the cut append left nothing behind');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const runsAsRoot = typeof process.getuid === 'function' && process.getuid() === 0;

test('file-disk: appending in a read-only directory throws a DiskError EACCES', { skip: runsAsRoot ? 'root ignores directory permissions' : false }, async () => {
  await withDisk((disk, dir) => {
    fs.chmodSync(dir, 0o500);
    try {
      const e = captureError(() => disk.append('wal', bytes('x')));
      assert.ok(isDiskError(e));
      assert.equal(e.code, 'EACCES');
    } finally {
      fs.chmodSync(dir, 0o700);
    }
  });
});

test('file-disk: ENOSPC from a log file that is a symlink to /dev/full', { skip: fs.existsSync('/dev/full') ? false : 'no /dev/full' }, async () => {
  await withDisk((disk, dir) => {
    fs.symlinkSync('/dev/full', path.join(dir, 'wal'));
    const e = captureError(() => disk.append('wal', bytes('a record')));
    assert.ok(e instanceof DiskError);
    assert.equal(e.code, 'ENOSPC');
    assert.equal(e.op, 'append');
    assert.equal(disk.stats.bytesAppended, 0);
    disk.append('other', bytes('still usable'));
  });
});

test('file-disk: a failed fsync calls onFatal once, acknowledges nothing, and refuses later changes', { skip: fs.existsSync('/dev/null') ? false : 'no /dev/null' }, async () => {
  const fatal: DiskError[] = [];
  let reported!: () => void;
  const reportedOnce = new Promise<void>((resolve) => (reported = resolve));
  await withDisk(
    async (disk, dir) => {
      // fdatasync of a character device fails with EINVAL: a stand-in for an EIO from a dying disk.
      fs.symlinkSync('/dev/null', path.join(dir, 'wal'));
      disk.append('wal', bytes('x'));
      let acknowledged = 0;
      disk.fsync('wal', () => acknowledged++);
      disk.fsync('wal', () => acknowledged++);
      await reportedOnce;
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(acknowledged, 0);
      assert.equal(fatal.length, 1);
      assert.equal(fatal[0].op, 'fsync');
      assert.equal(fatal[0].file, 'wal');
      assert.equal(fatal[0].code, 'EINVAL');

      const later = captureError(() => disk.append('other', bytes('y')));
      assert.ok(isDiskError(later), 'changes are refused after a fatal error');
      disk.fsync('other', () => acknowledged++);
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(acknowledged, 0, 'and nothing is acknowledged any more');
      assert.equal(fatal.length, 1, 'onFatal hears of it once');
    },
    {
      onFatal: (e) => {
        fatal.push(e);
        reported();
      },
    },
  );
});

test('file-disk: close waits for the syncs already requested, then refuses new ones', async () => {
  const dir = tempDir();
  try {
    const disk = new FileDisk(dir);
    let acknowledged = false;
    disk.append('wal', bytes('x'));
    disk.fsync('wal', () => (acknowledged = true));
    await disk.close();
    assert.equal(acknowledged, true);
    assert.throws(() => disk.append('wal', bytes('y')), /after close/);
    assert.throws(() => disk.fsync('wal', () => {}), /after close/);
    assert.equal(str(disk.read('wal')), 'x', 'reads still work');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('file-disk: the constructor creates a missing directory', async () => {
  const parent = tempDir();
  try {
    const dir = path.join(parent, 'a', 'b');
    const disk = new FileDisk(dir);
    assert.ok(fs.statSync(dir).isDirectory());
    await disk.close();
  } finally {
    fs.rmSync(parent, { recursive: true, force: true });
  }
});

function captureError(fn: () => void): DiskError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DiskError) return e;
    throw e;
  }
  assert.fail('expected a DiskError');
}

test('file-disk: a preallocated file grows in chunks of zeros ahead of its appends, which land at its end', async () => {
  const chunkBytes = 4096;
  const preallocate = { files: (f: string) => f.startsWith('wal.'), chunkBytes };
  await withDisk(async (disk, dir) => {
    disk.append('wal.1', bytes('abc'));
    disk.append('other', bytes('abc'));
    assert.equal(fs.statSync(path.join(dir, 'wal.1')).size, chunkBytes, 'one chunk of room');
    assert.equal(fs.statSync(path.join(dir, 'other')).size, 3, 'files it does not name grow as written');
    disk.append('wal.1', new Uint8Array(5000).fill(7));
    const on = fs.readFileSync(path.join(dir, 'wal.1'));
    assert.equal(on.length, 2 * chunkBytes, 'grown by whole chunks, still ahead of the end');
    assert.equal(str(on.subarray(0, 3)), 'abc');
    assert.ok(on.subarray(3, 5003).every((b) => b === 7), 'the second append right after the first');
    assert.ok(on.subarray(5003).every((b) => b === 0), 'zeros after the end');
    await fsynced(disk, 'wal.1');
    // After a restart the size on disk includes the zeros: the owner truncates at its end, then appends follow it.
    await disk.close();
    const again = new FileDisk(dir, { preallocate });
    try {
      assert.equal(again.read('wal.1')!.length, 2 * chunkBytes);
      again.truncate('wal.1', 5003);
      assert.equal(fs.statSync(path.join(dir, 'wal.1')).size, 5003, 'cut on disk, zeros and all');
      again.append('wal.1', bytes('xyz'));
      const back = again.read('wal.1')!;
      assert.equal(str(back.subarray(5003, 5006)), 'xyz');
      assert.ok(back.subarray(5006).every((b) => b === 0));
    } finally {
      await again.close();
    }
  }, { preallocate });
});

test('file-disk: preallocate.chunkBytes must be a positive integer', () => {
  const dir = tempDir();
  try {
    assert.throws(() => new FileDisk(dir, { preallocate: { files: () => true, chunkBytes: 0 } }), /preallocate.chunkBytes must be a positive integer, got 0/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
