/**
 * A hand-written binary codec for plain messages: objects (plain or null-prototype), arrays, strings,
 * numbers, booleans, null and undefined. That is every message of Raft (append with its entries and
 * their commands, votes, heartbeats, snapshots of plain state) and of the client protocol. The peer
 * codec (peer-codec.ts) tries it first and falls back to MessagePack for anything else (bytes, Maps,
 * Sets, class instances, bigints, functions), so what a receiver decodes is what MessagePack would
 * have given it, value for value: the simulator's verdicts and traceHashes do not depend on which of
 * the two carried a message.
 *
 * Why by hand: MessagePack was half of a Raft run in the simulator. This format is cheaper on both
 * ends because it knows the messages are made of a few object shapes repeated (every entry of an
 * append has the same keys): a shape, the list of an object's keys, is written once per message and
 * then named by its number, and the receiver builds each object of a shape it has seen with one
 * object literal compiled for that shape (as msgpackr does for its records, but with nothing shared
 * between messages: each message carries its own shapes, so any receiver reads any message).
 *
 * Layout: `formatTag`, then one value.
 *
 *     0x00..0x7f          the integer 0..127
 *     null false true undefined
 *     uint varint         a non-negative safe integer (LEB128)
 *     negint varint       a negative safe integer, as its magnitude
 *     float64             8 bytes, little-endian (every other number: fractions, NaN, infinities, huge)
 *     string varint bytes UTF-8
 *     array varint values
 *     dict varint (string value)*  an object of many keys (a map used as a dictionary: a state machine's
 *                                  keys): each key written out, no shape
 *     object shape values          shape: varint 0, the varint key count and each key as a string's
 *                                  varint and bytes (a new shape, numbered in order of appearance from
 *                                  1), or the varint number of a shape seen before in this message;
 *                                  then the values in the shape's key order
 *
 * -0 is written as 0, as MessagePack writes it.
 */

/** The first byte of this format's messages: 0xc1 is the one byte MessagePack never uses. */
export const plainFormatTag = 0xc1;

const tagNull = 0x80;
const tagFalse = 0x81;
const tagTrue = 0x82;
const tagUndefined = 0x83;
const tagUint = 0x84;
const tagNegint = 0x85;
const tagFloat64 = 0x86;
const tagString = 0x87;
const tagArray = 0x88;
const tagObject = 0x89;
const tagDict = 0x8a;

/** Deeper values go to MessagePack (and a cycle is MessagePack's to refuse); no message nests this deep. */
const nestingDepthMax = 256;
/** Strings up to this many bytes are decoded by hand; longer ones by the native TextDecoder. */
const stringByHandBytesMax = 24;
/** The first size of the reusable encoding buffer; it doubles as needed and stays at its largest. */
const scratchBytesInitial = 64 * 1024;
/** The encoder's trie of key sequences is dropped and regrown past this many nodes (bounded memory). */
const shapeTrieNodesMax = 64 * 1024;
/**
 * Objects with more keys than this are dictionaries, written key by key: their key sets rarely
 * repeat, and a shape per key set would grow the tries without end.
 */
const shapeKeysMax = 16;
/** A decoder compiles a builder for a shape once it has seen the shape in this many messages. */
const compileAfterMessages = 4;
/** Compiled object builders kept by a decoder; shapes beyond them are built key by key. */
const compiledShapesMax = 4096;
/** The decoder's known shapes are dropped and relearnt past this many (bounded memory). */
const decodedShapesMax = 64 * 1024;
/**
 * Short ASCII strings the decoder has built are kept in this many slots (by a hash of their bytes) and
 * handed out again: messages repeat the same few (operation names, keys, node and client ids), and one
 * string found is cheaper than one built a character at a time. A power of two.
 */
const recentStringSlots = 4096;
/** Slots of the decoder's shapes found lately, by a quick hash of their definitions. A power of two. */
const recentShapeSlots = 256;
/** Only strings up to this many bytes are kept (longer ones rarely repeat). */
const recentStringBytesMax = 16;

