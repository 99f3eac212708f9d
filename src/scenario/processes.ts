/**
 * The systems a scenario can put under test, by name. Each entry validates its own config, so a
 * mistake in `system.config` is reported with its path like any other schema error.
 */
import { z } from 'zod';
import type { ProcessFactory } from '../runtime/context.js';
import { balancedPool, balancedPoolConfigSchema, batchingProxy, batchingProxyConfigSchema, executor, executorConfigSchema, lockWorkers, sharedStore, sharedStoreConfigSchema, lockWorkersConfigSchema, queueServer, queueServerConfigSchema } from '../work/index.js';
import { backendPool, backendPoolConfigSchema, breakerFleet, breakerFleetConfigSchema, deployment, deployConfigSchema, killFleet, killFleetConfigSchema, chainedService, chainedServiceConfigSchema, orderFlow, orderFlowConfigSchema } from '../control/index.js';
import { floodConfigSchema, floodOnce, gossipConfigSchema, gossipUntilAcked, lwwReplicas, lwwReplicasConfigSchema, partitionedStore, partitionedStoreConfigSchema, cartReplicas, cartReplicasConfigSchema, rangeShards, rangeShardsConfigSchema, quorumStore, quorumStoreConfigSchema } from '../state/index.js';
import { autoscaledService, autoscaledServiceConfigSchema } from '../intelligence/scaling/autoscaled-service.js';
import { modelServing, modelServingConfigSchema } from '../intelligence/models/model-serving.js';
import { market, marketConfigSchema } from '../intelligence/markets/market.js';
import { ecommercePlatform, platformConfigSchema } from '../platform/ecommerce/platform.js';
import { netflixPlay, netflixPlayConfigSchema } from '../platform/netflix/index.js';
import { asyncPrimaryConfigSchema, asyncPrimaryKv, lockedCounter, lockedCounterConfigSchema, naiveBank, naiveBankConfigSchema, raftKv, raftKvConfigSchema, sagaPayment, sagaPaymentConfigSchema, pbftKv, pbftKvConfigSchema, raftLiar, raftLiarConfigSchema, commitWaitTxns, commitWaitConfigSchema, eventSourcing, eventSourcingConfigSchema, twoPhaseCommit, twoPhaseCommitConfigSchema } from '../truth/index.js';
import { storageCluster, storageClusterConfigSchema } from '../intelligence/index.js';
import { pillarOf } from '../platform/netflix/index.js';
import { realRaftDefaults } from '../node/kv-node.js';
import { orderStatuses } from '../truth/events/projection.js';
import { paymentFlowCatalog } from '../truth/saga/payment-flow.js';
import { hist, per, type MetricDecl, type MetricScope } from './metric-catalog.js';

export interface ProcessEntry {
  description: string;
  config: z.ZodType;
  factory: ProcessFactory<any>;
  /**
   * Every metric the process's nodes record (counters, gauges; a histogram as its flat _count, _mean,
   * _p50, ... names via hist()), given its parsed config and the variant: names built from the config
   * or the node names are listed exactly. A check, metrics.show or metrics.chart naming anything else
   * is refused at load time. A new metric in the process's code must be added here.
   */
  metrics(config: any, scope: MetricScope): readonly MetricDecl[];
}

/** The operations a variant's workload sends (by weight or by script). */
function workloadOps(scope: MetricScope): string[] {
  const w = scope.variant.workload;
  const ops = Object.entries(w.ops ?? {}).filter(([, weight]) => (weight ?? 0) > 0).map(([f]) => f);
  for (const step of w.script ?? []) ops.push(step.f);
  return [...new Set(ops)];
}

/** work/queue-server; `ops` are the operations its jobs arrive as (wait_ms_<f>). */
function queueServerMetrics(ops: readonly string[]): MetricDecl[] {
  return ['jobs_done', 'jobs_waited', 'jobs_started', 'jobs_started_waited', 'wait_ms_total', 'jobs_rejected', 'jobs_shed', 'queue_depth', ...hist('service_ms', 'wait_ms', ...per('wait_ms_', ops))];
}

