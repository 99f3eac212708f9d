/**
 * The list, set and sorted-set commands a node serves, each planned as an operation of the
 * replicated KV (src/truth/kv-collections.ts), with Redis's arity, argument errors and replies.
 */
import { indexOutOfRangeError, isLexBound, noSuchKeyError, notAnIntegerError, parseInt64, scoreNaNError, scoreText, type ScoreBound, type ZAddArgs, type ZRangeArgs, type ZStoreArgs } from '../truth/index.js';
import type { CommandLimits, Planned } from './plan.js';
import { array, bulk, double, errorReply, integer, NULL_BULK, OK, set, type RespProtocol } from './resp.js';

const text = (b: Buffer) => b.toString('latin1');
const error = (message: string): Planned => ({ kind: 'error', reply: errorReply(message) });
const syntaxError = error('ERR syntax error');
const notInteger = error(`ERR ${notAnIntegerError}`);
const notFloat = error('ERR value is not a valid float');
const lexRangeError = error('ERR min or max not valid string range item');

/** Redis's arity (the name counted; negative: at least) of the commands planned here. */
const collectionArity: Record<string, number> = {
  lpush: -3, rpush: -3, lpop: -2, rpop: -2, lrange: 4, llen: 2, lindex: 3, lset: 4, lrem: 4, ltrim: 4,
  sadd: -3, srem: -3, spop: -2, smembers: 2, sismember: 3, scard: 2, sinter: -2, sunion: -2, sdiff: -2, sinterstore: -3, sunionstore: -3, sdiffstore: -3,
  zadd: -4, zrem: -3, zscore: 3, zincrby: 4, zcard: 2, zcount: 4, zlexcount: 4, zrank: 3, zrevrank: 3,
  zrange: -4, zrevrange: -4, zrangebyscore: -4, zrevrangebyscore: -4, zrangebylex: -4, zrevrangebylex: -4, zunionstore: -4, zinterstore: -4,
  zremrangebyscore: 4, zremrangebyrank: 4, zremrangebylex: 4, zpopmin: -2, zpopmax: -2,
};

/** The commands planned here (for COMMAND COUNT and the command list). */
export const collectionCommands = Object.keys(collectionArity);

const bulkOf = (v: unknown, proto: RespProtocol) => bulk(v === null ? null : Buffer.from(v as string, 'latin1'), proto);
const bulks = (vs: unknown, proto: RespProtocol) => array((vs as string[]).map((v) => bulkOf(v, proto)), proto);
const integerReply = (v: unknown) => integer(v as number);
/** A score as Redis 7.2 writes it: the shortest text that reads back the same, in %.17g's layout (inf, 1e+20). */
export function scoreReply(v: unknown, proto: RespProtocol): Buffer {
  if (v === null) return proto === 3 ? bulk(null, 3) : NULL_BULK;
  const n = Number(v);
  return proto === 3 ? double(n, 3) : bulk(formatScore(n));
}

export function formatScore(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : Number.isNaN(n) ? 'nan' : '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mantissa, e] = n.toExponential().split('e');
  const exponent = Number(e);
  if (exponent < -4 || exponent >= 17) return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  return String(n);
}

