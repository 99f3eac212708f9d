/** The work pillar: distribute load before it kills you. */
export { erlangC, mmcMeanWait } from './queueing-theory.js';
export { QueueServer, queueServer, queueServerConfigSchema, type QueueServerConfig } from './queue-server.js';
export * from './balance/index.js';
export { amdahlSpeedup, uslCapacity, uslPeak, fitUsl, coordinationPaths, uslOverhead, betaForOverhead, type UslFit } from './laws.js';
export { balancedPool, balancedPoolConfigSchema, makeBalancer, strategies as balancingStrategies, type BalancedPoolConfig } from './balance/balanced-pool.js';
export { LockManager, type LockEvent, type LockManagerOptions } from './locks/lock-manager.js';
export { Batcher, BatchCollector } from './batch/batcher.js';
export { PriorityQueue } from './queues/priority-queue.js';
export { WorkStealingDeques, type StealPolicy } from './executors/work-stealing.js';
export { Hedge, type HedgeOptions, type HedgedOperation } from './hedge/hedge.js';
export { processes, queueServerMetrics } from './processes.js';
