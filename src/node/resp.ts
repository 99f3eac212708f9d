/**
 * RESP, the Redis serialization protocol: the request parser and the reply encoders of a server that
 * redis-cli, redis-benchmark and ioredis can talk to.
 * Spec: https://redis.io/docs/latest/develop/reference/protocol-spec/
 *
 * Requests. A client sends either an array of bulk strings (`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n`)
 * or an inline command (a line of words, as telnet sends), and pipelines many of them per TCP segment,
 * which may end anywhere, even between a CR and its LF. So `RespParser` is a state machine that keeps its
 * place across `feed` calls instead of re-parsing from the start of a command: a 16 MiB value arriving in
 * 64 KiB reads costs one copy, not 256 growing concatenations.
 *
 * Why it looks the way it does:
 * - It sits on the hot path of a benchmark against redis-server, so it walks the chunk with indexes, reads
 *   numbers digit by digit, and hands out arguments as `subarray` views of the chunk. It copies only what
 *   spans chunks: a cut header or inline line (into a small carry buffer) or a cut bulk (into one buffer of
 *   the declared size).
 * - Limits are checked on the header, before the payload arrives: a client declaring a 4 GiB bulk or a
 *   billion items is refused at once, and the parser never holds more than one bulk's declared size plus
 *   one line of at most `inlineBytesMax`. (A command's arguments together are bounded only by
 *   arrayItemsMax x bulkBytesMax, as in Redis, whose `client-query-buffer-limit` is the server's business.)
 * - Errors carry Redis's own words (networking.c, processMultibulkBuffer / processInlineBuffer), because a
 *   server replies `-ERR <message>` and closes the connection, and clients and tests match on the text.
 *   Where Redis is lax we are strict and say so: a header line must end in CRLF (Redis finds the CR and
 *   skips the next byte unseen), a bulk must be followed by CRLF (Redis skips two bytes unseen), and an
 *   array count below -1 is refused (Redis skips it like `*0`).
 * - Every verdict is the same however the bytes are split into chunks: line limits count the line, not
 *   what happened to be buffered (Redis measures its query buffer, so a 70 KiB inline line passes or fails
 *   there depending on how it arrived); as in Redis, a command's first byte (`*` or not) decides array or inline.
 *
 * Replies. Encoders return Buffers ready to write; the constant ones are precomputed. RESP2 by default;
 * after `HELLO 3` a server passes `proto = 3` to get RESP3's null, map, set, double, boolean and push types.
 * Strings are sent as UTF-8; values that are bytes (whatever a client SET) must be passed as Buffers, which
 * are sent byte for byte, so binary values round-trip exactly.
 */
import { Buffer } from 'node:buffer';
import { defaultRespLimits, type RespLimits } from './limits-defaults.js';

export { defaultRespLimits, type RespLimits } from './limits-defaults.js';

/** Malformed input; `message` is the text Redis replies with after `-ERR `. */
export class RespProtocolError extends Error {
  override readonly name = 'RespProtocolError';
}

const CR = 13;
const LF = 10;
const TAB = 9;
const SPACE = 32;
const DOUBLE_QUOTE = 34;
const DOLLAR = 36;
const SINGLE_QUOTE = 39;
const ASTERISK = 42;
const MINUS = 45;
const DIGIT_0 = 48;
const BACKSLASH = 92;
const LOWER_X = 120;

/** Decimal digits beyond which a count is refused unparsed: more than any limit, and still exact in a double. */
const decimalDigitsMax = 15;

const invalidMultibulkLength = 'Protocol error: invalid multibulk length';
const invalidBulkLength = 'Protocol error: invalid bulk length';
const unbalancedQuotes = 'Protocol error: unbalanced quotes in request';
const tooBigInline = 'Protocol error: too big inline request';
const tooBigMultibulkCount = 'Protocol error: too big mbulk count string';
const tooBigBulkCount = 'Protocol error: too big bulk count string';
const expectedCrlfAfterBulk = 'Protocol error: expected CRLF after bulk';

