/** The truth stories' systems a scenario can name, and the check only the saga story needs. */
import { z } from 'zod';
import { hist, per, type ProcessTable, realNodeCodec } from '../../runtime/process-entry.js';
import type { CheckTable } from '../../scenario/index.js';
import { BYZANTINE_METRICS, RAFT_METRICS } from '../../truth/index.js';
import { naiveBank, naiveBankConfigSchema } from './naive-bank.js';
import { lockedCounter, lockedCounterConfigSchema } from './locked-counter.js';
import { raftLiar, raftLiarConfigSchema } from './raft-liar.js';
import { membership, membershipConfigSchema } from './membership.js';
import { commitWaitConfigSchema, commitWaitTxns } from './commit-wait.js';
import { eventSourcing, eventSourcingConfigSchema } from './event-sourcing/order-services.js';
import { orderStatuses } from './event-sourcing/projection.js';
import { sagaPayment } from './saga-payment/saga-payment.js';
import { paymentFlowCatalog, sagaPaymentConfigSchema } from './saga-payment/payment-flow.js';
import { auditSagaPayment } from './saga-payment/audit.js';
import { spectrumStore, spectrumStoreConfigSchema } from './spectrum-store.js';

export const processes: ProcessTable = {
  'truth/spectrum-store': {
    description: "one key-value store at four of the seed's levels of truth: local (each node its own), eventual (shipped to every peer, concurrent writes kept as siblings), causal (delivered after its dependencies, a vector per write), total-order (a sequencer, acknowledged once every node applied it)",
    config: spectrumStoreConfigSchema,
    factory: spectrumStore,
    metrics: () => ['spectrum_messages', 'spectrum_held_writes', ...hist('spectrum_siblings', 'spectrum_vector_entries', 'spectrum_metadata_bytes', 'spectrum_visible_ms')],
  },
  'truth/naive-bank': {
    description: 'ATMs that read, check, then debit a shared ledger in separate steps (the ATM race)',
    config: naiveBankConfigSchema,
    factory: naiveBank,
    metrics: () => [],
  },
  'truth/locked-counter': {
    description: 'workers increment counters in shared storage under a lease lock; the storage checks fencing tokens (or not)',
    config: lockedCounterConfigSchema,
    factory: lockedCounter,
    metrics: () => ['lock_grants', 'writes_fenced', 'pauses_after_check'],
  },
  'truth/raft-liar': {
    description: 'the Raft KV with Byzantine nodes on schedule: a wrapper rewrites what they send (a leader sending different entries to different followers, a candidate claiming a longer log, silence)',
    config: raftLiarConfigSchema,
    factory: raftLiar,
    codec: realNodeCodec,
    metrics: () => [...RAFT_METRICS, 'replica_messages', 'agreement_messages', 'raft_panics', ...BYZANTINE_METRICS],
  },
  'truth/membership': {
    description: 'a Raft KV whose every member is replaced, one at a time, by an operator node: through the log (learner first, then voter, then the old member removed), or by telling each server the new membership directly',
    config: membershipConfigSchema,
    factory: membership,
    codec: realNodeCodec,
    metrics: () => [...RAFT_METRICS, 'membership_changes', 'members_replaced'],
  },
  'truth/saga-payment': {
    description: 'the payment flow as a saga (reserve inventory, charge card, ship): orchestrated by a coordinator with a durable log, or choreographed by events through outboxes; optional compensations and idempotency keys',
    config: sagaPaymentConfigSchema,
    factory: sagaPayment,
    metrics: () => [
      ...['orders_placed', 'sagas_completed', 'sagas_compensated', 'sagas_failed', 'sagas_resumed'],
      ...['step_retries', 'steps_given_up', 'duplicates_absorbed', 'compensations_run', 'compensations_before_step', 'event_resends'],
      ...Object.values(paymentFlowCatalog).flatMap((svc) => svc.actions.flatMap((op) => [`applied_${op}`, `refused_${op}`])),
    ],
  },
  'truth/commit-wait': {
    description: 'Spanner-style read-write transactions over shard leaders: two-phase commit, TrueTime intervals, commit timestamps at TT.now().latest and (or not) commit wait until TT.after(s); an app server runs causal pairs and counts timestamp inversions',
    config: commitWaitConfigSchema,
    factory: commitWaitTxns,
    metrics: () => ['pairs', 'pairs_timed_out', 'inversions', 'inversion_rate', 'txns_committed', ...hist('epsilon_ms', 'commit_wait_ms', 'txn_commit_ms', 'lock_hold_ms', 'txn_latency_ms', 'inversion_ms')],
  },
  'truth/event-sourcing': {
    description: 'orders changed concurrently by checkout, payments, shipping and support on a Raft KV: status records read, modified and written back (naive), or events appended to one log with a conditional append and a read model (projections, snapshots, rebuilds) serving the queries (CQRS)',
    config: eventSourcingConfigSchema,
    factory: eventSourcing,
    codec: realNodeCodec,
    metrics: () => [
      ...RAFT_METRICS,
      ...['commands_ok', 'commands_refused', 'commands_failed', 'commands_unknown', 'commands_failed_contention', 'commands_refused_late', 'append_conflicts'],
      ...per('acked_', orderStatuses),
      ...per('orders_', orderStatuses),
      ...['acked_events_verified', 'acked_unverified', 'events_breaking_rules', 'log_events', 'lost_updates', 'refunded_and_shipped', 'duplicate_events', 'queries_served'],
      ...['rebuilds', 'rebuild_mismatches', 'rebuild_events', 'rebuild_ms', 'rebuilds_abandoned', 'snapshot_tail_checks', 'snapshot_tail_mismatches', 'snapshot_tail_events', 'snapshots_written'],
      ...['projection_restored_position', 'read_model_position', 'recovery_ms', 'recovery_tail_events'],
      ...hist('command_ms', 'read_model_lag_events', 'read_model_lag_ms', 'projection_apply_lag_ms'),
    ],
  },
};

export const checks: CheckTable = {
  'saga-all-or-nothing': {
    description: 'every order of truth/saga-payment ended all or nothing: completed orders reserved, charged and shipped once; failed ones hold no units, no charge, no shipment (counts units leaked, double charges, ...)',
    params: z.object({ name: z.string() }).strict(),
    needsHistory: false,
    produces: () => ['orders_completed', 'orders_failed', 'orders_compensated', 'orders_unfinished', 'orders_lost', 'units_leaked', 'double_charges', 'charged_not_completed', 'double_shipments', 'shipped_not_completed', 'completed_missing_steps', 'compensations_run'],
    // The verdict counts every kind of anomaly at once; no single metric carries it.
    verdictMetric: () => undefined,
    run(facts) {
      if (facts.variant.system.process !== 'truth/saga-payment') return { ok: false, error: true, detail: 'saga-all-or-nothing needs system.process truth/saga-payment' };
      return auditSagaPayment(facts.described ?? new Map(), facts.variant.system.config, facts.flat);
    },
  },
};
