/**
 * Every story over a range of seeds, for the tests: each seed runs every variant of the file once
 * (a comparison's peer included, on the same seed), and the results say, per variant, on which seeds
 * it did not meet its expectation and over what range its numbers moved.
 */
import type { VariantReport } from '../scenario/report.js';
import { runVariants } from '../scenario/runner.js';
import { loadScenario, rememberReports } from './story-runner.js';

/**
 * The seeds each story runs in `npm test`: 10 per variant for a story whose runs cost under a second
 * of CPU per seed, fewer for the heavier ones (testSeedCountOf). The sweeps behind the claims (1..100,
 * 1..200 for the demo) are `pillars stories --seeds` and `pillars sweep`; these keep every story
 * honest on more than its shipped seed within the CI budget.
 */
export const testSeedCount = 10;

/**
 * Stories whose runs cost seconds of CPU per seed run fewer seeds here, so that `npm test` stays well
 * under ten minutes on two cores: 5 for those at 1-2.5 s per seed (a fresh clone's `npm test`, each
 * beside another test file), 3 for those above (two-phase-commit's Raft groups per shard at 13 s,
 * queueing's 900,000 customers per run at 7 s, and the rest at 2.5-4.3 s). Their claims are swept
 * over 1..100 by `pillars stories --seeds` as every story's are.
 */
export const testSeedCountOf: Readonly<Record<string, number>> = {
  'two-phase-commit': 3,
  queueing: 3,
  'load-balancers': 3,
  'shopping-cart': 3,
  'black-friday': 3,
  'hot-shard': 3,
  'event-sourcing': 3,
  'self-healing': 3,
  usl: 3,
  'runaway-autoscaling': 5,
  'raft-chaos': 5,
  'netflix-encoding': 5,
  'head-of-line': 5,
  'netflix-play': 5,
  'byzantine-liar': 5,
  ecommerce: 5,
  starvation: 5,
  'knight-capital': 5,
  'work-affinity': 5,
  resharding: 5,
  'lease-reads': 5,
};

export interface StorySweep {
  file: string;
  seeds: [number, number];
  /** Per variant, its report on each seed, in seed order. */
  reports: Map<string, VariantReport[]>;
}

export function sweepStory(file: string, first = 1, last = first + testSeedCount - 1, only?: readonly string[]): StorySweep {
  const s = loadScenario(file);
  // A search for rare failures is judged by its own long sweep, not on a handful of seeds; it runs
  // here only when a comparison needs it.
  const names = s.variants.filter((v) => v.expect.kind !== 'search' && (only === undefined || only.includes(v.name))).map((v) => v.name);
  const reports = new Map<string, VariantReport[]>(names.map((n) => [n, []]));
  for (let seed = first; seed <= last; seed++) {
    const runs = runVariants(s, names, () => ({ seed }));
    rememberReports(file, s, runs);
    for (const n of names) reports.get(n)!.push(runs.get(n)!.report);
  }
  return { file, seeds: [first, last], reports };
}

/** "variant: seed 3 (why), seed 9 (why)" for the variants that did not meet their expectation. */
export function unmet(sweep: StorySweep): string[] {
  return [...sweep.reports].flatMap(([name, rs]) => {
    const bad = rs.filter((r) => !r.met);
    return bad.length === 0 ? [] : [`${name}: ${bad.map((r) => `seed ${r.seed} (${r.why ?? 'not met'})`).join(', ')}`];
  });
}

/** The range of a metric over the seeds of one variant, e.g. "212-301" or "0". */
export function range(rs: readonly VariantReport[], metric: string): { min: number; max: number; text: string } {
  const xs = rs.map((r) => r.metrics[metric]).filter((x): x is number => x !== undefined);
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  const f = (x: number) => (Number.isInteger(x) || Math.abs(x) >= 100 ? String(Math.round(x)) : String(Number(x.toPrecision(3))));
  return { min, max, text: xs.length === 0 ? '-' : min === max ? f(min) : `${f(min)}..${f(max)}` };
}

/**
 * One line per variant with the range of the metrics its expectation is about (the checks it must
 * fail, or that bound it), for the test's output: what separates the variants, over these seeds.
 */
export function rangeLines(sweep: StorySweep, metrics: readonly string[]): string[] {
  return [...sweep.reports].map(([name, rs]) => `${name}: ${metrics.filter((m) => rs.some((r) => r.metrics[m] !== undefined)).map((m) => `${m} ${range(rs, m).text}`).join(', ')}`);
}

/** The stories by the pillar they teach (the platforms run on all five), one test file each. */
export const storiesByPillar: Readonly<Record<string, readonly string[]>> = {
  work: ['load-balancers', 'work-affinity', 'deadlock', 'starvation', 'batching', 'head-of-line', 'thundering-herd', 'usl', 'netflix-encoding', 'queueing', 'mapreduce', 'cells', 'coordination'],
  state: ['rebalance', 'shopping-cart', 'hot-shard', 'resharding', 'hierarchical-shards', 'time-partitioned', 'consistency-spectrum', 'anti-entropy', 'hinted-handoff', 'quorum-staleness', 'time-traitors', 'broadcast', 'social-comments'],
  truth: ['split-brain', 'raft-chaos', 'disk-faults', 'membership', 'atm-race', 'phantom-write', 'lease-pause', 'lease-reads', 'two-phase-commit', 'saga-payment', 'byzantine-liar', 'commit-wait', 'event-sourcing', 'paxos', 'flp', 'truth-spectrum'],
  control: ['knight-capital', 'metastable', 'cascade', 'gray-failure', 'synchronized-breakers', 'bad-deploy', 'version-drift', 'kill-switch', 'control-hierarchy'],
  intelligence: ['runaway-autoscaling', 'black-friday', 'model-drift', 'herd-stampede', 'flash-crash', 'self-healing', 'objective-monster', 'correlated-models'],
  platform: ['ecommerce', 'netflix-play'],
};

/**
 * The heaviest stories, each run by a test file of its own (seeds/<story>.test.ts) so that the test
 * runner can put them on both cores instead of queueing them behind the rest of their pillar.
 */
export const storiesInTheirOwnFile: readonly string[] = ['queueing', 'two-phase-commit', 'truth-spectrum'];

/** The metrics a file's checks bound (metric and compare checks, and the ratios compare reports). */
export function boundedMetrics(file: string): string[] {
  const s = loadScenario(file);
  const names = new Set<string>();
  for (const v of s.variants) {
    for (const c of v.checks as { name: string; metric?: string; of?: string }[]) {
      if (c.name === 'metric' && c.metric !== undefined) names.add(c.metric);
      if (c.name === 'compare' && c.metric !== undefined) names.add(`${c.metric}_vs_${c.of}`);
    }
  }
  return [...names];
}