// Where the parser is, between chunks.
const AT_COMMAND_START = 0;
const IN_ARRAY_COUNT_LINE = 1;
const IN_BULK_LENGTH_LINE = 2;
const IN_BULK_PAYLOAD = 3;
const IN_BULK_TRAILER = 4;
const IN_INLINE_LINE = 5;

const emptyBuffer = Buffer.alloc(0);

/**
 * Streaming parser of what clients send a Redis server. One per connection.
 *
 * Arguments are views of the chunks passed to `feed` (or of the parser's own copies when they span
 * chunks): the caller must not reuse or modify a chunk after feeding it, and must copy an argument it
 * keeps beyond the command (a stored value), or the view pins the whole chunk in memory.
 */
export class RespParser {
  private readonly bulkBytesMax: number;
  private readonly arrayItemsMax: number;
  private readonly inlineBytesMax: number;
  private readonly commandBytesMax: number;

  private state = AT_COMMAND_START;
  private args: Buffer[] = [];
  private itemsLeft = 0;
  /** The bulk lengths the command being read has declared so far. */
  private commandBytes = 0;

  // The bulk whose payload is cut by a chunk's end; bulkBuffer stays null while none of it is copied.
  private bulkLength = 0;
  private bulkBuffer: Buffer | null = null;
  private bulkFilled = 0;
  private trailerBytesSeen = 0;

  // The start of a line cut by a chunk's end; grows by doubling, never beyond one line's limit.
  private carry: Buffer = emptyBuffer;
  private carryLength = 0;

  // The line readLine just completed: lineBuffer[lineStart, lineContentEnd), without its CRLF or LF.
  private lineBuffer: Buffer = emptyBuffer;
  private lineStart = 0;
  private lineContentEnd = 0;
  private lineEndedWithCr = false;

  private failure: unknown = undefined;

  constructor(limits: Partial<RespLimits> = {}) {
    this.bulkBytesMax = limitOf(limits, 'bulkBytesMax');
    this.arrayItemsMax = limitOf(limits, 'arrayItemsMax');
    this.inlineBytesMax = limitOf(limits, 'inlineBytesMax');
    this.commandBytesMax = limitOf(limits, 'commandBytesMax');
  }

  /**
   * Parses `chunk`, calling `onCommand` once per complete command, in order; keeps an incomplete tail
   * for the next call. Throws RespProtocolError on malformed input, after delivering the commands before
   * it. After any throw (also one from onCommand) the parser refuses further input: its place is lost.
   */
  feed(chunk: Buffer, onCommand: (args: Buffer[]) => void): void {
    if (this.failure !== undefined) throw new Error('RespParser: unusable after an earlier error', { cause: this.failure });
    try {
      this.parse(chunk, onCommand);
    } catch (error) {
      this.failure = error;
      throw error;
    }
  }

