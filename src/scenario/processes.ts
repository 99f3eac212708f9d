/**
 * The systems a scenario can put under test, by name. Each entry validates its own config, so a
 * mistake in `system.config` is reported with its path like any other schema error.
 */
import { z } from 'zod';
import type { ProcessFactory } from '../runtime/context.js';
import { balancedPool, balancedPoolConfigSchema, batchingProxy, batchingProxyConfigSchema, executor, executorConfigSchema, lockWorkers, sharedStore, sharedStoreConfigSchema, lockWorkersConfigSchema, queueServer, queueServerConfigSchema } from '../work/index.js';
import { backendPool, backendPoolConfigSchema, breakerFleet, breakerFleetConfigSchema, deployment, deployConfigSchema, killFleet, killFleetConfigSchema, chainedService, chainedServiceConfigSchema, orderFlow, orderFlowConfigSchema } from '../control/index.js';
import { floodConfigSchema, floodOnce, gossipConfigSchema, gossipUntilAcked, lwwReplicas, lwwReplicasConfigSchema, partitionedStore, partitionedStoreConfigSchema, cartReplicas, cartReplicasConfigSchema, rangeShards, rangeShardsConfigSchema, quorumStore, quorumStoreConfigSchema } from '../state/index.js';
import { autoscaledService, autoscaledServiceConfigSchema } from '../intelligence/scaling/autoscaled-service.js';
import { modelServing, modelServingConfigSchema } from '../intelligence/models/model-serving.js';
import { market, marketConfigSchema } from '../intelligence/markets/market.js';
import { ecommercePlatform, platformConfigSchema } from '../platform/ecommerce/platform.js';
import { netflixPlay, netflixPlayConfigSchema } from '../platform/netflix/index.js';
import { asyncPrimaryConfigSchema, asyncPrimaryKv, lockedCounter, lockedCounterConfigSchema, naiveBank, naiveBankConfigSchema, raftKv, raftKvConfigSchema, sagaPayment, sagaPaymentConfigSchema, pbftKv, pbftKvConfigSchema, raftLiar, raftLiarConfigSchema, commitWaitTxns, commitWaitConfigSchema, eventSourcing, eventSourcingConfigSchema, twoPhaseCommit, twoPhaseCommitConfigSchema } from '../truth/index.js';
import { storageCluster, storageClusterConfigSchema } from '../intelligence/index.js';

export interface ProcessEntry {
  description: string;
  config: z.ZodType;
  factory: ProcessFactory<any>;
}

