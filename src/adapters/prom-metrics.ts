/**
 * The Metrics of a real node, on prom-client: what algorithm code counts through its Context
 * (`count`, `observe`, `gauge`) becomes Prometheus counters, histograms and gauges, served as text
 * on the node's /metrics. Names are made Prometheus-safe and prefixed (`pillars_`); counters end in
 * `_total`, as the exposition format's conventions ask.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics } from '../runtime/context.js';

/** Buckets for observations in milliseconds: from a fast local fsync to a slow election. */
export const latencyBucketsMs = [0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000];

const safe = (name: string) => name.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/^([0-9])/, '_$1');

export class PromMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly counters = new Map<string, Counter>();
  private readonly gauges = new Map<string, Gauge>();
  private readonly histograms = new Map<string, Histogram>();

  constructor(
    private readonly prefix = 'pillars_',
    labels: Record<string, string> = {},
  ) {
    this.registry.setDefaultLabels(labels);
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
    let h = this.histograms.get(name);
    if (h === undefined) {
      h = new Histogram({ name: `${this.prefix}${safe(name)}`, help: `${name} (observed by the node, milliseconds)`, buckets: latencyBucketsMs, registers: [this.registry] });
      this.histograms.set(name, h);
    }
    h.observe(value);
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
