/**
 * The system spec: a whole system described by its five pillars, the seeds' "pillar assessment
 * framework" as a file (examples/ecommerce.yaml is the seeds' e-commerce platform; copy it for your
 * own system). `pillars review` reads it and answers the seeds' 5-minute architecture review;
 * `pillars demo` simulates the platform it describes.
 *
 * A spec has a name, the regions it runs in, its traffic (the inputs to the seeds' "when to use what"
 * table: peak requests per second, data size, what an hour of downtime costs), and exactly the five
 * pillars. Each pillar is a mapping of named components, each with a `pattern` from that pillar's
 * known list and the fields that pattern needs. A missing pillar is an error, an empty one (`{}`) is
 * not: it says "we have nothing here" on purpose, and the review will say what that costs.
 *
 * Pattern names are the ones this project implements, and the comments say where. Patterns the
 * project has no implementation of yet (a saga, event sourcing, a service mesh) are still known
 * names, so that a spec can say what a system uses.
 *
 * Nothing here reads the disk (the CLI does). Every mistake is one ScenarioError naming the file,
 * the path of the field and what was expected, as for scenario files.
 */
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ScenarioError, formatPath } from '../scenario/load.js';
import { detectorCatalogue } from '../intelligence/index.js';

export const pillarNames = ['work', 'state', 'truth', 'control', 'intelligence'] as const;
export type Pillar = (typeof pillarNames)[number];

const text = z.string().min(1);
const count = z.number().int().min(1);
const ms = z.number().positive();
const percent = z.number().gt(0).max(100);
const names = z.array(text).min(1);
/** Every component may say in words what it does (the seeds' e-commerce listing is such words). */
const component = <S extends z.ZodRawShape>(shape: S) => z.object({ description: z.string().optional(), ...shape }).strict();

// ---------------------------------------------------------------------------------------------
// Work: distribute load before it kills you.

/** Balancers, each in src/work/balance (round-robin.ts, power-of-choices.ts, maglev.ts, ...). */
export const balancerPatterns = ['round-robin', 'random', 'least-outstanding', 'weighted-round-robin', 'power-of-two-choices', 'peak-ewma', 'consistent-hash', 'maglev'] as const;
/** Reactive and predictive autoscalers, in src/intelligence/scaling. */
export const scalerPatterns = ['hpa', 'threshold', 'predictive'] as const;

const balancer = component({
  /** How many instances the balancer spreads requests over. */
  backends: count,
});
const scaler = {
  /** The work component whose instances this scales (a balancer's pool or a queue's workers). */
  target: text,
  minReplicas: count,
  maxReplicas: count,
  targetUtilizationPercent: percent,
};

export const workPatterns = {
  /** Routes each request to its service (src/platform/ecommerce/gateway.ts: one gateway per region). */
  'api-gateway': component({ routeBy: z.enum(['service', 'path', 'tenant']), services: names, regions: names.optional() }),
  ...(Object.fromEntries(balancerPatterns.map((p) => [p, balancer])) as Record<(typeof balancerPatterns)[number], typeof balancer>),
  /**
   * Asynchronous work from a queue, processed as it arrives (stream): src/work/queue-server.ts (M/M/c).
   * `acknowledge: on-enqueue` answers the caller once the task is recorded, not once it is done.
   */
  queue: component({ workers: count, acknowledge: z.enum(['on-enqueue', 'on-completion']), depthMax: count.optional() }),
  /** Work gathered and processed in batches: src/work/batch/batcher.ts. */
  batch: component({ batchSizeMax: count, waitMsMax: ms }),
  /** Idle workers take queued tasks from busy ones: src/work/executors/work-stealing.ts. */
  'work-stealing': component({ workers: count }),
  /** A second request after a delay, the first answer wins: src/work/hedge/hedge.ts. */
  'hedged-requests': component({ afterPercentile: z.number().gt(0).lt(100) }),
  /** Kubernetes' HPA: replicas = ceil(current * utilization / target), src/intelligence/scaling/hpa.ts. */
  hpa: component(scaler),
  /** Add or remove a step of replicas past thresholds: src/intelligence/scaling/threshold-scaler.ts. */
  threshold: component(scaler),
  /**
   * Capacity running before a forecast peak (Holt-Winters): src/intelligence/scaling/predictive-scaler.ts.
   * `reactiveFloor` is the scaler that sees the load that does arrive; the replica count is the
   * larger of the two, so a wrong forecast cannot take capacity away (as AWS predictive scaling does).
   */
  predictive: component({ ...scaler, reactiveFloor: z.enum(['hpa', 'threshold', 'none']), leadMinutes: z.number().positive() }),
};

