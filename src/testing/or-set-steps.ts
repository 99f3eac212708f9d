/**
 * The model test both in-place OR-Sets share (ORSetReplica, ORSetDotStore): random adds, removes and
 * syncs among three replicas, run on the replicas and on the value form (orSet) side by side, with
 * the same elements checked after every step. A sync is whatever the caller makes of it: a whole
 * state joined, or every delta the other side knows, shuffled and one of them twice (a delta join
 * needs neither order nor uniqueness).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { orSet, type ORSet } from '../state/index.js';

const names = ['r0', 'r1', 'r2'];
const elements = ['a', 'b', 'c', 'd'];

export type SyncKind = 'sync' | 'deltas';
export type ORSetStep = { at: number; kind: 'add' | 'remove'; element: number } | { at: number; kind: SyncKind; from: number; order: number[] };

/** Up to 60 steps among three replicas, syncing in the kinds given. */
export function orSetSteps(syncKinds: readonly [SyncKind, ...SyncKind[]]): fc.Arbitrary<ORSetStep[]> {
  const step: fc.Arbitrary<ORSetStep> = fc.oneof(
    fc.record({ at: fc.nat(2), kind: fc.constantFrom<'add' | 'remove'>('add', 'remove'), element: fc.nat(3) }),
    fc.record({ at: fc.nat(2), kind: fc.constantFrom(...syncKinds), from: fc.nat(2), order: fc.array(fc.nat(1_000), { maxLength: 40 }) }),
  );
  return fc.array(step, { maxLength: 60 });
}

/** The items in an order drawn from `order`, one of them twice. */
export function shuffled<T>(items: readonly T[], order: readonly number[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = (order[i % Math.max(1, order.length)] ?? 0) % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return order.length > 0 && out.length > 0 ? [...out, out[order[0] % out.length]] : out;
}

/** An OR-Set changed in place, whose add and remove return the delta they made. */
export interface InPlaceORSet<D> {
  add(element: string): D;
  remove(element: string): D;
  value(): string[];
}

/** How `target` takes in `source`: its state in value form, or the deltas it knows (shuffled, one twice). */
export type SyncBy<R, D> = (target: R, source: { replica: R; state: ORSet; deltas: D[] }, kind: SyncKind) => void;

/** Runs the steps on replicas made by `make` and on the value form, asserting they agree after each; returns the replicas. */
export function replayAgainstValueForm<R extends InPlaceORSet<unknown>>(steps: readonly ORSetStep[], make: (name: string) => R, syncBy: SyncBy<R, ReturnType<R['add']>>): R[] {
  type D = ReturnType<R['add']>;
  const pure: ORSet[] = names.map(() => orSet.empty());
  const live = names.map(make);
  // Every delta each replica has made or received: shipping them all is a sync by deltas.
  const known: D[][] = names.map(() => []);
  for (const step of steps) {
    const i = step.at;
    if (!('from' in step)) {
      const element = elements[step.element];
      pure[i] = step.kind === 'add' ? orSet.add(pure[i], names[i], element) : orSet.remove(pure[i], element);
      known[i].push((step.kind === 'add' ? live[i].add(element) : live[i].remove(element)) as D);
    } else {
      const state = pure[step.from];
      pure[i] = orSet.merge(pure[i], state);
      syncBy(live[i], { replica: live[step.from], state, deltas: shuffled(known[step.from], step.order) }, step.kind);
      known[i].push(...known[step.from]);
    }
    for (let r = 0; r < names.length; r++) assert.deepEqual(live[r].value(), orSet.value(pure[r]), `replica ${names[r]}`);
  }
  return live;
}