export const processes: Record<string, ProcessEntry> = {
  'work/queue-server': {
    description: 'c workers behind one FIFO queue (M/M/c when arrivals are Poisson and service exponential)',
    config: queueServerConfigSchema,
    factory: queueServer,
  },
  'work/balanced-pool': {
    description: 'a balancer (round robin, random, least outstanding, p2c, peak EWMA, modulo, consistent hash, bounded loads, maglev) in front of queue servers',
    config: balancedPoolConfigSchema,
    factory: balancedPool,
  },
  'work/lock-workers': {
    description: 'workers taking two locks each in their own order from a lock server; optional deadlock detection and lock timeouts',
    config: lockWorkersConfigSchema,
    factory: lockWorkers,
  },
  'work/batching-proxy': {
    description: 'a proxy that sends requests to a database one per call or in batches (by size and time window)',
    config: batchingProxyConfigSchema,
    factory: batchingProxy,
  },
  'work/executor': {
    description: 'workers fed from one shared FIFO, per-worker queues, or per-worker deques with work stealing; optional long internal tasks',
    config: executorConfigSchema,
    factory: executor,
  },
  'work/shared-store': {
    description: 'fetchers keeping n requests in flight (in phases, optionally behind a fixed or adaptive limit) against a store whose rate follows the USL',
    config: sharedStoreConfigSchema,
    factory: sharedStore,
  },
  'state/flood-once': {
    description: 'broadcast: tell every peer once, never retry',
    config: floodConfigSchema,
    factory: floodOnce,
  },
  'truth/raft-kv': {
    description: 'a key-value store replicated by Raft (pre-vote, check-quorum, ReadIndex reads, fsync before acknowledging)',
    config: raftKvConfigSchema,
    factory: raftKv,
  },
  'truth/async-primary': {
    description: 'a primary with asynchronous replicas and timeout failover; optionally a lease lock with fencing tokens',
    config: asyncPrimaryConfigSchema,
    factory: asyncPrimaryKv,
  },
  'truth/naive-bank': {
    description: 'ATMs that read, check, then debit a shared ledger in separate steps (the ATM race)',
    config: naiveBankConfigSchema,
    factory: naiveBank,
  },
  'truth/locked-counter': {
    description: 'workers increment counters in shared storage under a lease lock; the storage checks fencing tokens (or not)',
    config: lockedCounterConfigSchema,
    factory: lockedCounter,
  },
  'truth/pbft-kv': {
    description: 'a key-value store replicated by PBFT (n = 3f + 1 replicas: pre-prepare, prepare, commit; checkpoints; view changes; modelled MACs and signatures); other nodes are PBFT clients waiting for f + 1 matching replies; Byzantine replicas on schedule',
    config: pbftKvConfigSchema,
    factory: pbftKv,
  },
  'truth/raft-liar': {
    description: 'the Raft KV with Byzantine nodes on schedule: a wrapper rewrites what they send (a leader sending different entries to different followers, a candidate claiming a longer log, silence)',
    config: raftLiarConfigSchema,
    factory: raftLiar,
  },
  'truth/saga-payment': {
    description: 'the payment flow as a saga (reserve inventory, charge card, ship): orchestrated by a coordinator with a durable log, or choreographed by events through outboxes; optional compensations and idempotency keys',
    config: sagaPaymentConfigSchema,
    factory: sagaPayment,
  },
  'truth/commit-wait': {
    description: 'Spanner-style read-write transactions over shard leaders: two-phase commit, TrueTime intervals, commit timestamps at TT.now().latest and (or not) commit wait until TT.after(s); an app server runs causal pairs and counts timestamp inversions',
    config: commitWaitConfigSchema,
    factory: commitWaitTxns,
  },
  'truth/event-sourcing': {
    description: 'orders changed concurrently by checkout, payments, shipping and support on a Raft KV: status records read, modified and written back (naive), or events appended to one log with a conditional append and a read model (projections, snapshots, rebuilds) serving the queries (CQRS)',
    config: eventSourcingConfigSchema,
    factory: eventSourcing,
  },
  'truth/two-phase-commit': {
    description: "transfers across Raft-replicated shards by two-phase commit (per-key locks at prepare, votes, commit or abort, in-doubt shards asking); coordinators each alone with decisions on their own disk (blocking), or one Raft group whose log holds every transaction record (a new leader finishes what a crashed one left)",
    config: twoPhaseCommitConfigSchema,
    factory: twoPhaseCommit,
  },
  'control/order-flow': {
    description: 'order routers and a market-access gateway with optional release check, rate, budget and manual kill switches (Knight Capital)',
    config: orderFlowConfigSchema,
    factory: orderFlow,
  },
  'control/chained-service': {
    description: 'services A -> B -> C -> D with request-thread pools; optional timeout, breaker and bulkhead on each downstream call (the cascade)',
    config: chainedServiceConfigSchema,
    factory: chainedService,
  },
  'control/backend-pool': {
    description: 'a round-robin balancer and backends with heartbeats; heartbeat or phi accrual detection, optional latency outlier ejection (gray failure)',
    config: backendPoolConfigSchema,
    factory: backendPool,
  },
  'control/breaker-fleet': {
    description: 'callers with circuit breakers in front of one backend that is cold after a restart (synchronized breakers)',
    config: breakerFleetConfigSchema,
    factory: breakerFleet,
  },
  'control/deployment': {
    description: 'a platform that routes to app servers and deploys versions: all-at-once, rolling, canary, blue-green; SLO rollback; version-drift repair',
    config: deployConfigSchema,
    factory: deployment,
  },
  'control/kill-fleet': {
    description: 'workers behind kill switches that poll a flag kept on one server or in a Raft KV; optional fail-closed',
    config: killFleetConfigSchema,
    factory: killFleet,
  },
  'state/lww-replicas': {
    description: 'replicas that accept writes anywhere and settle conflicts by wall-clock LWW, HLC LWW, or version vectors (siblings)',
    config: lwwReplicasConfigSchema,
    factory: lwwReplicas,
  },
  'state/partitioned-store': {
    description: 'a key-value store partitioned by hash mod n, consistent hashing or rendezvous hashing; a node joins and keys move',
    config: partitionedStoreConfigSchema,
    factory: partitionedStore,
  },
  'state/cart-replicas': {
    description: 'shopping-cart replicas settling concurrent updates by LWW, multi-value siblings (Dynamo), or an OR-Set',
    config: cartReplicasConfigSchema,
    factory: cartReplicas,
  },
  'state/range-shards': {
    description: 'a router over range shards (queue servers); optional load-based splitting of the hottest range',
    config: rangeShardsConfigSchema,
    factory: rangeShards,
  },
  'state/quorum-store': {
    description: 'a Dynamo-style store: preference lists on a ring, N replicas, writes wait for W, reads for R; read repair',
    config: quorumStoreConfigSchema,
    factory: quorumStore,
  },
  'intelligence/model-serving': {
    description: 'a world sending feature-carrying requests and delayed labels to a model server: one model, an ML circuit breaker with fallback and retraining, or an ensemble; optional PSI/KS drift monitors',
    config: modelServingConfigSchema,
    factory: modelServing,
  },
  'intelligence/market': {
    description: 'an exchange, momentum and herding trading agents and one large seller (the 2010 flash crash); optional feedback-loop halt and market-wide circuit breaker',
    config: marketConfigSchema,
    factory: market,
  },
  'intelligence/autoscaled-service': {
    description: 'a frontend and an autoscaler (threshold, Kubernetes HPA or predictive, with runaway guards) sizing a pool of app nodes that boot and warm up, optionally on a shared database',
    config: autoscaledServiceConfigSchema,
    factory: autoscaledService,
  },
  'intelligence/storage-cluster': {
    description: 'a replicated storage cluster (K shards, RF replicas) behind a master that detects failures by heartbeats and runs a self-healing supervisor (acts, or only alerts)',
    config: storageClusterConfigSchema,
    factory: storageCluster,
  },
  'platform/ecommerce': {
    description: "the seeds' e-commerce platform on all five pillars: gateways per region, app servers, a catalog per region, inventory per warehouse (Raft or async primary), fulfilment, fraud scoring at the edge",
    config: platformConfigSchema,
    factory: ecommercePlatform,
  },
  'platform/netflix-play': {
    description: "Netflix's play path under a 200 ms budget: Zuul, playback API servers calling viewing history (replicated store), the licence server (entitlements on Raft), personalised artwork (computed or precomputed into a cache) and Open Connect steering, in sequence or in parallel, with or without Hystrix-style commands",
    config: netflixPlayConfigSchema,
    factory: netflixPlay,
  },
  'state/gossip': {
    description: 'broadcast: resend unacknowledged values to each peer, batched, until acked',
    config: gossipConfigSchema,
    factory: gossipUntilAcked,
  },
};
