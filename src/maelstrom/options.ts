/**
 * The names and defaults `pillars maelstrom test` offers, in a module that imports nothing, so the
 * command's help can list them without loading the harness and every workload.
 */

/** Every workload by name; workloads/index.ts maps each to its definition (and the compiler holds them to the same names). */
export const workloadNames = ['echo', 'unique-ids', 'broadcast', 'g-set', 'g-counter', 'pn-counter', 'lin-kv', 'kafka', 'txn-list-append', 'txn-rw-register'] as const;
export type WorkloadName = (typeof workloadNames)[number];

/** Broadcast's topologies, as Maelstrom builds them (tree is tree2; none is ours). */
export const topologies = ['grid', 'line', 'tree', 'tree2', 'tree3', 'tree4', 'total', 'none'] as const;

export const nemesisKinds = ['partition', 'one-way', 'kill', 'pause', 'duplicate', 'loss'] as const;
export type MaelstromNemesis = (typeof nemesisKinds)[number];

export const testDefaults = { requestTimeoutMs: 5_000, recoveryMs: 10_000, initTimeoutMs: 10_000, setupTimeoutMs: 10_000, finalAttemptsMax: 20, keyCount: 5, maxTxnLength: 4, maxWritesPerKey: 16, consistencyModels: ['strict-serializable'] as readonly string[], messageTap: { messagesMax: 60, windowMs: 500, faultSequencesMax: 8 } };
