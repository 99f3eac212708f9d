/**
 * Dotted version vectors (Preguiça, Baquero, Almeida et al. 2010; as in Riak): each stored value
 * carries one dot (replica, counter) naming the write that made it, plus the causal context the
 * writer had seen. A server keeps the set of sibling values no write has superseded. A new write
 * with context C discards exactly the siblings whose dot C covers; concurrent writes become
 * siblings, and siblings never multiply just because writes went through the same server (the flaw
 * of plain version vectors per server: "sibling explosion").
 */
import { mergeVersions, type VersionVector } from './version-vector.js';

export interface Dot {
  replica: string;
  counter: number;
}

export interface Sibling<T> {
  dot: Dot;
  value: T;
}

/** The values of one key at one server, with the context that summarises all of them. */
export interface DvvSet<T> {
  /** Everything this server has seen for the key. */
  context: VersionVector;
  siblings: readonly Sibling<T>[];
}

export const emptyDvvSet = <T>(): DvvSet<T> => ({ context: {}, siblings: [] });

export const covers = (context: VersionVector, dot: Dot): boolean => (context[dot.replica] ?? 0) >= dot.counter;

/**
 * A client writes `value` at server `replica`, having read the key with `clientContext` (empty for a
 * blind write). Siblings the client had seen are replaced; the others stay as concurrent siblings.
 */
export function dvvWrite<T>(set: DvvSet<T>, replica: string, clientContext: VersionVector, value: T): DvvSet<T> {
  const counter = (set.context[replica] ?? 0) + 1;
  const dot = { replica, counter };
  const kept = set.siblings.filter((s) => !covers(clientContext, s.dot));
  return { context: { ...set.context, [replica]: counter }, siblings: [...kept, { dot, value }] };
}

/** Merge two servers' states of a key (anti-entropy, read repair): keep what neither has superseded. */
export function dvvMerge<T>(a: DvvSet<T>, b: DvvSet<T>): DvvSet<T> {
  const key = (d: Dot) => `${d.replica}:${d.counter}`;
  const inA = new Set(a.siblings.map((s) => key(s.dot)));
  const inB = new Set(b.siblings.map((s) => key(s.dot)));
  // A sibling survives if the other side has it too, or has not seen its dot (so could not have superseded it).
  const keep = (s: Sibling<T>, otherHas: Set<string>, otherContext: VersionVector) => otherHas.has(key(s.dot)) || !covers(otherContext, s.dot);
  const siblings = [...a.siblings.filter((s) => keep(s, inB, b.context)), ...b.siblings.filter((s) => !inA.has(key(s.dot)) && keep(s, inA, a.context))];
  siblings.sort((x, y) => (x.dot.replica < y.dot.replica ? -1 : x.dot.replica > y.dot.replica ? 1 : x.dot.counter - y.dot.counter));
  return { context: mergeVersions(a.context, b.context), siblings };
}

/** What a read returns: the values, and the context to send back with the next write. */
export function dvvRead<T>(set: DvvSet<T>): { values: T[]; context: VersionVector } {
  return { values: set.siblings.map((s) => s.value), context: set.context };
}
