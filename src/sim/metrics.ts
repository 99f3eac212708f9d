/**
 * The simulator's Metrics: counters, latency histograms and gauges aggregated over all nodes of a run,
 * plus time series sampled on virtual time. Histograms are HdrHistograms (3 significant digits)
 * recorded in microseconds; the mean is kept exactly from the raw sum.
 *
 * An observation only adds one to the count of its HdrHistogram slot, in an array of our own (the
 * slot computed as hdr-histogram-js computes it); the slots' counts go into the HdrHistogram when it
 * is read. Its recordValue, called per observation, was a tenth of an M/M/c run's time. The
 * histogram read is the same: its percentiles depend only on the count in each slot.
 */
import * as hdr from 'hdr-histogram-js';
import type { Metrics } from '../runtime/context.js';

interface HistogramEntry {
  h: hdr.Histogram;
  /** Observations per HdrHistogram slot not yet added to `h` (slotOf). */
  pending: Float64Array;
  /** Whether `pending` holds any count. */
  dirty: boolean;
  sum: number;
  count: number;
  max: number;
}

/**
 * The HdrHistogram of 3 significant digits with a lowest discernible value of 1: 2048 sub-buckets,
 * half of them per bucket past the first (hdr-histogram-js's JsHistogram.init).
 */
const SUB_BUCKET_HALF_COUNT_MAGNITUDE = 10;
const SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_COUNT_MAGNITUDE;

/**
 * The slot of a non-negative integer value: JsHistogram.countsArrayIndex for the histogram above. Below
 * 2^31 in integer arithmetic (floor(log2(v)) is 31 - clz32(v) there), above as it computes it.
 */
function slotOf(value: number): number {
  if (value < SUB_BUCKET_HALF_COUNT * 2) return value;
  if (value < 0x80000000) {
    const bucket = 31 - Math.clz32(value) - SUB_BUCKET_HALF_COUNT_MAGNITUDE;
    return bucket * SUB_BUCKET_HALF_COUNT + (value >> bucket);
  }
  const bucket = Math.max(Math.floor(Math.log2(value)) - SUB_BUCKET_HALF_COUNT_MAGNITUDE, 0);
  const subBucket = Math.floor(value / Math.pow(2, bucket));
  return (bucket + 1) * SUB_BUCKET_HALF_COUNT + subBucket - SUB_BUCKET_HALF_COUNT;
}

/** The lowest value of a slot (JsHistogram.valueFromIndex): recorded there, it counts in that slot. */
function slotValue(slot: number): number {
  let bucket = Math.floor(slot / SUB_BUCKET_HALF_COUNT) - 1;
  let subBucket = (slot % SUB_BUCKET_HALF_COUNT) + SUB_BUCKET_HALF_COUNT;
  if (bucket < 0) {
    subBucket -= SUB_BUCKET_HALF_COUNT;
    bucket = 0;
  }
  return subBucket * Math.pow(2, bucket);
}

/** Add the pending counts to the HdrHistogram. */
function settle(e: HistogramEntry): void {
  if (!e.dirty) return;
  const pending = e.pending;
  for (let slot = 0; slot < pending.length; slot++) {
    if (pending[slot] === 0) continue;
    e.h.recordValueWithCount(slotValue(slot), pending[slot]);
    pending[slot] = 0;
  }
  e.dirty = false;
}

export interface HistogramSummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface SeriesPoint {
  t: number;
  v: number;
}

const MICROS_PER_MS = 1000;

export class MetricsRegistry implements Metrics {
  readonly counters = new Map<string, number>();
  readonly gauges = new Map<string, number>();
  private readonly histograms = new Map<string, HistogramEntry>();
  readonly series = new Map<string, SeriesPoint[]>();
  private readonly sampleTimes: number[] = [];
  /**
   * Sources that keep their own counts on a hot path (the network) and publish them as counters
   * when the registry is read.
   */
  private readonly collectors: (() => Record<string, number>)[] = [];
  /** Listeners to every observation (a capture keeps per-interval quantiles with one). */
  private readonly observers: ((name: string, value: number) => void)[] = [];