/** A node of truth/raft-kv (alone, or inside a larger system). */
const RAFT_METRICS: MetricDecl[] = ['raft_leaders_elected', 'raft_snapshots', 'raft_repairs_started', 'raft_repairs_done', ...hist('wal_fsync_ms', 'wal_entries_per_sync')];
const ASYNC_PRIMARY_METRICS: MetricDecl[] = ['promotions', 'resyncs'];
const BREAKER_STATES = ['open', 'half-open', 'closed'];
const BYZANTINE_METRICS: MetricDecl[] = ['byzantine_dropped', 'byzantine_equivocations', 'byzantine_lies'];
/** What PBFT replicas send each other (bft_msgs_<type>; replies go to clients and are not counted). */
const PBFT_MESSAGES = ['request', 'pre_prepare', 'prepare', 'commit', 'checkpoint', 'view_change', 'new_view', 'fetch_state', 'state'];

/** A state/quorum-store over `nodes`: read repair, sloppy quorums and hinted handoff, anti-entropy, as configured. */
function quorumStoreMetrics(c: { readRepair: boolean; sloppyQuorum: boolean; handoffMs?: number; antiEntropyMs?: number }, nodes: readonly string[]): MetricDecl[] {
  return [
    ...(c.readRepair ? ['read_repairs'] : []),
    ...(c.sloppyQuorum ? ['hinted_writes'] : []),
    ...(c.sloppyQuorum && c.handoffMs !== undefined ? ['hints_delivered'] : []),
    ...(c.antiEntropyMs !== undefined ? ['anti_entropy_rounds', 'anti_entropy_repairs', ...per('divergent_buckets_', nodes)] : []),
  ];
}

