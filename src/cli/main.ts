#!/usr/bin/env node
/**
 * The `pillars` command. Exit codes: 0 every variant met its expectation; 1 one did not; 2 bad input
 * (with one message naming the file, the field and what was expected, or the optional package a
 * command needs); 3 an internal error. The bin is bin.ts, which imports this file.
 */
import { Argument, Command, CommanderError } from 'commander';
import { models, searchStepsMax } from '../check/linearizability.js';
import { modelCommand } from './model.js';
import { demoCommand } from './demo-command.js';
import { reviewCommand } from './review-command.js';
import { nodeCommand } from './node-command.js';
import { shrinkCommand } from './shrink-command.js';
import { labCommand } from './lab.js';
import { maelstromCommand } from './maelstrom-command.js';
import { clusterCommand } from './cluster-command.js';
import { isNodeStartError } from '../node/start-error.js';
import { isScenarioError } from '../scenario/error.js';
import { missingOptionalPackage, missingPackageMessage } from './optional-packages.js';
import { versionLine } from './version.js';
import { RUNS_ROOT } from './run-store.js';
import { isConfigError } from '../runtime/config-error.js';
import { exitQuietlyWhenReaderCloses } from './closed-pipe.js';
import { completionScript, completionShells, type CompletionShell } from './completion.js';
import { color, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_NOT_MET, EXIT_OK, showProgress } from './conventions.js';
import type { RunOpts, StoriesFlags, SweepFlags } from './scenario-commands.js';

exitQuietlyWhenReaderCloses(process.stdout);
exitQuietlyWhenReaderCloses(process.stderr);

/**
 * Each command's code is loaded when it runs (an action awaits its import), so --help and a small
 * command start without the simulator, every system and the report; the commands that load or run
 * scenarios register the catalog of processes and checks first (the others need none).
 */
const needsCatalog = new Set(['run', 'sweep', 'worker', 'demo', 'stories', 'shrink', 'maelstrom', 'review', 'list']);

/** Commander collects a repeated option into a list. */
const collect = (value: string, previous: string[] = []) => [...previous, value];
const setHelp = 'override a field of every variant, validated like the file: --set workload.ratePerSec=4000 --set faults.0.for=20000; variants.<name>.<path>=value for one variant (repeatable; the value is YAML)';

/** --out and --no-store, as every command that keeps a results folder takes them. */
function storeOptions(c: Command, what: string): Command {
  return c
    .option('--out <dir>', `the results store: ${what} and <dir>/latest links to it`, RUNS_ROOT)
    .option('--no-store', 'write no results folder');
}

export function buildProgram(): Command {
  const program = new Command('pillars')
    .description('The five pillars of distributed systems as software that runs: scenarios in a deterministic simulator, naive and fixed variants, and the checks that tell them apart.')
    .version(versionLine(), '-V, --version', 'print the version and the commit it was built from')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .hook('preAction', async (_program, action) => {
      let top = action;
      while (top.parent !== null && top.parent !== program) top = top.parent;
      if (needsCatalog.has(top.name())) (await import('./catalog.js')).registerCatalog();
    });

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
    .action(async (file: string, o: RunOpts) => (await import('./scenario-commands.js')).runCommand(file, o));

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
    .action(async (file: string, o: SweepFlags) => (await import('./scenario-commands.js')).sweepCommand(file, o));

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
    .action(async (file: string, o: { model: string; maxSteps: string }) => (await import('./check-command.js')).checkCommand(file, o));

  program.addCommand(demoCommand({ color, progress: showProgress }, (ok) => (process.exitCode = ok ? EXIT_OK : EXIT_NOT_MET)));

  storeOptions(program.command('stories'), 'each story writes <dir>/<scenario>/<time>/ as run does, and the whole <dir>/stories/<time>/ (report.json of every story, or sweep.json with --seeds, and the command)')
    .description('Run every story in scenarios/ and print each one\'s variants side by side; with --seeds, sweep every story over a seed range and print, per variant, on how many seeds it met its expectation.')
    .option('--json <file>', 'write every report (with --seeds: every sweep summary) as one JSON array')
    .option('--seeds <A..B>', 'sweep every story over these seeds, e.g. 1..20, on all cores')
    .option('--workers <n>', 'with --seeds: worker threads (default: one per core)')
    .option('--set <path=value>', setHelp, collect)
    .option('--dir <folder>', 'the folder of scenario files (default: the stories that ship with pillars)')
    .addHelpText('after', '\nExit code: 0 when every variant met its expectation (on every seed, with --seeds), 1 otherwise, 2 on bad input.\nExample: pillars stories --seeds 1..20')
    .action(async (o: StoriesFlags) => (await import('./scenario-commands.js')).storiesCommand(o));

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
    .action(async (file: string | undefined, o: { set?: string[] }) => (await import('./scenario-commands.js')).listCommand(file, o));

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
