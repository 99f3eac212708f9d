#!/usr/bin/env node
/**
 * The `pillars` command. Exit codes: 0 every variant met its expectation; 1 one did not; 2 bad input
 * (with one message naming the file, the field and what was expected, or the optional package a
 * command needs); 3 an internal error. The bin is bin.ts, which imports this file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { Argument, Command, CommanderError } from 'commander';
import { toJsonLine } from '../check/history.js';
import { checkLinearizable, describeViolation, HistoryFormatError, models, parseHistory, searchStepsMax } from '../check/index.js';
import { modelCommand } from './model.js';
import { demoCommand } from './demo.js';
import { reviewCommand } from './review.js';
import { nodeCommand } from './node.js';
import { shrinkCommand } from './shrink.js';
import { labCommand } from './lab.js';
import { maelstromCommand } from './maelstrom.js';
import { clusterCommand } from './cluster.js';
import { isNodeStartError } from '../node/kv-node.js';
import { checks, declaredMetrics, formatTable, isScenarioError, withCapturedEvents, processes, runVariants, ScenarioError, type Scenario, type VariantReport } from '../scenario/index.js';
import { LineWriter, loadScenarioFile, readableDir, parseSeed, perVariantFile, selectVariants, writableFile, writeJson } from './io.js';
import { formatSweep, parseSeedRange, summarizeSweep, sweepAsExpected, sweepJson, sweepRuns, type VariantSummary } from './sweep.js';
import { missingOptionalPackage, missingPackageMessage } from './optional-packages.js';
import { reportInputFromRuns, writeHtmlReport, type CapturedRunResult } from '../web/index.js';
import { registerCatalog } from './catalog.js';
import { versionLine } from './version.js';
import { closeRunStore, openRunStore, RUNS_ROOT, STORED_LINES_BYTES_MAX, type RunStore, type StoreFlags } from './run-store.js';
import { GzipLineFile, seriesCsv, writeResult } from '../adapters/results-folder.js';
import { isConfigError } from '../runtime/config-error.js';
import { exitQuietlyWhenReaderCloses } from './closed-pipe.js';
import { paragraph, wrapProse } from './terminal.js';
import { ProgressBar } from './progress-bar.js';
import { completionScript, completionShells, type CompletionShell } from './completion.js';

registerCatalog();
exitQuietlyWhenReaderCloses(process.stdout);
exitQuietlyWhenReaderCloses(process.stderr);

const EXIT_OK = 0;
const EXIT_NOT_MET = 1;
const EXIT_BAD_INPUT = 2;
const EXIT_INTERNAL = 3;
/** `check` could not decide: the search gave up before proving or refuting (neither 0 nor 1 is true). */
const EXIT_UNDECIDED = 4;

const color = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
const showProgress = process.stderr.isTTY === true;

