import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeaseLock } from './lease-lock.js';
import { FencedStore, isStaleTokenError } from './fenced-store.js';

test('a lease lock refuses while the lease runs and grants a larger token once it has expired', () => {
  const lock = new LeaseLock(1000);
  const a = lock.acquire('k', 'w1', 0);
  assert.ok(a.granted);
  const refused = lock.acquire('k', 'w2', 999);
  assert.deepEqual(refused, { granted: false, resource: 'k', holder: 'w1', expiresMs: 1000 });
  const b = lock.acquire('k', 'w2', 1000);
  assert.ok(b.granted && a.granted && b.token > a.token);
  // The old holder's renewal and release are refused: its lease is over.
  assert.equal(lock.renew('k', 'w1', a.token, 1001).granted, false);
  assert.equal(lock.release('k', 'w1', a.token), false);
  assert.equal(lock.holder('k', 1001)?.holder, 'w2');
});

test('renewal keeps the token; release frees the lock at once; tokens grow across resources and restarts', () => {
  const lock = new LeaseLock(100);
  const a = lock.acquire('x', 'w1', 0);
  assert.ok(a.granted);
  const r = lock.renew('x', 'w1', a.token, 90);
  assert.deepEqual(r, { granted: true, resource: 'x', token: a.token, expiresMs: 190 });
  assert.ok(lock.release('x', 'w1', a.token));
  const b = lock.acquire('y', 'w2', 91);
  const c = lock.acquire('x', 'w3', 92);
  assert.ok(b.granted && c.granted && c.token > b.token && b.token > a.token);
  // A service restarted from its saved last token never goes back.
  const restarted = new LeaseLock(100, lock.lastToken);
  const d = restarted.acquire('x', 'w4', 0);
  assert.ok(d.granted && d.token > c.token);
});

test('the fenced store refuses a write older than a token it has seen, reads included', () => {
  const store = new FencedStore<number>();
  assert.ok(store.write('k', 1, 33).ok);
  // The next holder (34) reads first; the paused holder (33) writes after: refused.
  assert.deepEqual(store.read('k', 34), { ok: true, value: 1 });
  const late = store.write('k', 2, 33);
  assert.equal(late.ok, false);
  assert.ok(!late.ok && isStaleTokenError(late.error) && late.error.tokenSeen === 34);
  assert.equal(store.peek('k'), 1);
  assert.equal(store.refused, 1);
  assert.ok(store.write('k', 2, 34).ok);
  // Without fencing the late write lands: the naive storage.
  const naive = new FencedStore<number>(false);
  naive.write('k', 5, 34);
  assert.ok(naive.write('k', 2, 33).ok);
  assert.equal(naive.peek('k'), 2);
});
