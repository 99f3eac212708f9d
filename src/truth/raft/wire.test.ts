import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { decodePeerMessage, encodePeerMessage } from '../../runtime/peer-codec.js';
import { plainFormatTag } from '../../runtime/plain-codec.js';
import type { Entry, Message } from './types.js';
import { decodeRaftMessage, encodeRaftMessage, raftWireFormatId } from './wire.js';

/** fast-check's records have no prototype; messages are built as object literals, and arrive so. */
const rec = <T extends object>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> => fc.record(model).map((r) => ({ ...r }) as T);

/** Numbers as Raft's fields may hold them, and the ones that trip a varint: fractions, negatives, -0, NaN, the safe limits. */
const anyNumber = fc.oneof(
  fc.nat(),
  fc.maxSafeNat(),
  fc.constantFrom(0, 1, 127, 128, 2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER - 2, Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER, 2 ** 53, -1, -0, 0.5, NaN, Infinity, -Infinity),
  fc.double(),
);
/**
 * Commands as a state machine's entries hold them: plain JSON values, and undefined for a leader's no-op.
 * They cross as the plain codec's bytes, which write -0 as 0 (as MessagePack does): none holds -0 here.
 */
const command = fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown), rec({ op: rec({ f: fc.constantFrom('write', 'cas', 'incr'), key: fc.string(), value: fc.integer() }), session: rec({ client: fc.string(), seq: fc.nat(), ackedBelow: fc.nat() }), nowMs: fc.double().map((x) => x + 0) }));
const entry: fc.Arbitrary<Entry> = rec({ term: anyNumber, index: anyNumber, data: command });
const boot = fc.option(fc.oneof(anyNumber, fc.constant(undefined)), { nil: 'absent' as const });
const withBoot = <M extends object>(m: M, b: number | undefined | 'absent'): M => (b === 'absent' ? m : { ...m, boot: b });

/** Every type the format carries, with its optional fields present or absent, in raft.ts's key order. */
const raftMessage: fc.Arbitrary<Message> = fc.oneof(
  rec({ type: fc.constant('pre_vote' as const), term: anyNumber, lastLogIndex: anyNumber, lastLogTerm: anyNumber }),
  rec({ type: fc.constant('pre_vote_resp' as const), term: anyNumber, reject: fc.boolean() }),
  fc.tuple(rec({ type: fc.constant('vote' as const), term: anyNumber, lastLogIndex: anyNumber, lastLogTerm: anyNumber }), fc.option(fc.boolean(), { nil: undefined })).map(([m, transfer]) => (transfer === undefined ? m : { ...m, transfer })),
  rec({ type: fc.constant('vote_resp' as const), term: anyNumber, reject: fc.boolean() }),
  rec({ type: fc.constant('append' as const), term: anyNumber, prevLogIndex: anyNumber, prevLogTerm: anyNumber, entries: fc.array(entry, { maxLength: 8 }), commit: anyNumber }),
  fc.tuple(rec({ type: fc.constant('append_resp' as const), term: anyNumber, reject: fc.boolean(), index: anyNumber, hint: anyNumber }), boot).map(([m, b]) => withBoot(m, b)),
  rec({ type: fc.constant('heartbeat' as const), term: anyNumber, commit: anyNumber, context: anyNumber }),
  fc.tuple(rec({ type: fc.constant('heartbeat_resp' as const), term: anyNumber, context: anyNumber }), boot).map(([m, b]) => withBoot(m, b)),
  fc
    .tuple(
      rec({ type: fc.constant('snapshot_chunk' as const), term: anyNumber, index: anyNumber, snapTerm: anyNumber, crc: anyNumber, total: anyNumber, offset: anyNumber, bytes: fc.uint8Array({ maxLength: 64 }) }),
      // The membership a leader sends with each chunk: voters, learners, and where added members listen.
      fc.option(
        fc.tuple(rec({ voters: fc.array(fc.string(), { maxLength: 5 }), learners: fc.array(fc.string(), { maxLength: 3 }) }), fc.option(fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }).map((d) => ({ ...d })), { nil: undefined })).map(([c, addresses]) => (addresses === undefined ? c : { ...c, addresses })),
        { nil: undefined },
      ),
    )
    .map(([m, conf]) => (conf === undefined ? m : { ...m, conf })),
  rec({ type: fc.constant('snapshot_chunk_resp' as const), term: anyNumber, index: anyNumber, crc: anyNumber, received: anyNumber }),
  rec({ type: fc.constant('timeout_now' as const), term: anyNumber }),
);

/** Keys in order, all the way down: a decoded message must list its keys as the sent one did. */
function keyOrder(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(keyOrder);
  if (typeof v !== 'object' || v === null || v instanceof Uint8Array) return typeof v;
  return Object.entries(v).map(([k, x]) => [k, keyOrder(x)]);
}

