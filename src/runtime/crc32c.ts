/**
 * CRC-32C (Castagnoli), the checksum of the write-ahead log's records (src/runtime/records.ts).
 *
 * Why this polynomial: it is the one iSCSI (RFC 3720), ext4 metadata, Btrfs and LevelDB/RocksDB use,
 * chosen by Castagnoli for a larger Hamming distance than the zlib CRC-32 at record-sized lengths, and
 * the one CPUs accelerate (SSE4.2 `crc32`, ARMv8 `crc32c*`), so files written here can be checked by
 * other tools.
 *
 * Why slicing-by-8 (Kounavis & Berry, "A Systematic Approach to Building High Performance
 * Software-based CRC Generators", 2005): the byte-at-a-time table loop has a dependency chain of one
 * table lookup per byte; eight tables let one step fold eight bytes with eight independent lookups,
 * several times faster in pure JavaScript. The input is read byte by byte (not through a Uint32Array
 * view), so any subarray works whatever its alignment and the result does not depend on endianness.
 */

/** The reflected (LSB-first) form of the Castagnoli polynomial 0x1EDC6F41. */
const castagnoliReflected = 0x82f63b78;
const tableCount = 8;
const tableEntries = 256;

/**
 * tables[k * 256 + b] is the CRC of byte b followed by k zero bytes, so one step can fold the byte
 * that is k positions before the end of an 8-byte block. Int32Array: the values are used only through
 * bitwise operators, which work on int32 anyway, and V8 keeps an Int32Array read as a small integer.
 */
const tables = buildTables();

function buildTables(): Int32Array {
  const t = new Int32Array(tableCount * tableEntries);
  for (let b = 0; b < tableEntries; b++) {
    let c = b;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? (c >>> 1) ^ castagnoliReflected : c >>> 1;
    t[b] = c;
  }
  for (let b = 0; b < tableEntries; b++) {
    let c = t[b];
    for (let k = 1; k < tableCount; k++) {
      c = t[c & 0xff] ^ (c >>> 8);
      t[k * tableEntries + b] = c;
    }
  }
  return t;
}

/**
 * CRC-32C of `data`, an unsigned 32-bit number. `initial` is the CRC of what came before, so
 * `crc32c(b, crc32c(a))` equals the CRC of a followed by b (a running CRC over several buffers).
 */
export function crc32c(data: Uint8Array, initial = 0): number {
  const t = tables;
  let crc = ~initial;
  let i = 0;
  const n = data.length;
  const blocksEnd = n - (n % 8);
  while (i < blocksEnd) {
    const lo = crc ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
    crc =
      t[7 * 256 + (lo & 0xff)] ^
      t[6 * 256 + ((lo >>> 8) & 0xff)] ^
      t[5 * 256 + ((lo >>> 16) & 0xff)] ^
      t[4 * 256 + (lo >>> 24)] ^
      t[3 * 256 + data[i + 4]] ^
      t[2 * 256 + data[i + 5]] ^
      t[1 * 256 + data[i + 6]] ^
      t[data[i + 7]];
    i += 8;
  }
  while (i < n) {
    crc = t[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
    i++;
  }
  return ~crc >>> 0;
}
