/**
 * `pillars demo`, as the command line declares it; what it does (demo.ts) is loaded when it runs.
 */
import { Command } from 'commander';
import { RUNS_ROOT } from './run-store.js';
import { demoReportDefault } from './defaults.js';
import type { DemoOptions } from './demo.js';

export function demoCommand(out: { color: boolean; progress: boolean }, setExit: (ok: boolean) => void): Command {
  return new Command('demo')
    .description("The main job: the seeds' e-commerce platform on all five pillars through a shopping day with a spike and chaos, naive against fixed, reported pillar by pillar.")
    .option('--scenario <file>', 'the platform scenario to run (default: scenarios/ecommerce.yaml)')
    .option('--seed <n>', "override the scenario's seed")
    .option('--json <file>', 'write both reports as a JSON array')
    .option('--html <file>', `write the five-pillar HTML report here (default: ${demoReportDefault})`)
    .option('--no-html', 'write no HTML report')
    .option('-q, --quiet', 'print nothing; use the exit code and --json')
    .option('--out <dir>', 'the results store: the day writes <dir>/<scenario>/<time>/ (both reports, histories, traces, series CSV, the command, the scenario) and <dir>/latest links to it', RUNS_ROOT)
    .option('--no-store', 'write no results folder')
    .action(async (o: DemoOptions) => {
      const { ok } = (await import('./demo.js')).runDemo(o, out);
      setExit(ok);
    });
}