// ---------------------------------------------------------------------------------------------
// State: data that refuses to die.

/** Partitioners, each in src/state/partition/partitioners.ts (names as their `name` fields). */
export const partitionPatterns = ['hash-mod-n', 'consistent-hash', 'rendezvous', 'range', 'geographic', 'time', 'bounded-load'] as const;
/** Partitioners that exist to spread data evenly (sharding for size and load), as opposed to placing it by where or when it belongs. */
export const shardingPatterns: readonly string[] = ['hash-mod-n', 'consistent-hash', 'rendezvous', 'range', 'bounded-load'];

const dataSet = {
  /** How many copies of each item (for `replicated`, regions x replicasPerRegion). */
  replicationFactor: count,
  /** Size of the data set, for the seeds' sharding advice (> 1 TB shard, < 100 GB do not). */
  sizeGb: z.number().nonnegative().optional(),
};
const partitioned = component({
  /** The field a partition is chosen by (user_id, warehouse_id, ...). */
  key: text,
  shards: count,
  ...dataSet,
  regions: names.optional(),
});
const backup = {
  /** The data sets it covers. */
  of: names,
  retentionDays: z.number().positive(),
  /** Kept away from the data (another region or account), so whatever destroys the data does not destroy the backup. */
  offsite: z.boolean(),
  /** How often a restore is actually tried; absent: never (GitLab 2017: five backup mechanisms, none restored). */
  restoreDrillDays: z.number().positive().optional(),
};

export const statePatterns = {
  ...(Object.fromEntries(partitionPatterns.map((p) => [p, partitioned])) as Record<(typeof partitionPatterns)[number], typeof partitioned>),
  /**
   * A full copy in every listed region, reads served in the region (src/platform/ecommerce/catalog.ts:
   * a catalog replica per region; src/systems/state/lww-replicas.ts).
   */
  replicated: component({ regions: names, replicasPerRegion: count, sizeGb: dataSet.sizeGb }),
  /** Periodic snapshots (src/truth/raft/storage.ts snapshots a Raft log the same way). */
  snapshots: component({ ...backup, intervalHours: z.number().positive() }),
  /** Snapshots plus the write-ahead log shipped continuously: restore to any point in time. */
  'continuous-archive': component({ ...backup, lagSecondsMax: z.number().positive() }),
};
export const backupPatterns = ['snapshots', 'continuous-archive'] as const;

// ---------------------------------------------------------------------------------------------
// Truth: getting liars to agree.

/** The consistency models a data set can promise, strongest first. */
export const consistencyModels = ['linearizable', 'sequential', 'causal', 'read-your-writes', 'eventual'] as const;
export type ConsistencyModel = (typeof consistencyModels)[number];

const truthOf = {
  /** The data set (a state component) whose truth this is. */
  of: text,
  consistency: z.enum(consistencyModels),
  /** Writes per second at peak, for the seeds' advice on consensus under load. */
  writesPerSecPeak: z.number().nonnegative().optional(),
};
const transaction = {
  /** The data sets one transaction spans. */
  across: z.array(text).min(2),
};

