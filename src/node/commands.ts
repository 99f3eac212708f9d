/**
 * The Redis commands a node serves, and how each becomes an operation of the replicated KV (src/truth
 * kv.ts) or a reply made on the spot.
 *
 * Keys and values are byte strings: a bulk's bytes are kept as a latin1 string (one character per
 * byte, which V8 stores in one byte per character) and written back byte for byte, so any binary
 * value round-trips and `===` compares bytes. Replies and errors follow Redis's wording, so clients
 * that parse errors (ioredis, redis-cli) behave as they do against Redis.
 */
import type { Operation } from '../runtime/client-protocol.js';
import { hashNotAnIntegerError, incrOverflowError, isWrongType, noSuchKeyError, wrongTypeError, notAnIntegerError, parseInt64, stringTooLongError, type ExpireArgs, type GetExArgs, type SetArgs } from '../truth/index.js';
import { formatScore, planCollection } from './collection-commands.js';
import type { CommandLimits, Planned } from './plan.js';
export type { CommandLimits, Planned } from './plan.js';
import { array, bulk, errorReply, integer, map, NULL_BULK, OK, ONE, simpleString, ZERO, type RespProtocol } from './resp.js';

export { commandDefaults } from './limits-defaults.js';

/** The writes that can add members to a collection: they carry the cap on its size into the log. */
const collectionGrowingOperations: ReadonlySet<string> = new Set(['hset', 'lpush', 'rpush', 'sadd', 'zadd', 'zincrby', 'sunionstore', 'sinterstore', 'sdiffstore', 'zunionstore', 'zinterstore']);

const text = (b: Buffer) => b.toString('latin1');
/** A stored value as the bytes a client gets back (numbers, from INCR, as their decimal digits). */
export function valueBytes(v: unknown): Buffer | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return Buffer.from(v, 'latin1');
  if (typeof v === 'number') return Buffer.from(String(v), 'latin1');
  return Buffer.from(JSON.stringify(v), 'utf8');
}

/**
 * The reply to a command the store answered: its own reply, or the error it failed with in Redis's
 * words (WRONGTYPE as it is; a read of a key of another type answers a marker, made an error here).
 */
export function replyTo(plan: Extract<Planned, { kind: 'read' | 'write' }>, r: { ok: boolean; value?: unknown; error?: string }, proto: RespProtocol): Buffer {
  if (r.ok) return isWrongType(r.value) ? errorReply(wrongTypeError) : plan.reply(r.value, proto);
  const error = r.error ?? 'failed';
  return plan.failed?.(error) ?? errorReply(error.startsWith('WRONGTYPE ') ? error : `ERR ${error}`);
}

const wrongArgs = (name: string) => ({ kind: 'error', reply: errorReply(`ERR wrong number of arguments for '${name}' command`) }) as const;
const syntaxError = { kind: 'error', reply: errorReply('ERR syntax error') } as const;
const notInteger = { kind: 'error', reply: errorReply(`ERR ${notAnIntegerError}`) } as const;

/** Redis's integers for INCRBY and friends: optional minus, decimal digits, within 64 bits. */
const parseInteger = (b: Buffer): bigint | undefined => parseInt64(text(b));

/** A 64-bit integer for the log: a number while a double holds it exactly, its digits beyond. */
const int64Operand = (n: bigint): number | string => (n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : String(n));

const int64Max = 2n ** 63n - 1n;

/**
 * An expire time as Redis's SET reads it: relative (EX, PX) or absolute (EXAT, PXAT), in ms. Redis
 * refuses zero or less, seconds that overflow in ms, and a relative time that overflows once the
 * clock is added; the clock here is this node's, close to the leader's that the log will use.
 */
function expireMs(arg: Buffer, unit: 'ex' | 'px' | 'exat' | 'pxat', command: string, nowMs: number): { ms: number } | Planned {
  const t = parseInteger(arg);
  if (t === undefined) return notInteger;
  const seconds = unit === 'ex' || unit === 'exat';
  const invalid = { kind: 'error', reply: errorReply(`ERR invalid expire time in '${command}' command`) } as const;
  if (t <= 0n || (seconds && t > int64Max / 1000n)) return invalid;
  const ms = seconds ? t * 1000n : t;
  if ((unit === 'ex' || unit === 'px') && ms > int64Max - BigInt(nowMs)) return invalid;
  return { ms: Number(ms) };
}

