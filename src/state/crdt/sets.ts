/**
 * Sets: grow-only (G-Set), two-phase (2P-Set: a removed element never comes back), and the
 * observed-remove set (OR-Set, add wins): every add is a unique dot; a remove deletes the dots it
 * has observed, so an add concurrent with a remove survives it. This OR-Set is the optimised form
 * (ORSWOT, as in Riak): removed dots are remembered by a causal context, not by tombstones.
 */
import { mergeVersions, type VersionVector } from '../causality/version-vector.js';
import { covers, type Dot } from '../causality/dotted-version-vector.js';
import { canonicalJson, type Crdt } from './crdt.js';

export type GSet = readonly string[];

const sortedUnion = (a: readonly string[], b: readonly string[]): string[] => [...new Set([...a, ...b])].sort();

export const gSet = {
  name: 'g-set',
  empty: (): GSet => [],
  add: (s: GSet, e: string): GSet => (s.includes(e) ? s : [...s, e].sort()),
  merge: (a: GSet, b: GSet): GSet => sortedUnion(a, b),
  value: (s: GSet): string[] => [...s],
  canonical: (s: GSet) => canonicalJson([...s].sort()),
} satisfies Crdt<GSet, string[]> & Record<string, unknown>;

export interface TwoPSet {
  readonly added: GSet;
  readonly removed: GSet;
}

export const twoPSet = {
  name: '2p-set',
  empty: (): TwoPSet => ({ added: [], removed: [] }),
  add: (s: TwoPSet, e: string): TwoPSet => ({ added: gSet.add(s.added, e), removed: s.removed }),
  /** Removing an element not (yet) added does nothing: a 2P-Set only removes what it has. */
  remove: (s: TwoPSet, e: string): TwoPSet => (s.added.includes(e) ? { added: s.added, removed: gSet.add(s.removed, e) } : s),
  merge: (a: TwoPSet, b: TwoPSet): TwoPSet => ({ added: sortedUnion(a.added, b.added), removed: sortedUnion(a.removed, b.removed) }),
  value: (s: TwoPSet): string[] => s.added.filter((e) => !s.removed.includes(e)),
  canonical: (s: TwoPSet) => canonicalJson({ added: [...s.added].sort(), removed: [...s.removed].sort() }),
} satisfies Crdt<TwoPSet, string[]> & Record<string, unknown>;

export interface ORSet {
  /** Each present element with the dots of the adds that put it there. */
  readonly entries: Readonly<Record<string, readonly Dot[]>>;
  /** Every dot this replica has seen (added, and possibly since removed). */
  readonly context: VersionVector;
}

const dotKey = (d: Dot) => `${d.replica}:${d.counter}`;
const sortDots = (ds: Dot[]) => ds.sort((x, y) => (x.replica < y.replica ? -1 : x.replica > y.replica ? 1 : x.counter - y.counter));

/** The dots of one side that the other side has not seen (so did not remove); the array itself when all are. */
function unseen(ds: readonly Dot[], otherContext: VersionVector): readonly Dot[] {
  let kept: Dot[] | undefined;
  for (let i = 0; i < ds.length; i++) {
    if (!covers(otherContext, ds[i])) {
      kept?.push(ds[i]);
    } else if (kept === undefined) {
      kept = ds.slice(0, i);
    }
  }
  return kept ?? ds;
}

/** The same dots in the same order: what two replicas hold for an element neither changed since they last synced. */
function sameDots(da: readonly Dot[], db: readonly Dot[]): boolean {
  if (da === db) return true;
  if (da.length !== db.length) return false;
  for (let i = 0; i < da.length; i++) if (da[i].replica !== db[i].replica || da[i].counter !== db[i].counter) return false;
  return true;
}

/** A dot survives if both sides have it, or the other side has not seen it (so did not remove it). */
function mergeDots(da: readonly Dot[], ca: VersionVector, db: readonly Dot[], cb: VersionVector): readonly Dot[] {
  const inB = new Set(db.map(dotKey));
  const inA = new Set(da.map(dotKey));
  return sortDots([...da.filter((d) => inB.has(dotKey(d)) || !covers(cb, d)), ...db.filter((d) => !inA.has(dotKey(d)) && !covers(ca, d))]);
}

export const orSet = {
  name: 'or-set',
  empty: (): ORSet => ({ entries: {}, context: {} }),
  add(s: ORSet, replica: string, e: string): ORSet {
    const counter = (s.context[replica] ?? 0) + 1;
    // The new dot supersedes this replica's view of e: its older dots are in the context.
    return { entries: { ...s.entries, [e]: [{ replica, counter }] }, context: { ...s.context, [replica]: counter } };
  },
  /** Remove what this replica has observed of e; a concurrent add elsewhere survives. */
  remove(s: ORSet, e: string): ORSet {
    if (!(e in s.entries)) return s;
    const entries = { ...s.entries };
    delete entries[e];
    return { entries, context: s.context };
  },
  merge(a: ORSet, b: ORSet): ORSet {
    const entries: Record<string, readonly Dot[]> = {};
    // Replicas ship whole states, so most entries hold the same dots on both sides (equal, not the
    // same array: a state arrives decoded from bytes), or are present on one side only: those take
    // a path without sets or sorting. Dots are kept sorted, so equal lists compare item by item.
    for (const e in a.entries) {
      const da = a.entries[e];
      const db = b.entries[e];
      const kept = db === undefined ? unseen(da, b.context) : sameDots(da, db) ? da : mergeDots(da, a.context, db, b.context);
      if (kept.length > 0) entries[e] = kept;
    }
    for (const e in b.entries) {
      if (e in a.entries) continue;
      const kept = unseen(b.entries[e], a.context);
      if (kept.length > 0) entries[e] = kept;
    }
    return { entries, context: mergeVersions(a.context, b.context) };
  },
  value: (s: ORSet): string[] => Object.keys(s.entries).sort(),
  canonical: (s: ORSet) => canonicalJson({ entries: Object.fromEntries(Object.entries(s.entries).map(([e, ds]) => [e, sortDots([...ds]).map(dotKey)])), context: s.context }),
} satisfies Crdt<ORSet, string[]> & Record<string, unknown>;
