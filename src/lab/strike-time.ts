/**
 * When a fault struck by hand lands: at a time strictly between the last event run and the next one
 * pending, as round as it can be. A multiple of a power of two (a dyadic fraction of a ms), so that a
 * restart at T2 written as `for: T2 - T1` lands on T2 exactly in floating point when replayed.
 */

/** Finest fraction of a ms a hand fault's time is rounded to: 2^-FAULT_TIME_BITS_MAX. */
export const FAULT_TIME_BITS_MAX = 40;

/** The roundest time strictly between `afterMs` and `beforeMs`. */
export function roundTimeBetween(afterMs: number, beforeMs: number): number {
  for (let bits = 0; bits <= FAULT_TIME_BITS_MAX; bits++) {
    const unit = 2 ** -bits;
    const t = (Math.floor(afterMs / unit) + 1) * unit;
    if (t > afterMs && t < beforeMs) return t;
  }
  throw new Error(`no time between ${afterMs} and ${beforeMs} ms to strike at`);
}
