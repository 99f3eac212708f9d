/** The whole platforms a scenario can name (see src/runtime/process-entry.ts), and the checks only they need. */
import { hist, per, type ProcessTable } from '../runtime/process-entry.js';
import type { CheckTable } from '../scenario/index.js';
import { queueServerMetrics } from '../work/index.js';
import { quorumStoreConfigSchema, quorumStoreMetrics } from '../state/index.js';
import { ASYNC_PRIMARY_METRICS, RAFT_METRICS } from '../truth/index.js';
import { BREAKER_STATES } from '../systems/control/processes.js';
import { ecommercePlatform, platformConfigSchema } from './ecommerce/platform.js';
import { noOversell } from './ecommerce/no-oversell.js';
import { netflixPlay, netflixPlayConfigSchema, pillarOf } from './netflix/index.js';

export const processes: ProcessTable = {
  'platform/ecommerce': {
    description: "the seeds' e-commerce platform on all five pillars: gateways per region, app servers, a catalog per region, inventory per warehouse (Raft or async primary), fulfilment, fraud scoring at the edge",
    config: platformConfigSchema,
    factory: ecommercePlatform,
    codec: (c: { inventoryStore: string }) => (c.inventoryStore === 'raft' ? 'peer' : 'none'),
    schedule: (c: { badDeploy?: { server: string; atMs: number; errorRate: number }; fraud: { driftAtMs?: number }; openAtMs?: number }) => [
      ...(c.openAtMs !== undefined && c.openAtMs > 0 ? [{ atMs: 0, untilMs: c.openAtMs, kind: 'opening', detail: 'the shop opens: stock loads into the warehouses, checkouts before it fail' }] : []),
      ...(c.fraud.driftAtMs !== undefined ? [{ atMs: c.fraud.driftAtMs, kind: 'drift', detail: 'the fraud ring changes tactics' }] : []),
      ...(c.badDeploy !== undefined ? [{ atMs: c.badDeploy.atMs, kind: 'release', detail: `a release failing ${Math.round(c.badDeploy.errorRate * 100)}% reaches ${c.badDeploy.server}` }] : []),
    ],
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
};

export const checks: CheckTable = {
  'no-oversell': noOversell,
};
