/** The work pillar's Processes a scenario can name (see src/runtime/process-entry.ts). */
import { hist, per, type MetricDecl, type ProcessTable } from '../runtime/process-entry.js';
import { queueServer, queueServerConfigSchema } from './queue-server.js';
import { balancedPool, balancedPoolConfigSchema } from './balance/balanced-pool.js';
import { mapReduce, mapReduceConfigSchema, mapReduceMetrics } from './mapreduce/cluster.js';
import { fleet, fleetConfigSchema, fleetMetrics } from './cells/fleet.js';

/** work/queue-server; `ops` are the operations its jobs arrive as (wait_ms_<f>). */
export function queueServerMetrics(ops: readonly string[]): MetricDecl[] {
  return ['jobs_done', 'jobs_waited', 'jobs_started', 'jobs_started_waited', 'wait_ms_total', 'jobs_rejected', 'jobs_shed', 'queue_depth', ...hist('service_ms', 'wait_ms', ...per('wait_ms_', ops))];
}

export const processes: ProcessTable = {
  'work/queue-server': {
    description: 'c workers behind one FIFO queue (M/M/c when arrivals are Poisson and service exponential)',
    config: queueServerConfigSchema,
    factory: queueServer,
    metrics: (_c, scope) => queueServerMetrics(scope.operations),
  },
  'work/balanced-pool': {
    description: 'a balancer (round robin, random, least outstanding, p2c, peak EWMA, modulo, consistent hash, bounded loads, maglev) in front of queue servers',
    config: balancedPoolConfigSchema,
    factory: balancedPool,
    metrics: (c: { balancer: string }, scope) => [...per('requests_to_', scope.servers.filter((n) => n !== c.balancer)), ...queueServerMetrics(scope.operations)],
  },
  'work/mapreduce': {
    description: 'a MapReduce word count: a master hands map and reduce tasks to workers, re-executes the tasks of dead workers, optionally launches backup tasks',
    config: mapReduceConfigSchema,
    factory: mapReduce,
    metrics: () => mapReduceMetrics,
  },
  'work/cells': {
    description: 'servers behind a router that places each customer on all of them, on one cell, or on its own shuffle shard; a poison request crashes the server it reaches, and retries carry it on',
    config: fleetConfigSchema,
    factory: fleet,
    metrics: fleetMetrics,
  },
};
