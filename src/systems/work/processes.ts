/** The work stories' systems a scenario can name (see src/runtime/process-entry.ts). */
import { hist, type ProcessTable } from '../../runtime/process-entry.js';
import { lockWorkers, lockWorkersConfigSchema } from './lock-workers.js';
import { batchingProxy, batchingProxyConfigSchema } from './batching-proxy.js';
import { executor, executorConfigSchema } from './executor.js';
import { sharedStore, sharedStoreConfigSchema } from './shared-store.js';
import { coordinatedWorkers, coordinatedWorkersConfigSchema, coordinatedWorkersMetrics } from './coordinated-workers.js';

export const processes: ProcessTable = {
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
  'work/coordinated-workers': {
    description: 'workers that send their state to every member of their group after each task (all of them, or their cell) and merge a version vector per update',
    config: coordinatedWorkersConfigSchema,
    factory: coordinatedWorkers,
    metrics: coordinatedWorkersMetrics,
  },
};