/** Floats cross through these 8 bytes in the machine's order, which must be little-endian. */
const floatBytes = new Uint8Array(8);
const floatView = new Float64Array(floatBytes.buffer);
floatView[0] = 1;
if (floatBytes[7] !== 0x3f) throw new Error('plain-codec: a big-endian machine is not supported');
const noBytes = new Uint8Array(0);
// ignoreBOM: a string that begins with U+FEFF keeps it, as MessagePack keeps it.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** Thrown inside the encoder for a value this format does not carry; the caller falls back. */
const notPlain: unique symbol = Symbol('not plain');

/** Shape definitions up to this many bytes are copied byte by byte, longer ones by set(). */
const shortDefinitionBytesMax = 24;

/** Children of a trie node looked up by a scan of two short arrays before its map: keys from for-in are interned strings, compared by pointer. */
const shapeChildrenScanned = 8;

/** A node of the encoder's trie of key sequences: the shape of an object whose keys led here. */
class ShapeNode {
  /** The first children, scanned: most nodes have a few (the root has one per kind of object in the messages). */
  readonly childKeys: string[] = [];
  readonly childNodes: ShapeNode[] = [];
  /** The children past the first few. */
  readonly next = new Map<string, ShapeNode>();
  /** The message that last used this shape, and the shape's number in it. */
  message = 0;
  number = 0;
  /** The shape's definition as written (the key count, then each key as a string), made at its first use. */
  definition: Uint8Array | undefined = undefined;
  constructor(readonly keys: readonly string[]) {}

  child(key: string): ShapeNode | undefined {
    const keys = this.childKeys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) return this.childNodes[i];
    return keys.length < shapeChildrenScanned ? undefined : this.next.get(key);
  }

  addChild(key: string, node: ShapeNode): void {
    if (this.childKeys.length < shapeChildrenScanned) {
      this.childKeys.push(key);
      this.childNodes.push(node);
    } else this.next.set(key, node);
  }
}

class Encoder {
  // A plain Uint8Array, not a Buffer: slicing one is a single allocation.
  private buf = new Uint8Array(scratchBytesInitial);
  private pos = 0;
  private shapeRoot = new ShapeNode([]);
  private shapeNodes = 1;
  /** Numbers the messages, so a shape node knows whether its number belongs to this one. */
  private message = 0;
  private shapesInMessage = 0;
  /**
   * The values of the objects being written, read inside for-in where V8 reads them fastest: a stack
   * of which `top` slots are in use (each emptied as it is written, so no message's value outlives it).
   */
  private readonly values: unknown[] = [];
  private top = 0;

  /** The bytes of `value` in the scratch buffer (its first `pos`), or false when it holds something this format does not carry. */
  encode(value: unknown): boolean {
    this.pos = 0;
    this.top = 0;
    this.message++;
    this.shapesInMessage = 0;
    if (this.shapeNodes > shapeTrieNodesMax) {
      this.shapeRoot = new ShapeNode([]);
      this.shapeNodes = 1;
    }
    this.ensure(1);
    this.buf[this.pos++] = plainFormatTag;
    try {
      this.value(value, 0);
    } catch (e) {
      if (e === notPlain) return false;
      throw e;
    }
    return true;
  }

  /** The bytes encode() wrote, as a copy that stays valid (the scratch buffer is reused by the next call). */
  copy(): Uint8Array {
    return copyOutMessage(this.buf, 0, this.pos);
  }

  /** The bytes encode() wrote, as a view of the scratch buffer: valid until the next call. */
  view(): Uint8Array {
    return new Uint8Array(this.buf.buffer, 0, this.pos);
  }

  private ensure(bytes: number): void {
    if (this.pos + bytes > this.buf.length) this.buf = grownBuffer(this.buf, this.pos, bytes);
  }

