/**
 * Framing of write-ahead-log records, all fields u32 little-endian:
 *
 *   [payload length][CRC-32C of the payload][CRC-32C of the 8 bytes before it][payload]
 *
 * so a 12-byte header whose last field checks the rest of it. The header checksum covers the length
 * and the payload checksum both (rather than the length alone): then a header whose checksum holds is
 * exactly as written, field by field, and a damaged byte anywhere in it is reported as a damaged
 * header; and the bytes it covers are contiguous, so it is one crc32c call. The header checksum comes
 * last so that a header cut short by a crash never shows a checksum of bytes that were never written.
 *
 * A log is only ever appended to, and a crash can cut the last append anywhere, so reading a log
 * back must tell two things apart:
 *
 * - a torn tail: the last write was cut short (never fsynced, so nothing acknowledged depends on it).
 *   Harmless: the caller truncates it with a warning and carries on.
 * - corruption: a bad record with data after it. Something other than a crash damaged the file (a bit
 *   flip, a misdirected write, an overwritten block); the records after it cannot be trusted to be
 *   the ones that were written, so the caller must refuse to start rather than serve from it.
 *
 * Zero bytes count as nothing: a file system may extend a file's size before the data blocks reach
 * the disk, which reads back as zeros (ext4 data=writeback, XFS). The rule, in the order it is applied
 * at each record:
 *
 * 1. Fewer than 12 bytes left: the header is cut by the end. Torn.
 * 2. The header checksum fails: the length cannot be trusted, so it decides nothing. Torn only when the
 *    header was cut, by the end or by zeros: its last byte and everything after it are zero bytes
 *    (that includes a tail of zeros from the header on, and a header whose first bytes reached the
 *    disk and whose rest did not). Otherwise corrupt, "header checksum mismatch": a bit flip in the
 *    length of a middle record, wherever that length points, is caught here.
 * 3. The header holds, so its length is the one written. A length of 0 or above `recordBytesMax` is
 *    corrupt, inside the bytes or not: encodeRecord never writes one.
 * 4. The length runs past the end: the payload write was cut. Torn.
 * 5. The payload checksum fails: torn when the record ends at the end or only zero bytes follow it (a
 *    payload whose blocks never reached the disk), corrupt when non-zero bytes follow.
 *
 * Why the header checksum, and why rule 2 is strict: with only a payload checksum, a bit flip that made
 * a middle record's length run past the end read as a torn tail, and the fsynced records after it
 * were dropped silently. Now the header checksum catches the flip, and a bad header with non-zero
 * bytes after it is never cut off. The one way a bad header can still read as torn is rule 2's zero
 * case, which a single bit flip in an acknowledged record cannot produce unless that record is the
 * last, its payload is all zero bytes and its header's last byte is zero.
 *
 * A zero-length payload is refused at encoding: no record has one, so rule 3 can call it corrupt.
 * And no header of zeros is valid (the CRC-32C of 8 zero bytes is not 0), so a zero-filled tail never
 * reads as records.
 */
import { crc32c } from './crc32c.js';

/** Length, payload checksum and header checksum (of the two fields before it), each u32 little-endian. */
export const recordHeaderBytes = 12;
/** The bytes of the header its own checksum covers: the length and the payload checksum. */
const headerCheckedBytes = 8;
/** The largest payload a record may declare: bigger ones are refused at encoding and corrupt when read. */
export const recordBytesMax = 64 * 1024 * 1024;

export interface BadRecord {
  /** Offset of the bad record's header: the bytes before it are good records. */
  offset: number;
  kind: 'torn' | 'corrupt';
  /** A short human phrase: "checksum mismatch", "header checksum mismatch", "header cut at 3 of 12 bytes". */
  reason: string;
}

export interface ScanResult {
  /** The payloads of the good records, in order: views into the scanned bytes, not copies. */
  records: Uint8Array[];
  /** ends[i] is the offset just after record i (so record i starts at ends[i - 1], or 0). */
  ends: number[];
  /** Length of the good prefix: the offset of the bad record, or all the bytes when none is bad. */
  validBytes: number;
  /** The first bad record, when there is one; scanning stops there. */
  bad?: BadRecord;
}

/** The chunks one after another, in a fresh array (several records written in one append, a file's pieces). */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/**
 * Bytes [offset, offset + length) of the chunks one after another, cut at their end: a view when
 * they fall in one chunk, else a copy of only those bytes (a snapshot file's parts, sent in pieces).
 */
export function bytesOfChunks(chunks: readonly Uint8Array[], offset: number, length: number): Uint8Array {
  let start = 0;
  let i = 0;
  while (i < chunks.length && start + chunks[i].length <= offset) start += chunks[i++].length;
  if (i === chunks.length) return new Uint8Array(0);
  const first = chunks[i];
  const from = offset - start;
  if (from + length <= first.length) return first.subarray(from, from + length);
  const out: Uint8Array[] = [first.subarray(from)];
  let n = first.length - from;
  for (i++; i < chunks.length && n < length; i++) {
    const take = chunks[i].subarray(0, length - n);
    out.push(take);
    n += take.length;
  }
  return concatBytes(out);
}

