/**
 * The codec of messages between nodes, as the real transport puts them on TCP and as the simulator
 * puts them on its links: a protocol's own format when one is registered for the message (Raft's:
 * src/truth/raft/wire.ts), else the hand-written plain codec (plain-codec.ts) for messages of plain
 * objects, arrays and scalars, else MessagePack, the first bytes telling which. One module for both worlds, so a message the simulator delivers
 * is the very copy a real peer would decode: no object shared with the sender, a Map turned into a
 * plain object, a Set into an array, a class instance into its own fields.
 *
 * Plain maps and arrays, not msgpackr's records: both ends decode whatever the other wrote, whatever
 * message shapes either side has seen before.
 */
import { Packr } from 'msgpackr';
import { decodePlainMessage, encodePlainMessage, plainFormatTag } from './plain-codec.js';

const packr = new Packr({ useRecords: false, variableMapSize: true });

/**
 * A protocol's own format for its messages: cheaper than the plain codec because it knows their
 * fields. Its bytes begin with the plain codec's tag and then `id`, a byte no plain value starts with,
 * so the three formats never read each other's bytes.
 */
export interface PeerFormat {
  /** firstFormatId + the format's number; registered once per process. */
  readonly id: number;
  readonly name: string;
  /** The message's bytes (starting with plainFormatTag, id), or undefined for a message this format does not carry exactly. */
  encode(msg: unknown): Uint8Array | undefined;
  /** A fresh copy of the message; throws on damaged bytes. */
  decode(bytes: Uint8Array): unknown;
}

/** The second byte of a registered format's messages: the plain codec's value tags all lie below it. */
export const firstFormatId = 0xe0;
const formatsMax = 0x100 - firstFormatId;
const formats: PeerFormat[] = [];
const formatById: (PeerFormat | undefined)[] = new Array<PeerFormat | undefined>(formatsMax).fill(undefined);

/**
 * Register a protocol's format: every later encode tries it first. Both ends of a link run the same
 * code, so a receiver has registered every format a sender uses (the module that sends a protocol's
 * messages registers its format on import).
 */
export function registerPeerFormat(format: PeerFormat): void {
  const slot = format.id - firstFormatId;
  if (slot < 0 || slot >= formatsMax) throw new RangeError(`peer format ${format.name}: id ${format.id} outside ${firstFormatId}..${0xff}`);
  const taken = formatById[slot];
  if (taken === format) return;
  if (taken !== undefined) throw new Error(`peer format ${format.name}: id ${format.id} is ${taken.name}'s`);
  formatById[slot] = format;
  formats.push(format);
}

/** The bytes of a message. They stay valid after later calls (msgpackr does not reuse a returned buffer). */
export function encodePeerMessage(msg: unknown): Uint8Array {
  for (let i = 0; i < formats.length; i++) {
    const bytes = formats[i].encode(msg);
    if (bytes !== undefined) return bytes;
  }
  return encodePlainMessage(msg) ?? packr.pack(msg);
}

/** A fresh copy of the message the bytes hold; throws on bytes that are in no known format. */
export function decodePeerMessage(bytes: Uint8Array): unknown {
  if (bytes[0] !== plainFormatTag) return packr.unpack(bytes);
  const second = bytes.length > 1 ? bytes[1] : 0;
  if (second < firstFormatId) return decodePlainMessage(bytes);
  const format = formatById[second - firstFormatId];
  if (format === undefined) throw new Error(`peer message: format 0x${second.toString(16)} is not registered here`);
  return format.decode(bytes);
}

/** The message as MessagePack alone would carry it (the reference the plain codec's tests compare with). */
export function messagePackRoundTrip(msg: unknown): unknown {
  return packr.unpack(packr.pack(msg));
}

/**
 * Where a message's decoded copy differs from the message itself, as a path and the two kinds seen
 * (`.entries: a Map arrives as an object`), or undefined when the codec carries it faithfully. A
 * difference is a sender bug: the receiver of a real node sees something else than the simulator's did.
 */
export function peerCodecLoss(msg: unknown): string | undefined {
  return firstDifference(msg, decodePeerMessage(encodePeerMessage(msg)), '');
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return 'bytes';
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null ? 'an object' : `a ${proto?.constructor?.name ?? 'class instance'}`;
}

function firstDifference(sent: unknown, received: unknown, path: string): string | undefined {
  const here = path === '' ? '(the message)' : path;
  if (typeof sent === 'number' && typeof received === 'number') {
    return Object.is(sent, received) ? undefined : `${here}: ${String(sent)} arrives as ${String(received)}`;
  }
  const ks = kind(sent), kr = kind(received);
  if (ks !== kr && !(ks === 'bytes' && kr === 'bytes')) return `${here}: ${ks} arrives as ${kr}`;
  if (ks === 'bytes') return sameBytes(sent as Uint8Array, received as Uint8Array) ? undefined : `${here}: bytes differ`;
  if (ks === 'an array') {
    const a = sent as unknown[], b = received as unknown[];
    if (a.length !== b.length) return `${here}: ${a.length} items arrive as ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (ks === 'an object') {
    const a = sent as Record<string, unknown>, b = received as Record<string, unknown>;
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      if (!(k in b)) return `${path}.${k}: dropped on the way`;
      const d = firstDifference(a[k], b[k], `${path}.${k}`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  // Same kind and neither number, array, object nor bytes: a primitive (string, boolean, bigint, null,
  // undefined), which Object.is compares by value.
  return Object.is(sent, received) ? undefined : `${here}: ${String(sent)} arrives as ${String(received)}`;
}

/** Byte-wise equality; a Buffer and a Uint8Array with the same bytes are equal. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