  private value(v: unknown, depth: number): void {
    switch (typeof v) {
      case 'number':
        return this.number(v);
      case 'string':
        this.ensure(1);
        this.buf[this.pos++] = tagString;
        return this.string(v);
      case 'boolean':
        this.ensure(1);
        this.buf[this.pos++] = v ? tagTrue : tagFalse;
        return;
      case 'undefined':
        this.ensure(1);
        this.buf[this.pos++] = tagUndefined;
        return;
      case 'object':
        if (v === null) {
          this.ensure(1);
          this.buf[this.pos++] = tagNull;
          return;
        }
        if (depth >= nestingDepthMax) throw notPlain;
        if (Array.isArray(v)) return this.array(v, depth);
        return this.object(v as Record<string, unknown>, depth);
      default:
        // bigint, symbol, function: MessagePack's rules decide what arrives.
        throw notPlain;
    }
  }

  private number(v: number): void {
    this.ensure(10);
    if (Number.isSafeInteger(v)) {
      if (v >= 0 && v < 0x80) {
        this.buf[this.pos++] = v;
        return;
      }
      // -0 is an integer too and arrives as 0, as in MessagePack.
      this.buf[this.pos++] = v < 0 ? tagNegint : tagUint;
      this.varint(v < 0 ? -v : v);
      return;
    }
    this.buf[this.pos++] = tagFloat64;
    this.pos = writeFloat64(this.buf, this.pos, v);
  }

  /** LEB128 of a non-negative safe integer; the caller has ensured room for it (at most 8 bytes). */
  private varint(n: number): void {
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  private string(s: string): void {
    const length = s.length;
    // Written as ASCII in one pass, its length first (the byte count of an ASCII string); the first
    // character past ASCII rewinds to write it as UTF-8.
    this.ensure(length + 8);
    const from = this.pos;
    this.varint(length);
    const buf = this.buf;
    let pos = this.pos;
    let i = 0;
    for (; i < length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[pos++] = c;
    }
    if (i === length) {
      this.pos = pos;
      return;
    }
    this.pos = from;
    const bytes = Buffer.byteLength(s, 'utf8');
    this.ensure(bytes + 8);
    this.varint(bytes);
    this.pos += utf8Encoder.encodeInto(s, this.buf.subarray(this.pos, this.pos + bytes)).written;
  }

  private array(a: unknown[], depth: number): void {
    this.ensure(9);
    this.buf[this.pos++] = tagArray;
    this.varint(a.length);
    for (let i = 0; i < a.length; i++) this.value(a[i], depth + 1);
  }

  private object(o: Record<string, unknown>, depth: number): void {
    const proto = Object.getPrototypeOf(o);
    if (proto !== Object.prototype && proto !== null) throw notPlain;
    // for-in rather than Object.keys: no array per object. A plain object has no enumerable inherited
    // keys, so for-in visits exactly its own, in Object.keys order (MessagePack's order too).
    // One pass finds the shape; an object found to have too many keys for one is a dictionary.
    let shape = this.shapeRoot;
    let count = 0;
    const values = this.values;
    const base = this.top;
    for (const key in o) {
      // Assigning __proto__ on decode would set a prototype, not a key: MessagePack's business.
      if (key === '__proto__') throw notPlain;
      if (++count > shapeKeysMax) break;
      let next = shape.child(key);
      if (next === undefined) {
        next = new ShapeNode([...shape.keys, key]);
        shape.addChild(key, next);
        this.shapeNodes++;
      }
      shape = next;
      values[this.top++] = o[key];
    }
    if (count > shapeKeysMax) {
      for (let i = base; i < this.top; i++) values[i] = undefined;
      this.top = base;
      return this.dict(o, depth);
    }
    this.ensure(9);
    this.buf[this.pos++] = tagObject;
    if (shape.message === this.message) {
      this.varint(shape.number);
    } else {
      shape.message = this.message;
      shape.number = ++this.shapesInMessage;
      this.buf[this.pos++] = 0;
      this.definition(shape);
    }
    // The values sit at base..base+count; nested objects push theirs above and pop them again.
    for (let i = 0; i < count; i++) {
      const v = values[base + i];
      values[base + i] = undefined;
      this.value(v, depth + 1);
    }
    this.top = base;
  }

  /** Write a shape's definition: the key count and each key, encoded once per shape and copied after. */
  private definition(shape: ShapeNode): void {
    let definition = shape.definition;
    if (definition === undefined) {
      const start = this.pos;
      this.ensure(9);
      this.varint(shape.keys.length);
      for (const key of shape.keys) {
        this.ensure(9);
        this.string(key);
      }
      shape.definition = definition = this.buf.slice(start, this.pos);
      return;
    }
    this.ensure(definition.length);
    const buf = this.buf;
    let pos = this.pos;
    // A long one by set(), a native copy; a short one by hand, cheaper than the call.
    if (definition.length > shortDefinitionBytesMax) {
      buf.set(definition, pos);
      this.pos = pos + definition.length;
      return;
    }
    for (let i = 0; i < definition.length; i++) buf[pos++] = definition[i];
    this.pos = pos;
  }

  private dict(o: Record<string, unknown>, depth: number): void {
    let count = 0;
    for (const key in o) {
      if (key === '__proto__') throw notPlain;
      count++;
    }
    this.ensure(9);
    this.buf[this.pos++] = tagDict;
    this.varint(count);
    for (const key in o) {
      this.ensure(9);
      this.string(key);
      this.value(o[key], depth + 1);
    }
  }
}

/**
 * Where encoders copy out the messages they finish: views of one shared 64 KiB slab after another
 * rather than a fresh ArrayBuffer per message (each of which costs an allocation outside the heap
 * and work for the garbage collector). A slab is never written twice, so a message stays intact
 * after later ones; a slab lives as long as any message in it. Bigger messages get their own buffer.
 */
class MessageSlabs {
  private slab = new Uint8Array(0);
  private used = 0;

