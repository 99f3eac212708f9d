/** The state pillar: keep data alive when servers die. */
export { FloodOnce, GossipUntilAcked, floodOnce, gossipUntilAcked, floodConfigSchema, gossipConfigSchema, type GossipConfig } from './broadcast.js';
export * from './crdt/index.js';
export { LamportClock } from './causality/lamport.js';
export { increment, mergeVersions, compareVersions, descends, emptyVersion, type VersionVector, type Order } from './causality/version-vector.js';
export { dvvWrite, dvvMerge, dvvRead, emptyDvvSet, covers, type Dot, type Sibling, type DvvSet } from './causality/dotted-version-vector.js';
export { HybridLogicalClock, compareHlc, type HlcTimestamp } from './causality/hlc.js';
export { HashModN, ConsistentHashPartitioner, BoundedLoadPartitioner, Rendezvous, RangePartitioner, GeoPartitioner, TimePartitioner, utcDay, parseUtc, balance, movedFraction, type Partitioner } from './partition/partitioners.js';
export { CausalStore, type CausalWrite } from './causal/causal-store.js';
export { OriginLog, dependenciesDelivered, type LogEntry } from './replication/origin-log.js';
export { QuorumStore, quorumStore, quorumStoreConfigSchema, type QuorumStoreConfig } from './replication/quorum-store.js';
export { processes, quorumStoreMetrics } from './processes.js';
