/** The work pillar: distribute load before it kills you. */
export { erlangC, mmcMeanWait } from './queueing-theory.js';
export { QueueServer, queueServer, queueServerConfigSchema, type QueueServerConfig } from './queue-server.js';
export * from './balance/index.js';
export { amdahlSpeedup, uslCapacity, uslPeak, fitUsl, type UslFit } from './laws.js';
export { balancedPool, balancedPoolConfigSchema, makeBalancer, strategies as balancingStrategies, type BalancedPoolConfig } from './balance/balanced-pool.js';
export { LockManager, type LockEvent, type LockManagerOptions } from './locks/lock-manager.js';
export { lockWorkers, lockWorkersConfigSchema, type LockWorkersConfig } from '../systems/work/lock-workers.js';
export { Batcher, BatchCollector } from './batch/batcher.js';
export { batchingProxy, batchingProxyConfigSchema, type BatchingProxyConfig } from '../systems/work/batching-proxy.js';
export { PriorityQueue } from './queues/priority-queue.js';
export { WorkStealingDeques } from './executors/work-stealing.js';
export { Executor, executor, executorConfigSchema, type ExecutorConfig } from '../systems/work/executor.js';
export { sharedStore, sharedStoreConfigSchema, type SharedStoreConfig } from '../systems/work/shared-store.js';
export { Hedge, type HedgeOptions, type HedgedOperation } from './hedge/hedge.js';
