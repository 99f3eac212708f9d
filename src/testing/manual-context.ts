/**
 * A Context driven by hand for unit tests of one host: a ManualClock for time and timers, the
 * simulator's disk with a fixed fsync delay, and a `send` the test records.
 */
import type { Context, NodeId, TimerId } from '../runtime/context.js';
import { ManualClock } from '../runtime/clock.js';
import { SimDisk } from '../sim/disk.js';

export interface ManualWorld {
  ctx: Context;
  clock: ManualClock;
  disk: SimDisk;
}

export function manualContext(opts: { id: NodeId; peers?: NodeId[]; fsyncMs: number; send: (to: NodeId, msg: unknown) => void; clock?: ManualClock; disk?: SimDisk }): ManualWorld {
  const clock = opts.clock ?? new ManualClock();
  const disk = opts.disk ?? new SimDisk({ now: () => clock.now(), fsyncDelayMs: () => opts.fsyncMs, scheduleSync: (at, _file, complete) => clock.set(at - clock.now(), complete) });
  const timers = new Map<TimerId, unknown>();
  let nextTimer = 1;
  const ctx: Context = {
    id: opts.id,
    peers: opts.peers ?? [],
    disk,
    metrics: { count() {}, observe() {}, gauge() {} },
    now: () => clock.now(),
    random: () => 0.5,
    send: opts.send,
    setTimer: (ms, fn) => {
      const id = nextTimer++;
      timers.set(id, clock.set(ms, fn));
      return id;
    },
    clearTimer: (id) => clock.clear(timers.get(id)),
    log() {},
  };
  return { ctx, clock, disk };
}