export const truthPatterns = {
  /**
   * Consensus (src/truth/raft, the Raft KV in src/truth/raft/host.ts): a leader orders every write and
   * a majority stores it. `per-partition`: one group per partition of the data set (the single
   * source of truth per warehouse); `single`: one group for all of it.
   */
  raft: component({ ...truthOf, scope: z.enum(['per-partition', 'single']) }),
  /** Dynamo-style R + W > N quorums (src/state/replication/quorum-store.ts); concurrent writes resolved by `resolve`. */
  quorum: component({ ...truthOf, resolve: z.enum(['lww', 'siblings']) }),
  /** One primary, replicas copied asynchronously (src/truth/async-primary.ts): the naive platform's inventory. */
  'async-primary': component(truthOf),
  /** State as an append-only log of events, read through projections (no implementation here yet). */
  'event-sourcing': component({ ...truthOf, log: z.enum(['raft', 'single-writer']), projections: names, auditTrail: z.boolean() }),
  /** Replicas merge concurrent updates by a CRDT's join (src/state/crdt: counters, sets, registers, OR-map). */
  crdt: component({ ...truthOf, type: z.enum(['g-counter', 'pn-counter', 'or-set', 'lww-register', 'mv-register', 'or-map']) }),
  /** Last write wins by a timestamp (src/systems/state/lww-replicas.ts; HLC in src/state/causality/hlc.ts). */
  lww: component({ ...truthOf, clock: z.enum(['wall', 'hlc', 'lamport']) }),
  /** Concurrent versions kept as siblings and merged by the application (src/systems/state/cart-replicas.ts). */
  'multi-value': component(truthOf),
  /** A transaction as steps, each undone by a compensation if a later one fails (no implementation here yet). */
  saga: component({ ...transaction, steps: z.array(z.object({ name: text, compensation: text.optional() }).strict()).min(2) }),
  /** Two-phase commit: a coordinator holds locks on every participant until all vote (no implementation here yet). */
  'two-phase-commit': component({ ...transaction, regions: names.optional() }),
};
/** The strongest consistency each truth pattern can give the data it holds. */
export const consistencyMax: Readonly<Record<string, ConsistencyModel>> = {
  raft: 'linearizable',
  // Sloppy quorums, read repair and concurrent writers make Dynamo-style quorums weaker than
  // linearizable (see the quorum-staleness story); R + W > N alone gives a read its own write.
  quorum: 'read-your-writes',
  // A failover promotes a replica that missed acknowledged writes.
  'async-primary': 'eventual',
  crdt: 'causal',
  lww: 'eventual',
  'multi-value': 'causal',
};

// ---------------------------------------------------------------------------------------------
// Control: automation will betray you; build the kill switch.

export const healthPatterns: readonly string[] = ['heartbeat', 'phi-accrual', 'outlier-ejection', 'health-endpoint'];
export const deployPatterns = ['all-at-once', 'rolling', 'canary', 'blue-green'] as const;
const deploy = {
  bakeMinutes: z.number().positive(),
  /** Ask every node which version it runs and redeploy the ones that differ (the check Knight Capital lacked). */
  versionCheck: z.boolean(),
};

export const controlPatterns = {
  /** src/control/breaker: a breaker `per` server, service or dependency; `jitter` spreads their reopening. */
  'circuit-breaker': component({ per: z.enum(['server', 'service', 'dependency']), trip: z.enum(['consecutive-failures', 'count-window', 'time-window']), openMs: ms, jitter: z.boolean() }),
  /** src/control/rate-limiter.ts (token bucket, sliding window). */
  'rate-limiter': component({ algorithm: z.enum(['token-bucket', 'sliding-window']), per: z.enum(['client', 'api-key', 'global']), requestsPerSec: z.number().positive() }),
  /** src/control/adaptive-limit.ts (AIMD, gradient). */
  'adaptive-concurrency': component({ algorithm: z.enum(['aimd', 'gradient']) }),
  /** src/control/bulkhead.ts. */
  bulkhead: component({ concurrencyMax: count }),
  /** src/control/retry: exponential backoff with jitter and a retry budget. */
  retry: component({ attemptsMax: count, budgetPercent: percent }),
  /** Runaway guards around an autoscaler (src/intelligence/scaling/guards.ts): step, cooldown, flap budget. */
  'scaling-guards': component({ guards: text, maxStep: count, cooldownMs: ms, flapBudget: z.object({ changes: count, windowMs: ms }).strict().optional() }),
  /** src/control/detect/heartbeat.ts: a node missing `missedMax` beats is suspected. */
  heartbeat: component({ intervalMs: ms, missedMax: count }),
  /** src/control/detect/phi-accrual.ts (Hayashibara et al. 2004): suspicion grows with the silence, on the node's own rhythm. */
  'phi-accrual': component({ intervalMs: ms, phiThreshold: z.number().positive() }),
  /** src/control/detect/outlier-ejection.ts (Envoy): judged on real traffic, so a gray node is caught too. */
  'outlier-ejection': component({ consecutiveErrors: count, ejectionPercentMax: percent }),
  /** src/control/detect/health.ts: liveness and readiness endpoints. */
  'health-endpoint': component({ intervalMs: ms }),
  /** Deploy strategies, each in src/systems/control/deploy-controller.ts. */
  'all-at-once': component(deploy),
  rolling: component({ ...deploy, batchSize: count }),
  canary: component({ ...deploy, canaryPercent: percent }),
  'blue-green': component(deploy),
  /** Roll back by itself when the new version breaks its SLO (the deploy controller's SLO check). */
  'slo-rollback': component({ errorRatePercentMax: percent, withinMinutes: z.number().positive() }),
  /** A person decides and runs the rollback. */
  'manual-rollback': component({ runbook: text }),
  /**
   * src/control/kill-switch.ts and src/systems/control/kill-fleet.ts: a flag every worker polls.
   * `store: raft-kv` keeps it where a majority agrees (it can be thrown while a node is down);
   * `single` on one flag server; `local` in each node's own config.
   */
  'kill-switch': component({ scope: z.enum(['cluster', 'service', 'node']), store: z.enum(['raft-kv', 'single', 'local']), pollMs: ms, failClosedMs: ms.optional() }),
  /** Sidecar proxies between services (no implementation here). */
  'service-mesh': component({}),
};
export const rollbackPatterns: readonly string[] = ['slo-rollback', 'manual-rollback'];

