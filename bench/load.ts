/**
 * A closed-loop load generator for the key-value benchmark (`bench/kv.ts`). `inFlight` loops each
 * issue one operation, await it, and issue the next, so the offered load is whatever the system
 * under test can absorb at that concurrency: throughput and latency are measured at a fixed number of
 * outstanding requests, the way a pool of application workers drives a store.
 *
 * Latencies are recorded in microseconds in an HDR histogram (3 significant digits, up to 60 s), only
 * for operations started after the warm-up; errors are counted, not recorded, so a fast failure can
 * never improve the percentiles. At the end no loop issues anything new, and the run waits for the
 * operations still in flight (up to `drainTimeoutMs`; those still pending then count as errors).
 */
import * as hdr from 'hdr-histogram-js';

/** Latencies above this (in µs: 60 s) are recorded as this; the histogram cannot hold more. */
const highestTrackableUs = 60_000_000;
/** How long to wait at the end for operations still in flight before counting them as errors. */
const defaultDrainTimeoutMs = 30_000;

export interface ClosedLoopOptions {
  /** Number of concurrent loops, hence of operations outstanding at any time. */
  inFlight: number;
  /** Length of the measured window, after the warm-up. */
  durationMs: number;
  /** Operations started before this much time has passed are issued but not measured. */
  warmupMs: number;
  /**
   * One operation. `seq` numbers every operation issued in this run (warm-up included); `loop` is
   * the index (0 .. inFlight-1) of the loop issuing it, so a target can pin each loop to a
   * connection.
   */
  op: (seq: number, loop: number) => Promise<unknown>;
  /** How long to wait for the last operations once the window has closed. */
  drainTimeoutMs?: number;
}

export interface ClosedLoopResult {
  /** Operations started in the measured window that succeeded. */
  ops: number;
  /** Operations started in the measured window that failed (or were still pending after the drain timeout). */
  errors: number;
  /** Operations that completed in the whole run, warm-up included: what the servers' CPU time of the run is divided by. */
  completedAll: number;
  /** `ops` over the time from the end of the warm-up until the last measured operation completed. */
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export async function runClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const { inFlight, durationMs, warmupMs, op } = options;
  const drainTimeoutMs = options.drainTimeoutMs ?? defaultDrainTimeoutMs;
  if (!(inFlight >= 1) || !Number.isInteger(inFlight)) throw new Error(`inFlight must be a positive integer, got ${inFlight}`);
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: highestTrackableUs,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
  const nsPerMs = 1_000_000n;
  const start = process.hrtime.bigint();
  const measureFrom = start + BigInt(Math.round(warmupMs)) * nsPerMs;
  const stopAt = measureFrom + BigInt(Math.round(durationMs)) * nsPerMs;
  let seq = 0;
  let ops = 0;
  let errors = 0;
  let completedAll = 0;
  let lastCompletion = measureFrom;
  // Operations of the measured window still pending when the drain times out count as errors.
  let measuredPending = 0;
  let drained = false;

  const loop = async (loopIndex: number): Promise<void> => {
    for (;;) {
      const t0 = process.hrtime.bigint();
      if (t0 >= stopAt) return;
      const measured = t0 >= measureFrom;
      if (measured) measuredPending++;
      let ok = true;
      try {
        await op(seq++, loopIndex);
      } catch {
        ok = false;
      }
      const t1 = process.hrtime.bigint();
      if (!drained) completedAll++;
      if (!measured || drained) continue;
      measuredPending--;
      if (t1 > lastCompletion) lastCompletion = t1;
      if (ok) {
        ops++;
        const us = Number(t1 - t0) / 1000;
        histogram.recordValue(Math.min(highestTrackableUs, Math.max(1, Math.round(us))));
      } else {
        errors++;
      }
    }
  };

  const loops = Promise.all(Array.from({ length: inFlight }, (_, i) => loop(i)));
  // Waits for the window to close, then for the drain, whichever of the loops or the timeout ends first.
  let drainTimer: NodeJS.Timeout | undefined;
  const drainDeadline = new Promise<void>((resolve) => {
    const untilStopMs = Number(stopAt - process.hrtime.bigint()) / 1e6;
    drainTimer = setTimeout(resolve, Math.max(0, untilStopMs) + drainTimeoutMs);
  });
  await Promise.race([loops, drainDeadline]);
  clearTimeout(drainTimer);
  drained = true;
  if (measuredPending > 0) {
    errors += measuredPending;
    lastCompletion = process.hrtime.bigint();
  }

  const elapsedS = Number(lastCompletion - measureFrom) / 1e9;
  const msOf = (us: number) => us / 1000;
  const result: ClosedLoopResult = {
    ops,
    errors,
    completedAll,
    opsPerSec: elapsedS > 0 ? ops / elapsedS : 0,
    p50Ms: ops > 0 ? msOf(histogram.getValueAtPercentile(50)) : NaN,
    p99Ms: ops > 0 ? msOf(histogram.getValueAtPercentile(99)) : NaN,
    maxMs: ops > 0 ? msOf(histogram.maxValue) : NaN,
  };
  histogram.destroy();
  return result;
}
