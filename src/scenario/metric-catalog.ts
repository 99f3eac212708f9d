/**
 * The metrics a variant can report, declared before it runs: the workload's and the simulator's own
 * (RUNNER_METRICS), its process's (ProcessEntry.metrics) and its checks' (CheckEntry.produces). A
 * check or a table that names a metric nobody declares is a typo caught at load time, not a run that
 * passes by accident.
 *
 * Where a new metric must be declared: a counter, gauge or histogram a process records goes in its
 * entry's `metrics` in the process table of its folder (e.g. src/work/processes.ts); one the workload client, the world or runner.ts records goes in
 * RUNNER_METRICS or OPERATION_METRICS here; one a check returns goes in its entry's `produces` in
 * checks.ts.
 */
import type { ResolvedVariant } from './schema.js';
import { HISTOGRAM_SUFFIXES, hist, type MetricDecl, type MetricPattern } from '../runtime/process-entry.js';
import { compareOrdinal } from '../runtime/ordinal.js';

/** What a declaration can see: the variant (its workload, topology, ...) and its server names. */
export interface MetricScope {
  variant: ResolvedVariant;
  servers: readonly string[];
}

export { pattern, hist, per, HISTOGRAM_SUFFIXES, type MetricPattern, type MetricDecl } from '../runtime/process-entry.js';

/**
 * The simulator's own metrics, reported by every run: the network's counters, crashes, disk failures
 * and refused starts (world.ts, member-supervisor.ts),
 * and the outcome counters every workload client zeroes at start (workload.ts).
 */
export const RUNNER_METRICS: readonly string[] = ['ops_ok', 'ops_fail', 'ops_info', 'net_sent', 'net_dropped', 'net_duplicated', 'crashes', 'disk_failures', 'refused_starts'];

/**
 * The metrics of a workload that sends operations (workload.ts), and what runner.ts derives from
 * them: not declared for a system that generates its own load (a script workload of no steps).
 */
export const OPERATION_METRICS: readonly string[] = ['ops_invoked', 'ops_retried', 'retries_refused_by_budget', ...hist('latency_ms'), 'messages_per_op', 'availability'];

/**
 * The runner's and the workload's metrics for a variant (a per-node one would use scope.servers, as
 * processes' declarations do).
 */
export function runnerMetrics(scope: MetricScope): string[] {
  const w = scope.variant.workload;
  const sendsOperations = w.type !== 'script' || (w.script?.length ?? 0) > 0;
  return [...RUNNER_METRICS, ...(sendsOperations ? OPERATION_METRICS : [])];
}

export class MetricCatalog {
  readonly names = new Set<string>();
  readonly patterns: MetricPattern[] = [];

  add(decls: Iterable<MetricDecl>): this {
    for (const d of decls) {
      if (typeof d === 'string') this.names.add(d);
      else if (!this.patterns.some((p) => p.pattern === d.pattern)) this.patterns.push(d);
    }
    return this;
  }

  has(name: string): boolean {
    return this.names.has(name) || this.patterns.some((p) => p.re.test(name));
  }

  /** Every exact name, sorted, then every pattern. */
  list(): string[] {
    return [...[...this.names].sort(), ...this.patterns.map((p) => p.pattern)];
  }

  /**
   * The known names (and patterns) closest to `name`, closest first: up to n within an edit distance
   * of a third of its length, or the 3 closest when none is that close.
   */
  closest(name: string, n = 5): string[] {
    const scored = this.list().map((k) => ({ k, d: editDistance(name, k) }));
    scored.sort((a, b) => a.d - b.d || compareOrdinal(a.k, b.k));
    const near = scored.filter((x) => x.d <= Math.max(2, Math.ceil(name.length / 3)));
    return (near.length > 0 ? near.slice(0, n) : scored.slice(0, 3)).map((x) => x.k);
  }
}

/** The candidate nearest to `name` within an edit distance of a third of its length (at least 2), if any. */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: { k: string; d: number } | undefined;
  for (const k of candidates) {
    const d = editDistance(name, k);
    if (best === undefined || d < best.d || (d === best.d && compareOrdinal(k, best.k) < 0)) best = { k, d };
  }
  return best !== undefined && best.d > 0 && best.d <= Math.max(2, Math.ceil(name.length / 3)) ? best.k : undefined;
}

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur.push(Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = cur;
  }
  return prev[b.length];
}
