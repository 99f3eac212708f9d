/**
 * The OR-Set dot store: its join is a semilattice (commutative, associative, idempotent) on states three
 * replicas reach through random adds, removes and partial syncs, whole or by deltas shuffled and
 * repeated; it holds what the value form (orSet) holds after every step; add wins; and holes left by
 * removes are compacted without changing the state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { orSet, type ORSet } from './sets.js';
import { ElementTable, ORSetDotStore } from './or-set-dot-store.js';

const names = ['r0', 'r1', 'r2'];
const elements = ['a', 'b', 'c', 'd'];

type Change = { at: number; kind: 'add' | 'remove'; element: number };
type Sync = { at: number; kind: 'sync' | 'deltas'; from: number; order: number[] };
type Op = Change | Sync;
const isSync = (op: Op): op is Sync => op.kind === 'sync' || op.kind === 'deltas';

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ at: fc.nat(2), kind: fc.constantFrom<'add' | 'remove'>('add', 'remove'), element: fc.nat(3) }),
  fc.record({ at: fc.nat(2), kind: fc.constantFrom<'sync' | 'deltas'>('sync', 'deltas'), from: fc.nat(2), order: fc.array(fc.nat(1_000), { maxLength: 40 }) }),
);

/** The deltas in an order drawn from `order`, one of them twice: a delta join needs neither order nor uniqueness. */
function shuffled<T>(items: readonly T[], order: readonly number[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = (order[i % Math.max(1, order.length)] ?? 0) % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return order.length > 0 && out.length > 0 ? [...out, out[order[0] % out.length]] : out;
}

/** Runs the ops on stores and on the value form side by side, checking they agree after every step. */
function run(ops: readonly Op[]): ORSetDotStore[] {
  const pure: ORSet[] = names.map(() => orSet.empty());
  const live = names.map((n) => new ORSetDotStore(n));
  // Every delta each replica has made or received: shipping them all is a sync by deltas.
  const known: ORSetDotStore[][] = names.map(() => []);
  for (const op of ops) {
    const i = op.at;
    if (isSync(op)) {
      pure[i] = orSet.merge(pure[i], pure[op.from]);
      if (op.kind === 'sync') live[i].join(live[op.from]);
      else for (const d of shuffled(known[op.from], op.order)) live[i].join(d);
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
  return live;
}

const joined = (x: ORSetDotStore, ...others: ORSetDotStore[]) => {
  const out = x.clone();
  for (const o of others) out.join(o);
  return out;
};

test('the dot store holds what the value form holds, joined whole or by deltas in any order and twice', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
      run(ops);
    }),
    { numRuns: 300, seed: 13 },
  );
});

test('the dot store join is commutative, associative and idempotent, and leaves its argument alone', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
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
