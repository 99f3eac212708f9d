/**
 * CRC-32C against published vectors (the "check" value of the CRC catalogue, RFC 3720 appendix B.4),
 * and the two properties the log relies on: a running CRC over pieces equals one pass, and a
 * subarray at any alignment gives the same answer as a copy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c } from './crc32c.js';

/** The slow bit-at-a-time definition, to check the sliced tables against. */
function crc32cBitwise(data: Uint8Array): number {
  let crc = ~0;
  for (const byte of data) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return ~crc >>> 0;
}

function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

test('crc32c: the catalogue check value of "123456789" is 0xE3069283', () => {
  assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
});

test('crc32c: RFC 3720 B.4 vectors (32 bytes of zeros, of ones, ascending)', () => {
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
  assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
});

test('crc32c: the empty input has CRC 0, and an unsigned result', () => {
  assert.equal(crc32c(new Uint8Array(0)), 0);
  const c = crc32c(new TextEncoder().encode('123456789'));
  assert.ok(c > 0x7fffffff, 'a CRC with the top bit set comes back positive');
});

test('crc32c: agrees with the bitwise definition at every length 0..100', () => {
  const data = pseudoRandomBytes(100, 7);
  for (let n = 0; n <= data.length; n++) assert.equal(crc32c(data.subarray(0, n)), crc32cBitwise(data.subarray(0, n)), `length ${n}`);
});

test('crc32c: continuing over two pieces equals one pass, wherever the cut', () => {
  const data = pseudoRandomBytes(300, 11);
  const whole = crc32c(data);
  for (let cut = 0; cut <= data.length; cut += 7) {
    assert.equal(crc32c(data.subarray(cut), crc32c(data.subarray(0, cut))), whole, `cut at ${cut}`);
  }
  const a = new TextEncoder().encode('1234');
  const b = new TextEncoder().encode('56789');
  assert.equal(crc32c(b, crc32c(a)), 0xe3069283);
});

test('crc32c: unaligned subarrays give the same CRC as aligned copies', () => {
  const backing = pseudoRandomBytes(1000, 3);
  for (let offset = 0; offset < 9; offset++) {
    const view = backing.subarray(offset, offset + 777);
    assert.equal(crc32c(view), crc32c(view.slice()), `offset ${offset}`);
    assert.equal(crc32c(view), crc32cBitwise(view), `offset ${offset} against the bitwise definition`);
  }
});
