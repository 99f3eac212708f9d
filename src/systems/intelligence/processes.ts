/** The intelligence stories' systems a scenario can name (see src/runtime/process-entry.ts). */
import { hist, type ProcessTable } from '../../runtime/process-entry.js';
import { modelServing, modelServingConfigSchema } from './model-serving/index.js';
import { market, marketConfigSchema } from './markets/index.js';
import { autoscaledService, autoscaledServiceConfigSchema } from './autoscaled-service.js';
import { storageCluster, storageClusterConfigSchema } from './storage-cluster/storage-cluster.js';
import { recommender, recommenderConfigSchema } from './recommender.js';
import { fraudScreen, fraudScreenConfigSchema } from './fraud-screen/index.js';

export const processes: ProcessTable = {
  'intelligence/recommender': {
    description: 'a recommender that learns from watch time (a gradient bandit over ten styles, clickbait to careful) while the simulation knows what viewers get out of it; a hold-out on the starting policy; optionally an objective guard on a survey and complaints that rolls the learner back',
    config: recommenderConfigSchema,
    factory: recommender,
    metrics: () => ['sessions', 'guard_trips', 'watch_minutes', 'true_value', 'holdout_true_value', 'proxy_lift', 'true_lift', 'objective_gap', 'clickbait_share'],
  },
  'intelligence/fraud-screen': {
    description: 'a card-payment fraud screen whose models (logistic, on chosen features, fitted on one shared history and optionally refitted on recent outcomes, or rules) vote on every transaction while the fraud tactic shifts; optionally a disagreement guard that holds split votes for review',
    config: fraudScreenConfigSchema,
    factory: fraudScreen,
    schedule: (c: { shiftAtMs?: number }) => [{ atMs: c.shiftAtMs ?? 30_000, kind: 'drift', detail: 'fraudsters switch to account takeover' }],
    metrics: () => [
      ...['transactions', 'fraud_before', 'fraud_after', 'fraud_missed_before_pct', 'fraud_missed_after_pct', 'fraud_losses_after_usd', 'false_decline_pct', 'review_pct'],
      ...['members_failing_after', 'best_member_missed_after_pct', 'error_correlation', 'all_wrong_pct', 'all_wrong_if_independent_pct'],
    ],
  },
  'intelligence/model-serving': {
    description: 'a world sending feature-carrying requests and delayed labels to a model server: one model, an ML circuit breaker with fallback and retraining, or an ensemble; optional PSI/KS drift monitors',
    config: modelServingConfigSchema,
    factory: modelServing,
    schedule: (c: { shiftAtMs?: number }) => (c.shiftAtMs === undefined ? [] : [{ atMs: c.shiftAtMs, kind: 'drift', detail: 'the world the model learned changes' }]),
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
};
