/** The state stories' systems a scenario can name (see src/runtime/process-entry.ts). */
import { hist, per, type ProcessTable } from '../../runtime/process-entry.js';
import { queueServerMetrics } from '../../work/index.js';
import { lwwReplicas, lwwReplicasConfigSchema } from './lww-replicas.js';
import { partitionedStore, partitionedStoreConfigSchema } from './partitioned-store.js';
import { cartReplicas, cartReplicasConfigSchema } from './cart-replicas.js';
import { rangeShards, rangeShardsConfigSchema } from './range-shards.js';
import { socialFeed, socialFeedConfigSchema } from './social-feed.js';
import { regionShards, regionShardsConfigSchema } from './region-shards.js';
import { timeShards, timeShardsConfigSchema } from './time-shards.js';

export const processes: ProcessTable = {
  'state/time-shards': {
    description: 'a router over shards that store rows by UTC day, stamped with the router\'s clock: partitioned by the day alone (today\'s shard takes every write) or by the day plus a hash of the entity over `salts` shards (a day\'s scan asks them all); every scan checked against the writes acknowledged before it',
    config: timeShardsConfigSchema,
    factory: timeShards,
    metrics: (c: { router: string }, scope) => [
      ...['hottest_shard_write_share', 'shard_backlog_max', 'scan_fanout', 'scan_shard_requests', 'scans_verified', 'scan_rows_expected', 'scan_rows_missing', 'scan_rows_foreign'],
      ...per('writes_to_', scope.servers.filter((n) => n !== c.router)),
      ...hist('write_ms', 'scan_ms'),
      ...queueServerMetrics(scope.operations),
    ],
  },
  'state/region-shards': {
    description: 'routers and shards in several regions, sharded flat (one hash over every shard) or hierarchically (region, then customer tier, then hash % 1000)',
    config: regionShardsConfigSchema,
    factory: regionShards,
    metrics: (_c, scope) => ['cross_region_requests', 'shards_mixing_tiers', ...hist('premium_shard_ms', 'standard_shard_ms'), ...queueServerMetrics(scope.operations)],
  },
  'state/social-feed': {
    description: 'a poster, a replier and a reader in three regions on one store, eventual (applied on arrival), causal (a write waits for its dependencies, COPS-style) or linearizable (one copy at a leader); counts replies seen before their posts',
    config: socialFeedConfigSchema,
    factory: socialFeed,
    metrics: () => ['social_posts', 'social_replies', 'social_replies_read', 'social_anomalies', ...hist('social_read_ms', 'social_write_ms', 'social_reply_visible_ms')],
  },
  'state/lww-replicas': {
    description: 'replicas that accept writes anywhere and settle conflicts by wall-clock LWW, HLC LWW, or version vectors (siblings)',
    config: lwwReplicasConfigSchema,
    factory: lwwReplicas,
    metrics: () => ['writes_acked', 'newer_writes_dropped', 'siblings_returned'],
  },
  'state/partitioned-store': {
    description: 'a key-value store partitioned by hash mod n, consistent hashing or rendezvous hashing; a node joins and keys move',
    config: partitionedStoreConfigSchema,
    factory: partitionedStore,
    metrics: () => ['keys_at_join', 'keys_moved'],
  },
  'state/cart-replicas': {
    description: 'shopping-cart replicas settling concurrent updates by LWW, multi-value siblings (Dynamo), or an OR-Set',
    config: cartReplicasConfigSchema,
    factory: cartReplicas,
    metrics: () => hist('siblings'),
  },
  'state/range-shards': {
    description: 'a router over range shards (queue servers); optional load-based splitting of the hottest range, and merging of cold neighbours',
    config: rangeShardsConfigSchema,
    factory: rangeShards,
    metrics: (c: { router: string }, scope) => ['range_splits', 'range_merges', 'reshard_flaps', 'ranges', 'ranges_max', ...per('requests_to_', scope.servers.filter((n) => n !== c.router)), ...queueServerMetrics(scope.operations)],
  },
};
