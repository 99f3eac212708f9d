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
import { incrOverflowError, notAnIntegerError, parseInt64, type SetArgs } from '../truth/index.js';
import { array, bulk, errorReply, integer, NULL_BULK, OK, ONE, ZERO, type RespProtocol } from './resp.js';

export interface CommandLimits {
  /** A value (SET, MSET, CAS) above this is refused with an error reply; the connection stays. */
  valueBytesMax: number;
  /** A key above this is refused likewise. */
  keyBytesMax: number;
  /**
   * One write is one Raft entry, replicated, fsynced and applied as a whole: past these (keys, bytes of
   * its arguments) it is refused, never proposed, so it cannot outlast the request timeout while it
   * applies. The client splits it; each part is atomic on its own.
   */
  writeKeysMax: number;
  writeBytesMax: number;
}

export const commandDefaults: CommandLimits = {
  valueBytesMax: 1024 * 1024,
  keyBytesMax: 64 * 1024,
  writeKeysMax: 10_000,
  writeBytesMax: 8 * 1024 * 1024,
};

/** What a command needs: the log (write), a linearizable read (read), or nothing (answered here). */
export type Planned =
  | { kind: 'read' | 'write'; op: Operation; reply: (value: unknown, proto: RespProtocol) => Buffer; failed?: (error: string) => Buffer | undefined }
  | { kind: 'local'; name: string; args: Buffer[] }
  | { kind: 'error'; reply: Buffer };

const text = (b: Buffer) => b.toString('latin1');
/** A stored value as the bytes a client gets back (numbers, from INCR, as their decimal digits). */
export function valueBytes(v: unknown): Buffer | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return Buffer.from(v, 'latin1');
  if (typeof v === 'number') return Buffer.from(String(v), 'latin1');
  return Buffer.from(JSON.stringify(v), 'utf8');
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
  return plan.kind === 'write' ? (writeTooLarge(args, plan.op, limits) ?? plan) : plan;
}

/** Why a write is too large for one log entry, in a reply that says how to send it instead. */
function writeTooLarge(args: Buffer[], op: Operation, limits: CommandLimits): Planned | undefined {
  const name = text(args[0]).toUpperCase();
  const keys = op.f === 'mset' ? (op.value as unknown[]).length : op.f === 'del' ? (op.value as unknown[]).length : 1;
  if (keys > limits.writeKeysMax) return { kind: 'error', reply: errorReply(`ERR ${name} of ${keys} keys is above the limit of ${limits.writeKeysMax} keys in one atomic write (writeKeysMax): send it in parts`) };
  let bytes = 0;
  for (const a of args) bytes += a.length;
  if (bytes > limits.writeBytesMax) return { kind: 'error', reply: errorReply(`ERR ${name} of ${bytes} bytes is above the limit of ${limits.writeBytesMax} bytes in one atomic write (writeBytesMax): send it in parts`) };
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
    case 'cas': {
      // CAS key expected new: 1 when the key held `expected` and now holds `new`, 0 when it held something else.
      if (n !== 4) return wrongArgs(name);
      const big = keysTooBig([args[1]]) ?? tooBig([args[2], args[3]], limits.valueBytesMax, 'value');
      if (big) return big;
      return { kind: 'write', op: { f: 'cas', key: text(args[1]), value: [text(args[2]), text(args[3])] }, reply: () => ONE, failed: (e) => (e.startsWith('expected ') ? ZERO : undefined) };
    }
    default:
      return { kind: 'local', name, args };
  }
}

function integerFailure(error: string): Buffer | undefined {
  return error === notAnIntegerError || error === incrOverflowError ? errorReply(`ERR ${error}`) : undefined;
}
