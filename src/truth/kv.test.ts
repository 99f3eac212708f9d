import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KvStateMachine, sessionRequestsMax, type KvCommand } from './kv.js';

const incr = (client: string, seq: number, ackedBelow?: number): KvCommand => ({ op: { f: 'incr', key: 'x', value: 1 }, session: { client, seq, ackedBelow } });

test('a retried command applies once and answers what the first copy answered', () => {
  const kv = new KvStateMachine();
  assert.deepEqual(kv.apply(incr('c1', 1)), { ok: true, value: 1 });
  assert.deepEqual(kv.apply(incr('c1', 1)), { ok: true, value: 1 });
  assert.equal(kv.get('x'), 1);
  assert.equal(kv.applied, 1);
});

test('a late retry still applies once after many other clients wrote meanwhile', () => {
  const kv = new KvStateMachine();
  kv.apply(incr('slow', 1));
  for (let i = 1; i <= 5_000; i++) kv.apply(incr(`c${i % 50}`, i, i));
  kv.apply(incr('slow', 1));
  assert.equal(kv.get('x'), 5_001);
});

test('acknowledged requests are forgotten, and a late copy of one is refused, not applied', () => {
  const kv = new KvStateMachine();
  for (let seq = 1; seq <= 100; seq++) kv.apply(incr('c1', seq, seq));
  // Each request said the ones before it were answered: one result is kept, not a hundred.
  assert.equal(kv.sessionResults(), 1);
  const late = kv.apply(incr('c1', 3, 3));
  assert.equal(late.ok, false);
  assert.equal(kv.get('x'), 100);
});

test('a client that never acknowledges is bounded: its oldest results go, and their retries are refused', () => {
  const kv = new KvStateMachine();
  for (let seq = 1; seq <= sessionRequestsMax + 10; seq++) kv.apply(incr('c1', seq));
  assert.equal(kv.sessionResults(), sessionRequestsMax);
  assert.equal(kv.apply(incr('c1', 1)).ok, false);
  assert.equal(kv.get('x'), sessionRequestsMax + 10);
});

test('sessions survive a snapshot: a retry after restore is answered from the session', () => {
  const kv = new KvStateMachine();
  kv.apply(incr('c1', 7, 7));
  const copy = new KvStateMachine();
  copy.restore(JSON.parse(JSON.stringify(kv.snapshot())));
  assert.deepEqual(copy.apply(incr('c1', 7, 7)), { ok: true, value: 1 });
  assert.equal(copy.get('x'), 1);
});

test('without a session every copy applies (the phantom-write naive design)', () => {
  const kv = new KvStateMachine();
  kv.apply({ op: { f: 'incr', key: 'x', value: 1 } });
  kv.apply({ op: { f: 'incr', key: 'x', value: 1 } });
  assert.equal(kv.get('x'), 2);
});

const at = (nowMs: number, op: KvCommand['op']): KvCommand => ({ op, nowMs });

test("Redis's SET: NX and XX conditions answer false without writing; a TTL counts from the command's clock; a plain write clears it", () => {
  const kv = new KvStateMachine();
  assert.deepEqual(kv.apply(at(0, { f: 'set', key: 'k', value: { v: 'a', xx: true } })), { ok: true, value: false });
  assert.equal(kv.get('k'), null);
  assert.deepEqual(kv.apply(at(0, { f: 'set', key: 'k', value: { v: 'a', nx: true, ttlMs: 100 } })), { ok: true, value: true });
  assert.deepEqual(kv.apply(at(50, { f: 'set', key: 'k', value: { v: 'b', nx: true } })), { ok: true, value: false });
  assert.equal(kv.get('k', 99), 'a');
  assert.equal(kv.get('k', 100), null, 'expired at its deadline');
  // Expired keys are absent to commands too: NX succeeds on one.
  assert.deepEqual(kv.apply(at(150, { f: 'set', key: 'k', value: { v: 'c', nx: true, ttlMs: 100 } })), { ok: true, value: true });
  assert.equal(kv.nextExpiryMs(), 250);
  kv.apply(at(160, { f: 'write', key: 'k', value: 'd' }));
  assert.equal(kv.get('k', 10_000), 'd', 'a plain write clears the TTL');
  assert.equal(kv.nextExpiryMs(), Infinity);
});

