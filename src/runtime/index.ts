export type { Context, Description, Disk, Metrics, NodeId, Process, ProcessFactory, TimerId } from './context.js';
export { sample, mean, distributionSchema, type Distribution, type Uniform } from './distribution.js';
export * from './client-protocol.js';
export { fromContext, ManualClock, type Clock, type Timers, type Random, type Environment } from './clock.js';
export { Relay, type Relayed } from './relay.js';
export { Fifo } from './fifo.js';
export { RecentSet } from './recent-set.js';
export { withPeers } from './scoped-context.js';
export { nodeRef, nodeRefs, nodeRefMeta, nodeRefsIn, type NodeRefMeta, type FoundNodeRef } from './node-ref.js';
