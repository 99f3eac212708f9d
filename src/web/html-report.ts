/**
 * The HTML report: one self-contained page (uPlot's script and stylesheet inlined, no network) that
 * shows a scenario's variants side by side: the verdict and checks of each, the faults on a timeline
 * with the messages around them, and panels of metrics and charts. buildHtmlReport is pure string
 * building; renderHtmlReport adds uPlot's files (read once from node_modules).
 */
import { maturityLabel } from '../intelligence/index.js';
import type { FaultEvent, MessageSequence } from '../scenario/fault-tap.js';
import type { VariantReport } from '../scenario/report.js';
import { chartData, looksLikeCounter, type ChartData } from './chart-data.js';
import { metricTitle } from '../scenario/metric-catalog.js';
import { faultTimeline } from './fault-timeline.js';
import { chartCard } from './chart-card.js';
import { verdictCharts } from './verdict-chart.js';
import { esc, formatMs, formatNumber, scriptJson, slug } from './html.js';
import { pageScript } from './page-script.js';
import { pageStyle } from './page-style.js';
import { uplotAssets, type UplotAssets } from './uplot-assets.js';
import { FAULT_COLORS, variantStyles } from './palette.js';
import { chartFaultMarks } from './chart-fault-marks.js';
import type { ScheduledEvent } from '../runtime/process-entry.js';

export type { FaultEvent, MessageSequence, SequenceMessage } from '../scenario/fault-tap.js';
export type { UplotAssets } from './uplot-assets.js';

export type Pillar = 'work' | 'state' | 'truth' | 'control' | 'intelligence';

export interface ReportSeries {
  name: string;
  title?: string;
  unit?: string;
  /** Chart the rate per second (counters) rather than the value (gauges); default: from HtmlReportInput.counters. */
  rate?: boolean;
}

/** A metric row with a label a person reads, and which way is better (that variant's cell is marked). */
export interface ReportMetric {
  name: string;
  label?: string;
  better?: 'lower' | 'higher';
}

export interface ReportPanel {
  id: string;
  title: string;
  pillar?: Pillar;
  /** A paragraph that says what the panel shows and what to look for. */
  text?: string;
  /** Metrics shown as a table, variants side by side: names, or rows with a label and a better direction. */
  metrics: (string | ReportMetric)[];
  /** Sampled series, one chart each, a line per variant. */
  series: ReportSeries[];
  /** Check names (as in the report: "metric:x" for metric checks) shown with their verdicts. */
  checks?: string[];
  /**
   * Checks whose verdict metric is charted first, its final value as a bar per variant; default:
   * the panel's checks. A headline chart must show what the story's checks judge, not only what
   * was sampled over time.
   */
  verdictCharts?: string[];
}

export interface HtmlReportInput {
  title: string;
  description?: string;
  variants: VariantReport[];
  /** Without panels, the report builds its own from the variants (see defaultPanels). */
  panels?: ReportPanel[];
  faults?: FaultEvent[];
  /** Faults left out of `faults` (a capture keeps the first few hundred). */
  faultsDropped?: number;
  sequences?: MessageSequence[];
  generatedBy?: string;
  /** The metrics the default results panel shows, in order (a scenario's metrics.show); default: all. */
  shownMetrics?: string[];
  /** The series the default results panel charts first (a scenario's metrics.chart). */
  charts?: string[];
  /** The series that are counters, charted as rates; without it, series that never fall and hold whole numbers are taken for counters. */
  counters?: string[];
  /** What the scenario scheduled besides faults (spikes, releases, drifts), per variant: shaded like faults. */
  events?: (ScheduledEvent & { variant?: string })[];
  /** Whole-run distributions of histograms, per variant: name -> [percentile, value][] (a capture's distributions). */
  distributions?: Record<string, [number, number][]>[];
  /** The runs happened in real time (a Maelstrom test), not in the simulator: the report says so and promises no replay. */
  realTime?: boolean;
}

export function renderHtmlReport(input: HtmlReportInput): string {
  return buildHtmlReport(input, uplotAssets());
}

