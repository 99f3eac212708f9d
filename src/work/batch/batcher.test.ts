import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../runtime/clock.js';
import { BatchCollector, Batcher } from './batcher.js';

test('a collector hands out a batch when it is full, and whatever it holds on flush', () => {
  const c = new BatchCollector<number>(3, 10);
  assert.deepEqual(c.add(1), { first: true });
  assert.deepEqual(c.add(2), { first: false });
  assert.deepEqual(c.add(3), { batch: [1, 2, 3], first: false });
  c.add(4);
  assert.deepEqual(c.flush(), [4]);
  assert.deepEqual(c.flush(), []);
  assert.throws(() => new BatchCollector(0, 1), /maxSize/);
});

test('the batcher sends full batches at once and partial ones after maxDelayMs; each caller gets its own result', async () => {
  const clock = new ManualClock();
  const calls: number[][] = [];
  const b = new Batcher<number, number>(async (xs) => (calls.push(xs), xs.map((x) => x * 10)), { maxSize: 3, maxDelayMs: 5 }, clock);
  const first = await Promise.all([b.add(1), b.add(2), b.add(3)]);
  assert.deepEqual(first, [10, 20, 30]);
  const late = b.add(4);
  assert.deepEqual(calls, [[1, 2, 3]], 'a lone item waits for company');
  clock.advance(5);
  assert.equal(await late, 40);
  assert.deepEqual(calls, [[1, 2, 3], [4]]);
  assert.equal(b.batches, 2);
});

test('a batch that fails fails every item in it; a short answer is an error too', async () => {
  const clock = new ManualClock();
  const broken = new Batcher<number, number>(async () => Promise.reject(new Error('db down')), { maxSize: 2, maxDelayMs: 5 }, clock);
  const r = await Promise.allSettled([broken.add(1), broken.add(2)]);
  assert.deepEqual(r.map((x) => x.status), ['rejected', 'rejected']);
  const short = new Batcher<number, number>(async () => [1], { maxSize: 2, maxDelayMs: 5 }, clock);
  await assert.rejects(Promise.all([short.add(1), short.add(2)]), /a batch of 2 returned 1 results/);
});
