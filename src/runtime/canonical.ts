/** JSON with object keys sorted at every level, undefined fields left out: the same content gives the same text. */
export function canonical(x: unknown): string {
  if (x === null || typeof x !== 'object') return x === undefined ? 'null' : JSON.stringify(x);
  if (Array.isArray(x)) return `[${x.map(canonical).join(',')}]`;
  const obj = x as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`).join(',')}}`;
}
