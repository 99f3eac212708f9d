/**
 * The e-commerce platform's simulation config: which node plays which part, and for each pillar the
 * design in use. `pillars demo` derives it from a system spec (examples/ecommerce.yaml); a scenario can
 * also give it directly. Every "naive" choice here is one the seeds warn about.
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import { distributionSchema } from '../../runtime/distribution.js';

const nodeId = nodeRef();
const windowSchema = z.object({ atMs: z.number().nonnegative(), forMs: z.number().positive() }).strict();

export const platformConfigSchema = z
  .object({
    /** One gateway per region, each with its region's catalog replica. */
    regions: z.record(z.string(), z.object({ gateway: nodeId, catalog: nodeId }).strict()),
    /** The region whose catalog takes the central price updates. */
    homeRegion: z.string(),
    /** State: the catalog replicated to every region (reads stay local), or kept in the home region only. */
    catalogReplicated: z.boolean(),
    /** Prices change centrally this often and replicate to the other regions. */
    pricingEveryMs: z.number().positive().default(5_000),
    /** Work: app servers behind each gateway's balancer. */
    appServers: z.array(nodeId).min(1),
    balancer: z.enum(['round-robin', 'power-of-two-choices']).default('power-of-two-choices'),
    appSlots: z.number().int().positive().default(16),
    appService: distributionSchema.default({ dist: 'exponential', mean: 5 }),
    /** Truth (and state): inventory partitioned by warehouse, each warehouse one replica group. */
    warehouses: z.array(z.array(nodeId).min(1)).min(1),
    /** raft: one Raft group per warehouse, a reservation is one conditional transfer; async-primary: read, check, write on a primary with async replicas. */
    inventoryStore: z.enum(['raft', 'async-primary']),
    skus: z.number().int().positive(),
    stockPerSku: z.number().int().positive(),
    /** The doors open (stock loaded) at this time; checkouts before are refused. */
    openAtMs: z.number().nonnegative().default(1_000),
    /** Work: order fulfilment (payment capture, shipping) after the order is recorded. */
    fulfilment: z
      .object({
        node: nodeId,
        /** async: the order is acknowledged once recorded; fulfilment follows from a queue. sync: the checkout waits for it. */
        mode: z.enum(['async', 'sync']),
        workers: z.number().int().positive(),
        service: distributionSchema,
      })
      .strict(),
    /** Control: a release that fails a fraction of requests reaches one server at `atMs`. */
    badDeploy: z.object({ server: nodeId, atMs: z.number().nonnegative(), errorRate: z.number().min(0).max(1) }).strict().optional(),
    /** Control: a breaker per app server at each gateway; an open breaker ejects the server and rolls back its release. */
    serverBreakers: z.boolean(),
    /** Intelligence: fraud scoring at the gateways, optionally behind the ML circuit breaker with a rules fallback. */
    fraud: z
      .object({
        rate: z.number().min(0).max(1),
        driftAtMs: z.number().nonnegative().optional(),
        chargebackDelayMs: z.number().positive().default(2_000),
        /**
         * How long after the drift the guard has to react: fraud_loss_after_reaction_usd counts the
         * losses on checkouts that arrive later than this. The guard judges minimumScored (20) outcomes
         * within its 10 s window, each arriving chargebackDelayMs after its checkout: its window plus
         * the label delay, with room for the outcomes to gather at the gateway's checkout rate.
         */
        reactWithinMs: z.number().nonnegative().default(20_000),
        guard: z.enum(['none', 'ml-circuit-breaker']),
      })
      .strict(),
    /** Timeouts of the platform's own calls. */
    callTimeoutMs: z.number().positive().default(1_000),
    /** Windows the report measures separately (the chaos and the spike). */
    windows: z.object({ partition: windowSchema.optional(), spike: windowSchema.optional(), crash: windowSchema.optional() }).strict().default({}),
    /** When the home gateway audits the inventory (stock and sold per SKU) against acknowledged orders. */
    auditAtMs: z.number().positive(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!(c.homeRegion in c.regions)) ctx.addIssue({ code: 'custom', path: ['homeRegion'], message: `one of the regions (${Object.keys(c.regions).join(', ')})` });
    if (c.badDeploy !== undefined && !c.appServers.includes(c.badDeploy.server)) ctx.addIssue({ code: 'custom', path: ['badDeploy', 'server'], message: 'one of appServers' });
  });
export type PlatformConfig = z.infer<typeof platformConfigSchema>;

/** The warehouse (index) that holds a SKU: inventory is partitioned by warehouse. */
export const warehouseOf = (c: PlatformConfig, sku: number) => sku % c.warehouses.length;

/** The SKU a checkout buys: the number in its workload key (k7 is SKU 7), wrapped to the catalog. */
export const skuOf = (c: Pick<PlatformConfig, 'skus'>, key: string | undefined) => Number(String(key ?? '0').replace(/\D/g, '')) % c.skus;
