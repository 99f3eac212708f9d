/**
 * The plots a results folder keeps beside report.html, after Jepsen's perf checker (which writes
 * latency-raw.png, latency-quantiles.png and rate.png into a Maelstrom test's store folder), as SVG:
 * - latency-raw.svg: every completed operation, at the second it was invoked, by its latency (log
 *   scale), one colour per function and outcome;
 * - latency-quantiles.svg: the 0.5, 0.95, 0.99 and 1 quantiles of ok operations' latency per window;
 * - rate.svg: completions per second per window, by function and outcome.
 * Faults are the shaded bands, so a latency spike or a drop in rate lines up with its cause.
 */
import { plotSvg, type PlotBand, type PlotSeries } from '../web/index.js';
import type { TestResult } from './harness.js';
import { faultEvents } from './html.js';
import { operations } from './workload.js';

/** Windows per plot for quantiles and rates (Jepsen uses 10 s windows; tests here are often shorter). */
const windowsPerPlot = 20;
/** Windows are never shorter than this, so a short test's rates are not a handful of 0s and 1s. */
const windowMinS = 0.5;
const quantiles = [0.5, 0.95, 0.99, 1] as const;
const quantileColors = ['#3b6fd8', '#2a9d5c', '#d68a1f', '#c03a3a'];
/** Outcome colours as Jepsen's: ok blue-ish (one shade per function), info orange, fail red. */
const okColors = ['#3b6fd8', '#2a9d5c', '#7b4fc9', '#1b9aaa', '#5d6b7a'];
const outcomeColors = { info: '#f0a030', fail: '#d63b3b' } as const;

export type PlotFiles = Record<'latency-raw.svg' | 'latency-quantiles.svg' | 'rate.svg', string>;

export function maelstromPlots(r: TestResult): PlotFiles {
  const ops = operations(r.history).filter((o) => o.complete !== undefined && o.complete.type !== 'invoke');
  const endS = Math.max(1e-3, ...r.history.map((e) => e.time / 1e9));
  const bands: PlotBand[] = faultEvents(r.faults)
    .filter((f) => f.kind !== 'heal')
    .map((f) => ({ from: f.atMs / 1000, to: (f.untilMs ?? f.atMs + 1) / 1000, label: f.detail ?? f.kind }));
  const fs = [...new Set(ops.map((o) => o.invoke.f))];
  const colorOf = (f: string, type: 'ok' | 'fail' | 'info') => (type === 'ok' ? okColors[fs.indexOf(f) % okColors.length] : outcomeColors[type]);
  const seriesKeys = fs.flatMap((f) => (['ok', 'info', 'fail'] as const).map((type) => ({ f, type })));
  const latencyMs = (o: (typeof ops)[number]) => (o.complete!.time - o.invoke.time) / 1e6;

  const raw: PlotSeries[] = seriesKeys
    .map(({ f, type }) => ({ name: `${f} ${type}`, color: colorOf(f, type), style: 'dots' as const, points: ops.filter((o) => o.invoke.f === f && o.complete!.type === type).map((o) => [o.invoke.time / 1e9, latencyMs(o)] as const) }))
    .filter((s) => s.points.length > 0);

  const windowS = Math.max(windowMinS, endS / windowsPerPlot);
  const windows = Math.ceil(endS / windowS);
  const mid = (i: number) => (i + 0.5) * windowS;
  const byWindow = Array.from({ length: windows }, () => [] as number[]);
  for (const o of ops) if (o.complete!.type === 'ok') byWindow[Math.min(windows - 1, Math.floor(o.invoke.time / 1e9 / windowS))].push(latencyMs(o));
  byWindow.forEach((xs) => xs.sort((a, b) => a - b));
  const quantileSeries: PlotSeries[] = quantiles.map((q, qi) => ({
    name: q === 1 ? 'max' : `p${q * 100}`,
    color: quantileColors[qi],
    style: 'line',
    points: byWindow.flatMap((xs, i) => (xs.length === 0 ? [] : [[mid(i), xs[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)]] as const])),
  }));

  const rate: PlotSeries[] = seriesKeys
    .map(({ f, type }) => {
      const counts = new Array<number>(windows).fill(0);
      for (const o of ops) if (o.invoke.f === f && o.complete!.type === type) counts[Math.min(windows - 1, Math.floor(o.complete!.time / 1e9 / windowS))]++;
      return { name: `${f} ${type}`, color: colorOf(f, type), style: 'line' as const, points: counts.map((c, i) => [mid(i), c / windowS] as const), count: counts.reduce((a, b) => a + b, 0) };
    })
    .filter((s) => s.count > 0);

  const title = (what: string) => `${r.workload}: ${what}`;
  return {
    'latency-raw.svg': plotSvg({ title: title('latency of each operation'), xLabel: 'time (s)', yLabel: 'latency (ms)', yLog: true, series: raw, bands, xMax: endS }),
    'latency-quantiles.svg': plotSvg({ title: title(`latency quantiles of ok operations, ${windowS.toFixed(2)} s windows`), xLabel: 'time (s)', yLabel: 'latency (ms)', yLog: true, series: quantileSeries, bands, xMax: endS }),
    'rate.svg': plotSvg({ title: title(`completions per second, ${windowS.toFixed(2)} s windows`), xLabel: 'time (s)', yLabel: 'operations/s', series: rate, bands, xMax: endS }),
  };
}
