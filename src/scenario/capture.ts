/**
 * What a run keeps for the HTML report (src/web) beyond its JSON report: every counter and gauge
 * sampled a few hundred times on virtual time, the faults, and the messages around the first faults.
 *
 * A capture observes and never steers: a run with one has the traceHash and the event count of the
 * same run without. Series are sampled between scheduler steps (the harness stops the clock, reads,
 * and goes on), not by scheduled events; faults and messages come from the exported trace
 * (src/scenario/fault-tap.ts), which is not what is hashed.
 */
import { positive, positiveInt } from '../runtime/config-error.js';
import type { NodeId } from '../runtime/context.js';
import type { MetricsRegistry } from '../sim/metrics.js';
import type { World } from '../sim/world.js';
import type { ScheduledEvent } from '../runtime/process-entry.js';
import { FaultTap, type FaultEvent, type MessageSequence } from './fault-tap.js';

export interface CaptureOptions {
  /** Samples of every counter and gauge over the run (enough for a chart a screen wide). */
  samplePoints?: number;
  /** Faults, from the first, that get a message-sequence view. */
  sequencesMax?: number;
  /** How far before and after such a fault its view looks (virtual ms). */
  sequenceWindowMs?: number;
  /** Messages in one view at most. */
  sequenceMessagesMax?: number;
  /** Faults kept for the timeline; later ones are only counted. */
  faultsMax?: number;
}

export interface RunCapture {
  /**
   * name -> [t ms, value][] for every counter and gauge, from its first appearance; for every
   * histogram, `<name>_p50_interval` and `<name>_p99_interval` (the quantile of the observations made
   * since the sample before); and `nodes_up` (servers running, neither crashed nor paused).
   */
  series: Record<string, [number, number][]>;
  /** The series that are counters (a chart shows their rate); the others are gauges. */
  counters: string[];
  faults: FaultEvent[];
  /** Faults beyond faultsMax, counted only. */
  faultsDropped: number;
  sequences: MessageSequence[];
  /** What the scenario scheduled besides faults (load spikes, releases, drifts): the report shades them too. */
  events: ScheduledEvent[];
  /**
   * Each histogram's whole-run latency distribution as [percentile, value] points at the quantiles of
   * DISTRIBUTION_PERCENTILES, for an HDR-style percentile chart.
   */
  distributions: Record<string, [number, number][]>;
}

export interface CaptureSoFar {
  series: ReadonlyMap<string, readonly [number, number][]>;
  counters: ReadonlySet<string>;
  faults: readonly FaultEvent[];
  /** The faults of `faults` still in force (no untilMs yet, and one to come). */
  inForce: ReadonlySet<FaultEvent>;
}

/** The percentiles a distribution keeps: denser toward the tail, where an HDR chart spends its width. */
export const DISTRIBUTION_PERCENTILES: readonly number[] = [0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100];

export const captureDefaults: Required<CaptureOptions> = {
  samplePoints: 200,
  sequencesMax: 4,
  sequenceWindowMs: 500,
  sequenceMessagesMax: 60,
  faultsMax: 500,
};

export class Capture {
  readonly tap: FaultTap;
  private readonly opts: Required<CaptureOptions>;
  private readonly series = new Map<string, [number, number][]>();
  private readonly counterNames = new Set<string>();
  private readonly sampleTimes: number[] = [];
  private sampleIndex = 0;
  /** Observations since the last sample, per histogram. */
  private readonly interval = new Map<string, number[]>();
  /** Every observation of the run, per histogram (for the distributions). */
  private readonly whole = new Map<string, number[]>();
  private listening = false;

  constructor(
    options: CaptureOptions,
    private readonly endMs: number,
    private readonly nodes: { servers: readonly NodeId[]; clients: readonly NodeId[] },
  ) {
    const o = { ...captureDefaults, ...options };
    positiveInt('capture.samplePoints', o.samplePoints);
    positiveInt('capture.sequencesMax', o.sequencesMax);
    positive('capture.sequenceWindowMs', o.sequenceWindowMs);
    positiveInt('capture.sequenceMessagesMax', o.sequenceMessagesMax);
    positiveInt('capture.faultsMax', o.faultsMax);
    this.opts = o;
    this.tap = new FaultTap({ ...nodes, faultsMax: o.faultsMax, sequencesMax: o.sequencesMax, sequenceWindowMs: o.sequenceWindowMs, sequenceMessagesMax: o.sequenceMessagesMax });
  }

