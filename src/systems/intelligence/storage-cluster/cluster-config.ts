/**
 * The configuration, the placement and the messages of the self-healing story's storage cluster
 * (see storage-cluster.ts for the story itself).
 */
import { z } from 'zod';
import { nodeRef } from '../../../runtime/node-ref.js';
import { fmix32, hashString } from '../../../runtime/hash.js';

export const storageClusterConfigSchema = z
  .object({
    /** The node that routes client requests, detects failures and runs the supervisor; every other server stores. */
    master: nodeRef().default('n1'),
    shards: z.number().int().positive().default(120),
    replicationFactor: z.number().int().positive().default(3),
    /** Replicas that must acknowledge a write before the client hears ok. */
    writeQuorum: z.number().int().positive().default(2),
    /** Work a replica does for one read and for one write (ms of its single worker). */
    readMs: z.number().nonnegative().default(1),
    writeMs: z.number().nonnegative().default(1),
    heartbeatMs: z.number().positive().default(200),
    /** The master declares a node dead after this long without a heartbeat. */
    heartbeatTimeoutMs: z.number().positive().default(1000),
    /** How often the master checks the detector and asks the supervisor what to do. */
    tickMs: z.number().positive().default(100),
    /** The master answers fail when replicas have not answered within this. */
    requestTimeoutMs: z.number().positive().default(500),
    /** How long a storage process takes to restart when told to (it comes back empty). */
    restartMs: z.number().nonnegative().default(2000),
    copy: z
      .object({
        /** A shard's data as this many chunks; each costs chunkMs to read on the source and to write on the target. */
        chunks: z.number().int().positive().default(25),
        chunkMs: z.number().nonnegative().default(40),
        /** Chunks a copy keeps requested at once (its pipeline). */
        windowChunks: z.number().int().positive().default(4),
        /** A copy not done by then is given up. */
        timeoutMs: z.number().positive().default(30_000),
      })
      .strict()
      .default({ chunks: 25, chunkMs: 40, windowChunks: 4, timeoutMs: 30_000 }),
    supervisor: z
      .object({
        /** act: level 4, the supervisor repairs; alert: level 1, it pages a person. */
        mode: z.enum(['act', 'alert']).default('act'),
        /** In alert mode: the person starts the repairs this long after the first page (none: never). */
        operatorActsAfterMs: z.number().nonnegative().optional(),
        replaceAfterMs: z.number().nonnegative().default(5000),
        restart: z
          .object({ initialMs: z.number().nonnegative().default(1000), maxMs: z.number().positive().default(60_000), factor: z.number().min(1).default(2), attemptsMax: z.number().int().nonnegative().default(2) })
          .strict()
          .default({ initialMs: 1000, maxMs: 60_000, factor: 2, attemptsMax: 2 }),
        actionsPerSec: z.number().positive().optional(),
        actionBurst: z.number().positive().optional(),
        repairsInFlightMax: z.number().int().positive().optional(),
        copiesPerNodeMax: z.number().int().positive().optional(),
        downFractionMax: z.number().gt(0).max(1).optional(),
        flap: z.object({ downsMax: z.number().int().positive(), windowMs: z.number().positive() }).strict().optional(),
        /** The operators throw the supervisor's kill switch at this time (none: never). */
        stopAtMs: z.number().nonnegative().optional(),
      })
      .strict()
      .default({ mode: 'act', replaceAfterMs: 5000, restart: { initialMs: 1000, maxMs: 60_000, factor: 2, attemptsMax: 2 } }),
    /** Gray failures: from atMs on, the node's work takes factor times longer (its heartbeats still leave on time). */
    gray: z.array(z.object({ node: nodeRef(), atMs: z.number().nonnegative(), factor: z.number().positive() }).strict()).default([]),
    /** Report a node whose replies are this many times slower than the median node's as gray (Envoy-style outlier detection); none: never. */
    grayLatencyFactor: z.number().positive().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.writeQuorum > c.replicationFactor) ctx.addIssue({ code: 'custom', path: ['writeQuorum'], message: `at most replicationFactor (${c.replicationFactor})` });
  });
export type StorageClusterConfig = z.infer<typeof storageClusterConfigSchema>;

export const shardName = (i: number) => `s${i}`;

/** The shard a key lives in. */
export function shardOf(key: string, shards: number): string {
  return shardName(hashString(key) % shards);
}

/** Which chunk of its shard a key travels in during a copy (another hash, so chunks fill evenly). */
export function chunkOf(key: string, chunks: number): number {
  return hashString(key, 0x9e3779b9) % chunks;
}

/**
 * The first placement: each shard on the `rf` nodes with the highest random weight for it
 * (rendezvous hashing, Thaler and Ravishankar 1998), which spreads a failed node's shards, and so
 * the copies that replace them, over the whole fleet.
 */
export function initialPlacement(nodes: readonly string[], shards: number, rf: number): Record<string, string[]> {
  const seeds = nodes.map((n) => hashString(n));
  const out: Record<string, string[]> = {};
  for (let i = 0; i < shards; i++) {
    const h = hashString(shardName(i));
    out[shardName(i)] = nodes
      .map((n, j) => ({ n, w: fmix32(h ^ seeds[j]) }))
      .sort((a, b) => b.w - a.w || (a.n < b.n ? -1 : 1))
      .slice(0, rf)
      .map((x) => x.n);
  }
  return out;
}

export interface Versioned {
  value: unknown;
  version: number;
}

/** Between the master and the storage nodes. */
export type ClusterMsg =
  | { type: 'heartbeat'; incarnation: number }
  | { type: 'read'; rid: number; shard: string; key: string }
  | { type: 'read_reply'; rid: number; found: boolean; held: boolean; value?: unknown }
  | { type: 'write'; rid: number; shard: string; key: string; value: unknown; version: number }
  | { type: 'write_ack'; rid: number; held: boolean }
  /** The master's commands; `declaration` numbers the times the master declared this node dead. */
  | { type: 'restart'; declaration: number }
  | { type: 'declared_dead'; declaration: number }
  | { type: 'copy'; id: number; shard: string; from: string }
  | { type: 'copy_abort'; id: number }
  /** The shards this node should hold (it drops the others). */
  | { type: 'assign'; shards: string[] }
  | { type: 'copy_done'; id: number }
  | { type: 'copy_failed'; id: number; reason: string }
  /** Between the two ends of a copy. */
  | { type: 'fetch'; id: number; shard: string; chunk: number }
  | { type: 'chunk'; id: number; chunk: number; held: boolean; entries: [string, Versioned][] };
