/**
 * `pillars sweep`: every seed of a range, for each variant, on all cores through worker threads.
 * A seed "fails" when its variant did not meet its expectation (a fixed design that broke, or a naive
 * design that did not); each is printed with the exact command that replays it.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import cliProgress from 'cli-progress';
import type { Scenario } from '../scenario/index.js';
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

export async function sweep(o: SweepOptions): Promise<VariantSummary[]> {
  const tasks: SweepTask[] = [];
  for (let seed = o.seedFirst; seed <= o.seedLast; seed++) for (const variant of o.variants) tasks.push({ variant, seed });
  const workerCount = Math.max(1, Math.min(o.workers ?? availableParallelism(), tasks.length));
  const results: SweepResult[] = [];
  const bar = o.progress === 'bar'
    ? new cliProgress.SingleBar({ format: 'sweep {bar} {value}/{total} runs | {failing} not as expected | eta {eta}s', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic)
    : undefined;
  bar?.start(tasks.length, 0, { failing: 0 });
  let failing = 0;
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
        if (!r.met) failing++;
        bar?.increment(1, { failing });
        if (o.progress === 'lines' && (results.length % Math.max(1, Math.ceil(tasks.length / 10)) === 0 || results.length === tasks.length)) {
          process.stderr.write(`sweep: ${results.length}/${tasks.length} runs, ${failing} not as expected\n`);
        }
        feed();
      });
      w.on('error', (e) => reject(e));
      w.on('exit', () => {
        if (--live === 0) resolve();
      });
      feed();
    }
  });
  bar?.stop();

  return o.variants.map((variant) => {
    const rs = results.filter((r) => r.variant === variant).sort((a, b) => a.seed - b.seed);
    const checkFailures: Record<string, number> = {};
    for (const r of rs) for (const c of r.failedChecks) checkFailures[c] = (checkFailures[c] ?? 0) + 1;
    for (const r of rs) for (const c of r.undecidedChecks) checkFailures[`${c} undecided`] = (checkFailures[`${c} undecided`] ?? 0) + 1;
    const expect = o.scenario.variants.find((v) => v.name === variant)!.expect;
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
export function formatSweep(file: string, summaries: VariantSummary[]): string {
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
  return out.join('\n');
}
