/** Grow-only and positive-negative counters: one count per replica, merged by maximum. */
import { canonicalJson, maxMerge, type Crdt } from './crdt.js';

export type GCounter = Readonly<Record<string, number>>;

/** A replica that counted nothing is the same as one never heard of. */
const nonZero = (s: GCounter) => Object.fromEntries(Object.entries(s).filter(([, n]) => n !== 0));

export const gCounter = {
  name: 'g-counter',
  empty: (): GCounter => ({}),
  increment(s: GCounter, replica: string, by = 1): GCounter {
    if (!(by >= 0)) throw new RangeError(`a grow-only counter only grows, got ${by}`);
    return by === 0 ? s : { ...s, [replica]: (s[replica] ?? 0) + by };
  },
  merge: (a: GCounter, b: GCounter): GCounter => maxMerge(a, b),
  value: (s: GCounter): number => Object.values(s).reduce((x, y) => x + y, 0),
  canonical: (s: GCounter) => canonicalJson(nonZero(s)),
} satisfies Crdt<GCounter, number> & Record<string, unknown>;

export interface PNCounter {
  readonly p: GCounter;
  readonly n: GCounter;
}

export const pnCounter = {
  name: 'pn-counter',
  empty: (): PNCounter => ({ p: {}, n: {} }),
  add(s: PNCounter, replica: string, by: number): PNCounter {
    return by >= 0 ? { p: gCounter.increment(s.p, replica, by), n: s.n } : { p: s.p, n: gCounter.increment(s.n, replica, -by) };
  },
  merge: (a: PNCounter, b: PNCounter): PNCounter => ({ p: maxMerge(a.p, b.p), n: maxMerge(a.n, b.n) }),
  value: (s: PNCounter): number => gCounter.value(s.p) - gCounter.value(s.n),
  canonical: (s: PNCounter) => canonicalJson({ p: nonZero(s.p), n: nonZero(s.n) }),
} satisfies Crdt<PNCounter, number> & Record<string, unknown>;
