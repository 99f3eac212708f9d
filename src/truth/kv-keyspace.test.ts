/**
 * The pure parts of Redis's keyspace commands: glob patterns as Redis matches them, SCAN's order and
 * cursor, GETRANGE and SETRANGE on byte strings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byteRange, globMatch, overwriteAt, scanPosition, scanStep, ScanOrder } from './kv-keyspace.js';

const orderOf = (keys: Iterable<string>): ScanOrder => {
  const order = new ScanOrder();
  for (const k of keys) order.add(k);
  return order;
};
const all = () => true;

test('glob patterns match as Redis matches them', () => {
  const cases: [string, string, boolean][] = [
    ['*', '', true],
    ['h?llo', 'hello', true],
    ['h?llo', 'hllo', false],
    ['h*llo', 'heeeello', true],
    ['h*llo', 'hellox', false],
    ['h[ae]llo', 'hallo', true],
    ['h[ae]llo', 'hillo', false],
    ['h[^e]llo', 'hallo', true],
    ['h[^e]llo', 'hello', false],
    ['h[a-b]llo', 'hbllo', true],
    ['h[b-a]llo', 'hbllo', true],
    ['h[a-b]llo', 'hcllo', false],
    ['h\\*llo', 'h*llo', true],
    ['h\\*llo', 'hello', false],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXbYY', false],
    ['[\\]]', ']', true],
  ];
  for (const [pattern, s, want] of cases) assert.equal(globMatch(pattern, s), want, `${pattern} ~ ${s}`);
});

test('SCAN returns every key present throughout exactly in position order, never splitting equal positions, whatever changes between calls', () => {
  const keys = Array.from({ length: 1_000 }, (_, i) => `key:${i}`);
  const seen = new Set<string>();
  let cursor = 0;
  let calls = 0;
  const order = orderOf(keys);
  do {
    const [next, page] = scanStep(order, cursor, 37, all, all);
    for (const k of page) seen.add(k);
    cursor = next;
    calls++;
    // Keys come and go between calls: the ones present all along must still all be seen.
    for (const k of keys) if (k.endsWith('7')) order.delete(k);
    order.add(`new:${calls}`);
  } while (cursor !== 0);
  for (const k of keys.filter((k) => !k.endsWith('7'))) assert.ok(seen.has(k), `${k} was returned`);
  assert.ok(calls >= 900 / 37 - 1 && calls <= 1_000 / 37 + 2, `${calls} calls of 37: each returns about COUNT keys`);
  // Two keys at the same position are returned by the same call.
  const [a, b] = findCollision();
  const [, first] = scanStep(orderOf([a, b, 'other']), 0, 1, all, all);
  assert.equal(first.filter((k) => k === a || k === b).length, scanPosition(a) <= scanPosition('other') ? 2 : 0);
});

/** Two keys whose scan positions are equal (FNV-1a 32 bits collides within some 10^5 keys). */
function findCollision(): [string, string] {
  const byPosition = new Map<number, string>();
  for (let i = 0; ; i++) {
    const k = `c${i}`;
    const other = byPosition.get(scanPosition(k));
    if (other !== undefined) return [other, k];
    byPosition.set(scanPosition(k), k);
  }
}

test('GETRANGE and SETRANGE follow Redis on negative, reversed and out-of-range offsets', () => {
  const s = 'This is a string';
  assert.equal(byteRange(s, 0, 3), 'This');
  assert.equal(byteRange(s, -3, -1), 'ing');
  assert.equal(byteRange(s, 0, -1), s);
  assert.equal(byteRange(s, 10, 100), 'string');
  assert.equal(byteRange(s, -1, -5), '');
  assert.equal(byteRange('', 0, -1), '');
  assert.equal(overwriteAt('Hello World', 6, 'Redis'), 'Hello Redis');
  assert.equal(overwriteAt('', 3, 'x'), '\0\0\0x');
  assert.equal(overwriteAt('abc', 1, 'XYZW'), 'aXYZW');
});

test('scanStep gives the page and next cursor of a sort of every key ahead of the cursor, from the ordered index, as keys come and go', () => {
  // The straightforward step: every key ahead of the cursor, sorted, cut after `count` (ties kept together).
  const byFullSort = (keys: string[], cursor: number, count: number): [number, string[]] => {
    const from = cursor === 0 ? 0 : cursor - 1;
    const ahead = keys.map((k) => [scanPosition(k), k] as [number, string]).filter(([at]) => at >= from);
    ahead.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    let end = Math.min(count, ahead.length);
    while (end < ahead.length && end > 0 && ahead[end][0] === ahead[end - 1][0]) end++;
    return [end < ahead.length ? ahead[end][0] + 1 : 0, ahead.slice(0, end).map(([, k]) => k)];
  };
  let seed = 7;
  const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  for (let round = 0; round < 40; round++) {
    // Enough keys for several chunks of the index; some removed again, so chunks empty and split.
    let keys = Array.from({ length: random(3_000) }, (_, i) => `k${i}:${random(1000)}`);
    const order = orderOf(keys);
    const gone = new Set(keys.filter(() => random(4) === 0));
    for (const k of gone) order.delete(k);
    keys = keys.filter((k) => !gone.has(k));
    assert.equal(order.size, keys.length);
    const count = 1 + random(25);
    let cursor = 0;
    let steps = 0;
    const seen: string[] = [];
    do {
      const got = scanStep(order, cursor, count, all, all);
      assert.deepEqual(got, byFullSort(keys, cursor, count), `round ${round}, cursor ${cursor}, count ${count}`);
      seen.push(...got[1]);
      cursor = got[0];
      assert.ok(++steps <= keys.length + 1, 'the scan ends');
    } while (cursor !== 0);
    assert.deepEqual(seen.sort(), [...keys].sort(), 'a full scan returns every key once');
  }
});

test('a SCAN step visits COUNT entries of the index, not every key: its time does not grow with the keyspace', () => {
  const stepMs = (n: number) => {
    const order = orderOf(Array.from({ length: n }, (_, i) => `key:${i}`));
    const started = performance.now();
    let cursor = 0;
    for (let i = 0; i < 200; i++) [cursor] = scanStep(order, cursor, 10, all, all);
    return (performance.now() - started) / 200;
  };
  stepMs(1_000);
  const small = stepMs(1_000);
  const large = stepMs(100_000);
  // A pass over every key would make the large keyspace's step about 100 times the small one's (some
  // 10 ms here); the margin of 1 ms absorbs a collection pause on a busy machine.
  assert.ok(large < small * 10 + 1, `a step over 100,000 keys took ${large.toFixed(4)} ms, over 1,000 keys ${small.toFixed(4)} ms`);
});
