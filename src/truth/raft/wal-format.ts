/**
 * The payloads of Raft's storage records (storage.ts), framed by src/runtime/records.ts.
 *
 * The log's records and the durable marks are written often (every Ready, every fsync), so they
 * have a positional format: fields in a fixed order, no key names, straight into one buffer per
 * batch of records, each record framed in place (RecordBatch). Every payload of this format begins
 * with `plainFormatTag` (0xc1, the one byte MessagePack never uses), then a kind byte:
 *
 *     entries     0xf1  varint count; per entry varint term, varint index; then, to the end of the
 *                       payload, the array of their commands as a plain-codec message
 *     hard state  0xf2  varint term, varint commit, vote
 *     mark        0xf3  varint term, varint lastIndex, varint lastTerm, vote
 *
 *     varint      LEB128 of a non-negative safe integer
 *     vote        0 for none, or 1, the varint length and the UTF-8 bytes of the node id
 *
 * The snapshot files' records (a head, its parts, the naming record of one being received) are
 * plain-codec messages of their objects (src/runtime/plain-codec.ts: key order and undefined kept).
 *
 * Anything a format here does not carry exactly (an entry with other keys, a fractional term, a
 * command the plain codec refuses) is written in MessagePack instead, record by record. So is
 * everything the first versions of this storage wrote: a payload not beginning with 0xc1 is a
 * MessagePack map, `{ hs }` or `{ e }` in the log, `{ t, v, i, lt }` in the mark file, the objects
 * themselves in a snapshot file. Both read back as the same values, so a data directory of either
 * age, or of both, opens.
 */
import { Packr } from 'msgpackr';
import { decodePlainMessage, decodePlainMessageAt, encodePlainMessageView, plainFormatTag } from '../../runtime/plain-codec.js';
import { recordHeaderBytes, sealRecord } from '../../runtime/records.js';
import type { Entry, HardState } from './types.js';
import { WireReader, WireWriter } from './wire.js';

const utf8Encoder = new TextEncoder();
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Plain maps, not msgpackr's records: a log must read back the same whatever wrote it before. */
export const packr = new Packr({ useRecords: false, variableMapSize: true });

const kindEntries = 0xf1;
const kindHardState = 0xf2;
const kindMark = 0xf3;

/** What the log's records hold (a MessagePack one is this object as it is). */
export interface WalRecord {
  hs?: { term: number; vote: string | null; commit: number };
  e?: Entry[];
}

/** What the mark file's records hold (see storage.ts DurableMark). */
export interface MarkRecord {
  t: number;
  v: string | null;
  i: number;
  lt: number;
}

/** Entries in one record beyond this are refused by the reader as damage. */
const entriesPerRecordMax = 1 << 24;
/** The room a record's header takes before its payload, filled in by take(). */
const headerRoom = new Uint8Array(recordHeaderBytes);

/** An entry exactly as raft.ts makes them: these keys in this order, integer term and index. */
function isPlainEntry(e: Entry): boolean {
  if (typeof e !== 'object' || e === null || Object.getPrototypeOf(e) !== Object.prototype) return false;
  let i = 0;
  for (const k in e) if (k !== entryKeys[i++]) return false;
  return i === entryKeys.length && isCount(e.term) && isCount(e.index);
}
const entryKeys = ['term', 'index', 'data'] as const;

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function isVote(v: unknown): v is string | undefined {
  return v === undefined || typeof v === 'string';
}

/** The UTF-8 bytes of the last vote written: a node writes the same few ids again and again. */
let lastVote = '';
let lastVoteBytes = new Uint8Array(0);

/**
 * Framed records written one after another into one reusable buffer (the wire format's writer), each
 * payload after room for its header: take() copies the batch out once and frames its records in
 * place there. One copy of the batch's bytes, and no allocation of its own for a small one (the
 * encoders' shared slabs, plain-codec.ts copyOutMessage).
 */
export class RecordBatch {
  private readonly w = new WireWriter();
  /** Where each record of the batch starts (its header) and ends. */
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private records = 0;

  reset(): this {
    this.w.reset();
    this.records = 0;
    return this;
  }

  /** The records written since reset(), framed, in bytes that stay valid. */
  take(): Uint8Array {
    const out = this.w.finish();
    for (let i = 0; i < this.records; i++) sealRecord(out, this.starts[i], this.ends[i] - this.starts[i] - recordHeaderBytes);
    return out;
  }

  /** The log record of these entries. */
  entries(entries: readonly Entry[]): this {
    const commands = new Array<unknown>(entries.length);
    let positional = true;
    for (let i = 0; i < entries.length && positional; i++) {
      positional = isPlainEntry(entries[i]);
      commands[i] = entries[i].data;
    }
    // A view of the plain encoder's scratch, copied by raw() below before it encodes again.
    const plain = positional ? encodePlainMessageView(commands) : undefined;
    if (plain === undefined) return this.packed({ e: entries as Entry[] } satisfies WalRecord);
    const w = this.open(kindEntries);
    w.varint(entries.length);
    for (const e of entries) {
      w.varint(e.term);
      w.varint(e.index);
    }
    w.raw(plain);
    return this.close();
  }

