import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PriorityQueue } from './priority-queue.js';

test('strict priorities: the urgent class first, FIFO within a class', () => {
  const q = new PriorityQueue<string>(2);
  q.push('low-1', 1, 0);
  q.push('high-1', 0, 1);
  q.push('low-2', 1, 2);
  q.push('high-2', 0, 3);
  assert.deepEqual([1, 2, 3, 4].map(() => q.pop(1000)!.item), ['high-1', 'high-2', 'low-1', 'low-2']);
  assert.equal(q.pop(1000), undefined);
});

test('aging: a low item that waited agingMs per class of difference goes before a fresh urgent one', () => {
  const q = new PriorityQueue<string>(3, 100);
  q.push('batch', 2, 0);
  q.push('interactive', 0, 150);
  // Scores are class - waited / agingMs, lowest first. At 180 ms: batch 2 - 1.8 = 0.2, interactive -0.3.
  assert.equal(q.pop(180)!.item, 'interactive');
  q.push('interactive-2', 0, 190);
  // At 250 ms: batch -0.5, interactive-2 -0.6: still the interactive one.
  assert.equal(q.pop(250)!.item, 'interactive-2');
  q.push('interactive-3', 0, 260);
  // At 300 ms: batch -1, interactive-3 -0.4: the batch item has waited enough.
  const e = q.pop(300)!;
  assert.deepEqual([e.item, e.priority, e.waitedMs], ['batch', 2, 300]);
  assert.throws(() => q.push('x', 3, 0), /priority must be an integer in \[0, 3\)/);
});
