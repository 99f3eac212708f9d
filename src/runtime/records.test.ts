/**
 * Record framing: round trips, and the line between a torn tail (cut off with a warning) and
 * corruption (refuse to start), case by case.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c } from './crc32c.js';
import { bytesOfChunks, concatBytes, encodeRecord, recordBytesMax, recordHeaderBytes, scanRecords, sealRecord } from './records.js';

const text = new TextEncoder();

function payloadOf(i: number): Uint8Array {
  // Lengths 1..37 so records straddle every alignment.
  return Uint8Array.from({ length: 1 + ((i * 13) % 37) }, (_, k) => (i * 31 + k * 7 + 1) & 0xff);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A header with a valid header checksum for any length and payload checksum, even ones encodeRecord refuses. */
function headerOf(length: number, payloadCrc: number): Uint8Array {
  const header = new Uint8Array(recordHeaderBytes);
  const view = new DataView(header.buffer);
  view.setUint32(0, length, true);
  view.setUint32(4, payloadCrc, true);
  view.setUint32(8, crc32c(header.subarray(0, 8)), true);
  return header;
}

function logOf(count: number): { bytes: Uint8Array; starts: number[]; payloads: Uint8Array[] } {
  const payloads = Array.from({ length: count }, (_, i) => payloadOf(i));
  const frames = payloads.map(encodeRecord);
  const starts: number[] = [];
  let o = 0;
  for (const f of frames) {
    starts.push(o);
    o += f.length;
  }
  return { bytes: concat(frames), starts, payloads };
}

test('records: the frame is length, payload CRC-32C, CRC-32C of those 8 header bytes, payload, little-endian', () => {
  assert.equal(recordHeaderBytes, 12);
  const frame = encodeRecord(text.encode('123456789'));
  assert.equal(frame.length, 12 + 9);
  assert.deepEqual([...frame.subarray(0, 4)], [9, 0, 0, 0]);
  assert.deepEqual([...frame.subarray(4, 8)], [0x83, 0x92, 0x06, 0xe3]);
  // CRC-32C of 09 00 00 00 83 92 06 e3 is 0x9ae8d969 (checked against a bitwise implementation).
  assert.deepEqual([...frame.subarray(8, 12)], [0x69, 0xd9, 0xe8, 0x9a]);
  assert.deepEqual([...frame.subarray(0, recordHeaderBytes)], [...headerOf(9, 0xe3069283)]);
  assert.equal(new TextDecoder().decode(frame.subarray(recordHeaderBytes)), '123456789');
});

test('records: round trip of many records, with ends and validBytes', () => {
  const { bytes, starts, payloads } = logOf(500);
  const scan = scanRecords(bytes);
  assert.equal(scan.bad, undefined);
  assert.equal(scan.validBytes, bytes.length);
  assert.equal(scan.records.length, payloads.length);
  for (let i = 0; i < payloads.length; i++) {
    assert.deepEqual(scan.records[i], payloads[i]);
    assert.equal(scan.ends[i], i + 1 < starts.length ? starts[i + 1] : bytes.length);
  }
});

test('records: scanning an unaligned subarray works', () => {
  const { bytes } = logOf(20);
  const backing = new Uint8Array(bytes.length + 3);
  backing.set(bytes, 3);
  const scan = scanRecords(backing.subarray(3));
  assert.equal(scan.bad, undefined);
  assert.equal(scan.records.length, 20);
  assert.deepEqual(scan.records[19], payloadOf(19));
});

test('records: empty input is a valid empty log', () => {
  assert.deepEqual(scanRecords(new Uint8Array(0)), { records: [], ends: [], validBytes: 0 });
});

test('records: a zero-length payload or one above recordBytesMax is refused at encoding', () => {
  assert.throws(() => encodeRecord(new Uint8Array(0)), RangeError);
  // A view that claims to be over the limit without allocating 64 MiB is not possible; check the limit instead.
  assert.equal(recordBytesMax, 64 * 1024 * 1024);
});

test('records: torn: a header cut at the end (every cut inside the last header)', () => {
  const { bytes, starts } = logOf(5);
  const lastStart = starts[4];
  for (let cut = 1; cut < recordHeaderBytes; cut++) {
    const scan = scanRecords(bytes.subarray(0, lastStart + cut));
    assert.equal(scan.bad?.kind, 'torn', `cut at ${cut}`);
    assert.equal(scan.bad?.offset, lastStart);
    assert.equal(scan.bad?.reason, `header cut at ${cut} of 12 bytes`);
    assert.equal(scan.records.length, 4);
    assert.equal(scan.validBytes, lastStart);
  }
});

test('records: torn: a valid header whose length runs past the end (every cut inside the last payload)', () => {
  const { bytes, starts } = logOf(5);
  const lastStart = starts[4];
  for (let end = lastStart + recordHeaderBytes; end < bytes.length; end++) {
    const scan = scanRecords(bytes.subarray(0, end));
    assert.equal(scan.bad?.kind, 'torn', `cut at ${end}`);
    assert.equal(scan.bad?.offset, lastStart);
    assert.equal(scan.bad?.reason, `record runs ${bytes.length - end} bytes past the end`);
    assert.equal(scan.validBytes, lastStart);
    assert.equal(scan.records.length, 4);
  }
});