  copyOut(from: Uint8Array, start: number, end: number): Uint8Array {
    const length = end - start;
    if (length > messageSlabBytes / 8) return from.slice(start, end);
    // A view made by the constructor: subarray() looks up a species constructor first, twice the cost.
    if (this.used + length > this.slab.length) {
      this.slab = new Uint8Array(messageSlabBytes);
      this.used = 0;
    }
    const at = this.used;
    const slab = this.slab;
    // A short message by hand: a subarray to copy from costs more than its bytes.
    if (length <= shortCopyBytesMax) for (let i = 0; i < length; i++) slab[at + i] = from[start + i];
    else slab.set(from.subarray(start, end), at);
    this.used += length;
    return new Uint8Array(slab.buffer, at, length);
  }
}

/** The size of a slab the encoders' messages are copied into. */
const messageSlabBytes = 64 * 1024;
/** Messages up to this many bytes are copied into a slab byte by byte. */
const shortCopyBytesMax = 256;
const messageSlabs = new MessageSlabs();

/** A copy of bytes [start, end) of an encoder's scratch buffer, as a message that stays valid (MessageSlabs). */
export function copyOutMessage(from: Uint8Array, start: number, end: number): Uint8Array {
  return messageSlabs.copyOut(from, start, end);
}

/**
 * A reusable scratch buffer grown to hold `more` bytes after its first `used`: doubled as often as
 * needed, the used bytes copied over (encoders keep the largest size they needed).
 */
export function grownBuffer(buf: Uint8Array, used: number, more: number): Uint8Array<ArrayBuffer> {
  let size = buf.length * 2;
  while (size < used + more) size *= 2;
  const bigger = new Uint8Array(size);
  bigger.set(buf.subarray(0, used));
  return bigger;
}

/** Builds one object of a shape, reading its values from the decoder in the shape's key order. */
type ShapeBuilder = (d: Decoder) => Record<string, unknown>;

/** A node of the decoder's trie of key sequences, kept across messages: how often its shape came, and its builder. */
class DecodedShape {
  /** The next shape of the same definition hash (a collision chain, almost always empty). */
  sameHash: DecodedShape | undefined = undefined;
  /** The messages that used this shape, counted up to compileAfterMessages, and the last one. */
  messages = 0;
  lastMessage = 0;
  build: ShapeBuilder | undefined = undefined;
  constructor(
    readonly keys: readonly string[],
    /** The shape's definition as written (key count, then each key): how a message names it. */
    readonly definition: Uint8Array,
  ) {}
}

/**
 * A cursor over the bytes of a message being decoded, with the reads the peer codec's formats share
 * (a byte, a LEB128 varint); `what` names the format in its errors.
 */
export class ByteCursor {
  protected bytes: Uint8Array = noBytes;
  pos = 0;
  protected end = 0;