/** SET's options after the value, as Redis 7 parses them: which ones may combine, and GET. */
function parseSetOptions(args: Buffer[], nowMs: number): SetArgs | Planned {
  const a: SetArgs = { v: text(args[2]) };
  let expiry: { unit: 'ex' | 'px' | 'exat' | 'pxat'; arg: Buffer } | undefined;
  for (let i = 3; i < args.length; i++) {
    const opt = text(args[i]).toLowerCase();
    const hasNext = i + 1 < args.length;
    if (opt === 'nx' && !a.xx) a.nx = true;
    else if (opt === 'xx' && !a.nx) a.xx = true;
    else if (opt === 'get') a.get = true;
    else if (opt === 'keepttl' && expiry === undefined) a.keepTtl = true;
    else if ((opt === 'ex' || opt === 'px' || opt === 'exat' || opt === 'pxat') && !a.keepTtl && (expiry === undefined || expiry.unit === opt) && hasNext) expiry = { unit: opt, arg: args[++i] };
    else return syntaxError;
  }
  if (expiry !== undefined) {
    const e = expireMs(expiry.arg, expiry.unit, 'set', nowMs);
    if (!('ms' in e)) return e;
    if (expiry.unit === 'ex' || expiry.unit === 'px') a.ttlMs = e.ms;
    else a.atMs = e.ms;
  }
  return a;
}

const okReply = () => OK;
const integerReply = (v: unknown) => integer(BigInt(v as number | string));

/** Turn one command's arguments into a plan; `args[0]` is the command name. */
export function planCommand(args: Buffer[], limits: CommandLimits): Planned {
  const plan = planOne(args, limits);
  if (plan.kind !== 'write') return plan;
  if (collectionGrowingOperations.has(plan.op.f)) plan.op.membersMax = limits.collectionMembersMax;
  return writeTooLarge(args, plan.op, limits) ?? plan;
}

/** Why a write is too large for one log entry, in a reply that says how to send it instead. */
function writeTooLarge(args: Buffer[], op: Operation, limits: CommandLimits): Planned | undefined {
  // The name only for the refusal: this runs for every write.
  const name = () => text(args[0]).toUpperCase();
  const keys = op.f === 'mset' ? (op.value as unknown[]).length : op.f === 'del' ? (op.value as unknown[]).length : 1;
  if (keys > limits.writeKeysMax) return { kind: 'error', reply: errorReply(`ERR ${name()} of ${keys} keys is above the limit of ${limits.writeKeysMax} keys in one atomic write (writeKeysMax): send it in parts`) };
  let bytes = 0;
  for (const a of args) bytes += a.length;
  if (bytes > limits.writeBytesMax) return { kind: 'error', reply: errorReply(`ERR ${name()} of ${bytes} bytes is above the limit of ${limits.writeBytesMax} bytes in one atomic write (writeBytesMax): send it in parts`) };
  return undefined;
}

