/**
 * The simulator's Metrics: counters, latency histograms and gauges aggregated over all nodes of a run,
 * plus time series sampled on virtual time. Histograms are HdrHistograms (3 significant digits)
 * recorded in microseconds; the mean is kept exactly from the raw sum.
 */
import * as hdr from 'hdr-histogram-js';
import type { Metrics } from '../runtime/context.js';

interface HistogramEntry {
  h: hdr.Histogram;
  sum: number;
  count: number;
  max: number;
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
        sum: 0,
        count: 0,
        max: -Infinity,
      };
      this.histograms.set(name, e);
    }
    e.sum += value;
    e.count++;
    if (value > e.max) e.max = value;
    e.h.recordValue(Math.max(0, Math.round(value * MICROS_PER_MS)));
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
