import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KvStateMachine, sessionRequestsMax, type KvCommand } from './kv.js';

const incr = (client: string, seq: number, ackedBelow?: number): KvCommand => ({ op: { f: 'incr', key: 'x', value: 1 }, session: { client, seq, ackedBelow } });

test('a retried command applies once and answers what the first copy answered', () => {
  const kv = new KvStateMachine();
  assert.deepEqual(kv.apply(incr('c1', 1)), { ok: true, value: 1 });
  assert.deepEqual(kv.apply(incr('c1', 1)), { ok: true, value: 1 });
  assert.equal(kv.get('x'), 1);
  assert.equal(kv.applied, 1);
});

test('a late retry still applies once after many other clients wrote meanwhile', () => {
  const kv = new KvStateMachine();
  kv.apply(incr('slow', 1));
  for (let i = 1; i <= 5_000; i++) kv.apply(incr(`c${i % 50}`, i, i));
  kv.apply(incr('slow', 1));
  assert.equal(kv.get('x'), 5_001);
});

test('acknowledged requests are forgotten, and a late copy of one is refused, not applied', () => {
  const kv = new KvStateMachine();
  for (let seq = 1; seq <= 100; seq++) kv.apply(incr('c1', seq, seq));
  // Each request said the ones before it were answered: one result is kept, not a hundred.
  assert.equal(kv.sessionResults(), 1);
  const late = kv.apply(incr('c1', 3, 3));
  assert.equal(late.ok, false);
  assert.equal(kv.get('x'), 100);
});

test('a client that never acknowledges is bounded: its oldest results go, and their retries are refused', () => {
  const kv = new KvStateMachine();
  for (let seq = 1; seq <= sessionRequestsMax + 10; seq++) kv.apply(incr('c1', seq));
  assert.equal(kv.sessionResults(), sessionRequestsMax);
  assert.equal(kv.apply(incr('c1', 1)).ok, false);
  assert.equal(kv.get('x'), sessionRequestsMax + 10);
});

test('sessions survive a snapshot: a retry after restore is answered from the session', () => {
  const kv = new KvStateMachine();
  kv.apply(incr('c1', 7, 7));
  const copy = new KvStateMachine();
  copy.restore(JSON.parse(JSON.stringify(kv.snapshot())));
  assert.deepEqual(copy.apply(incr('c1', 7, 7)), { ok: true, value: 1 });
  assert.equal(copy.get('x'), 1);
});

test('without a session every copy applies (the phantom-write naive design)', () => {
  const kv = new KvStateMachine();
  kv.apply({ op: { f: 'incr', key: 'x', value: 1 } });
  kv.apply({ op: { f: 'incr', key: 'x', value: 1 } });
  assert.equal(kv.get('x'), 2);
});