function planOne(args: Buffer[], limits: CommandLimits): Planned {
  const name = text(args[0]).toLowerCase();
  const n = args.length;
  const tooBig = (items: Buffer[], max: number, what: string): Planned | undefined => {
    for (const b of items) if (b.length > max) return { kind: 'error', reply: errorReply(`ERR ${what} too large: ${b.length} bytes, the limit is ${max}`) };
    return undefined;
  };
  const keysTooBig = (keys: Buffer[]) => tooBig(keys, limits.keyBytesMax, 'key');
  switch (name) {
    case 'get':
      if (n !== 2) return wrongArgs(name);
      return keysTooBig([args[1]]) ?? { kind: 'read', op: { f: 'read', key: text(args[1]) }, reply: (v, proto) => bulk(valueBytes(v), proto) };
    case 'set': {
      if (n < 3) return wrongArgs(name);
      const big = keysTooBig([args[1]]) ?? tooBig([args[2]], limits.valueBytesMax, 'value');
      if (big) return big;
      const a = parseSetOptions(args, Date.now());
      if ('kind' in a) return a;
      const key = text(args[1]);
      // A plain SET is the history's write (its checker knows it); conditions and TTLs are a `set`.
      if (Object.keys(a).length === 1) return { kind: 'write', op: { f: 'write', key, value: a.v }, reply: okReply };
      if (a.get) return { kind: 'write', op: { f: 'set', key, value: a }, reply: (v, proto) => bulk(valueBytes(v), proto) };
      return { kind: 'write', op: { f: 'set', key, value: a }, reply: (v, proto) => (v === false ? (proto === 3 ? bulk(null, 3) : NULL_BULK) : OK) };
    }
    case 'setex':
    case 'psetex': {
      if (n !== 4) return wrongArgs(name);
      const big = keysTooBig([args[1]]) ?? tooBig([args[3]], limits.valueBytesMax, 'value');
      if (big) return big;
      const e = expireMs(args[2], name === 'setex' ? 'ex' : 'px', name, Date.now());
      if (!('ms' in e)) return e;
      const value: SetArgs = { v: text(args[3]), ttlMs: e.ms };
      return { kind: 'write', op: { f: 'set', key: text(args[1]), value }, reply: okReply };
    }
    case 'setnx': {
      if (n !== 3) return wrongArgs(name);
      const big = keysTooBig([args[1]]) ?? tooBig([args[2]], limits.valueBytesMax, 'value');
      if (big) return big;
      return { kind: 'write', op: { f: 'set', key: text(args[1]), value: { v: text(args[2]), nx: true } satisfies SetArgs }, reply: (v) => (v === false ? ZERO : ONE) };
    }
    case 'del':
    case 'unlink':
      if (n < 2) return wrongArgs(name);
      return keysTooBig(args.slice(1)) ?? { kind: 'write', op: { f: 'del', value: args.slice(1).map(text) }, reply: integerReply };
    case 'exists':
      if (n < 2) return wrongArgs(name);
      return keysTooBig(args.slice(1)) ?? { kind: 'read', op: { f: 'exists', value: args.slice(1).map(text) }, reply: integerReply };
    case 'incr':
    case 'decr':
      if (n !== 2) return wrongArgs(name);
      return keysTooBig([args[1]]) ?? { kind: 'write', op: { f: 'incr', key: text(args[1]), value: name === 'incr' ? 1 : -1 }, reply: integerReply, failed: integerFailure };
    case 'incrby':
    case 'decrby': {
      if (n !== 3) return wrongArgs(name);
      const d = parseInteger(args[2]);
      if (d === undefined) return notInteger;
      // -(-2^63) is not a 64-bit integer: Redis refuses it before looking at the key.
      if (name === 'decrby' && d === -(2n ** 63n)) return { kind: 'error', reply: errorReply('ERR decrement would overflow') };
      return keysTooBig([args[1]]) ?? { kind: 'write', op: { f: 'incr', key: text(args[1]), value: int64Operand(name === 'incrby' ? d : -d) }, reply: integerReply, failed: integerFailure };
    }
    case 'mget':
      if (n < 2) return wrongArgs(name);
      return keysTooBig(args.slice(1)) ?? { kind: 'read', op: { f: 'mget', value: args.slice(1).map(text) }, reply: (vs, proto) => array((vs as unknown[]).map((v) => bulk(valueBytes(v), proto)), proto) };
    case 'mset': {
      if (n < 3 || n % 2 === 0) return wrongArgs(name);
      const keys = args.filter((_, i) => i % 2 === 1);
      const values = args.filter((_, i) => i > 0 && i % 2 === 0);
      const big = keysTooBig(keys) ?? tooBig(values, limits.valueBytesMax, 'value');
      if (big) return big;
      const pairs: [string, string][] = keys.map((k, i) => [text(k), text(values[i])]);
      return { kind: 'write', op: { f: 'mset', value: pairs }, reply: okReply };
    }
    case 'dbsize':
      // Through the store, not from the node's status: pipelined after FLUSHDB or SET it counts their keys.
      if (n !== 1) return wrongArgs(name);
      return { kind: 'read', op: { f: 'dbsize' }, reply: integerReply };
    case 'cas': {
      // CAS key expected new: 1 when the key held `expected` and now holds `new`, 0 when it held something else.
      if (n !== 4) return wrongArgs(name);
      const big = keysTooBig([args[1]]) ?? tooBig([args[2], args[3]], limits.valueBytesMax, 'value');
      if (big) return big;
      return { kind: 'write', op: { f: 'cas', key: text(args[1]), value: [text(args[2]), text(args[3])] }, reply: () => ONE, failed: (e) => (e.startsWith('expected ') ? ZERO : undefined) };
    }
    default:
      return planKeyspace(name, args, limits, keysTooBig) ?? planCollection(name, args, limits, keysTooBig) ?? { kind: 'local', name, args };
  }
}

