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
import { ProgressBar } from './progress-bar.js';
import type { Scenario, VariantReport } from '../scenario/index.js';
import { peersOf, ScenarioError, withPeers } from '../scenario/index.js';

export interface SweepTask {
  variant: string;
  seed: number;
}

/** A task for a worker thread (sweep-worker.ts), with the metrics of the variants it compares with on the same seed (run earlier). */
export interface WorkerTask extends SweepTask {
  peers: [string, Record<string, number>][];
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
  expect: 'pass' | 'fail' | 'search';
  /** For expect fail and search: the checks the story is about. */
  expectFail?: string[];
  /**
   * For a search: the catch rate it declares, and whether this sweep covered the declared seeds and
   * caught the failure on at least as many of them (undefined when it did not cover them).
   */
  search?: { caught: number; seeds: [number, number]; confirmed?: boolean; caughtSeeds: number[] };
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
  /** The --set overrides the scenario was parsed with (each worker parses it again). */
  set?: string[];
  workers?: number;
  /** Progress on stderr: a bar (terminals), a line every tenth of the runs (logs), or nothing. */
  progress: 'bar' | 'lines' | 'none';
  /** Called as each run finishes, for a caller's own progress (stories --seeds). */
  onRun?: (done: number, total: number) => void;
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
export function sweepProgress(total: number, mode: SweepProgressMode, alreadyDone: SweepResult[] = [], o?: { onRun?: (done: number, total: number) => void }): SweepProgress {
  let done = alreadyDone.length;
  let failing = alreadyDone.filter((r) => !r.met).length;
  // Runs answered from stored results are not work this sweep did: the eta's rate leaves them out.
  const bar = mode === 'bar' ? new ProgressBar('sweep', total, { doneBefore: done }) : undefined;
  const note = () => `runs, ${failing} not as expected`;
  bar?.update(done, note(), true);
  const lineEvery = Math.max(1, Math.ceil(total / 10));
  return {
    add(r) {
      done++;
      if (!r.met) failing++;
      o?.onRun?.(done, total);
      bar?.update(done, note(), done === total);
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

/**
 * The local sweep's runs of the asked variants, in the order they finished. A variant that compares
 * with another runs after it on the same seed, with its metrics; a compared variant that was not
 * asked for is run for that and left out of the results.
 */
export async function sweepRuns(o: SweepOptions): Promise<SweepResult[]> {
  const order = withPeers(o.scenario, o.variants);
  const asked = new Set(o.variants);
  const tasks: SweepTask[] = [];
  for (let seed = o.seedFirst; seed <= o.seedLast; seed++) for (const v of order) tasks.push({ variant: v.name, seed });
  const peersByVariant = new Map(order.map((v) => [v.name, peersOf(v)]));
  const readBy = new Set([...peersByVariant.values()].flat());
  const workerCount = Math.max(1, Math.min(o.workers ?? availableParallelism(), tasks.length));
  const results: SweepResult[] = [];
  const progress = sweepProgress(tasks.length, o.progress, [], o);
  /** Metrics of finished runs that a comparison reads, by variant@seed. */
  const finished = new Map<string, Record<string, number>>();
  const key = (variant: string, seed: number) => `${variant}@${seed}`;
  const pending = [...tasks];
  const idle: Worker[] = [];
  let running = 0;

  await new Promise<void>((resolve, reject) => {
    const ready = (t: SweepTask) => peersByVariant.get(t.variant)!.every((p) => finished.has(key(p, t.seed)));
    const dispatch = () => {
      while (idle.length > 0) {
        const i = pending.findIndex(ready);
        if (i < 0) break;
        const t = pending.splice(i, 1)[0];
        const peers = peersByVariant.get(t.variant)!.map((p) => [p, finished.get(key(p, t.seed))!] as [string, Record<string, number>]);
        running++;
        idle.pop()!.postMessage({ ...t, peers } satisfies WorkerTask);
      }
      if (pending.length === 0 && running === 0) {
        for (const w of idle.splice(0)) void w.terminate();
      }
    };
    let live = workerCount;
    for (let i = 0; i < workerCount; i++) {
      const w = new Worker(new URL('./sweep-worker.js', import.meta.url), { workerData: { text: o.text, file: o.file, set: o.set ?? [] } });
      w.on('message', ({ result: r, metrics }: { result: SweepResult; metrics: Record<string, number> }) => {
        running--;
        if (readBy.has(r.variant)) finished.set(key(r.variant, r.seed), metrics);
        if (asked.has(r.variant)) results.push(r);
        progress.add(r);
        idle.push(w);
        dispatch();
      });
      w.on('error', (e) => reject(e));
      w.on('exit', () => {
        if (--live === 0) resolve();
      });
      idle.push(w);
    }
    dispatch();
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
    const e = scenario.variants.find((v) => v.name === variant)!.expect;
    const first = rs[0]?.seed ?? 0;
    const last = rs[rs.length - 1]?.seed ?? -1;
    let search: VariantSummary['search'];
    if (e.kind === 'search') {
      const covered = first <= e.seeds[0] && last >= e.seeds[1] && rs.filter((r) => r.seed >= e.seeds[0] && r.seed <= e.seeds[1]).length === e.seeds[1] - e.seeds[0] + 1;
      const caught = rs.filter((r) => r.met && r.seed >= e.seeds[0] && r.seed <= e.seeds[1]).length;
      search = { caught: e.caught, seeds: e.seeds, ...(covered ? { confirmed: caught >= e.caught } : {}), caughtSeeds: rs.filter((r) => r.met).map((r) => r.seed) };
    }
    return {
      variant,
      expect: e.kind,
      ...(e.kind === 'pass' ? {} : { expectFail: e.checks }),
      ...(search === undefined ? {} : { search }),
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
export function formatSweep(file: string, summaries: VariantSummary[], runs?: SweepResult[], set: readonly string[] = []): string {
  const out: string[] = [];
  const sets = set.map((x) => ` --set ${/^[\w.:=\-/]+$/.test(x) ? x : `'${x.replace(/'/g, "'\\''")}'`}`).join('');
  const replay = (variant: string, seed: number) => `pillars run ${file} --variant ${variant} --seed ${seed}${sets}`;
  for (const s of summaries) {
    const fails = Object.entries(s.checkFailures).map(([c, n]) => (c.endsWith(' undecided') ? `${c} ${n}x` : `${c} failed ${n}x`)).join(', ');
    if (s.search !== undefined) {
      const caughtSeeds = s.search.caughtSeeds;
      const declared = `declared: caught on ${s.search.caught} of seeds ${s.search.seeds[0]}..${s.search.seeds[1]}`;
      const verdict = s.search.confirmed === undefined ? `not judged: sweep ${s.search.seeds[0]}..${s.search.seeds[1]} to confirm it` : s.search.confirmed ? 'confirmed' : 'NOT confirmed';
      out.push(`${s.variant} (a search for ${s.expectFail!.join(', ')}; ${declared}): caught on ${s.met} of ${s.runs} runs — ${verdict}`);
      if (caughtSeeds.length > 0) out.push(`  caught on seeds ${caughtSeeds.slice(0, 12).join(', ')}${caughtSeeds.length > 12 ? ', ...' : ''}; the first: ${replay(s.variant, caughtSeeds[0])}`);
      continue;
    }
    const what = s.expect === 'fail' ? `expect fail: ${s.expectFail!.join(', ')}` : 'expect pass';
    out.push(`${s.variant} (${what}): ${s.met}/${s.runs} as expected${s.notMet > 0 ? `, ${s.notMet} not` : ''}${fails ? ` — ${fails}` : ''}`);
    for (const seed of s.failingSeeds) out.push(`  seed ${seed}: ${replay(s.variant, seed)}`);
    if (s.expect === 'fail' && s.checkFailedSeeds.length > 0) {
      out.push(`  checks failed on ${s.checkFailedSeeds.length} seeds; the first: ${replay(s.variant, s.checkFailedSeeds[0])}`);
    }
  }
  if (runs !== undefined) out.push(`traceHash digest ${traceHashDigest(runs)}`);
  return out.join('\n');
}

/** A sweep is as expected when every pass/fail run met its expectation and no search fell short of its declared rate. */
export function sweepAsExpected(summaries: VariantSummary[]): boolean {
  return summaries.every((s) => (s.search !== undefined ? s.search.confirmed !== false : s.notMet === 0));
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