  constructor(private readonly what: string) {}

  byte(): number {
    if (this.pos >= this.end) throw new Error(`${this.what}: cut short`);
    return this.bytes[this.pos++];
  }

  varint(): number {
    // Most are one byte.
    const pos = this.pos;
    if (pos < this.end) {
      const first = this.bytes[pos];
      if (first < 0x80) {
        this.pos = pos + 1;
        return first;
      }
    }
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 0x80;
      if (scale > 2 ** 56) throw new Error(`${this.what}: varint too long`);
    }
  }
}

class Decoder extends ByteCursor {
  private depth = 0;
  /** The shapes of the message being decoded, by their number in it. */
  private readonly shapes: (DecodedShape | undefined)[] = [];
  /** How many of `shapes` the message being decoded has defined (the rest are emptied slots). */
  private shapeCount = 0;
  /**
   * Shapes seen before, by a hash of their definition's bytes: a known shape is found without
   * building its key strings again, which is most of the cost of a small message.
   */
  private shapesByHash = new Map<number, DecodedShape>();
  /** The shapes found lately, by a quick hash of their definitions: most are found here, without the full hash. */
  private readonly recentShapes: (DecodedShape | undefined)[] = new Array<DecodedShape | undefined>(recentShapeSlots).fill(undefined);
  private compiled = 0;
  private message = 0;
  constructor() {
    super('plain-codec message');
  }
  private readonly recentStrings: (string | undefined)[] = new Array<string | undefined>(recentStringSlots).fill(undefined);

  /** The message in bytes [start, end). */
  decode(bytes: Uint8Array, start: number, end: number): unknown {
    if (end <= start || bytes[start] !== plainFormatTag) throw new Error('not a plain-codec message');
    this.bytes = bytes;
    this.pos = start + 1;
    this.end = end;
    this.depth = 0;
    this.message++;
    if (this.shapesByHash.size > decodedShapesMax) {
      this.shapesByHash = new Map();
      this.recentShapes.fill(undefined);
    }
    try {
      const v = this.next();
      if (this.pos !== this.end) throw new Error(`plain-codec message: ${this.end - this.pos} bytes after the value`);
      return v;
    } finally {
      // No reference to the caller's bytes outlives the call.
      this.bytes = noBytes;
      for (let i = 0; i < this.shapeCount; i++) this.shapes[i] = undefined;
      this.shapeCount = 0;
    }
  }

