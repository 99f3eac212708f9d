/**
 * The chart of what a check is about: the final value of its verdict metric (lost_acked_increments
 * for no-lost-increments) as one bar per variant, each in its variant's colour, with the variant's
 * verdict under its bar. A check is judged once, at the end of a run, so its metric has no time
 * series; a bar of the final value is what the check saw. Drawn as SVG in the page, so it needs no
 * script and prints as it shows.
 */
import type { VariantReport } from '../scenario/report.js';
import { metricTitle } from '../scenario/metric-catalog.js';
import { chartCard } from './chart-card.js';
import { esc, formatNumber } from './html.js';
import type { VariantStyle } from './palette.js';

/** The SVG's own coordinates; it scales to its card's width. */
const WIDTH_PX = 560;
const HEIGHT_PX = 220;
const MARGIN_LEFT_PX = 56;
const MARGIN_RIGHT_PX = 12;
const MARGIN_TOP_PX = 20;
const MARGIN_BOTTOM_PX = 40;
const BAR_WIDTH_MAX_PX = 90;
const TICKS_TARGET = 4;

export interface VerdictChart {
  metric: string;
  /** The checks whose verdict this metric carries (two checks may bound the same metric). */
  checks: string[];
  html: string;
}

type Verdict = 'ok' | 'FAIL' | 'unknown' | 'not checked';

/**
 * One chart per verdict metric of the named checks, in the order the checks come; a metric no
 * variant reported gets none (its check's row in the verdict table says why).
 */
export function verdictCharts(idPrefix: string, checkNames: readonly string[], vs: readonly VariantReport[], styles: readonly VariantStyle[]): VerdictChart[] {
  const byMetric = new Map<string, string[]>();
  for (const name of checkNames) {
    const metric = vs.map((r) => r.checks.find((k) => k.name === name)?.metric).find((m) => m !== undefined);
    if (metric === undefined || !vs.some((r) => Number.isFinite(r.metrics[metric]))) continue;
    byMetric.set(metric, [...(byMetric.get(metric) ?? []), name]);
  }
  return [...byMetric].map(([metric, names]) => ({ metric, checks: names, html: chartHtml(`${idPrefix}-${metric}`, metric, names, vs, styles) }));
}

function verdictOf(r: VariantReport, checkNames: readonly string[]): Verdict {
  const found = r.checks.filter((k) => checkNames.includes(k.name));
  if (found.length === 0) return 'not checked';
  if (found.some((k) => !k.ok && k.unknown !== true)) return 'FAIL';
  return found.some((k) => k.unknown === true) ? 'unknown' : 'ok';
}

const VERDICT_CLASS: Record<Verdict, string> = { ok: 'ok', FAIL: 'bad', unknown: 'unknown', 'not checked': 'unchecked' };

function chartHtml(id: string, metric: string, checkNames: readonly string[], vs: readonly VariantReport[], styles: readonly VariantStyle[]): string {
  const named = metricTitle(metric);
  const values = vs.map((r) => r.metrics[metric]);
  const known = values.filter((x): x is number => x !== undefined && Number.isFinite(x));
  const integer = known.every((x) => Number.isInteger(x));
  const ticks = niceTicks(Math.min(0, ...known), Math.max(0, ...known), integer);
  const lo = ticks[0];
  const hi = ticks[ticks.length - 1];
  const plotW = WIDTH_PX - MARGIN_LEFT_PX - MARGIN_RIGHT_PX;
  const plotH = HEIGHT_PX - MARGIN_TOP_PX - MARGIN_BOTTOM_PX;
  const y = (v: number) => MARGIN_TOP_PX + plotH - ((v - lo) / (hi - lo)) * plotH;
  const band = plotW / Math.max(1, vs.length);
  const barW = Math.min(BAR_WIDTH_MAX_PX, band * 0.6);
  const parts: string[] = [];
  for (const t of ticks) {
    parts.push(`<line class="grid" x1="${MARGIN_LEFT_PX}" x2="${WIDTH_PX - MARGIN_RIGHT_PX}" y1="${px(y(t))}" y2="${px(y(t))}"/>`);
    parts.push(`<text class="tick" x="${MARGIN_LEFT_PX - 6}" y="${px(y(t) + 4)}" text-anchor="end">${esc(formatNumber(t))}</text>`);
  }
  vs.forEach((r, i) => {
    const v = values[i];
    const verdict = verdictOf(r, checkNames);
    const cx = MARGIN_LEFT_PX + band * (i + 0.5);
    const label = `${r.variant}: ${named.title} = ${formatNumber(v)}${named.unit === '' ? '' : ` ${named.unit}`}; check ${checkNames.join(', ')}: ${verdict}`;
    if (v !== undefined && Number.isFinite(v)) {
      const top = Math.min(y(v), y(0));
      // A zero still gets a sliver of its colour, so that "none" reads as a value, not as a missing bar.
      const height = Math.max(1.5, Math.abs(y(v) - y(0)));
      parts.push(
        `<rect class="bar" data-variant="${esc(r.variant)}" data-value="${v}" data-verdict="${verdict}" x="${px(cx - barW / 2)}" y="${px(top)}" width="${px(barW)}" height="${px(height)}" fill="${styles[i].color}"><title>${esc(label)}</title></rect>`,
      );
      parts.push(`<text class="bar-value" x="${px(cx)}" y="${px(Math.min(y(v), y(0)) - 5)}" text-anchor="middle">${esc(formatNumber(v))}</text>`);
    } else {
      parts.push(`<text class="bar-value" x="${px(cx)}" y="${px(y(0) - 5)}" text-anchor="middle">not reported</text>`);
    }
    parts.push(`<text class="bar-variant" x="${px(cx)}" y="${HEIGHT_PX - MARGIN_BOTTOM_PX + 16}" text-anchor="middle">${esc(r.variant)}</text>`);
    parts.push(`<text class="bar-verdict ${VERDICT_CLASS[verdict]}" x="${px(cx)}" y="${HEIGHT_PX - MARGIN_BOTTOM_PX + 32}" text-anchor="middle">${esc(verdict)}</text>`);
  });
  parts.push(`<line class="axis" x1="${MARGIN_LEFT_PX}" x2="${WIDTH_PX - MARGIN_RIGHT_PX}" y1="${px(y(0))}" y2="${px(y(0))}"/>`);
  const title = `check ${checkNames.join(', ')}: ${named.title} at the end of the run`;
  const svg = `<svg class="verdict-svg" viewBox="0 0 ${WIDTH_PX} ${HEIGHT_PX}" role="img" aria-label="${esc(title)}">${parts.join('')}</svg>`;
  return chartCard({ id, name: metric, mode: 'final', title, yLabel: named.unit !== '' ? named.unit : named.axis ?? (integer ? 'count' : 'value'), xLabel: 'variant, and its verdict on the check', inner: svg });
}

const px = (x: number) => Number(x.toFixed(1));

/** Round tick values from lo to hi (lo and hi included, widened to ticks); whole steps for whole numbers. */
export function niceTicks(lo: number, hi: number, integer: boolean): number[] {
  if (hi <= lo) hi = lo + 1;
  const raw = (hi - lo) / TICKS_TARGET;
  const mag = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? 10 * mag;
  if (integer) step = Math.max(1, Math.round(step));
  const first = Math.floor(lo / step) * step;
  const out: number[] = [];
  for (let t = first; out.length === 0 || out[out.length - 1] < hi; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}
