/**
 * The supervisor alone, on a hand-driven Context: what dies with a stopped member, when it comes back,
 * and what a refusal to start does at the first start and at a restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualContext } from '../testing/manual-context.js';
import type { Context, Process } from './context.js';
import { MemberSupervisor, StartRefusedError, supervisorDefaults } from './member-supervisor.js';

const bytes = (s: string) => new TextEncoder().encode(s);

/** Appends on each message; counts its timer's ticks and its fsync completions. */
class Ticker implements Process {
  ticks = 0;
  synced = 0;
  constructor(readonly ctx: Context) {}
  start(): void {
    const tick = () => {
      this.ticks++;
      this.ctx.setTimer(10, tick);
    };
    this.ctx.setTimer(10, tick);
  }
  onMessage(): void {
    this.ctx.disk.append('log', bytes('x'));
    this.ctx.disk.fsync('log', () => this.synced++);
  }
}

test('a stopped member hears nothing more: its timers, its fsync completions and its messages die with it', () => {
  const { ctx, clock, disk } = manualContext({ id: 'n1', fsyncMs: 5, send: () => {} });
  const stopped: string[] = [];
  const s = new MemberSupervisor(ctx, { build: (c) => new Ticker(c), stopped: (r) => stopped.push(r) });
  s.start();
  const first = s.member!;
  s.onMessage('c', 'write');
  clock.advance(1);
  disk.failChanges('EIO');
  s.onMessage('c', 'write');
  assert.deepEqual(stopped, ['disk failure: append log (EIO)']);
  assert.equal(s.member, undefined);
  const ticks = first.ticks;
  clock.advance(100);
  assert.equal(first.ticks, ticks, 'no timer of the stopped member fired');
  assert.equal(first.synced, 0, 'the fsync issued before the stop completed on disk, and called nothing back');
  assert.equal(s.member, undefined, 'no restart while the disk refuses changes');
  disk.failChanges(undefined);
  clock.advance(supervisorDefaults.restartCheckMs);
  assert.ok(s.member !== undefined && s.member !== first, 'a new member, built from the disk');
  assert.equal(disk.read('log')?.length, 1, 'what the first member wrote is still there');
});

test('a refusal to start goes to the caller at the first start; at a restart it is tried again at each check', () => {
  const { ctx, clock, disk } = manualContext({ id: 'n1', fsyncMs: 5, send: () => {} });
  let refuse = true;
  let builds = 0;
  const build = (c: Context) => {
    builds++;
    if (refuse) throw new StartRefusedError('log: corrupt');
    return new Ticker(c);
  };
  assert.throws(() => new MemberSupervisor(ctx, { build }).start(), StartRefusedError);
  refuse = false;
  const s = new MemberSupervisor(ctx, { build });
  s.start();
  disk.failChanges('ENOSPC');
  s.onMessage('c', 'write');
  assert.equal(s.failure, 'disk full: append log (ENOSPC)');
  disk.failChanges(undefined);
  refuse = true;
  clock.advance(supervisorDefaults.restartCheckMs);
  assert.equal(s.failure, 'restart failed: log: corrupt');
  refuse = false;
  clock.advance(supervisorDefaults.restartCheckMs);
  assert.ok(s.member !== undefined);
  assert.equal(s.failure, undefined);
  assert.equal(builds, 4);
});
