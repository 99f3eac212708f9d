/**
 * The seeds' 5-minute architecture review, automated: each question of its checklist, pillar by
 * pillar, answered pass, warn or fail from a system spec, with the reason read from the spec; then
 * the seeds' pattern-selection advice ("when to use what": load balancer, sharding, replication,
 * consensus, event sourcing, service mesh, chaos engineering) with its numbers, and the failures the
 * seeds and this project's stories show for a few patterns used without their guard.
 *
 * A missing answer to a checklist question fails it (the review asks it of every system); batch vs
 * stream is the exception, since a system may have no work that can wait. Advice only warns.
 */
import { maturityLabel } from '../intelligence/index.js';
import {
  backupPatterns,
  balancerPatterns,
  consistencyMax,
  consistencyModels,
  dataSets,
  pillarNames,
  replicationFactorOf,
  scalerPatterns,
  shardingPatterns,
  type AnyComponent,
  type ConsistencyModel,
  type ControlComponent,
  type IntelligenceComponent,
  type Pillar,
  type SystemSpec,
  type TruthComponent,
} from './spec.js';

export type Verdict = 'pass' | 'warn' | 'fail';

export interface ReviewItem {
  pillar: Pillar;
  /** A question of the seeds' 5-minute review, or a piece of their pattern advice. */
  kind: 'checklist' | 'advice';
  item: string;
  verdict: Verdict;
  reason: string;
}

export interface Review {
  system: string;
  file: string;
  /** fail when any item fails, warn when any warns, pass otherwise. */
  verdict: Verdict;
  counts: Record<Verdict, number>;
  /** The seeds' intelligence maturity ladder, as far as the spec climbs it without a gap. */
  maturity: { level: number; label: string };
  items: ReviewItem[];
}

// The seeds' pattern comparison table ("when to use what").
const loadBalancerUseAboveRequestsPerSec = 1000;
const loadBalancerSkipBelowRequestsPerSec = 100;
const shardingUseAboveGb = 1000;
const shardingSkipBelowGb = 100;
const replicationUseAtUptimePercent = 99.9;
const serviceMeshUseAboveServices = 10;
const chaosUseAboveDowntimeUsdPerHour = 1_000_000;
/** Raft makes every write wait for a majority (two round trips, seeds episode 4): off the path of more than this. */
const consensusPathRequestsPerSecMax = 1000;
/** Copies needed for a majority that survives one failure. */
const replicationFactorMajorityMin = 3;
const hoursPerYear = 8766;

const severity: Record<Verdict, number> = { pass: 0, warn: 1, fail: 2 };
const worst = (vs: Verdict[]): Verdict => vs.reduce<Verdict>((a, b) => (severity[b] > severity[a] ? b : a), 'pass');

interface Finding {
  verdict: Verdict;
  text: string;
}
const pass = (text: string): Finding => ({ verdict: 'pass', text });
const warn = (text: string): Finding => ({ verdict: 'warn', text });
const fail = (text: string): Finding => ({ verdict: 'fail', text });

const num = (x: number, digits = 1) => x.toLocaleString('en-US', { maximumFractionDigits: digits });
const pct = (x: number) => `${num(x, 3)}%`;
const usd = (x: number) => (x >= 1_000_000 ? `$${num(x / 1_000_000)}M` : `$${num(x)}`);
/** The components of a pillar with one of these patterns, by name, typed by their pattern. */
const named = <C extends AnyComponent, P extends C['pattern']>(pillar: Record<string, C>, patterns: readonly P[]): [string, Extract<C, { pattern: P }>][] =>
  Object.entries(pillar).filter((e): e is [string, Extract<C, { pattern: P }>] => (patterns as readonly string[]).includes(e[1].pattern));

/** One advice item judging each of these components, when the spec has any. */
function adviseEach<C>(items: ReviewItem[], pillar: Pillar, item: string, components: [string, C][], judgeOne: (name: string, c: C) => Finding): void {
  if (components.length > 0) items.push(judge(pillar, 'advice', item, components.map(([n, c]) => judgeOne(n, c))));
}

/**
 * One item from its findings: the worst verdict wins. A passing item gives every finding as its
 * reason; otherwise the reason is what did not pass, failures first.
 */
function judge(pillar: Pillar, kind: ReviewItem['kind'], item: string, findings: Finding[]): ReviewItem {
  const verdict = worst(findings.map((f) => f.verdict));
  const shown = verdict === 'pass' ? findings : findings.filter((f) => f.verdict !== 'pass').sort((a, b) => severity[b.verdict] - severity[a.verdict]);
  return { pillar, kind, item, verdict, reason: shown.map((f) => f.text).join('; ') };
}

