/**
 * The hot-shard story as a system: a router in front of shards that own key ranges (keys compare
 * as strings). Each shard is a work/queue-server with its own capacity. Under a skewed load the
 * shard holding the popular keys saturates while the others idle. With `autoSplit`, the router
 * counts requests per range and, every `everyMs`, splits the busiest range at the median of the
 * keys it saw there, giving the upper half to the least busy shard (load-based splitting, as
 * Bigtable and CockroachDB do). A single key hotter than a shard can serve cannot be split: that is
 * what bounded loads or key salting are for.
 *
 * Roles by name: `router` routes; every other server is a shard.
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { isClientReply, isClientRequest, type ClientReply, type ClientRequest } from '../../runtime/client-protocol.js';
import { distributionSchema } from '../../runtime/distribution.js';
import { Relay } from '../../runtime/relay.js';
import { QueueServer } from '../../work/index.js';
import { RangePartitioner } from '../../state/partition/partitioners.js';

export const rangeShardsConfigSchema = z
  .object({
    router: nodeRef().default('n1'),
    /** The initial split points (ranges: below the first, between each pair, from the last on). */
    splits: z.array(z.string()).min(1),
    workers: z.number().int().positive().default(1),
    service: distributionSchema,
    autoSplit: z.object({ everyMs: z.number().positive(), minShare: z.number().gt(0).max(1).default(0.2) }).strict().optional(),
  })
  .strict();
export type RangeShardsConfig = z.infer<typeof rangeShardsConfigSchema>;

class Router implements Process {
  private ranges: RangePartitioner;
  private readonly relay: Relay;
  private readonly shards: NodeId[];
  /** Requests per range since the last split decision, and the keys seen there. */
  private counts: number[] = [];
  private keysSeen: string[][] = [];

  constructor(
    private readonly ctx: Context,
    private readonly config: RangeShardsConfig,
  ) {
    this.shards = ctx.peers.filter((p) => p !== config.router).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    this.ranges = new RangePartitioner(config.splits, config.splits.map((_, i) => this.shards[i % this.shards.length]).concat(this.shards[config.splits.length % this.shards.length]));
    this.relay = new Relay(ctx);
    this.reset();
  }

  private reset(): void {
    this.counts = this.ranges.owners.map(() => 0);
    this.keysSeen = this.ranges.owners.map(() => []);
  }

  start(): void {
    const a = this.config.autoSplit;
    if (a === undefined) return;
    const decide = () => {
      this.maybeSplit(a.minShare);
      this.ctx.setTimer(a.everyMs, decide);
    };
    this.ctx.setTimer(a.everyMs, decide);
  }

  /** Split the busiest range at its median key if it carries more than minShare of the requests. */
  private maybeSplit(minShare: number): void {
    const total = this.counts.reduce((a, b) => a + b, 0);
    if (total === 0) return;
    const i = this.counts.indexOf(Math.max(...this.counts));
    const keys = [...new Set(this.keysSeen[i])].sort();
    if (this.counts[i] / total >= minShare && keys.length >= 2) {
      const at = keys[keys.length >> 1];
      // The least busy shard, by requests routed to its ranges in this period.
      const load = new Map(this.shards.map((s) => [s, 0]));
      this.ranges.owners.forEach((o, j) => load.set(o, load.get(o)! + this.counts[j]));
      const target = [...load].sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : 1))[0][0];
      try {
        this.ranges = this.ranges.split(i, at, target);
        this.ctx.metrics.count('range_splits');
        this.ctx.log('split', { range: i, at, to: target });
      } catch {
        // The median is the range's first key: nothing to split off.
      }
    }
    this.reset();
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.route(from, msg);
    if (isClientReply(msg)) this.answer(msg);
  }

  private route(client: NodeId, req: ClientRequest): void {
    const key = req.op.key ?? '';
    const i = this.ranges.rangeOf(key);
    this.counts[i]++;
    if (this.keysSeen[i].length < 10_000) this.keysSeen[i].push(key);
    const shard = this.ranges.owners[i];
    this.ctx.metrics.count(`requests_to_${shard}`);
    this.relay.forward(client, req, shard);
  }

  private answer(reply: ClientReply): void {
    const r = this.relay.take(reply);
    if (r !== undefined) this.relay.answer(r, reply);
  }
}

export const rangeShards = (ctx: Context, config: RangeShardsConfig): Process =>
  ctx.id === config.router ? new Router(ctx, config) : new QueueServer(ctx, { workers: config.workers, service: config.service });