  /** The next value. Public for the compiled shape builders, which call it once per key. */
  next(): unknown {
    const tag = this.byte();
    if (tag < 0x80) return tag;
    switch (tag) {
      case tagNull:
        return null;
      case tagFalse:
        return false;
      case tagTrue:
        return true;
      case tagUndefined:
        return undefined;
      case tagUint:
        return this.varint();
      case tagNegint:
        return -this.varint();
      case tagFloat64: {
        if (this.pos + 8 > this.end) throw new Error('plain-codec message: cut short');
        const v = readFloat64(this.bytes, this.pos);
        this.pos += 8;
        return v;
      }
      case tagString:
        return this.string();
      case tagArray: {
        const n = this.varint();
        // Each item takes at least a byte: a count beyond the bytes left is a lie, not an allocation to make.
        if (n > this.end - this.pos) throw new Error('plain-codec message: cut short');
        if (++this.depth > nestingDepthMax) throw new Error('plain-codec message: nested too deep');
        const a = new Array<unknown>(n);
        for (let i = 0; i < n; i++) a[i] = this.next();
        this.depth--;
        return a;
      }
      case tagObject: {
        const shape = this.shape();
        if (++this.depth > nestingDepthMax) throw new Error('plain-codec message: nested too deep');
        let o: Record<string, unknown>;
        if (shape.build !== undefined) {
          o = shape.build(this);
        } else {
          o = {};
          for (const key of shape.keys) o[key] = this.next();
        }
        this.depth--;
        return o;
      }
      case tagDict: {
        const n = this.varint();
        // Each key and value take at least a byte each.
        if (n > this.end - this.pos) throw new Error('plain-codec message: cut short');
        if (++this.depth > nestingDepthMax) throw new Error('plain-codec message: nested too deep');
        const o: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const key = this.string();
          if (key === '__proto__') throw new Error('plain-codec message: a __proto__ key');
          o[key] = this.next();
        }
        this.depth--;
        return o;
      }
      default:
        throw new Error(`plain-codec message: unknown tag 0x${tag.toString(16)}`);
    }
  }

  private shape(): DecodedShape {
    const ref = this.varint();
    if (ref !== 0) {
      if (ref > this.shapeCount) throw new Error(`plain-codec message: shape ${ref} before its definition`);
      return this.shapes[ref - 1]!;
    }
    // One pass over the definition: its extent, and a quick hash of its key count, its keys' lengths
    // and their first and last bytes, which picks the slot of a shape seen lately.
    const start = this.pos;
    const count = this.varint();
    if (count > shapeKeysMax) throw new Error(`plain-codec message: a shape of ${count} keys`);
    const bytes = this.bytes;
    let quick = count;
    for (let i = 0; i < count; i++) {
      const length = this.varint();
      const at = this.pos;
      if (at + length > this.end) throw new Error('plain-codec message: cut short');
      if (length > 0) quick = Math.imul(quick ^ (length | (bytes[at] << 8) | (bytes[at + length - 1] << 16)), 0x01000193);
      this.pos = at + length;
    }
    const end = this.pos;
    const slot = (quick ^ (quick >>> 15)) & (recentShapeSlots - 1);
    let shape = this.recentShapes[slot];
    if (shape !== undefined && sameBytes(shape.definition, bytes, start, end)) return this.found(shape);
    // Not the one in its slot: an FNV-1a hash of all its bytes finds it among every shape seen.
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
    shape = this.shapesByHash.get(hash);
    while (shape !== undefined && !sameBytes(shape.definition, bytes, start, end)) shape = shape.sameHash;
    if (shape === undefined) {
      this.pos = start;
      this.varint();
      const keys = new Array<string>(count);
      for (let i = 0; i < count; i++) {
        const key = this.string();
        // As an object literal's key, __proto__ would set the prototype; no plain message has it.
        if (key === '__proto__') throw new Error('plain-codec message: a __proto__ key');
        keys[i] = key;
      }
      shape = new DecodedShape(keys, bytes.slice(start, end));
      shape.sameHash = this.shapesByHash.get(hash);
      this.shapesByHash.set(hash, shape);
    }
    this.recentShapes[slot] = shape;
    return this.found(shape);
  }

  /** A shape this message defines: counted towards its compiled builder, and numbered. */
  private found(shape: DecodedShape): DecodedShape {
    if (shape.build === undefined && shape.lastMessage !== this.message) {
      shape.lastMessage = this.message;
      if (++shape.messages >= compileAfterMessages && this.compiled < compiledShapesMax) {
        shape.build = compileBuilder(shape.keys);
        this.compiled++;
      }
    }
    this.shapes[this.shapeCount++] = shape;
    return shape;
  }

  private string(): string {
    const length = this.varint();
    const start = this.pos;
    const end = start + length;
    if (end > this.end) throw new Error('plain-codec message: cut short');
    this.pos = end;
    if (length <= recentStringBytesMax) return this.shortString(start, end);
    if (length <= stringByHandBytesMax) {
      const bytes = this.bytes;
      let s = '';
      for (let i = start; i < end; i++) {
        const c = bytes[i];
        if (c >= 0x80) return utf8.decode(bytes.subarray(start, end));
        s += String.fromCharCode(c);
      }
      return s;
    }
    return utf8.decode(this.bytes.subarray(start, end));
  }

  /** A string of at most recentStringBytesMax bytes: the same string as last time when it came before. */
  private shortString(start: number, end: number): string {
    const bytes = this.bytes;
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) {
      const c = bytes[i];
      if (c >= 0x80) return utf8.decode(bytes.subarray(start, end));
      hash = Math.imul(hash ^ c, 0x01000193);
    }
    const slot = (hash ^ (hash >>> 16)) & (recentStringSlots - 1);
    const known = this.recentStrings[slot];
    if (known !== undefined && known.length === end - start) {
      let i = 0;
      while (i < known.length && known.charCodeAt(i) === bytes[start + i]) i++;
      if (i === known.length) return known;
    }
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]);
    this.recentStrings[slot] = s;
    return s;
  }
}

