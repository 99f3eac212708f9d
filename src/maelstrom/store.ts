/**
 * A test's results folder, as Jepsen and Maelstrom keep them: ROOT/<workload>/<time>/ with
 * results.json and results.edn (the verdict, checker numbers, stats, faults), history.jsonl (Jepsen's
 * shape), every node's stderr (n0.log ...), and report.html (the verdict and witness, operation rate
 * and latency over real time, the fault timeline, message diagrams of the start and around faults),
 * and the plots Jepsen writes as PNG, here as SVG: latency-raw.svg, latency-quantiles.svg, rate.svg.
 * ROOT/<workload>/latest and ROOT/latest link to the newest run.
 *
 * The folder also holds what every other results folder of this project holds, so that one script
 * reads both: report.json in the published report schema (docs/report.schema.json, the same variant
 * report the HTML draws, with its faults and series), the series as CSV, and command.txt, the exact
 * command that ran the test.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { linkLatest, resultsDirFor, seriesCsv } from '../adapters/results-folder.js';
import { writeHtmlReport } from '../web/index.js';
import { toEdn } from './edn.js';
import type { TestOptions, TestResult } from './harness.js';
import { maelstromReportInput } from './html.js';
import { maelstromPlots } from './plots.js';

/** The run's folder: ROOT/<workload>/<UTC time, colons left out>; created, empty. */
export function storeDirFor(root: string, workload: string, startedAt: Date): string {
  return resultsDirFor(root, workload, startedAt);
}

/**
 * Write a finished test into its folder and point the `latest` links at it; `command` is the command
 * line as typed, for command.txt.
 */
export function writeStore(dir: string, root: string, o: TestOptions, r: TestResult, command: string): void {
  const summary = { ...r, history: undefined, options: { workload: o.workload.name, bin: o.bin, args: o.args ?? [], nodeCount: o.nodeCount, timeLimitS: o.timeLimitS, rate: o.rate, concurrency: o.concurrency, latencyMs: o.latencyMs, latencyDist: o.latencyDist, nemesis: o.nemesis, nemesisIntervalS: o.nemesisIntervalS, seed: o.seed } };
  writeFileSync(join(dir, 'results.json'), JSON.stringify(summary, null, 2) + '\n');
  writeFileSync(join(dir, 'results.edn'), toEdn(summary) + '\n');
  writeFileSync(join(dir, 'history.jsonl'), r.history.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const report = maelstromReportInput(o, r);
  writeHtmlReport(join(dir, 'report.html'), report);
  const [variant] = report.variants;
  // As a captured scenario run writes it: the faults and the series the page charts beside the report.
  writeFileSync(join(dir, 'report.json'), JSON.stringify({ ...variant, faults: report.faults, chartSeries: variant.series, chartCounters: report.counters }, null, 2) + '\n');
  writeFileSync(join(dir, `series.${variant.variant}.csv`), seriesCsv(variant.series ?? {}));
  writeFileSync(join(dir, 'command.txt'), command + '\n');
  for (const [name, svg] of Object.entries(maelstromPlots(r))) writeFileSync(join(dir, name), svg);
  linkLatest(root, o.workload.name, dir);
}
