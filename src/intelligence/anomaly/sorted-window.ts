/**
 * The last `capacity` values of a stream, kept both in arrival order (to know which one leaves) and
 * sorted (for order statistics). Adding a value costs one binary search and one block move; the
 * median is a lookup; the median absolute deviation (MAD) of any contiguous range of the sorted
 * values is O(log n): the deviations from the median, read outwards from it on both sides, are two
 * sorted sequences, and their median is the k-th smallest of two sorted sequences (kthDeviation).
 *
 * That last property is what makes a streaming generalized ESD affordable: removing the most extreme
 * point from a sorted range only moves one end of the range (see seasonal-esd.ts).
 */
import { positiveInt } from '../../runtime/config-error.js';

/** MAD * 1.4826 estimates the standard deviation of normal data (Rousseeuw & Croux 1993). */
export const madToStdDev = 1.4826;
/** Mean absolute deviation * sqrt(pi / 2) estimates it too: the fallback when the MAD is 0 (Iglewicz & Hoaglin 1993). */
export const meanAbsDevToStdDev = 1.2533;

export class SortedWindow {
  private readonly ring: Float64Array;
  private readonly sorted: Float64Array;
  private head = 0;
  private n = 0;

  constructor(readonly capacity: number) {
    positiveInt('capacity', capacity);
    this.ring = new Float64Array(capacity);
    this.sorted = new Float64Array(capacity);
  }

  get size(): number {
    return this.n;
  }

  get full(): boolean {
    return this.n === this.capacity;
  }

  /** Adds x; when full, the oldest value leaves. */
  push(x: number): void {
    if (this.n === this.capacity) {
      const old = this.ring[this.head];
      const i = this.lowerBound(old, 0, this.n);
      this.sorted.copyWithin(i, i + 1, this.n);
      this.n--;
      this.ring[this.head] = x;
      this.head = (this.head + 1) % this.capacity;
    } else {
      this.ring[(this.head + this.n) % this.capacity] = x;
    }
    const j = this.lowerBound(x, 0, this.n);
    this.sorted.copyWithin(j + 1, j, this.n);
    this.sorted[j] = x;
    this.n++;
  }

  /** Forgets every value. */
  clear(): void {
    this.head = 0;
    this.n = 0;
  }

  /** The i-th smallest value (0-based). */
  at(i: number): number {
    return this.sorted[i];
  }

  /** The median of the sorted values [lo, hi). */
  median(lo = 0, hi = this.n): number {
    const c = hi - lo;
    const mid = lo + (c >> 1);
    return c % 2 === 1 ? this.sorted[mid] : (this.sorted[mid - 1] + this.sorted[mid]) / 2;
  }

  /** The median absolute deviation of the sorted values [lo, hi) from their median m. */
  mad(m = this.median(), lo = 0, hi = this.n): number {
    const c = hi - lo;
    if (c === 0) return 0;
    const p = this.lowerBound(m, lo, hi);
    const k = c >> 1;
    const upper = this.kthDeviation(m, lo, p, hi, k);
    return c % 2 === 1 ? upper : (this.kthDeviation(m, lo, p, hi, k - 1) + upper) / 2;
  }

  /** A robust standard deviation of [lo, hi): 1.4826 MAD, or 1.2533 mean |x - m| when the MAD is 0. */
  robustStdDev(m = this.median(), lo = 0, hi = this.n): number {
    const mad = this.mad(m, lo, hi);
    if (mad > 0) return madToStdDev * mad;
    let sum = 0;
    for (let i = lo; i < hi; i++) sum += Math.abs(this.sorted[i] - m);
    return hi > lo ? (meanAbsDevToStdDev * sum) / (hi - lo) : 0;
  }

  /**
   * The k-th smallest (0-based) |x - m| over [lo, hi), p being the first index with a value >= m. The
   * left deviations m - sorted[p - 1 - i] and the right ones sorted[p + i] - m both rise with i: this is
   * the k-th smallest of two sorted sequences, by binary search on how many come from the left.
   */
  private kthDeviation(m: number, lo: number, p: number, hi: number, k: number): number {
    const a = this.sorted;
    const nl = p - lo;
    const nr = hi - p;
    const take = k + 1;
    let from = Math.max(0, take - nr);
    let to = Math.min(take, nl);
    for (;;) {
      const i = (from + to) >> 1;
      const j = take - i;
      if (i < nl && j > 0 && a[p + j - 1] - m > m - a[p - 1 - i]) from = i + 1;
      else if (i > 0 && j < nr && m - a[p - i] > a[p + j] - m) to = i - 1;
      else return Math.max(i > 0 ? m - a[p - i] : Number.NEGATIVE_INFINITY, j > 0 ? a[p + j - 1] - m : Number.NEGATIVE_INFINITY);
    }
  }

  /** The first index in [lo, hi) whose value is >= x. */
  private lowerBound(x: number, lo: number, hi: number): number {
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

