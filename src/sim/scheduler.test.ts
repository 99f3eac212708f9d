import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scheduler, type SimEvent } from './scheduler.js';

test('events run in time order, ties in the order they were scheduled', () => {
  const s = new Scheduler();
  const order: string[] = [];
  s.at(5, () => order.push('b5'));
  s.at(1, () => order.push('a1'));
  s.at(5, () => order.push('c5'));
  s.at(3, () => order.push('d3'));
  s.at(5, () => order.push('e5'));
  s.runUntil(Infinity);
  assert.deepEqual(order, ['a1', 'd3', 'b5', 'c5', 'e5']);
  assert.equal(s.now, 5);
});

test('many random events come out sorted by (time, seq)', () => {
  const s = new Scheduler();
  const out: [number, number][] = [];
  let x = 12345;
  for (let i = 0; i < 5000; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const t = x % 100; // many ties
    const id = i;
    s.at(t, () => out.push([t, id]));
  }
  s.runUntil(Infinity);
  for (let i = 1; i < out.length; i++) {
    const [t0, i0] = out[i - 1], [t1, i1] = out[i];
    assert.ok(t0 < t1 || (t0 === t1 && i0 < i1));
  }
});

test('an event scheduled during a run at the current time runs after those already due', () => {
  const s = new Scheduler();
  const order: string[] = [];
  s.at(1, () => {
    order.push('first');
    s.after(0, () => order.push('spawned'));
  });
  s.at(1, () => order.push('second'));
  s.runUntil(Infinity);
  assert.deepEqual(order, ['first', 'second', 'spawned']);
});

test('cancelled events do not run; runUntil stops at its bound and advances the clock to it', () => {
  const s = new Scheduler();
  const order: number[] = [];
  const e = s.at(2, () => order.push(2));
  s.at(3, () => order.push(3));
  s.at(10, () => order.push(10));
  s.cancel(e);
  s.runUntil(5);
  assert.deepEqual(order, [3]);
  assert.equal(s.now, 5);
  assert.equal(s.peekTime(), 10);
});

test('the past cannot be scheduled: it is clamped to now', () => {
  const s = new Scheduler();
  s.runUntil(10);
  let at = -1;
  s.at(3, () => (at = s.now));
  s.runUntil(Infinity);
  assert.equal(at, 10);
});

test('cancelled events leave the heap in bulk, and the rest still run in (time, seq) order', () => {
  const s = new Scheduler();
  const out: [number, number][] = [];
  const expected: [number, number][] = [];
  const events: SimEvent[] = [];
  // Cancelled by a running event, as a client clears its timeouts: the heap is rebuilt under the run.
  s.at(0, () => {
    events.forEach((e, i) => i % 4 !== 0 && s.cancel(e));
    // A client's timeouts, cleared long before they are due, must not pile up until their time.
    assert.ok(s.pending <= 4000, `${s.pending} events still held after 6000 of 8000 were cancelled`);
  });
  let x = 777;
  for (let i = 0; i < 8000; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const t = x % 200; // many ties
    const id = i;
    events.push(s.at(t, () => out.push([t, id])));
    if (i % 4 === 0) expected.push([t, id]);
  }
  s.runUntil(Infinity);
  expected.sort(([t0, i0], [t1, i1]) => t0 - t1 || i0 - i1);
  assert.deepEqual(out, expected);
});
