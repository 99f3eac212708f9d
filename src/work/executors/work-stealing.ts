/**
 * Per-worker deques with work stealing (Blumofe and Leiserson; Cilk, Java's ForkJoinPool, Tokio).
 * Each worker has its own deque: tasks land on one (by round robin, or where they were spawned),
 * the owner takes from the front, and a worker whose deque is empty steals the oldest task from the
 * fullest other deque. Per-worker queues keep workers from contending on one queue; stealing keeps
 * a worker stuck on a long task from holding the tasks queued behind it.
 *
 * When a worker steals:
 * - when-empty: only once its own deque is empty (Cilk, ForkJoinPool);
 * - twice-own: whenever another deque holds more than twice its own, even with work of its own
 *   (the seeds' rule, "B steals when A.queue > 2 * B.queue"): queues are evened out before they
 *   run dry, at the price of more steals;
 * - never: per-worker queues; a task waits for its own worker.
 */
import { positiveInt } from '../../runtime/config-error.js';
import { Fifo } from '../../runtime/fifo.js';

export type StealPolicy = 'never' | 'when-empty' | 'twice-own';

export class WorkStealingDeques<T> {
  private readonly deques: Fifo<T>[];
  private rr = 0;
  /** Tasks taken by a worker from another's deque. */
  steals = 0;

  constructor(
    readonly workers: number,
    readonly policy: StealPolicy = 'when-empty',
  ) {
    positiveInt('workers', workers);
    this.deques = Array.from({ length: workers }, () => new Fifo<T>());
  }

  private size(w: number): number {
    return this.deques[w].size;
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

  /** The next task for `worker`: its own oldest, or (as the policy says) the oldest of the fullest other deque. */
  take(worker: number): T | undefined {
    const own = this.size(worker);
    if (this.policy === 'never' || (this.policy === 'when-empty' && own > 0)) return this.deques[worker].shift();
    let victim = -1;
    for (let w = 0; w < this.workers; w++) if (w !== worker && this.size(w) > 0 && (victim < 0 || this.size(w) > this.size(victim))) victim = w;
    // when-empty: own is 0 here, so any non-empty deque is more than twice it.
    if (victim < 0 || this.size(victim) <= 2 * own) return this.deques[worker].shift();
    this.steals++;
    return this.deques[victim].shift();
  }
}
