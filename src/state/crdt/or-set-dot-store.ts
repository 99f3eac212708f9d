/**
 * The add-wins set as a mutable dot store with a causal context, joined in place (delta-state CRDTs:
 * Almeida, Shoker and Baquero, "Delta state replicated data types", JPDC 2018: the AWSet of §7.2, its
 * delta mutators of §4, the causal context as a version vector plus a dot cloud of §7.1).
 *
 * A state is a set of dots, each tagged with its element, and a causal context: every dot the state
 * has seen. The join of (s, c) and (s', c') keeps a dot when both hold it, or when the side that lacks
 * it has not seen it (so did not remove it): (s ∩ s') ∪ (s \ c') ∪ (s' \ c). A delta mutator returns a
 * small state of the same type (the new dot, and the dots it supersedes in its context), so deltas,
 * groups of deltas and whole states are all joined by the one `join`, in any order, any number of times.
 *
 * Why it is fast: dots are stored per replica in columns sorted by counter, so a join looks only at
 * - the other side's dots above this side's version vector for that replica (a binary search finds
 *   where they start), plus its cloud: what this side has not seen;
 * - this side's dots the other side has seen: a merge-walk of two sorted columns, for replicas both know.
 * Nothing of either side is copied or rebuilt; two states that share no replica join in the time it takes
 * to add the other side's dots. A removed dot leaves a hole in its column, compacted once holes outnumber
 * the live dots, so removes stay O(log n) and memory stays within twice the live dots.
 *
 * Elements are numbered by an element table shared by the stores of a process (the default one, or one
 * passed in): a column holds numbers, and a store finds an element's dots by indexing an array, so the
 * hot loop of a join hashes nothing. The numbers never leave the process: values, deltas on the wire and
 * canonical forms name elements by their strings. Stores with different tables still join, through the
 * strings.
 *
 * Dots are immutable values, shared between stores, never changed.
 */
import type { Dot } from '../causality/dotted-version-vector.js';
import type { ORSet } from './sets.js';
import { CausalContext } from './causal-context.js';

/** Element strings to small numbers and back, for every store that shares it; it only grows. */
export class ElementTable {
  private readonly numbers = new Map<string, number>();
  private readonly names: string[] = [];

  /** The element's number, assigned on first sight. */
  number(element: string): number {
    let n = this.numbers.get(element);
    if (n === undefined) {
      n = this.names.length;
      this.numbers.set(element, n);
      this.names.push(element);
    }
    return n;
  }

  /** The element's number, or -1 if it was never seen. */
  find(element: string): number {
    return this.numbers.get(element) ?? -1;
  }

  name(n: number): string {
    return this.names[n];
  }
}

/** The table stores use unless given one. */
export const sharedElementTable = new ElementTable();

/** What a column holds for a removed dot: a hole, compacted away later. */
const HOLE = -1;

/** One replica's dots held by a store: counters strictly ascending, with each one's element number (HOLE once removed). */
interface Column {
  dots: Dot[];
  elements: number[];
  holes: number;
}

/** Holes below this many are never compacted: a small column is cheap to walk as it is. */
const compactHolesMin = 32;

