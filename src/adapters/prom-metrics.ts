/**
 * The Metrics of a real node, on prom-client: what algorithm code counts through its Context
 * (`count`, `observe`, `gauge`) becomes Prometheus counters, histograms and gauges, served as text
 * on the node's /metrics, in Prometheus' conventions: names Prometheus-safe and prefixed
 * (`pillars_`), counters ending in `_total`, and base units: an observation the code names in
 * milliseconds (`wal_fsync_ms`, `request_ms_write`) is exported in seconds with the unit last
 * (`pillars_wal_fsync_seconds`, `pillars_request_write_seconds`). prom-client's default process and
 * Node.js metrics (CPU, resident memory, event-loop lag, garbage collection) are served beside them.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics } from '../runtime/context.js';

/** Buckets for durations in seconds: from a fast local fsync (100 us) to a slow election (10 s). */
export const latencyBucketsSeconds = [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const safe = (name: string) => name.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/^([0-9])/, '_$1');

/** An observation the code names in milliseconds: its name in seconds, unit last (`request_ms_write` -> `request_write_seconds`). */
export function secondsName(name: string): string | undefined {
  const parts = safe(name).split('_');
  const at = parts.indexOf('ms');
  if (at < 0) return undefined;
  parts.splice(at, 1);
  return [...parts, 'seconds'].join('_');
}

/** Buckets for observations that are counts (entries per fsync): powers of two up to a full batch. */
const countBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

export class PromMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly counters = new Map<string, Counter>();
  private readonly gauges = new Map<string, Gauge>();
  /** Each histogram with what its observations are multiplied by (1/1000 for one named in milliseconds). */
  private readonly histograms = new Map<string, { histogram: Histogram; scale: number }>();

  constructor(
    private readonly prefix = 'pillars_',
    labels: Record<string, string> = {},
    options: { processMetrics?: boolean } = {},
  ) {
    this.registry.setDefaultLabels(labels);
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  count(name: string, by = 1): void {
    let c = this.counters.get(name);
    if (c === undefined) {
      c = new Counter({ name: `${this.prefix}${safe(name)}_total`, help: `${name} (counted by the node)`, registers: [this.registry] });
      this.counters.set(name, c);
    }
    c.inc(by);
  }

  observe(name: string, value: number): void {
    // The exported name is worked out once per histogram: observe runs on the path of every request.
    let h = this.histograms.get(name);
    if (h === undefined) {
      const seconds = secondsName(name);
      h =
        seconds === undefined
          ? { histogram: new Histogram({ name: `${this.prefix}${safe(name)}`, help: `${name} (observed by the node)`, buckets: countBuckets, registers: [this.registry] }), scale: 1 }
          : { histogram: new Histogram({ name: `${this.prefix}${seconds}`, help: `${name} (observed by the node), in seconds`, buckets: latencyBucketsSeconds, registers: [this.registry] }), scale: 1 / 1000 };
      this.histograms.set(name, h);
    }
    h.histogram.observe(h.scale === 1 ? value : value / 1000);
  }

  gauge(name: string, value: number): void {
    let g = this.gauges.get(name);
    if (g === undefined) {
      g = new Gauge({ name: `${this.prefix}${safe(name)}`, help: `${name} (set by the node)`, registers: [this.registry] });
      this.gauges.set(name, g);
    }
    g.set(value);
  }

  /** The exposition text for GET /metrics. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
