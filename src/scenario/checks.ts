/**
 * The checks a scenario can name under `checks:`. Each has its own parameter schema and says whether
 * it needs the client history (histories are recorded only when some check or --history needs them).
 */
import { z } from 'zod';
import { NANOS_PER_MS, type History } from '../check/history.js';
import type { WaitBatch } from '../check/queueing.js';
import { checkBalanceFloor, checkNoLostIncrements, checkBroadcastComplete, checkErlangC, checkLinearizable, describeViolation, models, type CheckOutcome } from '../check/index.js';
import { mean } from '../runtime/distribution.js';
import type { MetricsRegistry } from '../sim/metrics.js';
import type { Description } from '../runtime/context.js';
import type { ResolvedVariant } from './schema.js';
import { fitUsl, queueServerConfigSchema } from '../work/index.js';
import { checkAtomicity, registerHistory, twoPhaseCommitConfigSchema } from '../truth/index.js';
import { checkTxns, describeTxnAnomaly } from '../check/index.js';
import type { MetricDecl } from './metric-catalog.js';
import { registerInto } from './processes.js';

export interface RunFacts {
  /** What each server's process said about itself at the end of the run (describe()). */
  described?: Map<string, Description | undefined>;
  variant: ResolvedVariant;
  servers: readonly string[];
  history: History | undefined;
  metrics: MetricsRegistry;
  /** The flat metrics of the run (counters, gauges, histogram summaries). */
  flat: Record<string, number>;
  /** The flat metrics of the other variants run on the same seed, by name (for compare). */
  peers?: ReadonlyMap<string, Record<string, number>>;
}

/**
 * A check's verdict. `error` marks a check that could not be applied at all (a metric nobody
 * reported, a process the check does not know): the run proves nothing, whichever way it was expected to go.
 */
export type CheckVerdict = CheckOutcome & { error?: boolean };

export interface CheckEntry {
  description: string;
  params: z.ZodType;
  needsHistory: boolean;
  run(facts: RunFacts, params: any): CheckVerdict;
  /**
   * The metrics the check adds to the run's flat metrics (its verdict's `metrics`), given its parsed
   * parameters; load time checks metric names against these (see metric-catalog.ts).
   */
  produces(params: any, variant: ResolvedVariant): readonly MetricDecl[];
  /**
   * The one metric (among those the run reports) whose value the verdict is about, e.g. the lost
   * writes of no-lost-increments rather than the writes counted: reports chart it first. Undefined
   * when no single metric carries the verdict.
   */
  verdictMetric(params: any): string | undefined;
  /**
   * Whether a failure of this check on the run so far is a failure of the whole run, whatever
   * follows: a safety property that a prefix of the history already breaks (operations still pending
   * count as ones that may or may not take effect), or a counter already over its max. The lab judges
   * such a check as the run goes, and shows the moment it fails. Absent: judged at the end only.
   */
  failsForGood?(params: any, metrics: MetricsRegistry): boolean;
}

export type CheckTable = Readonly<Record<string, CheckEntry>>;

/**
 * Every check a scenario can name: the general ones below, and those a story system registers for
 * itself (registerChecks), as processes are registered (processes.ts).
 */
