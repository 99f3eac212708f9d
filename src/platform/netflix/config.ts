/**
 * The play path's simulation config: which node plays which part, each part's service time, and the
 * choices that make a variant naive or fixed. The seeds ("How Netflix Serves Your Next Episode") give
 * the play a 200 ms budget split across the pillars: work 5 ms, state 50, truth 30, intelligence 115,
 * control "ongoing". Those shares are the defaults of `pillarBudgetsMs`, and the fixed variant's
 * per-dependency timeouts are taken from them.
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import { distributionSchema } from '../../runtime/distribution.js';

const nodeId = nodeRef();
const windowSchema = z.object({ atMs: z.number().nonnegative(), forMs: z.number().positive() }).strict();

/** The dependencies the playback API calls for one play, and the pillar each belongs to. */
export const dependencies = ['history', 'licence', 'artwork', 'steering'] as const;
export type Dependency = (typeof dependencies)[number];
export const pillarOf = { history: 'state', licence: 'truth', artwork: 'intelligence', steering: 'intelligence' } as const satisfies Record<Dependency, string>;

/**
 * A Hystrix-style command around one dependency (Netflix's Hystrix wiki, "How it Works"): a timeout,
 * an optional circuit breaker, and whether the play may go on with a fallback when the call fails.
 */
export const guardSchema = z
  .object({
    timeoutMs: z.number().positive(),
    breaker: z
      .object({
        windowMs: z.number().positive().default(10_000),
        failureRate: z.number().gt(0).max(1).default(0.5),
        minimumCalls: z.number().int().positive().default(10),
        openMs: z.number().positive().default(5_000),
      })
      .strict()
      .optional(),
    /** true: a failed call degrades the play (a default answer); false: it fails the play. */
    fallback: z.boolean(),
  })
  .strict();
export type GuardConfig = z.infer<typeof guardSchema>;

const applianceSchema = z
  .object({
    node: nodeId,
    /** isp: an appliance embedded in the member's ISP; ixp: one at an internet exchange, farther away. */
    site: z.enum(['isp', 'ixp']),
    capacityStreams: z.number().int().positive(),
  })
  .strict();

export const netflixPlayConfigSchema = z
  .object({
    /** Click to play, measured at the edge. */
    budgetMs: z.number().positive().default(200),
    /** The seeds' split of the budget (reported beside the measured time of each pillar). */
    pillarBudgetsMs: z
      .object({ work: z.number().positive(), state: z.number().positive(), truth: z.number().positive(), intelligence: z.number().positive() })
      .strict()
      .default({ work: 5, state: 50, truth: 30, intelligence: 115 }),
    /** Member profiles k0..k(profiles-1), as the workload names its keys (a play's key is the profile). */
    profiles: z.number().int().positive(),
    /** Work: the API gateway (Zuul): its filters' time, and how it picks a playback API server. */
    gateway: z
      .object({
        node: nodeId,
        filterMs: distributionSchema.default({ dist: 'lognormal', median: 1.5, sigma: 0.3 }),
        balancer: z.enum(['round-robin', 'p2c', 'peak-ewma']).default('peak-ewma'),
      })
      .strict(),
    /** Work: the playback API servers that run a play's calls; `handlerMs` is their own work per play. */
    apiServers: z.array(nodeId).min(1),
    handlerMs: distributionSchema.default({ dist: 'uniform', min: 0.3, max: 0.8 }),
    /** sequential: one dependency after the other; parallel: the independent calls at once. */
    calls: z.enum(['sequential', 'parallel']),
    /** State: profile and viewing history, replicated to every region (a Dynamo-style quorum store). */
    viewingHistory: z
      .object({
        /** The replicas, the playback region's own first: the API reads from that one. */
        replicas: z.array(nodeId).min(1),
        /** QUORUM waits for a replica in another region; ONE is answered by the local replica. */
        read: z.enum(['ONE', 'QUORUM']),
      })
      .strict(),
    /** Truth: the licence server checks the entitlement on the source of truth (a Raft group), then issues the licence. */
    entitlements: z
      .object({
        licenceServer: nodeId,
        store: z.array(nodeId).min(1),
        licenceMs: distributionSchema.default({ dist: 'lognormal', median: 18, sigma: 0.15 }),
        /** Subscriptions cancelled per second elsewhere (billing); their plays must be refused. */
        cancellationsPerSec: z.number().nonnegative().default(2),
      })
      .strict(),
    /** Intelligence: the personalisation service that chooses a profile's artwork (and rows). */
    personalisation: z
      .object({
        node: nodeId,
        computeMs: distributionSchema.default({ dist: 'lognormal', median: 80, sigma: 0.12 }),
        /** The dependency turns slow for a while (a bad model push, a GC storm). */
        slowdown: windowSchema.extend({ computeMs: distributionSchema }).strict().optional(),
      })
      .strict(),
    /** computed: on the request path, per play; precomputed: read from the cache the offline batch fills. */
    artwork: z.enum(['computed', 'precomputed']),
    artworkCache: z
      .object({
        node: nodeId,
        lookupMs: distributionSchema.default({ dist: 'uniform', min: 0.2, max: 0.8 }),
        /** The share of profiles the offline batch covered (the rest are new since its last run). */
        precomputedShare: z.number().min(0).max(1).default(0.95),
      })
      .strict(),
    /** Intelligence: Open Connect steering picks the appliance a play streams from. */
    steering: z
      .object({
        node: nodeId,
        decideMs: distributionSchema.default({ dist: 'uniform', min: 1, max: 3 }),
        /** In order of preference (nearest first); the steering skips one that is full or silent. */
        appliances: z.array(applianceSchema).min(1),
        /** An appliance reports its load this often; silent for three reports, it is skipped. */
        reportEveryMs: z.number().positive().default(500),
        /** Above this share of its capacity, an appliance takes no new streams while another can. */
        loadMax: z.number().gt(0).max(1).default(0.9),
        /** How long a stream lasts once started (shortened: the run lasts a minute). */
        streamMs: distributionSchema.default({ dist: 'exponential', mean: 30_000 }),
      })
      .strict(),
    /** Control: a command per dependency; a dependency without one waits as long as the socket does. */
    guards: z.partialRecord(z.enum(dependencies), guardSchema).default({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    // The licence is the play's permission from the source of truth: no default answer can stand in for it.
    if (c.guards.licence?.fallback === true) ctx.addIssue({ code: 'custom', path: ['guards', 'licence', 'fallback'], message: 'false: a play without a licence cannot go on (no fallback for the truth)' });
    const nodes = [c.gateway.node, ...c.apiServers, ...c.viewingHistory.replicas, c.entitlements.licenceServer, ...c.entitlements.store, c.personalisation.node, c.artworkCache.node, c.steering.node, ...c.steering.appliances.map((a) => a.node)];
    const seen = new Set<string>();
    for (const n of nodes) {
      if (seen.has(n)) ctx.addIssue({ code: 'custom', path: [], message: `node ${n} has two parts in the play path; each part needs its own node` });
      seen.add(n);
    }
  });
export type NetflixPlayConfig = z.infer<typeof netflixPlayConfigSchema>;

/** A socket's read timeout: how long a call without a command waits before it gives up (Hystrix-less clients). */
export const socketTimeoutMs = 30_000;