export const processes: Record<string, ProcessEntry> = {
  'work/queue-server': {
    description: 'c workers behind one FIFO queue (M/M/c when arrivals are Poisson and service exponential)',
    config: queueServerConfigSchema,
    factory: queueServer,
    metrics: (_c, scope) => queueServerMetrics(workloadOps(scope)),
  },
  'work/balanced-pool': {
    description: 'a balancer (round robin, random, least outstanding, p2c, peak EWMA, modulo, consistent hash, bounded loads, maglev) in front of queue servers',
    config: balancedPoolConfigSchema,
    factory: balancedPool,
    metrics: (c: { balancer: string }, scope) => [...per('requests_to_', scope.servers.filter((n) => n !== c.balancer)), ...queueServerMetrics(workloadOps(scope))],
  },
  'work/lock-workers': {
    description: 'workers taking two locks each in their own order from a lock server; optional deadlock detection and lock timeouts',
    config: lockWorkersConfigSchema,
    factory: lockWorkers,
    metrics: () => ['jobs_done', 'jobs_aborted', 'deadlocks_broken', 'lock_timeouts'],
  },
  'work/batching-proxy': {
    description: 'a proxy that sends requests to a database one per call or in batches (by size and time window)',
    config: batchingProxyConfigSchema,
    factory: batchingProxy,
    metrics: () => ['db_calls', 'round_trips', ...hist('batch_size')],
  },
  'work/executor': {
    description: 'workers fed from one shared FIFO, per-worker queues, or per-worker deques with work stealing; optional long internal tasks',
    config: executorConfigSchema,
    factory: executor,
    metrics: () => ['tasks_stolen', 'long_tasks_done', ...hist('wait_ms')],
  },
  'work/shared-store': {
    description: 'fetchers keeping n requests in flight (in phases, optionally behind a fixed or adaptive limit) against a store whose rate follows the USL',
    config: sharedStoreConfigSchema,
    factory: sharedStore,
    metrics: (c: { phases: { concurrency: number }[]; limit?: unknown }) => ['fetches_done', 'store_in_flight', ...(c.limit === undefined ? [] : ['concurrency_limit']), ...c.phases.map((p) => `throughput_n${p.concurrency}`)],
  },
  'state/flood-once': {
    description: 'broadcast: tell every peer once, never retry',
    config: floodConfigSchema,
    factory: floodOnce,
    metrics: () => hist('delivery_ms'),
  },
  'truth/raft-kv': {
    description: 'a key-value store replicated by Raft (pre-vote, check-quorum, ReadIndex reads, fsync before acknowledging)',
    config: raftKvConfigSchema,
    factory: raftKv,
    metrics: () => RAFT_METRICS,
  },
  'truth/raft-kv-real-node': {
    description: "truth/raft-kv with the real node's Raft settings (realRaftDefaults of src/node/kv-node.ts, by reference); system.config overrides them",
    config: z.preprocess((c) => ({ ...realRaftDefaults, ...(typeof c === 'object' && c !== null ? c : {}) }), raftKvConfigSchema),
    factory: raftKv,
    metrics: () => RAFT_METRICS,
  },
  'truth/async-primary': {
    description: 'a primary with asynchronous replicas and timeout failover; optionally a lease lock with fencing tokens',
    config: asyncPrimaryConfigSchema,
    factory: asyncPrimaryKv,
    metrics: () => ASYNC_PRIMARY_METRICS,
  },
  'truth/naive-bank': {
    description: 'ATMs that read, check, then debit a shared ledger in separate steps (the ATM race)',
    config: naiveBankConfigSchema,
    factory: naiveBank,
    metrics: () => [],
  },
  'truth/locked-counter': {
    description: 'workers increment counters in shared storage under a lease lock; the storage checks fencing tokens (or not)',
    config: lockedCounterConfigSchema,
    factory: lockedCounter,
    metrics: () => ['lock_grants', 'writes_fenced', 'pauses_after_check'],
  },
  'truth/pbft-kv': {
    description: 'a key-value store replicated by PBFT (n = 3f + 1 replicas: pre-prepare, prepare, commit; checkpoints; view changes; modelled MACs and signatures); other nodes are PBFT clients waiting for f + 1 matching replies; Byzantine replicas on schedule',
    config: pbftKvConfigSchema,
    factory: pbftKv,
    metrics: () => [
      'replica_messages',
      'agreement_messages',
      ...per('bft_msgs_', PBFT_MESSAGES),
      ...['auth_failures', 'future_dropped', 'equivocations_seen', 'committed_local', 'safety_violations', 'executed', 'stable_checkpoints', 'bad_state_transfers', 'state_transfers'].map((k) => `bft_${k}`),
      ...['view_changes_started', 'view_changes_rejected', 'new_views_sent', 'new_views_rejected', 'views_entered', 'client_broadcasts', 'client_replies_outvoted'].map((k) => `bft_${k}`),
      ...BYZANTINE_METRICS,
    ],
  },
  'truth/raft-liar': {
    description: 'the Raft KV with Byzantine nodes on schedule: a wrapper rewrites what they send (a leader sending different entries to different followers, a candidate claiming a longer log, silence)',
    config: raftLiarConfigSchema,
    factory: raftLiar,
    metrics: () => [...RAFT_METRICS, 'replica_messages', 'agreement_messages', 'raft_panics', ...BYZANTINE_METRICS],
  },
  'truth/saga-payment': {
    description: 'the payment flow as a saga (reserve inventory, charge card, ship): orchestrated by a coordinator with a durable log, or choreographed by events through outboxes; optional compensations and idempotency keys',
    config: sagaPaymentConfigSchema,
    factory: sagaPayment,
    metrics: () => [
      ...['orders_placed', 'sagas_completed', 'sagas_compensated', 'sagas_failed', 'sagas_resumed'],
      ...['step_retries', 'steps_given_up', 'duplicates_absorbed', 'compensations_run', 'compensations_before_step', 'event_resends'],
      ...Object.values(paymentFlowCatalog).flatMap((svc) => svc.actions.flatMap((op) => [`applied_${op}`, `refused_${op}`])),
    ],
  },
  'truth/commit-wait': {
    description: 'Spanner-style read-write transactions over shard leaders: two-phase commit, TrueTime intervals, commit timestamps at TT.now().latest and (or not) commit wait until TT.after(s); an app server runs causal pairs and counts timestamp inversions',
    config: commitWaitConfigSchema,
    factory: commitWaitTxns,
    metrics: () => ['pairs', 'pairs_timed_out', 'inversions', 'inversion_rate', 'txns_committed', ...hist('epsilon_ms', 'commit_wait_ms', 'txn_commit_ms', 'lock_hold_ms', 'txn_latency_ms', 'inversion_ms')],
  },
  'truth/event-sourcing': {
    description: 'orders changed concurrently by checkout, payments, shipping and support on a Raft KV: status records read, modified and written back (naive), or events appended to one log with a conditional append and a read model (projections, snapshots, rebuilds) serving the queries (CQRS)',
    config: eventSourcingConfigSchema,
    factory: eventSourcing,
    metrics: () => [
      ...RAFT_METRICS,
      ...['commands_ok', 'commands_refused', 'commands_failed', 'commands_unknown', 'commands_failed_contention', 'commands_refused_late', 'append_conflicts'],
      ...per('acked_', orderStatuses),
      ...per('orders_', orderStatuses),
      ...['acked_events_verified', 'acked_unverified', 'events_breaking_rules', 'log_events', 'lost_updates', 'refunded_and_shipped', 'duplicate_events', 'queries_served'],
      ...['rebuilds', 'rebuild_mismatches', 'rebuild_events', 'rebuild_ms', 'rebuilds_abandoned', 'snapshot_tail_checks', 'snapshot_tail_mismatches', 'snapshot_tail_events', 'snapshots_written'],
      ...['projection_restored_position', 'read_model_position', 'recovery_ms', 'recovery_tail_events'],
      ...hist('command_ms', 'read_model_lag_events', 'read_model_lag_ms', 'projection_apply_lag_ms'),
    ],
  },
  'truth/two-phase-commit': {
    description: "transfers across Raft-replicated shards by two-phase commit (per-key locks at prepare, votes, commit or abort, in-doubt shards asking); coordinators each alone with decisions on their own disk (blocking), or one Raft group whose log holds every transaction record (a new leader finishes what a crashed one left)",
    config: twoPhaseCommitConfigSchema,
    factory: twoPhaseCommit,
    metrics: () => [
      ...RAFT_METRICS,
      ...['txns_begun', 'txns_recovered', 'votes_yes', 'votes_no_locked', 'votes_no_funds', 'votes_no_aborted', 'commit_decisions', 'abort_decisions'],
      ...['prepare_resends', 'prepare_timeouts', 'decision_resends', 'inquiries_sent', 'presumed_aborts', ...hist('decision_ms')],
    ],
  },
  'control/order-flow': {
    description: 'order routers and a market-access gateway with optional release check, rate, budget and manual kill switches (Knight Capital)',
    config: orderFlowConfigSchema,
    factory: orderFlow,
    metrics: () => ['orders_filled', 'orders_refused', 'stopped_at_ms', 'unintended_shares', 'loss_usd', 'time_to_stop_ms', 'loss_per_minute_usd'],
  },
  'control/chained-service': {
    description: 'services A -> B -> C -> D with request-thread pools; optional timeout, breaker and bulkhead on each downstream call (the cascade)',
    config: chainedServiceConfigSchema,
    factory: chainedService,
    metrics: (_c, scope) => ['calls_failed_fast', 'calls_timed_out', 'requests_refused', ...per('threads_exhausted_', scope.servers), ...per('threads_busy_max_', scope.servers)],
  },
  'control/backend-pool': {
    description: 'a round-robin balancer and backends with heartbeats; heartbeat or phi accrual detection, optional latency outlier ejection (gray failure)',
    config: backendPoolConfigSchema,
    factory: backendPool,
    metrics: (c: { balancer: string }, scope) => ['ejections', 'suspected_picks', ...per('requests_to_', scope.servers.filter((n) => n !== c.balancer))],
  },
  'control/breaker-fleet': {
    description: 'callers with circuit breakers in front of one backend that is cold after a restart (synchronized breakers)',
    config: breakerFleetConfigSchema,
    factory: breakerFleet,
    metrics: () => ['backend_served', 'backend_refused', 'backend_fell_over', 'calls_refused_by_breaker', 'probes', 'probes_ok', 'probes_failed', ...per('breakers_to_', BREAKER_STATES)],
  },
  'control/deployment': {
    description: 'a platform that routes to app servers and deploys versions: all-at-once, rolling, canary, blue-green; SLO rollback; version-drift repair',
    config: deployConfigSchema,
    factory: deployment,
    metrics: (c: { initialVersion: string; versions: Record<string, unknown>; deploy?: { version: string } }) => {
      const versions = [...new Set([c.initialVersion, ...Object.keys(c.versions), ...(c.deploy === undefined ? [] : [c.deploy.version])])];
      return [
        ...['deploy_finished_at_ms', 'node_upgrades', 'requests_served_off_version', 'rollback_at_ms', 'rolled_back', 'traffic_flips', 'upgrade_timeouts', 'version_drift_found'],
        ...per('nodes_started_on_', versions),
        ...per('requests_on_', versions),
      ];
    },
  },
  'control/kill-fleet': {
    description: 'workers behind kill switches that poll a flag kept on one server or in a Raft KV; optional fail-closed',
    config: killFleetConfigSchema,
    factory: killFleet,
    metrics: () => [...RAFT_METRICS, 'kill_switch_reads_failed', 'last_work_ms', 'work_done'],
  },
  'state/lww-replicas': {
    description: 'replicas that accept writes anywhere and settle conflicts by wall-clock LWW, HLC LWW, or version vectors (siblings)',
    config: lwwReplicasConfigSchema,
    factory: lwwReplicas,
    metrics: () => ['writes_acked', 'newer_writes_dropped', 'siblings_returned'],
  },
  'state/partitioned-store': {
    description: 'a key-value store partitioned by hash mod n, consistent hashing or rendezvous hashing; a node joins and keys move',
    config: partitionedStoreConfigSchema,
    factory: partitionedStore,
    metrics: () => ['keys_at_join', 'keys_moved'],
  },
  'state/cart-replicas': {
    description: 'shopping-cart replicas settling concurrent updates by LWW, multi-value siblings (Dynamo), or an OR-Set',
    config: cartReplicasConfigSchema,
    factory: cartReplicas,
    metrics: () => hist('siblings'),
  },
  'state/range-shards': {
    description: 'a router over range shards (queue servers); optional load-based splitting of the hottest range',
    config: rangeShardsConfigSchema,
    factory: rangeShards,
    metrics: (c: { router: string }, scope) => ['range_splits', ...per('requests_to_', scope.servers.filter((n) => n !== c.router)), ...queueServerMetrics(workloadOps(scope))],
  },
  'state/quorum-store': {
    description: 'a Dynamo-style store: preference lists on a ring, N replicas, writes wait for W, reads for R; read repair',
    config: quorumStoreConfigSchema,
    factory: quorumStore,
    metrics: (c, scope) => quorumStoreMetrics(c, scope.servers),
  },
  'intelligence/model-serving': {
    description: 'a world sending feature-carrying requests and delayed labels to a model server: one model, an ML circuit breaker with fallback and retraining, or an ensemble; optional PSI/KS drift monitors',
    config: modelServingConfigSchema,
    factory: modelServing,
    metrics: () => [
      ...['maturity_level', 'requests', 'requests_unanswered', 'requests_after_shift', 'requests_to_detect', 'detected_after_ms', 'retrains'],
      ...['error_before_pct', 'error_after_pct', 'error_after_restore_pct', 'bad_decisions', 'bad_decisions_before', 'served_by_fallback', 'model_restored', 'fallback_ms'],
      ...['drift_requests_to_detect', 'drift_false_alarm', 'drift_detected_after_ms', 'psi_at_detect', 'ks_p_at_detect', 'single_error_after_pct', 'members_failing_after', 'member_failures'],
    ],
  },
  'intelligence/market': {
    description: 'an exchange, momentum and herding trading agents and one large seller (the 2010 flash crash); optional feedback-loop halt and market-wide circuit breaker',
    config: marketConfigSchema,
    factory: market,
    metrics: () => [
      ...['maturity_level', 'price', 'price_start', 'price_low', 'price_end', 'price_at_halt', 'recovered_pct', 'fall_pct', 'fall_points', 'fall_duration_ms'],
      ...['halts', 'halts_before_order', 'halted_ms', 'time_to_halt_ms', 'acted_correlation_at_halt', 'holdout_correlation_at_halt', 'z_at_halt', 'orders_refused', 'contracts_sold', 'agent_stop_sells'],
    ],
  },
  'intelligence/autoscaled-service': {
    description: 'a frontend and an autoscaler (threshold, Kubernetes HPA or predictive, with runaway guards) sizing a pool of app nodes that boot and warm up, optionally on a shared database',
    config: autoscaledServiceConfigSchema,
    factory: autoscaledService,
    metrics: () => [
      ...['maturity_level', 'requests_failed', 'requests_slow', 'requests_rejected', 'scale_ups', 'scale_downs', 'replicas', 'replicas_max', 'ready_max', 'node_hours', 'cost_usd'],
      ...['slo_violation_minutes', 'spike_slo_violation_minutes', 'spike_nodes_needed', 'spike_ready_at_start', 'capacity_lead_ms', 'forecast_error_pct', 'forecast_led_decisions', 'held_by_guards', 'direction_changes'],
      // the frontend times requests itself (the workload is a script of no steps)
      ...hist('db_wait_ms', 'latency_ms'),
    ],
  },
  'intelligence/storage-cluster': {
    description: 'a replicated storage cluster (K shards, RF replicas) behind a master that detects failures by heartbeats and runs a self-healing supervisor (acts, or only alerts)',
    config: storageClusterConfigSchema,
    factory: storageCluster,
    metrics: () => [
      ...['maturity_level', 'requests_failed', 'requests_timed_out', 'copies_started', 'copies_made', 'copies_failed', 'copies_in_flight_max', 'nodes_declared_dead', 'restarts_sent', 'give_ups', 'drains'],
      ...['supervisor_holds', 'supervisor_deferred', 'alerts_raised', 'time_to_full_replication_ms', 'replication_restored', 'under_replicated_shards', 'under_replicated_shards_max', 'unavailable_shards', 'shards_lost'],
      ...['nodes_wrongly_declared_dead', 'restarts_of_live_nodes'],
    ],
  },
  'platform/ecommerce': {
    description: "the seeds' e-commerce platform on all five pillars: gateways per region, app servers, a catalog per region, inventory per warehouse (Raft or async primary), fulfilment, fraud scoring at the edge",
    config: platformConfigSchema,
    factory: ecommercePlatform,
    metrics: (c: { regions: Record<string, unknown>; inventoryStore: string; serverBreakers: boolean; fraud: { guard?: string } }) => {
      const regions = Object.keys(c.regions);
      return [
        ...['orders_acked', 'orders_acked_total', 'checkouts_failed', 'declined', 'false_declines', 'server_errors', 'sold_out', 'stock_load_failed', 'server_ejections', 'rollbacks'],
        ...['browse_ok', 'browse_fail', ...per('browse_ok_', regions), ...per('browse_fail_', regions), 'partition_browse_ok', 'partition_browse_fail', 'spike_checkouts_ok', 'spike_checkouts_failed'],
        ...['fraud_approved', 'fraud_loss_usd', 'fraud_loss_after_drift_usd', 'fraud_loss_after_reaction_usd', 'fraud_scored_by_fallback'],
        // the ML circuit breaker in front of the fraud model, and the breakers in front of the app servers
        ...(c.fraud.guard === 'ml-circuit-breaker' ? ['fraud_fallback_at_ms', ...per('fraud_model_', BREAKER_STATES.map((x) => x.replace('-', '_'))), ...per('fraud_rules_in_charge_', regions), ...per('fraud_guard_reacted_after_ms_', regions)] : []),
        ...(c.serverBreakers ? per('breakers_open_', regions) : []),
        ...['oversold_units', 'acked_orders_lost', 'units_sold_recorded', 'audit_incomplete'],
        ...hist('catalog_staleness_ms', 'spike_checkout_ms'),
        // fulfilment is a work/queue-server fed jobs by the app servers; inventory is Raft or an async primary
        ...queueServerMetrics(['job']),
        ...(c.inventoryStore === 'raft' ? RAFT_METRICS : ASYNC_PRIMARY_METRICS),
      ];
    },
  },
  'platform/netflix-play': {
    description: "Netflix's play path under a 200 ms budget: Zuul, playback API servers calling viewing history (replicated store), the licence server (entitlements on Raft), personalised artwork (computed or precomputed into a cache) and Open Connect steering, in sequence or in parallel, with or without Hystrix-style commands",
    config: netflixPlayConfigSchema,
    factory: netflixPlay,
    metrics: (c: { steering: { appliances: { node: string }[] }; viewingHistory: { replicas: string[] } }) => {
      const dependencies = Object.keys(pillarOf);
      const pillars = [...new Set(Object.values(pillarOf))];
      return [
        ...['plays', 'plays_started', 'plays_failed', 'plays_refused', 'plays_within_budget', 'plays_default_artwork', 'plays_from_start_history_unavailable'],
        ...['', 'incident_', 'calm_'].map((prefix) => `${prefix}plays_within_budget_pct`),
        ...['budget_ms', ...['work', ...pillars].map((p) => `${p}_budget_ms`), 'artwork_personalised_pct', 'artwork_precomputed_profiles'],
        ...dependencies.flatMap((d) => ['timeouts', 'errors', 'short_circuited', 'fallbacks', 'breaker_opened'].map((k) => `${d}_${k}`)),
        ...['artwork_cache_hits', 'artwork_cache_misses', 'licences_refused', 'cancellations', 'licences_after_cancellation', 'entitlement_checks_failed', 'steered_isp', 'steered_ixp'],
        ...per('streams_max_', c.steering.appliances.map((a) => a.node)),
        ...hist('play_ms', 'work_ms', 'incident_play_ms', 'artwork_compute_ms', ...pillars.map((p) => `${p}_ms`)),
        // entitlements live on Raft; viewing history in a quorum store with its defaults
        ...RAFT_METRICS,
        ...quorumStoreMetrics(quorumStoreConfigSchema.parse({ n: c.viewingHistory.replicas.length }), c.viewingHistory.replicas),
      ];
    },
  },
  'state/gossip': {
    description: 'broadcast: resend unacknowledged values to each peer, batched, until acked',
    config: gossipConfigSchema,
    factory: gossipUntilAcked,
    metrics: () => hist('delivery_ms'),
  },
};