/** The panels a report gets when its input names none: the scenario's results, then every sampled series. */
export function defaultPanels(input: HtmlReportInput): ReportPanel[] {
  const vs = input.variants;
  const metricNames = input.shownMetrics ?? [...new Set(vs.flatMap((r) => Object.keys(r.metrics)))].sort();
  const sampled = [...new Set(vs.flatMap((r) => Object.keys(r.series ?? {})))].sort();
  const chosen = (input.charts ?? []).filter((c) => sampled.includes(c) || !vs.some((r) => r.series !== undefined));
  const rest = sampled.filter((s) => !chosen.includes(s));
  const panels: ReportPanel[] = [
    {
      id: 'results',
      title: 'Results',
      text: 'The numbers the scenario chose to show, variants side by side.',
      metrics: metricNames,
      series: chosen.map((name) => ({ name })),
      verdictCharts: [...new Set(vs.flatMap((r) => r.checks.map((k) => k.name)))],
    },
  ];
  panels.push({
    id: 'series',
    title: 'Every sampled series',
    text: `Counters as their rate per second (rare one-off events as marks), gauges as their values, over ${input.realTime === true ? 'real' : 'virtual'} time; one line per variant.`
      + ' Coloured bands and lines: faults and scheduled events, each kind in its hue (see the legend of the fault timeline). Hover a chart to read every chart at that instant.',
    metrics: [],
    series: rest.map((name) => ({ name })),
  });
  return panels;
}

export function buildHtmlReport(input: HtmlReportInput, assets: UplotAssets): string {
  const vs = input.variants;
  const styles = variantStyles(vs.map((r) => r.variant));
  const colors = styles.map((x) => x.color);
  const counters = input.counters === undefined ? undefined : new Set(input.counters);
  const isRate = (s: ReportSeries) => s.rate ?? (counters !== undefined ? counters.has(s.name) : looksLikeCounter(s.name, vs));
  const panels = input.panels ?? defaultPanels(input);
  const charts: ChartData[] = [];
  const body: string[] = [];

  body.push('<header>');
  body.push(`<h1>${esc(input.title)}</h1>`);
  if (input.description) body.push(`<p class="description">${esc(input.description.trim())}</p>`);
  body.push(`<div class="variants">${vs.map((r, i) => variantChip(r, colors[i])).join('')}</div>`);
  body.push('</header>');
  const sections = [{ id: 'verdict', title: 'Verdict' }, { id: 'faults', title: 'Faults' }, ...panels.map((p) => ({ id: `panel-${slug(p.id)}`, title: p.title }))];
  body.push(`<nav class="toc">${sections.map((s) => `<a href="#${s.id}">${esc(s.title)}</a>`).join('')}</nav>`);

  body.push(`<section class="panel" id="verdict"><h2>Verdict</h2>${verdictTable(vs, input.realTime === true)}${checkDetails(vs)}</section>`);

  const scheduled = (input.events ?? []).map((e) => ({ ...e }));
  // Scheduled events go on the timeline beside the faults, in time order, each kind in its own hue.
  const faults = [...(input.faults ?? []), ...scheduled].sort((a, b) => a.atMs - b.atMs);
  const sequences = input.sequences ?? [];
  body.push(`<section class="panel" id="faults"><h2>Faults</h2>`);
  body.push(input.faults === undefined && input.sequences === undefined && scheduled.length === 0 ? '<p class="empty">This report carries no fault timeline.</p>' : faultTimeline(faults, sequences, vs.map((r) => ({ name: r.variant, virtualMs: r.virtualMs })), input.faultsDropped));
  body.push('</section>');

  for (const p of panels) {
    const pid = `panel-${slug(p.id)}`;
    body.push(`<section class="panel${p.pillar ? ` pillar-border-${p.pillar}` : ''}" id="${pid}">`);
    body.push(`<h2>${p.pillar ? `<span class="pillar pillar-${p.pillar}">${esc(p.pillar)}</span>` : ''}${esc(p.title)}</h2>`);
    if (p.text) body.push(`<p class="panel-text">${esc(p.text)}</p>`);
    if (p.metrics.length > 0) body.push(metricTable(vs, p.metrics));
    if (p.checks !== undefined && p.checks.length > 0) body.push(checkTable(vs, p.checks));
    const verdicts = verdictCharts(pid, p.verdictCharts ?? p.checks ?? [], vs, styles);
    if (verdicts.length > 0) body.push(`<div class="charts verdict-charts">${verdicts.map((c) => c.html).join('')}</div>`);
    if (p.series.length > 0) {
      const panelCharts = p.series.flatMap((s) => {
        const c = chartData({ id: `${pid}-${slug(s.name)}`, name: s.name, title: s.title, unit: s.unit, rate: isRate(s) }, vs);
        // Beside a latency quantile over time, the whole run's distribution of the same histogram.
        const h = /^(.*)_p99_interval$/.exec(s.name)?.[1];
        const d = h === undefined ? undefined : distributionChart(`${pid}-${slug(h)}-distribution`, h, vs, input.distributions);
        return d === undefined ? [c] : [c, d];
      });
      const drawn = panelCharts.filter((c) => c.points > 0);
      const missing = panelCharts.filter((c) => c.points === 0);
      charts.push(...drawn);
      if (drawn.length > 0) body.push(`<div class="charts">${drawn.map((c) => seriesCard(c, input.realTime === true)).join('')}</div>`);
      if (missing.length > 0) {
        const names = missing.map((c) => c.name).join(', ');
        body.push(`<p class="empty">${drawn.length === 0 ? 'Nothing to chart: ' : ''}no samples of ${esc(names)} in ${vs.length > 1 ? 'these runs' : 'this run'}${vs.some((r) => r.series !== undefined) ? '' : ' (a run samples its series with --html, or when its scenario sets metrics.sampleEveryMs or metrics.chart)'}.</p>`);
      }
    } else if (p.metrics.length === 0 && (p.checks ?? []).length === 0 && verdicts.length === 0) {
      body.push('<p class="empty">Nothing was sampled in this run.</p>');
    }
    body.push('</section>');
  }
  body.push(
    input.realTime === true
      ? `<footer>${esc(input.generatedBy ?? 'pillars')}: every number comes from a run in real time, with real processes; the seed fixes the fault schedule and the latencies drawn, not the timing, so a run does not replay exactly.</footer>`
      : `<footer>${esc(input.generatedBy ?? 'pillars')}: every number comes from deterministic simulated runs; the seed and traceHash of each variant replay it exactly.</footer>`,
  );

  const data = {
    variants: vs.map((r, i) => ({ name: r.variant, ...styles[i] })),
    charts: charts.map((c) => ({ id: c.id, unit: c.unit, rate: c.rate, mode: c.mode, yLabel: c.yLabel, integer: c.integer, x: c.x, ys: c.ys })),
    faultMarks: chartFaultMarks(faults),
    faultColors: FAULT_COLORS,
    xMaxS: Math.max(0, ...vs.map((r) => r.virtualMs)) / 1000,
    timeLabel: input.realTime === true ? 'real time' : 'virtual time',
  };
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(input.title)}</title>`,
    `<style>${assets.css}</style>`,
    `<style>${pageStyle}</style>`,
    '</head><body><main>',
    ...body,
    '</main>',
    `<script type="application/json" id="report-data">${scriptJson(data)}</script>`,
    `<script>${assets.js.replace(/<\/script/gi, '<\\/script')}</script>`,
    `<script>${pageScript}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}