  private parse(chunk: Buffer, onCommand: (args: Buffer[]) => void): void {
    const end = chunk.length;
    let pos = 0;
    while (pos < end) {
      switch (this.state) {
        case AT_COMMAND_START:
          this.state = chunk[pos] === ASTERISK ? IN_ARRAY_COUNT_LINE : IN_INLINE_LINE;
          break;

        case IN_ARRAY_COUNT_LINE: {
          const next = this.readLine(chunk, pos, end, tooBigMultibulkCount);
          if (next < 0) return;
          pos = next;
          const count = this.lineEndedWithCr ? parseDecimal(this.lineBuffer, this.lineStart + 1, this.lineContentEnd) : Number.NaN;
          if (!(count >= -1 && count <= this.arrayItemsMax)) throw new RespProtocolError(invalidMultibulkLength);
          if (count <= 0) {
            this.state = AT_COMMAND_START; // `*0` and `*-1` are no command
          } else {
            this.itemsLeft = count;
            this.commandBytes = 0;
            this.state = IN_BULK_LENGTH_LINE;
          }
          break;
        }

        case IN_BULK_LENGTH_LINE: {
          // Checked on the line's first byte, not its end, so garbage is refused without waiting for a newline.
          if (this.carryLength === 0 && chunk[pos] !== DOLLAR) {
            throw new RespProtocolError(`Protocol error: expected '$', got '${String.fromCharCode(chunk[pos])}'`);
          }
          const next = this.readLine(chunk, pos, end, tooBigBulkCount);
          if (next < 0) return;
          pos = next;
          const length = this.lineEndedWithCr ? parseDecimal(this.lineBuffer, this.lineStart + 1, this.lineContentEnd) : Number.NaN;
          if (!(length >= 0 && length <= this.bulkBytesMax)) throw new RespProtocolError(invalidBulkLength);
          this.commandBytes += length;
          if (this.commandBytes > this.commandBytesMax) throw new RespProtocolError(`Protocol error: command larger than the query buffer limit of ${this.commandBytesMax} bytes`);
          // The common case, payload and CRLF in this chunk; anything else (even a bad trailer) takes the slow path.
          if (end - pos >= length + 2 && chunk[pos + length] === CR && chunk[pos + length + 1] === LF) {
            this.args.push(chunk.subarray(pos, pos + length));
            pos += length + 2;
            if (--this.itemsLeft === 0) this.emit(onCommand);
          } else {
            this.bulkLength = length;
            this.bulkFilled = 0;
            this.bulkBuffer = null;
            this.state = IN_BULK_PAYLOAD;
          }
          break;
        }

        case IN_BULK_PAYLOAD: {
          if (this.bulkBuffer === null) {
            if (end - pos >= this.bulkLength) {
              this.args.push(chunk.subarray(pos, pos + this.bulkLength));
              pos += this.bulkLength;
              this.trailerBytesSeen = 0;
              this.state = IN_BULK_TRAILER;
              break;
            }
            // Allocated only once payload bytes arrive: a bare header costs no memory.
            this.bulkBuffer = Buffer.allocUnsafe(this.bulkLength);
          }
          const taken = Math.min(this.bulkLength - this.bulkFilled, end - pos);
          chunk.copy(this.bulkBuffer, this.bulkFilled, pos, pos + taken);
          this.bulkFilled += taken;
          pos += taken;
          if (this.bulkFilled === this.bulkLength) {
            this.args.push(this.bulkBuffer);
            this.bulkBuffer = null;
            this.trailerBytesSeen = 0;
            this.state = IN_BULK_TRAILER;
          }
          break;
        }

        case IN_BULK_TRAILER: {
          if (chunk[pos] !== (this.trailerBytesSeen === 0 ? CR : LF)) throw new RespProtocolError(expectedCrlfAfterBulk);
          pos++;
          if (++this.trailerBytesSeen === 2) {
            if (--this.itemsLeft === 0) this.emit(onCommand);
            else this.state = IN_BULK_LENGTH_LINE;
          }
          break;
        }

        case IN_INLINE_LINE: {
          const next = this.readLine(chunk, pos, end, tooBigInline);
          if (next < 0) return;
          pos = next;
          const args = splitInlineArgs(this.lineBuffer, this.lineStart, this.lineContentEnd);
          if (args === null) throw new RespProtocolError(unbalancedQuotes);
          this.state = AT_COMMAND_START;
          if (args.length > 0) onCommand(args); // empty lines are skipped, as Redis does
          break;
        }
      }
    }
  }

  private emit(onCommand: (args: Buffer[]) => void): void {
    const args = this.args;
    this.args = [];
    this.state = AT_COMMAND_START;
    onCommand(args);
  }

