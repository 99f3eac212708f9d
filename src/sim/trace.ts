/**
 * The trace: every delivery, drop, timer, crash, fault and fsync as a canonical record.
 *
 * Each record is folded into an incremental 64-bit hash (two 32-bit lanes), the run's `traceHash`:
 * two runs with the same scenario and seed must produce the same hash on any machine. Records carry
 * virtual time (the exact float64 bits), the kind, node indices and message ids; message bodies are
 * represented by their `type` field, so hashing stays cheap on the hot path. Log records are hashed
 * with their fields, and clients log every outcome they see, so two runs that answer clients
 * differently never share a hash. When an export sink is
 * given, each record is also written as one JSON line (with the message body).
 */
import { hashString } from './rng.js';

/** Kinds of hashed records. Sends are not among them: their fate (deliver, drop, duplicate) is. */
export const TraceKind = {
  deliver: 2,
  drop: 3,
  duplicate: 4,
  timer: 5,
  crash: 6,
  restart: 7,
  pause: 8,
  resume: 9,
  fault: 10,
  fsync: 11,
  log: 12,
  start: 13,
  heal: 14,
} as const;
export type TraceKindName = keyof typeof TraceKind;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

export type TraceSink = (line: string) => void;
/** Receives every exported record as the object the JSON line would hold (no copy: read it, do not keep it changing). */
export type TraceObserver = (record: Readonly<Record<string, unknown>>) => void;

export class Trace {
  private h1 = 0x811c9dc5 | 0;
  private h2 = 0x1b873593 | 0;
  records = 0;
  /** Hashes of message tags, so a tag costs one lookup instead of a pass over its characters. */
  private readonly tagHashes = new Map<string, number>();
  private lastTag = '';
  private lastTagHash = 0;

  constructor(
    private readonly sink?: TraceSink,
    private readonly observer?: TraceObserver,
  ) {}

  get exporting(): boolean {
    return this.sink !== undefined || this.observer !== undefined;
  }

  private word(w: number): void {
    this.h1 = mixLane1(this.h1, w);
    this.h2 = mixLane2(this.h2, w);
  }

  /**
   * Fold a record into the hash: its kind and two node indices packed in one word (kinds < 256, node
   * indices < 4096), an id, the exact time, and a string tag.
   */
  record(kind: number, time: number, a: number, b: number, c: number, tag: string | undefined): void {
    this.records++;
    this.word(kind | ((a & 0xfff) << 8) | ((b & 0xfff) << 20));
    this.word(c | 0);
    f64[0] = time;
    this.word(u32[0]);
    this.word(u32[1]);
    if (tag !== undefined) this.word(tag === this.lastTag ? this.lastTagHash : this.tagHash(tag));
  }

  private tagHash(tag: string): number {
    let t = this.tagHashes.get(tag);
    if (t === undefined) {
      t = hashString(tag);
      this.tagHashes.set(tag, t);
    }
    this.lastTag = tag;
    this.lastTagHash = t;
    return t;
  }

  /** Fold free text into the hash (the fields of a log record). */
  text(t: string): void {
    // word() per character, with the lanes in locals: clients log every outcome they see.
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = 0; i < t.length; i++) {
      const w = t.charCodeAt(i);
      h1 = mixLane1(h1, w);
      h2 = mixLane2(h2, w);
    }
    this.h1 = h1;
    this.h2 = h2;
  }

  /**
   * Fold the JSON text of a log record's fields into the hash: the characters of
   * JSON.stringify(fields), without building that string for the common record (flat fields of
   * numbers, plain strings, booleans and null; clients log one per outcome). Anything else is
   * folded from JSON.stringify itself, so the hash is the same either way.
   */
  json(fields: Record<string, unknown>): void {
    if (!plainJsonFold(fields, this.h1, this.h2)) return this.text(JSON.stringify(fields));
    this.h1 = lane1;
    this.h2 = lane2;
  }

  /** Export one record as a JSON line (only called when exporting). */
  emit(fields: Record<string, unknown>): void {
    if (this.sink !== undefined) this.sink(JSON.stringify(fields));
    if (this.observer !== undefined) this.observer(fields);
  }

  /** The hash so far, as 16 hex digits. */
  hash(): string {
    return (this.h1 >>> 0).toString(16).padStart(8, '0') + (this.h2 >>> 0).toString(16).padStart(8, '0');
  }
}

/** The `type` field of a message, if it has a string one: cheap identity for the hash. */
export function messageTag(msg: unknown): string | undefined {
  if (typeof msg === 'object' && msg !== null) {
    const t = (msg as { type?: unknown }).type;
    if (typeof t === 'string') return t;
  }
  return undefined;
}

/** The lanes of a fold under way (plainJsonFold): module state, so that folding allocates nothing. */
let lane1 = 0;
let lane2 = 0;

/** One word into each lane of the trace hash: every fold (word, text, a log record's fields) is these two. */
function mixLane1(h: number, w: number): number {
  return Math.imul(h ^ w, 0x01000193);
}

function mixLane2(h: number, w: number): number {
  return Math.imul((h ^ w) + ((h << 5) | (h >>> 27)), 0x5bd1e995);
}

function foldWord(w: number): void {
  lane1 = mixLane1(lane1, w);
  lane2 = mixLane2(lane2, w);
}

function foldText(t: string): void {
  for (let i = 0; i < t.length; i++) foldWord(t.charCodeAt(i));
}

/** Whether JSON.stringify writes this string as '"' + t + '"': no character it escapes. */
function plainString(t: string): boolean {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}

/**
 * Fold the characters of JSON.stringify(fields) into the lanes (h1, h2) as Trace.text folds them, and
 * say whether it could: false when fields is not a flat record this fold writes exactly as
 * JSON.stringify does (the lanes are then to be ignored).
 */
function plainJsonFold(fields: Record<string, unknown>, h1: number, h2: number): boolean {
  const proto = Object.getPrototypeOf(fields);
  if (proto !== Object.prototype && proto !== null) return false;
  lane1 = h1;
  lane2 = h2;
  foldWord(0x7b); // {
  let first = true;
  for (const key in fields) {
    if (!Object.prototype.hasOwnProperty.call(fields, key)) continue;
    // A toJSON of its own makes JSON.stringify write something else altogether.
    if (key === 'toJSON') return false;
    const v = fields[key];
    // Left out by JSON.stringify.
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    if (!plainString(key)) return false;
    if (!first) foldWord(0x2c); // ,
    first = false;
    foldWord(0x22);
    foldText(key);
    foldWord(0x22);
    foldWord(0x3a); // :
    if (v === null) foldText('null');
    else if (typeof v === 'boolean') foldText(v ? 'true' : 'false');
    else if (typeof v === 'number') foldText(Number.isFinite(v) ? String(v) : 'null');
    else if (typeof v === 'string') {
      if (!plainString(v)) return false;
      foldWord(0x22);
      foldText(v);
      foldWord(0x22);
    } else return false;
  }
  foldWord(0x7d); // }
  return true;
}
