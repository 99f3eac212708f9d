/** The truth pillar's Processes a scenario can name (see src/runtime/process-entry.ts). */
import { hist, per, type MetricDecl, type ProcessTable, realNodeCodec } from '../runtime/process-entry.js';
import { raftKv, raftKvConfigSchema } from './raft/host.js';
import { raftNode, raftNodeConfigSchema } from './raft/raft-node.js';
import { asyncPrimaryConfigSchema, asyncPrimaryKv } from './async-primary.js';
import { witnessPrimaryConfigSchema, witnessPrimaryKv } from './witness/witness-primary.js';
import { pbftKv, pbftKvConfigSchema } from './bft/pbft-kv.js';
import { paxosKv, paxosKvConfigSchema } from './paxos/paxos-kv.js';
import { flpConsensus, flpConsensusConfigSchema } from './flp/flp-consensus.js';
import { twoPhaseCommit, twoPhaseCommitConfigSchema } from './txn/two-phase-commit.js';

/** A node of truth/raft-kv (alone, or inside a larger system). */
export const RAFT_METRICS: readonly MetricDecl[] = ['raft_leaders_elected', 'raft_snapshots', 'raft_repairs_started', 'raft_repairs_done', ...hist('wal_fsync_ms', 'wal_entries_per_sync')];
export const ASYNC_PRIMARY_METRICS: readonly MetricDecl[] = ['promotions', 'resyncs'];
/** What a node with Byzantine behaviours on schedule counts (truth/bft/byzantine.ts). */
export const BYZANTINE_METRICS: readonly MetricDecl[] = ['byzantine_dropped', 'byzantine_equivocations', 'byzantine_lies'];
/** What PBFT replicas send each other (bft_msgs_<type>; replies go to clients and are not counted). */
const PBFT_MESSAGES = ['request', 'pre_prepare', 'prepare', 'commit', 'checkpoint', 'view_change', 'new_view', 'fetch_state', 'state'];

export const processes: ProcessTable = {
  'truth/raft-kv': {
    description: 'a key-value store replicated by Raft (pre-vote, check-quorum, ReadIndex reads, fsync before acknowledging)',
    config: raftKvConfigSchema,
    factory: raftKv,
    codec: realNodeCodec,
    metrics: () => RAFT_METRICS,
  },
  'truth/raft-node': {
    description: "a node of the replicated KV as pillars node runs it: the real node's Raft profile behind its client layer (sessions, resends with backoff, deadlines)",
    config: raftNodeConfigSchema,
    factory: raftNode,
    codec: realNodeCodec,
    metrics: () => [...RAFT_METRICS, 'requests_read', 'requests_write', 'requests_resent', 'requests_read_failed', 'requests_write_failed', 'requests_read_unknown', 'requests_write_unknown', ...hist('request_ms_read', 'request_ms_write')],
  },
  'truth/async-primary': {
    description: 'a primary with asynchronous replicas and timeout failover; optionally a lease lock with fencing tokens',
    config: asyncPrimaryConfigSchema,
    factory: asyncPrimaryKv,
    metrics: () => ASYNC_PRIMARY_METRICS,
  },
  'truth/witness-primary': {
    description: 'two data centres, one primary and one standby (the pair), and a witness at a third site that holds no data: writes are acknowledged once the standby has them or the witness has marked it stale; the standby is promoted only by the witness, once the primary lease ran out',
    config: witnessPrimaryConfigSchema,
    factory: witnessPrimaryKv,
    metrics: () => [...ASYNC_PRIMARY_METRICS, 'writes_acked_alone', 'standby_marked_stale', 'witness_refusals'],
  },
  'truth/pbft-kv': {
    description: 'a key-value store replicated by PBFT (n = 3f + 1 replicas: pre-prepare, prepare, commit; checkpoints; view changes; modelled MACs and signatures); other nodes are PBFT clients waiting for f + 1 matching replies; Byzantine replicas on schedule',
    config: pbftKvConfigSchema,
    factory: pbftKv,
    metrics: () => [
      'replica_messages',
      'agreement_messages',
      ...per('bft_msgs_', PBFT_MESSAGES),
      ...['auth_failures', 'future_dropped', 'equivocations_seen', 'committed_local', 'safety_violations', 'executed', 'stable_checkpoints', 'bad_state_transfers', 'state_transfers'].map((k) => `bft_${k}`),
      ...['view_changes_started', 'view_changes_rejected', 'new_views_sent', 'new_views_rejected', 'views_entered', 'client_broadcasts', 'client_replies_outvoted'].map((k) => `bft_${k}`),
      ...BYZANTINE_METRICS,
    ],
  },
  'truth/paxos-kv': {
    description: 'a key-value store replicated by Paxos: single-decree (every write its own instance, prepare then accept, proposed by whichever server the client reached; preempted proposers retry after a fixed wait or a randomised backoff) or Multi-Paxos (a stable leader on a lease runs phase 1 once, then one accept round per write); acceptors fsync before answering',
    config: paxosKvConfigSchema,
    factory: paxosKv,
    metrics: () => ['paxos_rounds', 'paxos_preemptions', 'paxos_decisions', 'paxos_leaders_elected', ...hist('paxos_round_trips')],
  },
  'truth/flp-consensus': {
    description: "binary consensus in rounds (Ben-Or's two phases, n > 2f) whose tie-break is deterministic (keep), a coin (Ben-Or) or a rotating coordinator behind a failure detector; optionally every message crosses an adversary node that picks the delivery order (FLP's scheduler)",
    config: flpConsensusConfigSchema,
    factory: flpConsensus,
    metrics: () => ['flp_rounds', 'flp_decided_nodes', ...hist('flp_decision_round'), 'adversary_held', 'adversary_steps_split', 'adversary_steps_lost'],
  },
  'truth/two-phase-commit': {
    description: "transfers across Raft-replicated shards by two-phase commit (per-key locks at prepare, votes, commit or abort, in-doubt shards asking); coordinators each alone with decisions on their own disk (blocking), or one Raft group whose log holds every transaction record (a new leader finishes what a crashed one left)",
    config: twoPhaseCommitConfigSchema,
    factory: twoPhaseCommit,
    metrics: () => [
      ...RAFT_METRICS,
      ...['txns_begun', 'txns_recovered', 'votes_yes', 'votes_no_locked', 'votes_no_funds', 'votes_no_aborted', 'commit_decisions', 'abort_decisions'],
      ...['prepare_resends', 'prepare_timeouts', 'decision_resends', 'inquiries_sent', 'presumed_aborts', ...hist('decision_ms')],
    ],
  },
};
