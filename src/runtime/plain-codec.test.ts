import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { decodePlainMessage, encodePlainMessage, plainFormatTag } from './plain-codec.js';
import { decodePeerMessage, encodePeerMessage, messagePackRoundTrip } from './peer-codec.js';

/** Plain values as messages hold them, with the keys that trip a careless decoder. */
const plainValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, undefined, true, false, 0, -0, NaN, Infinity, -Infinity, 127, 128, -1, 2 ** 31, 2 ** 53, -(2 ** 53), Number.MAX_SAFE_INTEGER, 0.1),
    fc.double(),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.string({ unit: 'binary' }),
    fc.string(),
    fc.constant('\ufeffa string that begins with a byte-order mark'),
    fc.array(tie('value'), { maxLength: 6 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('type', 'constructor', 'toString', '0', '10', 'a"b', '\\', 'é', '\u2028', '\ufeffbom', '')), tie('value'), { maxKeys: 6 }),
    // Past 16 keys an object is written as a dictionary.
    fc.dictionary(fc.string(), tie('value'), { minKeys: 17, maxKeys: 24, depthIdentifier: 'dict' }),
  ),
}));

test('plain values arrive as MessagePack would deliver them (property, 2,000 values)', () => {
  fc.assert(
    fc.property(plainValue.value, (v) => {
      const bytes = encodePeerMessage(v);
      // An own __proto__ key is left to MessagePack; everything else is the plain codec's.
      if (!JSON.stringify(v ?? null).includes('"__proto__"')) assert.equal(bytes[0], plainFormatTag, 'a plain value is carried by the plain codec');
      const decoded = decodePeerMessage(bytes);
      assert.ok(isDeepStrictEqual(decoded, messagePackRoundTrip(v)), `${JSON.stringify(v)} arrived as ${JSON.stringify(decoded)}`);
    }),
    { numRuns: 2_000, seed: 26 },
  );
});

/** fast-check's records have no prototype; messages are built as object literals, and arrive so. */
const literal = <T extends object>(r: fc.Arbitrary<T>): fc.Arbitrary<T> => r.map((x) => ({ ...x }));
const key = fc.oneof(fc.constantFrom('k0', 'k4', 'x'), fc.string());
const operation = fc.oneof(
  literal(fc.record({ f: fc.constant('read'), key })),
  literal(fc.record({ f: fc.constantFrom('write', 'incr'), key, value: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(undefined)) })),
  literal(fc.record({ f: fc.constant('cas'), key, value: fc.tuple(fc.oneof(fc.integer(), fc.constant(null)), fc.integer()) })),
  plainValue.value,
);
const clientRequest = literal(fc.record({ type: fc.constant('client_request'), id: fc.maxSafeNat(), op: operation, attempt: fc.nat(), ackedBelow: fc.nat() }, { requiredKeys: ['type', 'id', 'op'] }));
/** The client protocol's messages as a run sends them, with odd values and keys besides. */
const clientMessage = fc.oneof(
  clientRequest,
  literal(fc.record({ type: fc.constant('client_reply'), id: fc.maxSafeNat(), status: fc.constantFrom('ok', 'fail', 'info'), value: fc.oneof(fc.integer(), fc.string(), fc.constant(null), plainValue.value), error: fc.string(), attempt: fc.nat() }, { requiredKeys: ['type', 'id', 'status'] })),
  literal(fc.record({ type: fc.constant('kv_forward'), client: fc.oneof(fc.constantFrom('c1', 'c10'), fc.string()), req: clientRequest })),
  // A message whose keys match only in part, or a value of another kind, goes the general way.
  literal(fc.record({ type: fc.constantFrom('client_request', 'client_reply', 'kv_forward'), id: fc.oneof(fc.nat(), fc.double(), fc.string()), req: plainValue.value, op: plainValue.value, status: plainValue.value }, { requiredKeys: [] })),
);

test('client messages round-trip exactly, key order included (property, 3,000 messages)', () => {
  fc.assert(
    fc.property(clientMessage, (m) => {
      const bytes = encodePeerMessage(m);
      const decoded = decodePeerMessage(bytes);
      assert.ok(isDeepStrictEqual(decoded, messagePackRoundTrip(m)), `${JSON.stringify(m)} arrived as ${JSON.stringify(decoded)}`);
      assert.deepEqual(JSON.stringify(decoded), JSON.stringify(messagePackRoundTrip(m)));
    }),
    { numRuns: 3_000, seed: 27 },
  );
});

/**
 * The format's bytes, pinned: a digest of the encodings of random values and client messages drawn with
 * a fixed seed, as the encoder wrote them when the digest was taken. A change to one byte the encoder
 * writes, for any of them, changes the digest (and every traceHash of a run that sends messages). The
 * draw depends on fast-check's version (package-lock.json): after an upgrade, take the digest again from
 * a commit whose encoder is known good.
 */
