/**
 * What `pillars run`, `sweep`, `stories` and `list` do. main.ts loads this module only when one of
 * them runs, so a command that needs no scenario (or --help) does not pay for the scenario parser,
 * every system and the HTML report.
 */
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toJsonLine } from '../check/history.js';
import { checks, declaredMetrics, formatTable, withCapturedEvents, processes, runVariants, ScenarioError, type Scenario, type VariantReport } from '../scenario/index.js';
import { LineWriter, loadScenarioFile, readableDir, parseSeed, perVariantFile, selectVariants, writableFile, writeJson } from './io.js';
import { formatSweep, parseSeedRange, summarizeSweep, sweepAsExpected, sweepJson, sweepRuns, type VariantSummary } from './sweep.js';
import { reportInputFromRuns, writeHtmlReport, type CapturedRunResult } from '../web/index.js';
import { closeRunStore, openRunStore, RUNS_ROOT, STORED_LINES_BYTES_MAX, type RunStore, type StoreFlags } from './run-store.js';
import { GzipLineFile, seriesCsv, writeResult } from '../adapters/results-folder.js';
import { paragraph, wrapProse } from './terminal.js';
import { ProgressBar } from './progress-bar.js';
import { color, EXIT_NOT_MET, EXIT_OK, showProgress } from './conventions.js';

export interface RunOpts extends StoreFlags {
  variant?: string;
  seed?: string;
  json?: string;
  history?: string;
  trace?: string;
  quiet?: boolean;
  allMetrics?: boolean;
  html?: string;
  set?: string[];
  /**
   * A caller's own progress display (stories) instead of the run's bar: called with the fraction of
   * the file's runs done and the variant running, and with undefined just before the table is printed.
   */
  progress?: (fraction: number | undefined, variant: string) => void;
}

/** Run the selected variants of one file, print the table; returns the reports. */
function runFile(file: string, o: RunOpts): { reports: VariantReport[]; dir?: string } {
  const { scenario, text } = loadScenarioFile(file, o.set);
  const variants = selectVariants(scenario, o.variant);
  const asked = new Set(variants.map((v) => v.name));
  const seed = o.seed === undefined ? undefined : parseSeed(o.seed, '--seed');
  const several = variants.length > 1;
  const reports: VariantReport[] = [];
  const captured: CapturedRunResult[] = [];
  const html = o.html;
  if (html !== undefined) writableFile(html, () => writeFileSync(html, ''));
  const store = o.store === false ? undefined : openRunStore(o.out ?? RUNS_ROOT, scenario.name, text);
  let bar: ProgressBar | undefined;
  let history: LineWriter | undefined;
  let trace: LineWriter | undefined;
  let storedHistory: GzipLineFile | undefined;
  let storedTrace: GzipLineFile | undefined;
  const finish = () => {
    bar?.stop();
    history?.close();
    trace?.close();
    if (storedHistory !== undefined) store?.files.push(storedHistory.close());
    if (storedTrace !== undefined) store?.files.push(storedTrace.close());
    storedHistory = storedTrace = undefined;
  };
  // Each variant runs with the variants it compares with run first on the same seed; one that was not
  // asked for runs only for that, quietly, and is left out of the table.
  // Runs begun and still to begin (peers of the asked variants run too, but are not counted), for o.progress.
  let started = -1;
  let pending = asked.size;
  const runs = runVariants(scenario, [...asked], (v) => {
    finish();
    started++;
    pending = Math.max(0, pending - 1);
    const mine = asked.has(v.name);
    history = mine && o.history !== undefined ? new LineWriter(perVariantFile(o.history, v.name, several)) : undefined;
    trace = mine && o.trace !== undefined ? new LineWriter(perVariantFile(o.trace, v.name, several)) : undefined;
    storedHistory = mine && store !== undefined ? new GzipLineFile(join(store.dir, `history.${v.name}.jsonl.gz`), STORED_LINES_BYTES_MAX) : undefined;
    storedTrace = mine && store !== undefined ? new GzipLineFile(join(store.dir, `trace.${v.name}.jsonl.gz`), STORED_LINES_BYTES_MAX) : undefined;
    // Seconds of virtual time run, of the run's end, with an eta; made at the first report, which knows the end.
    bar = undefined;
    const barWanted = showProgress && !o.quiet && o.progress === undefined;
    const label = `${scenario.name}/${v.name}`;
    const historyOut = [history, storedHistory].filter((w) => w !== undefined);
    const traceOut = [trace, storedTrace].filter((w) => w !== undefined);
    return {
      seed,
      historySink: historyOut.length === 0 ? undefined : (e) => {
        const line = toJsonLine(e);
        for (const w of historyOut) w.line(line);
      },
      traceSink: traceOut.length === 0 ? undefined : (line) => {
        for (const w of traceOut) w.line(line);
      },
      progress: o.progress === undefined ? (now, end) => {
        if (!barWanted) return;
        bar ??= new ProgressBar(label, Math.ceil(end / 1000));
        bar.update(Math.floor(now / 1000), 's of virtual time'); // whole seconds: no eta from a sliver of the run
      } : (now, end) => o.progress!((started + now / end) / (started + 1 + pending), v.name),
      capture: (html === undefined && store === undefined) || !mine ? undefined : true,
    };
  });
  finish();
  for (const v of variants) {
    const { report, capture } = runs.get(v.name)!;
    // What the JSON says: with the faults and events the HTML shades, when the run was captured for it.
    reports.push(withCapturedEvents(report, capture));
    captured.push({ report, capture });
  }
  o.progress?.(undefined, variants[0].name);
  if (!o.quiet) {
    process.stdout.write(`\n${wrapProse(paragraph(scenario.name, scenario.description))}\n\n`);
    if (o.set !== undefined && o.set.length > 0) process.stdout.write(`overrides: ${o.set.map((x) => `--set ${x}`).join(' ')}\n\n`);
    const shown = o.allMetrics ? undefined : variants[0].metrics.show;
    process.stdout.write(formatTable(reports, { color, metrics: shown, charts: variants[0].metrics.chart }) + '\n');
  }
  if (o.json !== undefined) writeJson(o.json, reports.length === 1 ? reports[0] : reports);
  if (html !== undefined || store !== undefined) {
    const input = reportInputFromRuns(captured, {
      title: scenario.name,
      description: scenario.description,
      shownMetrics: variants[0].metrics.show,
      charts: variants[0].metrics.chart,
      generatedBy: `pillars run ${file}${o.variant !== undefined ? ` --variant ${o.variant}` : ''}${seed !== undefined ? ` --seed ${seed}` : ''}${(o.set ?? []).map((x) => ` --set ${x}`).join('')}`,
    });
    if (html !== undefined) {
      let bytes = 0;
      writableFile(html, () => (bytes = writeHtmlReport(html, input)));
      if (!o.quiet) process.stdout.write(`\n${wrapProse(`wrote ${html} (${Math.ceil(bytes / 1024)} KB, self-contained): open it in a browser`)}\n`);
    }
    if (store !== undefined) {
      writeHtmlReport(join(store.dir, 'report.html'), input);
      for (const { report, capture } of captured) if (capture !== undefined) writeResult(store.dir, `series.${report.variant}.csv`, seriesCsv(capture.series));
    }
  }
  if (store !== undefined) {
    closeRunStore(store, reports.length === 1 ? reports[0] : reports);
    if (!o.quiet) process.stdout.write(`\n${wrapProse(`results in ${store.dir} (report.html, report.json, histories, traces, series as CSV, the command and the scenario)`)}\n`);
  }
  return { reports, dir: store?.dir };
}

