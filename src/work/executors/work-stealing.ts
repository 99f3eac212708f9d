/**
 * Per-worker deques with work stealing (Blumofe and Leiserson; Cilk, Java's ForkJoinPool, Tokio).
 * Each worker has its own deque: tasks land on one (by round robin, or where they were spawned),
 * the owner takes from the front, and a worker whose deque is empty steals the oldest task from the
 * fullest other deque. Per-worker queues keep workers from contending on one queue; stealing keeps
 * a worker stuck on a long task from holding the tasks queued behind it.
 */
import { positiveInt } from '../../control/index.js';

export class WorkStealingDeques<T> {
  private readonly deques: T[][];
  private readonly heads: number[];
  private rr = 0;
  /** Tasks taken by a worker from another's deque. */
  steals = 0;

  constructor(
    readonly workers: number,
    /** false: per-worker queues without stealing (a task waits for its own worker). */
    readonly stealing = true,
  ) {
    positiveInt('workers', workers);
    this.deques = Array.from({ length: workers }, () => []);
    this.heads = new Array(workers).fill(0);
  }

  private size(w: number): number {
    return this.deques[w].length - this.heads[w];
  }

  get pending(): number {
    let n = 0;
    for (let w = 0; w < this.workers; w++) n += this.size(w);
    return n;
  }

  /** Queue a task on `worker`'s deque (default: the next by round robin); returns the worker. */
  push(task: T, worker?: number): number {
    const w = worker ?? this.rr++ % this.workers;
    this.deques[w].push(task);
    return w;
  }

  /** The next task for `worker`: its own oldest, or (stealing) the oldest of the fullest other deque. */
  take(worker: number): T | undefined {
    if (this.size(worker) > 0) return this.shift(worker);
    if (!this.stealing) return undefined;
    let victim = -1;
    for (let w = 0; w < this.workers; w++) if (w !== worker && this.size(w) > 0 && (victim < 0 || this.size(w) > this.size(victim))) victim = w;
    if (victim < 0) return undefined;
    this.steals++;
    return this.shift(victim);
  }

  private shift(w: number): T {
    const d = this.deques[w];
    const t = d[this.heads[w]++];
    if (this.heads[w] > 1024 && this.heads[w] * 2 > d.length) {
      this.deques[w] = d.slice(this.heads[w]);
      this.heads[w] = 0;
    }
    return t;
  }
}
