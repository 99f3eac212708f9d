/**
 * JSON-shaped values as EDN, the notation Jepsen's tools read (results.edn): maps with keyword keys
 * in kebab-case, vectors, strings, numbers, booleans and nil. A key named `valid` becomes `:valid?`
 * and the value "unknown" under it `:unknown`, as Jepsen's checkers write them.
 */
export function toEdn(value: unknown, key?: string): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'nil';
  if (typeof value === 'string') return key === 'valid' && value === 'unknown' ? ':unknown' : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => toEdn(v)).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${keyword(k)} ${toEdn(v, k)}`).join(', ')}}`;
  }
  return JSON.stringify(String(value));
}

/** camelCase or snake_case to a kebab-case keyword; `valid` to `:valid?`. */
function keyword(k: string): string {
  if (k === 'valid') return ':valid?';
  // Only camelCase humps are lowered: Elle's anomaly names (G-single) keep their case.
  const kebab = k.replace(/([a-z0-9])([A-Z])/g, (_, a: string, b: string) => `${a}-${b.toLowerCase()}`).replace(/_/g, '-');
  // A keyword cannot hold spaces or most punctuation: anything else stays a string key.
  return /^[a-zA-Z*+!_?<>=-][a-zA-Z0-9*+!_?<>=.-]*$/.test(kebab) ? `:${kebab}` : JSON.stringify(k);
}
