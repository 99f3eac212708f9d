/**
 * The hot-shard story as a system: a router in front of shards that own key ranges (keys compare
 * as strings). Each shard is a work/queue-server with its own capacity. Under a skewed load the
 * shard holding the popular keys saturates while the others idle. With `autoSplit`, the router
 * counts requests per range and, every `everyMs`, splits the busiest range at the median of the
 * keys it saw there, giving the upper half to the least busy shard (load-based splitting, as
 * Bigtable and CockroachDB do). A single key hotter than a shard can serve cannot be split: that is
 * what bounded loads or key salting are for.
 *
 * With `autoMerge` as well, the same decision merges two neighbouring ranges the load has left:
 * when the merged range would carry less than `belowShare` of the requests and both halves have
 * stood for `cooldownMs`. Without merging, every hot spot that comes and goes leaves its splits
 * behind and the range count only grows (each range costs the router a lookup entry, and a real
 * store a Raft group and its heartbeats). The hysteresis is the gap between the two thresholds: a
 * merged range must stay well below the share that splits one, or the next decision splits it
 * again (a flap, counted as `reshard_flaps`: a split of a range a merge formed within
 * flapWindowMs).
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
import { compareNumbered } from '../../runtime/ordinal.js';

export const rangeShardsConfigSchema = z
  .object({
    router: nodeRef().default('n1'),
    /** The initial split points (ranges: below the first, between each pair, from the last on). */
    splits: z.array(z.string()).min(1),
    workers: z.number().int().positive().default(1),
    service: distributionSchema,
    autoSplit: z.object({ everyMs: z.number().positive(), minShare: z.number().gt(0).max(1).default(0.2) }).strict().optional(),
    autoMerge: z.object({ belowShare: z.number().gt(0).max(1), cooldownMs: z.number().nonnegative().default(0) }).strict().optional(),
  })
  .strict()
  .refine((c) => c.autoMerge === undefined || c.autoSplit !== undefined, { path: ['autoMerge'], message: 'autoSplit too (merges are decided with the splits, every autoSplit.everyMs)' });
export type RangeShardsConfig = z.infer<typeof rangeShardsConfigSchema>;

/** A split of a range that a merge formed less than this long ago undoes the merge: a flap. */
const flapWindowMs = 10_000;

class Router implements Process {
  private ranges: RangePartitioner;
  private readonly relay: Relay;
  private readonly shards: NodeId[];
  /** Requests per range since the last split decision, and the keys seen there. */
  private counts: number[] = [];
  private keysSeen: string[][] = [];
  /** Per range: when a split or a merge formed it, and when a merge did (-Infinity: never). */
  private formedAt: number[];
  private mergedAt: number[];
  private rangesMax: number;

  constructor(
    private readonly ctx: Context,
    private readonly config: RangeShardsConfig,
  ) {
    this.shards = ctx.peers.filter((p) => p !== config.router).sort(compareNumbered);
    this.ranges = new RangePartitioner(config.splits, config.splits.map((_, i) => this.shards[i % this.shards.length]).concat(this.shards[config.splits.length % this.shards.length]));
    this.relay = new Relay(ctx);
    this.formedAt = this.ranges.owners.map(() => -Infinity);
    this.mergedAt = this.ranges.owners.map(() => -Infinity);
    this.rangesMax = this.ranges.owners.length;
    this.reset();
    this.gaugeRanges();
    // Reported as 0 when nothing happens: "no flaps" is a result the story checks.
    if (config.autoSplit !== undefined) for (const m of ['range_splits', 'range_merges', 'reshard_flaps']) ctx.metrics.count(m, 0);
  }

  private gaugeRanges(): void {
    this.rangesMax = Math.max(this.rangesMax, this.ranges.owners.length);
    this.ctx.metrics.gauge('ranges', this.ranges.owners.length);
    this.ctx.metrics.gauge('ranges_max', this.rangesMax);
  }

  private reset(): void {
    this.counts = this.ranges.owners.map(() => 0);
    this.keysSeen = this.ranges.owners.map(() => []);
  }

  start(): void {
    const a = this.config.autoSplit;
    if (a === undefined) return;
    const decide = () => {
      const m = this.config.autoMerge;
      if (m !== undefined) this.mergeCold(m.belowShare, m.cooldownMs);
      this.maybeSplit(a.minShare);
      this.gaugeRanges();
      this.ctx.setTimer(a.everyMs, decide);
    };
    this.ctx.setTimer(a.everyMs, decide);
  }

  /** Requests routed to each shard's ranges in this period. */
  private shardLoad(): Map<NodeId, number> {
    const load = new Map(this.shards.map((s) => [s, 0]));
    this.ranges.owners.forEach((o, j) => load.set(o, load.get(o)! + this.counts[j]));
    return load;
  }

  /**
   * Merge neighbours, left to right, whose sum stays below belowShare of this period's requests and
   * that have both stood for cooldownMs; the merged range goes to the less busy of the two owners.
   * Counts and keys seen are summed, so the split decision that follows sees the merged range.
   */
  private mergeCold(belowShare: number, cooldownMs: number): void {
    const total = this.counts.reduce((a, b) => a + b, 0);
    if (total === 0) return;
    const now = this.ctx.now();
    const load = this.shardLoad();
    for (let i = 0; i + 1 < this.counts.length; i++) {
      const sum = this.counts[i] + this.counts[i + 1];
      if (sum / total >= belowShare || now - this.formedAt[i] < cooldownMs || now - this.formedAt[i + 1] < cooldownMs) continue;
      const [lower, upper] = [this.ranges.owners[i], this.ranges.owners[i + 1]];
      const owner = load.get(upper)! < load.get(lower)! ? upper : lower;
      this.ctx.log('merge', { range: i, at: this.ranges.splits[i], to: owner });
      this.ranges = this.ranges.merge(i, owner);
      this.counts.splice(i, 2, sum);
      this.keysSeen.splice(i, 2, this.keysSeen[i].concat(this.keysSeen[i + 1]));
      this.formedAt.splice(i, 2, now);
      this.mergedAt.splice(i, 2, now);
      this.ctx.metrics.count('range_merges');
    }
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
      const target = [...this.shardLoad()].sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : 1))[0][0];
      try {
        this.ranges = this.ranges.split(i, at, target);
        const now = this.ctx.now();
        if (now - this.mergedAt[i] < flapWindowMs) this.ctx.metrics.count('reshard_flaps');
        this.formedAt.splice(i, 1, now, now);
        this.mergedAt.splice(i, 1, -Infinity, -Infinity);
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
