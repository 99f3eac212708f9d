/**
 * Every CRDT's merge is commutative, associative and idempotent, checked by fast-check on states
 * that three replicas reach through random updates and random partial syncs; and each type keeps
 * the promise of its name (add wins, removes stick, concurrent writes become siblings).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { gCounter, gSet, lwwRegister, mvRegister, orMap, orSet, pnCounter, twoPSet, type Crdt } from './index.js';

const replicas = ['r0', 'r1', 'r2'];

/** An operation: replica i updates (op, arg), or pulls the state of replica j. */
type Op = { at: number; kind: 'update'; arg: number } | { at: number; kind: 'sync'; from: number };
const opArb = fc.oneof(
  fc.record({ at: fc.integer({ min: 0, max: 2 }), kind: fc.constant('update' as const), arg: fc.integer({ min: -5, max: 5 }) }),
  fc.record({ at: fc.integer({ min: 0, max: 2 }), kind: fc.constant('sync' as const), from: fc.integer({ min: 0, max: 2 }) }),
);

function run<S, V>(c: Crdt<S, V>, update: (s: S, replica: string, arg: number, step: number) => S, ops: Op[]): S[] {
  const states = replicas.map(() => c.empty());
  ops.forEach((op, step) => {
    states[op.at] = op.kind === 'update' ? update(states[op.at], replicas[op.at], op.arg, step) : c.merge(states[op.at], states[op.from]);
  });
  return states;
}

function laws<S, V>(c: Crdt<S, V>, update: (s: S, replica: string, arg: number, step: number) => S): void {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
      const [a, b, d] = run(c, update, ops);
      const eq = (x: S, y: S) => c.canonical(x) === c.canonical(y);
      assert.ok(eq(c.merge(a, b), c.merge(b, a)), 'commutative');
      assert.ok(eq(c.merge(c.merge(a, b), d), c.merge(a, c.merge(b, d))), 'associative');
      assert.ok(eq(c.merge(a, a), a), 'idempotent');
      // Every order of merging everything converges.
      assert.deepEqual(c.value(c.merge(c.merge(d, b), a)), c.value(c.merge(a, c.merge(b, d))));
    }),
    { numRuns: 300, seed: 42 },
  );
}

const element = (arg: number) => `e${Math.abs(arg) % 4}`;

test('g-counter: merge laws', () => laws(gCounter, (s, r, arg) => gCounter.increment(s, r, Math.abs(arg))));
test('pn-counter: merge laws', () => laws(pnCounter, (s, r, arg) => pnCounter.add(s, r, arg)));
test('g-set: merge laws', () => laws(gSet, (s, _r, arg) => gSet.add(s, element(arg))));
test('2p-set: merge laws', () => laws(twoPSet, (s, _r, arg) => (arg >= 0 ? twoPSet.add(s, element(arg)) : twoPSet.remove(s, element(arg)))));
test('or-set: merge laws', () => laws(orSet, (s, r, arg) => (arg >= 0 ? orSet.add(s, r, element(arg)) : orSet.remove(s, element(arg)))));
test('lww-register: merge laws (HLC-like timestamps, unique per write)', () => laws(lwwRegister, (s, r, arg, step) => lwwRegister.set(s, arg, [Math.floor(step / 3), step], r)));
test('mv-register: merge laws', () => laws(mvRegister, (s, r, arg) => mvRegister.set(s, arg, r)));
const counterMap = orMap(pnCounter);
test('or-map of pn-counters: merge laws', () =>
  laws(counterMap, (s, r, arg) => (arg === 0 ? counterMap.remove(s, element(arg + 1)) : counterMap.update(s, r, element(arg), (c) => pnCounter.add(c, r, arg)))));

test('counters converge on the sum of every increment, whatever the merge order', () => {
  let a = pnCounter.empty(), b = pnCounter.empty();
  a = pnCounter.add(a, 'r0', 5);
  b = pnCounter.add(b, 'r1', -2);
  a = pnCounter.add(a, 'r0', 1);
  assert.equal(pnCounter.value(pnCounter.merge(a, b)), 4);
  assert.throws(() => gCounter.increment({}, 'r0', -1), /only grows/);
});

test('or-set: an add concurrent with a remove wins; a remove of what was observed sticks', () => {
  let r0 = orSet.add(orSet.empty(), 'r0', 'milk');
  let r1 = orSet.merge(orSet.empty(), r0);
  r1 = orSet.remove(r1, 'milk'); // r1 removes the milk it saw ...
  r0 = orSet.add(r0, 'r0', 'milk'); // ... while r0 adds milk again, concurrently
  assert.deepEqual(orSet.value(orSet.merge(r0, r1)), ['milk']);
  const seen = orSet.merge(r1, orSet.add(orSet.empty(), 'r2', 'eggs'));
  const removed = orSet.remove(seen, 'eggs');
  assert.deepEqual(orSet.value(orSet.merge(removed, seen)), [], 'the removed add does not come back');
});

test('2p-set: once removed, an element never comes back', () => {
  let s = twoPSet.add(twoPSet.empty(), 'x');
  s = twoPSet.remove(s, 'x');
  s = twoPSet.add(s, 'x');
  assert.deepEqual(twoPSet.value(s), []);
});

test('mv-register: concurrent writes become siblings; a write that saw them replaces them', () => {
  const a = mvRegister.set(mvRegister.empty<string>(), 'blue', 'r0');
  const b = mvRegister.set(mvRegister.empty<string>(), 'green', 'r1');
  const both = mvRegister.merge(a, b);
  assert.deepEqual(mvRegister.value(both).sort(), ['blue', 'green']);
  const resolved = mvRegister.set(both, 'teal', 'r0');
  assert.deepEqual(mvRegister.value(mvRegister.merge(resolved, b)), ['teal']);
});

test('lww-register: the later timestamp wins, ties go to the larger replica name', () => {
  const a = lwwRegister.set(lwwRegister.empty<string>(), 'old', [100, 0], 'r0');
  const b = lwwRegister.set(lwwRegister.empty<string>(), 'new', [150, 0], 'r1');
  assert.equal(lwwRegister.value(lwwRegister.merge(a, b)), 'new');
  const tie = lwwRegister.set(lwwRegister.empty<string>(), 'tie', [150, 0], 'r2');
  assert.equal(lwwRegister.value(lwwRegister.merge(b, tie)), 'tie');
});
