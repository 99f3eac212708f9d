import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SingleThread } from './single-thread.js';

/** A clock of pending timers, fired in time order. */
function clock() {
  let now = 0;
  const timers: { at: number; fn: () => void }[] = [];
  return {
    now: () => now,
    setTimer: (ms: number, fn: () => void) => {
      timers.push({ at: now + ms, fn });
      return timers.length as never;
    },
    runAll() {
      while (timers.length > 0) {
        timers.sort((a, b) => a.at - b.at);
        const t = timers.shift()!;
        now = t.at;
        t.fn();
      }
    },
  };
}

test('one piece at a time in arrival order, each after its cost; a reset drops the queue and the piece running', () => {
  const c = clock();
  const done: [string, number][] = [];
  const t = new SingleThread(c, () => 2);
  t.run(5, () => done.push(['a', c.now()]));
  t.run(1, () => done.push(['b', c.now()]));
  assert.equal(t.queued, 1);
  c.runAll();
  // Slowness 2: a ends at 10, b waits for it and ends at 12.
  assert.deepEqual(done, [['a', 10], ['b', 12]]);
  t.run(5, () => done.push(['lost', c.now()]));
  t.run(5, () => done.push(['lost too', c.now()]));
  t.reset();
  t.run(1, () => done.push(['after', c.now()]));
  c.runAll();
  assert.deepEqual(done.slice(2), [['after', 14]]);
});
