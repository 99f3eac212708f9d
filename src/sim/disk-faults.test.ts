/**
 * The simulated disk failing the way real ones do (disk.ts), and the world stopping a node whose disk
 * failed and restarting it from what is durable (world.ts), as a real node stops its Raft member.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Context, Process } from '../runtime/context.js';
import { isDiskError } from '../runtime/disk-error.js';
import { SimDisk } from './disk.js';
import type { RandomStream } from './rng.js';
import { World } from './world.js';
import { StartRefusedError, supervisorDefaults } from '../runtime/member-supervisor.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

/** Draws that follow a script: next() and int() take the values given, in order. */
function scripted(...values: number[]): RandomStream {
  let i = 0;
  const next = () => values[i++ % values.length];
  return { next, int: (n) => Math.floor(next() * n), u32: () => 0 };
}

/** A disk whose fsyncs complete at once, with the failures it reports. */
function disk(): { d: SimDisk; failures: string[] } {
  const failures: string[] = [];
  const d = new SimDisk({ now: () => 0, fsyncDelayMs: () => 0, scheduleSync: (_at, _file, complete) => complete(), syncFailed: (e) => failures.push(`${e.op} ${e.file} ${e.code}`) });
  return { d, failures };
}

test('rename: as FileDisk\'s, the old content of the target survives a crash before its fsync, the source does not; readRange reads across appends', () => {
  const { d } = disk();
  d.write('snap', enc('old'));
  d.fsync('snap', () => {});
  d.append('incoming', enc('new '));
  d.fsync('incoming', () => {});
  d.append('incoming', enc('content'));
  assert.equal(dec(d.readRange('incoming', 2, 4)), 'w co', 'a range across two appends');
  d.rename('incoming', 'snap');
  assert.equal(dec(d.read('snap')), 'new content');
  assert.deepEqual(d.list(), ['snap']);
  d.crash();
  assert.equal(dec(d.read('snap')), 'old');
  assert.equal(d.read('incoming'), undefined, 'its content was the target\'s new one, lost with it');
  d.append('incoming', enc('newer'));
  d.rename('incoming', 'snap');
  d.fsync('snap', () => {});
  d.crash();
  assert.equal(dec(d.read('snap')), 'newer');
});

test('a torn write keeps the unsynced writes before the last, and a prefix of the last', () => {
  const { d } = disk();
  d.append('log', enc('synced|'));
  d.fsync('log', () => {});
  d.append('log', enc('one|'));
  d.append('log', enc('two|'));
  d.crash('torn-write', scripted(0.5));
  assert.equal(dec(d.read('log')), 'synced|one|tw');
});

test('a crash that reorders keeps some unsynced writes and loses others; one lost before a kept one reads as zeros', () => {
  const { d } = disk();
  d.append('log', enc('a'));
  d.fsync('log', () => {});
  d.append('log', enc('bb'));
  d.append('log', enc('cc'));
  d.append('log', enc('dd'));
  // bb lost, cc kept, dd lost.
  d.crash('crash-reorder', scripted(0.9, 0.1, 0.9));
  assert.deepEqual([...d.read('log')!], [...enc('a'), 0, 0, ...enc('cc')]);
});

test('fsyncgate: a failed fsync never calls done, is reported, and a later fsync does not bring the dropped data back', () => {
  const { d, failures } = disk();
  d.append('log', enc('kept|'));
  d.fsync('log', () => {});
  d.append('log', enc('dropped|'));
  d.failNextSync('EIO');
  let done = false;
  d.fsync('log', () => (done = true));
  assert.equal(done, false);
  assert.deepEqual(failures, ['fsync log EIO']);
  assert.equal(dec(d.read('log')), 'kept|dropped|', 'the page cache still shows it');
  d.append('log', enc('later'));
  d.fsync('log', () => (done = true));
  assert.equal(done, true, 'the retry "succeeds"');
  d.crash();
  assert.equal(dec(d.read('log')), 'kept|' + '\0'.repeat('dropped|'.length) + 'later', 'over lost data');
});

test('EIO and ENOSPC on append throw a DiskError while they last', () => {
  const { d } = disk();
  d.failChanges('ENOSPC');
  assert.throws(() => d.append('log', enc('x')), (e: unknown) => isDiskError(e) && e.code === 'ENOSPC' && e.op === 'append');
  assert.throws(() => d.write('snap', enc('x')), (e: unknown) => isDiskError(e) && e.op === 'write');
  d.failChanges(undefined);
  d.append('log', enc('x'));
  assert.equal(dec(d.read('log')), 'x');
});