// ---------------------------------------------------------------------------------------------
// Intelligence: systems that learn, adapt and heal.

/** The anomaly detectors of src/intelligence/anomaly/catalogue.ts, and the static threshold they are measured against. */
export const anomalyDetectors: [string, ...string[]] = ['static-threshold', ...Object.keys(detectorCatalogue)];

export const intelligencePatterns = {
  /** Computed ahead of the request and served from a cache, with a fallback when the cache misses. */
  'precomputed-cache': component({ refreshMinutes: z.number().positive(), fallback: text }),
  /**
   * A model scoring requests where they enter (src/platform/ecommerce/fraud.ts at the gateways).
   * `guard: ml-circuit-breaker` (src/intelligence/guards/ml-circuit-breaker.ts) serves `fallback`
   * when the model's accuracy falls; `driftDetection` watches its inputs
   * (src/intelligence/guards/population-stability.ts, kolmogorov-smirnov.ts).
   */
  'edge-scoring': component({
    at: text,
    guard: z.enum(['ml-circuit-breaker', 'none']),
    fallback: text.optional(),
    accuracyPercentMin: percent.optional(),
    driftDetection: z.enum(['population-stability', 'kolmogorov-smirnov', 'none']),
  }),
  /**
   * Decisions computed centrally and sent out (the platform's central price updates). `feedbackGuard`:
   * src/intelligence/guards/feedback-loop-detector.ts, which stops a model that is making the world
   * it predicts (the flash-crash story); `changePercentMax` bounds one step.
   */
  'central-coordination': component({ region: text, everyMinutes: z.number().positive(), changePercentMax: percent.optional(), feedbackGuard: z.enum(['feedback-loop-detector', 'none']) }),
  /**
   * Auto-recovery (src/intelligence/healing/supervisor.ts): restart, re-replicate, drain. Its brakes:
   * `actionsPerSec` (a token bucket), `repairsInFlightMax`, and `downFractionMax` (hold when too much
   * of the fleet looks down at once: the detector is likelier wrong than the fleet dead).
   */
  supervisor: component({ actionsPerSec: z.number().positive().optional(), repairsInFlightMax: count.optional(), downFractionMax: z.number().gt(0).max(1).optional() }),
  /** Detectors on metric streams (src/intelligence/anomaly), by catalogue name. */
  'anomaly-detection': component({ detector: z.enum(anomalyDetectors), metrics: names }),
  /** Learning from failures: an incident log and post-mortems whose action items are tracked. */
  'post-mortems': component({ blameless: z.boolean(), actionItemsTracked: z.boolean(), incidentLog: text }),
  /** Failures injected on purpose (this project's nemesis schedules: the `faults` of a scenario). */
  'chaos-engineering': component({ everyDays: z.number().positive(), scope: z.enum(['staging', 'production']) }),
};

// ---------------------------------------------------------------------------------------------
// The spec.

export const patternsByPillar = { work: workPatterns, state: statePatterns, truth: truthPatterns, control: controlPatterns, intelligence: intelligencePatterns } as const;

/** The pattern names a pillar knows, in declaration order. */
export function knownPatterns(pillar: Pillar): string[] {
  return Object.keys(patternsByPillar[pillar]);
}

type Components<M extends Record<string, z.ZodType>> = { [P in keyof M & string]: { pattern: P } & z.output<M[P]> }[keyof M & string];
export type WorkComponent = Components<typeof workPatterns>;
export type StateComponent = Components<typeof statePatterns>;
export type TruthComponent = Components<typeof truthPatterns>;
export type ControlComponent = Components<typeof controlPatterns>;
export type IntelligenceComponent = Components<typeof intelligencePatterns>;
export type AnyComponent = WorkComponent | StateComponent | TruthComponent | ControlComponent | IntelligenceComponent;