  /** Hear every observation as it is recorded; observing never changes what the run does. */
  addObserver(fn: (name: string, value: number) => void): void {
    this.observers.push(fn);
  }

  addCollector(fn: () => Record<string, number>): void {
    this.collectors.push(fn);
  }

  private collect(): void {
    for (const c of this.collectors) for (const [k, v] of Object.entries(c())) if (v !== 0 || this.counters.has(k)) this.counters.set(k, v);
  }

  count(name: string, by = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + by);
  }

  gauge(name: string, value: number): void {
    this.gauges.set(name, value);
  }

  observe(name: string, value: number): void {
    for (const o of this.observers) o(name, value);
    let e = this.histograms.get(name);
    if (e === undefined) {
      e = {
        h: hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 2, numberOfSignificantValueDigits: 3, autoResize: true, useWebAssembly: false }),
        pending: new Float64Array(2 * SUB_BUCKET_HALF_COUNT),
        dirty: false,
        sum: 0,
        count: 0,
        max: -Infinity,
      };
      this.histograms.set(name, e);
    }
    e.sum += value;
    e.count++;
    if (value > e.max) e.max = value;
    const micros = Math.max(0, Math.round(value * MICROS_PER_MS));
    // NaN and Infinity have no slot: the HdrHistogram takes them as it always did (a count, no slot).
    if (!Number.isFinite(micros)) return e.h.recordValue(micros);
    const slot = slotOf(micros);
    if (slot >= e.pending.length) {
      const grown = new Float64Array(Math.max(slot + 1, 2 * e.pending.length));
      grown.set(e.pending);
      e.pending = grown;
    }
    e.pending[slot]++;
    e.dirty = true;
  }

  /** Whether `name` is a counter (it only grows), the collected ones included. */
  isCounter(name: string): boolean {
    this.collect();
    return this.counters.has(name);
  }

  counter(name: string): number {
    this.collect();
    return this.counters.get(name) ?? 0;
  }

  histogram(name: string): HistogramSummary | undefined {
    const e = this.histograms.get(name);
    if (e === undefined || e.count === 0) return undefined;
    settle(e);
    const q = (p: number) => e.h.getValueAtPercentile(p) / MICROS_PER_MS;
    return { count: e.count, mean: e.sum / e.count, p50: q(50), p90: q(90), p99: q(99), p999: q(99.9), max: e.max };
  }

  histogramNames(): string[] {
    return [...this.histograms.keys()].sort();
  }

  /** Append the current value of every counter and gauge to its time series. */
  sample(t: number): void {
    this.collect();
    this.sampleTimes.push(t);
    for (const [name, v] of this.counters) this.point(name, t, v);
    for (const [name, v] of this.gauges) this.point(name, t, v);
  }

  private point(name: string, t: number, v: number): void {
    let s = this.series.get(name);
    if (s === undefined) {
      // A metric that first appears now was zero at every earlier sample: keep all series aligned.
      s = this.sampleTimes.slice(0, -1).map((t0) => ({ t: t0, v: 0 }));
      this.series.set(name, s);
    }
    s.push({ t, v });
  }

  /** Flat name -> number view: counters, gauges, and per histogram _count/_mean/_p50/_p90/_p99/_p999/_max. */
  flatten(): Record<string, number> {
    this.collect();
    const out: Record<string, number> = {};
    for (const name of [...this.counters.keys()].sort()) out[name] = this.counters.get(name)!;
    for (const name of [...this.gauges.keys()].sort()) out[name] = this.gauges.get(name)!;
    for (const name of this.histogramNames()) {
      const s = this.histogram(name)!;
      out[`${name}_count`] = s.count;
      out[`${name}_mean`] = round(s.mean);
      out[`${name}_p50`] = round(s.p50);
      out[`${name}_p90`] = round(s.p90);
      out[`${name}_p99`] = round(s.p99);
      out[`${name}_p999`] = round(s.p999);
      out[`${name}_max`] = round(s.max);
    }
    return out;
  }
}

/** Six significant digits: enough for any report, stable in JSON. */
export function round(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : x;
}
