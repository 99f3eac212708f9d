/**
 * A node's one thread, in the Context's time: pieces of work run one at a time in arrival order,
 * each taking its cost in ms before its effect happens. What is queued behind a long piece waits
 * for it: the point of the systems whose heartbeats or merges share a thread with their work.
 */
import type { Context } from './context.js';
import { Fifo } from './fifo.js';

export class SingleThread {
  private readonly queue = new Fifo<{ costMs: number; run: () => void }>();
  private busy = false;
  /** Bumped by reset: the piece running then never takes effect. */
  private generation = 0;

  constructor(
    private readonly ctx: Pick<Context, 'setTimer'>,
    /** Multiplies every cost when the piece starts (a gray failure's slowness). */
    private readonly slowness: () => number = () => 1,
  ) {}

  /** Pieces waiting, the running one not counted. */
  get queued(): number {
    return this.queue.size;
  }

  run(costMs: number, effect: () => void): void {
    this.queue.push({ costMs, run: effect });
    if (!this.busy) this.next();
  }

  /** Drop what is queued and the piece running, as a restart does. */
  reset(): void {
    this.generation++;
    this.busy = false;
    while (this.queue.shift() !== undefined);
  }

  private next(): void {
    const w = this.queue.shift();
    if (w === undefined) {
      this.busy = false;
      return;
    }
    this.busy = true;
    const g = this.generation;
    this.ctx.setTimer(w.costMs * this.slowness(), () => {
      if (g !== this.generation) return;
      w.run();
      this.next();
    });
  }
}
