import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileDisk } from './file-disk.js';
import { RealContext } from './real-context.js';

const metrics = { count: () => {}, gauge: () => {}, observe: () => {} };

test('an fsync still running when the context stops calls nothing back, and the disk closes cleanly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pillars-ctx-'));
  try {
    const disk = new FileDisk(dir);
    const guarded: string[] = [];
    const ctx = new RealContext({ id: 'n1', peers: ['n1'], disk, metrics, send: () => {}, log: () => {}, guard: (fn) => (guarded.push('guard'), fn()) });
    const calls: string[] = [];
    ctx.disk.append('wal', new Uint8Array([1, 2, 3]));
    // The callback of this fsync would append again, as the durable mark does after a batch is synced.
    ctx.disk.fsync('wal', () => {
      calls.push('synced');
      ctx.disk.append('wal', new Uint8Array([4]));
    });
    ctx.stop();
    await disk.close();
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(calls, [], 'the member that asked is gone: its callback does not run on a closed disk');
    assert.equal(guarded.length, 0);

    // A live context passes completions through its guard.
    const disk2 = new FileDisk(dir);
    const ctx2 = new RealContext({ id: 'n1', peers: ['n1'], disk: disk2, metrics, send: () => {}, log: () => {}, guard: (fn) => (guarded.push('guard'), fn()) });
    ctx2.disk.append('wal', new Uint8Array([5]));
    await new Promise<void>((r) => ctx2.disk.fsync('wal', () => r()));
    assert.deepEqual(guarded, ['guard']);
    ctx2.stop();
    await disk2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