/** Arity as Redis states it: exactly n arguments (the name counted), or at least n when negative. */
function arityWrong(args: Buffer[], arity: number): boolean {
  return arity >= 0 ? args.length !== arity : args.length < -arity;
}

const bulkReply = (v: unknown, proto: RespProtocol) => bulk(valueBytes(v), proto);
const bulkArray = (vs: unknown, proto: RespProtocol) => array((vs as unknown[]).map((v) => bulk(valueBytes(v), proto)), proto);

/** Redis's arity of the keyspace commands planKeyspace serves. */
const keyspaceArity: Record<string, number> = {
  ttl: 2, pttl: 2, expire: -3, pexpire: -3, expireat: -3, pexpireat: -3, persist: 2, type: 2, keys: 2, scan: -2,
  getset: 3, getdel: 2, getex: -2, append: 3, strlen: 2, setrange: 4, getrange: 4, rename: 3, renamenx: 3, flushdb: -1, flushall: -1,
  hset: -4, hmset: -4, hget: 3, hmget: -3, hdel: -3, hgetall: 2, hincrby: 4, hlen: 2, hexists: 3, hkeys: 2, hvals: 2, hscan: -3, sscan: -3, zscan: -3,
};

/** The string and keyspace commands beyond GET/SET/INCR; undefined for a command not among them. */
function planKeyspace(name: string, args: Buffer[], limits: CommandLimits, keysTooBig: (keys: Buffer[]) => Planned | undefined): Planned | undefined {
  const arity = keyspaceArity[name];
  if (arity === undefined) return undefined;
  if (arityWrong(args, arity)) return wrongArgs(name);
  const big = name === 'keys' || name === 'scan' || name.startsWith('flush') ? undefined : keysTooBig(name.startsWith('rename') ? args.slice(1, 3) : [args[1]]);
  if (big) return big;
  const key = args.length > 1 ? text(args[1]) : '';
  switch (name) {
    case 'ttl':
    case 'pttl':
      return { kind: 'read', op: { f: 'ttl', key, value: name === 'pttl' ? 'ms' : 's' }, reply: integerReply };
    case 'expire':
    case 'pexpire':
    case 'expireat':
    case 'pexpireat':
      return planExpire(name, args);
    case 'persist':
      return { kind: 'write', op: { f: 'persist', key }, reply: integerReply };
    case 'type':
      return { kind: 'read', op: { f: 'type', key }, reply: (v) => simpleString(String(v)) };
    case 'keys':
      return { kind: 'read', op: { f: 'keys', value: text(args[1]) }, reply: bulkArray };
    case 'scan':
      return planScan(args);
    case 'getset':
      return tooBigValue(args[2], limits) ?? { kind: 'write', op: { f: 'getset', key, value: text(args[2]) }, reply: bulkReply };
    case 'getdel':
      return { kind: 'write', op: { f: 'getdel', key }, reply: bulkReply };
    case 'getex':
      return planGetEx(args);
    case 'append':
      return { kind: 'write', op: { f: 'append', key, value: { v: text(args[2]), max: limits.valueBytesMax } }, reply: integerReply, failed: stringFailure };
    case 'strlen':
      return { kind: 'read', op: { f: 'strlen', key }, reply: integerReply };
    case 'setrange': {
      const offset = parseInteger(args[2]);
      if (offset === undefined) return notInteger;
      if (offset < 0n) return { kind: 'error', reply: errorReply('ERR offset is out of range') };
      // Past the largest value the write is refused anyway; a huge offset must not become a huge string first.
      const at = offset > BigInt(limits.valueBytesMax) ? limits.valueBytesMax + 1 : Number(offset);
      return { kind: 'write', op: { f: 'setrange', key, value: { offset: at, v: text(args[3]), max: limits.valueBytesMax } }, reply: integerReply, failed: stringFailure };
    }
    case 'getrange': {
      const start = parseInteger(args[2]);
      const end = parseInteger(args[3]);
      if (start === undefined || end === undefined) return notInteger;
      return { kind: 'read', op: { f: 'getrange', key, value: [clampToSafe(start), clampToSafe(end)] }, reply: bulkReply };
    }
    case 'rename':
    case 'renamenx':
      return { kind: 'write', op: { f: 'rename', key, value: { to: text(args[2]), nx: name === 'renamenx' } }, reply: name === 'rename' ? okReply : integerReply, failed: (e) => (e === noSuchKeyError ? errorReply(`ERR ${e}`) : undefined) };
    case 'hset':
    case 'hmset': {
      if (args.length % 2 === 1) return wrongArgs(name);
      const fields = args.slice(2).filter((_, i) => i % 2 === 0);
      const values = args.slice(2).filter((_, i) => i % 2 === 1);
      const tooBig = keysTooBig(fields) ?? values.map((v) => tooBigValue(v, limits)).find((p) => p !== undefined);
      if (tooBig) return tooBig;
      const pairs = fields.map((f, i) => [text(f), text(values[i])]);
      return { kind: 'write', op: { f: 'hset', key, value: pairs }, reply: name === 'hset' ? integerReply : okReply };
    }
    case 'hdel':
      return { kind: 'write', op: { f: 'hdel', key, value: args.slice(2).map(text) }, reply: integerReply };
    case 'hincrby': {
      const d = parseInteger(args[3]);
      if (d === undefined) return notInteger;
      return { kind: 'write', op: { f: 'hincrby', key, value: [text(args[2]), int64Operand(d)] }, reply: integerReply, failed: (e) => (e === hashNotAnIntegerError || e === incrOverflowError ? errorReply(`ERR ${e}`) : undefined) };
    }
    case 'hget':
    case 'hexists':
      return { kind: 'read', op: { f: name, key, value: text(args[2]) }, reply: name === 'hget' ? bulkReply : integerReply };
    case 'hmget':
      return { kind: 'read', op: { f: 'hmget', key, value: args.slice(2).map(text) }, reply: bulkArray };
    case 'hlen':
      return { kind: 'read', op: { f: 'hlen', key }, reply: integerReply };
    case 'hkeys':
    case 'hvals':
      return { kind: 'read', op: { f: name, key }, reply: bulkArray };
    case 'hgetall':
      return { kind: 'read', op: { f: 'hgetall', key }, reply: (v, proto) => map((v as [string, string][]).map(([f, x]) => [bulk(valueBytes(f), proto), bulk(valueBytes(x), proto)] as const), proto) };
    case 'hscan':
    case 'sscan':
    case 'zscan': {
      // A hash, set or sorted set is answered whole, in one call: the cursor is checked, not used.
      const scan = planScan(args.slice(1));
      if (scan.kind !== 'read') return scan;
      const { match } = scan.op.value as { match?: string };
      const op = { f: name, key, value: match === undefined ? {} : { match } } as const;
      if (name !== 'zscan') return { kind: 'read', op, reply: scan.reply };
      // Members and their scores, flat, each score as ZSCORE writes it.
      return { kind: 'read', op, reply: (v, proto) => {
        const [cursor, flat] = v as [string, string[]];
        return scan.reply([cursor, flat.map((x, i) => (i % 2 === 1 ? formatScore(Number(x)) : x))], proto);
      } };
    }
    case 'flushdb':
    case 'flushall': {
      const mode = args.length === 2 ? text(args[1]).toLowerCase() : undefined;
      if (args.length > 2 || (mode !== undefined && mode !== 'async' && mode !== 'sync')) return syntaxError;
      return { kind: 'write', op: { f: 'flush' }, reply: okReply };
    }
    default:
      return undefined;
  }
}