/** A command's results folder, unless --no-store; bad --out is exit 2 naming the folder. */
function openStore(o: StoreFlags, name: string, scenarioText?: string): RunStore | undefined {
  return o.store === false ? undefined : openRunStore(o.out ?? RUNS_ROOT, name, scenarioText);
}

/** Each variant's declared metrics, several to a line; <part> marks a name family. */
export function formatDeclaredMetrics(scenario: Scenario): string {
  const out: string[] = [`${scenario.name}: the metrics each variant declares (checks, metrics.show and metrics.chart may name these)`];
  for (const v of scenario.variants) {
    const names = declaredMetrics(v).list();
    out.push('', `${v.name} (${v.system.process}, ${names.length} names):`);
    let line = ' ';
    for (const n of names) {
      if (line.length + n.length + 1 > 100 && line.trim() !== '') {
        out.push(line);
        line = ' ';
      }
      line += ` ${n}`;
    }
    if (line.trim() !== '') out.push(line);
  }
  return out.join('\n');
}

function scenariosDir(): string {
  return fileURLToPath(new URL('../../../scenarios/', import.meta.url));
}

/** `pillars run`. */
export function runCommand(file: string, o: RunOpts): void {
  const { reports } = runFile(file, o);
  // A search for a rare failure is judged by its sweep, not by one seed (pillars sweep confirms its rate).
  process.exitCode = reports.every((r) => r.met || r.search !== undefined) ? EXIT_OK : EXIT_NOT_MET;
}

export type SweepFlags = StoreFlags & { seeds: string; variant?: string; workers?: string; json?: string; queue?: string; set?: string[] };

