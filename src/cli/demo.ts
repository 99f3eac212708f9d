/**
 * `pillars demo`: the main job. The seeds' e-commerce platform on all five pillars runs through a
 * shortened shopping day with a Black-Friday spike and a chaos schedule, once as the naive platform
 * (each pillar's choice the seeds warn about) and once as the fixed one, and the results are told
 * pillar by pillar: in the terminal, and in a self-contained HTML report.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAB_PORT_DEFAULT } from '../lab/defaults.js';
import cliProgress from 'cli-progress';
import { runVariant, withCapturedEvents, type VariantReport } from '../scenario/index.js';
import { formatPillarReport, judgePillars } from '../platform/ecommerce/pillar-report.js';
import { reportInputFromRuns, writeHtmlReport, type CapturedRunResult } from '../web/index.js';
import { pillarPanels } from '../web/pillar-panels.js';
import { paragraph, wrapProse } from './terminal.js';
import { loadScenarioFile, parseSeed, writableFile, writeJson } from './io.js';
import { closeRunStore, openRunStore, RUNS_ROOT, STORED_LINES_BYTES_MAX } from './run-store.js';
import { GzipLineFile, seriesCsv, writeResult } from '../adapters/results-folder.js';
import { toJsonLine } from '../check/history.js';
import { demoReportDefault } from './defaults.js';

export interface DemoOptions {
  scenario?: string;
  seed?: string;
  json?: string;
  /** The HTML report's path, or false (--no-html) for none. */
  html?: string | false;
  /** Keep a results folder (the command line's default; --no-store sets false). */
  store?: boolean;
  /** The results store's root (default runs/). */
  out?: string;
  quiet?: boolean;
}


const defaultScenario = () => fileURLToPath(new URL('../../../scenarios/ecommerce.yaml', import.meta.url));

/** The day's checks per platform, FAIL in red and ok in green when coloured, as the tables paint them. */
export function formatCheckSummary(naive: Pick<VariantReport, 'checks'>, fixed: Pick<VariantReport, 'checks'>, color: boolean): string {
  const verdict = (ok: boolean) => (!color ? (ok ? 'ok' : 'FAIL') : ok ? '\x1b[32mok\x1b[0m' : '\x1b[31mFAIL\x1b[0m');
  const checks = (r: Pick<VariantReport, 'checks'>) => r.checks.map((c) => `${c.name} ${verdict(c.ok)}`).join(', ');
  return `checks, naive (expected to fail): ${checks(naive)}\nchecks, fixed (expected to pass): ${checks(fixed)}`;
}

/** Run the platform's naive and fixed variants; returns both reports and whether every pillar held. */
export function runDemo(o: DemoOptions, out: { color: boolean; progress: boolean }): { naive: VariantReport; fixed: VariantReport; ok: boolean } {
  const file = o.scenario ?? defaultScenario();
  const { scenario, text } = loadScenarioFile(file);
  const seed = o.seed === undefined ? undefined : parseSeed(o.seed, '--seed');
  const pick = (name: string) => {
    const v = scenario.variants.find((x) => x.name === name);
    if (v === undefined) throw new Error(`${file} has no variant ${name}: the demo compares naive and fixed`);
    return v;
  };
  const bar = out.progress && !o.quiet ? new cliProgress.SingleBar({ format: 'the shopping day {bar} {percentage}% ({platform} platform)', stream: process.stderr, clearOnComplete: true, hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
  const html = o.html === false ? undefined : (o.html ?? demoReportDefault);
  // An unwritable report path is bad input, found before the day is run.
  if (html !== undefined) writableFile(html, () => writeFileSync(html, ''));
  // The command line keeps a results folder unless --no-store; a caller of runDemo asks with store: true.
  const store = o.store === true ? openRunStore(o.out ?? RUNS_ROOT, scenario.name, text) : undefined;
  bar?.start(200, 0, { platform: 'naive' });
  const runs: CapturedRunResult[] = [];
  // naive first: the fixed platform's comparisons read what naive measured on the same seed.
  const peers = new Map<string, Record<string, number>>();
  ['naive', 'fixed'].forEach((name, i) => {
    bar?.update(i * 100, { platform: name });
    const history = store === undefined ? undefined : new GzipLineFile(join(store.dir, `history.${name}.jsonl.gz`), STORED_LINES_BYTES_MAX);
    const trace = store === undefined ? undefined : new GzipLineFile(join(store.dir, `trace.${name}.jsonl.gz`), STORED_LINES_BYTES_MAX);
    const r = runVariant(pick(name), {
      seed,
      scenario: scenario.name,
      peers,
      capture: html === undefined && store === undefined ? undefined : true,
      historySink: history === undefined ? undefined : (e) => history.line(toJsonLine(e)),
      traceSink: trace === undefined ? undefined : (line) => trace.line(line),
      progress: (t, end) => bar?.update(i * 100 + Math.floor((100 * t) / end), { platform: name }),
    });
    if (history !== undefined && trace !== undefined) store?.files.push(history.close(), trace.close());
    peers.set(name, r.report.metrics);
    runs.push(r);
  });
  bar?.stop();
  // What the JSON says: with the faults and events the HTML shades, when the day was captured for it.
  const reports: VariantReport[] = runs.map((r) => withCapturedEvents(r.report, r.capture));
  const [naive, fixed] = reports;
  const verdicts = judgePillars(naive, fixed);
  const ok = naive.met && fixed.met && verdicts.every((v) => v.prevented);
  if (!o.quiet) {
    process.stdout.write(`\n${wrapProse(paragraph(scenario.name, scenario.description))}\n\n`);
    process.stdout.write(wrapProse(formatPillarReport(naive, fixed, out.color)) + '\n');
    process.stdout.write(wrapProse(formatCheckSummary(naive, fixed, out.color)) + '\n');
    process.stdout.write(`seed ${fixed.seed}; traceHash naive ${naive.traceHash}, fixed ${fixed.traceHash}\n`);
  }
  if (o.json !== undefined) writeJson(o.json, reports);
  if (html !== undefined || store !== undefined) {
    const input = reportInputFromRuns(runs, {
      title: `${scenario.name}: the five pillars, naive against fixed`,
      description: scenario.description,
      panels: pillarPanels(verdicts),
      generatedBy: `pillars demo${o.scenario !== undefined ? ` --scenario ${o.scenario}` : ''}${seed !== undefined ? ` --seed ${seed}` : ''}`,
    });
    if (html !== undefined) {
      let bytes = 0;
      writableFile(html, () => (bytes = writeHtmlReport(html, input)));
      if (!o.quiet) process.stdout.write(`${wrapProse(`wrote ${html} (${Math.ceil(bytes / 1024)} KB, self-contained): open it in a browser`)}\n`);
    }
    if (store !== undefined) {
      writeHtmlReport(join(store.dir, 'report.html'), input);
      for (const r of runs) if (r.capture !== undefined) writeResult(store.dir, `series.${r.report.variant}.csv`, seriesCsv(r.capture.series));
    }
  }
  if (store !== undefined) {
    closeRunStore(store, reports);
    if (!o.quiet) process.stdout.write(`${wrapProse(`results in ${store.dir} (report.html, report.json, histories, traces, series as CSV, the command and the scenario)`)}\n`);
  }
  if (!o.quiet) process.stdout.write(`${wrapProse(`watch any story live and break it by hand: pillars lab, then open http://127.0.0.1:${LAB_PORT_DEFAULT}/`)}\n`);
  return { naive, fixed, ok };
}
