/**
 * `pillars sweep`: every seed of a range, for each variant, on all cores through worker threads.
 * A seed "fails" when its variant did not meet its expectation (a fixed design that broke, or a naive
 * design that did not); each is printed with the exact command that replays it.
 * The summary, the progress display and the traceHash digest live here so that a sweep spread over
 * machines (queue-sweep.ts) prints exactly what a local one prints.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import cliProgress from 'cli-progress';
import type { Scenario, VariantReport } from '../scenario/index.js';
import { ScenarioError } from '../scenario/index.js';

export interface SweepTask {
  variant: string;
  seed: number;
}

export interface SweepResult {
  variant: string;
  seed: number;
  met: boolean;
  traceHash: string;
  /** Checks that failed for sure. */
  failedChecks: string[];
  /** Checks that could not decide (a search that gave up). */
  undecidedChecks: string[];
  events: number;
}

/** What a sweep keeps of one run's report (the same whether a local thread or a remote worker ran it). */
export function sweepResultOf(task: SweepTask, report: VariantReport): SweepResult {
  return {
    variant: task.variant,
    seed: task.seed,
    met: report.met,
    traceHash: report.traceHash,
    failedChecks: report.checks.filter((c) => !c.ok && c.unknown !== true).map((c) => c.name),
    undecidedChecks: report.checks.filter((c) => c.unknown === true).map((c) => c.name),
    events: report.events,
  };
}

export interface VariantSummary {
  variant: string;
  expect: 'pass' | 'fail';
  runs: number;
  met: number;
  notMet: number;
  /** Seeds whose run did not meet the expectation, ascending. */
  failingSeeds: number[];
  /** Seeds on which at least one check failed (expected or not), ascending. */
  checkFailedSeeds: number[];
  /** How often each check failed. */
  checkFailures: Record<string, number>;
}

export interface SweepOptions {
  file: string;
  text: string;
  scenario: Scenario;
  variants: string[];
  seedFirst: number;
  seedLast: number;
  workers?: number;
  /** Progress on stderr: a bar (terminals), a line every tenth of the runs (logs), or nothing. */
  progress: 'bar' | 'lines' | 'none';
}

export function parseSeedRange(s: string): [number, number] {
  const m = /^(\d+)\.\.(\d+)$/.exec(s);
  if (m === null || Number(m[1]) > Number(m[2])) throw new ScenarioError('(command line)', '--seeds', `a range A..B of integers with A <= B, e.g. 1..200 (got "${s}")`);
  return [Number(m[1]), Number(m[2])];
}

/** Every (variant, seed) of a sweep, seed-major as the local sweep runs them. */
export function sweepTasks(variants: string[], seedFirst: number, seedLast: number): SweepTask[] {
  const tasks: SweepTask[] = [];
  for (let seed = seedFirst; seed <= seedLast; seed++) for (const variant of variants) tasks.push({ variant, seed });
  return tasks;
}

export type SweepProgressMode = SweepOptions['progress'];

export interface SweepProgress {
  /** One more run finished. */
  add(r: SweepResult): void;
  stop(): void;
}

/**
 * The progress of a sweep on stderr, whichever machines run it: a bar on a terminal, a line every
 * tenth of the runs in a log. `alreadyDone` runs (answered from stored results) start the count.
 */
