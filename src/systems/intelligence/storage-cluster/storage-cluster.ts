/**
 * The self-healing story as a system: a replicated storage cluster. K shards, each on
 * `replicationFactor` of the M storage nodes, behind a master that routes client reads and writes,
 * detects failures by heartbeats and hosts the self-healing Supervisor (cluster-master.ts). The
 * storage nodes (storage-node.ts) do all their work on one worker each: requests, heartbeats and
 * both ends of every shard copy compete for it.
 *
 * The story: a node dies under load. Without a supervisor that acts, a person is paged and the
 * cluster stays a replica short (one more failure from losing data) until they act. A supervisor
 * that copies every lost replica at once buries the surviving nodes in copy work: requests time
 * out, heartbeats leave late, the detector declares live nodes dead, and their replicas are copied
 * too: the seeds' runaway automation, a cascade. A supervisor with a rate limit and caps on copies
 * in flight restores full replication in bounded time while clients barely notice.
 *
 * Roles by name: `master` (n1 by default) is the master; every other server stores.
 */
import type { Context, Process } from '../../../runtime/context.js';
import { ClusterMaster } from './cluster-master.js';
import { StorageNode } from './storage-node.js';
import type { StorageClusterConfig } from './cluster-config.js';

export { storageClusterConfigSchema, type StorageClusterConfig } from './cluster-config.js';

export const storageCluster = (ctx: Context, config: StorageClusterConfig): Process => (ctx.id === config.master ? new ClusterMaster(ctx, config) : new StorageNode(ctx, config));
