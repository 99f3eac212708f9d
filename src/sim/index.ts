/** The simulated world: run any Process deterministically, with faults on demand. */
export { World, defaultDisk, type WorldOptions, type NodeOptions, type NodeKind, type NodeStatus, type ClockSpec, type DiskConfig } from './world.js';
export { Scheduler, type SimEvent } from './scheduler.js';
export { RandomStreams, Sfc32, hashString, type RandomStream } from './rng.js';
export { Network, defaultNetwork, type NetworkConfig, type PartitionHandle } from './network.js';
export { SimDisk } from './disk.js';
export { MetricsRegistry, round, type HistogramSummary, type SeriesPoint } from './metrics.js';
export { Trace, TraceKind, type TraceObserver, type TraceSink } from './trace.js';
export { scheduleFaults, applyFault, randomFaults, type FaultSpec, type NemesisKind, type RandomNemesisConfig } from './nemesis.js';
