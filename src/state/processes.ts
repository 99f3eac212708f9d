/** The state pillar's Processes a scenario can name (see src/runtime/process-entry.ts). */
import { hist, per, type MetricDecl, type ProcessTable } from '../runtime/process-entry.js';
import { floodConfigSchema, floodOnce, gossipConfigSchema, gossipUntilAcked } from './broadcast.js';
import { quorumStore, quorumStoreConfigSchema } from './replication/quorum-store.js';

/** A state/quorum-store over `nodes`: read repair, sloppy quorums and hinted handoff, anti-entropy, as configured. */
export function quorumStoreMetrics(c: { readRepair: boolean; sloppyQuorum: boolean; handoffMs?: number; antiEntropyMs?: number }, nodes: readonly string[]): MetricDecl[] {
  return [
    ...(c.readRepair ? ['read_repairs'] : []),
    ...(c.sloppyQuorum ? ['hinted_writes'] : []),
    ...(c.sloppyQuorum && c.handoffMs !== undefined ? ['hints_delivered'] : []),
    ...(c.antiEntropyMs !== undefined ? ['anti_entropy_rounds', 'anti_entropy_repairs', ...per('divergent_buckets_', nodes)] : []),
  ];
}

export const processes: ProcessTable = {
  'state/flood-once': {
    description: 'broadcast: tell every peer once, never retry',
    config: floodConfigSchema,
    factory: floodOnce,
    metrics: () => hist('delivery_ms'),
  },
  'state/gossip': {
    description: 'broadcast: resend unacknowledged values to each peer, batched, until acked',
    config: gossipConfigSchema,
    factory: gossipUntilAcked,
    metrics: () => hist('delivery_ms'),
  },
  'state/quorum-store': {
    description: 'a Dynamo-style store: preference lists on a ring, N replicas, writes wait for W, reads for R; read repair',
    config: quorumStoreConfigSchema,
    factory: quorumStore,
    metrics: (c, scope) => quorumStoreMetrics(c, scope.servers),
  },
};
