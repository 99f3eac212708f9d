import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Witness } from './witness.js';

const leaseMs = 1000;

test('the standby is promoted only once the primary lease has run out', () => {
  const w = new Witness(['n1', 'n4'], 'n1', leaseMs, 0);
  assert.equal(w.promote('n4', 500).granted, false, 'the primary holds a live lease');
  assert.equal(w.renew('n1', 1, 900).granted, true);
  assert.equal(w.promote('n4', 1500).granted, false, 'renewed at 900: live until 1900');
  const p = w.promote('n4', 1900);
  assert.deepEqual(p, { granted: true, epoch: 2, expiresMs: 2900 });
  // The old primary is stale from now on: the new one acknowledges alone until it catches up.
  assert.equal(w.isStale('n1'), true);
  assert.equal(w.renew('n1', 1, 1950).granted, false, 'the deposed primary cannot renew');
});

test('a standby marked stale is never promoted, whoever asks, until the primary says it caught up', () => {
  const w = new Witness(['n1', 'n4'], 'n1', leaseMs, 0);
  assert.equal(w.markStale('n1', 1, 'n4', 100, 100).granted, true);
  // n1 now acknowledges alone; it falls silent. Promoting n4 would lose what n1 acknowledged.
  const refused = w.promote('n4', 5000);
  assert.equal(refused.granted, false);
  assert.match(refused.granted ? '' : refused.reason, /stale/);
  // n1 comes back, takes the role again (its lease lapsed), and later reports n4 in sync.
  const again = w.promote('n1', 6000);
  assert.equal(again.granted && again.epoch, 2);
  assert.equal(w.inSync('n1', 2, 'n4', 6100, 6100).granted, true);
  assert.equal(w.isStale('n4'), false);
});

test('only the live primary of the epoch marks stale or in sync, and a late, older request is refused', () => {
  const w = new Witness(['n1', 'n4'], 'n1', leaseMs, 0);
  assert.equal(w.markStale('n4', 1, 'n1', 10, 10).granted, false, 'n4 is not the primary');
  assert.equal(w.markStale('n1', 7, 'n4', 10, 10).granted, false, 'wrong epoch');
  assert.equal(w.markStale('n1', 1, 'n4', 10, 2000).granted, false, 'the lease ran out at 1000');
  const w2 = new Witness(['n1', 'n4'], 'n1', leaseMs, 0);
  // The primary asked "stale" at 300, then "in sync" at 200 arrives after it: the newer word stands.
  assert.equal(w2.markStale('n1', 1, 'n4', 300, 350).granted, true);
  assert.equal(w2.inSync('n1', 1, 'n4', 200, 360).granted, false);
  assert.equal(w2.isStale('n4'), true);
});

test('a witness refuses a pair it cannot arbitrate', () => {
  assert.throws(() => new Witness(['n1', 'n1'], 'n1', leaseMs, 0), /two different nodes/);
  assert.throws(() => new Witness(['n1', 'n4'], 'n2', leaseMs, 0), /not one of the pair/);
  assert.equal(new Witness(['n1', 'n4'], 'n1', leaseMs, 0).promote('n2', 5000).granted, false);
});
