/**
 * The time-partitioned store of the time-partitioned story: a router in front of shards that store
 * rows by UTC day. Each write is stamped with the router's clock ("now", as ingestion stamps an
 * event, a log line, a sensor reading) and stored under "<day>/<entity>"; a scan returns every row
 * of the current day. Each shard is a work/queue-server that keeps the rows it was given.
 *
 * - salts = 1: the day alone picks the shard (hash(day) % shards). Range queries ask one shard, but
 *   every write of the day lands on that shard: the hot spot of time-series stores. Its queue grows
 *   without bound while the other shards hold past days and idle; at midnight the hot spot moves.
 * - salts = s > 1: the day plus a hash of the entity picks one of s shards, so the day's writes
 *   spread over s shards, and a query over the day asks all s and merges their rows (the fan-out is
 *   the price, measured as shard requests per scan).
 * - query: home-shard asks only the day's home shard, as a reader written for the unsalted layout
 *   does after the writes were salted: its scans miss the rows on the other salts.
 *
 * The router checks every scan it answers: each row whose write it acknowledged before the scan
 * began must be in the result (scan_rows_expected counts them, scan_rows_missing those that are not),
 * and each row returned must be one it sent for that day (scan_rows_foreign).
 *
 * Roles by name: `router` routes; every other server is a shard.
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientReply, isClientRequest, type ClientReply, type ClientRequest } from '../../runtime/client-protocol.js';
import { distributionSchema } from '../../runtime/distribution.js';
import { compareNumbered } from '../../runtime/ordinal.js';
import { Relay, type Relayed } from '../../runtime/relay.js';
import { QueueServer } from '../../work/index.js';
import { TimePartitioner, parseUtc, utcDay } from '../../state/index.js';

export const timeShardsConfigSchema = z
  .object({
    router: nodeRef().default('n1'),
    /** Shards a day's writes spread over: 1 partitions by time alone; at most the number of shards. */
    salts: z.number().int().positive().default(1),
    /** Which shards a scan of a day asks: every salt's, or only the day's home shard. */
    query: z.enum(['every-salt', 'home-shard']).default('every-salt'),
    /** The UTC wall time at the start of the run: the router's clock counts on from it. */
    start: z.string().refine((s) => parseUtc(s) !== undefined, 'a UTC time such as 2026-11-23T23:59:50Z'),
    workers: z.number().int().positive().default(1),
    service: distributionSchema,
  })
  .strict();
export type TimeShardsConfig = z.infer<typeof timeShardsConfigSchema>;

/** A scan of one day in progress: the parts still out and the rows the others returned. */
interface Scan {
  day: string;
  /** How many of the day's acknowledged writes were acknowledged before the scan began. */
  ackedBefore: number;
  partsWaiting: number;
  rows: unknown[];
  /** The first part that did not come back ok, if any: the scan then fails as a whole. */
  failed?: ClientReply;
  startedMs: number;
}

class TimeRouter implements Process {
  private readonly relay: Relay;
  private readonly shards: NodeId[];
  private readonly partition: TimePartitioner;
  private readonly startMs: number;
  private readonly writesTo = new Map<NodeId, number>();
  private writesTotal = 0;
  private writesToHottest = 0;
  /** Requests sent to each shard and not yet answered: its queue as the router sees it. */
  private readonly outstanding = new Map<NodeId, number>();
  private backlogMax = 0;
  /** Per day: the values of writes sent to a shard, and of those acknowledged, in order. */
  private readonly sent = new Map<string, Set<unknown>>();
  private readonly acked = new Map<string, unknown[]>();
  /** Scans in progress by client and request id. */
  private readonly scans = new Map<string, Scan>();

  constructor(
    private readonly ctx: Context,
    private readonly config: TimeShardsConfig,
  ) {
    this.relay = new Relay(ctx);
    this.shards = ctx.peers.filter((p) => p !== config.router).sort(compareNumbered);
    this.partition = new TimePartitioner(this.shards, config.salts);
    this.startMs = parseUtc(config.start)!;
    for (const s of this.shards) {
      this.writesTo.set(s, 0);
      this.outstanding.set(s, 0);
      // Every shard reported, the idle ones as 0: the spread is what the story shows.
      ctx.metrics.count(`writes_to_${s}`, 0);
    }
    // Reported as 0 when nothing is missing: those zeros are what the story checks.
    for (const m of ['scan_rows_expected', 'scan_rows_missing', 'scan_rows_foreign', 'scans_verified', 'scan_shard_requests']) ctx.metrics.count(m, 0);
    ctx.metrics.gauge('scan_fanout', config.query === 'home-shard' ? 1 : config.salts);
  }

  /** Today, by this router's clock. */
  private today(): string {
    return utcDay(this.startMs + this.ctx.now());
  }

