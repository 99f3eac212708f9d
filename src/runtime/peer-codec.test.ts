import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePeerMessage, encodePeerMessage, peerCodecLoss } from './peer-codec.js';

test('plain messages round-trip: objects, arrays, bytes, undefined, NaN, 64-bit integers', () => {
  const msg = { type: 'append', term: 3, entries: [{ index: 1, cmd: { op: 'put', key: 'k', value: 'v' } }], data: new Uint8Array([1, 2, 3]), hint: undefined, ratio: NaN, big: 2n ** 60n };
  assert.equal(peerCodecLoss(msg), undefined);
  assert.deepEqual(decodePeerMessage(encodePeerMessage(msg)), { ...msg, data: Buffer.from([1, 2, 3]) });
});

test('an encoded message stays intact while later messages are encoded', () => {
  const first = encodePeerMessage({ type: 'first' });
  for (let i = 0; i < 10_000; i++) encodePeerMessage({ type: 'later', i, pad: 'x'.repeat(i % 200) });
  assert.deepEqual(decodePeerMessage(first), { type: 'first' });
});

test('peerCodecLoss names the path and what arrives instead', () => {
  class Vote {
    constructor(readonly term: number) {}
  }
  assert.equal(peerCodecLoss({ type: 'x', acks: new Map([['n1', 1]]) }), '.acks: a Map arrives as an object');
  assert.equal(peerCodecLoss({ type: 'x', peers: [new Set(['n1'])] }), '.peers[0]: a Set arrives as an array');
  assert.equal(peerCodecLoss({ vote: new Vote(2) }), '.vote: a Vote arrives as an object');
  assert.equal(peerCodecLoss({ onDone: () => 1 }), '.onDone: function arrives as undefined');
  assert.equal(peerCodecLoss({ zero: -0 }), '.zero: 0 arrives as 0');
});