test("SET's GET answers the value before, KEEPTTL keeps the deadline, EXAT/PXAT set an absolute one", () => {
  const kv = new KvStateMachine();
  kv.apply(at(0, { f: 'set', key: 'k', value: { v: 'a', ttlMs: 100 } }));
  assert.deepEqual(kv.apply(at(10, { f: 'set', key: 'k', value: { v: 'b', keepTtl: true, get: true } })), { ok: true, value: 'a' });
  assert.equal(kv.get('k', 99), 'b');
  assert.equal(kv.get('k', 100), null, 'KEEPTTL kept the deadline of the first SET');
  assert.deepEqual(kv.apply(at(200, { f: 'set', key: 'k', value: { v: 'c', nx: true, get: true } })), { ok: true, value: null }, 'the expired key is absent: NX writes, GET answers nil');
  assert.deepEqual(kv.apply(at(200, { f: 'set', key: 'k', value: { v: 'd', nx: true, get: true } })), { ok: true, value: 'c' }, 'NX fails, GET still answers');
  assert.equal(kv.get('k', 200), 'c');
  kv.apply(at(200, { f: 'set', key: 'k', value: { v: 'e', atMs: 500 } }));
  assert.equal(kv.get('k', 499), 'e');
  assert.equal(kv.get('k', 500), null, 'PXAT: absolute deadline');
  kv.apply(at(600, { f: 'set', key: 'past', value: { v: 'x', atMs: 1 } }));
  assert.equal(kv.get('past', 600), null, 'a deadline in the past: the key is gone at once');
});

test('DEL and EXISTS count live keys; MGET and MSET; INCR keeps a TTL and refuses what is not an integer', () => {
  const kv = new KvStateMachine();
  kv.apply(at(0, { f: 'mset', value: [['a', '1'], ['b', '2'], ['c', 'x']] }));
  kv.apply(at(0, { f: 'set', key: 't', value: { v: '5', ttlMs: 10 } }));
  assert.deepEqual(kv.query({ f: 'mget', value: ['a', 'b', 'nope', 't'] }, 5), ['1', '2', null, '5']);
  assert.equal(kv.query({ f: 'exists', value: ['a', 'a', 'nope', 't'] }, 20), 2, 'an expired key does not exist; a key named twice counts twice');
  assert.deepEqual(kv.apply(at(5, { f: 'incr', key: 't', value: 10 })), { ok: true, value: 15 });
  assert.equal(kv.get('t', 11), null, 'INCR kept the deadline');
  assert.deepEqual(kv.apply(at(0, { f: 'incr', key: 'c', value: 1 })), { ok: false, error: 'value is not an integer or out of range' });
  assert.deepEqual(kv.apply(at(0, { f: 'incr', key: 'a', value: -3 })), { ok: true, value: -2 });
  assert.deepEqual(kv.apply(at(0, { f: 'incr', key: 'a', value: Number.MAX_SAFE_INTEGER })), { ok: true, value: Number.MAX_SAFE_INTEGER - 2 });
  assert.deepEqual(kv.apply(at(0, { f: 'incr', key: 'a', value: 10 })), { ok: true, value: '9007199254740999' }, 'past 2^53 the counter is kept as its digits, not rounded');
  assert.deepEqual(kv.apply(at(0, { f: 'incr', key: 'a', value: '9214364837600034808' })), { ok: true, value: '9223372036854775807' }, 'up to the int64 limit, as in Redis');
  assert.deepEqual(kv.apply(at(0, { f: 'incr', key: 'a', value: 1 })), { ok: false, error: 'increment or decrement would overflow' });
  kv.apply(at(0, { f: 'write', key: 'negzero', value: '-0' }));
  assert.deepEqual(kv.apply(at(0, { f: 'incr', key: 'negzero', value: 1 })), { ok: false, error: 'value is not an integer or out of range' }, 'Redis does not read "-0" as an integer');
  assert.deepEqual(kv.apply(at(20, { f: 'del', value: ['a', 'b', 'nope', 't'] })), { ok: true, value: 2 }, 't had expired: not counted');
  assert.equal(kv.get('a'), null);
  // A counter compares by its digits in a CAS from a Redis client.
  kv.apply(at(0, { f: 'incr', key: 'n', value: 7 }));
  assert.deepEqual(kv.apply(at(0, { f: 'cas', key: 'n', value: ['7', '8'] })), { ok: true });
});