/** A float as Redis's string2d reads it: decimal or exponent notation, or inf; never NaN, never spaces. */
export function parseScore(s: string): number | undefined {
  if (/^[+-]?inf(inity)?$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return undefined;
  return Number(s);
}

/** A score range's end: `(` for exclusive, then a float. */
function parseBound(s: string): ScoreBound | undefined {
  const exclusive = s.startsWith('(');
  const n = parseScore(exclusive ? s.slice(1) : s);
  return n === undefined ? undefined : { score: scoreText(n), exclusive };
}

const clamp = (n: bigint): number => Number(n > 2n ** 53n ? 2n ** 53n : n < -(2n ** 53n) ? -(2n ** 53n) : n);

/** A list, set or sorted-set command; undefined for any other. */
export function planCollection(name: string, args: Buffer[], limits: CommandLimits, keysTooBig: (keys: Buffer[]) => Planned | undefined): Planned | undefined {
  const arity = collectionArity[name];
  if (arity === undefined) return undefined;
  if (arity >= 0 ? args.length !== arity : args.length < -arity) return error(`ERR wrong number of arguments for '${name}' command`);
  const multiKey = /^s(inter|union|diff)(store)?$/.test(name) || name === 'zunionstore' || name === 'zinterstore';
  const big = keysTooBig(multiKey ? args.slice(1) : [args[1]]);
  if (big) return big;
  for (const b of args.slice(2)) if (b.length > limits.valueBytesMax) return error(`ERR value too large: ${b.length} bytes, the limit is ${limits.valueBytesMax}`);
  const key = text(args[1]);
  const rest = args.slice(2).map(text);
  switch (name) {
    case 'lpush':
    case 'rpush':
    case 'sadd':
    case 'srem':
    case 'zrem':
      return { kind: 'write', op: { f: name, key, value: rest }, reply: integerReply };
    case 'lpop':
    case 'rpop': {
      if (args.length > 3) return error(`ERR wrong number of arguments for '${name}' command`);
      if (args.length === 2) return { kind: 'write', op: { f: name, key, value: {} }, reply: bulkOf };
      const count = parseInt64(rest[0]);
      if (count === undefined || count < 0n) return error('ERR value is out of range, must be positive');
      return { kind: 'write', op: { f: name, key, value: { count: clamp(count) } }, reply: (v, proto) => (v === null ? array(null, proto) : bulks(v, proto)) };
    }
    case 'lrange':
    case 'ltrim': {
      const start = parseInt64(rest[0]);
      const stop = parseInt64(rest[1]);
      if (start === undefined || stop === undefined) return notInteger;
      const value = [clamp(start), clamp(stop)];
      return name === 'lrange' ? { kind: 'read', op: { f: name, key, value }, reply: bulks } : { kind: 'write', op: { f: name, key, value }, reply: () => OK };
    }
    case 'llen':
    case 'scard':
    case 'zcard':
      return { kind: 'read', op: { f: name, key }, reply: integerReply };
    case 'lindex': {
      const index = parseInt64(rest[0]);
      if (index === undefined) return notInteger;
      return { kind: 'read', op: { f: name, key, value: clamp(index) }, reply: bulkOf };
    }
    case 'lset': {
      const index = parseInt64(rest[0]);
      if (index === undefined) return notInteger;
      return { kind: 'write', op: { f: name, key, value: [clamp(index), rest[1]] }, reply: () => OK, failed: (e) => (e === noSuchKeyError || e === indexOutOfRangeError ? errorReply(`ERR ${e}`) : undefined) };
    }
    case 'lrem': {
      const count = parseInt64(rest[0]);
      if (count === undefined) return notInteger;
      return { kind: 'write', op: { f: name, key, value: [clamp(count), rest[1]] }, reply: integerReply };
    }
    case 'smembers':
      return { kind: 'read', op: { f: name, key }, reply: (v, proto) => set((v as string[]).map((m) => bulkOf(m, proto)), proto) };
    case 'sismember':
      return { kind: 'read', op: { f: name, key, value: rest[0] }, reply: integerReply };
    case 'sinter':
    case 'sunion':
    case 'sdiff':
      return { kind: 'read', op: { f: name, key, value: args.slice(1).map(text) }, reply: (v, proto) => set((v as string[]).map((m) => bulkOf(m, proto)), proto) };
    case 'sinterstore':
    case 'sunionstore':
    case 'sdiffstore':
      return { kind: 'write', op: { f: name, key, value: rest }, reply: integerReply };
    case 'zunionstore':
    case 'zinterstore':
      return planZStore(name, key, rest);
    case 'spop': {
      if (args.length > 3) return syntaxError;
      if (args.length === 2) return { kind: 'write', op: { f: name, key, value: {} }, reply: bulkOf };
      const count = parseInt64(rest[0]);
      if (count === undefined || count < 0n) return error('ERR value is out of range, must be positive');
      return { kind: 'write', op: { f: name, key, value: { count: clamp(count) } }, reply: (v, proto) => set((v as string[]).map((m) => bulkOf(m, proto)), proto) };
    }
    case 'zcount': {
      const min = parseBound(rest[0]);
      const max = parseBound(rest[1]);
      if (min === undefined || max === undefined) return error('ERR min or max is not a float');
      return { kind: 'read', op: { f: name, key, value: { by: 'score', start: 0, stop: 0, min, max, rev: false } satisfies ZRangeArgs }, reply: integerReply };
    }
    case 'zremrangebyscore':
    case 'zremrangebyrank':
    case 'zremrangebylex': {
      // The range ZRANGE BYSCORE, by rank or BYLEX would answer, its ends checked as there.
      const range = planZRange(name === 'zremrangebyscore' ? 'zrangebyscore' : name === 'zremrangebylex' ? 'zrangebylex' : 'zrange', key, rest);
      if (range.kind !== 'read') return range;
      return { kind: 'write', op: { f: 'zremrange', key, value: range.op.value }, reply: integerReply };
    }
    case 'zpopmin':
    case 'zpopmax': {
      if (args.length > 3) return syntaxError;
      const count = args.length === 3 ? parseInt64(rest[0]) : 1n;
      if (count === undefined || count < 0n) return error('ERR value is out of range, must be positive');
      // Without a count RESP3 answers one flat pair; with one, a pair per member (RESP2 flattens both).
      const paired = args.length === 3;
      return { kind: 'write', op: { f: name, key, value: { count: clamp(count) } }, reply: (v, proto) => scoredReply(v as [string, string][], proto, paired) };
    }
    case 'zlexcount':
      if (!isLexBound(rest[0]) || !isLexBound(rest[1])) return lexRangeError;
      return { kind: 'read', op: { f: 'zcount', key, value: { by: 'lex', start: 0, stop: 0, lexMin: rest[0], lexMax: rest[1], rev: false } satisfies ZRangeArgs }, reply: integerReply };
    case 'zadd':
      return planZAdd(key, rest);
    case 'zincrby': {
      const delta = parseScore(rest[0]);
      if (delta === undefined) return notFloat;
      return { kind: 'write', op: { f: name, key, value: [scoreText(delta), rest[1]] }, reply: scoreReply, failed: scoreFailure };
    }
    case 'zscore':
      return { kind: 'read', op: { f: name, key, value: rest[0] }, reply: scoreReply };
    case 'zrank':
    case 'zrevrank':
      return { kind: 'read', op: { f: 'zrank', key, value: { member: rest[0], rev: name === 'zrevrank' } }, reply: (v, proto) => (v === null ? bulk(null, proto) : integer(v as number)) };
    default:
      return planZRange(name, key, rest);
  }
}

function scoreFailure(e: string): Buffer | undefined {
  return e === scoreNaNError ? errorReply(`ERR ${e}`) : undefined;
}

/** ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...], checked in Redis's order. */
function planZAdd(key: string, rest: string[]): Planned {
  const value: ZAddArgs = { pairs: [] };
  let i = 0;
  for (; i < rest.length; i++) {
    const opt = rest[i].toLowerCase();
    if (opt !== 'nx' && opt !== 'xx' && opt !== 'gt' && opt !== 'lt' && opt !== 'ch' && opt !== 'incr') break;
    value[opt] = true;
  }
  const pairs = rest.slice(i);
  if (pairs.length === 0 || pairs.length % 2 === 1) return syntaxError;
  if (value.nx && value.xx) return error('ERR XX and NX options at the same time are not compatible');
  if ((value.gt && value.nx) || (value.lt && value.nx) || (value.gt && value.lt)) return error('ERR GT, LT, and/or NX options at the same time are not compatible');
  if (value.incr && pairs.length > 2) return error('ERR INCR option supports a single increment-element pair');
  for (let j = 0; j < pairs.length; j += 2) {
    const score = parseScore(pairs[j]);
    if (score === undefined) return notFloat;
    value.pairs.push([scoreText(score), pairs[j + 1]]);
  }
  return { kind: 'write', op: { f: 'zadd', key, value }, reply: value.incr ? scoreReply : integerReply, failed: scoreFailure };
}

/**
 * ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES], and the commands
 * it replaced: ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX key min max [LIMIT ...],
 * checked in Redis's order: options, then conflicts between them, then the range's ends.
 */
function planZRange(name: string, key: string, rest: string[]): Planned {
  const fixed = name === 'zrange' ? undefined : name === 'zrevrange' ? 'rank' : name.endsWith('bylex') ? 'lex' : 'score';
  const a: ZRangeArgs = { by: fixed ?? 'rank', start: 0, stop: 0, rev: name.startsWith('zrev') };
  let withScores = false;
  let direction = false;
  let limit: [number, number] | undefined;
  for (let i = 2; i < rest.length; i++) {
    const opt = rest[i].toLowerCase();
    if (opt === 'withscores') withScores = true;
    else if (opt === 'limit' && i + 2 < rest.length) {
      const offset = parseInt64(rest[i + 1]);
      const count = parseInt64(rest[i + 2]);
      if (offset === undefined || count === undefined) return notInteger;
      limit = [clamp(offset), clamp(count)];
      i += 2;
    } else if (opt === 'rev' && fixed === undefined && !direction) direction = a.rev = true;
    else if ((opt === 'byscore' || opt === 'bylex') && fixed === undefined && a.by === 'rank') a.by = opt === 'byscore' ? 'score' : 'lex';
    else return syntaxError;
  }
  // LIMIT with a count of -1 is no limit at all, so Redis lets it pass even by rank.
  if (limit !== undefined && limit[1] !== -1 && a.by === 'rank') return error('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  if (withScores && a.by === 'lex') return error('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
  // Reversed, a range of scores or members is given from its top: max first.
  const [low, high] = a.rev ? [rest[1], rest[0]] : [rest[0], rest[1]];
  if (a.by === 'score') {
    a.min = parseBound(low);
    a.max = parseBound(high);
    if (a.min === undefined || a.max === undefined) return error('ERR min or max is not a float');
  } else if (a.by === 'lex') {
    if (!isLexBound(low) || !isLexBound(high)) return lexRangeError;
    a.lexMin = low;
    a.lexMax = high;
  } else {
    const start = parseInt64(rest[0]);
    const stop = parseInt64(rest[1]);
    if (start === undefined || stop === undefined) return notInteger;
    a.start = clamp(start);
    a.stop = clamp(stop);
  }
  if (limit !== undefined && a.by !== 'rank') [a.offset, a.count] = limit;
  return {
    kind: 'read',
    op: { f: 'zrange', key, value: a },
    reply: (v, proto) => {
      const hits = v as [string, string][];
      if (!withScores) return array(hits.map(([m]) => bulkOf(m, proto)), proto);
      return scoredReply(hits, proto, true);
    },
  };
}

/** ZUNIONSTORE / ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX]. */
function planZStore(name: string, destination: string, rest: string[]): Planned {
  const numKeys = parseInt64(rest[0]);
  if (numKeys === undefined) return notInteger;
  if (numKeys < 1n) return error(`ERR at least 1 input key is needed for '${name}' command`);
  if (numKeys > BigInt(rest.length - 1)) return syntaxError;
  const n = Number(numKeys);
  const value: ZStoreArgs = { keys: rest.slice(1, 1 + n) };
  for (let i = 1 + n; i < rest.length; i++) {
    const opt = rest[i].toLowerCase();
    const left = rest.length - i - 1;
    if (opt === 'weights' && left >= n) {
      value.weights = [];
      for (const w of rest.slice(i + 1, i + 1 + n)) {
        const weight = parseScore(w);
        if (weight === undefined) return error('ERR weight value is not a float');
        value.weights.push(scoreText(weight));
      }
      i += n;
    } else if (opt === 'aggregate' && left >= 1) {
      const how = rest[++i].toLowerCase();
      if (how !== 'sum' && how !== 'min' && how !== 'max') return syntaxError;
      value.aggregate = how;
    } else return syntaxError;
  }
  return { kind: 'write', op: { f: name as 'zunionstore' | 'zinterstore', key: destination, value }, reply: integerReply };
}

/** Members with their scores: RESP3 pairs each member with its score (when `paired`); RESP2 flattens them. */
function scoredReply(hits: [string, string][], proto: RespProtocol, paired: boolean): Buffer {
  if (proto === 3 && paired) return array(hits.map(([m, s]) => array([bulkOf(m, 3), scoreReply(s, 3)], 3)), 3);
  return array(hits.flatMap(([m, s]) => [bulkOf(m, proto), scoreReply(s, proto)]), proto);
}
