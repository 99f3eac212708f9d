/** The state pillar: keep data alive when servers die. */
export { FloodOnce, GossipUntilAcked, floodOnce, gossipUntilAcked, floodConfigSchema, gossipConfigSchema, type GossipConfig } from './broadcast.js';
export * from './crdt/index.js';
export { LamportClock } from './causality/lamport.js';
export { increment, mergeVersions, compareVersions, descends, emptyVersion, type VersionVector, type Order } from './causality/version-vector.js';
export { dvvWrite, dvvMerge, dvvRead, emptyDvvSet, covers, type Dot, type Sibling, type DvvSet } from './causality/dotted-version-vector.js';
export { HybridLogicalClock, compareHlc, type HlcTimestamp } from './causality/hlc.js';
export { LwwReplicas, lwwReplicas, lwwReplicasConfigSchema, type LwwReplicasConfig } from '../systems/state/lww-replicas.js';
export { HashModN, ConsistentHashPartitioner, BoundedLoadPartitioner, Rendezvous, RangePartitioner, GeoPartitioner, TimePartitioner, balance, movedFraction, type Partitioner } from './partition/partitioners.js';
export { PartitionedStore, partitionedStore, partitionedStoreConfigSchema, type PartitionedStoreConfig } from '../systems/state/partitioned-store.js';
export { CartReplicas, cartReplicas, cartReplicasConfigSchema, type CartReplicasConfig } from '../systems/state/cart-replicas.js';
export { rangeShards, rangeShardsConfigSchema, type RangeShardsConfig } from '../systems/state/range-shards.js';
export { QuorumStore, quorumStore, quorumStoreConfigSchema, type QuorumStoreConfig } from './replication/quorum-store.js';
