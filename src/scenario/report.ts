/**
 * Reports: the JSON object of one variant run (shared/DESIGN.md), and the terminal table that shows
 * variants side by side.
 */

export interface CheckReport {
  name: string;
  ok: boolean;
  detail: string;
}

export interface VariantReport {
  scenario: string;
  variant: string;
  seed: number;
  expect: 'pass' | 'fail';
  met: boolean;
  virtualMs: number;
  events: number;
  traceHash: string;
  checks: CheckReport[];
  metrics: Record<string, number>;
  /** Time series sampled on virtual time: name -> [t, value][] (when the scenario asks for it). */
  series?: Record<string, [number, number][]>;
}

export interface TableOptions {
  color?: boolean;
  /** Show only these metrics (default: all). */
  metrics?: string[];
}

const GREEN = '\x1b[32m', RED = '\x1b[31m', DIM = '\x1b[2m', BOLD = '\x1b[1m', RESET = '\x1b[0m';

function fmt(x: number | undefined): string {
  if (x === undefined) return '-';
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  return Math.abs(x) >= 100 ? x.toFixed(1) : Math.abs(x) >= 1 ? x.toFixed(3) : x.toPrecision(4);
}

/** Variants as columns; rows: verdict, checks, metrics, and the run's identity. */
export function formatTable(reports: VariantReport[], opts: TableOptions = {}): string {
  const c = (code: string, s: string) => (opts.color ? code + s + RESET : s);
  const header = ['', ...reports.map((r) => r.variant)];
  const rows: string[][] = [];
  const colored: boolean[][] = [];
  const push = (cells: string[], paint?: (i: number) => string | undefined) => {
    rows.push(cells);
    colored.push(cells.map((_, i) => paint?.(i) !== undefined));
    if (paint) rows[rows.length - 1] = cells.map((cell, i) => (paint(i) ? c(paint(i)!, cell) : cell));
  };
  push(['expect', ...reports.map((r) => r.expect)]);
  push(['met', ...reports.map((r) => (r.met ? 'yes' : 'NO'))], (i) => (i === 0 ? undefined : reports[i - 1].met ? GREEN : RED));
  const checkNames = [...new Set(reports.flatMap((r) => r.checks.map((k) => k.name)))];
  for (const name of checkNames) {
    push([`check ${name}`, ...reports.map((r) => {
      const k = r.checks.find((x) => x.name === name);
      return k === undefined ? '-' : k.ok ? 'ok' : 'FAIL';
    })], (i) => {
      if (i === 0) return undefined;
      const k = reports[i - 1].checks.find((x) => x.name === name);
      return k === undefined ? undefined : k.ok ? GREEN : RED;
    });
  }
  const metricNames = opts.metrics ?? [...new Set(reports.flatMap((r) => Object.keys(r.metrics)))].sort();
  for (const m of metricNames) push([m, ...reports.map((r) => fmt(r.metrics[m]))]);
  push(['seed', ...reports.map((r) => String(r.seed))]);
  push(['virtual time (ms)', ...reports.map((r) => fmt(r.virtualMs))]);
  push(['events', ...reports.map((r) => fmt(r.events))]);
  push(['traceHash', ...reports.map((r) => r.traceHash)]);

  const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
  const widths = header.map((h, i) => Math.max(plain(h).length, ...rows.map((r) => plain(r[i]).length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell + ' '.repeat(widths[i] - plain(cell).length) : ' '.repeat(widths[i] - plain(cell).length) + cell)).join('  ');
  const out = [c(BOLD, line(header)), c(DIM, widths.map((w) => '-'.repeat(w)).join('  ')), ...rows.map(line)];
  const details = reports.flatMap((r) => r.checks.map((k) => `  ${r.variant} / ${k.name}: ${k.detail}`));
  if (details.length > 0) out.push('', ...details);
  return out.join('\n');
}
