/**
 * A priority queue of a few classes (0 = most urgent), FIFO within a class, with optional aging:
 * an item's effective priority is its class minus the time it has waited divided by `agingMs`, so a
 * low-priority item that waited agingMs x (class gap) is served as if it were urgent. Strict
 * priorities (no aging) starve the low classes whenever the urgent ones keep the servers busy; with
 * aging, no wait grows without bound. Dequeue looks at the head of each class (the oldest of it,
 * hence the most aged): O(classes).
 */
import { nonNegative, positiveInt } from '../../runtime/config-error.js';
import { Fifo } from '../../runtime/fifo.js';

export class PriorityQueue<T> {
  private readonly classes: Fifo<{ item: T; enqueuedMs: number }>[];
  private count = 0;

  constructor(
    readonly classCount: number,
    /** 0 or undefined: strict priorities. */
    readonly agingMs?: number,
  ) {
    positiveInt('classCount', classCount);
    if (agingMs !== undefined) nonNegative('agingMs', agingMs);
    this.classes = Array.from({ length: classCount }, () => new Fifo<{ item: T; enqueuedMs: number }>());
  }

  get size(): number {
    return this.count;
  }

  push(item: T, priority: number, nowMs: number): void {
    if (!Number.isInteger(priority) || priority < 0 || priority >= this.classCount) throw new RangeError(`priority must be an integer in [0, ${this.classCount}), got ${priority}`);
    this.classes[priority].push({ item, enqueuedMs: nowMs });
    this.count++;
  }

  /** The item to serve now, or undefined when empty. */
  pop(nowMs: number): { item: T; priority: number; waitedMs: number } | undefined {
    let best = -1;
    let bestScore = Infinity;
    let bestAt = Infinity;
    for (let c = 0; c < this.classCount; c++) {
      const head = this.classes[c].peek();
      if (head === undefined) continue;
      const at = head.enqueuedMs;
      const score = this.agingMs ? c - (nowMs - at) / this.agingMs : c;
      if (score < bestScore || (score === bestScore && at < bestAt)) {
        best = c;
        bestScore = score;
        bestAt = at;
      }
    }
    if (best < 0) return undefined;
    const e = this.classes[best].shift()!;
    this.count--;
    return { item: e.item, priority: best, waitedMs: nowMs - e.enqueuedMs };
  }
}
