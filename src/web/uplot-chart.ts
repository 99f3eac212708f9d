/**
 * One time-series chart's uPlot options: a line per variant (marks for rare events), axes, a legend
 * that out of the cursor shows each variant's average rate (counters), last value (gauges) or total
 * (events), and faults and scheduled events shaded over the plot. The HTML report's page script and
 * the lab's page both draw their charts with it, so a chart looks and reads the same in both.
 *
 * The report inlines this function's source (`uplotChartOptions.toString()`, see page-script.ts): it
 * must stay self-contained, using nothing of this module's scope, only its arguments. What it reads
 * of the DOM it reaches through the chart (u.over), so it needs no DOM types here either.
 */

/** A fault or scheduled event over a chart: a band while in force (endS), a line at an instant. */
export interface ChartFaultMark {
  startS: number;
  endS: number | null;
  kind: string;
  /** The kind's family, for its CSS class (kind-crash, ...). */
  family: string;
  color: string;
  label: string;
}

/** What the options need of a chart (a ChartData's fields). */
export interface ChartDrawSpec {
  unit: string;
  mode: string;
  integer: boolean;
}

export interface ChartDrawContext {
  variants: readonly { name: string; color: string; width?: number; dash?: number[] }[];
  /** The x axis's label in the legend ("virtual time"). */
  timeLabel: string;
  /** The x axis spans [0, xMaxS]: the whole run, so a live chart fills from the left as it runs. */
  xMaxS: number;
  widthPx: number;
  heightPx: number;
  /** Read whenever the marks are placed: a live page adds faults as they strike. */
  faultMarks: () => readonly ChartFaultMark[];
}

/** The little of an element the fault overlay touches. */
interface OverlayElement {
  clientWidth: number;
  ownerDocument: { createElement(tag: string): OverlayElement };
  className: string;
  title: string;
  style: Record<string, string>;
  querySelectorAll(selector: string): { forEach(f: (el: { remove(): void }) => void): void };
  setAttribute(name: string, value: string): void;
  appendChild(child: OverlayElement): void;
}

/** The little of a uPlot instance the options' callbacks use. */
interface UplotLike {
  over: OverlayElement;
  data: readonly (readonly (number | null | undefined)[])[];
  valToPos(value: number, scale: string): number;
}

export function uplotChartOptions(c: ChartDrawSpec, ctx: ChartDrawContext): Record<string, unknown> {
  const NINES = ['0%', '90%', '99%', '99.9%', '99.99%', '100%'];
  const INTEGER_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 1e6, 1e7];

  function fmt(v: number | null | undefined): string {
    if (v == null || !isFinite(v)) return '--';
    const a = Math.abs(v);
    if (a >= 1e9) return (v / 1e9).toFixed(2) + 'G';
    if (a >= 1e6) return (v / 1e6).toFixed(2) + 'M';
    if (a >= 1e4) return (v / 1e3).toFixed(1) + 'k';
    if (a >= 100 || v === Math.round(v)) return String(Math.round(v));
    if (a >= 1) return v.toFixed(2);
    return v.toPrecision(3);
  }

  // Read from the chart's data when the legend is drawn: a live chart's summary follows its run.
  function summary(column: readonly (number | null | undefined)[] | undefined): { label: string; value: number } | null {
    let sum = 0;
    let n = 0;
    let last: number | null = null;
    for (const v of column ?? []) {
      if (v == null) continue;
      sum += v;
      n++;
      last = v;
    }
    if (n === 0) return c.mode === 'events' ? { label: 'total ', value: 0 } : null;
    if (c.mode === 'events') return { label: 'total ', value: sum };
    if (c.mode === 'distribution') return { label: 'max ', value: last! };
    return c.mode === 'rate' ? { label: 'avg ', value: sum / n } : { label: 'last ', value: last! };
  }

  // Faults and scheduled events as elements over the plot, each in its kind's hue: a band while in
  // force, a line at a one-off instant. Elements, not canvas paint, so that they carry their kind and
  // time for a reader's tooltip and for tests.
  function placeFaults(u: UplotLike): void {
    const over = u.over;
    over.querySelectorAll('.event-band, .event-line').forEach((el) => el.remove());
    const w = over.clientWidth;
    for (const m of ctx.faultMarks()) {
      const x0 = Math.max(0, Math.min(w, u.valToPos(m.startS, 'x')));
      const el = over.ownerDocument.createElement('div');
      el.className = (m.endS != null ? 'event-band' : 'event-line') + ' kind-' + m.family;
      el.style.background = m.color;
      el.style.left = x0 + 'px';
      if (m.endS != null) el.style.width = Math.max(2, Math.min(w, u.valToPos(m.endS, 'x')) - x0) + 'px';
      el.setAttribute('data-kind', m.kind);
      el.setAttribute('data-start-s', String(m.startS));
      el.title = m.label;
      over.appendChild(el);
    }
  }

  const byPercentile = c.mode === 'distribution';
  const series: Record<string, unknown>[] = [
    {
      label: byPercentile ? 'percentile' : ctx.timeLabel,
      value: (_u: UplotLike, v: number | null) => {
        if (v == null) return 'whole run';
        return byPercentile ? (100 - 100 * Math.pow(10, -v)).toPrecision(5).replace(/\.?0+$/, '') + '%' : v.toFixed(2) + ' s';
      },
    },
  ];
  ctx.variants.forEach((variant, i) => {
    const line: Record<string, unknown> = {
      label: variant.name,
      stroke: variant.color,
      width: variant.width,
      dash: variant.dash,
      spanGaps: true,
      points: { show: false },
      value: (u: UplotLike, v: number | null, sidx: number, idx: number | null) => {
        if (idx == null) {
          const s = summary(u.data[sidx]);
          return s == null ? 'no samples' : s.label + fmt(s.value) + c.unit;
        }
        return v == null ? '--' : fmt(v) + c.unit;
      },
    };
    if (c.mode === 'events') {
      line.paths = () => null;
      line.points = { show: true, size: 9 + 2 * (ctx.variants.length - i), fill: variant.color, stroke: variant.color };
    }
    series.push(line);
  });
  const yAxis: Record<string, unknown> = { size: 56, values: (_u: UplotLike, ticks: number[]) => ticks.map(fmt) };
  if (c.integer) yAxis.incrs = INTEGER_INCRS;
  const xAxis = byPercentile ? { size: 34, incrs: [1], values: (_u: UplotLike, ticks: number[]) => ticks.map((t) => NINES[Math.round(t)] || '') } : { size: 34 };
  const yScale =
    c.integer || c.mode === 'events' ? { range: (_u: UplotLike, min: number | null, max: number | null) => [Math.min(0, Math.floor(min || 0)), Math.max(1, Math.ceil(max || 0))] } : { auto: true };
  return {
    width: ctx.widthPx,
    height: ctx.heightPx,
    scales: { x: { time: false, range: byPercentile ? [0, 5] : [0, ctx.xMaxS] }, y: yScale },
    cursor: byPercentile ? {} : { sync: { key: 'virtual-time' } },
    legend: { live: true },
    series,
    axes: [xAxis, yAxis],
    // setData too: a live chart's new samples come with new faults to place.
    hooks: byPercentile ? {} : { ready: [placeFaults], setSize: [placeFaults], setData: [placeFaults] },
  };
}