  /** The log record of a hard state. */
  hardState(hs: HardState): this {
    if (!isCount(hs.term) || !isCount(hs.commit) || !isVote(hs.vote)) return this.packed({ hs: { term: hs.term, vote: hs.vote ?? null, commit: hs.commit } } satisfies WalRecord);
    const w = this.open(kindHardState);
    w.varint(hs.term);
    w.varint(hs.commit);
    this.vote(hs.vote);
    return this.close();
  }

  /** The mark file's record of what is durable. */
  mark(term: number, vote: string | undefined, lastIndex: number, lastTerm: number): this {
    if (!isCount(term) || !isCount(lastIndex) || !isCount(lastTerm) || !isVote(vote)) return this.packed({ t: term, v: vote ?? null, i: lastIndex, lt: lastTerm } satisfies MarkRecord);
    const w = this.open(kindMark);
    w.varint(term);
    w.varint(lastIndex);
    w.varint(lastTerm);
    this.vote(vote);
    return this.close();
  }

  /** A record of any value (a snapshot file's): a plain-codec message, or MessagePack when the plain codec refuses it. */
  value(v: unknown): this {
    this.open(undefined).raw(encodePlainMessageView(v) ?? packr.pack(v));
    return this.close();
  }

  private packed(rec: WalRecord | MarkRecord): this {
    this.open(undefined).raw(packr.pack(rec));
    return this.close();
  }

  /** Room for the header, then this format's tag and `kind` (none for a value or MessagePack record). */
  private open(kind: number | undefined): WireWriter {
    const w = this.w;
    this.starts[this.records] = w.pos;
    w.raw(headerRoom);
    if (kind !== undefined) {
      w.byte(plainFormatTag);
      w.byte(kind);
    }
    return w;
  }

  private close(): this {
    this.ends[this.records++] = this.w.pos;
    return this;
  }

  private vote(v: string | undefined): void {
    if (v === undefined) return this.w.byte(0);
    if (v !== lastVote) {
      lastVote = v;
      lastVoteBytes = utf8Encoder.encode(v);
    }
    this.w.byte(1);
    this.w.bytes(lastVoteBytes);
  }
}

/** A payload of RecordBatch.value (or of MessagePack): throws on one that is neither, or damaged. */
export function decodeValue(payload: Uint8Array): unknown {
  return payload[0] === plainFormatTag ? decodePlainMessage(payload) : packr.unpack(payload);
}

/** A log record of either format; throws on one that is neither, or damaged. */
export function decodeWalRecord(payload: Uint8Array): WalRecord {
  if (payload[0] !== plainFormatTag) return packr.unpack(payload) as WalRecord;
  const r = reading(payload);
  try {
    switch (payload[1]) {
      case kindEntries: {
        const n = r.varint();
        if (n > entriesPerRecordMax) throw new Error(`${n} entries`);
        const entries = new Array<Entry>(n);
        for (let i = 0; i < n; i++) {
          const term = r.varint();
          const index = r.varint();
          entries[i] = { term, index, data: undefined };
        }
        const commands = decodePlainMessageAt(payload, r.pos, payload.length);
        if (!Array.isArray(commands) || commands.length !== n) throw new Error(`${n} entries but not as many commands`);
        for (let i = 0; i < n; i++) entries[i].data = commands[i];
        return { e: entries };
      }
      case kindHardState: {
        const term = r.varint();
        const commit = r.varint();
        const vote = readVote(r);
        return { hs: { term, vote, commit } };
      }
      default:
        throw new Error(`not a log record (kind ${payload[1]})`);
    }
  } finally {
    r.release();
  }
}

/** A mark file record of either format; throws on one that is neither, or damaged. */
export function decodeMarkRecord(payload: Uint8Array): MarkRecord {
  if (payload[0] !== plainFormatTag) return packr.unpack(payload) as MarkRecord;
  if (payload[1] !== kindMark) throw new Error(`not a durable mark (kind ${payload[1]})`);
  const r = reading(payload);
  try {
    const t = r.varint();
    const i = r.varint();
    const lt = r.varint();
    return { t, v: readVote(r), i, lt };
  } finally {
    r.release();
  }
}

const reader = new WireReader();

/** The reader, after the payload's tag and kind. */
function reading(payload: Uint8Array): WireReader {
  reader.reset(payload, 2);
  return reader;
}

/** A vote, the last field of its record. */
function readVote(r: WireReader): string | null {
  const present = r.byte();
  if (present > 1) throw new Error(`a bad vote flag ${present}`);
  const vote = present === 0 ? null : utf8.decode(r.bytesView());
  if (!r.atEnd()) throw new Error('bytes after the record');
  return vote;
}