export const trafficSchema = z
  .object({
    /** Requests per second at the busiest hour (the seeds: a load balancer above 1000, none below 100). */
    requestsPerSecPeak: z.number().nonnegative(),
    /** All the system's data (the seeds: shard above 1 TB, not below 100 GB). */
    dataGb: z.number().nonnegative(),
    /** What an hour down costs (the seeds: chaos engineering above $1M/hour). */
    downtimeCostUsdPerHour: z.number().nonnegative(),
    /** The availability promised (the seeds: replication for 99.9% and more). */
    uptimeTargetPercent: z.number().gt(0).lt(100),
  })
  .strict();

const topSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'a name of letters, digits, _ . -'),
    description: z.string().optional(),
    regions: z.array(z.string().regex(/^[A-Za-z0-9_-]+$/, 'a region name of letters, digits, _ -')).min(1),
    traffic: trafficSchema,
    ...Object.fromEntries(pillarNames.map((p) => [p, z.record(z.string(), z.unknown())])),
  })
  .strict();

export interface SystemSpec {
  file: string;
  name: string;
  description: string | undefined;
  regions: string[];
  traffic: z.output<typeof trafficSchema>;
  /** Each pillar's components by name, in file order. */
  work: Record<string, WorkComponent>;
  state: Record<string, StateComponent>;
  truth: Record<string, TruthComponent>;
  control: Record<string, ControlComponent>;
  intelligence: Record<string, IntelligenceComponent>;
}

type Path = (string | number)[];

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The first issue of a failed zod parse as (path, expectation), as the scenario loader words them. */
function firstIssue(error: z.ZodError, prefix: Path): { path: Path; message: string } {
  const issue = error.issues[0];
  const path = [...prefix, ...(issue.path as Path)];
  if (issue.code === 'unrecognized_keys') {
    const key = (issue as { keys: string[] }).keys[0];
    return { path: [...path, key], message: `unknown field "${key}"` };
  }
  let message = issue.message.replace(/^Invalid input: /, '').replace(/^Invalid option: /, '').replace(/, received /, ', got ');
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) message = message.replace(/, got undefined$/, ' (missing)');
  return { path, message };
}

/** Parse and validate a system spec; every mistake is one ScenarioError naming the file and the field. */
export function parseSystemSpec(source: string, file: string): SystemSpec {
  const doc = parseDocument(source, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0];
    throw new ScenarioError(file, pos ? `line ${pos.line}, column ${pos.col}` : '', `valid YAML (${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')})`);
  }
  return validateSystemSpec(doc.toJS() as unknown, file);
}

/** Validate a spec already read (from YAML, JSON or code). */
export function validateSystemSpec(raw: unknown, file: string): SystemSpec {
  const fail = (path: Path, expected: string): never => {
    throw new ScenarioError(file, formatPath(path), expected);
  };
  if (!isObject(raw)) fail([], `a mapping with name, regions, traffic and the five pillars (${pillarNames.join(', ')})`);
  const top = raw as Record<string, unknown>;
  for (const p of pillarNames) {
    if (!(p in top)) fail([p], `the ${p} pillar (missing): a mapping of named components, each with a pattern, one of ${knownPatterns(p).join(', ')} (write ${p}: {} for none)`);
  }
  const parsed = topSchema.safeParse(top);
  if (!parsed.success) {
    const i = firstIssue(parsed.error, []);
    fail(i.path, i.message);
  }
  const base = parsed.data!;
  const spec = { file, name: base.name, description: base.description, regions: base.regions, traffic: base.traffic } as SystemSpec;
  for (const p of pillarNames) {
    const known = patternsByPillar[p] as Record<string, z.ZodType>;
    const out: Record<string, AnyComponent> = {};
    for (const [name, value] of Object.entries(top[p] as Record<string, unknown>)) {
      const expectedPattern = `one of ${Object.keys(known).join(', ')}`;
      if (!isObject(value)) fail([p, name], `a mapping with a pattern, ${expectedPattern}`);
      const { pattern, ...fields } = value as Record<string, unknown>;
      if (pattern === undefined) fail([p, name, 'pattern'], `${expectedPattern} (missing)`);
      if (typeof pattern !== 'string' || !Object.hasOwn(known, pattern)) fail([p, name, 'pattern'], `${expectedPattern} (got ${JSON.stringify(pattern)})`);
      const r = known[pattern as string].safeParse(fields);
      if (!r.success) {
        const i = firstIssue(r.error, [p, name]);
        fail(i.path, i.message);
      }
      out[name] = { pattern, ...(r.data as object) } as AnyComponent;
    }
    (spec as unknown as Record<Pillar, Record<string, AnyComponent>>)[p] = out;
  }
  validateReferences(spec, fail);
  return spec;
}

