/**
 * The OR-Set dot store: its join is a semilattice (commutative, associative, idempotent) on states three
 * replicas reach through random adds, removes and partial syncs, whole or by deltas shuffled and
 * repeated; it holds what the value form (orSet) holds after every step; add wins; and holes left by
 * removes are compacted without changing the state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { orSet } from './sets.js';
import { orSetSteps, replayAgainstValueForm, type ORSetStep } from '../../testing/or-set-steps.js';
import { ElementTable, ORSetDotStore } from './or-set-dot-store.js';

/** The steps on three stores against the value form: a sync joins the other's whole state or its deltas. */
const run = (steps: readonly ORSetStep[]): ORSetDotStore[] =>
  replayAgainstValueForm(steps, (name) => new ORSetDotStore(name), (target, source, kind) => {
    if (kind === 'sync') target.join(source.replica);
    else for (const d of source.deltas) target.join(d);
  });
const steps = orSetSteps(['sync', 'deltas']);

const joined = (x: ORSetDotStore, ...others: ORSetDotStore[]) => {
  const out = x.clone();
  for (const o of others) out.join(o);
  return out;
};

test('the dot store holds what the value form holds, joined whole or by deltas in any order and twice', () => {
  fc.assert(
    fc.property(steps, (ops) => {
      run(ops);
    }),
    { numRuns: 300, seed: 13 },
  );
});

test('the dot store join is commutative, associative and idempotent, and leaves its argument alone', () => {
  fc.assert(
    fc.property(steps, (ops) => {
      const [a, b, d] = run(ops);
      const before = b.canonical();
      assert.equal(joined(a, b).canonical(), joined(b, a).canonical(), 'commutative');
      assert.equal(joined(joined(a, b), d).canonical(), joined(a, joined(b, d)).canonical(), 'associative');
      assert.equal(joined(a, a).canonical(), a.canonical(), 'idempotent');
      assert.equal(b.canonical(), before, 'the joined state is not changed');
      // A join agrees with the value form's merge of the same states.
      assert.deepEqual(joined(a, b).value(), orSet.value(orSet.merge(a.toValue(), b.toValue())));
    }),
    { numRuns: 300, seed: 17 },
  );
});

test('add wins over a concurrent remove; a remove delivered before its add still sticks', () => {
  const [a, b, c] = ['a', 'b', 'c'].map((r) => new ORSetDotStore(r));
  const added = a.add('x');
  b.join(added);
  c.join(added);
  // b removes what it saw of x while c adds x again, each unaware of the other.
  const removedAtB = b.remove('x');
  const readdedAtC = c.add('x');
  for (const s of [a, b, c]) {
    s.join(removedAtB);
    s.join(readdedAtC);
  }
  assert.deepEqual([a.value(), b.value(), c.value()], [['x'], ['x'], ['x']]);
  // A fourth replica hears of b's remove first, then of a's add: x stays out until c's add arrives.
  const d = new ORSetDotStore('d');
  d.join(removedAtB);
  d.join(added);
  assert.equal(d.has('x'), false);
  d.join(readdedAtC);
  assert.equal(d.canonical(), a.canonical());
});

test('removing most of a large set compacts its columns and changes nothing a join can see', () => {
  const a = new ORSetDotStore('a');
  for (let i = 0; i < 1_000; i++) a.add(`e${i}`);
  const b = a.clone('b');
  for (let i = 0; i < 1_000; i++) if (i % 10 !== 0) b.remove(`e${i}`);
  assert.equal(b.size, 100);
  // a learns the removes from the whole state of b: only the 100 kept survive, whatever holes b's columns had.
  a.join(b);
  assert.deepEqual(a.value(), b.value());
  assert.equal(a.canonical(), b.canonical());
  // And a later add at b reaches a as a one-dot delta.
  a.join(b.add('e1'));
  assert.ok(a.has('e1'));
  assert.equal(a.size, 101);
});

test('stores numbering elements in different tables join through the strings', () => {
  const a = new ORSetDotStore('a', new ElementTable());
  const b = new ORSetDotStore('b', new ElementTable());
  for (const e of ['x', 'y', 'z']) a.add(e);
  for (const e of ['z', 'w']) b.add(e);
  b.join(a);
  b.remove('y');
  a.join(b);
  assert.deepEqual(a.value(), ['w', 'x', 'z']);
  assert.equal(a.canonical(), b.canonical());
});
