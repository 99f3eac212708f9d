import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CausalStore } from './causal-store.js';

/** eu posts, us sees the post and replies, and ap hears the reply first (its link to eu is slow). */
function replyOvertakesPost(mode: 'causal' | 'eventual') {
  const eu = new CausalStore<string>('eu', ['us', 'ap'], mode);
  const us = new CausalStore<string>('us', ['eu', 'ap'], mode);
  const ap = new CausalStore<string>('ap', ['eu', 'us'], mode);
  const post = eu.write('post-1', 'hello', 0);
  us.receive([post]);
  assert.equal(us.read('post-1'), 'hello');
  const reply = us.write('reply-1', 'hi back', 40);
  const seenFirst = ap.receive([reply]).length;
  return { ap, post, seenFirst };
}

test('causal: a reply that arrives before its post waits for it', () => {
  const { ap, post, seenFirst } = replyOvertakesPost('causal');
  assert.equal(seenFirst, 0);
  assert.equal(ap.read('reply-1'), undefined);
  assert.equal(ap.heldCount, 1);
  assert.deepEqual(
    ap.receive([post]).map((e) => e.payload.key),
    ['post-1', 'reply-1'],
  );
  assert.equal(ap.read('reply-1'), 'hi back');
});

test('eventual: the reply is visible before its post (the anomaly causal prevents)', () => {
  const { ap, seenFirst } = replyOvertakesPost('eventual');
  assert.equal(seenFirst, 1);
  assert.equal(ap.read('reply-1'), 'hi back');
  assert.equal(ap.read('post-1'), undefined);
});

test('concurrent writes to one key converge to the same winner everywhere (causal+)', () => {
  const a = new CausalStore<string>('a', ['b']);
  const b = new CausalStore<string>('b', ['a']);
  const wa = a.write('k', 'from a', 0);
  const wb = b.write('k', 'from b', 0);
  a.receive([wb]);
  b.receive([wa]);
  assert.equal(a.read('k'), b.read('k'));
  assert.equal(a.version('k'), b.version('k'));
  // A peer's status tells a replica what to send again.
  assert.deepEqual(a.peerStatus('b', {}, 1000, 500), [wa]);
  assert.deepEqual(a.peerStatus('b', b.status(), 1000, 500), []);
});