interface RunOpts extends StoreFlags {
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

/** Commander collects a repeated option into a list. */
const collect = (value: string, previous: string[] = []) => [...previous, value];
const setHelp = 'override a field of every variant, validated like the file: --set workload.ratePerSec=4000 --set faults.0.for=20000; variants.<name>.<path>=value for one variant (repeatable; the value is YAML)';

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

/** --out and --no-store, as every command that keeps a results folder takes them. */
function storeOptions(c: Command, what: string): Command {
  return c
    .option('--out <dir>', `the results store: ${what} and <dir>/latest links to it`, RUNS_ROOT)
    .option('--no-store', 'write no results folder');
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

export function buildProgram(): Command {
  const program = new Command('pillars')
    .description('The five pillars of distributed systems as software that runs: scenarios in a deterministic simulator, naive and fixed variants, and the checks that tell them apart.')
    .version(versionLine(), '-V, --version', 'print the version and the commit it was built from')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  storeOptions(program.command('run'), 'each run writes <dir>/<scenario>/<time>/ (report.html, report.json, histories, traces, series CSV, the command, the scenario)')
    .description('Run a scenario (every variant, or one) and print the variants side by side.')
    .argument('<scenario.yaml>', 'the scenario file')
    .option('--variant <name>', 'run only this variant')
    .option('--seed <n>', "override the scenario's seed")
    .option('--json <file>', 'write the report JSON (an array when several variants ran)')
    .option('--history <file>', 'write the client history as JSON lines (file.<variant>.jsonl when several variants run)')
    .option('--trace <file>', 'write every trace record as JSON lines (file.<variant>.jsonl when several variants run)')
    .option('-q, --quiet', 'print nothing; use the exit code and --json')
    .option('--all-metrics', "show every metric in the table, not only the scenario's chosen ones")
    .option('--html <file>', 'write a self-contained HTML report: verdicts, charts of every series, the fault timeline and the messages around the first faults')
    .option('--set <path=value>', setHelp, collect)
    .addHelpText('after', '\nExit code: 0 when every variant met its expectation (expect: pass or fail; a search for a rare failure is reported, caught or not, and judged by its sweep), 1 otherwise, 2 on bad input.\nA variant that compares with another (check compare) runs after it, on the same seed.\nExample: pillars run scenarios/broadcast.yaml --variant naive --seed 7 --history h.jsonl\n         pillars run scenarios/hot-shard.yaml --set workload.ratePerSec=4000')
    .action((file: string, o: RunOpts) => {
      const { reports } = runFile(file, o);
      // A search for a rare failure is judged by its sweep, not by one seed (pillars sweep confirms its rate).
      process.exitCode = reports.every((r) => r.met || r.search !== undefined) ? EXIT_OK : EXIT_NOT_MET;
    });

  storeOptions(program.command('sweep'), 'each sweep writes <dir>/<scenario>/<time>/ (sweep.json as --json writes it, the command, the scenario)')
    .description('Run a range of seeds of a scenario on all cores; print the seeds that did not meet their expectation, with the command that replays each.')
    .argument('<scenario.yaml>', 'the scenario file')
    .requiredOption('--seeds <A..B>', 'the seeds to run, inclusive, e.g. 1..200')
    .option('--variant <name>', 'sweep only this variant')
    .option('--workers <n>', 'worker threads (default: one per core)')
    .option('--json <file>', 'write the summary as JSON')
    .option('--queue <redis://HOST:PORT>', 'spread the runs over machines running pillars worker --queue on this Redis; runs already stored there are not run again')
    .option('--set <path=value>', setHelp, collect)
    .addHelpText('after', '\nExit code: 0 when every run met its expectation, 1 otherwise, 2 on bad input.\nExample: pillars sweep scenarios/broadcast.yaml --seeds 1..200\n         pillars sweep scenarios/broadcast.yaml --seeds 1..200 --queue redis://10.0.0.5:6379')
    .action(async (file: string, o: StoreFlags & { seeds: string; variant?: string; workers?: string; json?: string; queue?: string; set?: string[] }) => {
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
    });

  program
    .command('worker')
    .description('Run sweep jobs queued by pillars sweep --queue, on this machine\'s cores, until SIGINT/SIGTERM; start one on every machine that should help.')
    .requiredOption('--queue <redis://HOST:PORT>', 'the Redis the sweeps queue their runs on')
    .option('--concurrency <n>', 'simulation threads, and jobs taken at once (default: one per core)')
    .addHelpText('after', '\nOnly jobs of this exact build are taken (the queue is named after the code version). The first signal finishes the runs in flight, a second hands them back to the queue.\nExample: pillars worker --queue redis://10.0.0.5:6379')
    .action(async (o: { queue: string; concurrency?: string }) => {
      const { parseQueueUrl } = await import('./queue-sweep.js');
      const { parseConcurrency, runQueueWorker } = await import('./queue-worker.js');
      const address = parseQueueUrl(o.queue);
      await runQueueWorker({ address, concurrency: parseConcurrency(o.concurrency) });
    });

  program
    .command('check')
    .description('Check a history (JSON lines, as written by run --history) for linearizability under a model.')
    .argument('<history.jsonl>', 'the history file (.gz: gzipped, as a results folder keeps it)')
    .requiredOption('--model <model>', `the sequential model: ${Object.keys(models).join(' | ')}`)
    .option('--max-steps <n>', 'search steps per key before answering unknown', String(searchStepsMax))
    .addHelpText(
      'after',
      '\nReads this project\'s histories, Maelstrom lin-kv histories (the key inside the value: {"key": k, "value": v} or Jepsen\'s [k, v]) and Jepsen op maps as JSON lines.' +
        '\nExit code: 0 linearizable, 1 not (the witness is printed), 2 bad input (the file, the line and what was expected), 4 unknown (the search gave up: neither proven nor refuted).\nExample: pillars check h.jsonl --model kv',
    )
    .action((file: string, o: { model: string; maxSteps: string }) => {
      const model = models[o.model];
      if (model === undefined) throw new ScenarioError('(command line)', '--model', `one of ${Object.keys(models).join(', ')} (got "${o.model}")`);
      const stepsMax = Number(o.maxSteps);
      if (!Number.isSafeInteger(stepsMax) || stepsMax <= 0) throw new ScenarioError('(command line)', '--max-steps', `a positive integer (got "${o.maxSteps}")`);
      let text: string;
      try {
        // A results folder keeps its histories gzipped: read them as they are stored.
        const bytes = readFileSync(file);
        text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
      } catch (e) {
        throw new ScenarioError(file, '', `a readable history file${file.endsWith('.gz') ? ', gzipped' : ''} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      let events;
      try {
        events = parseHistory(text);
      } catch (e) {
        if (e instanceof HistoryFormatError) throw new ScenarioError(file, `line ${e.line}${e.field ? `, ${e.field}` : ''}`, e.expected);
        throw e;
      }
      // Nothing to judge, or operations the model has no meaning for: either would be a verdict on nothing.
      if (events.length === 0) throw new ScenarioError(file, '', 'a history with at least one operation (it has none)');
      const unknown = events.filter((e) => !model.operations.includes(e.f));
      if (unknown.length > 0) {
        const names = [...new Set(unknown.map((e) => e.f))];
        throw new ScenarioError(file, 'f', `operations the ${o.model} model knows: ${model.operations.join(', ')} (got ${names.map((n) => `"${n}"`).join(', ')} in ${unknown.length} events; ${Object.entries(models).filter(([, m]) => names.every((n) => m.operations.includes(n))).map(([k]) => `--model ${k}`).join(' or ') || 'no model here judges them: a scenario checks them (pillars run)'})`);
      }
      const r = checkLinearizable(events, model, stepsMax);
      if (r.unknown) {
        process.stdout.write(`unknown: the search gave up on key ${r.unknownKey} after ${r.steps} steps\n`);
        process.exitCode = EXIT_UNDECIDED;
        return;
      }
      process.stdout.write(r.ok ? `linearizable: ${r.operations} operations over ${r.keys} ${model.perKey ? 'keys' : 'group'} (${r.steps} search steps)\n` : describeViolation(r.violation!) + '\n');
      process.exitCode = r.ok ? EXIT_OK : EXIT_NOT_MET;
    });

  program.addCommand(demoCommand({ color, progress: showProgress }, (ok) => (process.exitCode = ok ? EXIT_OK : EXIT_NOT_MET)));

  storeOptions(program.command('stories'), 'each story writes <dir>/<scenario>/<time>/ as run does, and the whole <dir>/stories/<time>/ (report.json of every story, or sweep.json with --seeds, and the command)')
    .description('Run every story in scenarios/ and print each one\'s variants side by side; with --seeds, sweep every story over a seed range and print, per variant, on how many seeds it met its expectation.')
    .option('--json <file>', 'write every report (with --seeds: every sweep summary) as one JSON array')
    .option('--seeds <A..B>', 'sweep every story over these seeds, e.g. 1..20, on all cores')
    .option('--workers <n>', 'with --seeds: worker threads (default: one per core)')
    .option('--set <path=value>', setHelp, collect)
    .option('--dir <folder>', 'the folder of scenario files (default: the stories that ship with pillars)')
    .addHelpText('after', '\nExit code: 0 when every variant met its expectation (on every seed, with --seeds), 1 otherwise, 2 on bad input.\nExample: pillars stories --seeds 1..20')
    .action(async (o: StoreFlags & { json?: string; seeds?: string; workers?: string; set?: string[]; dir?: string }) => {
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
    });

  program.addCommand(modelCommand());

  program.addCommand(shrinkCommand());
  program.addCommand(maelstromCommand((code) => (process.exitCode = code)));
  program.addCommand(nodeCommand());
  program.addCommand(clusterCommand());
  program.addCommand(labCommand());

  program.addCommand(reviewCommand({ color }, (review) => (process.exitCode = review.verdict === 'fail' ? EXIT_NOT_MET : EXIT_OK)));

  program
    .command('list')
    .description('List the processes a scenario can run and the checks it can name; with a scenario file, the metrics each of its variants declares (the names checks, metrics.show and metrics.chart can use).')
    .argument('[scenario.yaml]', 'a scenario file: list the metrics its variants declare')
    .option('--set <path=value>', setHelp, collect)
    .addHelpText('after', '\nExample: pillars list scenarios/usl.yaml --set system.config.phases.0.concurrency=4')
    .action((file: string | undefined, o: { set?: string[] }) => {
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
    });

  program
    .command('completion')
    .description('Print a shell completion script for bash or zsh, generated from this command tree.')
    .addArgument(new Argument('<shell>', 'the shell').choices(completionShells))
    .addHelpText('after', '\nExample: source <(pillars completion bash)      # in ~/.bashrc\n         source <(pillars completion zsh)       # in ~/.zshrc')
    .action((shell: string) => {
      process.stdout.write(completionScript(program, shell as CompletionShell));
    });

  // Commands added whole (cluster, maelstrom, model, ...) do not inherit this: a usage error at any
  // depth must end as bad input (exit 2), never as commander's own exit 1.
  const everywhere = (c: Command) => {
    c.exitOverride();
    for (const sub of c.commands) everywhere(sub);
  };
  everywhere(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; usage errors (unknown option, missing argument) are bad input.
      process.exitCode = e.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
      return;
    }
    if (isScenarioError(e) || isNodeStartError(e)) {
      process.stderr.write(`pillars: ${e.message}\n`);
      process.exitCode = EXIT_BAD_INPUT;
      return;
    }
    if (isConfigError(e)) {
      // A process refused its config when the run built it (a size the topology cannot hold): bad input too.
      process.stderr.write(`pillars: system.config.${e.message}\n`);
      process.exitCode = EXIT_BAD_INPUT;
      return;
    }
    const missing = missingOptionalPackage(e);
    if (missing !== undefined) {
      process.stderr.write(`${missingPackageMessage(missing)}\n`);
      process.exitCode = EXIT_BAD_INPUT;
      return;
    }
    process.stderr.write(`pillars: internal error: ${(e as Error).message ?? String(e)}\n`);
    if (process.env.PILLARS_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    process.exitCode = EXIT_INTERNAL;
  }
}

void main(process.argv);