// ---------------------------------------------------------------------------------------------
// Work

function workItems(s: SystemSpec): ReviewItem[] {
  const rps = s.traffic.requestsPerSecPeak;
  const items: ReviewItem[] = [];
  const balancers = named(s.work, balancerPatterns);
  const gateways = named(s.work, ['api-gateway']);

  const lb: Finding[] = gateways.map(([n, g]) => pass(`${n} routes by ${g.routeBy} to ${g.services.length} services`));
  for (const [n, b] of balancers) {
    if (b.backends === 1) lb.push(warn(`${n}: one backend: nothing to balance, and one point of failure`));
    else if (b.pattern === 'round-robin' || b.pattern === 'random') lb.push(warn(`${n}: ${b.pattern} is blind to load: a short request waits behind a long one as often as not (scenarios/load-balancers.yaml); power-of-two-choices or least-outstanding follow the requests in flight`));
    else lb.push(pass(`${n}: ${b.pattern} over ${b.backends} backends`));
  }
  if (balancers.length === 0) {
    lb.push(
      rps < loadBalancerSkipBelowRequestsPerSec
        ? pass(`no load balancer at ${num(rps)} req/s peak: under the ${loadBalancerSkipBelowRequestsPerSec} req/s below which the seeds do without one`)
        : fail(`no load balancing strategy at ${num(rps)} req/s peak: one server is one point of failure (the seeds use a load balancer above ${num(loadBalancerUseAboveRequestsPerSec)} req/s)`),
    );
  }
  items.push(judge('work', 'checklist', 'load balancing strategy', lb));

  const scalers = named(s.work, scalerPatterns);
  const scaling: Finding[] = [];
  for (const [n, c] of scalers) {
    const range = `${c.minReplicas}..${c.maxReplicas} replicas of ${c.target} at ${num(c.targetUtilizationPercent)}% utilization`;
    if (c.minReplicas === c.maxReplicas) scaling.push(warn(`${n}: minReplicas = maxReplicas = ${c.maxReplicas}: nothing scales`));
    else if (c.pattern === 'predictive' && c.reactiveFloor === 'none') scaling.push(warn(`${n}: predictive with no reactive floor: a forecast cannot see a spike it has never seen, and nothing else adds capacity`));
    else if (c.pattern === 'predictive') scaling.push(pass(`${n}: predictive (${num(c.leadMinutes)} min ahead) over a reactive ${c.reactiveFloor} floor, ${range}`));
    else scaling.push(pass(`${n}: ${c.pattern === 'hpa' ? 'HPA' : 'threshold'} scaling, ${range}`));
  }
  if (scalers.length === 0) scaling.push(fail('no scaling trigger: capacity stays what was provisioned, whatever the load'));
  items.push(judge('work', 'checklist', 'scaling triggers', scaling));

  const async: Finding[] = [];
  for (const [n, c] of Object.entries(s.work)) {
    if (c.pattern === 'queue') {
      if (c.acknowledge === 'on-completion') async.push(warn(`${n}: the caller waits for the queued work to finish, so the queue hides none of its latency (scenarios/ecommerce.yaml: the naive platform fails checkouts in the spike this way)`));
      else async.push(pass(`${n}: stream processing from a queue by ${c.workers} workers, acknowledged once enqueued`));
    }
    if (c.pattern === 'batch') async.push(pass(`${n}: batches of up to ${c.batchSizeMax}, waiting at most ${num(c.waitMsMax)} ms`));
  }
  if (async.length === 0) async.push(warn('no queue or batch: all work runs on the request path, so slow work (payment capture, shipping, email) holds up the request'));
  items.push(judge('work', 'checklist', 'batch vs stream', async));

  if (balancers.length > 0) {
    items.push(
      judge('work', 'advice', 'load balancer', [
        rps < loadBalancerSkipBelowRequestsPerSec
          ? warn(`a load balancer at ${num(rps)} req/s peak: under ${loadBalancerSkipBelowRequestsPerSec} req/s the seeds do without one`)
          : rps > loadBalancerUseAboveRequestsPerSec
            ? pass(`${num(rps)} req/s at peak: above the ${num(loadBalancerUseAboveRequestsPerSec)} req/s where the seeds use one`)
            : pass(`${num(rps)} req/s at peak: between ${loadBalancerSkipBelowRequestsPerSec} and ${num(loadBalancerUseAboveRequestsPerSec)} req/s, where the seeds leave it to judgment`),
      ]),
    );
  }
  return items;
}

// ---------------------------------------------------------------------------------------------
// State

type DataSet = ReturnType<typeof dataSets>[number][1];

function shardsOf(c: DataSet): number {
  return c.pattern === 'replicated' ? 1 : c.shards;
}