export function sweepProgress(total: number, mode: SweepProgressMode, alreadyDone: SweepResult[] = []): SweepProgress {
  const bar = mode === 'bar'
    ? new cliProgress.SingleBar({ format: 'sweep {bar} {value}/{total} runs | {failing} not as expected | eta {eta}s', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic)
    : undefined;
  let done = alreadyDone.length;
  let failing = alreadyDone.filter((r) => !r.met).length;
  bar?.start(total, done, { failing });
  const lineEvery = Math.max(1, Math.ceil(total / 10));
  return {
    add(r) {
      done++;
      if (!r.met) failing++;
      bar?.increment(1, { failing });
      if (mode === 'lines' && (done % lineEvery === 0 || done === total)) {
        process.stderr.write(`sweep: ${done}/${total} runs, ${failing} not as expected\n`);
      }
    },
    stop() {
      bar?.stop();
    },
  };
}

export async function sweep(o: SweepOptions): Promise<VariantSummary[]> {
  return summarizeSweep(o.scenario, o.variants, await sweepRuns(o));
}

/** The local sweep's runs, in the order they finished. */
export async function sweepRuns(o: SweepOptions): Promise<SweepResult[]> {
  const tasks = sweepTasks(o.variants, o.seedFirst, o.seedLast);
  const workerCount = Math.max(1, Math.min(o.workers ?? availableParallelism(), tasks.length));
  const results: SweepResult[] = [];
  const progress = sweepProgress(tasks.length, o.progress);
  let next = 0;

  await new Promise<void>((resolve, reject) => {
    let live = workerCount;
    for (let i = 0; i < workerCount; i++) {
      const w = new Worker(new URL('./sweep-worker.js', import.meta.url), { workerData: { text: o.text, file: o.file } });
      const feed = () => {
        if (next < tasks.length) w.postMessage(tasks[next++]);
        else void w.terminate();
      };
      w.on('message', (r: SweepResult) => {
        results.push(r);
        progress.add(r);
        feed();
      });
      w.on('error', (e) => reject(e));
      w.on('exit', () => {
        if (--live === 0) resolve();
      });
      feed();
    }
  });
  progress.stop();
  return results;
}

/** Per variant, in the order given, what its runs (of any sweep, local or distributed) add up to. */
export function summarizeSweep(scenario: Scenario, variants: string[], results: SweepResult[]): VariantSummary[] {
  return variants.map((variant) => {
    const rs = results.filter((r) => r.variant === variant).sort((a, b) => a.seed - b.seed);
    const checkFailures: Record<string, number> = {};
    for (const r of rs) for (const c of r.failedChecks) checkFailures[c] = (checkFailures[c] ?? 0) + 1;
    for (const r of rs) for (const c of r.undecidedChecks) checkFailures[`${c} undecided`] = (checkFailures[`${c} undecided`] ?? 0) + 1;
    const expect = scenario.variants.find((v) => v.name === variant)!.expect;
    return {
      variant,
      expect,
      runs: rs.length,
      met: rs.filter((r) => r.met).length,
      notMet: rs.filter((r) => !r.met).length,
      failingSeeds: rs.filter((r) => !r.met).map((r) => r.seed),
      checkFailedSeeds: rs.filter((r) => r.failedChecks.length > 0).map((r) => r.seed),
      checkFailures,
    };
  });
}

/**
 * Per variant: how many runs met their expectation; every seed that did not, with its replay command;
 * and for variants that expect to fail, the first seed whose checks failed, to replay the failure.
 */
export function formatSweep(file: string, summaries: VariantSummary[], runs?: SweepResult[]): string {
  const out: string[] = [];
  const replay = (variant: string, seed: number) => `pillars run ${file} --variant ${variant} --seed ${seed}`;
  for (const s of summaries) {
    const fails = Object.entries(s.checkFailures).map(([c, n]) => (c.endsWith(' undecided') ? `${c} ${n}x` : `${c} failed ${n}x`)).join(', ');
    out.push(`${s.variant} (expect ${s.expect}): ${s.met}/${s.runs} as expected${s.notMet > 0 ? `, ${s.notMet} not` : ''}${fails ? ` — ${fails}` : ''}`);
    for (const seed of s.failingSeeds) out.push(`  seed ${seed}: ${replay(s.variant, seed)}`);
    if (s.expect === 'fail' && s.checkFailedSeeds.length > 0) {
      out.push(`  checks failed on ${s.checkFailedSeeds.length} seeds; the first: ${replay(s.variant, s.checkFailedSeeds[0])}`);
    }
  }
  if (runs !== undefined) out.push(`traceHash digest ${traceHashDigest(runs)}`);
  return out.join('\n');
}

/** The order of runs in the digest and in the JSON: by variant name, then by seed. */
function byVariantThenSeed(a: SweepTask, b: SweepTask): number {
  return a.variant < b.variant ? -1 : a.variant > b.variant ? 1 : a.seed - b.seed;
}

/** Hex digits of the digest: 64 bits, enough to tell two sweeps apart by eye. */
const digestHexDigits = 16;

/**
 * One hash over every run's (variant, seed, traceHash), sorted so that the order runs finished in
 * (which differs between a local and a distributed sweep) does not matter: two sweeps of the same
 * range by the same code print the same digest exactly when every run was the same.
 */
export function traceHashDigest(runs: SweepResult[]): string {
  const lines = runs
    .map((r) => ({ variant: r.variant, seed: r.seed, traceHash: r.traceHash }))
    .sort(byVariantThenSeed)
    .map((r) => `${r.variant}\t${r.seed}\t${r.traceHash}\n`);
  return createHash('sha256').update(lines.join('')).digest('hex').slice(0, digestHexDigits);
}

/** The `--json` document of a sweep: the summaries, every run's verdict and hash, and the digest. */
export function sweepJson(scenarioName: string, seedFirst: number, seedLast: number, summaries: VariantSummary[], runs: SweepResult[]) {
  const sorted = [...runs].sort(byVariantThenSeed);
  return {
    scenario: scenarioName,
    seeds: [seedFirst, seedLast],
    variants: summaries,
    runs: sorted.map((r) => ({ variant: r.variant, seed: r.seed, met: r.met, traceHash: r.traceHash })),
    traceHashDigest: traceHashDigest(runs),
  };
}
