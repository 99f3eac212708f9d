/**
 * Redis's list, set and sorted-set values, as the replicated KV (kv.ts) stores them, and the pure
 * functions that read and change them the same way on every replica. Members are byte strings
 * (latin1, one char per byte), so `<` on them is Redis's memcmp order.
 *
 * The orders a client sees are Redis's own for small values: a list keeps its order; a set of
 * integers answers in ascending order (Redis's intset) until a non-integer joins it, after which
 * members keep the order they were added in (Redis's listpack); a sorted set answers by score, then
 * member.
 */
import { fmix32 } from '../runtime/hash.js';
import { globMatch, parseInt64 } from './kv-keyspace.js';

/** Past this many members Redis keeps integers in a hash table, not an intset (set-max-intset-entries). */
const intsetEntriesMax = 512;

export class RedisList {
  constructor(readonly items: string[] = []) {}
}

export class RedisSet {
  /** Insertion order, except while `intset`: then the order is read ascending by value. */
  constructor(
    readonly members: Set<string> = new Set(),
    public intset = true,
  ) {}

  add(member: string): boolean {
    if (this.members.has(member)) return false;
    if (this.intset && (parseInt64(member) === undefined || this.members.size >= intsetEntriesMax)) {
      // Leaving the intset: Redis converts it in ascending order, then appends.
      const sorted = this.ordered();
      this.members.clear();
      for (const m of sorted) this.members.add(m);
      this.intset = false;
    }
    this.members.add(member);
    return true;
  }

  ordered(): string[] {
    const all = [...this.members];
    if (!this.intset) return all;
    return all.sort((a, b) => {
      const d = parseInt64(a)! - parseInt64(b)!;
      return d < 0n ? -1 : d > 0n ? 1 : 0;
    });
  }
}

export interface ScoredMember {
  member: string;
  score: number;
}

/** Redis's sorted-set order: by score, ties by member bytes. */
function before(a: ScoredMember, b: ScoredMember): boolean {
  return a.score < b.score || (a.score === b.score && a.member < b.member);
}

export class RedisSortedSet {
  /** Score of each member, and the members in order (binary search keeps both in step). */
  readonly scores = new Map<string, number>();
  readonly ordered: ScoredMember[] = [];

  /** Set a member's score; says whether the member is new. */
  put(member: string, score: number): boolean {
    const old = this.scores.get(member);
    if (old !== undefined) {
      if (old === score) return false;
      this.ordered.splice(this.indexOf({ member, score: old }), 1);
    }
    this.scores.set(member, score);
    const entry = { member, score };
    this.ordered.splice(this.indexOf(entry), 0, entry);
    return old === undefined;
  }

  remove(member: string): boolean {
    const score = this.scores.get(member);
    if (score === undefined) return false;
    this.ordered.splice(this.indexOf({ member, score }), 1);
    this.scores.delete(member);
    return true;
  }

