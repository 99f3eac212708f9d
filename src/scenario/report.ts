/**
 * Reports: the JSON object of one variant run (docs/design.md, "Report JSON"), and the terminal table that shows
 * variants side by side.
 */
import { maturityLabel } from '../intelligence/index.js';
import type { ScheduledEvent } from '../runtime/process-entry.js';
import { formatNumber } from '../runtime/number-format.js';
import type { FaultEvent } from './fault-tap.js';
import type { RunCapture } from './capture.js';

/**
 * The version of the report JSON's shape (docs/report.schema.json). Raise it when a field is removed,
 * renamed or changes meaning, so that a reader of stored results can tell which shape it holds;
 * adding an optional field keeps it.
 */
export const REPORT_SCHEMA_VERSION = 1;

export interface CheckReport {
  name: string;
  ok: boolean;
  /** Present (true) when the check could not decide; ok is then false. */
  unknown?: boolean;
  /** Present (true) when the check could not be applied (a metric nobody reported); ok is then false. */
  error?: boolean;
  detail: string;
  /** The metric the verdict is about (e.g. lost_acked_increments), when one carries it: reports chart it. */
  metric?: string;
}

export interface VariantReport {
  /** REPORT_SCHEMA_VERSION when the report was written. */
  schemaVersion: number;
  scenario: string;
  variant: string;
  seed: number;
  expect: 'pass' | 'fail';
  /** For expect fail: the checks whose failure the story is about (each must fail). */
  expectFail?: string[];
  /** For a search: the catch rate the variant declares, measured by a sweep of `seeds`. */
  search?: { caught: number; seeds: [number, number] };
  met: boolean;
  /** Why the expectation was not met, when it was not. */
  why?: string;
  /** The --set overrides the run was made with. */
  overrides?: string[];
  virtualMs: number;
  events: number;
  traceHash: string;
  checks: CheckReport[];
  metrics: Record<string, number>;
  /** Time series sampled on virtual time: name -> [t, value][] (when the scenario asks for it). */
  series?: Record<string, [number, number][]>;
  /** The faults the run suffered, as the HTML report's timeline shows them (when the run was captured for one). */
  faults?: FaultEvent[];
  /** What the scenario scheduled besides faults (spikes, releases, drifts), as the report shades them. */
  scheduled?: ScheduledEvent[];
  /**
   * The series the HTML report charts (when the run was captured for one): every metric sampled by
   * the capture, denser than `series`, which keeps the scenario's own sampling whatever is written.
   */
  chartSeries?: Record<string, [number, number][]>;
  /** Which of chartSeries are counters (cumulative; the charts draw their rate per second). */
  chartCounters?: string[];
}

/**
 * The report as written for a run captured for an HTML report (--html, a results folder): with the
 * faults and scheduled events the HTML shades and the series it charts, so that the JSON holds what
 * the page shows. The run's own report stays as it is, so that a run with a capture has the same
 * report as one without.
 */
export function withCapturedEvents(report: VariantReport, capture: Pick<RunCapture, 'faults' | 'events' | 'series' | 'counters'> | undefined): VariantReport {
  if (capture === undefined) return report;
  return { ...report, faults: capture.faults, ...(capture.events.length > 0 ? { scheduled: capture.events } : {}), chartSeries: capture.series, chartCounters: capture.counters };
}

export interface TableOptions {
  color?: boolean;
  /** Show only these metrics, in this order (default: all). */
  metrics?: string[];
  /** Counters to draw as sparklines of their rate, one line per variant, under the table. */
  charts?: string[];
}

const GREEN = '\x1b[32m', RED = '\x1b[31m', DIM = '\x1b[2m', BOLD = '\x1b[1m', RESET = '\x1b[0m';
const SPARKS = '▁▂▃▄▅▆▇█';

const fmt = formatNumber;

const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

/** A row of a table: its label, its cells, and a colour per cell (undefined = none). */
interface Row {
  cells: string[];
  paint?: (string | undefined)[];
}

