/**
 * Batching: many small requests become one round trip. Items collect until the batch has
 * `maxSize` of them or the first has waited `maxDelayMs`, whichever comes first, and then go out
 * together. A round trip's fixed cost (latency, per-message CPU, a disk sync) is paid once per batch
 * instead of once per item; the price is up to maxDelayMs of extra latency when traffic is light.
 *
 * `BatchCollector` is the synchronous core (the host owns the timer); `Batcher` is the async
 * adapter: `add(item)` resolves with the item's own result from the batch call.
 */
import type { Timers } from '../../runtime/clock.js';
import { nonNegative, positiveInt } from '../../runtime/config-error.js';

export class BatchCollector<T> {
  private items: T[] = [];
  constructor(
    readonly maxSize: number,
    readonly maxDelayMs: number,
  ) {
    positiveInt('maxSize', maxSize);
    nonNegative('maxDelayMs', maxDelayMs);
  }

  get pending(): number {
    return this.items.length;
  }

  /**
   * Add an item. Returns the batch if it is now full; `first` is true when the item opened a new
   * batch (the host starts the maxDelayMs timer then, and calls flush() when it fires).
   */
  add(item: T): { batch?: T[]; first: boolean } {
    this.items.push(item);
    const first = this.items.length === 1;
    if (this.items.length >= this.maxSize) return { batch: this.flush(), first };
    return { first };
  }

  /** Everything collected so far (empty if nothing). */
  flush(): T[] {
    const b = this.items;
    this.items = [];
    return b;
  }
}

export class Batcher<T, R> {
  private readonly collector: BatchCollector<{ item: T; resolve: (r: R) => void; reject: (e: unknown) => void }>;
  private timer: unknown;
  /** Batches sent so far. */
  batches = 0;

  constructor(
    /** Runs one batch; must return one result per item, in order. */
    private readonly run: (items: T[]) => Promise<R[]>,
    opts: { maxSize: number; maxDelayMs: number },
    private readonly timers: Timers,
  ) {
    this.collector = new BatchCollector(opts.maxSize, opts.maxDelayMs);
  }

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const { batch, first } = this.collector.add({ item, resolve, reject });
      if (batch !== undefined) {
        if (!first) this.timers.clear(this.timer);
        return this.send(batch);
      }
      if (first) this.timer = this.timers.set(this.collector.maxDelayMs, () => this.send(this.collector.flush()));
    });
  }

  private send(batch: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[]): void {
    if (batch.length === 0) return;
    this.batches++;
    this.run(batch.map((b) => b.item)).then(
      (results) => {
        if (results.length !== batch.length) {
          const e = new Error(`a batch of ${batch.length} returned ${results.length} results`);
          for (const b of batch) b.reject(e);
          return;
        }
        batch.forEach((b, i) => b.resolve(results[i]));
      },
      (e) => {
        for (const b of batch) b.reject(e);
      },
    );
  }
}
