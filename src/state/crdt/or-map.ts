/**
 * OR-Map: a map whose keys behave as an OR-Set (an update concurrent with a removal of its key
 * keeps the key) and whose values are CRDTs merged per key. A removed key keeps its inner state
 * underneath: an update after the removal continues from it (Riak's maps reset it instead; this is
 * the simpler, documented choice).
 */
import { orSet, type ORSet } from './sets.js';
import { canonicalJson, type Crdt } from './crdt.js';

export interface ORMap<S> {
  readonly keys: ORSet;
  readonly values: Readonly<Record<string, S>>;
}

export function orMap<S, V>(inner: Crdt<S, V>) {
  return {
    name: `or-map(${inner.name})`,
    empty: (): ORMap<S> => ({ keys: orSet.empty(), values: {} }),
    /** Update key's value with f at `replica` (the key is added if absent). */
    update(m: ORMap<S>, replica: string, key: string, f: (s: S) => S): ORMap<S> {
      return { keys: orSet.add(m.keys, replica, key), values: { ...m.values, [key]: f(m.values[key] ?? inner.empty()) } };
    },
    remove: (m: ORMap<S>, key: string): ORMap<S> => ({ keys: orSet.remove(m.keys, key), values: m.values }),
    merge(a: ORMap<S>, b: ORMap<S>): ORMap<S> {
      const values: Record<string, S> = { ...a.values };
      for (const [k, s] of Object.entries(b.values)) values[k] = k in values ? inner.merge(values[k], s) : s;
      return { keys: orSet.merge(a.keys, b.keys), values };
    },
    value(m: ORMap<S>): Record<string, V> {
      return Object.fromEntries(orSet.value(m.keys).map((k) => [k, inner.value(m.values[k] ?? inner.empty())]));
    },
    canonical: (m: ORMap<S>) => canonicalJson({ k: orSet.canonical(m.keys), v: Object.fromEntries(Object.entries(m.values).map(([k, s]) => [k, inner.canonical(s)])) }),
  } satisfies Crdt<ORMap<S>, Record<string, V>> & Record<string, unknown>;
}
