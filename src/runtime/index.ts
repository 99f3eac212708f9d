export type { Context, Disk, Metrics, NodeId, Process, ProcessFactory, TimerId } from './context.js';
export { sample, mean, distributionSchema, type Distribution, type Uniform } from './distribution.js';
export * from './client-protocol.js';
