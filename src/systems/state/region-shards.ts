/**
 * The seed's hierarchical sharding as a system: region, then customer tier, then hash % 1000. Each
 * region has a router that its customers' clients talk to and shards (work/queue-server) of its own.
 * A customer's key is `k<i>`; the lowest `hotTier.keysBelow` indices are the premium tier, which
 * under a Zipf load are also the busiest customers.
 *
 * - flat: one hash over every shard of every region, as if the cluster were one room: the load is
 *   even, but a request lands in another region (a WAN round trip) for two thirds of the shards,
 *   and the busiest customers share every shard with everyone else.
 * - hierarchical: the region picks the region's shards, the tier picks the premium tier's own
 *   shards (`hotTier.shards` of them per region) or the rest, and bucket = hash(key) % 1000 picks
 *   among those: requests stay in their region, and a hot tier is served apart from the others.
 *
 * Roles by name: each region's `router` routes; its `shards` serve.
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { isClientReply, isClientRequest, type ClientReply, type ClientRequest } from '../../runtime/client-protocol.js';
import { distributionSchema } from '../../runtime/distribution.js';
import { hashString } from '../../runtime/hash.js';
import { Relay, type Relayed } from '../../runtime/relay.js';
import { QueueServer } from '../../work/index.js';

/** The seed's last level: a key's bucket is hash % 1000; buckets, not keys, are dealt to shards. */
const bucketCount = 1000;

export const regionShardsConfigSchema = z
  .object({
    layout: z.enum(['flat', 'hierarchical']),
    regions: z.record(z.string(), z.object({ router: nodeRef(), shards: z.array(nodeRef()).min(2) }).strict()).refine((r) => Object.keys(r).length >= 1, 'at least one region'),
    /** The premium tier: keys k0 .. k(keysBelow - 1), served by the first `shards` shards of each region. */
    hotTier: z.object({ keysBelow: z.number().int().positive(), shards: z.number().int().positive() }).strict(),
    workers: z.number().int().positive().default(1),
    service: distributionSchema,
  })
  .strict()
  .superRefine((c, ctx) => {
    for (const [name, r] of Object.entries(c.regions)) {
      if (c.hotTier.shards >= r.shards.length) ctx.addIssue({ code: 'custom', path: ['hotTier', 'shards'], message: `fewer than region ${name}'s ${r.shards.length} shards (the other tiers need some)` });
    }
  });
export type RegionShardsConfig = z.infer<typeof regionShardsConfigSchema>;

type Tier = 'premium' | 'standard';

class RegionRouter implements Process {
  private readonly relay: Relay;
  private readonly region: string;
  private readonly regionOf = new Map<NodeId, string>();
  private readonly allShards: NodeId[];
  /** The tiers each shard has served for this router: a shard that serves both counts once per router. */
  private readonly tiersOf = new Map<NodeId, Set<Tier>>();

  constructor(
    private readonly ctx: Context,
    private readonly config: RegionShardsConfig,
  ) {
    this.relay = new Relay(ctx);
    // Reported as 0 when nothing crosses or mixes: those zeros are what the story checks.
    for (const m of ['cross_region_requests', 'shards_mixing_tiers']) ctx.metrics.count(m, 0);
    for (const [name, r] of Object.entries(config.regions)) for (const s of r.shards) this.regionOf.set(s, name);
    this.region = Object.entries(config.regions).find(([, r]) => r.router === ctx.id)![0];
    this.allShards = Object.values(config.regions).flatMap((r) => r.shards);
  }

  private tierOf(key: string): Tier {
    return Number(key.slice(1)) < this.config.hotTier.keysBelow ? 'premium' : 'standard';
  }

  /** Which shard serves this customer's key. */
  private shardFor(key: string, tier: Tier): NodeId {
    if (this.config.layout === 'flat') return this.allShards[hashString(`${this.region}:${key}`) % this.allShards.length];
    const shards = this.config.regions[this.region].shards;
    const n = this.config.hotTier.shards;
    const tierShards = tier === 'premium' ? shards.slice(0, n) : shards.slice(n);
    const bucket = hashString(key) % bucketCount;
    return tierShards[bucket % tierShards.length];
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.route(from, msg);
    if (isClientReply(msg)) this.answer(msg);
  }

  private route(client: NodeId, req: ClientRequest): void {
    const key = req.op.key ?? 'k0';
    const tier = this.tierOf(key);
    const shard = this.shardFor(key, tier);
    if (this.regionOf.get(shard) !== this.region) this.ctx.metrics.count('cross_region_requests');
    const tiers = this.tiersOf.get(shard) ?? new Set<Tier>();
    if (!tiers.has(tier) && tiers.size > 0) this.ctx.metrics.count('shards_mixing_tiers');
    tiers.add(tier);
    this.tiersOf.set(shard, tiers);
    this.relay.forward(client, req, shard);
  }

  private answer(reply: ClientReply): void {
    const r: Relayed | undefined = this.relay.take(reply);
    if (r === undefined) return;
    // The time behind the router, per tier: what a standard customer pays for sharing with premium.
    this.ctx.metrics.observe(`${this.tierOf(r.req.op.key ?? 'k0')}_shard_ms`, this.ctx.now() - r.sentMs);
    this.relay.answer(r, reply);
  }
}

export const regionShards = (ctx: Context, config: RegionShardsConfig): Process =>
  Object.values(config.regions).some((r) => r.router === ctx.id) ? new RegionRouter(ctx, config) : new QueueServer(ctx, { workers: config.workers, service: config.service });