test('records: torn: a checksum mismatch on the record that ends at the end', () => {
  const { bytes, starts } = logOf(5);
  const damaged = bytes.slice();
  damaged[damaged.length - 1] ^= 0x01;
  const scan = scanRecords(damaged);
  assert.equal(scan.bad?.kind, 'torn');
  assert.equal(scan.bad?.offset, starts[4]);
  assert.match(scan.bad?.reason ?? '', /checksum mismatch/);
  assert.equal(scan.records.length, 4);
  assert.equal(scan.validBytes, starts[4]);
});

test('records: torn: a zero-filled tail after valid records', () => {
  // No header of zeros passes its checksum, so zeros never read as records.
  assert.notEqual(crc32c(new Uint8Array(8)), 0);
  const { bytes } = logOf(5);
  for (const zeros of [1, 11, 12, 13, 4096]) {
    const scan = scanRecords(concat([bytes, new Uint8Array(zeros)]));
    assert.equal(scan.bad?.kind, 'torn', `${zeros} zero bytes`);
    assert.equal(scan.bad?.offset, bytes.length);
    assert.equal(scan.bad?.reason, zeros < recordHeaderBytes ? `header cut at ${zeros} of 12 bytes` : 'zero bytes from here to the end');
    assert.equal(scan.validBytes, bytes.length);
    assert.equal(scan.records.length, 5);
  }
  const allZeros = scanRecords(new Uint8Array(64));
  assert.equal(allZeros.bad?.kind, 'torn');
  assert.equal(allZeros.bad?.offset, 0);
  assert.equal(allZeros.records.length, 0);
});

test('records: torn: a last record whose data blocks read back as zeros (size extended before the data)', () => {
  const { bytes, starts } = logOf(5);
  const damaged = bytes.slice();
  damaged.fill(0, starts[4] + recordHeaderBytes);
  const scan = scanRecords(concat([damaged, new Uint8Array(100)]));
  assert.equal(scan.bad?.kind, 'torn');
  assert.equal(scan.bad?.offset, starts[4]);
  assert.equal(scan.validBytes, starts[4]);
});

test('records: torn: a header whose first bytes reached the disk and whose rest read back as zeros', () => {
  const { bytes, starts } = logOf(5);
  const lastStart = starts[4];
  for (let written = 1; written < recordHeaderBytes; written++) {
    const damaged = bytes.slice();
    damaged.fill(0, lastStart + written);
    const scan = scanRecords(concat([damaged, new Uint8Array(100)]));
    assert.equal(scan.bad?.kind, 'torn', `${written} header bytes written`);
    assert.equal(scan.bad?.offset, lastStart);
    assert.equal(scan.validBytes, lastStart);
    assert.equal(scan.records.length, 4);
  }
});

test('records: corrupt: one payload byte of record 3 of 10 flipped', () => {
  const { bytes, starts } = logOf(10);
  const damaged = bytes.slice();
  damaged[starts[3] + recordHeaderBytes] ^= 0x40;
  const scan = scanRecords(damaged);
  assert.equal(scan.bad?.kind, 'corrupt');
  assert.equal(scan.bad?.offset, starts[3]);
  assert.equal(scan.bad?.reason, 'checksum mismatch');
  assert.equal(scan.records.length, 3);
  assert.equal(scan.validBytes, starts[3]);
  assert.deepEqual(scan.ends, starts.slice(1, 4));
});

test('records: corrupt: a flipped bit in a middle record\'s length that makes it run past the end', () => {
  const { bytes, starts } = logOf(10);
  let flips = 0;
  for (let bit = 0; bit < 32; bit++) {
    const damaged = bytes.slice();
    damaged[starts[3] + (bit >> 3)] ^= 1 << (bit & 7);
    const length = new DataView(damaged.buffer).getUint32(starts[3], true);
    if (starts[3] + recordHeaderBytes + length <= damaged.length) continue;
    flips++;
    const scan = scanRecords(damaged);
    assert.equal(scan.bad?.kind, 'corrupt', `bit ${bit}: length ${length}`);
    assert.equal(scan.bad?.offset, starts[3]);
    assert.equal(scan.bad?.reason, 'header checksum mismatch');
    assert.equal(scan.records.length, 3);
    assert.equal(scan.validBytes, starts[3]);
  }
  assert.ok(flips >= 20, `${flips} flips ran past the end`);
});

test('records: corrupt: a flipped bit in a middle record\'s length that keeps it inside the bytes', () => {
  const { bytes, starts } = logOf(10);
  let flips = 0;
  for (let bit = 0; bit < 32; bit++) {
    const damaged = bytes.slice();
    damaged[starts[3] + (bit >> 3)] ^= 1 << (bit & 7);
    const length = new DataView(damaged.buffer).getUint32(starts[3], true);
    if (starts[3] + recordHeaderBytes + length > damaged.length) continue;
    flips++;
    const scan = scanRecords(damaged);
    assert.equal(scan.bad?.kind, 'corrupt', `bit ${bit}: length ${length}`);
    assert.equal(scan.bad?.offset, starts[3]);
    assert.equal(scan.bad?.reason, 'header checksum mismatch');
    assert.equal(scan.records.length, 3);
  }
  assert.ok(flips >= 3, `${flips} flips stayed inside`);
});

