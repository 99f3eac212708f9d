/**
 * The in-place OR-Set replica against the value form: the same adds, removes and partial syncs give
 * the same elements at every step, whether the replica joins deltas (shuffled, duplicated) or whole
 * states; and the delta join keeps the OR-Set's promises (add wins, a remove sticks, out of order).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { orSet, type ORSet } from './sets.js';
import { ORSetReplica, type ORSetDelta } from './or-set-replica.js';

const names = ['r0', 'r1', 'r2'];
const elements = ['a', 'b', 'c', 'd'];

type Change = { at: number; kind: 'add' | 'remove'; element: number };
type Sync = { at: number; kind: 'sync'; from: number; order: number[] };
type Op = Change | Sync;
const isSync = (op: Op): op is Sync => op.kind === 'sync';

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ at: fc.nat(2), kind: fc.constantFrom<'add' | 'remove'>('add', 'remove'), element: fc.nat(3) }),
  fc.record({ at: fc.nat(2), kind: fc.constant<'sync'>('sync'), from: fc.nat(2), order: fc.array(fc.nat(1_000), { maxLength: 40 }) }),
);

/** The deltas in an order drawn from `order`, some twice: a delta join needs neither order nor uniqueness. */
function shuffled(deltas: readonly ORSetDelta[], order: readonly number[]): ORSetDelta[] {
  const out = [...deltas];
  for (let i = out.length - 1; i > 0; i--) {
    const j = (order[i % Math.max(1, order.length)] ?? 0) % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return order.length > 0 && out.length > 0 ? [...out, out[order[0] % out.length]] : out;
}

test('a replica joining deltas, in any order and twice, holds what the value form holds after every step', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
      const pure: ORSet[] = names.map(() => orSet.empty());
      const live = names.map((n) => new ORSetReplica(n));
      // What each replica knows, as the deltas that make its state: a sync ships them all.
      const known: ORSetDelta[][] = names.map(() => []);
      for (const op of ops) {
        const i = op.at;
        if (isSync(op)) {
          pure[i] = orSet.merge(pure[i], pure[op.from]);
          for (const d of shuffled(known[op.from], op.order)) live[i].joinDelta(d);
          known[i].push(...known[op.from]);
        } else if (op.kind === 'add') {
          pure[i] = orSet.add(pure[i], names[i], elements[op.element]);
          known[i].push(live[i].add(elements[op.element]));
        } else {
          pure[i] = orSet.remove(pure[i], elements[op.element]);
          known[i].push(live[i].remove(elements[op.element]));
        }
        for (let r = 0; r < names.length; r++) assert.deepEqual(live[r].value(), orSet.value(pure[r]), `replica ${names[r]}`);
      }
    }),
    { numRuns: 300, seed: 7 },
  );
});

test('a replica joining whole states in value form holds what orSet.merge gives', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
      const pure: ORSet[] = names.map(() => orSet.empty());
      const live = names.map((n) => new ORSetReplica(n));
      for (const op of ops) {
        const i = op.at;
        if (isSync(op)) {
          const theirs = pure[op.from];
          pure[i] = orSet.merge(pure[i], theirs);
          live[i].joinState(theirs);
        } else if (op.kind === 'add') {
          pure[i] = orSet.add(pure[i], names[i], elements[op.element]);
          live[i].add(elements[op.element]);
        } else {
          pure[i] = orSet.remove(pure[i], elements[op.element]);
          live[i].remove(elements[op.element]);
        }
        for (let r = 0; r < names.length; r++) assert.deepEqual(live[r].value(), orSet.value(pure[r]), `replica ${names[r]}`);
      }
    }),
    { numRuns: 300, seed: 11 },
  );
});

test('add wins over a concurrent remove; a remove that arrives before the add it removes still sticks', () => {
  const a = new ORSetReplica('a');
  const b = new ORSetReplica('b');
  const first = a.add('x');
  b.joinDelta(first);
  const removed = b.remove('x'); // b observed a's add, and removes it
  const again = a.add('x'); // concurrently, a adds x again: a new dot b has not seen
  a.joinDelta(removed);
  b.joinDelta(again);
  assert.deepEqual(a.value(), ['x']);
  assert.deepEqual(b.value(), ['x']);

  // c gets the remove of a's first add before the add itself: the add, when it comes, stays removed.
  const c = new ORSetReplica('c');
  c.joinDelta(removed);
  c.joinDelta(first);
  assert.deepEqual(c.value(), []);
  c.joinDelta(again);
  assert.deepEqual(c.value(), ['x']);
});