  /**
   * Reads the line starting at `pos` (or continuing the carried start of it) up to its LF. Returns the
   * position after the LF, the line left in lineBuffer/lineStart/lineContentEnd; or -1 when the chunk
   * ends first, the bytes carried. A line may hold inlineBytesMax bytes plus its line end; the check on
   * an unfinished line allows one more byte only if it is a CR, so that the verdict does not depend on
   * where chunks were cut.
   */
  private readLine(chunk: Buffer, pos: number, end: number, tooLongMessage: string): number {
    const lineBytesMax = this.inlineBytesMax + 1; // the content and the CR of its CRLF
    const scanEnd = Math.min(end, pos + lineBytesMax - this.carryLength + 1);
    let lf = pos;
    while (lf < scanEnd && chunk[lf] !== LF) lf++;

    if (lf === scanEnd) {
      const seen = this.carryLength + (scanEnd - pos);
      if (seen > lineBytesMax || (seen === lineBytesMax && chunk[scanEnd - 1] !== CR)) throw new RespProtocolError(tooLongMessage);
      this.appendToCarry(chunk, pos, end);
      return -1;
    }

    let lineEnd: number;
    if (this.carryLength === 0) {
      this.lineBuffer = chunk;
      this.lineStart = pos;
      lineEnd = lf;
    } else {
      this.appendToCarry(chunk, pos, lf);
      this.lineBuffer = this.carry;
      this.lineStart = 0;
      lineEnd = this.carryLength;
      // Handed over, not reused: inline arguments are views of it.
      this.carry = emptyBuffer;
      this.carryLength = 0;
    }
    const endedWithCr = lineEnd > this.lineStart && this.lineBuffer[lineEnd - 1] === CR;
    this.lineEndedWithCr = endedWithCr;
    this.lineContentEnd = endedWithCr ? lineEnd - 1 : lineEnd;
    if (this.lineContentEnd - this.lineStart > this.inlineBytesMax) throw new RespProtocolError(tooLongMessage);
    return lf + 1;
  }

  private appendToCarry(chunk: Buffer, from: number, to: number): void {
    const needed = this.carryLength + (to - from);
    if (needed > this.carry.length) {
      const capacity = Math.max(needed, Math.min(Math.max(64, this.carry.length * 2), this.inlineBytesMax + 2));
      const grown = Buffer.allocUnsafe(capacity);
      this.carry.copy(grown, 0, 0, this.carryLength);
      this.carry = grown;
    }
    chunk.copy(this.carry, this.carryLength, from, to);
    this.carryLength = needed;
  }
}

function limitOf(limits: Partial<RespLimits>, name: keyof RespLimits): number {
  const value = limits[name] ?? defaultRespLimits[name];
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`RespParser: ${name} must be a non-negative integer, got ${value}`);
  return value;
}