test('the expiry sweep removes exactly the keys whose deadline passed; a snapshot keeps the deadlines', () => {
  const kv = new KvStateMachine();
  for (let i = 0; i < 10; i++) kv.apply(at(0, { f: 'set', key: `k${i}`, value: { v: 'v', ttlMs: (i + 1) * 100 } }));
  kv.apply(at(0, { f: 'write', key: 'forever', value: 'v' }));
  assert.deepEqual(kv.apply(at(450, { f: 'expire-sweep' })), { ok: true, value: 4 });
  assert.equal(kv.data.size, 7);
  const copy = new KvStateMachine();
  copy.restore(kv.snapshot());
  assert.equal(copy.expires.size, 6);
  assert.equal(copy.get('k9', 999), 'v');
  assert.equal(copy.get('k9', 1000), null);
});

test('a transaction applies its operations in one command; a watched version that moved (or a snapshot restore in between) is judged the same on every replica', () => {
  const kv = new KvStateMachine();
  kv.apply(at(0, { f: 'write', key: 'a', value: '1' }));
  const [version] = kv.query({ f: 'versions', value: ['a'] }, 0) as number[];
  assert.ok(version > 0);
  const tx = (watch: [string, number][]) => at(0, { f: 'multi', value: { ops: [{ f: 'incr', key: 'a', value: 1 }, { f: 'read', key: 'a' }], watch } });
  // A replica restored from a snapshot judges the same transaction the same way.
  const replica = new KvStateMachine();
  replica.restore(kv.snapshot());
  assert.deepEqual(replica.apply(tx([['a', version]])), { ok: true, value: [{ ok: true, value: 2 }, { ok: true, value: 2 }] });
  assert.deepEqual(kv.apply(tx([['a', version]])), { ok: true, value: [{ ok: true, value: 2 }, { ok: true, value: 2 }] });
  assert.deepEqual(kv.apply(tx([['a', version]])), { ok: true, value: null }, 'the first transaction changed a: the second applies nothing');
  assert.equal(kv.get('a'), 2);
});

test('a hash is copied into a snapshot: a later HSET changes neither the snapshot nor a replica restored from it', () => {
  const kv = new KvStateMachine();
  kv.apply(at(0, { f: 'hset', key: 'h', value: [['a', '1']] }));
  const snap = kv.snapshot();
  kv.apply(at(0, { f: 'hset', key: 'h', value: [['b', '2']] }));
  const replica = new KvStateMachine();
  replica.restore(JSON.parse(JSON.stringify(snap)));
  assert.deepEqual(replica.query({ f: 'hgetall', key: 'h' }), [['a', '1']]);
  assert.deepEqual(kv.query({ f: 'hgetall', key: 'h' }), [['a', '1'], ['b', '2']]);
  assert.deepEqual(replica.apply(at(0, { f: 'incr', key: 'h', value: 1 })), { ok: false, error: 'WRONGTYPE Operation against a key holding the wrong kind of value' });
  assert.deepEqual(replica.apply(at(0, { f: 'hdel', key: 'h', value: ['a'] })), { ok: true, value: 1 });
  assert.equal(replica.query({ f: 'type', key: 'h' }), 'none', 'an emptied hash is removed');
});

test('lists, sets and sorted sets survive a snapshot, in their order and with infinite scores', () => {
  const kv = new KvStateMachine();
  kv.apply({ op: { f: 'rpush', key: 'l', value: ['a', 'b', 'c'] } });
  kv.apply({ op: { f: 'sadd', key: 's', value: ['3', '1', 'x'] } });
  kv.apply({ op: { f: 'zadd', key: 'z', value: { pairs: [['Infinity', 'top'], ['1.5', 'mid'], ['-Infinity', 'low']] } } });
  const copy = new KvStateMachine();
  copy.restore(JSON.parse(JSON.stringify(kv.snapshot())));
  assert.deepEqual(copy.query({ f: 'lrange', key: 'l', value: [0, -1] }), ['a', 'b', 'c']);
  assert.deepEqual(copy.query({ f: 'smembers', key: 's' }), ['1', '3', 'x']);
  assert.deepEqual(copy.query({ f: 'zrange', key: 'z', value: { by: 'rank', start: 0, stop: -1, rev: false } }), [['low', '-Infinity'], ['mid', '1.5'], ['top', 'Infinity']]);
  assert.deepEqual(['l', 's', 'z'].map((key) => copy.query({ f: 'type', key })), ['list', 'set', 'zset']);
  assert.equal(copy.apply({ op: { f: 'incr', key: 'l' } }).ok, false);
  copy.apply({ op: { f: 'lpop', key: 'l', value: { count: 3 } } });
  assert.equal(copy.query({ f: 'exists', value: ['l'] }), 0, 'an emptied list is removed');
});