/** The state components that hold data (not backups). */
export function dataSets(spec: SystemSpec): [string, Exclude<StateComponent, { pattern: 'snapshots' | 'continuous-archive' }>][] {
  return Object.entries(spec.state).filter((e): e is [string, Exclude<StateComponent, { pattern: 'snapshots' | 'continuous-archive' }>] => !(backupPatterns as readonly string[]).includes(e[1].pattern));
}

/** Copies of each item of a data set. */
export function replicationFactorOf(c: ReturnType<typeof dataSets>[number][1]): number {
  return c.pattern === 'replicated' ? c.regions.length * c.replicasPerRegion : c.replicationFactor;
}

/** What a schema cannot say: names that must refer to other components, regions that must be declared. */
function validateReferences(spec: SystemSpec, fail: (path: Path, expected: string) => never): void {
  const list = (xs: string[]) => xs.join(', ') || '(none)';
  const regions = (path: Path, rs: string[] | undefined) =>
    rs?.forEach((r, i) => {
      if (!spec.regions.includes(r)) fail([...path, i], `one of the regions (${list(spec.regions)}), got "${r}"`);
    });
  const refer = (path: Path, name: string, what: string, candidates: string[]) => {
    if (!candidates.includes(name)) fail(path, `${what}: one of ${list(candidates)} (got "${name}")`);
  };
  const work = (pred: (c: WorkComponent) => boolean) => Object.entries(spec.work).filter(([, c]) => pred(c)).map(([n]) => n);
  const pools = work((c) => (balancerPatterns as readonly string[]).includes(c.pattern) || c.pattern === 'queue' || c.pattern === 'work-stealing');
  const scalers = work((c) => (scalerPatterns as readonly string[]).includes(c.pattern));
  const gateways = work((c) => c.pattern === 'api-gateway');
  const sets = dataSets(spec).map(([n]) => n);

  for (const [n, c] of Object.entries(spec.work)) {
    if (c.pattern === 'api-gateway') regions(['work', n, 'regions'], c.regions);
    if (c.pattern === 'hpa' || c.pattern === 'threshold' || c.pattern === 'predictive') {
      refer(['work', n, 'target'], c.target, 'a work component with instances to scale (a balancer, queue or work-stealing pool)', pools);
      if (c.minReplicas > c.maxReplicas) fail(['work', n, 'minReplicas'], `at most maxReplicas (${c.maxReplicas}), got ${c.minReplicas}`);
    }
  }
  for (const [n, c] of Object.entries(spec.state)) {
    if (c.pattern === 'snapshots' || c.pattern === 'continuous-archive') c.of.forEach((d, i) => refer(['state', n, 'of', i], d, 'a data set of the state pillar', sets));
    else regions(['state', n, 'regions'], c.regions);
  }
  for (const [n, c] of Object.entries(spec.truth)) {
    if (c.pattern === 'saga' || c.pattern === 'two-phase-commit') {
      c.across.forEach((d, i) => refer(['truth', n, 'across', i], d, 'a data set of the state pillar', sets));
      if (c.pattern === 'two-phase-commit') regions(['truth', n, 'regions'], c.regions);
    } else refer(['truth', n, 'of'], c.of, 'a data set of the state pillar', sets);
  }
  for (const [n, c] of Object.entries(spec.control)) {
    if (c.pattern === 'scaling-guards') refer(['control', n, 'guards'], c.guards, 'a scaler of the work pillar', scalers);
  }
  for (const [n, c] of Object.entries(spec.intelligence)) {
    if (c.pattern === 'edge-scoring') refer(['intelligence', n, 'at'], c.at, 'an api-gateway of the work pillar', gateways);
    if (c.pattern === 'central-coordination') refer(['intelligence', n, 'region'], c.region, 'a region', spec.regions);
  }
}