/** Variants as columns; rows: verdict, checks, metrics, and the run's identity. */
export function formatTable(reports: VariantReport[], opts: TableOptions = {}): string {
  const paint = (code: string | undefined, s: string) => (opts.color && code !== undefined ? code + s + RESET : s);
  const verdict = (ok: boolean | undefined) => (ok === undefined ? undefined : ok ? GREEN : RED);
  const rows: Row[] = [];
  rows.push({ cells: ['expect', ...reports.map((r) => (r.search !== undefined ? 'search' : r.expect))] });
  rows.push({ cells: ['met', ...reports.map((r) => (r.met ? 'yes' : 'NO'))], paint: [undefined, ...reports.map((r) => verdict(r.met))] });
  if (reports.some((r) => r.metrics.maturity_level !== undefined)) {
    rows.push({ cells: ['intelligence maturity', ...reports.map((r) => (r.metrics.maturity_level === undefined ? '-' : maturityLabel(r.metrics.maturity_level)))] });
  }
  for (const name of [...new Set(reports.flatMap((r) => r.checks.map((k) => k.name)))]) {
    const found = reports.map((r) => r.checks.find((x) => x.name === name));
    rows.push({ cells: [`check ${name}`, ...found.map((k) => (k === undefined ? '-' : k.ok ? 'ok' : k.unknown ? 'unknown' : 'FAIL'))], paint: [undefined, ...found.map((k) => verdict(k?.ok))] });
  }
  const metricNames = opts.metrics ?? [...new Set(reports.flatMap((r) => Object.keys(r.metrics)))].sort();
  for (const m of metricNames) rows.push({ cells: [m, ...reports.map((r) => fmt(r.metrics[m]))] });
  rows.push({ cells: ['seed', ...reports.map((r) => String(r.seed))] });
  rows.push({ cells: ['virtual time (ms)', ...reports.map((r) => fmt(r.virtualMs))] });
  rows.push({ cells: ['events', ...reports.map((r) => fmt(r.events))] });
  rows.push({ cells: ['traceHash', ...reports.map((r) => r.traceHash)] });

  const header = ['', ...reports.map((r) => r.variant)];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i].length)));
  const line = (cells: string[], colors?: (string | undefined)[]) =>
    cells.map((cell, i) => {
      const pad = ' '.repeat(widths[i] - plain(cell).length);
      return i === 0 ? cell + pad : pad + paint(colors?.[i], cell);
    }).join('  ');
  const out = [paint(BOLD, line(header)), paint(DIM, widths.map((w) => '-'.repeat(w)).join('  ')), ...rows.map((r) => line(r.cells, r.paint))];
  const charts = (opts.charts ?? []).flatMap((name) => chartLines(reports, name));
  if (charts.length > 0) out.push('', ...charts);
  const details = reports.flatMap((r) => r.checks.map((k) => `  ${r.variant} / ${k.name}: ${k.detail}`));
  if (details.length > 0) out.push('', ...details);
  const promises = reports.filter((r) => r.expectFail !== undefined).map((r) => `  ${r.variant} ${r.search !== undefined ? `searches for a failure of ${r.expectFail!.join(', ')} (caught on ${r.search.caught} of seeds ${r.search.seeds[0]}..${r.search.seeds[1]})` : `is expected to fail ${r.expectFail!.join(', ')}`}`);
  // A search that misses on one seed is not a broken story: its sweep says how often it catches.
  const whys = reports.filter((r) => r.why !== undefined).map((r) => (r.search !== undefined ? `  ${r.variant}: ${r.why}` : paint(RED, `  ${r.variant} did not meet its expectation: ${r.why}`)));
  if (promises.length + whys.length > 0) out.push('', ...promises, ...whys);
  return out.join('\n');
}

/** One sparkline per variant of a counter's rate per second over virtual time, each on its own scale. */
function chartLines(reports: VariantReport[], name: string): string[] {
  const width = Math.max(...reports.map((r) => r.variant.length));
  const lines = [`${name} per second over virtual time:`];
  for (const r of reports) {
    const rates = rateSeries(r.series?.[name] ?? []);
    const max = Math.max(0, ...rates);
    const spark = rates.map((x) => SPARKS[max === 0 ? 0 : Math.min(SPARKS.length - 1, Math.floor((x / max) * SPARKS.length))]).join('');
    lines.push(`  ${r.variant.padEnd(width)}  ${spark || '(no samples)'}  max ${fmt(Math.round(max))}/s`);
  }
  return lines;
}

function rateSeries(points: [number, number][]): number[] {
  const out: number[] = [];
  for (let i = 1; i < points.length; i++) {
    const dt = points[i][0] - points[i - 1][0];
    out.push(dt > 0 ? ((points[i][1] - points[i - 1][1]) * 1000) / dt : 0);
  }
  return out;
}
