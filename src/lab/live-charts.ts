/**
 * The HTML report's time-series charts of runs still going: the same samples (the run's capture),
 * turned into the same chart data (src/web/chart-data.ts) and the same fault marks, with a fault in
 * force drawn as a band up to now. No DOM here: src/lab/page/charts.ts draws what this says. Reading
 * a capture never steers its run.
 */
import type { VariantRun } from '../scenario/index.js';
import { scheduledEvents, type ScheduledEvent } from '../scenario/schedule.js';
import { chartData, type ChartData } from '../web/chart-data.js';
import { chartFaultMarks } from '../web/chart-fault-marks.js';
import type { ChartFaultMark } from '../web/uplot-chart.js';

/** A series charted live: a metric's name, with the title and unit a report panel gives it. */
export interface LiveSeries {
  name: string;
  title?: string;
  unit?: string;
}

/** A run drawn as one line of every chart: the variant it runs. */
export interface LiveLine {
  name: string;
  run: VariantRun;
}

/** What a story's live view charts: the series its scenario charts (metrics.chart), then the servers up. */
export function storySeries(chart: readonly string[] | undefined): LiveSeries[] {
  return [...new Set([...(chart ?? ['ops_ok']), 'nodes_up'])].map((name) => ({ name }));
}

export class LiveCharts {
  /** What each line's scenario schedules besides faults (spikes, releases), shaded once begun. */
  private readonly scheduled: readonly (readonly ScheduledEvent[])[];

  constructor(
    /** The charts' id prefix (an element id each). */
    readonly id: string,
    readonly series: readonly LiveSeries[],
    readonly lines: readonly LiveLine[],
  ) {
    for (const l of lines) if (l.run.captured === undefined) throw new Error(`live charts: the run of ${l.name} keeps no capture (RunOptions.capture)`);
    this.scheduled = lines.map((l) => scheduledEvents(l.run.variant));
  }

  /** Samples taken so far over every line: the charts change only when this does. */
  samples(): number {
    let n = 0;
    for (const l of this.lines) n += l.run.captured!.series.get('nodes_up')?.length ?? 0;
    return n;
  }

  /** Each chart's data so far: a counter as its rate (rare events as marks), a gauge as its value. */
  charts(): ChartData[] {
    const sampled = this.lines.map((l) => ({ series: Object.fromEntries(l.run.captured!.series) as Record<string, [number, number][]> }));
    return this.series.map((s) => {
      const rate = this.lines.some((l) => l.run.captured!.counters.has(s.name));
      return chartData({ id: `${this.id}-${s.name.replace(/[^a-z0-9]+/gi, '-')}`, name: s.name, title: s.title, unit: s.unit, rate }, sampled);
    });
  }

  /**
   * Faults struck and events begun so far on any line, in time order as the report shades them; one
   * still in force is shaded up to now.
   */
  faultMarks(): ChartFaultMark[] {
    const upToNow = this.lines.flatMap((l, i) => {
      const c = l.run.captured!;
      const now = l.run.world.now;
      const faults = c.faults.map((f) => (c.inForce.has(f) && f.untilMs === undefined ? { ...f, untilMs: now } : f));
      const begun = this.scheduled[i].filter((e) => e.atMs <= now).map((e) => (e.untilMs !== undefined && e.untilMs > now ? { ...e, untilMs: now } : e));
      return [...faults, ...begun];
    });
    return chartFaultMarks(upToNow.sort((a, b) => a.atMs - b.atMs));
  }

  /** The x axis's end: the longest run's end (seconds). */
  get endS(): number {
    return Math.max(...this.lines.map((l) => l.run.endMs)) / 1000;
  }
}