/** The first index of the column whose counter is above `counter` (the column's length if none). */
function firstAbove(dots: readonly Dot[], counter: number): number {
  let lo = 0;
  let hi = dots.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (dots[mid].counter <= counter) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The index of the counter in the column, or -1. */
function indexOf(dots: readonly Dot[], counter: number): number {
  const i = firstAbove(dots, counter) - 1;
  return i >= 0 && dots[i].counter === counter ? i : -1;
}

/**
 * Each element's live dots, by element number: one, or two after concurrent adds, rarely more. Kept in
 * flat arrays (the first dot, the second, the rest) rather than an object per element, so a join that
 * walks a column, whose elements are numbered mostly in order, touches memory in order and allocates
 * nothing when it gives an element its second dot.
 */
class DotsByElement {
  private first: (Dot | undefined)[] = [];
  private second: (Dot | undefined)[] = [];
  private more: (Dot[] | undefined)[] = [];
  /** Elements with at least one dot. */
  present = 0;

  has(element: number): boolean {
    return this.first[element] !== undefined;
  }

  /** Elements numbered below this may be present. */
  get bound(): number {
    return this.first.length;
  }

  add(element: number, dot: Dot): void {
    if (this.first[element] === undefined) {
      // A number past the end: grow the three arrays together, in one step (the gap reads as undefined).
      if (element >= this.first.length) {
        this.first.length = element + 1;
        this.second.length = element + 1;
        this.more.length = element + 1;
      }
      this.first[element] = dot;
      this.present++;
    } else if (this.second[element] === undefined) this.second[element] = dot;
    else (this.more[element] ??= []).push(dot);
  }

  /** Drop the dot (held for the element); the last dot held moves into its place. */
  delete(element: number, dot: Dot): void {
    const more = this.more[element];
    let last: Dot;
    if (more !== undefined && more.length > 0) last = more.pop()!;
    else if (this.second[element] !== undefined) {
      last = this.second[element]!;
      this.second[element] = undefined;
    } else {
      this.first[element] = undefined;
      this.present--;
      return;
    }
    if (last === dot) return;
    if (this.first[element] === dot) this.first[element] = last;
    else if (this.second[element] === dot) this.second[element] = last;
    else more![more!.indexOf(dot)] = last;
  }

  dots(element: number): Dot[] {
    const out: Dot[] = [];
    const first = this.first[element];
    if (first === undefined) return out;
    out.push(first);
    const second = this.second[element];
    if (second !== undefined) out.push(second);
    const more = this.more[element];
    if (more !== undefined) out.push(...more);
    return out;
  }

  clone(): DotsByElement {
    const out = new DotsByElement();
    out.first = [...this.first];
    out.second = [...this.second];
    out.more = this.more.map((m) => (m === undefined ? undefined : [...m]));
    out.present = this.present;
    return out;
  }
}

export class ORSetDotStore {
  /** By element number: the element's live dots (none when it is not in the set). */
  private byElement = new DotsByElement();
  private readonly columns = new Map<string, Column>();
  /** Every dot seen (a delta's context holds the dots it supersedes or removes). */
  private readonly context = new CausalContext();

  /** `replica` names the dots this store's mutators make. */
  constructor(
    readonly replica: string,
    readonly table: ElementTable = sharedElementTable,
  ) {}

  /** The store holding an orSet value's dots and context. */
  static fromValue(replica: string, s: ORSet, table: ElementTable = sharedElementTable): ORSetDotStore {
    const store = new ORSetDotStore(replica, table);
    const dots: { element: number; dot: Dot }[] = [];
    for (const element in s.entries) for (const dot of s.entries[element]) dots.push({ element: table.number(element), dot });
    dots.sort((x, y) => x.dot.counter - y.dot.counter);
    for (const { element, dot } of dots) store.insert(element, dot);
    for (const r in s.context) store.context.seeUpTo(r, s.context[r]);
    return store;
  }

  get size(): number {
    return this.byElement.present;
  }

  has(element: string): boolean {
    const n = this.table.find(element);
    return n >= 0 && this.byElement.has(n);
  }

  /** The elements, sorted as orSet.value sorts them. */
  value(): string[] {
    const out: string[] = [];
    for (let n = 0; n < this.byElement.bound; n++) if (this.byElement.has(n)) out.push(this.table.name(n));
    return out.sort();
  }

  /** A copy sharing nothing mutable with this store. */
  clone(replica = this.replica): ORSetDotStore {
    const out = new ORSetDotStore(replica, this.table);
    out.byElement = this.byElement.clone();
    for (const [r, c] of this.columns) out.columns.set(r, { dots: [...c.dots], elements: [...c.elements], holes: c.holes });
    this.context.copyInto(out.context);
    return out;
  }

  /**
   * Add the element with a new dot of this replica; the dots it had here are superseded (observed, so
   * removed). Applied here; returns the delta: the new dot, and in its context the superseded ones.
   */
  add(element: string): ORSetDotStore {
    const n = this.table.number(element);
    const superseded = this.removeElement(n);
    const dot: Dot = { replica: this.replica, counter: this.context.next(this.replica) };
    this.insert(n, dot);
    this.context.see(dot);
    const delta = new ORSetDotStore(this.replica, this.table);
    delta.insert(n, dot);
    for (const d of superseded) delta.context.see(d);
    delta.context.see(dot);
    return delta;
  }

  /** Remove what this replica has observed of the element; a concurrent add elsewhere survives. Returns the delta: the removed dots, in its context only. */
  remove(element: string): ORSetDotStore {
    const delta = new ORSetDotStore(this.replica, this.table);
    const n = this.table.find(element);
    if (n >= 0) for (const d of this.removeElement(n)) delta.context.see(d);
    return delta;
  }

  /** Join another state, a delta or a group of deltas into this one, in place. The other is not changed. */
  join(other: ORSetDotStore): void {
    // Removals first, while this side's columns hold only its own dots: a dot the other has seen and
    // does not hold was removed there.
    for (const [replica, mine] of this.columns) {
      const top = other.context.vv.get(replica) ?? 0;
      const ahead = other.context.cloud.get(replica);
      if (top === 0 && ahead === undefined) continue;
      const theirs = other.columns.get(replica);
      const end = firstAbove(mine.dots, top);
      let j = 0;
      for (let i = 0; i < end; i++) {
        if (mine.elements[i] === HOLE) continue;
        const counter = mine.dots[i].counter;
        if (theirs !== undefined) while (j < theirs.dots.length && theirs.dots[j].counter < counter) j++;
        const held = theirs !== undefined && j < theirs.dots.length && theirs.dots[j].counter === counter && theirs.elements[j] !== HOLE;
        if (!held) this.drop(mine, i);
      }
      if (ahead !== undefined) {
        for (const counter of ahead) {
          const i = indexOf(mine.dots, counter);
          if (i < 0 || mine.elements[i] === HOLE) continue;
          const k = theirs === undefined ? -1 : indexOf(theirs.dots, counter);
          if (k < 0 || theirs!.elements[k] === HOLE) this.drop(mine, i);
        }
      }
      this.compactIfSparse(replica, mine);
    }
    // Then the other's dots this side has not seen: above its version vector and outside its cloud.
    const sameTable = other.table === this.table;
    for (const [replica, theirs] of other.columns) {
      const top = this.context.vv.get(replica) ?? 0;
      const seenAhead = this.context.cloud.get(replica);
      const from = firstAbove(theirs.dots, top);
      if (sameTable && seenAhead === undefined && !this.columns.has(replica)) {
        // A replica new to this side: its column is the other's, from `from` on, copied in one go.
        this.adoptColumn(replica, theirs, from);
        continue;
      }
      for (let i = from; i < theirs.dots.length; i++) {
        const element = theirs.elements[i];
        if (element === HOLE) continue;
        const dot = theirs.dots[i];
        if (seenAhead !== undefined && seenAhead.has(dot.counter)) continue;
        this.insert(sameTable ? element : this.table.number(other.table.name(element)), dot);
      }
    }
    this.context.join(other.context);
  }

  /** The same state in value form (what orSet.merge would hold): the context as a version vector. Dots seen out of order are left out of it, so it is exact only for a store with an empty cloud. */
  toValue(): ORSet {
    const entries: Record<string, Dot[]> = {};
    for (let n = 0; n < this.byElement.bound; n++) {
      if (this.byElement.has(n)) entries[this.table.name(n)] = this.byElement.dots(n).sort((x, y) => (x.replica < y.replica ? -1 : x.replica > y.replica ? 1 : x.counter - y.counter));
    }
    return { entries, context: Object.fromEntries(this.context.vv) };
  }

  /** Equal for equal states: the elements with their dots, and the causal context, sorted. */
  canonical(): string {
    const dotKey = (d: Dot) => `${d.replica}:${d.counter}`;
    const byName = ([a]: readonly [string, ...unknown[]], [b]: readonly [string, ...unknown[]]) => (a < b ? -1 : a > b ? 1 : 0);
    const entries: [string, string[]][] = [];
    for (let n = 0; n < this.byElement.bound; n++) {
      if (this.byElement.has(n)) entries.push([this.table.name(n), this.byElement.dots(n).map(dotKey).sort()]);
    }
    const vv = [...this.context.vv].sort(byName);
    const cloud = [...this.context.cloud].map(([r, set]) => [r, [...set].sort((x, y) => x - y)] as [string, number[]]).sort(byName);
    return JSON.stringify({ entries: entries.sort(byName), vv, cloud });
  }

  /** Hold the dot for the element (not yet held here). */
  private insert(element: number, dot: Dot): void {
    let column = this.columns.get(dot.replica);
    if (column === undefined) this.columns.set(dot.replica, (column = { dots: [], elements: [], holes: 0 }));
    const n = column.dots.length;
    if (n === 0 || column.dots[n - 1].counter < dot.counter) {
      column.dots.push(dot);
      column.elements.push(element);
    } else {
      // Out of order (a dot from the cloud of another store): rare, so a splice is fine.
      const at = firstAbove(column.dots, dot.counter);
      column.dots.splice(at, 0, dot);
      column.elements.splice(at, 0, element);
    }
    this.byElement.add(element, dot);
  }

  /** Take the other's column from index `from` on as this side's column of the replica (which it has none of). */
  private adoptColumn(replica: string, theirs: Column, from: number): void {
    const dots = theirs.dots.slice(from);
    const elements = theirs.elements.slice(from);
    let holes = 0;
    // The hot loop of a join: an array index per dot, and no allocation when the element is already here.
    for (let i = 0; i < elements.length; i++) {
      if (elements[i] === HOLE) holes++;
      else this.byElement.add(elements[i], dots[i]);
    }
    if (holes < dots.length) this.columns.set(replica, { dots, elements, holes });
  }

  /** Let go of the dot at index i of the column (live). */
  private drop(column: Column, i: number): void {
    const element = column.elements[i];
    column.elements[i] = HOLE;
    column.holes++;
    this.byElement.delete(element, column.dots[i]);
  }

  /** Drop every dot of the element here; returns them. */
  private removeElement(element: number): Dot[] {
    const removed = this.byElement.dots(element);
    for (const dot of removed) {
      const column = this.columns.get(dot.replica)!;
      this.drop(column, indexOf(column.dots, dot.counter));
      this.compactIfSparse(dot.replica, column);
    }
    return removed;
  }

  private compactIfSparse(replica: string, column: Column): void {
    if (column.holes < compactHolesMin || column.holes * 2 < column.dots.length) return;
    if (column.holes === column.dots.length) {
      this.columns.delete(replica);
      return;
    }
    let w = 0;
    for (let r = 0; r < column.dots.length; r++) {
      if (column.elements[r] === HOLE) continue;
      column.dots[w] = column.dots[r];
      column.elements[w] = column.elements[r];
      w++;
    }
    column.dots.length = w;
    column.elements.length = w;
    column.holes = 0;
  }
}
