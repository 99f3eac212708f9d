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
  const d = new WorkStealingDeques<string>(2, false);
  d.push('x', 1);
  assert.equal(d.take(0), undefined);
  assert.equal(d.take(1), 'x');
  assert.throws(() => new WorkStealingDeques(0), /workers/);
});