function stateItems(s: SystemSpec): ReviewItem[] {
  const items: ReviewItem[] = [];
  const sets = dataSets(s);

  const partitioning: Finding[] = [];
  for (const [n, c] of sets) {
    if (c.pattern === 'replicated') partitioning.push(pass(`${n}: a full copy in ${c.regions.join(', ')}`));
    else if (c.shards === 1) partitioning.push(warn(`${n}: ${c.pattern} over one shard: partitioned in name only`));
    // Moving from n to n + 1 nodes, hash mod n keeps a key in place only if both moduli agree: n/(n+1) move.
    else if (c.pattern === 'hash-mod-n') partitioning.push(warn(`${n}: hash mod n: adding a shard to ${c.shards} moves ${num((100 * c.shards) / (c.shards + 1))}% of the keys; consistent hashing or rendezvous move about 1/n`));
    else partitioning.push(pass(`${n}: ${c.pattern} by ${c.key} over ${c.shards} shards`));
  }
  if (sets.length === 0) partitioning.push(fail('no data sets described: where does the data live?'));
  items.push(judge('state', 'checklist', 'partitioning scheme', partitioning));

  const replication: Finding[] = [];
  for (const [n, c] of sets) {
    const rf = replicationFactorOf(c);
    const how = c.pattern === 'replicated' ? ` (${c.regions.length} region${c.regions.length > 1 ? 's' : ''} x ${c.replicasPerRegion})` : '';
    if (rf === 1) replication.push(fail(`replication factor 1 on ${n}: one disk failure loses it`));
    else if (rf < replicationFactorMajorityMin) replication.push(warn(`replication factor ${rf} on ${n}: it survives one failure but has no majority: a quorum or consensus over 2 copies stops when either does`));
    else replication.push(pass(`${n} ${rf}${how}`));
  }
  if (sets.length === 0) replication.push(fail('no data sets, no copies'));
  const rfItem = judge('state', 'checklist', 'replication factor', replication);
  if (rfItem.verdict === 'pass') rfItem.reason = `${replicationFactorMajorityMin}+ copies of every data set: ${rfItem.reason.replace(/; /g, ', ')}`;
  items.push(rfItem);

  const backups = named(s.state, backupPatterns);
  const backup: Finding[] = [];
  if (backups.length === 0) backup.push(fail('no backups: replicated is not backed up is not recoverable (GitLab 2017: 300 GB deleted, no working backup, 6 hours of data gone)'));
  else {
    const covered = new Set(backups.flatMap(([, b]) => b.of));
    const bare = sets.map(([n]) => n).filter((n) => !covered.has(n));
    if (bare.length > 0) backup.push(fail(`no backup of ${bare.join(', ')}: a replica faithfully copies a bad delete`));
  }
  for (const [n, b] of backups) {
    if (!b.offsite) backup.push(warn(`${n}: kept beside the data: what destroys the data can destroy the backup`));
    if (b.restoreDrillDays === undefined) backup.push(warn(`${n}: never restored: a backup nobody restores may not restore (GitLab 2017: no working backups)`));
    const kind = b.pattern === 'snapshots' ? `snapshots every ${num(b.intervalHours)} h` : `continuous archive (at most ${num(b.lagSecondsMax)} s behind)`;
    backup.push(pass(`${n}: ${kind} of ${b.of.join(', ')}${b.offsite ? ', offsite' : ''}, kept ${num(b.retentionDays)} days${b.restoreDrillDays === undefined ? '' : `, restored every ${num(b.restoreDrillDays)} days`}`));
  }
  items.push(judge('state', 'checklist', 'backup strategy', backup));

  const sharded = sets.filter(([, c]) => shardingPatterns.includes(c.pattern) && shardsOf(c) > 1);
  const sharding: Finding[] = [];
  for (const [n, c] of sharded) {
    const gb = c.sizeGb ?? s.traffic.dataGb;
    const at = c.sizeGb === undefined ? `${n} sharded, with ${num(gb)} GB in the whole system` : `${n} sharded at ${num(gb)} GB`;
    if (gb < shardingSkipBelowGb) sharding.push(warn(`${at}: under the ${shardingSkipBelowGb} GB below which the seeds do not shard; one node holds it, and shards add cross-shard queries and rebalancing`));
    else if (gb > shardingUseAboveGb) sharding.push(pass(`${at}: above the 1 TB where the seeds shard`));
    else sharding.push(pass(`${at}: between ${shardingSkipBelowGb} GB and 1 TB, where the seeds leave it to judgment`));
  }
  if (sharded.length === 0 && s.traffic.dataGb > shardingUseAboveGb) sharding.push(warn(`${num(s.traffic.dataGb)} GB and nothing sharded: above 1 TB the seeds shard`));
  if (sharding.length > 0) items.push(judge('state', 'advice', 'sharding', sharding));

  const uptime = s.traffic.uptimeTargetPercent;
  const downHours = ((100 - uptime) / 100) * hoursPerYear;
  const multiRegion = sets.some(([, c]) => c.pattern === 'replicated' && c.regions.length > 1);
  if (uptime >= replicationUseAtUptimePercent) {
    items.push(
      judge('state', 'advice', 'replication', [
        s.regions.length === 1
          ? warn(`a ${pct(uptime)} target (${num(downHours)} hours down a year) in one region: one regional outage can spend it; the seeds replicate for ${replicationUseAtUptimePercent}% and more`)
          : pass(`a ${pct(uptime)} target (${num(downHours)} hours down a year) served from ${s.regions.length} regions: the seeds replicate for ${replicationUseAtUptimePercent}% and more`),
      ]),
    );
  } else if (multiRegion) {
    items.push(judge('state', 'advice', 'replication', [warn(`copies in several regions for a ${pct(uptime)} target: under ${replicationUseAtUptimePercent}% the seeds find one region OK`)]));
  }
  return items;
}

