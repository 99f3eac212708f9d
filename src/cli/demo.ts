/**
 * `pillars demo`: the main job. The seeds' e-commerce platform on all five pillars runs through a
 * shortened shopping day with a Black-Friday spike and a chaos schedule, once as the naive platform
 * (each pillar's choice the seeds warn about) and once as the fixed one, and the results are told
 * pillar by pillar: in the terminal, and in a self-contained HTML report.
 */
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import cliProgress from 'cli-progress';
import { runVariant, type VariantReport } from '../scenario/index.js';
import { formatPillarReport, judgePillars } from '../platform/ecommerce/pillar-report.js';
import { loadScenarioFile, parseSeed, writeJson } from './io.js';

export interface DemoOptions {
  scenario?: string;
  seed?: string;
  json?: string;
  quiet?: boolean;
}

const defaultScenario = () => fileURLToPath(new URL('../../../scenarios/ecommerce.yaml', import.meta.url));

/** Run the platform's naive and fixed variants; returns both reports and whether every pillar held. */
export function runDemo(o: DemoOptions, out: { color: boolean; progress: boolean }): { naive: VariantReport; fixed: VariantReport; ok: boolean } {
  const file = o.scenario ?? defaultScenario();
  const { scenario } = loadScenarioFile(file);
  const seed = o.seed === undefined ? undefined : parseSeed(o.seed, '--seed');
  const pick = (name: string) => {
    const v = scenario.variants.find((x) => x.name === name);
    if (v === undefined) throw new Error(`${file} has no variant ${name}: the demo compares naive and fixed`);
    return v;
  };
  const bar = out.progress && !o.quiet ? new cliProgress.SingleBar({ format: 'the shopping day {bar} {percentage}% ({platform} platform)', stream: process.stderr, clearOnComplete: true, hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
  bar?.start(200, 0, { platform: 'naive' });
  const reports: VariantReport[] = [];
  ['naive', 'fixed'].forEach((name, i) => {
    bar?.update(i * 100, { platform: name });
    const { report } = runVariant(pick(name), { seed, scenario: scenario.name, progress: (t, end) => bar?.update(i * 100 + Math.floor((100 * t) / end), { platform: name }) });
    reports.push(report);
  });
  bar?.stop();
  const [naive, fixed] = reports;
  const ok = naive.met && fixed.met && judgePillars(naive, fixed).every((v) => v.prevented);
  if (!o.quiet) {
    process.stdout.write(`\n${scenario.name} — ${scenario.description?.trim() ?? ''}\n\n`);
    process.stdout.write(formatPillarReport(naive, fixed, out.color) + '\n');
    const checks = (r: VariantReport) => r.checks.map((c) => `${c.name} ${c.ok ? 'ok' : 'FAIL'}`).join(', ');
    process.stdout.write(`checks, naive (expected to fail): ${checks(naive)}\nchecks, fixed (expected to pass): ${checks(fixed)}\n`);
    process.stdout.write(`seed ${fixed.seed}; traceHash naive ${naive.traceHash}, fixed ${fixed.traceHash}\n`);
  }
  if (o.json !== undefined) writeJson(o.json, reports);
  return { naive, fixed, ok };
}

export function demoCommand(out: { color: boolean; progress: boolean }, setExit: (ok: boolean) => void): Command {
  return new Command('demo')
    .description("The main job: the seeds' e-commerce platform on all five pillars through a shopping day with a spike and chaos, naive against fixed, reported pillar by pillar.")
    .option('--scenario <file>', 'the platform scenario to run (default: scenarios/ecommerce.yaml)')
    .option('--seed <n>', "override the scenario's seed")
    .option('--json <file>', 'write both reports as a JSON array')
    .option('-q, --quiet', 'print nothing; use the exit code and --json')
    .action((o: DemoOptions) => {
      const { ok } = runDemo(o, out);
      setExit(ok);
    });
}
