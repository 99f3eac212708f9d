/**
 * `pillars shrink`: a failing run made small: the fewest faults and the shortest workload on which
 * the same check still fails (src/scenario/shrink.ts), printed as a scenario file that runs it.
 */
import { writeFileSync } from 'node:fs';
import { Document } from 'yaml';
import { failedChecks, isShrinkError, runVariant, shrink, shrinkRunsMaxDefault, ScenarioError, type ResolvedVariant, type Scenario, type ShrinkResult } from '../scenario/index.js';
import { loadScenarioFile, parseSeed, writableFile } from './io.js';
import { ProgressBar } from './progress-bar.js';
import { formatNumber } from '../runtime/number-format.js';

export interface ShrinkFlags {
  seed: string;
  variant?: string;
  check?: string;
  out?: string;
  runsMax?: string;
}

/** Decimals tried for fault times, fewest first: whole milliseconds, then microseconds. */
const FAULT_TIME_DECIMALS = [0, 3] as const;

const roundTo = (x: number, decimals: number) => Number(x.toFixed(decimals));

/**
 * The shrunk run with its fault times as a person writes them (a drawn nemesis gives times like
 * 1651.2958188541234 ms): whole milliseconds, else microseconds, the first that still fails the same
 * check when run; the exact times when neither does (a run is deterministic to the nanosecond).
 */
export function readableFaultTimes(r: ShrinkResult): ShrinkResult {
  const exact = r.shrunk.variant;
  for (const decimals of FAULT_TIME_DECIMALS) {
    const faults = exact.faults.map((f) => ({ ...f, at: roundTo(f.at, decimals), ...(f.for === undefined ? {} : { for: roundTo(f.for, decimals) }) }));
    if (faults.every((f, i) => f.at === exact.faults[i].at && f.for === exact.faults[i].for)) return r;
    const variant = { ...exact, faults };
    if (failedChecks(runVariant(variant).report).includes(r.check)) return { ...r, shrunk: { ...r.shrunk, variant } };
  }
  return r;
}

/** The shrunk run as a scenario file of its own: one variant, the faults written out, no nemesis. */
export function shrunkScenarioYaml(scenario: Scenario, file: string, r: ShrinkResult): string {
  const v = r.shrunk.variant;
  const { name, seed, expect, nemesis: _nemesis, description: _description, ...body } = v as ResolvedVariant & { description?: string };
  const doc = new Document({
    name: `${scenario.name}-shrunk`,
    description: `Shrunk by pillars shrink from ${file} --variant ${name} --seed ${seed}: ${v.faults.length} of ${r.original.faults.length} faults and ${v.workload.durationMs} of ${r.original.workload.durationMs} ms of workload still fail ${r.check}; removing any one fault makes it hold.`,
    seed,
    ...body,
    // The shrunk run fails the check it was shrunk on: that is what it expects.
    variants: { [name]: { expect: expect.kind === 'pass' ? 'pass' : { fail: [r.check] } } },
  });
  const faults = doc.get('faults', true) as { items?: { flow?: boolean }[] } | undefined;
  for (const item of faults?.items ?? []) item.flow = true;
  return doc.toString({ lineWidth: 120 });
}

/** `pillars shrink`: finds the failing run, shrinks it and prints (or writes) the shrunk scenario. */
export function shrinkFile(file: string, o: ShrinkFlags): void {
  const { scenario } = loadScenarioFile(file);
  const seed = parseSeed(o.seed, '--seed');
  const runsMax = o.runsMax === undefined ? undefined : Math.max(1, parseSeed(o.runsMax, '--runs-max'));
  if (o.out !== undefined) writableFile(o.out, () => writeFileSync(o.out!, ''));
  // A shrink runs for a minute or more: say what it is doing (on a terminal), from the first run on.
  const bar = new ProgressBar('shrink', undefined);
  let variant: ResolvedVariant | undefined;
  if (o.variant !== undefined) {
    variant = scenario.variants.find((x) => x.name === o.variant);
    if (variant === undefined) throw new ScenarioError(file, '--variant', `one of ${scenario.variants.map((x) => x.name).join(', ')} (got "${o.variant}")`);
  } else {
    variant = scenario.variants.find((x) => {
      bar.update(0, `looking for a variant that fails on seed ${seed}: ${x.name}`, true);
      return failedChecks(runVariant({ ...x, seed }).report).length > 0;
    });
    bar.stop();
    if (variant === undefined) throw new ScenarioError(file, '--seed', `a seed on which some variant fails a check (none of ${scenario.variants.map((x) => x.name).join(', ')} fails on seed ${seed})`);
  }
  let r: ShrinkResult;
  try {
    bar.update(0, `${variant.name}: the failing run`, true);
    const limit = runsMax ?? shrinkRunsMaxDefault;
    r = shrink({ ...variant, seed }, {
      check: o.check,
      runsMax,
      progress: (runs, faults, ms) => bar.update(runs, `${variant.name}: ${runs} runs (at most ${limit}), ${faults} faults, ${formatNumber(ms)} ms of workload still fail`),
    });
  } catch (e) {
    if (isShrinkError(e)) throw new ScenarioError(file, o.check !== undefined ? '--check' : '--seed', e.message);
    throw e;
  } finally {
    bar.stop();
  }
  r = readableFaultTimes(r);
  const v = r.shrunk.variant;
  process.stderr.write(`${scenario.name}/${v.name} seed ${seed}: ${r.check} still fails with ${v.faults.length} of ${r.original.faults.length} faults and ${v.workload.durationMs} of ${r.original.workload.durationMs} ms of workload (${r.runs} runs${r.exhausted ? ', stopped at --runs-max: maybe not minimal' : ''})\n`);
  const yaml = shrunkScenarioYaml(scenario, file, r);
  if (o.out !== undefined) {
    writableFile(o.out, () => writeFileSync(o.out!, yaml));
    process.stderr.write(`wrote ${o.out}: pillars run ${o.out}\n`);
  } else process.stdout.write(yaml);
}