/** `pillars sweep`. */
export async function sweepCommand(file: string, o: SweepFlags): Promise<void> {
  const [seedFirst, seedLast] = parseSeedRange(o.seeds);
  // Loaded only for --queue: BullMQ and ioredis cost startup time every other command need not pay.
  const queueing = o.queue === undefined ? undefined : await import('./queue-sweep.js');
  const address = o.queue === undefined ? undefined : queueing?.parseQueueUrl(o.queue);
  if (address !== undefined && o.workers !== undefined) throw new ScenarioError('(command line)', '--workers', 'not with --queue (each machine sets its threads with pillars worker --concurrency)');
  if (address !== undefined && o.set !== undefined) throw new ScenarioError('(command line)', '--set', 'not with --queue (workers run the file as stored; write the change into a copy of the file)');
  const { scenario, text } = loadScenarioFile(file, o.set);
  const variants = selectVariants(scenario, o.variant).map((v) => v.name);
  const workers = o.workers === undefined ? undefined : Math.max(1, parseSeed(o.workers, '--workers'));
  const store = openStore(o, scenario.name, text);
  const started = process.hrtime.bigint();
  const progress = showProgress ? 'bar' : 'lines';
  const results = queueing === undefined || address === undefined
    ? await sweepRuns({ file, text, scenario, variants, seedFirst, seedLast, workers, progress, set: o.set })
    : await queueing.queueSweep({ address, file, text, scenario, variants, seedFirst, seedLast, progress });
  const summaries = summarizeSweep(scenario, variants, results);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const runs = summaries.reduce((s, x) => s + x.runs, 0);
  process.stdout.write(`${scenario.name}: ${runs} runs (seeds ${seedFirst}..${seedLast}, ${variants.length} variant${variants.length > 1 ? 's' : ''}) in ${seconds.toFixed(1)} s\n`);
  if (o.set !== undefined) process.stdout.write(`overrides: ${o.set.map((x) => `--set ${x}`).join(' ')}\n`);
  process.stdout.write(formatSweep(file, summaries, results, o.set) + '\n');
  const summary = { ...sweepJson(scenario.name, seedFirst, seedLast, summaries, results), ...(o.set === undefined ? {} : { overrides: o.set }) };
  if (o.json !== undefined) writeJson(o.json, summary);
  if (store !== undefined) {
    closeRunStore(store, summary, 'sweep.json');
    process.stdout.write(`${wrapProse(`results in ${store.dir} (sweep.json, the command and the scenario)`)}\n`);
  }
  process.exitCode = sweepAsExpected(summaries) ? EXIT_OK : EXIT_NOT_MET;
}

export type StoriesFlags = StoreFlags & { json?: string; seeds?: string; workers?: string; set?: string[]; dir?: string };

