/**
 * The data of one chart as uPlot takes it: one x array (virtual seconds) shared by every variant's
 * line, with null where a variant has no sample at that time (uPlot's aligned-columns format).
 * Counters are shown as their rate per second between samples, gauges as their values.
 */
import { round } from '../sim/metrics.js';
import type { VariantReport } from '../scenario/report.js';

export interface ChartData {
  id: string;
  name: string;
  title: string;
  /** The y axis's unit, e.g. "/s" for a rate. */
  unit: string;
  rate: boolean;
  /** Virtual time in seconds. */
  x: number[];
  /** One column per variant, aligned with x. */
  ys: (number | null)[][];
  /** Points with a value, over every variant (0: nothing to draw). */
  points: number;
}

const MS_PER_S = 1000;

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
export function looksLikeCounter(name: string, variants: readonly VariantReport[]): boolean {
  const all = variants.map((v) => v.series?.[name] ?? []);
  return all.some((s) => s.length > 0) && all.every((s) => s.every(([, v], i) => Number.isInteger(v) && (i === 0 || v >= s[i - 1][1])));
}

export function chartData(spec: { id: string; name: string; title?: string; unit?: string; rate: boolean }, variants: readonly VariantReport[]): ChartData {
  const perVariant = variants.map((v) => {
    const pts = v.series?.[spec.name] ?? [];
    return spec.rate ? ratePoints(pts) : pts;
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
  return {
    id: spec.id,
    name: spec.name,
    title: spec.title ?? (spec.rate ? `${spec.name} per second` : spec.name),
    unit: spec.unit ?? (spec.rate ? '/s' : ''),
    rate: spec.rate,
    x: times.map((t) => round(t / MS_PER_S)),
    ys,
    points,
  };
}