test('the bytes of 4,000 random values and client messages are the pinned format, byte for byte', () => {
  const digest = createHash('sha256');
  for (const v of fc.sample(fc.oneof(plainValue.value, clientMessage), { seed: 2026, numRuns: 4_000 })) {
    const bytes = encodePlainMessage(v);
    digest.update(bytes === undefined ? 'refused' : bytes);
    digest.update('|');
  }
  assert.equal(digest.digest('hex').slice(0, 16), 'fca1cc7b08ae2a8f');
});

test('a shape seen in many messages is built by its compiled literal, and builds the same objects', () => {
  const msgs = Array.from({ length: 12 }, (_, i) => ({ type: 'vote', term: i, lastLogIndex: i * 3, lastLogTerm: i, transfer: i % 2 === 0 }));
  for (const m of msgs) assert.deepEqual(decodePeerMessage(encodePeerMessage(m)), m);
});

test('a Raft append with its entries round-trips in the plain format, smaller than MessagePack', () => {
  const entries = Array.from({ length: 12 }, (_, i) => ({
    term: 3,
    index: 558 + i,
    data: { op: { f: 'write', key: `k${i * 7}`, value: 2598 + i }, session: { client: `c${i}`, seq: 53, ackedBelow: 53 }, nowMs: 202.25 + i / 3 },
  }));
  const append = { type: 'append', term: 3, prevLogIndex: 557, prevLogTerm: 3, entries, commit: 550 };
  const bytes = encodePeerMessage(append);
  assert.equal(bytes[0], plainFormatTag);
  assert.deepEqual(decodePeerMessage(bytes), append);
  const messagePackBytes = encodePeerMessage({ ...append, fallback: new Map() }).length;
  // Each entry's keys are written once per message, not once per entry.
  assert.ok(bytes.length < 0.7 * messagePackBytes, `${bytes.length} plain bytes vs ${messagePackBytes} MessagePack`);
});

test('anything else falls back to MessagePack, which the decoder still reads', () => {
  class Vote {
    constructor(readonly term: number) {}
  }
  for (const msg of [
    { type: 'x', acks: new Map([['n1', 1]]) },
    { type: 'x', peers: [new Set(['n1'])] },
    { type: 'x', vote: new Vote(2) },
    { type: 'x', data: new Uint8Array([1, 2, 3]) },
    { type: 'x', big: 2n ** 60n },
    { type: 'x', onDone: () => 1 },
    JSON.parse('{"__proto__": {"polluted": true}}'),
  ]) {
    assert.equal(encodePlainMessage(msg), undefined, `${String(Object.keys(msg))} is not plain`);
    const bytes = encodePeerMessage(msg);
    assert.notEqual(bytes[0], plainFormatTag);
    assert.ok(isDeepStrictEqual(decodePeerMessage(bytes), messagePackRoundTrip(msg)));
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('nesting past the limit falls back instead of overflowing the stack', () => {
  let deep: unknown = 1;
  for (let i = 0; i < 300; i++) deep = [deep];
  assert.equal(encodePlainMessage(deep), undefined);
  assert.ok(isDeepStrictEqual(decodePeerMessage(encodePeerMessage(deep)), deep));
});

test('damaged bytes are refused with an Error, never decoded past their end', () => {
  const bytes = encodePlainMessage({ type: 'append', entries: [{ term: 1, index: 2, data: { op: 'put', key: 'ké', value: 1.5 } }] })!;
  for (let cut = 1; cut < bytes.length; cut++) assert.throws(() => decodePlainMessage(bytes.subarray(0, cut)), Error, `cut at ${cut}`);
  assert.throws(() => decodePlainMessage(Uint8Array.from([...bytes, 0])), /bytes after the value/);
  // A shape named before it is defined, an unknown tag, a count larger than the message.
  assert.throws(() => decodePlainMessage(Uint8Array.from([plainFormatTag, 0x89, 5])), /shape 5 before its definition/);
  assert.throws(() => decodePlainMessage(Uint8Array.from([plainFormatTag, 0xff])), /unknown tag/);
  assert.throws(() => decodePlainMessage(Uint8Array.from([plainFormatTag, 0x88, 0xff, 0xff, 0x7f])), /cut short/);
  // A __proto__ key written by hand is refused rather than turned into a prototype.
  assert.throws(() => decodePlainMessage(Uint8Array.from([plainFormatTag, 0x89, 0, 1, 9, ...Buffer.from('__proto__'), 0x80])), /__proto__/);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (tail) => {
      try {
        decodePlainMessage(Uint8Array.from([plainFormatTag, ...tail]));
      } catch (e) {
        assert.ok(e instanceof Error && e.message.startsWith('plain-codec message'), String(e));
      }
    }),
    { numRuns: 2_000, seed: 26 },
  );
});

test('an encoded message stays intact while later, larger messages reuse the encoder', () => {
  const first = encodePlainMessage({ type: 'first', n: 1 })!;
  for (let i = 0; i < 200; i++) encodePlainMessage({ type: 'later', pad: 'x'.repeat(i * 1000) });
  assert.deepEqual(decodePlainMessage(first), { type: 'first', n: 1 });
});