function tooBigValue(value: Buffer, limits: CommandLimits): Planned | undefined {
  return value.length > limits.valueBytesMax ? { kind: 'error', reply: errorReply(`ERR value too large: ${value.length} bytes, the limit is ${limits.valueBytesMax}`) } : undefined;
}

function stringFailure(error: string): Buffer | undefined {
  return error === stringTooLongError ? errorReply(`ERR ${error}`) : undefined;
}

const clampToSafe = (n: bigint): number => Number(n > BigInt(Number.MAX_SAFE_INTEGER) ? BigInt(Number.MAX_SAFE_INTEGER) : n < BigInt(Number.MIN_SAFE_INTEGER) ? BigInt(Number.MIN_SAFE_INTEGER) : n);

/** EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT key time [NX|XX|GT|LT], checked in Redis's order. */
function planExpire(name: string, args: Buffer[]): Planned {
  const value: ExpireArgs = { ms: 0, relative: false };
  for (const a of args.slice(3)) {
    const opt = text(a).toLowerCase();
    if (opt !== 'nx' && opt !== 'xx' && opt !== 'gt' && opt !== 'lt') return { kind: 'error', reply: errorReply(`ERR Unsupported option ${text(a)}`) };
    value[opt] = true;
  }
  if (value.nx && (value.xx || value.gt || value.lt)) return { kind: 'error', reply: errorReply('ERR NX and XX, GT or LT options at the same time are not compatible') };
  if (value.gt && value.lt) return { kind: 'error', reply: errorReply('ERR GT and LT options at the same time are not compatible') };
  const t = parseInteger(args[2]);
  if (t === undefined) return notInteger;
  const seconds = name === 'expire' || name === 'expireat';
  const relative = name === 'expire' || name === 'pexpire';
  const invalid = { kind: 'error', reply: errorReply(`ERR invalid expire time in '${name}' command`) } as const;
  if (seconds && (t > int64Max / 1000n || t < -int64Max / 1000n)) return invalid;
  const ms = seconds ? t * 1000n : t;
  if (ms > int64Max - (relative ? BigInt(Date.now()) : 0n)) return invalid;
  value.ms = Number(ms);
  value.relative = relative;
  return { kind: 'write', op: { f: 'expire', key: text(args[1]), value }, reply: integerReply };
}

