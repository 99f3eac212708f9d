/**
 * Raft's messages as bytes, for the peer codec (src/runtime/peer-codec.ts): the format the simulator
 * puts on its links and the real node on TCP. Hand-written for the messages' known fields: a type
 * byte, then each field in its declared order, no key names; numbers as varints; the commands of the
 * entries as one array in the plain codec's bytes (src/runtime/plain-codec.ts). A batch of entries is
 * encoded once and kept a while, so the leader sends new entries to every follower, and again after a
 * refusal, for the price of copying their bytes.
 *
 * Exactness first: a message is carried only if it has exactly the keys its type declares, in the
 * order raft.ts writes them, with values of the declared kinds; anything else (an extra key, a
 * fractional term, a command the plain codec refuses, a whole `snapshot`, whose state machine is
 * opaque data) returns undefined and the peer codec carries it its general way. The receiver builds
 * each object with its keys in that same order, so a decoded message equals the sent one key for key.
 *
 * Layout: plainFormatTag, raftWireFormatId, the type byte, then the fields:
 *
 *     number    varint(n + 2) for a safe integer n >= 0; 1 then 8 bytes little-endian for any other
 *               number (a fraction, a negative, NaN); 0 for undefined
 *     boolean   one byte, 0 or 1
 *     optional  one byte, 0 absent or 1 present, then the field (a vote's optional `transfer`: one
 *               byte, 0 absent, 1 false, 2 true)
 *     entries   varint count, then per entry: term, index (numbers); then the varint length and the
 *               plain-codec bytes of the array of their commands
 *     bytes     varint length, then the bytes
 */
import { firstFormatId, registerPeerFormat } from '../../runtime/peer-codec.js';
import { ByteCursor, copyOutMessage, decodePlainMessageAt, encodePlainMessage, encodePlainMessageView, grownBuffer, plainFormatTag, readFloat64, writeFloat64 } from '../../runtime/plain-codec.js';
import type { ConfState, Entry, Message } from './types.js';

/** This format's second byte (after the plain codec's tag). */
export const raftWireFormatId = firstFormatId;

const typeCode = {
  pre_vote: 1,
  pre_vote_resp: 2,
  vote: 3,
  vote_resp: 4,
  append: 5,
  append_resp: 6,
  heartbeat: 7,
  heartbeat_resp: 8,
  snapshot_chunk: 9,
  snapshot_chunk_resp: 10,
  timeout_now: 11,
} as const;

/** The keys each carried type has, in the order raft.ts writes them (an optional one last). */
const keysOf = {
  pre_vote: ['type', 'term', 'lastLogIndex', 'lastLogTerm'],
  pre_vote_resp: ['type', 'term', 'reject'],
  vote: ['type', 'term', 'lastLogIndex', 'lastLogTerm'],
  vote_transfer: ['type', 'term', 'lastLogIndex', 'lastLogTerm', 'transfer'],
  vote_resp: ['type', 'term', 'reject'],
  append: ['type', 'term', 'prevLogIndex', 'prevLogTerm', 'entries', 'commit'],
  append_resp: ['type', 'term', 'reject', 'index', 'hint'],
  append_resp_boot: ['type', 'term', 'reject', 'index', 'hint', 'boot'],
  heartbeat: ['type', 'term', 'commit', 'context'],
  heartbeat_resp: ['type', 'term', 'context'],
  heartbeat_resp_boot: ['type', 'term', 'context', 'boot'],
  snapshot_chunk: ['type', 'term', 'index', 'snapTerm', 'crc', 'total', 'offset', 'bytes'],
  snapshot_chunk_conf: ['type', 'term', 'index', 'snapTerm', 'crc', 'total', 'offset', 'bytes', 'conf'],
  snapshot_chunk_resp: ['type', 'term', 'index', 'crc', 'received'],
  timeout_now: ['type', 'term'],
  entry: ['term', 'index', 'data'],
} as const satisfies Record<string, readonly string[]>;

