import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LockManager } from './lock-manager.js';

test('locks are exclusive and granted in arrival order', () => {
  const lm = new LockManager();
  assert.deepEqual(lm.acquire('t1', 'A', 0), [{ type: 'granted', owner: 't1', resource: 'A' }]);
  assert.deepEqual(lm.acquire('t2', 'A', 1), []);
  assert.deepEqual(lm.acquire('t3', 'A', 2), []);
  assert.deepEqual(lm.release('t1', 'A'), [{ type: 'granted', owner: 't2', resource: 'A' }]);
  assert.equal(lm.holderOf('A'), 't2');
  assert.deepEqual(lm.release('t3', 'A'), [], 'only the holder releases');
});

test('a three-way cycle is found as it closes; the youngest is the victim and its locks go on', () => {
  const lm = new LockManager();
  lm.acquire('t1', 'A', 0);
  lm.acquire('t2', 'B', 1);
  lm.acquire('t3', 'C', 2);
  assert.deepEqual(lm.acquire('t1', 'B', 3), []);
  assert.deepEqual(lm.acquire('t2', 'C', 4), []);
  const events = lm.acquire('t3', 'A', 5);
  assert.deepEqual(events[0], { type: 'deadlock', victim: 't3', resource: 'A', cycle: ['t3', 't1', 't2'] });
  // t3 held C: t2, waiting for it, gets it.
  assert.deepEqual(events.slice(1), [{ type: 'granted', owner: 't2', resource: 'C' }]);
  assert.equal(lm.deadlocks, 1);
  assert.deepEqual(lm.release('t2', 'B'), [{ type: 'granted', owner: 't1', resource: 'B' }]);
});

test('without detection the cycle stays; lock timeouts end the waits instead', () => {
  const lm = new LockManager({ detectDeadlocks: false, lockTimeoutMs: 100 });
  lm.acquire('t1', 'A', 0);
  lm.acquire('t2', 'B', 0);
  lm.acquire('t1', 'B', 10);
  assert.deepEqual(lm.acquire('t2', 'A', 20), []);
  assert.deepEqual(lm.expire(50), []);
  const ev = lm.expire(110);
  assert.deepEqual(ev[0], { type: 'timeout', owner: 't1', resource: 'B' });
  assert.deepEqual(ev.slice(1), [{ type: 'granted', owner: 't2', resource: 'A' }]);
  assert.equal(lm.timeouts, 1);
  assert.throws(() => new LockManager({ lockTimeoutMs: 0 }), /lockTimeoutMs/);
});

test('a wait that is not a cycle is not a deadlock', () => {
  const lm = new LockManager();
  lm.acquire('t1', 'A', 0);
  lm.acquire('t2', 'B', 0);
  assert.deepEqual(lm.acquire('t2', 'A', 1), []);
  assert.deepEqual(lm.acquire('t3', 'B', 2), []);
  assert.equal(lm.deadlocks, 0);
});
