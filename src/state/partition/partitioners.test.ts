import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedLoadPartitioner, ConsistentHashPartitioner, GeoPartitioner, HashModN, RangePartitioner, Rendezvous, TimePartitioner, balance, movedFraction, parseUtc, utcDay } from './partitioners.js';

const nodes = (n: number) => Array.from({ length: n }, (_, i) => `n${i + 1}`);
const keys = Array.from({ length: 100_000 }, (_, i) => `user:${i}`);

test('a node joins ten: hash mod n moves ~10/11 of the keys, consistent and rendezvous hashing ~1/11', () => {
  for (const [p, want] of [
    [new HashModN(nodes(10)), 10 / 11],
    [new ConsistentHashPartitioner(nodes(10), 200), 1 / 11],
    [new Rendezvous(nodes(10)), 1 / 11],
  ] as const) {
    const moved = movedFraction(p, p.withNodes(nodes(11)), keys);
    assert.ok(Math.abs(moved - want) / want < 0.15, `${p.name}: moved ${moved}, theory ${want}`);
  }
});

test('balance: rendezvous and hash mod n are near even; virtual nodes bring a ring within 25%', () => {
  assert.ok(balance(new Rendezvous(nodes(10)), keys) < 1.05);
  assert.ok(balance(new HashModN(nodes(10)), keys) < 1.05);
  assert.ok(balance(new ConsistentHashPartitioner(nodes(10), 200), keys) < 1.25);
  assert.ok(balance(new ConsistentHashPartitioner(nodes(10), 1), keys) > 1.5, 'one point per node is lumpy');
});

test('range partitioning keeps order; splitting a hot range hands its upper part to another node', () => {
  const r = new RangePartitioner(['g', 'p'], ['n1', 'n2', 'n3']);
  assert.deepEqual(['apple', 'grape', 'zebra'].map((k) => r.owner(k)), ['n1', 'n2', 'n3']);
  const split = r.split(1, 'k', 'n4');
  assert.deepEqual(['grape', 'kiwi', 'orange', 'pear'].map((k) => split.owner(k)), ['n2', 'n4', 'n4', 'n3']);
  assert.throws(() => r.split(1, 'a', 'n4'), /at: expected a key inside range 1/);
  assert.throws(() => new RangePartitioner(['p', 'g'], ['n1', 'n2', 'n3']), /increasing order/);
});

test('merging two cold neighbours removes the split point between them and undoes a split', () => {
  const r = new RangePartitioner(['g', 'p'], ['n1', 'n2', 'n3']);
  const merged = r.merge(0, 'n2');
  assert.deepEqual(merged.splits, ['p']);
  assert.deepEqual(['apple', 'grape', 'zebra'].map((k) => merged.owner(k)), ['n2', 'n2', 'n3']);
  assert.deepEqual(r.split(1, 'k', 'n4').merge(1, 'n2'), r);
  assert.throws(() => r.merge(2, 'n1'), /a range with a right neighbour/);
});

test('geographic and time partitioning keep a region, or a period, together', () => {
  const g = new GeoPartitioner({ eu: ['n1', 'n2'], us: ['n3'] });
  assert.ok(['n1', 'n2'].includes(g.owner('eu:alice')));
  assert.equal(g.owner('us:bob'), 'n3');
  assert.throws(() => g.owner('asia:carol'), /no region "asia"/);
  const t = new TimePartitioner(nodes(4));
  assert.equal(t.owner('2026-11-23/order-1'), t.owner('2026-11-23/order-2'));
});

test('a time bucket alone puts the whole day on one node; salted, the day spreads over exactly the nodes a query of it asks', () => {
  const day = Array.from({ length: 8_000 }, (_, i) => `2026-11-23/sensor-${i}`);
  const byTime = new TimePartitioner(nodes(8));
  assert.deepEqual(new Set(day.map((k) => byTime.owner(k))), new Set(byTime.ownersOf('2026-11-23')));
  assert.equal(byTime.ownersOf('2026-11-23').length, 1);
  const salted = new TimePartitioner(nodes(8), 8);
  const counts = new Map<string, number>();
  for (const k of day) counts.set(salted.owner(k), (counts.get(salted.owner(k)) ?? 0) + 1);
  assert.deepEqual([...counts.keys()].sort(), [...salted.ownersOf('2026-11-23')].sort(), 'every salt used, and no node outside the query');
  assert.ok(Math.max(...counts.values()) < 1.15 * (day.length / 8), `busiest node ${Math.max(...counts.values())} of ${day.length}`);
  // Fewer salts than nodes: a day on 3 of 8 nodes, the next day on (most likely) others.
  const three = new TimePartitioner(nodes(8), 3);
  assert.equal(new Set(three.ownersOf('2026-11-23')).size, 3);
  for (const k of day.slice(0, 500)) assert.ok(three.ownersOf('2026-11-23').includes(three.owner(k)));
  assert.throws(() => new TimePartitioner(nodes(4), 5), /salts: expected a whole number from 1 to the 4 nodes/);
});

test('UTC days as buckets: civil dates both ways, no Date', () => {
  assert.equal(utcDay(0), '1970-01-01');
  assert.equal(utcDay(20_780 * 86_400_000), '2026-11-23');
  assert.equal(utcDay(11_016 * 86_400_000 + 86_399_999), '2000-02-29');
  assert.equal(utcDay(-1), '1969-12-31');
  assert.equal(parseUtc('2026-11-23T23:59:50Z'), 20_780 * 86_400_000 + 86_390_000);
  assert.equal(parseUtc('2000-03-01T00:00:00.5Z'), 11_017 * 86_400_000 + 500);
  for (const bad of ['2026-02-30T00:00:00Z', '2026-11-23 10:00:00', '2026-13-01T00:00:00Z', '2026-11-23T24:00:00Z']) assert.equal(parseUtc(bad), undefined, bad);
});

test('bounded loads: no node above ceil((1 + eps) m / n), even with one point per node; a join still moves few keys', () => {
  const sample = keys.slice(0, 20_000);
  const lumpy = new ConsistentHashPartitioner(nodes(10), 1);
  const bounded = new BoundedLoadPartitioner(nodes(10), sample, 0.1, 1);
  assert.ok(balance(lumpy, sample) > 1.5);
  assert.ok(balance(bounded, sample) <= 1.1 + 1e-9, `${balance(bounded, sample)}`);
  const b100 = new BoundedLoadPartitioner(nodes(10), sample, 0.25, 100);
  const moved = movedFraction(b100, b100.withNodes(nodes(11)), sample);
  assert.ok(moved < 0.25, `moved ${moved}`);
});