  /** Where `entry` is, or would go: the first position not before it. */
  indexOf(entry: ScoredMember): number {
    let lo = 0;
    let hi = this.ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.ordered[mid], entry)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The position of the first member whose score is above `min` (or at it, when inclusive). */
  firstFrom(min: number, exclusive: boolean): number {
    let lo = 0;
    let hi = this.ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = this.ordered[mid].score;
      if (s < min || (exclusive && s === min)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export type Collection = RedisList | RedisSet | RedisSortedSet;

export function collectionType(v: unknown): 'list' | 'set' | 'zset' | undefined {
  return v instanceof RedisList ? 'list' : v instanceof RedisSet ? 'set' : v instanceof RedisSortedSet ? 'zset' : undefined;
}

/** Scores travel in the log and snapshots as text: JSON has no infinities. */
export const scoreText = (n: number): string => String(n);
export const scoreOf = (s: string): number => Number(s);

/** A collection as plain data for a snapshot; undefined for any other value. */
export function encodeCollection(v: unknown): unknown {
  if (v instanceof RedisList) return { list: [...v.items] };
  if (v instanceof RedisSet) return { set: [...v.members], intset: v.intset };
  if (v instanceof RedisSortedSet) return { zset: v.ordered.map((e) => [e.member, scoreText(e.score)]) };
  return undefined;
}

/** The collection a snapshot holds, or undefined when `v` is not one. */
export function decodeCollection(v: unknown): Collection | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as { list?: unknown; set?: unknown; intset?: unknown; zset?: unknown };
  if (Array.isArray(o.list)) return new RedisList([...(o.list as string[])]);
  if (Array.isArray(o.set)) return new RedisSet(new Set(o.set as string[]), o.intset === true);
  if (Array.isArray(o.zset)) {
    const z = new RedisSortedSet();
    for (const [m, s] of o.zset as [string, string][]) z.put(m, scoreOf(s));
    return z;
  }
  return undefined;
}

/**
 * Redis's range of positions [start, stop] (negative counts from the end) over `length` items, as
 * LRANGE, LTRIM and ZRANGE read it; undefined when empty.
 */
export function indexRange(start: number, stop: number, length: number): [number, number] | undefined {
  if (start < 0) start += length;
  if (stop < 0) stop += length;
  if (start < 0) start = 0;
  if (start > stop || start >= length) return undefined;
  return [start, Math.min(stop, length - 1)];
}

/** LREM: remove up to |count| items equal to `v`, from the head (count > 0), the tail (< 0), or all (0). */
export function removeFromList(items: string[], count: number, v: string): number {
  let removed = 0;
  const limit = count === 0 ? Infinity : Math.abs(count);
  if (count >= 0) {
    for (let i = 0; i < items.length && removed < limit; ) {
      if (items[i] === v) {
        items.splice(i, 1);
        removed++;
      } else i++;
    }
  } else {
    for (let i = items.length - 1; i >= 0 && removed < limit; i--) {
      if (items[i] === v) {
        items.splice(i, 1);
        removed++;
      }
    }
  }
  return removed;
}

/** A score range's end as ZRANGEBYSCORE reads it: a number, `(` before it for exclusive. */
export interface ScoreBound {
  score: string;
  exclusive: boolean;
}

/** ZRANGE's question: by rank, by score or by member (lex), forward or reversed, with LIMIT. */
export interface ZRangeArgs {
  by: 'rank' | 'score' | 'lex';
  /** By rank: positions; by score: the lower and upper bounds (already swapped back for REV). */
  start: number;
  stop: number;
  min?: ScoreBound;
  max?: ScoreBound;
  /** By lex: the lower and upper bounds as Redis writes them (`-`, `+`, `[member`, `(member`), swapped back for REV. */
  lexMin?: string;
  lexMax?: string;
  rev: boolean;
  offset?: number;
  /** A negative count means all. */
  count?: number;
}

/** Whether `s` is a lex range's end as Redis reads it: `-`, `+`, or `[` or `(` before a member. */
export function isLexBound(s: string): boolean {
  return s === '-' || s === '+' || s.startsWith('[') || s.startsWith('(');
}

/** Whether `member` is at or above a lex range's lower end. */
function aboveLexMin(member: string, bound: string): boolean {
  if (bound === '-') return true;
  if (bound === '+') return false;
  const b = bound.slice(1);
  return bound[0] === '[' ? member >= b : member > b;
}

/** Whether `member` is at or below a lex range's upper end. */
function belowLexMax(member: string, bound: string): boolean {
  if (bound === '+') return true;
  if (bound === '-') return false;
  const b = bound.slice(1);
  return bound[0] === '[' ? member <= b : member < b;
}

/**
 * The members (and scores) a ZRANGE answers. By lex the members are taken as sorted by their bytes,
 * as Redis assumes (all scores equal); with mixed scores the answer is what Redis's walk gives too:
 * the first member not below the range, and on while members are within it.
 */
export function zrange(z: RedisSortedSet, a: ZRangeArgs): ScoredMember[] {
  const n = z.ordered.length;
  if (a.by === 'rank') {
    const r = indexRange(a.start, a.stop, n);
    if (r === undefined) return [];
    if (!a.rev) return z.ordered.slice(r[0], r[1] + 1);
    return z.ordered.slice(n - 1 - r[1], n - r[0]).reverse();
  }
  let from: number;
  let within: (e: ScoredMember) => boolean;
  if (a.by === 'score') {
    const min = scoreOf(a.min!.score);
    const max = scoreOf(a.max!.score);
    from = z.firstFrom(min, a.min!.exclusive);
    within = (e) => e.score < max || (!a.max!.exclusive && e.score === max);
  } else {
    const [lexMin, lexMax] = [a.lexMin!, a.lexMax!];
    from = firstIndex(n, (i) => aboveLexMin(z.ordered[i].member, lexMin));
    within = (e) => belowLexMax(e.member, lexMax);
  }
  let to = from;
  while (to < n && within(z.ordered[to])) to++;
  let hits = z.ordered.slice(from, to);
  if (a.rev) hits = hits.reverse();
  const offset = a.offset ?? 0;
  if (offset < 0) return [];
  const count = a.count === undefined || a.count < 0 ? Infinity : a.count;
  return hits.slice(offset, offset + Math.min(count, hits.length));
}

/** The first of `n` positions where `ok` holds, `ok` false up to some position and true from it (binary search). */
function firstIndex(n: number, ok: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ok(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Which type each collection operation works on; a key of another type makes it WRONGTYPE. */
export const collectionOperations: ReadonlyMap<string, 'list' | 'set' | 'zset'> = new Map([
  ...['lpush', 'rpush', 'lpop', 'rpop', 'lset', 'lrem', 'ltrim', 'lrange', 'llen', 'lindex'].map((f) => [f, 'list'] as const),
  ...['sadd', 'srem', 'spop', 'smembers', 'sismember', 'scard', 'sinter', 'sunion', 'sdiff', 'sscan'].map((f) => [f, 'set'] as const),
  ...['zadd', 'zrem', 'zincrby', 'zremrange', 'zpopmin', 'zpopmax', 'zscore', 'zcard', 'zrank', 'zrange', 'zcount', 'zscan'].map((f) => [f, 'zset'] as const),
]);

/** The collection reads, served outside the log like the other reads. */
export const collectionReads: readonly string[] = ['lrange', 'llen', 'lindex', 'smembers', 'sismember', 'scard', 'sinter', 'sunion', 'sdiff', 'zscore', 'zcard', 'zrank', 'zrange', 'zcount', 'sscan', 'zscan'];

/** Writes that store a combination of other keys' sets or sorted sets in a key, whatever it held. */
export const storeOperations: ReadonlySet<string> = new Set(['sunionstore', 'sinterstore', 'sdiffstore', 'zunionstore', 'zinterstore']);

/** Redis's words for a write that would make one collection larger than the node allows. */
export const collectionTooLargeError = (members: number, max: number): string =>
  `collection would hold ${members} members, above the limit of ${max} members in one collection (collectionMembersMax)`;

/** Redis's words for LSET past the end, and for a score that became NaN (inf + -inf). */
export const indexOutOfRangeError = 'index out of range';
export const scoreNaNError = 'resulting score is not a number (NaN)';

export function emptyCollection(type: 'list' | 'set' | 'zset', firstMember?: string): Collection {
  if (type === 'list') return new RedisList();
  // Redis makes a new set an intset only when its first member is an integer.
  if (type === 'set') return new RedisSet(new Set(), firstMember !== undefined && parseInt64(firstMember) !== undefined);
  return new RedisSortedSet();
}

export function collectionSize(c: Collection): number {
  return c instanceof RedisList ? c.items.length : c instanceof RedisSet ? c.members.size : c.ordered.length;
}

/** ZADD's options; scores as text (see scoreText). */
export interface ZAddArgs {
  pairs: [string, string][];
  nx?: boolean;
  xx?: boolean;
  gt?: boolean;
  lt?: boolean;
  ch?: boolean;
  incr?: boolean;
}

type Outcome = { ok: true; value?: unknown } | { ok: false; error: string };

/**
 * How many members a write adds to `c` at most (before NX, XX, GT or LT skip some): what the cap on
 * one collection's size (collectionMembersMax) is checked against before anything changes.
 */
export function membersAdded(f: string, value: unknown, c: Collection): number {
  if (f === 'lpush' || f === 'rpush') return (value as string[]).length;
  if (f === 'sadd' && c instanceof RedisSet) return new Set((value as string[]).filter((m) => !c.members.has(m))).size;
  if ((f === 'zadd' || f === 'zincrby') && c instanceof RedisSortedSet) {
    const a: ZAddArgs = f === 'zincrby' ? { pairs: [value as [string, string]] } : (value as ZAddArgs);
    return a.xx ? 0 : new Set(a.pairs.map(([, m]) => m).filter((m) => !c.scores.has(m))).size;
  }
  return 0;
}

/**
 * The i-th draw of a uniform integer in [0, n) from a seed the proposing leader drew through its
 * Context: every replica applying the same entry draws the same numbers (SPOP pops the same members).
 */
export function seededInt(seed: number, i: number, n: number): number {
  return fmix32((seed + Math.imul(i + 1, 0x9e3779b9)) >>> 0) % n;
}

/** SPOP: `count` members (one, as a bulk, without a count) taken at random; all of them once count reaches the size. */
function spop(c: RedisSet, count: number | undefined, seed: number): { result: Outcome; changed: boolean } {
  const size = c.members.size;
  if (size === 0) return { result: { ok: true, value: count === undefined ? null : [] }, changed: false };
  if (count === undefined) {
    const m = [...c.members][seededInt(seed, 0, size)];
    c.members.delete(m);
    return { result: { ok: true, value: m }, changed: true };
  }
  if (count >= size) {
    const all = c.ordered();
    c.members.clear();
    return { result: { ok: true, value: all }, changed: true };
  }
  // A partial Fisher-Yates shuffle: `count` distinct members, each draw from those not yet taken.
  const pool = c.ordered();
  for (let i = 0; i < count; i++) {
    const j = i + seededInt(seed, i, pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  const popped = pool.slice(0, count);
  for (const m of popped) c.members.delete(m);
  return { result: { ok: true, value: popped }, changed: count > 0 };
}

/** A collection write, applied in place; `changed` says whether the collection is different after it. `seed`: see seededInt. */
export function writeCollection(f: string, value: unknown, c: Collection, seed = 0): { result: Outcome; changed: boolean } {
  if (c instanceof RedisList) return writeList(f, value, c.items);
  if (c instanceof RedisSet) {
    if (f === 'spop') return spop(c, (value as { count?: number }).count, seed);
    let n = 0;
    for (const m of value as string[]) if (f === 'sadd' ? c.add(m) : c.members.delete(m)) n++;
    return { result: { ok: true, value: n }, changed: n > 0 };
  }
  if (f === 'zrem') {
    const n = (value as string[]).reduce((k, m) => k + (c.remove(m) ? 1 : 0), 0);
    return { result: { ok: true, value: n }, changed: n > 0 };
  }
  if (f === 'zremrange') {
    // ZREMRANGEBYSCORE, ZREMRANGEBYRANK, ZREMRANGEBYLEX: what ZRANGE would answer, removed.
    const hits = zrange(c, value as ZRangeArgs);
    for (const e of hits) c.remove(e.member);
    return { result: { ok: true, value: hits.length }, changed: hits.length > 0 };
  }
  if (f === 'zpopmin' || f === 'zpopmax') {
    const { count } = value as { count?: number };
    const n = Math.min(count ?? 1, c.ordered.length);
    const taken = f === 'zpopmin' ? c.ordered.slice(0, n) : c.ordered.slice(c.ordered.length - n).reverse();
    for (const e of taken) c.remove(e.member);
    return { result: { ok: true, value: taken.map((e) => [e.member, scoreText(e.score)]) }, changed: n > 0 };
  }
  const a: ZAddArgs = f === 'zincrby' ? { pairs: [value as [string, string]], incr: true } : (value as ZAddArgs);
  return zadd(c, a);
}

function writeList(f: string, value: unknown, items: string[]): { result: Outcome; changed: boolean } {
  switch (f) {
    case 'lpush':
      for (const v of value as string[]) items.unshift(v);
      return { result: { ok: true, value: items.length }, changed: true };
    case 'rpush':
      items.push(...(value as string[]));
      return { result: { ok: true, value: items.length }, changed: true };
    case 'lpop':
    case 'rpop': {
      const { count } = value as { count?: number };
      // An absent key: nil, with a count too (Redis's null array).
      if (items.length === 0) return { result: { ok: true, value: null }, changed: false };
      const n = Math.min(count ?? 1, items.length);
      const popped = f === 'lpop' ? items.splice(0, n) : items.splice(items.length - n, n).reverse();
      return { result: { ok: true, value: count === undefined ? (popped[0] ?? null) : popped }, changed: n > 0 };
    }
    case 'lset': {
      const [index, v] = value as [number, string];
      // Only an absent key is an empty list here (an emptied one is removed).
      if (items.length === 0) return { result: { ok: false, error: 'no such key' }, changed: false };
      const i = index < 0 ? index + items.length : index;
      if (i < 0 || i >= items.length) return { result: { ok: false, error: indexOutOfRangeError }, changed: false };
      items[i] = v;
      return { result: { ok: true }, changed: true };
    }
    case 'lrem': {
      const [count, v] = value as [number, string];
      const n = removeFromList(items, count, v);
      return { result: { ok: true, value: n }, changed: n > 0 };
    }
    default: {
      // LTRIM: keep [start, stop]; an empty range empties the list (and so removes the key).
      const [start, stop] = value as [number, number];
      const r = indexRange(start, stop, items.length);
      const length = items.length;
      if (r === undefined) items.length = 0;
      else {
        items.splice(r[1] + 1);
        items.splice(0, r[0]);
      }
      return { result: { ok: true }, changed: items.length !== length };
    }
  }
}

/** ZADD with NX/XX/GT/LT/CH/INCR, as Redis applies it: all pairs, counting added (and with CH changed) members. */
function zadd(z: RedisSortedSet, a: ZAddArgs): { result: Outcome; changed: boolean } {
  let added = 0;
  let updated = 0;
  let incremented: number | null = null;
  for (const [text, member] of a.pairs) {
    let score = scoreOf(text);
    const current = z.scores.get(member);
    if (current === undefined) {
      if (a.xx) continue;
    } else {
      if (a.nx) continue;
      if (a.incr) score += current;
      if (Number.isNaN(score)) return { result: { ok: false, error: scoreNaNError }, changed: added + updated > 0 };
      if ((a.gt && score <= current) || (a.lt && score >= current)) continue;
    }
    incremented = score;
    if (z.put(member, score)) added++;
    else if (current !== score) updated++;
  }
  const changed = added + updated > 0;
  if (a.incr) return { result: { ok: true, value: incremented === null ? null : scoreText(incremented) }, changed };
  return { result: { ok: true, value: a.ch ? added + updated : added }, changed };
}

/**
 * A collection read. `c` is the key's collection, or an empty one when the key is absent; `lookup`
 * finds the other keys of SINTER, SUNION and SDIFF (undefined: absent; null: another type). The
 * answer is undefined when one of those keys holds another type (WRONGTYPE).
 */
export function queryCollection(f: string, value: unknown, c: Collection, lookup: (key: string) => RedisSet | undefined | null): unknown {
  if (c instanceof RedisList) {
    const items = c.items;
    if (f === 'llen') return items.length;
    if (f === 'lindex') {
      const i = (value as number) < 0 ? (value as number) + items.length : (value as number);
      return items[i] ?? null;
    }
    const r = indexRange(...(value as [number, number]), items.length);
    return r === undefined ? [] : items.slice(r[0], r[1] + 1);
  }
  if (c instanceof RedisSet) {
    if (f === 'smembers') return c.ordered();
    if (f === 'sscan') return ['0', c.ordered().filter((m) => matches(value, m))];
    if (f === 'sismember') return c.members.has(value as string) ? 1 : 0;
    if (f === 'scard') return c.members.size;
    return combineSets(f, value as string[], lookup);
  }
  if (f === 'zcard') return c.ordered.length;
  if (f === 'zscan') return ['0', c.ordered.filter((e) => matches(value, e.member)).flatMap((e) => [e.member, scoreText(e.score)])];
  if (f === 'zcount') return zrange(c, value as ZRangeArgs).length;
  if (f === 'zscore') {
    const s = c.scores.get(value as string);
    return s === undefined ? null : scoreText(s);
  }
  if (f === 'zrank') {
    const { member, rev } = value as { member: string; rev: boolean };
    const score = c.scores.get(member);
    if (score === undefined) return null;
    const i = c.indexOf({ member, score });
    return rev ? c.ordered.length - 1 - i : i;
  }
  return zrange(c, value as ZRangeArgs).map((e) => [e.member, scoreText(e.score)]);
}

/**
 * SSCAN and ZSCAN answer a collection whole, in one call (cursor 0), as Redis does for a small one
 * (as HSCAN does); MATCH filters the members.
 */
function matches(value: unknown, member: string): boolean {
  const { match } = (value ?? {}) as { match?: string };
  return match === undefined || globMatch(match, member);
}

/** SINTER, SUNION, SDIFF in Redis's order; undefined when a key holds another type (WRONGTYPE). */
export function combineSets(f: string, keys: string[], lookup: (key: string) => RedisSet | undefined | null): string[] | undefined {
  const sets = keys.map(lookup);
  if (sets.some((s) => s === null)) return undefined;
  const present = sets as (RedisSet | undefined)[];
  if (f === 'sinter') {
    if (present.some((s) => s === undefined)) return [];
    // Redis walks the smallest set and keeps the members every other set has.
    const [smallest, ...others] = [...(present as RedisSet[])].sort((a, b) => a.members.size - b.members.size);
    return smallest.ordered().filter((m) => others.every((s) => s.members.has(m)));
  }
  // Redis gathers the answer in a new set (an intset until a non-integer comes), then answers it in that set's order.
  const out = new RedisSet(new Set(), true);
  if (f === 'sunion') {
    for (const s of present) for (const m of s?.ordered() ?? []) out.add(m);
  } else if (present[0] !== undefined) {
    for (const m of present[0].ordered()) if (!present.slice(1).some((s) => s?.members.has(m))) out.add(m);
  }
  return out.ordered();
}

/** ZUNIONSTORE and ZINTERSTORE's sources' weights and how scores of one member combine. */
export interface ZStoreArgs {
  keys: string[];
  weights?: string[];
  aggregate?: 'sum' | 'min' | 'max';
}

/**
 * ZUNIONSTORE / ZINTERSTORE: the sorted set made of `sources` (a set's members score 1), each score
 * times its source's weight, combined by `aggregate`; undefined when a source holds another type
 * (WRONGTYPE). As in Redis, inf times 0 and inf plus -inf give 0, not NaN.
 */
export function combineSortedSets(f: 'zunionstore' | 'zinterstore', a: ZStoreArgs, lookup: (key: string) => unknown): RedisSortedSet | undefined {
  const sources: Map<string, number>[] = [];
  for (const key of a.keys) {
    const v = lookup(key);
    if (v === null || v === undefined) sources.push(new Map());
    else if (v instanceof RedisSortedSet) sources.push(v.scores);
    else if (v instanceof RedisSet) sources.push(new Map([...v.members].map((m) => [m, 1])));
    else return undefined;
  }
  const weights = a.keys.map((_, i) => (a.weights?.[i] === undefined ? 1 : scoreOf(a.weights[i])));
  const weighted = (score: number, i: number) => {
    const w = score * weights[i];
    return Number.isNaN(w) ? 0 : w;
  };
  const combine = (x: number, y: number) => {
    if (a.aggregate === 'min') return Math.min(x, y);
    if (a.aggregate === 'max') return Math.max(x, y);
    const sum = x + y;
    return Number.isNaN(sum) ? 0 : sum;
  };
  // Redis takes the sources smallest first, which decides the order a member's scores are added in
  // (and so the last bit of a sum of fractions).
  const order = sources.map((_, i) => i).sort((i, j) => sources[i].size - sources[j].size);
  const out = new RedisSortedSet();
  if (f === 'zunionstore') {
    const scores = new Map<string, number>();
    for (const i of order) {
      for (const [m, score] of sources[i]) {
        const before = scores.get(m);
        scores.set(m, before === undefined ? weighted(score, i) : combine(before, weighted(score, i)));
      }
    }
    for (const [m, score] of scores) out.put(m, score);
    return out;
  }
  const [smallest, ...others] = order;
  for (const [m, score] of sources[smallest]) {
    let total = weighted(score, smallest);
    let inAll = true;
    for (const i of others) {
      const other = sources[i].get(m);
      if (other === undefined) {
        inAll = false;
        break;
      }
      total = combine(total, weighted(other, i));
    }
    if (inAll) out.put(m, total);
  }
  return out;
}