// ---------------------------------------------------------------------------------------------
// Truth

type TruthOf = Exclude<TruthComponent, { pattern: 'saga' | 'two-phase-commit' }>;

function strongestOf(c: TruthOf): ConsistencyModel {
  return c.pattern === 'event-sourcing' ? 'linearizable' : consistencyMax[c.pattern];
}

const stronger = (a: ConsistencyModel, b: ConsistencyModel) => consistencyModels.indexOf(a) < consistencyModels.indexOf(b);

function truthItems(s: SystemSpec): ReviewItem[] {
  const items: ReviewItem[] = [];
  const sets = new Map(dataSets(s));
  const truths = Object.entries(s.truth).filter((e): e is [string, TruthOf] => e[1].pattern !== 'saga' && e[1].pattern !== 'two-phase-commit');
  const transactions = named(s.truth, ['saga', 'two-phase-commit']);

  const consistency: Finding[] = [];
  const bare = [...sets.keys()].filter((d) => !truths.some(([, t]) => t.of === d));
  if (bare.length > 0) consistency.push(fail(`no consistency model for ${bare.join(', ')}: readers will assume the strongest`));
  for (const [n, t] of truths) {
    const max = strongestOf(t);
    if (stronger(t.consistency, max)) consistency.push(fail(`${n} promises ${t.consistency} reads of ${t.of}, but ${t.pattern} gives at most ${max}`));
    else consistency.push(pass(`${t.of} ${t.consistency} (${n}: ${t.pattern}${t.pattern === 'raft' ? `, ${t.scope}` : ''})`));
  }
  items.push(judge('truth', 'checklist', 'consistency model', consistency));

  const conflicts: Finding[] = [];
  for (const [n, t] of truths) {
    if (t.pattern === 'raft') conflicts.push(pass(`${n}: none arise: one leader orders every write`));
    else if (t.pattern === 'event-sourcing') conflicts.push(pass(`${n}: the ${t.log} log's order decides`));
    else if (t.pattern === 'crdt') conflicts.push(pass(`${n}: merged by the ${t.type}'s join`));
    else if (t.pattern === 'multi-value') conflicts.push(pass(`${n}: siblings kept and merged by the application`));
    else if (t.pattern === 'quorum') conflicts.push(pass(`${n}: concurrent writes ${t.resolve === 'lww' ? 'resolved by last write wins' : 'kept as siblings'}`));
    else if (t.pattern === 'lww' && t.clock === 'wall') conflicts.push(warn(`${n}: last write wins by wall clock: a write from a node whose clock runs behind loses to older writes (scenarios/time-traitors.yaml); a hybrid logical clock keeps causal order`));
    else if (t.pattern === 'lww') conflicts.push(pass(`${n}: last write wins by ${t.clock === 'hlc' ? 'hybrid logical clock' : 'Lamport clock'}`));
    else conflicts.push(fail(`${n}: async primary: after a failover the new primary lacks acknowledged writes and nothing reconciles them (scenarios/ecommerce.yaml: the naive inventory oversells)`));
  }
  if (truths.length === 0) conflicts.push(fail('no conflict resolution stated: concurrent writes meet with no rule'));
  items.push(judge('truth', 'checklist', 'conflict resolution', conflicts));

  const boundaries: Finding[] = [];
  for (const [n, t] of truths) {
    const set = sets.get(t.of)!;
    if (t.pattern !== 'raft' || shardsOf(set) === 1) continue;
    if (t.scope === 'per-partition') boundaries.push(pass(`inside one ${t.of} partition: one Raft write (${n})`));
    if (!transactions.some(([, x]) => x.across.includes(t.of))) boundaries.push(warn(`${t.of} is split over ${shardsOf(set)} partitions and no saga or two-phase commit spans them: a transaction touching two has no boundary`));
  }
  for (const [n, x] of transactions) {
    if (x.pattern === 'saga') {
      const uncompensated = x.steps.slice(0, -1).filter((st) => st.compensation === undefined);
      if (uncompensated.length > 0) boundaries.push(fail(`${n}: step ${uncompensated.map((st) => st.name).join(', ')} has no compensation: a failure after it leaves it done`));
      else boundaries.push(pass(`across ${x.across.join(', ')}: saga ${n} (${x.steps.length} steps, each undone by its compensation if a later one fails)`));
    } else if ((x.regions?.length ?? 0) > 1) {
      boundaries.push(warn(`${n}: two-phase commit across regions ${x.regions!.join(', ')}: a coordinator that fails leaves every participant holding its locks (the seeds: 2PC tolerates no failure; same datacenter)`));
    } else boundaries.push(pass(`across ${x.across.join(', ')}: two-phase commit ${n}`));
  }
  if (boundaries.length === 0) boundaries.push(warn('no transaction boundaries stated: which writes must happen together?'));
  items.push(judge('truth', 'checklist', 'transaction boundaries', boundaries));

  const consensus: Finding[] = [];
  for (const [n, t] of truths) {
    if (t.pattern !== 'raft') continue;
    const set = sets.get(t.of)!;
    const rf = replicationFactorOf(set);
    if (t.consistency === 'eventual') consensus.push(warn(`${n}: Raft for data read as eventually consistent: the seeds' "don't use" case (high complexity, $$$)`));
    if (rf > 2 && rf % 2 === 0) consensus.push(warn(`${n}: Raft over ${rf} copies tolerates ${rf / 2 - 1} failure${rf / 2 - 1 === 1 ? '' : 's'}, as ${rf - 1} would; use an odd number (the seeds' answer to split brain)`));
    if (t.writesPerSecPeak === undefined) continue;
    const groups = t.scope === 'per-partition' ? shardsOf(set) : 1;
    const perGroup = t.writesPerSecPeak / groups;
    const spread = groups > 1 ? ` (${num(t.writesPerSecPeak)} over ${groups} partitions)` : '';
    if (perGroup > consensusPathRequestsPerSecMax) consensus.push(warn(`${n}: ${num(perGroup)} writes/s through one Raft group at peak${spread}: every write waits for a majority; above ${num(consensusPathRequestsPerSecMax)} req/s partition the groups or keep consensus off the hot path`));
    else consensus.push(pass(`${n}: ${num(perGroup)} writes/s per Raft group at peak${spread}, under ${num(consensusPathRequestsPerSecMax)}`));
  }
  if (consensus.length > 0) items.push(judge('truth', 'advice', 'consensus', consensus));

  adviseEach(items, 'truth', 'event sourcing', named(s.truth, ['event-sourcing']), (n, t) =>
    t.auditTrail ? pass(`${n}: keeps the audit trail the seeds use it for`) : warn(`${n}: event sourcing with no audit trail to keep: the seeds' "simple CRUD" case (high complexity, $$$)`),
  );
  return items;
}