test('every Raft message type survives the wire exactly: values, -0 and NaN, optional keys, key order (property, 3,000 messages)', () => {
  fc.assert(
    fc.property(raftMessage, (m) => {
      const bytes = encodePeerMessage(m);
      assert.equal(bytes[0], plainFormatTag);
      assert.equal(bytes[1], raftWireFormatId, `${m.type} is carried by the Raft format`);
      const decoded = decodePeerMessage(bytes);
      assert.deepStrictEqual(decoded, m);
      assert.deepStrictEqual(keyOrder(decoded), keyOrder(m));
    }),
    { numRuns: 3_000, seed: 26 },
  );
});

/** The format's bytes, pinned: see the same test of the plain codec (plain-codec.test.ts) for how the digest was taken. */
test('the bytes of 4,000 random Raft messages are the pinned format, byte for byte', () => {
  const digest = createHash('sha256');
  for (const m of fc.sample(raftMessage, { seed: 2026, numRuns: 4_000 })) {
    const bytes = encodeRaftMessage(m);
    digest.update(bytes === undefined ? 'refused' : bytes);
    digest.update('|');
  }
  assert.equal(digest.digest('hex').slice(0, 16), 'ed170273e25d877f');
});

test('a message the format does not know exactly goes the general way, and still arrives as sent', () => {
  const entries: Entry[] = [{ term: 2, index: 7, data: { op: 'put' } }];
  const others: unknown[] = [
    { type: 'append', term: 2, prevLogIndex: 6, prevLogTerm: 2, entries, commit: 5, extra: 1 },
    { type: 'append', term: 2, prevLogIndex: 6, prevLogTerm: 2, commit: 5, entries },
    { type: 'append', term: 2, prevLogIndex: 6, prevLogTerm: 2, entries: [{ index: 7, term: 2, data: 1 }], commit: 5 },
    { type: 'append', term: '2', prevLogIndex: 6, prevLogTerm: 2, entries, commit: 5 },
    { type: 'append', term: 2, prevLogIndex: 6, prevLogTerm: 2, entries: [{ term: 2, index: 7, data: new Map([['a', 1]]) }], commit: 5 },
    { type: 'pre_vote', term: 1, lastLogIndex: 0, lastLogTerm: 0, transfer: true },
    { type: 'snapshot', term: 3, snapshot: { index: 9, term: 3, data: { k: 'v' } } },
    { type: 'snapshot_chunk', term: 1, index: 2, snapTerm: 1, crc: 3, total: 4, offset: 0, bytes: Buffer.from([1, 2]) },
    { type: 'client_request', id: 1 },
  ];
  for (const m of others) {
    assert.equal(encodeRaftMessage(m), undefined, JSON.stringify(m));
    assert.notEqual(encodePeerMessage(m)[1], raftWireFormatId);
  }
  assert.deepStrictEqual(decodePeerMessage(encodePeerMessage(others[0])), others[0]);
});

test('a batch of entries sent to several followers is encoded once and copied; another batch is not mistaken for it', () => {
  const entries: Entry[] = Array.from({ length: 4 }, (_, i) => ({ term: 3, index: 10 + i, data: { op: { f: 'write', key: `k${i}`, value: i } } }));
  const toFollower = (from: number) => ({ type: 'append' as const, term: 3, prevLogIndex: 9 + from, prevLogTerm: 3, entries: entries.slice(from), commit: 9 });
  const first = encodeRaftMessage(toFollower(0))!;
  assert.deepStrictEqual(encodeRaftMessage(toFollower(0)), first);
  // The same indices, another entry object with another command (a new leader's): its own bytes.
  const replaced = [...entries.slice(0, 3), { term: 4, index: 13, data: { op: { f: 'write', key: 'k3', value: 99 } } }];
  const other = decodeRaftMessage(encodeRaftMessage({ ...toFollower(0), entries: replaced })!);
  assert.deepStrictEqual(other, { ...toFollower(0), entries: replaced });
  for (let from = 0; from < 4; from++) assert.deepStrictEqual(decodeRaftMessage(encodeRaftMessage(toFollower(from))!), toFollower(from));
});

test('damaged bytes are refused with an error, never a wrong message: every cut, an unknown type, a byte too many', () => {
  const m: Message = { type: 'append', term: 3, prevLogIndex: 9, prevLogTerm: 2, entries: [{ term: 3, index: 10, data: { op: 'x', v: 0.25 } }], commit: 9 };
  const bytes = encodeRaftMessage(m)!;
  for (let cut = 0; cut < bytes.length; cut++) assert.throws(() => decodePeerMessage(bytes.subarray(0, cut)), Error, `cut at ${cut}`);
  assert.throws(() => decodeRaftMessage(Uint8Array.from([...bytes, 0])), /bytes after/);
  assert.throws(() => decodeRaftMessage(Uint8Array.from([plainFormatTag, raftWireFormatId, 200])), /unknown type/);
  assert.throws(() => decodePeerMessage(Uint8Array.from([plainFormatTag, 0xff, 1])), /not registered/);
});