/** A count as Redis's string2ll reads it: optional '-', digits, no '+', no spaces, no leading zeros; NaN if not. */
function parseDecimal(buf: Buffer, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (i < end && buf[i] === MINUS) {
    negative = true;
    i++;
  }
  if (i === end || end - i > decimalDigitsMax) return Number.NaN;
  if (buf[i] === DIGIT_0) return i + 1 === end && !negative ? 0 : Number.NaN;
  let value = 0;
  for (; i < end; i++) {
    const digit = buf[i] - DIGIT_0;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

/** C's isspace: what sdssplitargs skips between words. */
function isSpace(byte: number): boolean {
  return byte === SPACE || (byte >= TAB && byte <= CR);
}

/** What ends an unquoted word in sdssplitargs (a narrower set than isspace: \v and \f belong to the word). */
function endsWord(byte: number): boolean {
  return byte === SPACE || byte === LF || byte === CR || byte === TAB;
}

function hexValue(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48;
  if (byte >= 97 && byte <= 102) return byte - 87;
  if (byte >= 65 && byte <= 70) return byte - 55;
  return -1;
}

function unescaped(byte: number): number {
  switch (byte) {
    case 110: return LF; // \n
    case 114: return CR; // \r
    case 116: return TAB; // \t
    case 98: return 8; // \b
    case 97: return 7; // \a
    default: return byte; // \\ \" and any other: the byte itself
  }
}

/**
 * Splits an inline command like Redis's sdssplitargs; null for unbalanced quotes. Plain words are views
 * of the line; quoted ones are assembled in one scratch buffer per line (unquoting never lengthens).
 * Unlike sdssplitargs on a C string, a NUL byte is an ordinary byte (Redis never gets that far: it looks
 * for the newline with strchr, so a NUL stalls the connection there).
 */
function splitInlineArgs(line: Buffer, start: number, end: number): Buffer[] | null {
  const args: Buffer[] = [];
  let scratch: Buffer | null = null;
  let written = 0;
  let p = start;
  for (;;) {
    while (p < end && isSpace(line[p])) p++;
    if (p === end) return args;

    const wordStart = p;
    while (p < end && !endsWord(line[p]) && line[p] !== DOUBLE_QUOTE && line[p] !== SINGLE_QUOTE) p++;
    if (p === end || endsWord(line[p])) {
      args.push(line.subarray(wordStart, p));
      continue;
    }

    if (scratch === null) scratch = Buffer.allocUnsafe(end - start);
    const outStart = written;
    written += line.copy(scratch, written, wordStart, p);
    let quote = 0; // the quote character we are inside, 0 outside quotes
    for (;;) {
      if (p === end) {
        if (quote !== 0) return null;
        break;
      }
      const byte = line[p];
      if (quote === 0) {
        if (endsWord(byte)) break;
        if (byte === DOUBLE_QUOTE || byte === SINGLE_QUOTE) quote = byte;
        else scratch[written++] = byte;
        p++;
        continue;
      }
      if (byte === BACKSLASH && p + 1 < end) {
        const next = line[p + 1];
        if (quote === DOUBLE_QUOTE) {
          if (next === LOWER_X && p + 3 < end && hexValue(line[p + 2]) >= 0 && hexValue(line[p + 3]) >= 0) {
            scratch[written++] = hexValue(line[p + 2]) * 16 + hexValue(line[p + 3]);
            p += 4;
          } else {
            scratch[written++] = unescaped(next);
            p += 2;
          }
          continue;
        }
        if (next === SINGLE_QUOTE) {
          scratch[written++] = SINGLE_QUOTE;
          p += 2;
          continue;
        }
      }
      if (byte === quote) {
        p++;
        // A closing quote ends the word, so it must be followed by a space or the end of the line.
        if (p < end && !isSpace(line[p])) return null;
        break;
      }
      scratch[written++] = byte;
      p++;
    }
    args.push(scratch.subarray(outStart, written));
  }
}

// ---------------------------------------------------------------------------------------------------
// Replies

/** RESP2 (the default on connect) or RESP3 (after `HELLO 3`). */
export type RespProtocol = 2 | 3;

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

function ascii(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/** Simple strings and errors cannot contain CR or LF: the reply would end early and desynchronize the client. */
function oneLine(text: string): string {
  return text.indexOf('\r') === -1 && text.indexOf('\n') === -1 ? text : text.replaceAll('\r', ' ').replaceAll('\n', ' ');
}

/** `+text\r\n`, UTF-8, CR and LF replaced by spaces. */
export function simpleString(text: string): Buffer {
  return Buffer.from(`+${oneLine(text)}\r\n`, 'utf8');
}

/** `-message\r\n`: the message as given (it starts with its code, e.g. `ERR unknown command 'FOO'`), CR and LF replaced by spaces. */
export function errorReply(message: string): Buffer {
  return Buffer.from(`-${oneLine(message)}\r\n`, 'utf8');
}

/** `:n\r\n` for a safe integer or a bigint within RESP's signed 64 bits; RangeError otherwise. */
export function integer(n: number | bigint): Buffer {
  if (typeof n === 'bigint' ? n < int64Min || n > int64Max : !Number.isSafeInteger(n)) {
    throw new RangeError(`RESP integer out of range: ${n}`);
  }
  return ascii(`:${n}\r\n`);
}

/**
 * A bulk string: `$<bytes>\r\n<bytes>\r\n`. A Buffer is sent byte for byte (binary values round-trip); a
 * string is encoded as UTF-8 (its length is its byte length). null is `$-1\r\n` in RESP2, `_\r\n` in RESP3.
 */
export function bulk(value: Buffer | string | null, proto: RespProtocol = 2): Buffer {
  if (value === null) return proto === 3 ? NULL : NULL_BULK;
  if (typeof value === 'string') return Buffer.from(`$${Buffer.byteLength(value, 'utf8')}\r\n${value}\r\n`, 'utf8');
  const header = `$${value.length}\r\n`;
  const out = Buffer.allocUnsafe(header.length + value.length + 2);
  out.write(header, 0, 'latin1');
  value.copy(out, header.length);
  out[out.length - 2] = CR;
  out[out.length - 1] = LF;
  return out;
}

/** An aggregate: the type byte, the count, then the items as they are (already encoded replies). */
function aggregate(type: string, count: number, items: readonly Buffer[]): Buffer {
  const header = `${type}${count}\r\n`;
  let length = header.length;
  for (const item of items) length += item.length;
  const out = Buffer.allocUnsafe(length);
  let offset = out.write(header, 0, 'latin1');
  for (const item of items) offset += item.copy(out, offset);
  return out;
}

/** `*N\r\n` then the items, each an already-encoded reply. null is `*-1\r\n` in RESP2, `_\r\n` in RESP3. */
export function array(items: readonly Buffer[] | null, proto: RespProtocol = 2): Buffer {
  if (items === null) return proto === 3 ? NULL : NULL_ARRAY;
  return aggregate('*', items.length, items);
}

/** RESP3 `%N\r\n` then key, value, ...; in RESP2 the flat array of 2N items clients expect (as HGETALL). */
export function map(pairs: readonly (readonly [Buffer, Buffer])[], proto: RespProtocol = 2): Buffer {
  const items: Buffer[] = [];
  for (const [key, value] of pairs) items.push(key, value);
  return proto === 3 ? aggregate('%', pairs.length, items) : aggregate('*', items.length, items);
}

/** RESP3 `~N\r\n` (as SMEMBERS replies); an array in RESP2. */
export function set(items: readonly Buffer[], proto: RespProtocol = 2): Buffer {
  return aggregate(proto === 3 ? '~' : '*', items.length, items);
}

/** RESP3 `>N\r\n`, out-of-band data such as pub/sub messages; an array in RESP2, where that is how they come. */
export function push(items: readonly Buffer[], proto: RespProtocol = 2): Buffer {
  return aggregate(proto === 3 ? '>' : '*', items.length, items);
}

/** RESP3 `,<n>\r\n` (`inf`, `-inf`, `nan` as the spec spells them); in RESP2 the same text as a bulk string. */
export function double(n: number, proto: RespProtocol = 2): Buffer {
  const text = n === Infinity ? 'inf' : n === -Infinity ? '-inf' : Number.isNaN(n) ? 'nan' : String(n);
  return proto === 3 ? ascii(`,${text}\r\n`) : bulk(text);
}

/** RESP3 `#t\r\n` / `#f\r\n`; in RESP2 the integers 1 and 0 that Redis commands used before RESP3. */
export function boolean(b: boolean, proto: RespProtocol = 2): Buffer {
  if (proto === 3) return b ? TRUE : FALSE;
  return b ? ONE : ZERO;
}

// Shared, precomputed replies: write them, never modify them.
export const OK = ascii('+OK\r\n');
export const PONG = ascii('+PONG\r\n');
export const QUEUED = ascii('+QUEUED\r\n');
/** RESP2's null bulk string (GET of a missing key). */
export const NULL_BULK = ascii('$-1\r\n');
/** RESP2's null array (e.g. EXEC after a failed WATCH). */
export const NULL_ARRAY = ascii('*-1\r\n');
/** RESP3's one null, for both. */
export const NULL = ascii('_\r\n');
export const EMPTY_ARRAY = ascii('*0\r\n');
export const ZERO = ascii(':0\r\n');
export const ONE = ascii(':1\r\n');
const TRUE = ascii('#t\r\n');
const FALSE = ascii('#f\r\n');