// ---------------------------------------------------------------------------------------------
// Control

function controlItems(s: SystemSpec): ReviewItem[] {
  const items: ReviewItem[] = [];
  const of = <P extends ControlComponent['pattern']>(...patterns: P[]) => named(s.control, patterns);

  const health: Finding[] = [];
  for (const [n, c] of of('heartbeat', 'phi-accrual', 'outlier-ejection', 'health-endpoint')) {
    if (c.pattern === 'heartbeat') health.push(pass(`${n}: heartbeats every ${num(c.intervalMs)} ms, suspected after ${c.missedMax} missed`));
    if (c.pattern === 'phi-accrual') health.push(pass(`${n}: phi accrual on ${num(c.intervalMs)} ms heartbeats, suspected at phi ${num(c.phiThreshold)}`));
    if (c.pattern === 'outlier-ejection') health.push(pass(`${n}: outlier ejection after ${c.consecutiveErrors} errors in a row on real traffic, at most ${num(c.ejectionPercentMax)}% ejected`));
    if (c.pattern === 'health-endpoint') health.push(pass(`${n}: health endpoints every ${num(c.intervalMs)} ms`));
  }
  if (health.length === 0) health.push(fail('no health checks: a dead server keeps its share of the requests'));
  else if (of('heartbeat', 'phi-accrual', 'outlier-ejection').length === 0) health.push(warn('health endpoints only: a gray node answers its health check while it fails requests; judge servers on real traffic too (outlier ejection)'));
  items.push(judge('control', 'checklist', 'health checks', health));

  const deploy: Finding[] = [];
  for (const [n, c] of of('all-at-once', 'rolling', 'canary', 'blue-green')) {
    if (c.pattern === 'all-at-once') deploy.push(fail(`${n}: all at once: a bad release reaches every server before anyone sees it fail`));
    if (!c.versionCheck) deploy.push(warn(`${n}: no version check: a node that missed the deploy keeps the old code (Knight Capital 2012: 7 of 8 servers updated, $440M in 45 minutes)`));
    const how = c.pattern === 'canary' ? `canary (${num(c.canaryPercent)}% first, baked ${num(c.bakeMinutes)} min, then the rest)` : c.pattern === 'rolling' ? `rolling, ${c.batchSize} at a time, baked ${num(c.bakeMinutes)} min` : c.pattern === 'blue-green' ? `blue-green, baked ${num(c.bakeMinutes)} min` : 'all at once';
    if (c.pattern !== 'all-at-once') deploy.push(pass(`${n}: ${how}${c.versionCheck ? "; every node's version checked" : ''}`));
  }
  if (deploy.length === 0) deploy.push(fail('no deployment strategy: every release goes everywhere at once'));
  items.push(judge('control', 'checklist', 'deployment strategy', deploy));

  const rollback: Finding[] = [];
  for (const [n, c] of of('slo-rollback', 'manual-rollback')) {
    if (c.pattern === 'slo-rollback') rollback.push(pass(`${n}: automatic when a release's error rate passes ${num(c.errorRatePercentMax)}% within ${num(c.withinMinutes)} minutes`));
    else rollback.push(warn(`${n}: manual: a person decides at 3 AM (Knight Capital took 45 minutes to stop)`));
  }
  if (rollback.length === 0) rollback.push(fail('no rollback plan: a bad release stays until a fix is written'));
  items.push(judge('control', 'checklist', 'rollback plan', rollback));

  const kill: Finding[] = [];
  for (const [n, c] of of('kill-switch')) {
    if (c.scope === 'node') kill.push(warn(`${n}: per node: stopping the fleet means reaching every node`));
    if (c.store === 'single') kill.push(warn(`${n}: on one flag server: the day you throw it may be the day it is down, and workers that cannot read it carry on (scenarios/kill-switch.yaml)`));
    if (c.store === 'local') kill.push(warn(`${n}: in each node's own config: throwing it means a deploy to every node`));
    kill.push(pass(`${n}: ${c.scope}-wide, in the ${c.store === 'raft-kv' ? 'Raft KV' : c.store === 'single' ? 'flag server' : 'local config'}, polled every ${num(c.pollMs)} ms${c.failClosedMs === undefined ? '' : `, fail-closed after ${num(c.failClosedMs / 1000)} s unread`}`));
  }
  if (kill.length === 0) kill.push(fail('no kill switch: "your automation will betray you at 3 AM; the only question is whether you built the kill switch" (Knight Capital: $440M in 45 minutes)'));
  items.push(judge('control', 'checklist', 'kill switch', kill));

  const services = new Set(Object.values(s.work).flatMap((c) => (c.pattern === 'api-gateway' ? c.services : [])));
  const mesh = of('service-mesh');
  if (mesh.length > 0) {
    items.push(
      judge('control', 'advice', 'service mesh', [
        services.size > serviceMeshUseAboveServices
          ? pass(`a service mesh over ${services.size} services: above the ${serviceMeshUseAboveServices} where the seeds use one`)
          : warn(`a service mesh over ${services.size} services (the gateways' routes): the seeds use one above ${serviceMeshUseAboveServices} (high complexity, $$$)`),
      ]),
    );
  } else if (services.size > serviceMeshUseAboveServices) {
    items.push(judge('control', 'advice', 'service mesh', [warn(`${services.size} services and no service mesh: above ${serviceMeshUseAboveServices} the seeds use one`)]));
  }

  adviseEach(items, 'control', 'circuit breakers', of('circuit-breaker'), (n, c) =>
    c.jitter ? pass(`${n}: a breaker per ${c.per}, reopening with jitter`) : warn(`${n}: breakers without jitter reopen together and retry together (the seeds' thundering herd; scenarios/synchronized-breakers.yaml)`),
  );

  const guards = of('scaling-guards');
  adviseEach(items, 'control', 'autoscaling guards', named(s.work, scalerPatterns), (n) => {
    const g = guards.find(([, c]) => c.guards === n);
    if (g === undefined) return warn(`${n}: an autoscaler with no guards: scaling that creates more load triggers more scaling (the seeds' runaway automation; scenarios/runaway-autoscaling.yaml)`);
    const [gn, c] = g;
    return pass(`${n} held by ${gn}: at most ${c.maxStep} replicas a step, ${num(c.cooldownMs / 1000)} s cooldown${c.flapBudget ? `, ${c.flapBudget.changes} reversals per ${num(c.flapBudget.windowMs / 60_000)} min` : ''}`);
  });
  return items;
}