/** The first size of the reusable encoding buffer; it doubles as needed and stays at its largest. */
const scratchBytesInitial = 64 * 1024;
/** Entries in one append beyond this are refused by the decoder as damage. */
const entriesPerMessageMax = 1 << 24;

/**
 * The last few batches of entries written, as their bytes in this format: a leader sends the same new
 * entries to every follower in turn (and again after a refusal), so a batch is checked and encoded
 * once and then copied. A batch is the same when it holds the very same entry objects: entries are
 * never changed once made (their commands are shared with the log and the state machine).
 */
class EntriesCache {
  private readonly batches: (readonly Entry[])[] = [];
  private readonly bytes: Uint8Array[] = [];
  private next = 0;

  get(entries: readonly Entry[]): Uint8Array | undefined {
    for (let b = 0; b < this.batches.length; b++) {
      const batch = this.batches[b];
      if (batch.length !== entries.length) continue;
      let i = 0;
      while (i < batch.length && batch[i] === entries[i]) i++;
      if (i === batch.length) return this.bytes[b];
    }
    return undefined;
  }

  set(entries: readonly Entry[], bytes: Uint8Array): void {
    this.batches[this.next] = entries.slice();
    this.bytes[this.next] = bytes;
    this.next = (this.next + 1) % entryBatchesKept;
  }
}

/** Batches of entries kept encoded: a follower that lags behind asks for other ones than the rest. */
const entryBatchesKept = 4;
const entriesCache = new EntriesCache();

function isPlainObject(o: unknown): o is Record<string, unknown> {
  if (typeof o !== 'object' || o === null) return false;
  const proto = Object.getPrototypeOf(o);
  return proto === Object.prototype || proto === null;
}

/** The object's own keys are exactly `keys`, in that order (for-in: no array per check). */
function hasKeys(o: object, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in o) if (k !== keys[i++]) return false;
  return i === keys.length;
}

/** Writes into one reusable buffer; finish() copies out the message. */
export class WireWriter {
  private buf = new Uint8Array(scratchBytesInitial);
  pos = 0;

  reset(): void {
    this.pos = 0;
  }

