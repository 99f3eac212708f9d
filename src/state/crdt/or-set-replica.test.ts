/**
 * The in-place OR-Set replica against the value form: the same adds, removes and partial syncs give
 * the same elements at every step, whether the replica joins deltas (shuffled, duplicated) or whole
 * states; and the delta join keeps the OR-Set's promises (add wins, a remove sticks, out of order).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ORSetReplica } from './or-set-replica.js';
import { orSetSteps, replayAgainstValueForm } from '../../testing/or-set-steps.js';

const steps = orSetSteps(['deltas']);

test('a replica joining deltas, in any order and twice, holds what the value form holds after every step', () => {
  fc.assert(
    fc.property(steps, (ops) => {
      replayAgainstValueForm(ops, (name) => new ORSetReplica(name), (target, source) => {
        for (const d of source.deltas) target.joinDelta(d);
      });
    }),
    { numRuns: 300, seed: 7 },
  );
});

test('a replica joining whole states in value form holds what orSet.merge gives', () => {
  fc.assert(
    fc.property(steps, (ops) => {
      replayAgainstValueForm(ops, (name) => new ORSetReplica(name), (target, source) => target.joinState(source.state));
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