// ---------------------------------------------------------------------------------------------
// Intelligence

function intelligenceItems(s: SystemSpec): ReviewItem[] {
  const items: ReviewItem[] = [];
  const of = <P extends IntelligenceComponent['pattern']>(...patterns: P[]) => named(s.intelligence, patterns);

  const recovery: Finding[] = [];
  for (const [n, c] of of('supervisor')) {
    if (c.actionsPerSec === undefined && c.repairsInFlightMax === undefined) recovery.push(warn(`${n}: repairs with no rate limit: copying everything at once starves live nodes, which then look dead and are restarted empty (scenarios/self-healing.yaml)`));
    if (c.downFractionMax === undefined) recovery.push(warn(`${n}: no fleet guard: when a partition makes half the fleet look down, it acts on all of it`));
    const brakes = [c.actionsPerSec === undefined ? '' : `${num(c.actionsPerSec)} actions/s`, c.repairsInFlightMax === undefined ? '' : `${c.repairsInFlightMax} repairs in flight`, c.downFractionMax === undefined ? '' : `holds when ${num(100 * c.downFractionMax)}% of the fleet looks down`].filter((x) => x !== '');
    recovery.push(pass(`${n}: a supervisor restarts, re-replicates and drains${brakes.length ? `, at most ${brakes.join(', ')}` : ''}`));
  }
  if (recovery.length === 0) recovery.push(fail('no auto-recovery: every failure waits for a person'));
  items.push(judge('intelligence', 'checklist', 'auto-recovery', recovery));

  const anomaly: Finding[] = [];
  for (const [n, c] of of('anomaly-detection')) {
    if (c.detector === 'static-threshold') anomaly.push(warn(`${n}: a static threshold: too many false alarms, or too late (the seeds: ML anomaly detection for "too many false alarms")`));
    else anomaly.push(pass(`${n}: the ${c.detector} detector on ${c.metrics.join(', ')}`));
  }
  if (anomaly.length === 0) anomaly.push(fail('no anomaly detection: trouble is found by customers'));
  items.push(judge('intelligence', 'checklist', 'anomaly detection', anomaly));

  const learning: Finding[] = [];
  for (const [n, c] of of('post-mortems')) {
    if (!c.blameless) learning.push(warn(`${n}: not blameless: people hide what they did, and the cause with it`));
    if (!c.actionItemsTracked) learning.push(warn(`${n}: action items not tracked: findings without owners are not fixed`));
    learning.push(pass(`${n}: ${c.blameless ? 'blameless ' : ''}post-mortems in ${c.incidentLog}${c.actionItemsTracked ? ', action items tracked' : ''}`));
  }
  for (const [n, c] of of('chaos-engineering')) learning.push(pass(`${n}: failures injected in ${c.scope} every ${num(c.everyDays)} days`));
  if (learning.length === 0) learning.push(fail('no learning from failures: the same incident will happen again'));
  items.push(judge('intelligence', 'checklist', 'learning from failures', learning));

  const cost = s.traffic.downtimeCostUsdPerHour;
  const chaos = of('chaos-engineering');
  if (chaos.length > 0 || cost > chaosUseAboveDowntimeUsdPerHour) {
    items.push(
      judge('intelligence', 'advice', 'chaos engineering', [
        chaos.length === 0
          ? warn(`${usd(cost)} an hour down and no chaos engineering: above ${usd(chaosUseAboveDowntimeUsdPerHour)}/hour the seeds break things on purpose`)
          : cost > chaosUseAboveDowntimeUsdPerHour
            ? pass(`${usd(cost)} an hour down: above the ${usd(chaosUseAboveDowntimeUsdPerHour)}/hour where the seeds use it`)
            : warn(`chaos engineering at ${usd(cost)} an hour down: the seeds keep it for systems whose downtime costs more than ${usd(chaosUseAboveDowntimeUsdPerHour)}/hour`),
      ]),
    );
  }

  const scoring = of('edge-scoring');
  if (scoring.length > 0) {
    const guard: Finding[] = [];
    for (const [n, c] of scoring) {
      if (c.guard === 'none') guard.push(warn(`${n}: the model serves unguarded: when the world drifts from what it learned, it stays wrong until someone notices (scenarios/model-drift.yaml)`));
      else if (c.fallback === undefined) guard.push(warn(`${n}: an ML circuit breaker with no fallback: when it opens, nothing scores`));
      else guard.push(pass(`${n}: an ML circuit breaker serves ${c.fallback} when the model's accuracy falls${c.accuracyPercentMin === undefined ? '' : ` under ${num(c.accuracyPercentMin)}%`}`));
      if (c.driftDetection === 'none') guard.push(warn(`${n}: no drift detection: the inputs change before the labels say so`));
      else guard.push(pass(`${n}: ${c.driftDetection} watches its inputs for drift`));
    }
    items.push(judge('intelligence', 'advice', 'model guards', guard));
  }
  adviseEach(items, 'intelligence', 'feedback loops', of('central-coordination'), (n, c) =>
    c.feedbackGuard === 'none'
      ? warn(`${n}: central decisions with no feedback-loop guard: a model can make the world it predicts (scenarios/flash-crash.yaml)`)
      : pass(`${n}: the feedback-loop detector watches it${c.changePercentMax === undefined ? '' : `; at most ${num(c.changePercentMax)}% a step`}`),
  );
  return items;
}

