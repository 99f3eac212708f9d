import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkStealingDeques } from './work-stealing.js';

test('owners take their own oldest first; an idle worker steals the oldest of the fullest deque', () => {
  const d = new WorkStealingDeques<string>(3);
  for (const t of ['a1', 'b1', 'c1', 'a2', 'b2', 'c2', 'a3']) d.push(t);
  assert.equal(d.take(0), 'a1');
  assert.equal(d.take(0), 'a2');
  assert.equal(d.take(0), 'a3');
  // Worker 0 is empty: deques 1 and 2 hold 2 each; the first fullest is worker 1's.
  assert.equal(d.take(0), 'b1');
  assert.equal(d.steals, 1);
  assert.equal(d.pending, 3);
});

test('without stealing a task waits for its own worker', () => {
  const d = new WorkStealingDeques<string>(2, 'never');
  d.push('x', 1);
  assert.equal(d.take(0), undefined);
  assert.equal(d.take(1), 'x');
  assert.throws(() => new WorkStealingDeques(0), /workers/);
});

test('the 2x rule: a worker with work of its own steals from a deque more than twice as long, and not from one just twice as long', () => {
  const d = new WorkStealingDeques<string>(2, 'twice-own');
  for (const t of ['a1', 'a2', 'a3']) d.push(t, 0);
  d.push('b1', 1);
  // 3 > 2 x 1: worker 1 takes worker 0's oldest before its own.
  assert.equal(d.take(1), 'a1');
  assert.equal(d.steals, 1);
  // Now 2 against 1: not more than twice; worker 1 takes its own.
  assert.equal(d.take(1), 'b1');
  assert.equal(d.steals, 1);
  const e = new WorkStealingDeques<string>(2, 'when-empty');
  for (const t of ['a1', 'a2', 'a3']) e.push(t, 0);
  e.push('b1', 1);
  assert.equal(e.take(1), 'b1'); // steal-when-empty keeps to its own while it has any
});
