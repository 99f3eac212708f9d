import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dependenciesDelivered, OriginLog } from './origin-log.js';

test("each origin's writes are delivered in order, whatever order they arrive in, and once", () => {
  const a = new OriginLog<string>('a', ['b']);
  const b = new OriginLog<string>('b', ['a']);
  const [w1, w2, w3] = ['x', 'y', 'z'].map((p, i) => a.append(p, i));
  b.receive(w3);
  b.receive(w2);
  assert.deepEqual(b.deliverReady(() => true), [], 'w1 is missing: nothing may be delivered');
  b.receive(w1);
  b.receive(w1);
  assert.deepEqual(b.deliverReady(() => true).map((e) => e.payload), ['x', 'y', 'z']);
  assert.deepEqual(b.delivered, { a: 3 });
  b.receive(w2);
  assert.deepEqual(b.deliverReady(() => true), [], 'a duplicate is not delivered twice');
});

test('what a peer missed is sent again until its status shows it, then forgotten', () => {
  const a = new OriginLog<string>('a', ['b', 'c']);
  a.append('x', 0);
  a.append('y', 100);
  assert.deepEqual(a.missing('b', 300, 500), [], 'not yet: still in flight');
  assert.deepEqual(a.missing('b', 700, 500).map((e) => e.payload), ['x', 'y']);
  a.peerStatus('b', { a: 1 });
  assert.deepEqual(a.missing('b', 700, 500).map((e) => e.payload), ['y']);
  a.peerStatus('c', { a: 2 });
  assert.deepEqual(a.missing('c', 700, 500), []);
  a.peerStatus('b', { a: 2 });
  assert.deepEqual(a.missing('b', 10_000, 500), [], 'applied everywhere: forgotten');
});

test("a causal write waits for its dependencies from other origins, and delivering one origin's write frees another's", () => {
  const a = new OriginLog<{ deps: Record<string, number> }>('a', ['b', 'c']);
  const b = new OriginLog<{ deps: Record<string, number> }>('b', ['a', 'c']);
  const c = new OriginLog<{ deps: Record<string, number> }>('c', ['a', 'b']);
  const post = a.append({ deps: {} }, 0);
  b.receive(post);
  b.deliverReady(() => true);
  // b replies having seen a's post: the reply depends on a:1.
  const reply = b.append({ deps: { ...b.delivered } }, 10);
  const ready = (e: { origin: string; payload: { deps: Record<string, number> } }, delivered: Record<string, number>) => dependenciesDelivered(e.payload.deps, e.origin, delivered);
  c.receive(reply);
  assert.deepEqual(c.deliverReady(ready), [], 'the reply before its post: held');
  assert.equal(c.heldCount, 1);
  c.receive(post);
  assert.deepEqual(
    c.deliverReady(ready).map((e) => e.origin),
    ['a', 'b'],
  );
  assert.equal(c.heldCount, 0);
});