/** How far up the seeds' maturity ladder the spec's intelligence reaches, without skipping a rung. */
export function maturityOf(s: SystemSpec): number {
  const work = Object.values(s.work);
  const intel = Object.values(s.intelligence);
  const rungs = [
    intel.some((c) => c.pattern === 'anomaly-detection'),
    work.some((c) => c.pattern === 'hpa' || c.pattern === 'threshold' || (c.pattern === 'predictive' && c.reactiveFloor !== 'none')),
    work.some((c) => c.pattern === 'predictive'),
    intel.some((c) => c.pattern === 'supervisor'),
    intel.some((c) => c.pattern === 'post-mortems' && c.actionItemsTracked),
  ];
  const gap = rungs.indexOf(false);
  return gap === -1 ? rungs.length : gap;
}

export function reviewSystem(s: SystemSpec): Review {
  const byPillar: Record<Pillar, (s: SystemSpec) => ReviewItem[]> = { work: workItems, state: stateItems, truth: truthItems, control: controlItems, intelligence: intelligenceItems };
  const items = pillarNames.flatMap((p) => byPillar[p](s));
  const counts: Record<Verdict, number> = { pass: 0, warn: 0, fail: 0 };
  for (const i of items) counts[i.verdict]++;
  const level = maturityOf(s);
  return { system: s.name, file: s.file, verdict: worst(items.map((i) => i.verdict)), counts, maturity: { level, label: maturityLabel(level) }, items };
}