test('damage to durable data: a cut log, a flipped bit, a zeroed sector, a lost write, a misdirected write', () => {
  const fill = () => {
    const { d } = disk();
    for (const w of ['first|', 'second|', 'third|']) {
      d.append('log', enc(w));
      d.fsync('log', () => {});
    }
    d.append('small', enc('x'));
    d.fsync('small', () => {});
    return d;
  };
  let d = fill();
  assert.deepEqual(d.damage('cut-log', scripted(0.5)), { file: 'log', length: 9, of: 19 });
  assert.equal(dec(d.read('log')), 'first|sec');
  d = fill();
  d.damage('bit-flip', scripted(0, 0));
  assert.equal(dec(d.read('log')), 'girst|second|third|');
  d = fill();
  d.damage('zero-sector', scripted(0));
  assert.ok(d.read('log')!.every((b) => b === 0), 'a file shorter than a sector is all in it');
  d = fill();
  d.damage('lost-write', scripted(0.5));
  assert.equal(dec(d.read('log')), 'first|\0\0\0\0\0\0\0third|');
  d = fill();
  d.damage('misdirected-write', scripted(0));
  assert.equal(dec(d.read('log')), 'third|second|\0\0\0\0\0\0');
  assert.equal(dec(d.read('small')), 'x', 'the largest file takes the damage');
});

/** A node that appends on every message, and counts its starts. */
class Appender implements Process {
  static starts = 0;
  constructor(readonly ctx: Context) {
    Appender.starts++;
  }
  onMessage(): void {
    this.ctx.disk.append('log', enc('entry'));
    this.ctx.disk.fsync('log', () => {});
  }
}

test("a disk error stops the node's Process, its supervisor restarts it from its disk once the disk works again; a log it cannot trust keeps it down", () => {
  Appender.starts = 0;
  const w = new World({ seed: 1, nodes: ['n1', 'n2'].map((id) => ({ id, factory: (ctx: Context) => new Appender(ctx) })) });
  w.start();
  const undo = w.diskFault('n2', 'enospc-append');
  (w.process('n1') as Appender).ctx.send('n2', 'write');
  w.run(100);
  assert.equal(w.process('n2'), undefined, 'stopped by ENOSPC, as a real node stops its member');
  assert.match(w.stoppedFor('n2') ?? '', /^disk full: append log \(ENOSPC\)$/);
  assert.equal(w.status('n2'), 'up', 'the node runs on; only its Process stopped');
  assert.equal(w.metrics.counter('disk_failures'), 1);
  w.run(1_000);
  assert.equal(w.process('n2'), undefined, 'while appends still fail');
  undo();
  w.run(w.now + supervisorDefaults.restartCheckMs);
  assert.ok(w.process('n2') !== undefined, 'restarted at the next check once appends work');
  // A failed fsync: stopped when the disk reports it, restarted at the next check.
  w.diskFault('n2', 'eio-fsync');
  (w.process('n1') as Appender).ctx.send('n2', 'write');
  w.run(w.now + 50);
  assert.equal(w.process('n2'), undefined);
  assert.match(w.stoppedFor('n2') ?? '', /^disk failure: fsync log \(EIO\)$/);
  w.run(w.now + supervisorDefaults.restartCheckMs);
  assert.ok(w.process('n2') !== undefined);
  assert.equal(Appender.starts, 4, 'two starts, two restarts');
  assert.equal(w.metrics.counter('crashes'), 0, 'a disk failure is not a crash');
});

/** A node that refuses to start when its disk holds a file named "corrupt". */
class Picky implements Process {
  constructor(readonly ctx: Context) {
    if (ctx.disk.read('corrupt') !== undefined) throw new StartRefusedError('corrupt: cannot be trusted');
  }
  onMessage(): void {
    this.ctx.disk.write('corrupt', enc('x'));
    this.ctx.disk.fsync('corrupt', () => {});
  }
}

test('a Process that refuses to start stays down, counted, as `pillars node` exits on a log it cannot trust', () => {
  const w = new World({ seed: 1, nodes: ['n1', 'n2'].map((id) => ({ id, factory: (ctx: Context) => new Picky(ctx) })) });
  w.start();
  (w.process('n1') as Picky).ctx.send('n2', 'spoil');
  w.run(100);
  w.crash('n2');
  w.restart('n2');
  assert.equal(w.status('n2'), 'down');
  assert.equal(w.metrics.counter('refused_starts'), 1);
  assert.equal(w.metrics.counter('crashes'), 1, 'the refusal is not counted as another crash');
});