/**
 * One object literal for the shape, `{"k1": d.next(), "k2": d.next()}`: V8 builds it with a fixed
 * hidden class, several times faster than assigning the keys one by one. Each key is written as its
 * JSON string, a JavaScript string literal, so no key can be anything but a key.
 */
function compileBuilder(keys: readonly string[]): ShapeBuilder {
  return new Function('d', `return {${keys.map((k) => `${JSON.stringify(k)}: d.next()`).join(', ')}};`) as ShapeBuilder;
}

function sameBytes(a: Uint8Array, b: Uint8Array, start: number, end: number): boolean {
  if (a.length !== end - start) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[start + i]) return false;
  return true;
}

/** Writes a float64 little-endian at `pos` (room for it ensured by the caller) byte by byte: no view made per number. Returns the position after it. */
export function writeFloat64(buf: Uint8Array, pos: number, v: number): number {
  floatView[0] = v;
  for (let i = 0; i < 8; i++) buf[pos + i] = floatBytes[i];
  return pos + 8;
}

/** The float64 written little-endian at `pos` (which the caller has checked is in range). */
export function readFloat64(buf: Uint8Array, pos: number): number {
  for (let i = 0; i < 8; i++) floatBytes[i] = buf[pos + i];
  return floatView[0];
}

const encoder = new Encoder();
const decoder = new Decoder();

/** The bytes of a plain message (a fresh copy), or undefined when it holds anything else. */
export function encodePlainMessage(msg: unknown): Uint8Array | undefined {
  return encoder.encode(msg) ? encoder.copy() : undefined;
}

/**
 * The bytes of a plain message as a view of the encoder's scratch buffer, valid only until the next
 * encode: for a caller that copies them at once into bytes of its own. Undefined as encodePlainMessage.
 */
export function encodePlainMessageView(msg: unknown): Uint8Array | undefined {
  return encoder.encode(msg) ? encoder.view() : undefined;
}

/** A fresh copy of the message; throws on bytes that are not this format or are damaged. */
export function decodePlainMessage(bytes: Uint8Array): unknown {
  return decoder.decode(bytes, 0, bytes.length);
}

/** The message held in bytes [start, end) of a larger buffer, decoded without a view of them. */
export function decodePlainMessageAt(bytes: Uint8Array, start: number, end: number): unknown {
  return decoder.decode(bytes, start, end);
}