const GREEN = '\x1b[32m', YELLOW = '\x1b[33m', RED = '\x1b[31m', DIM = '\x1b[2m', BOLD = '\x1b[1m', RESET = '\x1b[0m';
const verdictColour: Record<Verdict, string> = { pass: GREEN, warn: YELLOW, fail: RED };
const pillarTitles: Record<Pillar, string> = {
  work: 'Work: distribute load before it kills you',
  state: 'State: data that refuses to die',
  truth: 'Truth: getting liars to agree',
  control: 'Control: automation will betray you; build the kill switch',
  intelligence: 'Intelligence: systems that learn, adapt and heal',
};

/** The review as the terminal shows it: grouped by pillar, the checklist first, then the advice. */
export function formatReview(r: Review, opts: { color?: boolean } = {}): string {
  const paint = (code: string, s: string) => (opts.color ? code + s + RESET : s);
  const width = Math.max(...r.items.map((i) => i.item.length + (i.kind === 'advice' ? 'advice: '.length : 0)));
  const out = [paint(BOLD, `${r.system}: the 5-minute architecture review of ${r.file}`)];
  for (const p of pillarNames) {
    out.push('', paint(BOLD, pillarTitles[p]));
    for (const i of r.items.filter((x) => x.pillar === p)) {
      const label = (i.kind === 'advice' ? 'advice: ' : '') + i.item;
      out.push(`  ${paint(verdictColour[i.verdict], i.verdict.padEnd(4))}  ${(i.kind === 'advice' ? paint(DIM, label) : label) + ' '.repeat(width - label.length)}  ${i.reason}`);
    }
  }
  const summary = `${r.counts.pass} pass, ${r.counts.warn} warn, ${r.counts.fail} fail; intelligence maturity ${r.maturity.label}`;
  out.push('', `${paint(BOLD + verdictColour[r.verdict], r.verdict.toUpperCase())}: ${summary}`);
  return out.join('\n');
}