/** A uPlot chart's card, its x axis titled by the chart's mode. */
function seriesCard(c: ChartData, realTime: boolean): string {
  const xLabel = c.mode === 'distribution' ? 'percentile (each nine the same width)' : `${realTime ? 'real' : 'virtual'} time (s)`;
  return chartCard({ id: c.id, name: c.name, mode: c.mode, title: c.title, yLabel: c.yLabel, xLabel });
}

function variantChip(r: VariantReport, color: string): string {
  const verdict = r.met ? `<span class="verdict ok">met</span>` : `<span class="verdict bad">NOT met</span>`;
  return `<span class="variant-chip"><span class="swatch" style="background:${color}"></span><b>${esc(r.variant)}</b> expects ${esc(r.expect)}: ${verdict}</span>`;
}

function header(vs: readonly VariantReport[]): string {
  return `<thead><tr><th></th>${vs.map((r) => `<th>${esc(r.variant)}</th>`).join('')}</tr></thead>`;
}

type Cell = { text: string; cls?: string; title?: string };
const td = (c: Cell) => `<td${c.cls ? ` class="${c.cls}"` : ''}${c.title ? ` title="${esc(c.title)}"` : ''}>${esc(c.text)}</td>`;
const row = (label: string, cells: Cell[], title?: string) => `<tr><th scope="row"${title ? ` title="${esc(title)}"` : ''}>${esc(label)}</th>${cells.map(td).join('')}</tr>`;
const table = (vs: readonly VariantReport[], rows: string[], cls = 'side-by-side') => `<div class="table-scroll"><table class="${cls}">${header(vs)}<tbody>${rows.join('')}</tbody></table></div>`;

function checkCells(vs: readonly VariantReport[], name: string): Cell[] {
  return vs.map((r) => {
    const k = r.checks.find((x) => x.name === name);
    if (k === undefined) return { text: '-' };
    return { text: k.ok ? 'ok' : k.unknown ? 'unknown' : 'FAIL', cls: k.ok ? 'ok' : k.unknown ? 'unknown' : 'bad', title: k.detail };
  });
}

