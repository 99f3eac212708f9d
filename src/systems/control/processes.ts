/** The control stories' systems a scenario can name (see src/runtime/process-entry.ts). */
import { per, type ProcessTable } from '../../runtime/process-entry.js';
import { RAFT_METRICS } from '../../truth/index.js';
import { orderFlow, orderFlowConfigSchema } from './order-flow.js';
import { chainedService, chainedServiceConfigSchema } from './chained-service.js';
import { backendPool, backendPoolConfigSchema } from './backend-pool.js';
import { breakerFleet, breakerFleetConfigSchema } from './breaker-fleet.js';
import { deployConfigSchema, deployment } from './deploy-controller.js';
import { killFleet, killFleetConfigSchema } from './kill-fleet.js';
import { hierarchyService, hierarchyServiceConfigSchema } from './hierarchy-service.js';

/** The states a breaker-fleet's or a platform's breakers are counted in (breakers_to_<state>). */
export const BREAKER_STATES = ['open', 'half-open', 'closed'];

export const processes: ProcessTable = {
  'control/hierarchy-service': {
    description: "a service with the seed's five control levels running at once: worker queue limits and a gateway admission limit (0), a breaker per replica (1), an autoscaler (2), a rollout (3), a capacity plan (4); flat (each on its own signal) or as a hierarchy (each level reads the ones below and sets their parameters)",
    config: hierarchyServiceConfigSchema,
    factory: hierarchyService,
    metrics: () => ['breaker_trips', 'scale_ups', 'scale_downs', 'scale_downs_while_refusing', 'scale_reversals', 'shed_at_door', 'refused_by_breakers', 'refused_by_workers', 'timed_out', 'replaced', 'deploy_held', 'plan_raises', 'replicas', 'replicas_ready', 'scaler_utilization'],
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
    schedule: (c: { deploy?: { atMs: number; version: string; strategy: string } }) => (c.deploy === undefined ? [] : [{ atMs: c.deploy.atMs, kind: 'release', detail: `${c.deploy.version} released ${c.deploy.strategy}` }]),
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
    codec: (c: { storeKind: string }) => (c.storeKind === 'raft' ? 'peer' : 'none'),
    metrics: () => [...RAFT_METRICS, 'kill_switch_reads_failed', 'last_work_ms', 'work_done'],
  },
};
