/**
 * Version vectors (Parker et al. 1983): a counter per replica; one version descends from another
 * when it is at least as large everywhere. Two versions neither of which descends from the other are
 * concurrent: both must be kept (siblings) or merged by a rule. Immutable values; plain objects so
 * they travel in messages.
 */
export type VersionVector = Readonly<Record<string, number>>;

export type Order = 'equal' | 'before' | 'after' | 'concurrent';

export const emptyVersion: VersionVector = Object.freeze({});

/** The version after `replica` made one more update. */
export function increment(v: VersionVector, replica: string): VersionVector {
  return { ...v, [replica]: (v[replica] ?? 0) + 1 };
}

/** The least version that descends from both. */
export function mergeVersions(a: VersionVector, b: VersionVector): VersionVector {
  const out: Record<string, number> = { ...a };
  for (const [k, n] of Object.entries(b)) if (n > (out[k] ?? 0)) out[k] = n;
  return out;
}

/** How a relates to b: equal, before (b descends from a), after, or concurrent. */
export function compareVersions(a: VersionVector, b: VersionVector): Order {
  let less = false;
  let greater = false;
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[k] ?? 0;
    const y = b[k] ?? 0;
    if (x < y) less = true;
    else if (x > y) greater = true;
  }
  if (less && greater) return 'concurrent';
  if (less) return 'before';
  if (greater) return 'after';
  return 'equal';
}

/** a descends from b (a has seen everything b has). */
export const descends = (a: VersionVector, b: VersionVector): boolean => {
  const o = compareVersions(a, b);
  return o === 'after' || o === 'equal';
};