function verdictTable(vs: readonly VariantReport[], realTime: boolean): string {
  const rows = [row('expect', vs.map((r) => ({ text: r.expect }))), row('met', vs.map((r) => ({ text: r.met ? 'yes' : 'NO', cls: r.met ? 'ok' : 'bad' })))];
  if (vs.some((r) => r.metrics.maturity_level !== undefined)) {
    rows.push(row('intelligence maturity', vs.map((r) => ({ text: r.metrics.maturity_level === undefined ? '-' : maturityLabel(r.metrics.maturity_level) }))));
  }
  for (const name of [...new Set(vs.flatMap((r) => r.checks.map((k) => k.name)))]) rows.push(row(`check ${name}`, checkCells(vs, name)));
  rows.push(row('seed', vs.map((r) => ({ text: String(r.seed) }))));
  rows.push(row(realTime ? 'real time' : 'virtual time', vs.map((r) => ({ text: formatMs(r.virtualMs) }))));
  rows.push(row('events', vs.map((r) => ({ text: formatNumber(r.events) }))));
  rows.push(row('traceHash', vs.map((r) => ({ text: r.traceHash, cls: 'hash' }))));
  return table(vs, rows);
}

function checkDetails(vs: readonly VariantReport[]): string {
  const items = vs.flatMap((r) => r.checks.map((k) => `<li><b>${esc(r.variant)}</b> / ${esc(k.name)}: <span class="${k.ok ? 'verdict ok' : k.unknown ? '' : 'verdict bad'}">${k.ok ? 'ok' : k.unknown ? 'unknown' : 'FAIL'}</span> ${esc(k.detail)}</li>`));
  return items.length === 0 ? '' : `<details class="check-details"><summary>What each check found</summary><ul>${items.join('')}</ul></details>`;
}

function metricTable(vs: readonly VariantReport[], metrics: readonly (string | ReportMetric)[]): string {
  const rows = metrics.map((entry) => {
    const m = typeof entry === 'string' ? { name: entry } : entry;
    const values = vs.map((r) => r.metrics[m.name]);
    const known = values.filter((x): x is number => x !== undefined && !Number.isNaN(x));
    const best = m.better === undefined || vs.length < 2 || known.length < 2 ? undefined : m.better === 'lower' ? Math.min(...known) : Math.max(...known);
    // Mark the better value only where the variants differ: a tie tells nothing.
    const differ = new Set(known).size > 1;
    return row(m.label ?? m.name, values.map((x) => ({ text: formatNumber(x), cls: differ && x === best ? 'best' : undefined })), m.label !== undefined ? m.name : undefined);
  });
  return table(vs, rows);
}

function checkTable(vs: readonly VariantReport[], names: readonly string[]): string {
  return table(vs, names.map((n) => row(`check ${n}`, checkCells(vs, n))));
}

/**
 * A histogram's whole-run distribution per variant as an HDR percentile chart: x is the percentile on
 * a scale that gives each nine the same width (-log10(1 - p)), as HdrHistogram's plots do.
 */
function distributionChart(id: string, histogram: string, vs: readonly VariantReport[], distributions: HtmlReportInput['distributions']): ChartData | undefined {
  if (distributions === undefined) return undefined;
  const per = vs.map((_, i) => distributions[i]?.[histogram]);
  if (per.every((d) => d === undefined || d.length === 0)) return undefined;
  const ps = [...new Set(per.flatMap((d) => (d ?? []).map(([p]) => p)))].sort((a, b) => a - b);
  const named = metricTitle(histogram);
  return {
    id,
    name: `${histogram} distribution`,
    title: `${named.title}: the whole run's distribution by percentile`,
    unit: named.unit === '' ? '' : ` ${named.unit}`,
    rate: false,
    mode: 'distribution',
    yLabel: named.unit === '' ? 'value' : named.unit,
    integer: false,
    x: ps.map(ninesOf),
    ys: per.map((d) => ps.map((p) => d?.find(([q]) => q === p)?.[1] ?? null)),
    points: per.reduce((n, d) => n + (d?.length ?? 0), 0),
  };
}

/** A percentile's count of nines: 90 -> 1, 99 -> 2, 99.9 -> 3; 100 is drawn at 5 nines, the chart's end. */
const NINES_MAX = 5;
function ninesOf(p: number): number {
  return p >= 100 ? NINES_MAX : Math.min(NINES_MAX, -Math.log10(1 - p / 100));
}
