/**
 * What Redis's keyspace commands compute, as pure functions the replicated KV (kv.ts) applies the
 * same way on every replica: glob patterns (KEYS, SCAN MATCH), the order and cursor of SCAN, and
 * the byte ranges of GETRANGE and SETRANGE. Values are byte strings (latin1, one char per byte).
 */

/** Redis's stringmatchlen: `*`, `?`, `[abc]`, `[^a-z]`, and `\` escaping the next character. */
export function globMatch(pattern: string, s: string, p = 0, i = 0): boolean {
  while (p < pattern.length) {
    const c = pattern[p];
    if (c === '*') {
      while (pattern[p + 1] === '*') p++;
      if (p + 1 === pattern.length) return true;
      for (let j = i; j <= s.length; j++) if (globMatch(pattern, s, p + 1, j)) return true;
      return false;
    }
    if (i >= s.length) return false;
    if (c === '?') {
      i++;
      p++;
      continue;
    }
    if (c === '[') {
      const end = classEnd(pattern, p);
      if (!classMatches(pattern.slice(p + 1, end), s[i])) return false;
      p = end + 1;
      i++;
      continue;
    }
    const literal = c === '\\' && p + 1 < pattern.length ? pattern[++p] : c;
    if (literal !== s[i]) return false;
    p++;
    i++;
  }
  return i === s.length;
}

/** Where a `[...]` class ends (its `]`, or the pattern's end when unclosed, as Redis reads it). */
function classEnd(pattern: string, open: number): number {
  let p = open + 1;
  if (pattern[p] === '^') p++;
  for (; p < pattern.length; p++) {
    if (pattern[p] === '\\' && p + 1 < pattern.length) p++;
    else if (pattern[p] === ']') return p;
  }
  return pattern.length;
}

function classMatches(body: string, ch: string): boolean {
  let p = 0;
  const negate = body[0] === '^';
  if (negate) p++;
  let match = false;
  for (; p < body.length; p++) {
    if (body[p] === '\\' && p + 1 < body.length) {
      if (body[++p] === ch) match = true;
    } else if (p + 2 < body.length && body[p + 1] === '-') {
      let [lo, hi] = [body[p], body[p + 2]];
      if (lo > hi) [lo, hi] = [hi, lo];
      if (ch >= lo && ch <= hi) match = true;
      p += 2;
    } else if (body[p] === ch) match = true;
  }
  return negate ? !match : match;
}

/**
 * Where a key sits in SCAN's order: a hash of its bytes (FNV-1a, 32 bits), the same on every replica
 * and after any leader change, and independent of what else is stored. A cursor is the position to
 * resume from plus one (0 starts and ends a scan), so a key present from the first call to the last
 * is returned at least once, as Redis promises, whatever was added or removed meanwhile.
 */
export function scanPosition(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * One SCAN step over `keys` from `cursor`: at least `count` keys in scan order (all those sharing the
 * last position, so none is split between calls), filtered by `keep` after they are counted, as Redis
 * filters MATCH after sampling; the next cursor, 0 once the end is reached.
 *
 * Cost: two passes over the keys and a sort of the page alone (O(n log count)), not a copy and sort
 * of the whole keyspace per call: the first pass finds the last position on the page with a heap of
 * the `count` smallest positions ahead of the cursor, the second takes the keys up to it.
 */
export function scanStep(keys: Iterable<string>, cursor: number, count: number, keep: (key: string) => boolean): [number, string[]] {
  const from = cursor === 0 ? 0 : cursor - 1;
  const smallest = new MaxHeap();
  for (const k of keys) {
    const at = scanPosition(k);
    if (at < from) continue;
    if (smallest.size < count) smallest.push(at);
    else if (at < smallest.top()) smallest.replaceTop(at);
  }
  if (smallest.size === 0) return [0, []];
  const last = smallest.top();
  const page: [number, string][] = [];
  let next = Infinity;
  for (const k of keys) {
    const at = scanPosition(k);
    if (at < from) continue;
    if (at <= last) page.push([at, k]);
    else if (at < next) next = at;
  }
  page.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return [next === Infinity ? 0 : next + 1, page.map(([, k]) => k).filter(keep)];
}

/** A binary max-heap of numbers: SCAN's `count` smallest positions, the largest on top. */
class MaxHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  top(): number {
    return this.items[0];
  }

  push(x: number): void {
    const a = this.items;
    a.push(x);
    for (let i = a.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (a[parent] >= a[i]) break;
      [a[parent], a[i]] = [a[i], a[parent]];
      i = parent;
    }
  }

  replaceTop(x: number): void {
    const a = this.items;
    a[0] = x;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let big = i;
      if (l < a.length && a[l] > a[big]) big = l;
      if (r < a.length && a[r] > a[big]) big = r;
      if (big === i) break;
      [a[big], a[i]] = [a[i], a[big]];
      i = big;
    }
  }
}

/** GETRANGE's substring, with Redis's rules for negative and out-of-range ends. */
export function byteRange(s: string, start: number, end: number): string {
  const n = s.length;
  if (start < 0 && end < 0 && start > end) return '';
  if (start < 0) start = n + start;
  if (end < 0) end = n + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= n) end = n - 1;
  if (start > end || n === 0) return '';
  return s.slice(start, end + 1);
}

/** SETRANGE: `value` written at `offset`, the string padded with zero bytes up to it. */
export function overwriteAt(s: string, offset: number, value: string): string {
  const padded = s.length < offset ? s + '\0'.repeat(offset - s.length) : s;
  return padded.slice(0, offset) + value + padded.slice(offset + value.length);
}

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

/**
 * A decimal integer as Redis's string2ll accepts it: no sign but a minus, no leading zeros, no "-0",
 * no spaces, within signed 64 bits. Redis stores what INCR can read by these rules alone, so
 * `SET k -0; INCR k` is an error there, and here.
 */
export function parseInt64(s: string): bigint | undefined {
  if (s.length > 20 || !/^(0|-?[1-9][0-9]*)$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < int64Min || n > int64Max ? undefined : n;
}