/** GETEX key [EX s | PX ms | EXAT s | PXAT ms | PERSIST]: a read without options, else a write. */
function planGetEx(args: Buffer[]): Planned {
  const key = text(args[1]);
  if (args.length === 2) return { kind: 'read', op: { f: 'read', key }, reply: bulkReply };
  const opt = text(args[2]).toLowerCase();
  const value: GetExArgs = {};
  if (opt === 'persist' && args.length === 3) value.persist = true;
  else if ((opt === 'ex' || opt === 'px' || opt === 'exat' || opt === 'pxat') && args.length === 4) {
    const e = expireMs(args[3], opt, 'getex', Date.now());
    if (!('ms' in e)) return e;
    if (opt === 'ex' || opt === 'px') value.ttlMs = e.ms;
    else value.atMs = e.ms;
  } else return syntaxError;
  return { kind: 'write', op: { f: 'getex', key, value }, reply: bulkReply };
}

/** SCAN cursor [MATCH pattern] [COUNT n] [TYPE type]: COUNT below 1 is a syntax error, as in Redis. */
function planScan(args: Buffer[]): Planned {
  const cursorText = text(args[1]);
  if (!/^\d{1,20}$/.test(cursorText) || BigInt(cursorText) >= 2n ** 64n) return { kind: 'error', reply: errorReply('ERR invalid cursor') };
  const value: { cursor: number; count: number; match?: string; type?: string } = { cursor: Number(BigInt.asUintN(53, BigInt(cursorText))), count: 10 };
  for (let i = 2; i < args.length; i += 2) {
    const opt = text(args[i]).toLowerCase();
    if (i + 1 >= args.length) return syntaxError;
    if (opt === 'count') {
      const n = parseInteger(args[i + 1]);
      if (n === undefined) return notInteger;
      if (n < 1n) return syntaxError;
      value.count = Number(n > 1_000_000n ? 1_000_000n : n);
    } else if (opt === 'match') value.match = text(args[i + 1]);
    else if (opt === 'type') value.type = text(args[i + 1]).toLowerCase();
    else return syntaxError;
  }
  return { kind: 'read', op: { f: 'scan', value }, reply: (v, proto) => {
    const [cursor, keys] = v as [string, string[]];
    return array([bulk(cursor, proto), bulkArray(keys, proto)], proto);
  } };
}

function integerFailure(error: string): Buffer | undefined {
  return error === notAnIntegerError || error === incrOverflowError ? errorReply(`ERR ${error}`) : undefined;
}