  ensure(bytes: number): void {
    if (this.pos + bytes > this.buf.length) this.buf = grownBuffer(this.buf, this.pos, bytes);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** LEB128 of a non-negative safe integer. */
  varint(n: number): void {
    this.ensure(8);
    const buf = this.buf;
    let pos = this.pos;
    while (n >= 0x80) {
      buf[pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    buf[pos++] = n;
    this.pos = pos;
  }

  number(n: number | undefined): void {
    if (n === undefined) return this.byte(0);
    // Most are small integers, one byte: n + 2 below 0x80 (not -0, which goes as a float).
    if (n >= 0 && n < 0x7e && (n | 0) === n && (n !== 0 || 1 / n > 0)) return this.byte(n + 2);
    // n + 2 stays exact: MAX_SAFE_INTEGER + 2 is 2^53 + 1, which is not, so the top two safe integers go as floats.
    if (n >= 0 && n <= Number.MAX_SAFE_INTEGER - 2 && Number.isInteger(n) && !Object.is(n, -0)) return this.varint(n + 2);
    this.ensure(9);
    this.buf[this.pos++] = 1;
    this.pos = writeFloat64(this.buf, this.pos, n);
  }

  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Bytes written elsewhere before (a cached piece), as they are. */
  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A copy of what was written since `start`. */
  copy(start: number): Uint8Array {
    return copyOutMessage(this.buf, start, this.pos);
  }

  /** A copy of what was written since reset(). */
  finish(): Uint8Array {
    return copyOutMessage(this.buf, 0, this.pos);
  }
}

const noBytes = new Uint8Array(0);

/** Reads what a WireWriter wrote; throws on bytes cut short or malformed. */
export class WireReader extends ByteCursor {
  constructor() {
    super('raft message');
  }

  reset(bytes: Uint8Array, pos: number): void {
    this.bytes = bytes;
    this.pos = pos;
    this.end = bytes.length;
  }

  /** Drops the reference to the last bytes read. */
  release(): void {
    this.bytes = noBytes;
  }

  atEnd(): boolean {
    return this.pos === this.end;
  }

  boolean(): boolean {
    const b = this.byte();
    if (b > 1) throw new Error(`raft message: ${b} is not a boolean`);
    return b === 1;
  }

  number(): number {
    const v = this.varint();
    if (v >= 2) return v - 2;
    if (v === 0) throw new Error('raft message: a number is missing');
    return this.float();
  }

  optionalNumber(): number | undefined {
    const v = this.varint();
    if (v >= 2) return v - 2;
    if (v === 0) return undefined;
    return this.float();
  }

  private float(): number {
    if (this.pos + 8 > this.end) throw new Error('raft message: cut short');
    const v = readFloat64(this.bytes, this.pos);
    this.pos += 8;
    return v;
  }

  /** A view of the next `length`-prefixed bytes (valid while the caller's bytes are). */
  bytesView(): Uint8Array {
    const length = this.varint();
    if (this.pos + length > this.end) throw new Error('raft message: cut short');
    const b = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return b;
  }

  /** The next `length`-prefixed bytes, decoded by the plain codec where they lie. */
  plainMessage(): unknown {
    const length = this.varint();
    const start = this.pos;
    if (start + length > this.end) throw new Error('raft message: cut short');
    this.pos += length;
    return decodePlainMessageAt(this.bytes, start, start + length);
  }
}

/** Entries whose keys and numbers this format carries, and whose commands the plain codec does; false otherwise. */
function writeEntries(w: WireWriter, entries: readonly Entry[]): boolean {
  if (!Array.isArray(entries)) return false;
  const known = entriesCache.get(entries);
  if (known !== undefined) {
    w.raw(known);
    return true;
  }
  const start = w.pos;
  w.varint(entries.length);
  const commands = new Array<unknown>(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const e: unknown = entries[i];
    if (!isPlainObject(e) || !hasKeys(e, keysOf.entry) || typeof e.term !== 'number' || typeof e.index !== 'number') return false;
    w.number(e.term);
    w.number(e.index);
    commands[i] = e.data;
  }
  // A view of the plain encoder's scratch, copied at once.
  const bytes = encodePlainMessageView(commands);
  if (bytes === undefined) return false;
  w.bytes(bytes);
  entriesCache.set(entries, w.copy(start));
  return true;
}

/** Entries as written by writeEntries: fresh objects and commands. */
function readEntries(r: WireReader): Entry[] {
  const n = r.varint();
  if (n > entriesPerMessageMax) throw new Error(`raft message: ${n} entries`);
  const entries = new Array<Entry>(n);
  for (let i = 0; i < n; i++) {
    const term = r.number();
    const index = r.number();
    entries[i] = { term, index, data: undefined };
  }
  const commands = r.plainMessage();
  if (!Array.isArray(commands) || commands.length !== n) throw new Error(`raft message: ${n} entries but not as many commands`);
  for (let i = 0; i < n; i++) entries[i].data = commands[i];
  return entries;
}

const writer = new WireWriter();
const reader = new WireReader();

function number(v: unknown): v is number {
  return typeof v === 'number';
}

/** The message's bytes, or undefined when this format does not carry it exactly. */
export function encodeRaftMessage(msg: unknown): Uint8Array | undefined {
  if (!isPlainObject(msg)) return undefined;
  const m = msg as Message & Record<string, unknown>;
  const w = writer;
  w.reset();
  w.byte(plainFormatTag);
  w.byte(raftWireFormatId);
  switch (m.type) {
    case 'append':
      if (!hasKeys(m, keysOf.append) || !number(m.term) || !number(m.prevLogIndex) || !number(m.prevLogTerm) || !number(m.commit)) return undefined;
      w.byte(typeCode.append);
      w.number(m.term);
      w.number(m.prevLogIndex);
      w.number(m.prevLogTerm);
      w.number(m.commit);
      if (!writeEntries(w, m.entries)) return undefined;
      break;
    case 'append_resp': {
      const boot = 'boot' in m;
      if (!hasKeys(m, boot ? keysOf.append_resp_boot : keysOf.append_resp) || !number(m.term) || typeof m.reject !== 'boolean' || !number(m.index) || !number(m.hint)) return undefined;
      if (boot && m.boot !== undefined && !number(m.boot)) return undefined;
      w.byte(typeCode.append_resp);
      w.number(m.term);
      w.byte(m.reject ? 1 : 0);
      w.number(m.index);
      w.number(m.hint);
      w.byte(boot ? 1 : 0);
      if (boot) w.number(m.boot);
      break;
    }
    case 'heartbeat':
      if (!hasKeys(m, keysOf.heartbeat) || !number(m.term) || !number(m.commit) || !number(m.context)) return undefined;
      w.byte(typeCode.heartbeat);
      w.number(m.term);
      w.number(m.commit);
      w.number(m.context);
      break;
    case 'heartbeat_resp': {
      const boot = 'boot' in m;
      if (!hasKeys(m, boot ? keysOf.heartbeat_resp_boot : keysOf.heartbeat_resp) || !number(m.term) || !number(m.context)) return undefined;
      if (boot && m.boot !== undefined && !number(m.boot)) return undefined;
      w.byte(typeCode.heartbeat_resp);
      w.number(m.term);
      w.number(m.context);
      w.byte(boot ? 1 : 0);
      if (boot) w.number(m.boot);
      break;
    }
    case 'pre_vote':
    case 'vote': {
      const transfer = 'transfer' in m;
      if (transfer && (m.type !== 'vote' || typeof m.transfer !== 'boolean')) return undefined;
      if (!hasKeys(m, transfer ? keysOf.vote_transfer : keysOf.vote) || !number(m.term) || !number(m.lastLogIndex) || !number(m.lastLogTerm)) return undefined;
      w.byte(typeCode[m.type]);
      w.number(m.term);
      w.number(m.lastLogIndex);
      w.number(m.lastLogTerm);
      w.byte(transfer ? (m.transfer ? 2 : 1) : 0);
      break;
    }
    case 'pre_vote_resp':
    case 'vote_resp':
      if (!hasKeys(m, keysOf.vote_resp) || !number(m.term) || typeof m.reject !== 'boolean') return undefined;
      w.byte(typeCode[m.type]);
      w.number(m.term);
      w.byte(m.reject ? 1 : 0);
      break;
    case 'snapshot_chunk': {
      // A leader sends the snapshot's membership with each chunk (the follower needs it once the file is whole).
      const withConf = 'conf' in m;
      if (!hasKeys(m, withConf ? keysOf.snapshot_chunk_conf : keysOf.snapshot_chunk) || !number(m.term) || !number(m.index) || !number(m.snapTerm) || !number(m.crc) || !number(m.total) || !number(m.offset)) return undefined;
      // Exactly a Uint8Array: a Buffer would arrive as a Uint8Array, which the general way keeps apart.
      if (!(m.bytes instanceof Uint8Array) || Object.getPrototypeOf(m.bytes) !== Uint8Array.prototype) return undefined;
      // The membership in the plain codec, which keeps undefined and key order as they are.
      const conf = withConf ? encodePlainMessage(m.conf) : undefined;
      if (withConf && conf === undefined) return undefined;
      w.byte(typeCode.snapshot_chunk);
      w.number(m.term);
      w.number(m.index);
      w.number(m.snapTerm);
      w.number(m.crc);
      w.number(m.total);
      w.number(m.offset);
      w.bytes(m.bytes);
      w.byte(withConf ? 1 : 0);
      if (conf !== undefined) w.bytes(conf);
      break;
    }
    case 'snapshot_chunk_resp':
      if (!hasKeys(m, keysOf.snapshot_chunk_resp) || !number(m.term) || !number(m.index) || !number(m.crc) || !number(m.received)) return undefined;
      w.byte(typeCode.snapshot_chunk_resp);
      w.number(m.term);
      w.number(m.index);
      w.number(m.crc);
      w.number(m.received);
      break;
    case 'timeout_now':
      if (!hasKeys(m, keysOf.timeout_now) || !number(m.term)) return undefined;
      w.byte(typeCode.timeout_now);
      w.number(m.term);
      break;
    default:
      return undefined;
  }
  return w.finish();
}

/** A fresh copy of the message; throws on bytes that are not this format or are damaged. */
export function decodeRaftMessage(bytes: Uint8Array): Message {
  if (bytes.length < 3 || bytes[0] !== plainFormatTag || bytes[1] !== raftWireFormatId) throw new Error('not a raft wire message');
  const r = reader;
  r.reset(bytes, 3);
  try {
    const m = readMessage(r, bytes[2]);
    if (!r.atEnd()) throw new Error('raft message: bytes after the message');
    return m;
  } finally {
    r.release();
  }
}

function readMessage(r: WireReader, code: number): Message {
  switch (code) {
    case typeCode.append: {
      const term = r.number();
      const prevLogIndex = r.number();
      const prevLogTerm = r.number();
      const commit = r.number();
      const entries = readEntries(r);
      return { type: 'append', term, prevLogIndex, prevLogTerm, entries, commit };
    }
    case typeCode.append_resp: {
      const term = r.number();
      const reject = r.boolean();
      const index = r.number();
      const hint = r.number();
      if (!r.boolean()) return { type: 'append_resp', term, reject, index, hint };
      return { type: 'append_resp', term, reject, index, hint, boot: r.optionalNumber() };
    }
    case typeCode.heartbeat: {
      const term = r.number();
      const commit = r.number();
      return { type: 'heartbeat', term, commit, context: r.number() };
    }
    case typeCode.heartbeat_resp: {
      const term = r.number();
      const context = r.number();
      if (!r.boolean()) return { type: 'heartbeat_resp', term, context };
      return { type: 'heartbeat_resp', term, context, boot: r.optionalNumber() };
    }
    case typeCode.pre_vote:
    case typeCode.vote: {
      const type = code === typeCode.vote ? 'vote' : 'pre_vote';
      const term = r.number();
      const lastLogIndex = r.number();
      const lastLogTerm = r.number();
      const transfer = r.byte();
      if (transfer === 0) return { type, term, lastLogIndex, lastLogTerm };
      if (transfer > 2 || type !== 'vote') throw new Error('raft message: a bad transfer flag');
      return { type, term, lastLogIndex, lastLogTerm, transfer: transfer === 2 };
    }
    case typeCode.pre_vote_resp:
    case typeCode.vote_resp: {
      const term = r.number();
      return { type: code === typeCode.vote_resp ? 'vote_resp' : 'pre_vote_resp', term, reject: r.boolean() };
    }
    case typeCode.snapshot_chunk: {
      const term = r.number();
      const index = r.number();
      const snapTerm = r.number();
      const crc = r.number();
      const total = r.number();
      const offset = r.number();
      // A copy: no view of the transport's (or the sender's) buffer reaches the receiver.
      const bytes = r.bytesView().slice();
      if (!r.boolean()) return { type: 'snapshot_chunk', term, index, snapTerm, crc, total, offset, bytes };
      return { type: 'snapshot_chunk', term, index, snapTerm, crc, total, offset, bytes, conf: r.plainMessage() as ConfState | undefined };
    }
    case typeCode.snapshot_chunk_resp: {
      const term = r.number();
      const index = r.number();
      const crc = r.number();
      return { type: 'snapshot_chunk_resp', term, index, crc, received: r.number() };
    }
    case typeCode.timeout_now:
      return { type: 'timeout_now', term: r.number() };
    default:
      throw new Error(`raft message: unknown type ${code}`);
  }
}

registerPeerFormat({ id: raftWireFormatId, name: 'raft', encode: encodeRaftMessage, decode: decodeRaftMessage });
