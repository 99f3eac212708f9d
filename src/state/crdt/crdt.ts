/**
 * State-based CRDTs (Shapiro, Preguiça, Baquero, Zawirski 2011): replicas update their own state
 * and exchange whole states; `merge` is commutative, associative and idempotent, so replicas that
 * have seen the same updates hold the same value whatever the order and repetition of merges.
 * Every state here is plain, immutable data (it travels in messages and snapshots as is).
 */
export interface Crdt<S, V> {
  readonly name: string;
  empty(): S;
  merge(a: S, b: S): S;
  value(s: S): V;
  /** A canonical form, equal for equal states (for comparing replicas). */
  canonical(s: S): string;
}

/** JSON with object keys sorted: equal data, equal text. */
export function canonicalJson(x: unknown): string {
  return JSON.stringify(x, (_k, v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

/** Per-key maximum of two count maps. */
export function maxMerge(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = { ...a };
  for (const [k, n] of Object.entries(b)) if (n > (out[k] ?? 0)) out[k] = n;
  return out;
}
