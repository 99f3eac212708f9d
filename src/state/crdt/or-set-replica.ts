/**
 * An OR-Set replica that changes in place and joins deltas (delta-state CRDTs: Almeida, Shoker and
 * Baquero, "Delta state replicated data types", JPDC 2018, §4 and the add-wins set of §7.2).
 *
 * `orSet` (sets.ts) is the value form: immutable, shipped and merged whole, so every merge costs the
 * size of both states. This replica keeps an index from each dot to its element, and its causal
 * context as a version vector plus a cloud of dots seen out of order, so:
 * - `add` and `remove` return a delta, the few dots the change made or removed;
 * - `joinDelta` costs the delta's size, in any order, any number of times (the join is a
 *   semilattice: commutative, associative, idempotent, so deltas need no causal delivery);
 * - `joinState` folds a whole `orSet` value in without building a new state.
 * Both forms give the same value from the same operations; or-set-replica.test compares them.
 */
import type { Dot } from '../causality/dotted-version-vector.js';
import type { ORSet } from './sets.js';
import { CausalContext } from './causal-context.js';

/** What one change or a group of changes did: dots added to elements, and dots removed. */
export interface ORSetDelta {
  readonly adds: readonly { readonly element: string; readonly dot: Dot }[];
  readonly removes: readonly Dot[];
}

export class ORSetReplica {
  /** Each present element with the dots of the adds that put it there. */
  private readonly entries = new Map<string, Dot[]>();
  /** Every present dot (replica, then counter) to the element it belongs to: a removed dot is found without a scan. */
  private readonly owner = new Map<string, Map<number, string>>();
  /** Dots seen: contiguous from 1 per replica, and beyond (a delta arrived before an earlier one). */
  private readonly context = new CausalContext();

  constructor(readonly replica: string) {}

  get size(): number {
    return this.entries.size;
  }

  has(element: string): boolean {
    return this.entries.has(element);
  }

  /** The elements, sorted as orSet.value sorts them. */
  value(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** A new dot for the element; the dots it had here are superseded (observed, so removed). */
  add(element: string): ORSetDelta {
    const counter = (this.context.vv.get(this.replica) ?? 0) + 1;
    const dot = { replica: this.replica, counter };
    const removes = this.removeAll(element);
    this.addDot(element, dot);
    this.context.see(dot);
    return { adds: [{ element, dot }], removes };
  }

  /** Remove what this replica has observed of the element; a concurrent add elsewhere survives. */
  remove(element: string): ORSetDelta {
    return { adds: [], removes: this.removeAll(element) };
  }

  joinDelta(delta: ORSetDelta): void {
    // Removes first: a group holding the add of a dot and its later removal ends with it removed.
    for (const dot of delta.removes) {
      this.dropDot(dot);
      this.context.see(dot);
    }
    for (const { element, dot } of delta.adds) {
      // Seen and absent means removed here: the add does not come back.
      if (this.context.seen(dot)) continue;
      this.addDot(element, dot);
      this.context.see(dot);
    }
  }

  /** Join a whole state in value form (what orSet.merge computes, without a new state). */
  joinState(s: ORSet): void {
    // A dot survives if both have it, or the side without it has not seen it (so did not remove it).
    for (const element in s.entries) {
      for (const dot of s.entries[element]) if (!this.context.seen(dot)) this.addDot(element, dot);
    }
    const removed: Dot[] = [];
    for (const [element, dots] of this.entries) {
      for (const dot of dots) {
        if ((s.context[dot.replica] ?? 0) < dot.counter) continue;
        const theirs = s.entries[element];
        if (theirs === undefined || !theirs.some((d) => d.replica === dot.replica && d.counter === dot.counter)) removed.push(dot);
      }
    }
    for (const dot of removed) this.dropDot(dot);
    for (const replica in s.context) this.context.seeUpTo(replica, s.context[replica]);
  }

  private addDot(element: string, dot: Dot): void {
    const dots = this.entries.get(element);
    if (dots === undefined) this.entries.set(element, [dot]);
    else dots.push(dot);
    const byCounter = this.owner.get(dot.replica);
    if (byCounter === undefined) this.owner.set(dot.replica, new Map([[dot.counter, element]]));
    else byCounter.set(dot.counter, element);
  }

  private dropDot(dot: Dot): void {
    const byCounter = this.owner.get(dot.replica);
    const element = byCounter?.get(dot.counter);
    if (element === undefined) return;
    byCounter!.delete(dot.counter);
    const dots = this.entries.get(element)!;
    const kept = dots.filter((d) => d.replica !== dot.replica || d.counter !== dot.counter);
    if (kept.length === 0) this.entries.delete(element);
    else this.entries.set(element, kept);
  }

  private removeAll(element: string): Dot[] {
    const dots = this.entries.get(element);
    if (dots === undefined) return [];
    this.entries.delete(element);
    for (const d of dots) this.owner.get(d.replica)?.delete(d.counter);
    return dots;
  }
}
