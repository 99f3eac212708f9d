/**
 * Self-healing: a supervisor that restarts, re-replicates, drains and splits on its own, with the
 * brakes that keep it from running away (rate limits, concurrency caps, a fleet guard, flap damping,
 * a kill switch).
 */
export { Supervisor, type SupervisorOptions, type HealingObservation, type HealingAction, type HealingLogEntry, type HealingLogKind, type ReplicaState, type NodeStatus as HealingNodeStatus } from './supervisor.js';
