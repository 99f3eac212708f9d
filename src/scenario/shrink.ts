/**
 * Shrinking a failing run to the smallest fault schedule that still fails: the other half of a bug
 * report, after the seed.
 *
 * 1. Materialize: the variant's random nemesis is drawn from its seeded stream into explicit faults,
 *    after the scenario's own, in the order the runner schedules them, so the materialized variant
 *    replays the very same run (same traceHash).
 * 2. Delta debugging (Zeller and Hildebrandt, "Simplifying and Isolating Failure-Inducing Input",
 *    TSE 2002) over that list of faults: try halves, then complements, then finer pieces, keeping any
 *    subset on which the same check still fails. The result is 1-minimal: removing any one more
 *    fault makes the check hold.
 * 3. Shorten the workload: the shortest duration (binary search, kept after the last fault heals) on
 *    which the check still fails.
 *
 * Every candidate is a full deterministic run with the original seed; "still fails" means the check
 * that failed first in the original run fails again for sure (not merely undecided).
 */
import { RandomStreams } from '../sim/rng.js';
import { randomFaults } from '../sim/nemesis.js';
import { serverNames } from './load.js';
import { runVariant } from './runner.js';
import type { Fault, ResolvedVariant } from './schema.js';
import type { VariantReport } from './report.js';
import { shrinkRunsMaxDefault } from './shrink-defaults.js';

export interface ShrinkOptions {
  /** The check to keep failing (default: the first check that fails in the original run). */
  check?: string;
  /** Give up trying more candidates after this many runs (the best found so far is returned). */
  runsMax?: number;
  /** Called after every candidate run. */
  progress?: (runs: number, faults: number, durationMs: number) => void;
}

export interface ShrinkResult {
  /** The check that fails in the original run and in the shrunk one. */
  check: string;
  /** The materialized original: its faults are every fault the run had. */
  original: ResolvedVariant;
  /** The shrunk variant: a subset of the faults, a workload no longer than needed, no nemesis. */
  shrunk: ShrinkRunResult;
  /** Candidate runs made. */
  runs: number;
  /** True when runsMax stopped the search (the result may not be minimal). */
  exhausted: boolean;
}

export interface ShrinkRunResult {
  variant: ResolvedVariant;
  report: VariantReport;
}

export { shrinkRunsMaxDefault };

/** The variant with its random nemesis drawn into explicit faults (same seed, same run). */
export function materializeFaults(v: ResolvedVariant): ResolvedVariant {
  if (v.nemesis === undefined) return v;
  const n = v.nemesis;
  const drawn = randomFaults(new RandomStreams(v.seed).stream('nemesis'), { ...n, stopMs: n.stopMs ?? v.workload.durationMs }, n.nodes ?? serverNames(v));
  return { ...v, faults: [...v.faults, ...(drawn as Fault[])], nemesis: undefined };
}

/** Checks that failed for sure (an undecided search is not a failure). */
export function failedChecks(report: VariantReport): string[] {
  return report.checks.filter((c) => !c.ok && c.unknown !== true).map((c) => c.name);
}

export class ShrinkError extends Error {
  override readonly name = 'ShrinkError';
}

export function isShrinkError(e: unknown): e is ShrinkError {
  return e instanceof ShrinkError;
}

export function shrink(variant: ResolvedVariant, opts: ShrinkOptions = {}): ShrinkResult {
  const original = materializeFaults(variant);
  const runsMax = opts.runsMax ?? shrinkRunsMaxDefault;
  let runs = 0;
  const first = runVariant(original).report;
  runs++;
  const failing = failedChecks(first);
  const check = opts.check ?? failing[0];
  if (check === undefined) throw new ShrinkError(`no check fails on seed ${variant.seed} of variant ${variant.name}: nothing to shrink (${first.checks.map((c) => `${c.name} ${c.ok ? 'ok' : 'undecided'}`).join(', ') || 'no checks'})`);
  if (!failing.includes(check)) throw new ShrinkError(`check ${check} does not fail on seed ${variant.seed} of variant ${variant.name} (failing: ${failing.join(', ') || 'none'})`);

  let best: ShrinkRunResult = { variant: original, report: first };
  /** Run a candidate; keep it as the best when the check still fails. */
  const stillFails = (candidate: ResolvedVariant): boolean => {
    if (runs >= runsMax) return false;
    const report = runVariant(candidate).report;
    runs++;
    const fails = failedChecks(report).includes(check);
    if (fails) best = { variant: candidate, report };
    opts.progress?.(runs, best.variant.faults.length, best.variant.workload.durationMs);
    return fails;
  };
  const withFaults = (faults: Fault[]): ResolvedVariant => ({ ...best.variant, faults });

  // 2. Faults, by delta debugging. An empty schedule that still fails needs no faults at all.
  if (original.faults.length > 0 && !stillFails(withFaults([]))) {
    ddmin(original.faults, (subset) => stillFails(withFaults(subset)));
  }

  // 3. Duration: the shortest that still fails, after the last kept fault has healed.
  const minimal = best.variant;
  const lastHealMs = Math.max(0, ...minimal.faults.map((f) => f.at + (f.for ?? 0)));
  const fullMs = minimal.workload.durationMs;
  const stepMs = Math.max(1, Math.round(fullMs / 100));
  let lo = Math.min(fullMs, Math.ceil(lastHealMs / stepMs) * stepMs);
  let hi = fullMs;
  const withDuration = (ms: number): ResolvedVariant => ({ ...minimal, workload: { ...minimal.workload, durationMs: ms } });
  if (lo < hi && stillFails(withDuration(lo))) hi = lo;
  while (hi - lo > stepMs) {
    const mid = Math.round((lo + hi) / 2 / stepMs) * stepMs;
    if (mid <= lo || mid >= hi) break;
    if (stillFails(withDuration(mid))) hi = mid;
    else lo = mid;
  }
  // The best run is the last one that failed; make sure it is the shortest such (hi).
  if (best.variant.workload.durationMs !== hi) stillFails(withDuration(hi));
  return { check, original, shrunk: best, runs, exhausted: runs >= runsMax };
}

/**
 * ddmin: the smallest subset (1-minimal) of `items` on which `fails` holds, given that it holds on
 * all of them. `fails` is called on candidate subsets, in the items' order.
 */
export function ddmin<T>(items: readonly T[], fails: (subset: T[]) => boolean): T[] {
  let current = [...items];
  let n = 2;
  while (current.length >= 2) {
    const chunks = split(current, n);
    let reduced = false;
    for (const c of chunks) {
      if (fails(c)) {
        current = c;
        n = 2;
        reduced = true;
        break;
      }
    }
    if (!reduced && n > 2) {
      for (let i = 0; i < chunks.length; i++) {
        const complement = chunks.filter((_, j) => j !== i).flat();
        if (fails(complement)) {
          current = complement;
          n = Math.max(n - 1, 2);
          reduced = true;
          break;
        }
      }
    }
    if (!reduced) {
      if (n >= current.length) break;
      n = Math.min(current.length, n * 2);
    }
  }
  return current;
}

function split<T>(items: T[], n: number): T[][] {
  const out: T[][] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const end = start + Math.floor((items.length - start) / (n - i));
    if (end > start) out.push(items.slice(start, end));
    start = end;
  }
  return out;
}
