/**
 * The data of one chart as uPlot takes it: one x array (virtual seconds) shared by every variant's
 * line, with null where a variant has no sample at that time (uPlot's aligned-columns format).
 * Counters are shown as their rate per second between samples, gauges as their values, and counters
 * of rare one-off events (a rollback, a leader elected) as marks of how many happened in each
 * interval: a rate would show one rollback as 3.3/s.
 */
import { round } from '../sim/metrics.js';
import type { VariantReport } from '../scenario/report.js';
import { metricTitle } from '../scenario/metric-catalog.js';

/** What a chart reads of a variant: its sampled series (a finished report's, or a live run's so far). */
export type Sampled = Pick<VariantReport, 'series'>;

export type ChartMode = 'rate' | 'value' | 'events' | 'distribution';

export interface ChartData {
  id: string;
  name: string;
  title: string;
  /** The unit a value is read in, e.g. "/s" for a rate. */
  unit: string;
  rate: boolean;
  mode: ChartMode;
  /** The y axis's title, with its unit. */
  yLabel: string;
  /** Every value is a whole number: the axis ticks only whole numbers. */
  integer: boolean;
  /** Virtual time in seconds. */
  x: number[];
  /** One column per variant, aligned with x. */
  ys: (number | null)[][];
  /** Points with a value, over every variant (0: nothing to draw). */
  points: number;
}

const MS_PER_S = 1000;
/** A counter that never passes this many in any variant counts one-off events: drawn as marks, not a rate. */
export const EVENTS_AS_MARKS_MAX = 20;

/** How many happened in each interval between samples, at the later sample's time; intervals of none are left out. */
export function eventPoints(points: readonly [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 1; i < points.length; i++) if (points[i][1] > points[i - 1][1]) out.push([points[i][0], points[i][1] - points[i - 1][1]]);
  return out;
}

/** A counter whose total stays small in every variant that has it: its increments are events to mark. */
export function isRareEvents(name: string, variants: readonly Sampled[]): boolean {
  const finals = variants.map((v) => v.series?.[name]).filter((s) => s !== undefined && s.length > 0).map((s) => s![s!.length - 1][1]);
  return finals.length > 0 && finals.every((x) => x <= EVENTS_AS_MARKS_MAX);
}

/** Per-second rate between consecutive samples of a counter, at the later sample's time. */
export function ratePoints(points: readonly [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 1; i < points.length; i++) {
    const dt = points[i][0] - points[i - 1][0];
    if (dt > 0) out.push([points[i][0], ((points[i][1] - points[i - 1][1]) * MS_PER_S) / dt]);
  }
  return out;
}

/**
 * A series looks like a counter when it never decreases and holds whole numbers in every variant.
 * Only a guess for reports that do not say which series are counters (a JSON report read back).
 */
export function looksLikeCounter(name: string, variants: readonly Sampled[]): boolean {
  const all = variants.map((v) => v.series?.[name] ?? []);
  return all.some((s) => s.length > 0) && all.every((s) => s.every(([, v], i) => Number.isInteger(v) && (i === 0 || v >= s[i - 1][1])));
}

export function chartData(spec: { id: string; name: string; title?: string; unit?: string; rate: boolean }, variants: readonly Sampled[]): ChartData {
  const mode: ChartMode = !spec.rate ? 'value' : isRareEvents(spec.name, variants) ? 'events' : 'rate';
  const perVariant = variants.map((v) => {
    const pts = v.series?.[spec.name] ?? [];
    return mode === 'rate' ? ratePoints(pts) : mode === 'events' ? eventPoints(pts) : pts;
  });
  const times = [...new Set(perVariant.flatMap((pts) => pts.map(([t]) => t)))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  let points = 0;
  const ys = perVariant.map((pts) => {
    const col: (number | null)[] = new Array<number | null>(times.length).fill(null);
    for (const [t, v] of pts) {
      col[index.get(t)!] = round(v);
      points++;
    }
    return col;
  });
  // An events chart with no event still ran: its axis starts at the first sample.
  if (mode === 'events') points = variants.reduce((n, v) => n + (v.series?.[spec.name]?.length ?? 0), 0);
  const named = metricTitle(spec.name);
  const what = named.unit === '' ? 'count' : named.unit;
  const unit = spec.unit ?? (mode === 'rate' ? '/s' : mode === 'value' ? named.unit : '');
  const title = spec.title ?? (mode === 'rate' ? `${named.title} per second` : mode === 'events' ? `${named.title} (each mark: how many in that interval)` : named.title);
  const yLabel = mode === 'rate' ? (spec.unit !== undefined && spec.unit !== '/s' ? spec.unit : `${what} per second`) : mode === 'events' ? `${what === 'count' ? 'events' : what} in the interval` : spec.unit ?? (named.unit === '' ? 'count' : named.unit);
  const integer = mode === 'events' || (mode === 'value' && ys.every((col) => col.every((v) => v === null || Number.isInteger(v))));
  return {
    id: spec.id,
    name: spec.name,
    title,
    unit: unit === '' || unit.startsWith('/') ? unit : ` ${unit}`,
    rate: mode === 'rate',
    mode,
    yLabel,
    integer,
    x: times.map((t) => round(t / MS_PER_S)),
    ys,
    points,
  };
}
