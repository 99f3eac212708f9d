/**
 * The scenario file schema. A scenario is one story: a topology, a system under test, a workload,
 * faults, checks, and variants (naive, fixed, ...) that override any of those.
 */
import { z } from 'zod';
import { distributionSchema } from '../runtime/distribution.js';
import { operationNames } from '../runtime/client-protocol.js';
import { diskFaultKinds } from '../sim/disk.js';
import { diskNemesisKinds } from '../sim/nemesis.js';

const nodeId = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'a node name of letters, digits, _ . -');
const ms = z.number().nonnegative();
const probability = z.number().min(0).max(1);

export const clockSchema = z.object({ offsetMs: z.number().optional(), driftPpm: z.number().optional() }).strict();

export const topologySchema = z
  .object({
    /** How many server nodes (named n1..nN), or their names. */
    nodes: z.union([z.number().int().min(1).max(1000), z.array(nodeId).min(1)]),
    /** Region of each node, for the network's region matrix. */
    regions: z.record(z.string(), z.array(nodeId)).optional(),
    /** Clock offset and drift per node. */
    clocks: z.record(nodeId, clockSchema).optional(),
    /** CPU time to handle one message on a server (ms); messages queue for the CPU. */
    cpuMsPerMessage: ms.optional(),
  })
  .strict();

export const networkSchema = z
  .object({
    latency: distributionSchema.optional(),
    loss: probability.optional(),
    duplicate: probability.optional(),
    reorder: probability.optional(),
    reorderDelayMs: ms.optional(),
    /**
     * any (default): a message may overtake an earlier one on its link. fifo: never, as on one TCP
     * connection; a held-back message holds back those behind it.
     */
    ordering: z.enum(['any', 'fifo']).optional(),
    regionLatency: z.record(z.string(), z.record(z.string(), distributionSchema)).optional(),
    links: z.array(z.object({ from: nodeId, to: nodeId, latency: distributionSchema, both: z.boolean().optional() }).strict()).optional(),
    /** Latency between clients and servers (default: the same as between servers). */
    clientLatency: distributionSchema.optional(),
    /**
     * peer: messages cross as the real peer codec's bytes, each delivery its own decoded copy; none: by
     * reference, faster. Default: peer for the systems that run the real node's code (RaftKv), else none.
     */
    codec: z.enum(['peer', 'none']).optional(),
  })
  .strict();

export const diskSchema = z.object({ fsyncMs: distributionSchema }).strict();

