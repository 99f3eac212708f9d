/**
 * The live charts in the page: the HTML report's cards (chart-card.ts) drawn with the report's uPlot
 * options (uplot-chart.ts), their data and fault marks read from LiveCharts as the run goes on. A
 * redraw reads the run and never steers it.
 */
import uPlot from 'uplot';
import { chartCard } from '../../web/chart-card.js';
import type { ChartData } from '../../web/chart-data.js';
import { variantStyles } from '../../web/palette.js';
import { uplotChartOptions, type ChartFaultMark } from '../../web/uplot-chart.js';
import type { LiveCharts } from '../live-charts.js';

const CHART_HEIGHT_PX = 150;
/** Wall time between redraws: a run samples a few hundred times, a few redraws a second look live. */
const REDRAW_EVERY_MS = 250;
const CHART_WIDTH_MIN_PX = 200;
const RESIZE_SETTLE_MS = 100;

interface Drawn {
  plot: uPlot;
  mode: string;
  el: HTMLElement;
}

export class LiveChartView {
  private readonly drawn = new Map<string, Drawn>();
  private marks: readonly ChartFaultMark[] = [];
  private drawnSamples = -1;
  private drawnMarks = '';
  private lastDrawMs = -Infinity;
  private readonly grid: HTMLElement;

  constructor(
    box: HTMLElement,
    private readonly live: LiveCharts,
  ) {
    this.grid = Object.assign(document.createElement('div'), { className: 'charts' });
    box.replaceChildren(this.grid);
    // A resized window: each chart takes its card's width again, once the resizing pauses (as the report's do).
    let timer: ReturnType<typeof setTimeout> | undefined;
    window.addEventListener('resize', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (!this.grid.isConnected) return;
        for (const d of this.drawn.values()) d.plot.setSize({ width: Math.max(CHART_WIDTH_MIN_PX, d.el.clientWidth), height: CHART_HEIGHT_PX });
      }, RESIZE_SETTLE_MS);
    });
  }

  /** Redraw what changed since the last redraw, at most every REDRAW_EVERY_MS unless `now`. */
  update(now = false): void {
    const wallMs = performance.now();
    if (!now && wallMs - this.lastDrawMs < REDRAW_EVERY_MS) return;
    this.lastDrawMs = wallMs;
    const samples = this.live.samples();
    const marks = this.live.faultMarks();
    const marksKey = JSON.stringify(marks);
    if (samples === this.drawnSamples && marksKey === this.drawnMarks) return;
    this.drawnSamples = samples;
    this.drawnMarks = marksKey;
    this.marks = marks;
    for (const c of this.live.charts()) this.draw(c);
  }

  private draw(c: ChartData): void {
    const data: uPlot.AlignedData = [c.x, ...c.ys] as uPlot.AlignedData;
    const old = this.drawn.get(c.id);
    if (old !== undefined && old.mode === c.mode) {
      old.plot.setData(data);
      old.el.dataset.points = String(c.points);
      return;
    }
    // New, or its mode changed (a counter of a few events became a rate): a new card, as the report draws it.
    const card = document.createElement('div');
    card.innerHTML = chartCard({ id: c.id, name: c.name, mode: c.mode, title: c.title, yLabel: c.yLabel, xLabel: 'virtual time (s)' });
    const el = card.querySelector<HTMLElement>('.chart')!;
    const oldCard = old?.el.closest('.chart-card');
    if (oldCard) oldCard.replaceWith(card.firstElementChild!);
    else this.grid.append(card.firstElementChild!);
    old?.plot.destroy();
    const styles = variantStyles(this.live.lines.map((l) => l.name));
    const opts = uplotChartOptions(c, {
      variants: this.live.lines.map((l, i) => ({ name: l.name, ...styles[i] })),
      timeLabel: 'virtual time',
      xMaxS: this.live.endS,
      widthPx: Math.max(CHART_WIDTH_MIN_PX, el.clientWidth),
      heightPx: CHART_HEIGHT_PX,
      faultMarks: () => this.marks,
    }) as unknown as uPlot.Options;
    el.dataset.points = String(c.points);
    this.drawn.set(c.id, { plot: new uPlot(opts, data, el), mode: c.mode, el });
  }
}