/** `pillars stories`. */
export async function storiesCommand(o: StoriesFlags): Promise<void> {
  const dir = o.dir === undefined ? scenariosDir() : join(o.dir, '/');
  const files = readableDir(dir, '--dir').filter((f) => f.endsWith('.yaml')).sort();
  if (files.length === 0) throw new ScenarioError(dir, '--dir', 'a folder with scenario files (*.yaml); it has none');
  if (o.seeds !== undefined) {
    const [seedFirst, seedLast] = parseSeedRange(o.seeds);
    const workers = o.workers === undefined ? undefined : Math.max(1, parseSeed(o.workers, '--workers'));
    const loaded = files.map((f) => ({ f, ...loadScenarioFile(dir + f, o.set) }));
    const store = openStore(o, 'stories');
    const all: { scenario: string; summaries: VariantSummary[] }[] = [];
    const width = Math.max(...loaded.flatMap(({ scenario }) => scenario.variants.map((v) => scenario.name.length + v.name.length + 1)));
    const bar = new ProgressBar('stories', loaded.length);
    for (const [i, { f, scenario, text }] of loaded.entries()) {
      const variants = scenario.variants.map((v) => v.name);
      bar.update(i, scenario.name, true);
      const onRun = (done: number, total: number) => bar.update(i + done / total, `${scenario.name}: ${done}/${total} runs`, done === total);
      const results = await sweepRuns({ file: dir + f, text, scenario, variants, seedFirst, seedLast, workers, progress: 'none', set: o.set, onRun });
      bar.stop();
      const summaries = summarizeSweep(scenario, variants, results);
      all.push({ scenario: scenario.name, summaries });
      for (const s of summaries) {
        const label = `${scenario.name}/${s.variant}`.padEnd(width);
        const line = s.search !== undefined
          ? `${label}  search: caught on ${s.met} of ${s.runs} seeds (declared ${s.search.caught} of ${s.search.seeds[0]}..${s.search.seeds[1]}${s.search.confirmed === undefined ? '' : s.search.confirmed ? ', confirmed' : ', NOT confirmed'})`
          : `${label}  ${String(s.met).padStart(String(s.runs).length)}/${s.runs} met (expect ${s.expect === 'fail' ? `fail: ${s.expectFail!.join(', ')}` : 'pass'})${s.notMet > 0 ? ` — not on seeds ${s.failingSeeds.slice(0, 10).join(', ')}${s.failingSeeds.length > 10 ? ', ...' : ''}` : ''}`;
        process.stdout.write(line + '\n');
      }
    }
    const summaries = all.flatMap((x) => x.summaries.map((s) => ({ scenario: x.scenario, ...s })));
    const bad = summaries.filter((s) => !sweepAsExpected([s]));
    const judged = summaries.filter((s) => s.search === undefined);
    process.stdout.write(`\n${wrapProse(`${judged.length} variants of ${files.length} scenarios over seeds ${seedFirst}..${seedLast}: ${judged.filter((s) => s.notMet === 0).length} met their expectation on every seed${bad.length ? `; not: ${bad.map((s) => `${s.scenario}/${s.variant}`).join(', ')}` : ''}.`)}\n`);
    const summary = { seeds: [seedFirst, seedLast], ...(o.set === undefined ? {} : { overrides: o.set }), stories: all };
    if (o.json !== undefined) writeJson(o.json, summary);
    if (store !== undefined) {
      closeRunStore(store, summary, 'sweep.json');
      process.stdout.write(`${wrapProse(`results in ${store.dir} (sweep.json and the command)`)}\n`);
    }
    process.exitCode = bad.length === 0 ? EXIT_OK : EXIT_NOT_MET;
    return;
  }
  const all: VariantReport[] = [];
  const store = openStore(o, 'stories');
  // One bar over every story, the fraction of each story's variants counted as they run.
  const bar = new ProgressBar('stories', files.length);
  for (const [i, f] of files.entries()) {
    const progress = (fraction: number | undefined, variant: string) => (fraction === undefined ? bar.stop() : bar.update(i + fraction, `${f.replace(/\.yaml$/, '')}/${variant}`));
    bar.update(i, f.replace(/\.yaml$/, ''), true);
    const story = runFile(dir + f, { set: o.set, progress, store: o.store, out: o.out });
    // The charted series stay in each story's own folder: all of them in one file would run to
    // hundreds of megabytes.
    all.push(...story.reports.map(({ chartSeries: _charted, chartCounters: _counters, ...report }) => report));
    if (store !== undefined && story.dir !== undefined) store.folders.push(relative(store.dir, story.dir));
  }
  bar.stop();
  // A search that did not catch its failure on this seed is not a broken story: its sweep says how often it does.
  const searches = all.filter((r) => r.search !== undefined);
  const judged = all.filter((r) => r.search === undefined);
  const bad = judged.filter((r) => !r.met);
  const searchLine = searches.length === 0 ? '' : ` ${searches.length} search${searches.length > 1 ? 'es' : ''} for rare failures (${searches.map((r) => `${r.scenario}/${r.variant}: ${r.met ? 'caught' : 'not caught'} on seed ${r.seed}, declared ${r.search!.caught} of seeds ${r.search!.seeds[0]}..${r.search!.seeds[1]}`).join('; ')}).`;
  process.stdout.write(`\n${wrapProse(`${judged.length} variants of ${files.length} scenarios: ${judged.length - bad.length} met their expectation${bad.length ? `, ${bad.length} did not (${bad.map((r) => `${r.scenario}/${r.variant}`).join(', ')})` : ''}.${searchLine}`)}\n`);
  if (o.json !== undefined) writeJson(o.json, all);
  if (store !== undefined) {
    closeRunStore(store, all);
    process.stdout.write(`${wrapProse(`results in ${store.dir} (report.json of every story, the command; each story's own folder is listed in manifest.json)`)}\n`);
  }
  process.exitCode = bad.length === 0 ? EXIT_OK : EXIT_NOT_MET;
}

/** `pillars list`. */
export function listCommand(file: string | undefined, o: { set?: string[] }): void {
  if (file !== undefined) {
    // A file whose checks name an unknown metric still lists: this is where to find the right name.
    const { scenario } = loadScenarioFile(file, o.set, { checkMetricNames: false });
    process.stdout.write(formatDeclaredMetrics(scenario) + '\n');
    return;
  }
  if (o.set !== undefined) throw new ScenarioError('(command line)', '--set', 'a scenario file to apply it to');
  const w = Math.max(...[...Object.keys(processes), ...Object.keys(checks)].map((k) => k.length));
  process.stdout.write('processes (system.process):\n');
  for (const [k, p] of Object.entries(processes)) process.stdout.write(`  ${k.padEnd(w)}  ${p.description}\n`);
  process.stdout.write('checks (checks[].name):\n');
  for (const [k, c] of Object.entries(checks)) process.stdout.write(`  ${k.padEnd(w)}  ${c.description}\n`);
}