  /**
   * Run the world to untilMs, or for eventsMax events if fewer, stopping at each sample time on the
   * way to read the metrics (a sample is taken once every event at or before its time has run).
   * Returns the events run. A live view steps a run in small pieces: its samples are the same.
   */
  runTo(world: World, untilMs: number, eventsMax = Infinity): number {
    if (!this.listening) {
      this.listening = true;
      world.metrics.addObserver((name, v) => {
        let xs = this.interval.get(name);
        if (xs === undefined) this.interval.set(name, (xs = []));
        xs.push(v);
        let all = this.whole.get(name);
        if (all === undefined) this.whole.set(name, (all = []));
        all.push(v);
      });
    }
    const n = this.opts.samplePoints;
    let ran = 0;
    for (;;) {
      const t = this.sampleIndex === n ? this.endMs : (this.endMs * this.sampleIndex) / n;
      if (this.sampleIndex > n || t > untilMs) break;
      ran += world.scheduler.runUntil(t, eventsMax - ran);
      if (world.scheduler.peekTime() <= t) return ran;
      this.sample(t, world);
      this.sampleIndex++;
    }
    return ran + world.scheduler.runUntil(untilMs, eventsMax - ran);
  }

  /** What is captured so far, for a live view: the series sampled (growing as the run goes on), which of them are counters, and the faults struck. */
  soFar(): CaptureSoFar {
    return { series: this.series, counters: this.counterNames, faults: this.tap.faults, inForce: this.tap.inForceNow() };
  }

  private sample(t: number, world: World): void {
    const metrics: MetricsRegistry = world.metrics;
    // Reading a counter runs the registry's collectors, which publish the network's net_* counts.
    metrics.counter('net_sent');
    this.sampleTimes.push(t);
    for (const [name, v] of metrics.counters) {
      this.counterNames.add(name);
      this.point(name, t, v, true);
    }
    for (const [name, v] of metrics.gauges) this.point(name, t, v, false);
    this.point('nodes_up', t, this.nodes.servers.filter((id) => world.status(id) === 'up').length, false);
    // A quantile of an interval without observations is no value: the chart shows a gap, not a zero.
    for (const [name, xs] of this.interval) {
      if (xs.length === 0) continue;
      xs.sort((a, b) => a - b);
      this.point(`${name}_p50_interval`, t, quantileOfSorted(xs, 0.5), false);
      this.point(`${name}_p99_interval`, t, quantileOfSorted(xs, 0.99), false);
      xs.length = 0;
    }
  }

  /** A counter not yet counted was zero at the earlier samples; a gauge not yet set had no value. */
  private point(name: string, t: number, v: number, counter: boolean): void {
    let s = this.series.get(name);
    if (s === undefined) this.series.set(name, (s = counter ? this.sampleTimes.slice(0, -1).map((t0) => [t0, 0] as [number, number]) : []));
    s.push([t, v]);
  }

  result(events: readonly ScheduledEvent[] = []): RunCapture {
    this.tap.finish();
    const distributions: Record<string, [number, number][]> = {};
    for (const name of [...this.whole.keys()].sort()) {
      const xs = this.whole.get(name)!.sort((a, b) => a - b);
      distributions[name] = DISTRIBUTION_PERCENTILES.map((p) => [p, p === 0 ? xs[0] : quantileOfSorted(xs, p / 100)]);
    }
    const names = [...this.series.keys()].sort();
    return {
      series: Object.fromEntries(names.map((k) => [k, this.series.get(k)!])),
      counters: names.filter((k) => this.counterNames.has(k)),
      faults: this.tap.faults,
      faultsDropped: this.tap.faultsDropped,
      sequences: this.tap.sequences,
      events: [...events],
      distributions,
    };
  }
}

/** The nearest-rank quantile of sorted values (what an HdrHistogram reports, without its rounding). */
function quantileOfSorted(xs: readonly number[], q: number): number {
  return xs[Math.min(xs.length - 1, Math.max(0, Math.ceil(q * xs.length) - 1))];
}
