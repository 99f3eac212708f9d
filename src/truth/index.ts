/** The truth pillar: get agreement in a lying world. */
export { Raft, defaultRaftConfig, type RaftConfig, type ProposeResult } from './raft/raft.js';
export { RaftLog } from './raft/log.js';
export type { ConfChange, ConfState, Entry, HardState, Message as RaftMessage, Ready, ReadState, Role, Snapshot } from './raft/types.js';
export { isConfChange } from './raft/types.js';
export { RaftKv, raftKv, raftKvConfigSchema, notAppliedErrors, isNotAppliedFailure, type RaftKvConfig, type RaftKvStatus } from './raft/host.js';
export { RaftStorage, StorageCorruptError, isStorageCorruptError, type StorageWarning } from './raft/storage.js';
export { KvStateMachine, sessionsMax, sessionRequestsMax, readOnlyOperations, notAnIntegerError, type KvCommand, type KvResult, type KvSnapshot, type SetArgs } from './kv.js';
export { NaiveBank, naiveBank, naiveBankConfigSchema, type NaiveBankConfig } from './naive-bank.js';
export { AsyncPrimaryKv, asyncPrimaryKv, asyncPrimaryConfigSchema, type AsyncPrimaryConfig } from './async-primary.js';
export { LeaseLock, type LockAnswer, type LockGrant, type LockRefusal } from './fencing/lease-lock.js';
export { FencedStore, StaleTokenError, isStaleTokenError, type FencedResult } from './fencing/fenced-store.js';
export { lockedCounter, lockedCounterConfigSchema, type LockedCounterConfig } from './fencing/locked-counter.js';
export { sagaDefinitionSchema, sagaStepSchema, pivotIndex, isCompensatable, stepKey, type SagaDefinition, type SagaStep, type ActionCatalog, type ServiceActions } from './saga/definition.js';
export { SagaCoordinator, type CoordinatorEffect, type CoordinatorOptions, type CoordinatorRecord, type SagaEnd, type StepReply, type StepRequest } from './saga/coordinator.js';
export { SagaParticipant, idempotencyKeysMax, type Ledger, type ParticipantRecord } from './saga/participant.js';
export { sagaPayment } from './saga/saga-payment.js';
export { sagaPaymentConfigSchema, paymentFlowSaga, paymentFlowCatalog, type SagaPaymentConfig } from './saga/payment-flow.js';
export { auditSagaPayment, type SagaAudit, type SagaDescription } from './saga/audit.js';
