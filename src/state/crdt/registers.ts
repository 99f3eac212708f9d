/**
 * Registers. LWW-Register: the write with the larger timestamp wins (ties broken by replica name);
 * the timestamp may be wall-clock time (a skewed clock silently loses newer writes) or an HLC.
 * MV-Register: concurrent writes are all kept as siblings (dotted version vectors) and returned
 * together, for the application to resolve; a write that has seen them replaces them.
 */
import { dvvMerge, dvvRead, dvvWrite, emptyDvvSet, type DvvSet } from '../causality/dotted-version-vector.js';
import { canonicalJson, type Crdt } from './crdt.js';

export interface LwwRegister<T> {
  readonly value: T | undefined;
  /** [time, logical counter] (an HLC timestamp; a wall-clock writer uses counter 0). */
  readonly ts: readonly [number, number];
  readonly replica: string;
}

const newer = <T>(a: LwwRegister<T>, b: LwwRegister<T>): boolean => a.ts[0] !== b.ts[0] ? a.ts[0] > b.ts[0] : a.ts[1] !== b.ts[1] ? a.ts[1] > b.ts[1] : a.replica > b.replica;

export const lwwRegister = {
  name: 'lww-register',
  empty: <T>(): LwwRegister<T> => ({ value: undefined, ts: [-Infinity, 0], replica: '' }),
  /** Write at timestamp ts; a write older than the current one is ignored, as a merge would. */
  set: <T>(s: LwwRegister<T>, value: T, ts: readonly [number, number], replica: string): LwwRegister<T> => {
    const w = { value, ts, replica };
    return newer(w, s) ? w : s;
  },
  merge: <T>(a: LwwRegister<T>, b: LwwRegister<T>): LwwRegister<T> => (newer(b, a) ? b : a),
  value: <T>(s: LwwRegister<T>): T | undefined => s.value,
  canonical: <T>(s: LwwRegister<T>) => canonicalJson({ v: s.value ?? null, t: s.ts[0] === -Infinity ? null : s.ts, r: s.replica }),
} satisfies Crdt<LwwRegister<unknown>, unknown> & Record<string, unknown>;

export type MvRegister<T> = DvvSet<T>;

export const mvRegister = {
  name: 'mv-register',
  empty: <T>(): MvRegister<T> => emptyDvvSet<T>(),
  /** A write at `replica` that has seen everything this replica has (it replaces all siblings here). */
  set: <T>(s: MvRegister<T>, value: T, replica: string): MvRegister<T> => dvvWrite(s, replica, s.context, value),
  merge: <T>(a: MvRegister<T>, b: MvRegister<T>): MvRegister<T> => dvvMerge(a, b),
  value: <T>(s: MvRegister<T>): T[] => dvvRead(s).values,
  canonical: <T>(s: MvRegister<T>) =>
    canonicalJson({ c: s.context, s: s.siblings.map((x) => [x.dot.replica, x.dot.counter, x.value]).sort((x, y) => (`${x[0]}:${x[1]}` < `${y[0]}:${y[1]}` ? -1 : 1)) }),
} satisfies Crdt<MvRegister<unknown>, unknown[]> & Record<string, unknown>;