  private queryShards(day: string): string[] {
    const owners = this.partition.ownersOf(day);
    return this.config.query === 'home-shard' ? owners.slice(0, 1) : owners;
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) {
      if (msg.op.f === 'write') return this.write(from, msg);
      if (msg.op.f === 'scan') return this.scan(from, msg);
      this.ctx.send(from, clientReply(msg, 'fail', undefined, `unsupported operation ${msg.op.f} (write, scan)`));
      return;
    }
    if (isClientReply(msg)) this.answer(msg);
  }

  private forward(client: NodeId, req: ClientRequest, shard: NodeId): void {
    const n = this.outstanding.get(shard)! + 1;
    this.outstanding.set(shard, n);
    if (n > this.backlogMax) {
      this.backlogMax = n;
      this.ctx.metrics.gauge('shard_backlog_max', n);
    }
    this.relay.forward(client, req, shard);
  }

  private write(client: NodeId, req: ClientRequest): void {
    const day = this.today();
    const key = `${day}/${req.op.key ?? 'k0'}`;
    const shard = this.partition.owner(key);
    const count = this.writesTo.get(shard)! + 1;
    this.writesTo.set(shard, count);
    this.writesTotal++;
    this.writesToHottest = Math.max(this.writesToHottest, count);
    this.ctx.metrics.count(`writes_to_${shard}`);
    this.ctx.metrics.gauge('hottest_shard_write_share', this.writesToHottest / this.writesTotal);
    const sent = this.sent.get(day) ?? new Set();
    sent.add(req.op.value);
    this.sent.set(day, sent);
    this.forward(client, { ...req, op: { f: 'write', key, value: req.op.value } }, shard);
  }

  private scan(client: NodeId, req: ClientRequest): void {
    const day = this.today();
    const shards = this.queryShards(day);
    this.scans.set(`${client}/${req.id}`, { day, ackedBefore: this.acked.get(day)?.length ?? 0, partsWaiting: shards.length, rows: [], startedMs: this.ctx.now() });
    this.ctx.metrics.count('scan_shard_requests', shards.length);
    for (const s of shards) this.forward(client, { ...req, op: { f: 'scan', key: day } }, s);
  }

  private answer(reply: ClientReply): void {
    const r: Relayed | undefined = this.relay.take(reply);
    if (r === undefined) return;
    this.outstanding.set(r.to, this.outstanding.get(r.to)! - 1);
    if (r.req.op.f === 'write') {
      if (reply.status === 'ok') {
        const day = TimePartitioner.bucketOf(r.req.op.key!);
        const acked = this.acked.get(day) ?? [];
        acked.push(r.req.op.value);
        this.acked.set(day, acked);
      }
      this.ctx.metrics.observe('write_ms', this.ctx.now() - r.sentMs);
      return this.relay.answer(r, reply);
    }
    const id = `${r.client}/${r.req.id}`;
    const scan = this.scans.get(id)!;
    if (reply.status === 'ok') scan.rows.push(...(reply.value as unknown[]));
    else scan.failed ??= reply;
    if (--scan.partsWaiting > 0) return;
    this.scans.delete(id);
    if (scan.failed !== undefined) return this.relay.answer(r, scan.failed);
    this.verify(scan);
    this.ctx.metrics.observe('scan_ms', this.ctx.now() - scan.startedMs);
    this.relay.answer(r, { ...reply, value: scan.rows.length });
  }

  /** Every row acknowledged before the scan began is in it; every row in it was written that day. */
  private verify(scan: Scan): void {
    const returned = new Set(scan.rows);
    const acked = this.acked.get(scan.day) ?? [];
    let missing = 0;
    for (let i = 0; i < scan.ackedBefore; i++) if (!returned.has(acked[i])) missing++;
    const sent = this.sent.get(scan.day) ?? new Set();
    let foreign = 0;
    for (const v of returned) if (!sent.has(v)) foreign++;
    this.ctx.metrics.count('scans_verified');
    this.ctx.metrics.count('scan_rows_expected', scan.ackedBefore);
    this.ctx.metrics.count('scan_rows_missing', missing);
    this.ctx.metrics.count('scan_rows_foreign', foreign);
    if (missing > 0 || foreign > 0) this.ctx.log('scan_incomplete', { day: scan.day, missing, foreign, acked: scan.ackedBefore, returned: returned.size });
  }
}

/** A shard's rows by day, in the order written. */
class DayRows {
  private readonly byDay = new Map<string, unknown[]>();

  apply(req: ClientRequest): unknown {
    const key = req.op.key ?? '';
    if (req.op.f === 'scan') return [...(this.byDay.get(key) ?? [])];
    const day = TimePartitioner.bucketOf(key);
    const rows = this.byDay.get(day) ?? [];
    rows.push(req.op.value);
    this.byDay.set(day, rows);
    return undefined;
  }
}

export const timeShards = (ctx: Context, config: TimeShardsConfig): Process => {
  if (ctx.id === config.router) return new TimeRouter(ctx, config);
  const rows = new DayRows();
  return new QueueServer(ctx, { workers: config.workers, service: config.service }, (req) => rows.apply(req));
};
