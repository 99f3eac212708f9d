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
 * One SCAN step from `cursor`: the keys of `count` entries of `order` ahead of it (and of all those
 * sharing the last position, so none is split between calls), those `live` now and kept by `keep`
 * (MATCH and TYPE, applied after counting, as Redis filters after sampling); the next cursor, 0 once
 * the end is reached. Cost: one seek and `count` entries, O(count + log n), whatever the keyspace's size.
 */
export function scanStep(order: ScanOrder, cursor: number, count: number, live: (key: string) => boolean, keep: (key: string) => boolean): [number, string[]] {
  const from = cursor === 0 ? 0 : cursor - 1;
  const page: string[] = [];
  let visited = 0;
  let last = -1;
  for (const [at, key] of order.from(from)) {
    if (visited >= count && at !== last) return [at + 1, page];
    visited++;
    last = at;
    if (live(key) && keep(key)) page.push(key);
  }
  return [0, page];
}

/** Entries of a ScanOrder per chunk, at most: a change moves at most this many in memory. */
const chunkEntriesMax = 256;

/** SCAN's order of two keys: by position, then (positions equal) by their bytes. */
function compareEntries(p1: number, k1: string, p2: number, k2: string): number {
  return p1 - p2 || (k1 < k2 ? -1 : k1 > k2 ? 1 : 0);
}

/**
 * Every key of the keyspace in SCAN's order (scanPosition, then bytes), kept as it changes: sorted
 * chunks of at most chunkEntriesMax entries, so adding or removing a key costs O(log n + chunk) and
 * a SCAN step seeks its cursor in O(log n) instead of visiting every key.
 */
export class ScanOrder {
  private readonly chunks: { positions: number[]; keys: string[] }[] = [];
  private entries = 0;

  get size(): number {
    return this.entries;
  }

  add(key: string): void {
    const at = scanPosition(key);
    if (this.chunks.length === 0) {
      this.chunks.push({ positions: [at], keys: [key] });
      this.entries++;
      return;
    }
    const c = Math.min(this.chunkFor(at, key), this.chunks.length - 1);
    const chunk = this.chunks[c];
    const i = indexIn(chunk.positions, chunk.keys, at, key);
    if (chunk.keys[i] === key) return;
    chunk.positions.splice(i, 0, at);
    chunk.keys.splice(i, 0, key);
    this.entries++;
    if (chunk.keys.length > chunkEntriesMax) {
      const half = chunk.keys.length >> 1;
      this.chunks.splice(c + 1, 0, { positions: chunk.positions.splice(half), keys: chunk.keys.splice(half) });
    }
  }

  delete(key: string): void {
    const at = scanPosition(key);
    const c = this.chunkFor(at, key);
    const chunk = this.chunks[c];
    if (chunk === undefined) return;
    const i = indexIn(chunk.positions, chunk.keys, at, key);
    if (chunk.keys[i] !== key) return;
    chunk.positions.splice(i, 1);
    chunk.keys.splice(i, 1);
    this.entries--;
    if (chunk.keys.length === 0) this.chunks.splice(c, 1);
  }

  clear(): void {
    this.chunks.length = 0;
    this.entries = 0;
  }

  /** The entries from the first at `position` or after, in order. */
  *from(position: number): Generator<[number, string]> {
    for (let c = this.chunkFor(position, ''); c < this.chunks.length; c++) {
      const { positions, keys } = this.chunks[c];
      for (let i = indexIn(positions, keys, position, ''); i < keys.length; i++) yield [positions[i], keys[i]];
      position = -1;
    }
  }

  /** The first chunk whose last entry is not before (at, key): where it is, or would go. */
  private chunkFor(at: number, key: string): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const { positions, keys } = this.chunks[mid];
      const last = keys.length - 1;
      if (compareEntries(positions[last], keys[last], at, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Where (at, key) is in one chunk, or would go: the first entry not before it. */
function indexIn(positions: number[], keys: string[], at: number, key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareEntries(positions[mid], keys[mid], at, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The keyspace: a Map of keys to values that keeps its keys' SCAN order (ScanOrder) as keys come and
 * go, whichever path adds or removes them (writes, expiry sweeps, restores).
 */
export class Keyspace extends Map<string, unknown> {
  readonly scanOrder = new ScanOrder();

  override set(key: string, value: unknown): this {
    // One lookup, not two: the size grows only when the key is new.
    const before = super.size;
    super.set(key, value);
    if (super.size !== before) this.scanOrder.add(key);
    return this;
  }

  override delete(key: string): boolean {
    const had = super.delete(key);
    if (had) this.scanOrder.delete(key);
    return had;
  }

  override clear(): void {
    super.clear();
    this.scanOrder.clear();
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
