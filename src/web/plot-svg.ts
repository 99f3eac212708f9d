/**
 * A chart as a standalone SVG file: points or lines over time, with shaded bands (the faults) behind
 * them, axes with round ticks, and a legend. The HTML report draws its charts with uPlot in the
 * browser; these are the files a results folder keeps beside it, as Jepsen keeps latency-raw.png and
 * rate.png, readable by any image viewer and small enough to commit. Styles are inline attributes,
 * so the file looks the same wherever it is opened.
 */
import { esc } from './html.js';

export interface PlotSeries {
  name: string;
  color: string;
  /** [x, y] in the axes' units. */
  points: readonly (readonly [number, number])[];
  /** dots: one mark per point (raw latencies); line: joined in x order (quantiles, rates). */
  style: 'dots' | 'line';
  /** What the legend counts, when not the points (a rate's points are windows; it counts operations). */
  count?: number;
}

export interface PlotBand {
  from: number;
  to: number;
  label: string;
}

export interface Plot {
  title: string;
  xLabel: string;
  yLabel: string;
  /** A log scale, for latencies that span microseconds to seconds. */
  yLog?: boolean;
  series: readonly PlotSeries[];
  bands?: readonly PlotBand[];
  /** The x range to show; by default the points' own. */
  xMax?: number;
}

const WIDTH_PX = 900;
const HEIGHT_PX = 420;
const MARGIN = { left: 70, right: 170, top: 36, bottom: 46 };
const TICKS_WANTED = 6;
const DOT_RADIUS_PX = 1.8;
const BAND_FILL = '#f4d9a6';

/** Round tick values (1, 2, 5 times a power of ten) from at most lo to at least hi, so no point falls outside the axis. */
export function linearTicks(lo: number, hi: number, wanted = TICKS_WANTED): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / wanted;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  const last = Math.ceil(hi / step - 1e-9) * step;
  for (let t = Math.floor(lo / step + 1e-9) * step; t <= last + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** The powers of ten covering [lo, hi], lo > 0. */
function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) ticks.push(10 ** e);
  return ticks;
}

const label = (x: number) => (Math.abs(x) >= 1000 ? x.toLocaleString('en-US') : String(Number(x.toPrecision(6))));

export function plotSvg(p: Plot): string {
  const all = p.series.flatMap((s) => s.points);
  const ys = all.map(([, y]) => y).filter((y) => Number.isFinite(y) && (!p.yLog || y > 0));
  const xMax = p.xMax ?? Math.max(1, ...all.map(([x]) => x), ...(p.bands ?? []).map((b) => b.to));
  const xTicks = linearTicks(0, xMax);
  const xHi = Math.max(xMax, xTicks[xTicks.length - 1]);
  let yTicks: number[];
  let yLo: number;
  let yHi: number;
  if (p.yLog) {
    yTicks = logTicks(ys.length ? Math.min(...ys) : 1, ys.length ? Math.max(...ys) : 10);
    [yLo, yHi] = [yTicks[0], yTicks[yTicks.length - 1]];
    if (yHi <= yLo) yHi = yLo * 10;
  } else {
    yTicks = linearTicks(0, Math.max(1, ...ys));
    [yLo, yHi] = [0, yTicks[yTicks.length - 1]];
  }
  const plotW = WIDTH_PX - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT_PX - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => MARGIN.left + (x / xHi) * plotW;
  const sy = (y: number) => {
    const f = p.yLog ? (Math.log10(Math.max(y, yLo)) - Math.log10(yLo)) / (Math.log10(yHi) - Math.log10(yLo)) : (y - yLo) / (yHi - yLo);
    return MARGIN.top + plotH - f * plotH;
  };
  const px = (n: number) => n.toFixed(1);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH_PX}" height="${HEIGHT_PX}" viewBox="0 0 ${WIDTH_PX} ${HEIGHT_PX}" font-family="sans-serif" font-size="12" role="img" aria-label="${esc(p.title)}">`);
  out.push(`<rect width="${WIDTH_PX}" height="${HEIGHT_PX}" fill="#fff"/>`);
  out.push(`<text x="${MARGIN.left}" y="22" font-size="15" font-weight="bold">${esc(p.title)}</text>`);
  for (const b of p.bands ?? []) {
    const x0 = sx(Math.max(0, b.from));
    const x1 = sx(Math.min(xHi, b.to));
    out.push(`<rect x="${px(x0)}" y="${MARGIN.top}" width="${px(Math.max(1, x1 - x0))}" height="${plotH}" fill="${BAND_FILL}" fill-opacity="0.6"><title>${esc(b.label)}</title></rect>`);
  }
  for (const t of xTicks) out.push(`<line x1="${px(sx(t))}" x2="${px(sx(t))}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#eee"/><text x="${px(sx(t))}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${label(t)}</text>`);
  for (const t of yTicks) out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${px(sy(t))}" y2="${px(sy(t))}" stroke="#eee"/><text x="${MARGIN.left - 6}" y="${px(sy(t) + 4)}" text-anchor="end">${label(t)}</text>`);
  out.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT_PX - 10}" text-anchor="middle">${esc(p.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`);
  for (const s of p.series) {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!p.yLog || y > 0));
    if (s.style === 'dots') {
      out.push(`<g fill="${s.color}" fill-opacity="0.7">${pts.map(([x, y]) => `<circle cx="${px(sx(x))}" cy="${px(sy(y))}" r="${DOT_RADIUS_PX}"/>`).join('')}</g>`);
    } else if (pts.length > 0) {
      const d = [...pts].sort((a, b) => a[0] - b[0]).map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${px(sx(x))},${px(sy(y))}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.6"/>`);
    }
  }
  const legend = [...p.series.map((s) => ({ name: `${s.name} (${s.count ?? s.points.length})`, color: s.color })), ...((p.bands ?? []).length ? [{ name: 'faults', color: BAND_FILL }] : [])];
  legend.forEach((l, i) => {
    const y = MARGIN.top + 8 + i * 18;
    out.push(`<rect x="${MARGIN.left + plotW + 14}" y="${y}" width="12" height="12" fill="${l.color}"/><text x="${MARGIN.left + plotW + 32}" y="${y + 10}">${esc(l.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