test('records: corrupt: a flipped bit in the payload checksum or the header checksum of a middle record', () => {
  const { bytes, starts } = logOf(10);
  for (let at = 4; at < recordHeaderBytes; at++) {
    const damaged = bytes.slice();
    damaged[starts[6] + at] ^= 0x01;
    const scan = scanRecords(damaged);
    assert.equal(scan.bad?.kind, 'corrupt', `header byte ${at}`);
    assert.equal(scan.bad?.offset, starts[6]);
    assert.equal(scan.bad?.reason, 'header checksum mismatch');
  }
});

test('records: corrupt: a flipped bit in the header of the last, complete record', () => {
  const { bytes, starts } = logOf(5);
  for (let at = 0; at < recordHeaderBytes; at++) {
    const damaged = bytes.slice();
    damaged[starts[4] + at] ^= 0x10;
    const scan = scanRecords(damaged);
    assert.equal(scan.bad?.kind, 'corrupt', `header byte ${at}`);
    assert.equal(scan.bad?.offset, starts[4]);
    assert.equal(scan.records.length, 4);
  }
});

test('records: corrupt: a zeroed header with non-zero bytes after it', () => {
  const { bytes, starts } = logOf(10);
  const damaged = bytes.slice();
  damaged.fill(0, starts[2], starts[2] + recordHeaderBytes);
  const scan = scanRecords(damaged);
  assert.equal(scan.bad?.kind, 'corrupt');
  assert.equal(scan.bad?.offset, starts[2]);
  assert.equal(scan.bad?.reason, 'header checksum mismatch');
  assert.equal(scan.records.length, 2);
});

test('records: under a valid header checksum, a length above recordBytesMax or of 0 is corrupt, inside the bytes or past the end', () => {
  const length = recordBytesMax + 1;
  const fits = new Uint8Array(recordHeaderBytes + length);
  fits.set(headerOf(length, 0));
  fits[fits.length - 1] = 1;
  const scanFits = scanRecords(fits);
  assert.equal(scanFits.bad?.kind, 'corrupt');
  assert.match(scanFits.bad?.reason ?? '', /above the limit/);

  const { bytes } = logOf(3);
  const huge = concat([headerOf(0xffffffff, 0), new Uint8Array(16).fill(0xab)]);
  const scanPast = scanRecords(concat([bytes, huge]));
  assert.equal(scanPast.bad?.kind, 'corrupt');
  assert.equal(scanPast.bad?.offset, bytes.length);
  assert.match(scanPast.bad?.reason ?? '', /above the limit/);
  assert.equal(scanPast.records.length, 3);

  const empty = scanRecords(concat([bytes, headerOf(0, 0)]));
  assert.equal(empty.bad?.kind, 'corrupt');
  assert.equal(empty.bad?.offset, bytes.length);
  assert.equal(empty.bad?.reason, 'length 0');
});

test('records: records are views into the scanned bytes, not copies', () => {
  const { bytes } = logOf(3);
  const scan = scanRecords(bytes);
  assert.equal(scan.records[0].buffer, bytes.buffer);
});

test('records: sealRecord frames in place the very bytes of encodeRecord for each payload, one after another', () => {
  const payloads = [payloadOf(1), payloadOf(2), text.encode('a payload past 255 bytes, so its length fills two header bytes; '.repeat(300))];
  const separately = payloads.map((p) => encodeRecord(p));
  // Payloads laid out after room for their headers, as a batch writer lays them, then sealed.
  const together = new Uint8Array(payloads.reduce((n, p) => n + recordHeaderBytes + p.length, 0));
  let at = 0;
  for (const p of payloads) {
    together.set(p, at + recordHeaderBytes);
    sealRecord(together, at, p.length);
    at += recordHeaderBytes + p.length;
  }
  assert.deepEqual(together, Uint8Array.from(separately.flatMap((r) => [...r])));
  assert.deepEqual(scanRecords(together).records.map((r) => [...r]), payloads.map((p) => [...p]));
  assert.throws(() => sealRecord(new Uint8Array(recordHeaderBytes), 0, 0), /must not be empty/);
});

test('bytesOfChunks: a range of chunks laid end to end, a view inside one chunk, a copy across them, cut at the end', () => {
  const chunks = [Uint8Array.of(0, 1, 2), Uint8Array.of(3), Uint8Array.of(4, 5, 6, 7)];
  const whole = concatBytes(chunks);
  for (let offset = 0; offset <= whole.length; offset++) {
    for (let length = 1; length <= 9; length++) assert.deepEqual(bytesOfChunks(chunks, offset, length), whole.subarray(offset, offset + length), `${offset}+${length}`);
  }
  assert.equal(bytesOfChunks(chunks, 4, 2).buffer, chunks[2].buffer, 'inside one chunk: no copy');
});
