/**
 * Counters over a sliding time window, kept as `buckets` buckets of windowMs / buckets each: add to
 * a counter now, and read each counter's total over the last windowMs. Buckets older than the
 * window are skipped when reading and reset when reused. Shared by the time-window breaker, the
 * retry budget and the rate and budget kill switches.
 */
import { positive, positiveInt } from '../runtime/config-error.js';

export class SlidingCounters {
  private readonly bucketMs: number;
  /** counts[bucket * fields + field] */
  private readonly counts: Float64Array;
  /** The bucket index (time / bucketMs) each slot holds. */
  private readonly epochs: Float64Array;

  constructor(
    readonly windowMs: number,
    readonly buckets: number,
    readonly fields = 1,
  ) {
    positive('windowMs', windowMs);
    positiveInt('buckets', buckets);
    this.bucketMs = windowMs / buckets;
    this.counts = new Float64Array(buckets * fields);
    this.epochs = new Float64Array(buckets).fill(-Infinity);
  }

  add(nowMs: number, field: number, x = 1): void {
    const epoch = Math.floor(nowMs / this.bucketMs);
    const i = ((epoch % this.buckets) + this.buckets) % this.buckets;
    if (this.epochs[i] !== epoch) {
      this.epochs[i] = epoch;
      this.counts.fill(0, i * this.fields, (i + 1) * this.fields);
    }
    this.counts[i * this.fields + field] += x;
  }

  /** The total of one counter over the window ending at nowMs. */
  total(nowMs: number, field = 0): number {
    const epoch = Math.floor(nowMs / this.bucketMs);
    let s = 0;
    for (let j = 0; j < this.buckets; j++) if (epoch - this.epochs[j] < this.buckets) s += this.counts[j * this.fields + field];
    return s;
  }

  clear(): void {
    this.epochs.fill(-Infinity);
  }
}
