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
import { hist, type MetricDecl, type MetricPattern } from '../runtime/process-entry.js';
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

/** A metric's title as a person reads it, and the unit its values are in (empty: a plain count). */
export interface MetricTitle {
  title: string;
  unit: string;
  /** The axis title of a metric with no unit that is not a count either (a yes/no verdict). */
  axis?: string;
}

/**
 * The titles of the metrics every run reports (RUNNER_METRICS, OPERATION_METRICS), of the series
 * a capture adds, and of the checks' verdict metrics whose names read badly; a process's own metrics
 * are titled from their names by metricTitle's rules.
 */
export const METRIC_TITLES: Readonly<Record<string, MetricTitle>> = {
  ops_ok: { title: 'operations that succeeded', unit: 'ops' },
  ops_fail: { title: 'operations that failed', unit: 'ops' },
  ops_info: { title: 'operations of unknown outcome', unit: 'ops' },
  ops_invoked: { title: 'operations sent', unit: 'ops' },
  ops_retried: { title: 'operations retried', unit: 'ops' },
  retries_refused_by_budget: { title: 'retries refused by the budget', unit: 'retries' },
  net_sent: { title: 'messages sent', unit: 'messages' },
  net_dropped: { title: 'messages dropped', unit: 'messages' },
  net_duplicated: { title: 'messages duplicated', unit: 'messages' },
  crashes: { title: 'crashes', unit: 'crashes' },
  disk_failures: { title: 'disk failures', unit: 'failures' },
  refused_starts: { title: 'restarts refused', unit: 'starts' },
  nodes_up: { title: 'nodes up', unit: 'nodes' },
  messages_per_op: { title: 'messages per operation', unit: 'messages' },
  availability: { title: 'availability', unit: '' },
  latency_ms: { title: 'client latency', unit: 'ms' },
  acked_increments: { title: 'acknowledged increments', unit: 'increments' },
  lost_acked_increments: { title: 'acknowledged increments lost', unit: 'increments' },
  linearizable: { title: 'linearizable', unit: '', axis: '1 yes, 0 no, -1 undecided' },
  serializable: { title: 'serializable', unit: '', axis: '1 yes, 0 no' },
  availability_majority_side: { title: 'availability on the majority side', unit: '', axis: 'fraction of operations' },
};

const QUANTILE_WORDS: Readonly<Record<string, string>> = { p50: 'median', p90: 'p90', p99: 'p99', p999: 'p99.9', max: 'max', mean: 'mean', count: 'count' };

/**
 * The title and unit of any metric name: a declared title, else one read from the name's parts: a
 * histogram's suffix (_p99, and _p99_interval for the quantile of each sample interval), a unit
 * suffix (_ms, _usd, _pct) and underscores as spaces.
 */
export function metricTitle(name: string): MetricTitle {
  const known = METRIC_TITLES[name];
  if (known !== undefined) return known;
  const m = /^(.*)_(p50|p90|p99|p999|max|mean|count)(_interval)?$/.exec(name);
  if (m !== null) {
    const base = metricTitle(m[1]);
    const q = QUANTILE_WORDS[m[2]];
    return { title: `${base.title}, ${q}${m[3] !== undefined ? ' per interval' : ''}`, unit: m[2] === 'count' ? '' : base.unit };
  }
  const u = /^(.*)_(ms|usd|pct)(_.*)?$/.exec(name);
  if (u !== null) {
    const words = `${u[1]}${u[3] ?? ''}`.replace(/_/g, ' ');
    return { title: words, unit: u[2] === 'ms' ? 'ms' : u[2] === 'usd' ? 'USD' : '%' };
  }
  return { title: name.replace(/_/g, ' '), unit: '' };
}