export const systemSchema = z
  .object({
    /** Which Process runs on the servers, by registered name (see `pillars processes`). */
    process: z.string(),
    config: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const keysSchema = z
  .object({
    dist: z.enum(['uniform', 'zipf', 'hot']),
    count: z.number().int().min(1).default(100),
    /** Zipf exponent. */
    s: z.number().positive().default(1),
    /** hot: the share of operations on the hot key k0; the rest spread uniformly over k1..k(count-1). */
    hotShare: z.number().gt(0).max(1).default(1),
    /**
     * The popular keys move: from `at` (ms) on, the key drawn at index i is k((i + offset) mod count),
     * so a hot spot leaves its range for another (a product launch ends, the next begins).
     */
    moves: z
      .array(z.object({ at: ms, offset: z.number().int().nonnegative() }).strict())
      .superRefine((moves, ctx) => {
        moves.forEach((m, i) => {
          if (i > 0 && m.at <= moves[i - 1].at) ctx.addIssue({ code: 'custom', path: [i, 'at'], message: 'times in increasing order' });
        });
      })
      .optional(),
  })
  .strict();

const scalar = z.union([z.number(), z.string(), z.boolean()]);

/**
 * What a scripted operation's value must be, by operation (what workload.ts generates for it, and
 * what the systems read): a transfer's amount that is not a positive number turns a balance into NaN,
 * and a check then passes or fails by accident. Operations not listed take any value.
 */
export const scriptValueSchemas: Partial<Record<(typeof operationNames)[number], z.ZodType>> = {
  read: z.undefined({ error: 'no value (a read carries none)' }),
  write: z.unknown().refine((x) => x !== undefined && x !== null, 'a value to write'),
  cas: z.tuple([scalar, scalar], { error: 'a list [expected, new]' }),
  incr: z.number(),
  transfer: z.object({ to: z.string().min(1), amount: z.number().positive() }).strict(),
  broadcast: z.unknown().refine((x) => x !== undefined && x !== null, 'a value to broadcast'),
};

export const workloadSchema = z
  .object({
    /**
     * open: arrivals at a rate regardless of replies (Poisson); closed: each client waits for its
     * reply, then thinks; script: exactly the operations of `script`, at their times.
     */
    type: z.enum(['open', 'closed', 'script']),
    ratePerSec: z.number().positive().optional(),
    clients: z.number().int().min(1).max(10000).default(1),
    thinkMs: distributionSchema.optional(),
    /** Operations are issued during [0, durationMs). */
    durationMs: z.number().positive(),
    /** Relative weights of operations, e.g. { read: 1, write: 1 }. */
    ops: z.partialRecord(z.enum(operationNames), z.number().nonnegative()).optional(),
    /** For type script: each operation, when (ms), by which client (1-based) and to which node (default: the client's target). */
    script: z
      .array(
        z
          .object({ at: ms, client: z.number().int().min(1).default(1), f: z.enum(operationNames), key: z.string().optional(), value: z.unknown().optional(), node: nodeId.optional() })
          .strict(),
      )
      .optional(),
    keys: keysSchema.optional(),
    /** The nodes clients talk to (default: every server), e.g. the front ends of a system with roles. */
    servers: z.array(nodeId).min(1).optional(),
    /** sticky: client i talks to server i mod n; random: a random server per operation; or one node's name. */
    target: z.union([z.enum(['sticky', 'random']), nodeId]).default('sticky'),
    /** A client gives up on a reply after this long and records the outcome as unknown (info). */
    timeoutMs: z.number().positive().default(1000),
    /** On a timeout, send the same request (same id) again to the next server, this many times, before recording info. */
    retries: z.number().int().nonnegative().default(0),
    /** Retry definite failures too (a refusal: queue full, rate limited), not only timeouts. */
    retryFailures: z.boolean().default(false),
    /**
     * A timed-out attempt is abandoned, as an HTTP client closes the connection: a reply to it that
     * comes later is not heard. By default a late reply still completes the operation.
     */
    abandonTimedOut: z.boolean().default(false),
    /** Wait before each retry (default: retry at once): exponential with a cap and jitter, as in the control pillar. */
    retryBackoff: z
      .object({
        initialMs: z.number().nonnegative().default(100),
        maxMs: z.number().positive().default(10_000),
        factor: z.number().min(1).default(2),
        jitter: z.enum(['none', 'full', 'equal', 'decorrelated']).default('full'),
      })
      .strict()
      .optional(),
    /** Cap retries at `ratio` of the calls of the last windowMs, plus minPerSecond (per client); past it, give up (info). */
    retryBudget: z
      .object({ ratio: z.number().nonnegative(), minPerSecond: z.number().nonnegative().default(0), windowMs: z.number().positive().default(10_000) })
      .strict()
      .optional(),
    /**
     * For open workloads: a repeating pattern (a day of shopping): the rate is multiplied by a factor
     * interpolated linearly between `points` [timeMs into the period, factor], the pattern repeating
     * every `periodMs`. Spikes multiply on top.
     */
    rateShape: z
      .object({
        periodMs: z.number().positive(),
        points: z.array(z.tuple([ms, z.number().nonnegative()])).min(1),
      })
      .strict()
      .superRefine((shape, ctx) => {
        shape.points.forEach(([at], i) => {
          if (at >= shape.periodMs) ctx.addIssue({ code: 'custom', path: ['points', i, 0], message: `a time within the period (below ${shape.periodMs})` });
          if (i > 0 && at <= shape.points[i - 1][0]) ctx.addIssue({ code: 'custom', path: ['points', i, 0], message: 'times in increasing order' });
        });
      })
      .optional(),
    /** For open workloads: times when the arrival rate is multiplied by `factor` (a trigger: a burst, a cron, a cache flush). */
    spikes: z.array(z.object({ at: ms, for: z.number().positive(), factor: z.number().positive() }).strict()).default([]),
    /** Per-operation consistency for systems that take it (the quorum store): reads and writes. */
    consistency: z
      .object({ read: z.union([z.number().int().positive(), z.enum(['ONE', 'QUORUM', 'ALL'])]).optional(), write: z.union([z.number().int().positive(), z.enum(['ONE', 'QUORUM', 'ALL'])]).optional() })
      .strict()
      .optional(),
    /** After the workload and the faults end, read every node once (broadcast and set workloads). */
    finalReads: z.boolean().default(false),
    /** After the workload and the faults end, read every key of `keys` once (at the servers in turn). */
    finalKeyReads: z.boolean().default(false),
    /** Virtual time after durationMs for final reads and stragglers before the run ends. */
    settleMs: ms.default(1000),
  })
  .strict()
  .superRefine((w, ctx) => {
    if (w.type === 'open' && w.ratePerSec === undefined) ctx.addIssue({ code: 'custom', path: ['ratePerSec'], message: 'an open workload needs ratePerSec (arrivals per second)' });
    if (w.type === 'script') {
      // An empty list is allowed: a system that generates its own load needs no client operations.
      if (w.script === undefined) ctx.addIssue({ code: 'custom', path: ['script'], message: 'a script workload needs script: a list of { at, client, f, key, value } ([] for none)' });
      w.script?.forEach((step, i) => {
        if (step.client > w.clients) ctx.addIssue({ code: 'custom', path: ['script', i, 'client'], message: `a client between 1 and clients (${w.clients})` });
        const value = scriptValueSchemas[step.f]?.safeParse(step.value);
        if (value !== undefined && !value.success) {
          for (const issue of value.error.issues) ctx.addIssue({ ...issue, path: ['script', i, 'value', ...(issue.path as (string | number)[])] } as z.core.$ZodRawIssue);
        }
      });
    } else if (w.ops === undefined || Object.values(w.ops).every((x) => !x)) {
      ctx.addIssue({ code: 'custom', path: ['ops'], message: 'at least one operation with a positive weight, e.g. { write: 1 }' });
    }
  });

const groups = z.array(z.array(nodeId).min(1)).min(2);

/** A fault at `at` for `for` ms (then healed, restarted or resumed); without `for` it stays. */
export const faultSchema = z
  .object({
    at: ms,
    for: z.number().positive().optional(),
    partition: groups.optional(),
    oneWay: z.object({ from: z.array(nodeId).min(1), to: z.array(nodeId).min(1) }).strict().optional(),
    crash: nodeId.optional(),
    crashMany: z.array(nodeId).min(1).optional(),
    pause: nodeId.optional(),
    isolate: nodeId.optional(),
    slow: z.object({ node: nodeId, factor: z.number().positive() }).strict().optional(),
    clock: z.object({ node: nodeId, offsetMs: z.number().optional(), driftPpm: z.number().optional() }).strict().optional(),
    loss: probability.optional(),
    /** Added latency on the links from -> to, both ways unless oneWay: true, e.g. { from: [n1], to: [n4], addedMs: 200 }. */
    slowLink: z.object({ from: z.array(nodeId).min(1), to: z.array(nodeId).min(1), addedMs: z.number().positive(), oneWay: z.boolean().optional() }).strict().optional(),
    /** A fault of one node's disk, e.g. { node: n2, fault: cut-log } (src/sim/disk.ts). */
    disk: z.object({ node: nodeId, fault: z.enum(diskFaultKinds) }).strict().optional(),
  })
  .strict()
  .superRefine((f, ctx) => {
    const kinds = ['partition', 'oneWay', 'slowLink', 'crash', 'crashMany', 'pause', 'isolate', 'slow', 'clock', 'loss', 'disk'].filter((k) => (f as Record<string, unknown>)[k] !== undefined);
    if (kinds.length !== 1) ctx.addIssue({ code: 'custom', path: [], message: `exactly one of partition, oneWay, slowLink, crash, crashMany, pause, isolate, slow, clock, loss, disk (got ${kinds.length === 0 ? 'none' : kinds.join(', ')})` });
  });

export const nemesisKinds = ['partition', 'one-way', 'crash', 'crash-majority', 'pause', 'slow', 'clock', 'loss', ...diskNemesisKinds] as const;

export const nemesisSchema = z
  .object({
    faults: z.array(z.enum(nemesisKinds)).min(1),
    /** The nodes faults may hit (default: every server), e.g. only the workers of a system with roles. */
    nodes: z.array(nodeId).min(1).optional(),
    /** Mean time between the start of one fault and the next (each gap uniform in [0.5, 1.5] x this). */
    intervalMs: z.number().positive(),
    /** How long each fault lasts. */
    durationMs: z.number().positive(),
    startMs: ms.default(0),
    /** No fault starts after this and all are healed by it (default: the workload's durationMs). */
    stopMs: ms.optional(),
    /** For slow: the factor; for clock: the largest offset jump (ms); for loss: the probability. */
    slowFactor: z.number().positive().default(10),
    clockOffsetMsMax: z.number().positive().default(1000),
    lossProbability: probability.default(0.5),
  })
  .strict();

/** A check: its name, its own parameters, and an optional id that labels it (two checks of one kind need one). */
export const checkSpecSchema = z.object({ name: z.string(), id: z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'a label of letters, digits, _ . : -').optional() }).catchall(z.unknown());

export const metricsSchema = z
  .object({
    /** Sample every counter and gauge on virtual time into a series (in the JSON report). */
    sampleEveryMs: z.number().positive().optional(),
    /** The metrics the terminal table shows, in this order (default: all; the JSON has all). */
    show: z.array(z.string()).optional(),
    /** Counters drawn as sparklines of their rate under the table (implies sampling). */
    chart: z.array(z.string()).optional(),
  })
  .strict();

const bodyFields = {
  description: z.string().optional(),
  topology: topologySchema,
  network: networkSchema.default({}),
  disk: diskSchema.optional(),
  system: systemSchema,
  workload: workloadSchema,
  faults: z.array(faultSchema).default([]),
  nemesis: nemesisSchema.optional(),
  checks: z.array(checkSpecSchema).default([]),
  metrics: metricsSchema.default({}),
  /** A run that executes more events than this stops early and fails the check event-budget. */
  eventsMax: z.number().int().positive().default(50_000_000),
  /**
   * pass: every check must hold. { fail: [labels] }: the checks the story is about must fail, and
   * nothing else may go wrong (a missing metric, the event budget). { search: [labels], caught, seeds }:
   * a random search for a rare failure, caught on `caught` of the seeds `seeds` (A..B). Checked in
   * load.ts, which turns it into an Expectation.
   */
  expect: z.unknown().default('pass'),
};

/** One variant after its overrides are merged into the base. */
export const resolvedSchema = z.object({ name: z.string(), seed: z.number().int().nonnegative().default(1), ...bodyFields }).strict();
export type ResolvedVariant = Omit<z.infer<typeof resolvedSchema>, 'expect'> & {
  expect: Expectation;
  /** The command line's --set overrides that shaped this variant, as given. */
  overrides?: string[];
};

/**
 * What a variant is expected to show. A check's label is its id, or `metric:<metric>` for a metric
 * check, `compare:<metric>` for a comparison, or its name.
 */
export type Expectation =
  | { kind: 'pass' }
  | { kind: 'fail'; checks: string[] }
  | { kind: 'search'; checks: string[]; caught: number; seeds: [number, number] };
export type Workload = ResolvedVariant['workload'];
export type Fault = z.infer<typeof faultSchema>;
export type NemesisConfig = z.infer<typeof nemesisSchema>;
export type CheckSpec = z.infer<typeof checkSpecSchema>;

/** The top level of a file, before merging: variants are checked field by field after the merge. */
export const fileSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/, 'a lower-case name of letters, digits and -'),
    seed: z.number().int().nonnegative().optional(),
    variants: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'a variant name of letters, digits, _ . -'), z.record(z.string(), z.unknown())).optional(),
  })
  .catchall(z.unknown());