export const checks: Record<string, CheckEntry> = {
  'erlang-c': {
    description: 'measured mean wait and P(wait) of a work/queue-server agree with the Erlang C formula: within a relative tolerance, or, with confidence (e.g. 0.999), inside that confidence interval of batch means (the batches: the intervals of metrics.sampleEveryMs)',
    params: z.object({ name: z.string(), tolerance: z.number().positive().max(1).default(0.03), confidence: z.number().gt(0).lt(1).optional() }).strict(),
    needsHistory: false,
    produces: (params: { confidence?: number }) => [
      ...['erlang_c_p_wait', 'erlang_c_mean_wait_ms', 'measured_p_wait', 'measured_mean_wait_ms', 'mean_wait_error', 'p_wait_error'],
      ...(params.confidence === undefined ? [] : ['mean_wait_ci_half_width', 'p_wait_ci_half_width', 'mean_wait_off_ci', 'p_wait_off_ci']),
    ],
    verdictMetric: () => 'mean_wait_error',
    run(facts, params: { tolerance: number; confidence?: number }) {
      const v = facts.variant;
      if (v.system.process !== 'work/queue-server') return { ok: false, error: true, detail: 'erlang-c needs system.process work/queue-server' };
      if (v.workload.type !== 'open' || v.workload.ratePerSec === undefined) return { ok: false, error: true, detail: 'erlang-c needs an open (Poisson) workload' };
      const cfg = queueServerConfigSchema.parse(v.system.config ?? {});
      const serviceMeanMs = mean(cfg.service);
      const wait = facts.metrics.histogram('wait_ms');
      const served = wait?.count ?? 0;
      if (served === 0) return { ok: false, detail: 'no job was served' };
      let batches: WaitBatch[] | undefined;
      if (params.confidence !== undefined) {
        const series = (name: string) => facts.metrics.series.get(name)?.map((pt) => pt.v);
        const [started, waited, waitMs] = [series('jobs_started'), series('jobs_started_waited'), series('wait_ms_total')];
        if (started === undefined || waited === undefined || waitMs === undefined) return { ok: false, error: true, detail: 'erlang-c with confidence needs samples over time (metrics.sampleEveryMs) of a work/queue-server' };
        batches = [];
        for (let k = 1; k < started.length; k++) {
          if (started[k] === started[k - 1]) continue; // after the last arrival
          batches.push({ started: started[k] - started[k - 1], waited: waited[k] - waited[k - 1], waitMsSum: waitMs[k] - waitMs[k - 1] });
        }
      }
      return checkErlangC({
        servers: cfg.workers,
        offeredLoad: (v.workload.ratePerSec / 1000) * serviceMeanMs,
        serviceMeanMs,
        measuredMeanWaitMs: wait!.mean,
        measuredWaitProbability: facts.metrics.counter('jobs_waited') / served,
        tolerance: params.tolerance,
        batches,
        confidence: params.confidence,
      });
    },
  },
  'broadcast-complete': {
    description: 'every acknowledged broadcast value is in every node\'s final read',
    params: z.object({ name: z.string() }).strict(),
    needsHistory: true,
    produces: () => ['acked_broadcasts', 'lost_values', 'lost_deliveries', 'unread_nodes', 'messages_per_broadcast'],
    verdictMetric: () => 'lost_values',
    run(facts) {
      const out = checkBroadcastComplete(facts.history!, facts.servers);
      const broadcasts = facts.history!.events.filter((e) => e.type === 'invoke' && e.f === 'broadcast').length;
      if (broadcasts > 0) out.metrics = { ...out.metrics, messages_per_broadcast: Number((facts.metrics.counter('net_sent') / broadcasts).toPrecision(6)) };
      return out;
    },
  },
  linearizable: {
    description: 'the client history is linearizable under a model (register, kv or bank), info operations included',
    params: z.object({ name: z.string(), model: z.enum(['register', 'kv', 'bank']).default('kv') }).strict(),
    needsHistory: true,
    failsForGood: () => true,
    produces: () => ['linearizable'],
    verdictMetric: () => 'linearizable',
    run(facts, p: { model: string }) {
      const r = checkLinearizable(facts.history!.events, models[p.model]);
      const summary = `${r.operations} operations over ${r.keys} ${r.keys === 1 ? 'group' : 'keys'}, ${r.steps} search steps`;
      if (r.unknown) return { ok: false, unknown: true, detail: `unknown: the search gave up on key ${r.unknownKey} (${summary})`, metrics: { linearizable: -1 } };
      return { ok: r.ok, detail: r.ok ? `linearizable (${summary})` : `${describeViolation(r.violation!)}\n(${summary})`, metrics: { linearizable: r.ok ? 1 : 0 } };
    },
  },
  'balance-floor': {
    description: 'an account never ends below its floor (judged on its last successful read)',
    params: z.object({ name: z.string(), account: z.string(), floor: z.number().default(0) }).strict(),
    needsHistory: true,
    produces: () => ['final_balance', 'approved_withdrawals', 'refused_withdrawals'],
    verdictMetric: () => 'final_balance',
    run(facts, p: { account: string; floor: number }) {
      return checkBalanceFloor(facts.history!, p.account, p.floor);
    },
  },
  'final-value': {
    description: 'the last successful read of a key returned this value (e.g. a payment counted exactly once)',
    params: z.object({ name: z.string(), key: z.string(), equals: z.unknown() }).strict(),
    needsHistory: true,
    produces: () => ['final_value'],
    verdictMetric: () => 'final_value',
    run(facts, p: { key: string; equals: unknown }) {
      let last: unknown;
      let seen = false;
      for (const { invoke, complete } of facts.history!.operations()) {
        if (invoke.f === 'read' && invoke.key === p.key && complete?.type === 'ok') {
          last = complete.value;
          seen = true;
        }
      }
      if (!seen) return { ok: false, detail: `no successful read of ${p.key}` };
      const ok = JSON.stringify(last) === JSON.stringify(p.equals);
      const metrics = typeof last === 'number' ? { final_value: last } : undefined;
      return { ok, detail: `${p.key} = ${JSON.stringify(last)}, expected ${JSON.stringify(p.equals)}`, metrics };
    },
  },
  'no-lost-increments': {
    description: 'no two acknowledged increments of a key answered the same value (none was lost)',
    params: z.object({ name: z.string() }).strict(),
    needsHistory: true,
    failsForGood: () => true,
    produces: () => ['acked_increments', 'lost_acked_increments'],
    verdictMetric: () => 'lost_acked_increments',
    run(facts) {
      return checkNoLostIncrements(facts.history!);
    },
  },
  agreement: {
    description: "no two nodes decided differently at the same position (a log index, a sequence number) of their describe().replicas; a node may lag, never disagree. Nodes that report no replicas (a Byzantine one) are left out. Also messages per decision, from the replica_messages and agreement_messages counters",
    params: z.object({ name: z.string() }).strict(),
    needsHistory: false,
    produces: () => ['decisions', 'disagreeing_decisions', 'messages_per_decision', 'agreement_messages_per_decision'],
    verdictMetric: () => 'disagreeing_decisions',
    run(facts) {
      // position -> the versions decided there, with the first node seen deciding each
      const at = new Map<string, Map<string, string>>();
      let reporting = 0;
      for (const [node, d] of facts.described ?? []) {
        if (d?.replicas === undefined) continue;
        reporting++;
        for (const [pos, r] of Object.entries(d.replicas)) {
          let m = at.get(pos);
          if (m === undefined) at.set(pos, (m = new Map()));
          if (!m.has(r.version)) m.set(r.version, node);
        }
      }
      if (reporting === 0) return { ok: false, error: true, detail: 'no process described its decisions (describe().replicas)' };
      let disagreeing = 0;
      let example = '';
      for (const [pos, m] of at) {
        if (m.size < 2) continue;
        disagreeing++;
        if (example === '') example = `, e.g. ${pos}: ${[...m].map(([v, node]) => `${node}=${v}`).join(' vs ')}`;
      }
      const decisions = at.size;
      const metrics: Record<string, number> = { decisions, disagreeing_decisions: disagreeing };
      const perDecision = (counter: string) => (decisions > 0 && facts.flat[counter] !== undefined ? Number((facts.flat[counter] / decisions).toFixed(2)) : undefined);
      const all = perDecision('replica_messages');
      const agreement = perDecision('agreement_messages');
      if (all !== undefined) metrics.messages_per_decision = all;
      if (agreement !== undefined) metrics.agreement_messages_per_decision = agreement;
      const cost = all === undefined ? '' : `; ${all} messages between replicas per decision${agreement === undefined ? '' : ` (${agreement} of agreement proper)`}`;
      // Agreement is safety: with nothing decided it holds, vacuously, and says so. Whether anything is
      // decided at all is liveness, a story's own check (flp's and paxos's `decides`).
      const vacuous = decisions === 0 ? ' (nothing decided: agreement holds vacuously)' : '';
      return { ok: disagreeing === 0, detail: `${reporting} nodes reported ${decisions} decided positions, ${disagreeing} decided differently${example}${cost}${vacuous}`, metrics };
    },
  },
  'usl-fit': {
    description: 'fit the USL to the throughput_n<N> metrics of a run and recover the given alpha and beta within a tolerance',
    params: z.object({ name: z.string(), alpha: z.number().min(0).max(1), beta: z.number().min(0).lt(1), tolerance: z.number().positive().default(0.1) }).strict(),
    needsHistory: false,
    produces: () => ['fitted_alpha', 'fitted_beta', 'fitted_n_star'],
    verdictMetric: () => 'fitted_alpha',
    run(facts, p: { alpha: number; beta: number; tolerance: number }) {
      const points = Object.entries(facts.flat)
        .map(([k, x]) => [/^throughput_n(\d+)$/.exec(k), x] as const)
        .filter(([m, x]) => m !== null && x > 0)
        .map(([m, x]) => ({ n: Number(m![1]), x }))
        .sort((a, b) => a.n - b.n);
      if (points.length < 3) return { ok: false, error: true, detail: `usl-fit needs at least 3 throughput_n<N> metrics, found ${points.length}` };
      const f = fitUsl(points);
      const off = (got: number, want: number) => (want === 0 ? Math.abs(got) : Math.abs(got - want) / want);
      const ok = off(f.alpha, p.alpha) <= p.tolerance && off(f.beta, p.beta) <= p.tolerance;
      const detail = `fit of ${points.length} points: alpha ${f.alpha.toFixed(4)} (configured ${p.alpha}), beta ${f.beta.toFixed(6)} (configured ${p.beta}), N* ${f.nStar.toFixed(1)}, R² ${f.r2.toFixed(4)}`;
      return { ok, detail, metrics: { fitted_alpha: Number(f.alpha.toFixed(5)), fitted_beta: Number(f.beta.toFixed(7)), fitted_n_star: Number(f.nStar.toFixed(2)) } };
    },
  },
  'replicas-converged': {
    description: 'at the end of the run, every node meant to hold a key holds it, at the same version (from the processes\' describe())',
    params: z.object({ name: z.string() }).strict(),
    needsHistory: false,
    produces: () => ['divergent_keys', 'keys_replicated', 'versions_per_key_max'],
    verdictMetric: () => 'divergent_keys',
    run(facts) {
      const versions = new Map<string, Map<string, string>>();
      const holders = new Map<string, readonly string[]>();
      for (const [node, d] of facts.described ?? []) {
        for (const [key, r] of Object.entries(d?.replicas ?? {})) {
          let m = versions.get(key);
          if (m === undefined) versions.set(key, (m = new Map()));
          m.set(node, r.version);
          holders.set(key, r.holders);
        }
      }
      if (versions.size === 0) return { ok: false, error: true, detail: 'no process described replicated data (describe().replicas)' };
      let divergent = 0;
      let example = '';
      // How many versions of one key exist at once, among the holders that have it at all.
      let versionsMax = 0;
      for (const [key, m] of versions) {
        const seen = holders.get(key)!.map((h) => m.get(h) ?? '(missing)');
        versionsMax = Math.max(versionsMax, new Set(m.values()).size);
        if (new Set(seen).size > 1) {
          divergent++;
          if (example === '') example = ` e.g. ${key}: ${holders.get(key)!.map((h, i) => `${h}=${seen[i]}`).join(' ')}`;
        }
      }
      return {
        ok: divergent === 0,
        detail: `${divergent} of ${versions.size} keys differ between their replicas, up to ${versionsMax} versions of one key${example}`,
        metrics: { divergent_keys: divergent, keys_replicated: versions.size, versions_per_key_max: versionsMax },
      };
    },
  },
  progress: {
    description: 'no stretch of the run longer than maxStallMs between one operation succeeding and the next (anywhere): a global stop shows as one long gap, a cut-off minority does not, as the rest go on',
    params: z.object({ name: z.string(), maxStallMs: z.number().positive() }).strict(),
    needsHistory: true,
    produces: () => ['stall_ms_max'],
    verdictMetric: () => 'stall_ms_max',
    run(facts, p: { maxStallMs: number }) {
      const oks: number[] = [];
      for (const { complete } of facts.history!.operations()) if (complete?.type === 'ok') oks.push(complete.time / NANOS_PER_MS);
      if (oks.length < 2) return { ok: false, detail: `${oks.length} operations succeeded: no progress to measure`, metrics: { stall_ms_max: Infinity } };
      oks.sort((a, b) => a - b);
      let stall = 0;
      let from = 0;
      for (let i = 1; i < oks.length; i++) {
        if (oks[i] - oks[i - 1] > stall) {
          stall = oks[i] - oks[i - 1];
          from = oks[i - 1];
        }
      }
      const rounded = Math.round(stall * 10) / 10;
      return { ok: stall <= p.maxStallMs, detail: `the longest stretch without a successful operation: ${rounded} ms, from ${Math.round(from)} ms (at most ${p.maxStallMs} expected)`, metrics: { stall_ms_max: rounded } };
    },
  },
  'stale-reads': {
    description: 'no read (begun after fromMs) returns a value older than a write acknowledged before the read began (writes need unique values)',
    params: z.object({ name: z.string(), max: z.number().nonnegative().default(0), fromMs: z.number().nonnegative().default(0) }).strict(),
    needsHistory: true,
    failsForGood: () => true,
    produces: () => ['stale_reads', 'stale_read_rate'],
    verdictMetric: () => 'stale_reads',
    run(facts, p: { max: number; fromMs: number }) {
      const writes = new Map<string, { invoke: number; complete: number; value: unknown }[]>();
      const reads: { key: string; invoke: number; value: unknown; process: number; node: string | undefined }[] = [];
      for (const { invoke, complete } of facts.history!.operations()) {
        const key = invoke.key ?? '';
        if (invoke.f === 'write') {
          const list = writes.get(key) ?? [];
          list.push({ invoke: invoke.time, complete: complete?.type === 'ok' ? complete.time : Infinity, value: invoke.value });
          writes.set(key, list);
        } else if (invoke.f === 'read' && complete?.type === 'ok' && invoke.time >= p.fromMs * NANOS_PER_MS) reads.push({ key, invoke: invoke.time, value: complete.value, process: invoke.process, node: complete.node });
      }
      let stale = 0;
      let first = '';
      const ms = (ns: number) => `${(ns / NANOS_PER_MS).toFixed(3)} ms`;
      for (const r of reads) {
        const ws = writes.get(r.key) ?? [];
        // The write the read saw (none: the initial value), and whether a write acknowledged before
        // the read began was invoked only after that one had finished.
        const seen = r.value === null ? undefined : ws.find((w) => w.value === r.value);
        const seenDone = seen === undefined ? -Infinity : seen.complete;
        const newer = ws.find((w) => w.complete < r.invoke && w.invoke > seenDone);
        if (newer === undefined) continue;
        stale++;
        if (first === '') first = `; the first: process ${r.process}'s read of ${r.key} begun at ${ms(r.invoke)}${r.node === undefined ? '' : ` (via ${r.node})`} returned ${JSON.stringify(r.value)}, though ${JSON.stringify(newer.value)} was acknowledged at ${ms(newer.complete)}`;
      }
      const rate = reads.length === 0 ? 0 : stale / reads.length;
      return { ok: stale <= p.max, detail: `${stale} of ${reads.length} reads returned a value older than an acknowledged write (${(rate * 100).toFixed(2)}%)${first}`, metrics: { stale_reads: stale, stale_read_rate: Number(rate.toFixed(5)) } };
    },
  },
  'majority-available': {
    description: "operations sent to nodes outside the scenario's cuts (isolate, the smaller sides of a partition, crash, pause) while they last succeed: at least min of them; the ones sent to a cut-off node are counted apart, as the cost of the cut (ops_cut_off, cut_cost: the share of all operations that failed on the cut-off side)",
    /** fromMs: operations invoked before it are not judged (a system still electing its first leader). */
    params: z.object({ name: z.string(), min: z.number().min(0).max(1).default(1), fromMs: z.number().nonnegative().default(0) }).strict(),
    needsHistory: true,
    produces: () => ['availability_majority_side', 'ops_cut_off', 'cut_cost', 'cut_off_failed_rate'],
    verdictMetric: () => 'availability_majority_side',
    run(facts, p: { min: number; fromMs: number }) {
      const v = facts.variant;
      const endMs = v.workload.durationMs + v.workload.settleMs;
      const cuts: { node: string; fromMs: number; toMs: number }[] = [];
      for (const f of v.faults) {
        const toMs = f.for === undefined ? Infinity : f.at + f.for;
        const nodes: string[] = [];
        if (f.isolate !== undefined) nodes.push(f.isolate);
        if (f.crash !== undefined) nodes.push(f.crash);
        if (f.pause !== undefined) nodes.push(f.pause);
        if (f.crashMany !== undefined) nodes.push(...f.crashMany);
        if (f.partition !== undefined) {
          const largest = Math.max(...f.partition.map((g) => g.length));
          const majority = f.partition.find((g) => g.length === largest)!;
          for (const g of f.partition) if (g !== majority) nodes.push(...g);
        }
        for (const node of nodes) cuts.push({ node, fromMs: f.at, toMs });
      }
      if (v.nemesis !== undefined) return { ok: false, error: true, detail: 'majority-available reads the cuts from faults:, not from a random nemesis' };
      if (cuts.some((c) => !facts.servers.includes(c.node))) return { ok: false, error: true, detail: `majority-available needs faults aimed at named servers (got ${cuts.map((c) => c.node).join(', ')})` };
      let served = 0;
      let ok = 0;
      let cutOff = 0;
      let cutOffFailed = 0;
      for (const { invoke, complete } of facts.history!.operations()) {
        const fromMs = invoke.time / NANOS_PER_MS;
        if (fromMs < p.fromMs) continue;
        const toMs = complete === undefined ? endMs : complete.time / NANOS_PER_MS;
        const succeeded = complete?.type === 'ok';
        // Sent to a node that was cut off at any moment of the operation: the majority side promised nothing.
        if (cuts.some((c) => c.node === invoke.node && fromMs < c.toMs && toMs >= c.fromMs)) {
          cutOff++;
          if (!succeeded) cutOffFailed++;
          continue;
        }
        served++;
        if (succeeded) ok++;
      }
      const all = served + cutOff;
      const availability = served === 0 ? 0 : ok / served;
      const cost = all === 0 ? 0 : cutOffFailed / all;
      return {
        ok: served > 0 && availability >= p.min,
        detail: `${ok} of ${served} operations outside the cuts succeeded (${availability.toFixed(4)}, expected >= ${p.min}); ${cutOff} sent to a cut-off node, ${cutOffFailed} of them failed: ${(cost * 100).toFixed(2)}% of all operations lost to the cut`,
        metrics: {
          availability_majority_side: Number(availability.toFixed(5)),
          ops_cut_off: cutOff,
          cut_cost: Number(cost.toFixed(5)),
          // Of what was sent to the cut-off side, the share refused or lost.
          cut_off_failed_rate: cutOff === 0 ? 0 : Number((cutOffFailed / cutOff).toFixed(5)),
        },
      };
    },
  },
  cart: {
    description: 'every acknowledged add that was not removed is in each node\'s final read of the cart, and no removed item is (needs finalReads)',
    params: z.object({ name: z.string() }).strict(),
    needsHistory: true,
    produces: () => ['adds', 'removes', 'lost_adds', 'zombie_items'],
    verdictMetric: () => 'lost_adds',
    run(facts) {
      const added = new Set<string>();
      const removed = new Set<string>();
      const finalByNode = new Map<string, string[]>();
      for (const { invoke, complete } of facts.history!.operations()) {
        if (complete?.type !== 'ok') continue;
        if (invoke.f === 'write') added.add(String(invoke.value));
        else if (invoke.f === 'delete' && complete.value !== null && complete.value !== undefined) removed.add(String(complete.value));
        // A read answers a cart, or siblings (a list of carts) that the shop shows merged.
        else if (invoke.f === 'read' && Array.isArray(complete.value) && complete.node !== undefined) finalByNode.set(complete.node, (complete.value as unknown[]).flat().map(String));
      }
      if (finalByNode.size === 0) return { ok: false, error: true, detail: 'cart needs final reads (workload.finalReads: true)' };
      let lost = 0;
      let zombies = 0;
      for (const items of finalByNode.values()) {
        const have = new Set(items);
        lost = Math.max(lost, [...added].filter((x) => !removed.has(x) && !have.has(x)).length);
        zombies = Math.max(zombies, [...removed].filter((x) => have.has(x)).length);
      }
      return {
        ok: lost === 0 && zombies === 0,
        detail: `${added.size} adds, ${removed.size} removes: ${lost} acknowledged adds missing, ${zombies} removed items back`,
        metrics: { adds: added.size, removes: removed.size, lost_adds: lost, zombie_items: zombies },
      };
    },
  },
  goodput: {
    description:
      'operations (of one kind, with f) answered ok per second within [fromMs, toMs) reach min, e.g. after a trigger has passed; or, with minFraction, at least that fraction of the operations invoked in the window were answered ok (served_fraction: a bound that holds at any offered load)',
    params: z
      .object({ name: z.string(), f: z.string().optional(), fromMs: z.number().nonnegative(), toMs: z.number().positive().optional(), min: z.number().nonnegative().optional(), minFraction: z.number().min(0).max(1).optional() })
      .strict()
      .refine((p) => p.min !== undefined || p.minFraction !== undefined, { message: 'min, minFraction or both', path: ['min'] }),
    needsHistory: true,
    produces: (p: { f?: string }) => (p.f === undefined ? ['goodput_per_sec', 'served_fraction'] : [`goodput_${p.f}_per_sec`, `served_${p.f}_fraction`]),
    verdictMetric: (p: { f?: string }) => (p.f === undefined ? 'goodput_per_sec' : `goodput_${p.f}_per_sec`),
    run(facts, p: { f?: string; fromMs: number; toMs?: number; min?: number; minFraction?: number }) {
      const toMs = p.toMs ?? facts.variant.workload.durationMs;
      const from = p.fromMs * NANOS_PER_MS;
      const to = toMs * NANOS_PER_MS;
      const mine = (e: { time: number; f: string }) => e.time >= from && e.time < to && (p.f === undefined || e.f === p.f);
      let ok = 0;
      // Served: the operations invoked in the window that were answered ok (a process runs one operation at a time).
      let invoked = 0;
      let served = 0;
      const invokedAt = new Map<number, number>();
      for (const e of facts.history!.events) {
        if (e.type === 'invoke') {
          invokedAt.set(e.process, e.time);
          if (mine(e)) invoked++;
          continue;
        }
        if (e.type === 'ok' && mine(e)) ok++;
        const at = invokedAt.get(e.process);
        invokedAt.delete(e.process);
        if (e.type === 'ok' && at !== undefined && mine({ time: at, f: e.f })) served++;
      }
      const perSec = Number(((ok * 1000) / (toMs - p.fromMs)).toFixed(2));
      const fraction = invoked === 0 ? 0 : Number((served / invoked).toFixed(4));
      const what = p.f === undefined ? 'ok' : `${p.f} ok`;
      const name = p.f === undefined ? 'goodput_per_sec' : `goodput_${p.f}_per_sec`;
      const fractionName = p.f === undefined ? 'served_fraction' : `served_${p.f}_fraction`;
      const okRate = p.min === undefined || perSec >= p.min;
      const okFraction = p.minFraction === undefined || fraction >= p.minFraction;
      const expected = [p.min !== undefined ? `${perSec} ${what}/s, expected >= ${p.min}` : `${perSec} ${what}/s`, `${served} of ${invoked} invoked answered ok (${fraction})${p.minFraction !== undefined ? `, expected >= ${p.minFraction}` : ''}`];
      return { ok: okRate && okFraction, detail: `between ${p.fromMs} and ${toMs} ms: ${expected.join('; ')}`, metrics: { [name]: perSec, [fractionName]: fraction } };
    },
  },
  atomicity: {
    description: 'no transfer of truth/two-phase-commit is half-applied (committed at one shard, refused or aborted at another) and money is conserved across shards; reports committed, aborted and in-doubt transactions, lock-held and blocked times',
    params: z.object({ name: z.string() }).strict(),
    needsHistory: false,
    produces: () => ['txns_committed', 'txns_aborted', 'txns_in_doubt', 'txns_half_applied', 'money_delta', 'money_owed', 'lock_held_ms_max', 'lock_held_ms_total', 'blocked_ms_max', 'blocked_ms_total', 'refused_locked', 'refused_by_in_doubt'],
    verdictMetric: () => 'txns_half_applied',
    run(facts) {
      const v = facts.variant;
      if (v.system.process !== 'truth/two-phase-commit') return { ok: false, error: true, detail: 'atomicity needs system.process truth/two-phase-commit' };
      const cfg = twoPhaseCommitConfigSchema.parse(v.system.config ?? {});
      return checkAtomicity(facts.described, { endMs: v.workload.durationMs + v.workload.settleMs, inquiryAfterMs: cfg.inquiryAfterMs });
    },
  },
  serializable: {
    description: "the transactions the system recorded (register reads and writes with their values: truth/two-phase-commit's balances) form no dependency cycle, Elle-style over ww/wr/rw edges (realtime: true adds real-time order: strict serializability); the witness cycle in the detail",
    params: z.object({ name: z.string(), realtime: z.boolean().default(false) }).strict(),
    needsHistory: false,
    produces: () => ['serializable', 'txns_checked'],
    verdictMetric: () => 'serializable',
    run(facts, p: { realtime: boolean }) {
      const txns = registerHistory(facts.described);
      if (txns === undefined) return { ok: false, error: true, detail: 'no process recorded transactions (the shard replicas of truth/two-phase-commit describe theirs)' };
      const r = checkTxns(txns, { workload: 'rw-register', realtime: p.realtime });
      const summary = `${r.txns} transactions, ${r.edges.ww} ww, ${r.edges.wr} wr${p.realtime ? `, ${r.edges.realtime} real-time` : ''} edges; consistent with ${r.consistentWith.join(', ') || 'none'}`;
      const metrics = { serializable: r.valid ? 1 : 0, txns_checked: r.txns };
      if (r.valid) return { ok: true, detail: `${r.model}: ${summary}`, metrics };
      if (r.anomalies.length === 0) return { ok: false, unknown: true, detail: `undetermined: the cycle search ran out of budget (${r.incompleteSearches.join(', ')}; ${summary})`, metrics };
      return { ok: false, detail: `not ${r.model}: ${r.anomalyTypes.join(', ')}\n${describeTxnAnomaly(r.anomalies[0])}\n(${summary})`, metrics };
    },
  },
  metric: {
    description:
      'a metric of the run lies within bounds, e.g. { name: metric, metric: ops_fail, max: 0 }; plus adds other metrics of the same run to the bounds, e.g. { name: metric, metric: wait_ms_write_max, max: 250, plus: [wait_ms_read_max] }',
    params: z.object({ name: z.string(), metric: z.string(), min: z.number().optional(), max: z.number().optional(), plus: z.array(z.string()).min(1).optional() }).strict(),
    needsHistory: false,
    // A counter only grows: over its max now, over it at the end. A gauge may come back down.
    failsForGood: (p: { metric: string; min?: number; max?: number; plus?: string[] }, metrics) => p.max !== undefined && p.min === undefined && p.plus === undefined && metrics.isCounter(p.metric),
    produces: () => [],
    verdictMetric: (p: { metric: string }) => p.metric,
    run(facts, p: { metric: string; min?: number; max?: number; plus?: string[] }) {
      const v = facts.flat[p.metric];
      // A bound on a metric nobody reported would hold vacuously (a typo, or a system that does not count it).
      const unknown = [p.metric, ...(p.plus ?? [])].find((m) => facts.flat[m] === undefined);
      if (unknown !== undefined) return { ok: false, error: true, detail: `${unknown} was not reported by this run (known: ${Object.keys(facts.flat).filter((k) => !k.includes('_p9') && !k.includes('_p5')).slice(0, 12).join(', ')}, ...)` };
      const extra = (p.plus ?? []).reduce((sum, m) => sum + facts.flat[m], 0);
      const min = p.min === undefined ? undefined : p.min + extra;
      const max = p.max === undefined ? undefined : p.max + extra;
      const ok = (min === undefined || v >= min) && (max === undefined || v <= max);
      const terms = p.plus === undefined ? '' : ` (${p.plus.map((m) => `${m} ${facts.flat[m]}`).join(' + ')} + ${p.max ?? p.min})`;
      const bounds = [min !== undefined ? `>= ${round4(min)}` : '', max !== undefined ? `<= ${round4(max)}` : ''].filter(Boolean).join(' and ');
      return { ok, detail: `${p.metric} = ${v}, expected ${bounds || 'anything'}${terms}` };
    },
  },
  compare: {
    description:
      "a metric of this run against the same metric (or ofMetric) of another variant run on the same seed: at most maxRatio times it, at least minRatio times it, e.g. { name: compare, metric: fraud_loss_after_drift, of: naive, maxRatio: 0.4 }; seedRatio, the ratio the seeds claim, is set beside the measured one, which the detail says holds it or differs from it",
    params: z
      .object({ name: z.string(), metric: z.string(), of: z.string(), ofMetric: z.string().optional(), maxRatio: z.number().nonnegative().optional(), minRatio: z.number().nonnegative().optional(), seedRatio: z.number().positive().optional() })
      .strict()
      .refine((p) => p.maxRatio !== undefined || p.minRatio !== undefined, { message: 'maxRatio, minRatio or both', path: ['maxRatio'] }),
    needsHistory: false,
    produces: (p: { metric: string; of: string }) => [`${p.metric}_vs_${p.of}`],
    verdictMetric: (p: { metric: string }) => p.metric,
    run(facts, p: { metric: string; of: string; ofMetric?: string; maxRatio?: number; minRatio?: number; seedRatio?: number }) {
      const theirName = p.ofMetric ?? p.metric;
      const mine = facts.flat[p.metric];
      const peer = facts.peers?.get(p.of);
      if (peer === undefined) return { ok: false, error: true, detail: `compare needs variant ${p.of} run on the same seed first` };
      const theirs = peer[theirName];
      if (mine === undefined) return { ok: false, error: true, detail: `${p.metric} was not reported by this run` };
      if (theirs === undefined) return { ok: false, error: true, detail: `${theirName} was not reported by ${p.of}` };
      // Compared as products, not as a quotient: a naive variant that measured 0 is a bound of 0.
      const ok = (p.maxRatio === undefined || mine <= p.maxRatio * theirs) && (p.minRatio === undefined || mine >= p.minRatio * theirs);
      const ratio = theirs === 0 ? (mine === 0 ? '1 (both 0)' : 'unbounded (theirs 0)') : (mine / theirs).toPrecision(3);
      const bounds = [p.minRatio !== undefined ? `>= ${p.minRatio}` : '', p.maxRatio !== undefined ? `<= ${p.maxRatio}` : ''].filter(Boolean).join(' and ');
      const metrics: Record<string, number> = theirs === 0 ? {} : { [`${p.metric}_vs_${p.of}`]: Number((mine / theirs).toPrecision(4)) };
      const claim = p.seedRatio === undefined ? '' : `; ${seedClaimVerdict(theirs === 0 ? undefined : mine / theirs, p.seedRatio)}`;
      return { ok, detail: `${p.metric} = ${mine}, ${p.of}'s ${theirName} = ${theirs}: ratio ${ratio}, expected ${bounds}${claim}`, metrics };
    },
  },
};

/**
 * How far a measured ratio may be from the seeds' and still count as the seeds' figure holding. The
 * seeds' tables give orders of magnitude (1 : 10 : 50 : 200 : 1000), so a factor of two either way.
 */
const seedClaimFactor = 2;

/** "the seeds say 200: measured 2.95 times that, it differs", for a compare check's detail. */
function seedClaimVerdict(measuredRatio: number | undefined, seedRatio: number): string {
  if (measuredRatio === undefined) return `the seeds say ${seedRatio}: no ratio measured (the peer's value is 0)`;
  const times = measuredRatio / seedRatio;
  const holds = times >= 1 / seedClaimFactor && times <= seedClaimFactor;
  return `the seeds say ${seedRatio}: measured ${times.toPrecision(3)} times that, ${holds ? `it holds (within ${seedClaimFactor}x)` : 'it differs'}`;
}

function round4(x: number): number {
  return Number(x.toFixed(4));
}

export function registerChecks(...tables: CheckTable[]): void {
  registerInto(checks, 'checks', tables);
}