/** One framed record (a fresh array: header and a copy of the payload). */
export function encodeRecord(payload: Uint8Array): Uint8Array {
  checkLength(payload.length);
  const out = new Uint8Array(recordHeaderBytes + payload.length);
  writeRecord(out, 0, payload);
  return out;
}

function checkLength(length: number): void {
  if (length === 0) throw new RangeError('encodeRecord: a payload must not be empty (zero bytes must never read as a record)');
  if (length > recordBytesMax) throw new RangeError(`encodeRecord: payload of ${length} bytes is above recordBytesMax (${recordBytesMax})`);
}

/** Header and payload at `offset`; the caller sized `out`. */
function writeRecord(out: Uint8Array, offset: number, payload: Uint8Array): void {
  out.set(payload, offset + recordHeaderBytes);
  writeHeader(out, offset, payload.length);
}

/**
 * Frame in place a payload of `length` bytes already written at `offset + recordHeaderBytes` of
 * `out`: the header goes into the `recordHeaderBytes` left free before it. The bytes of
 * encodeRecord, without a payload of its own to copy (a writer that encodes records straight into
 * one buffer per batch).
 */
export function sealRecord(out: Uint8Array, offset: number, length: number): void {
  checkLength(length);
  writeHeader(out, offset, length);
}

/** Bytes by hand: a DataView per record was a hot allocation. */
function writeHeader(out: Uint8Array, offset: number, length: number): void {
  const payload = offset + recordHeaderBytes;
  putUint32LE(out, offset, length);
  putUint32LE(out, offset + 4, crc32c(out.subarray(payload, payload + length)));
  putUint32LE(out, offset + headerCheckedBytes, crc32c(out.subarray(offset, offset + headerCheckedBytes)));
}

function putUint32LE(out: Uint8Array, offset: number, value: number): void {
  out[offset] = value & 0xff;
  out[offset + 1] = (value >>> 8) & 0xff;
  out[offset + 2] = (value >>> 16) & 0xff;
  out[offset + 3] = value >>> 24;
}

/** Read records from the start of `bytes` until the end, the first bad one, or `recordsMax` of them. */
export function scanRecords(bytes: Uint8Array, recordsMax = Infinity): ScanResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  const ends: number[] = [];
  const total = bytes.length;
  let offset = 0;
  const stop = (kind: BadRecord['kind'], reason: string): ScanResult => ({ records, ends, validBytes: offset, bad: { offset, kind, reason } });

  while (offset < total && records.length < recordsMax) {
    const remaining = total - offset;
    if (remaining < recordHeaderBytes) return stop('torn', `header cut at ${remaining} of ${recordHeaderBytes} bytes`);
    const headerCrc = view.getUint32(offset + headerCheckedBytes, true);
    if (crc32c(bytes.subarray(offset, offset + headerCheckedBytes)) !== headerCrc) {
      // The length is not to be trusted: only zeros from inside the header to the end make it a cut write.
      if (allZero(bytes, offset + recordHeaderBytes - 1)) {
        const written = lastNonZero(bytes, offset, offset + recordHeaderBytes) + 1 - offset;
        return stop('torn', written === 0 ? 'zero bytes from here to the end' : `header cut at ${written} of ${recordHeaderBytes} bytes, then zero bytes to the end`);
      }
      return stop('corrupt', 'header checksum mismatch');
    }
    const length = view.getUint32(offset, true);
    const storedCrc = view.getUint32(offset + 4, true);
    if (length === 0) return stop('corrupt', 'length 0');
    if (length > recordBytesMax) return stop('corrupt', `length ${length} above the limit of ${recordBytesMax} bytes`);
    const end = offset + recordHeaderBytes + length;
    if (end > total) return stop('torn', `record runs ${end - total} bytes past the end`);
    const payload = bytes.subarray(offset + recordHeaderBytes, end);
    if (crc32c(payload) !== storedCrc) {
      if (end === total) return stop('torn', 'checksum mismatch on the last record');
      if (allZero(bytes, end)) return stop('torn', 'checksum mismatch, then only zero bytes');
      return stop('corrupt', 'checksum mismatch');
    }
    records.push(payload);
    offset = end;
    ends.push(end);
  }
  return { records, ends, validBytes: offset };
}

function allZero(bytes: Uint8Array, from: number): boolean {
  for (let i = from; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** The index of the last non-zero byte in [from, to), or from - 1 when they are all zero. */
function lastNonZero(bytes: Uint8Array, from: number, to: number): number {
  for (let i = to - 1; i >= from; i--) if (bytes[i] !== 0) return i;
  return from - 1;
}
