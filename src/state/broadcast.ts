/**
 * Broadcast: every node must end up with every value any client broadcast to any node.
 *
 * Two designs, the two variants of scenarios/broadcast.yaml:
 * - flood-once: the receiving node tells each peer once and forgets. A message lost to a partition is
 *   lost for good, and the peers behind it never learn the value.
 * - gossip (retry until acked): each node keeps, per peer, the values that peer has not acknowledged,
 *   and resends them in one batch every `retryMs` until the ack arrives. Partitions only delay delivery.
 *
 * Client operations: broadcast (value) and read (returns every value this node has, sorted).
 * Metric delivery_ms: from the broadcast at its first node to the value's arrival at another node,
 * measured with the nodes' clocks (exact when the scenario gives them no skew).
 */
import { z } from 'zod';
import type { Context, NodeId, Process } from '../runtime/context.js';
import { clientReply, isClientRequest, type ClientRequest } from '../runtime/client-protocol.js';

interface Item {
  value: number;
  /** Clock of the first node when the client's broadcast reached it. */
  at: number;
}

interface GossipMessage {
  type: 'gossip';
  items: Item[];
}

interface GossipAck {
  type: 'gossip_ack';
  values: number[];
}

abstract class BroadcastNode implements Process {
  protected readonly seen = new Set<number>();

  constructor(protected readonly ctx: Context) {}

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.onClient(from, msg);
    const m = msg as GossipMessage | GossipAck;
    if (m.type === 'gossip') this.onGossip(from, m);
    else if (m.type === 'gossip_ack') this.onAck(from, m);
  }

  private onClient(from: NodeId, req: ClientRequest): void {
    if (req.op.f === 'read') {
      this.ctx.send(from, clientReply(req, 'ok', [...this.seen].sort((a, b) => a - b)));
    } else if (req.op.f === 'broadcast' && typeof req.op.value === 'number') {
      const item: Item = { value: req.op.value, at: this.ctx.now() };
      if (!this.seen.has(item.value)) {
        this.seen.add(item.value);
        this.spread(item, undefined);
      }
      this.ctx.send(from, clientReply(req, 'ok'));
    } else {
      this.ctx.send(from, clientReply(req, 'fail', undefined, `unsupported operation ${req.op.f}`));
    }
  }

  /** A value arrived from a peer: keep it, and spread it if the design relays. */
  protected learn(from: NodeId, item: Item): void {
    if (this.seen.has(item.value)) return;
    this.seen.add(item.value);
    this.ctx.metrics.observe('delivery_ms', this.ctx.now() - item.at);
    this.spread(item, from);
  }

  protected abstract spread(item: Item, from: NodeId | undefined): void;
  protected abstract onGossip(from: NodeId, m: GossipMessage): void;
  protected onAck(_from: NodeId, _m: GossipAck): void {}
}

/** Tell every peer once; never retry. */
export class FloodOnce extends BroadcastNode {
  protected spread(item: Item, from: NodeId | undefined): void {
    // On a complete graph the first node reaches everyone; relays would only repeat it.
    if (from !== undefined) return;
    for (const p of this.ctx.peers) this.ctx.send(p, { type: 'gossip', items: [item] } satisfies GossipMessage);
  }

  protected onGossip(from: NodeId, m: GossipMessage): void {
    for (const item of m.items) this.learn(from, item);
  }
}

export const gossipConfigSchema = z
  .object({
    /** Resend unacknowledged values this often. */
    retryMs: z.number().positive().default(100),
    /**
     * Also relay values learnt from peers (costs about n^2 messages per broadcast instead of 2n, but a
     * value survives the crash of the node that first received it).
     */
    relay: z.boolean().default(false),
    /** At most this many values in one gossip message. */
    batchItemsMax: z.number().int().positive().default(512),
  })
  .strict();
export type GossipConfig = z.infer<typeof gossipConfigSchema>;

/** Send to every peer and resend, batched, until each peer acknowledges. */
export class GossipUntilAcked extends BroadcastNode {
  /** Per peer: values sent but not yet acknowledged. */
  private readonly unacked = new Map<NodeId, Map<number, Item>>();

  constructor(ctx: Context, private readonly config: GossipConfig) {
    super(ctx);
    for (const p of ctx.peers) this.unacked.set(p, new Map());
  }

  start(): void {
    this.ctx.setTimer(this.config.retryMs, () => this.retry());
  }

  protected spread(item: Item, from: NodeId | undefined): void {
    if (from !== undefined && !this.config.relay) return;
    for (const p of this.ctx.peers) {
      if (p === from) continue;
      this.unacked.get(p)!.set(item.value, item);
      this.ctx.send(p, { type: 'gossip', items: [item] } satisfies GossipMessage);
    }
  }

  protected onGossip(from: NodeId, m: GossipMessage): void {
    for (const item of m.items) this.learn(from, item);
    // The sender has the value, so it need not hear it from us.
    const pending = this.unacked.get(from);
    if (pending !== undefined) for (const item of m.items) pending.delete(item.value);
    this.ctx.send(from, { type: 'gossip_ack', values: m.items.map((i) => i.value) } satisfies GossipAck);
  }

  protected override onAck(from: NodeId, m: GossipAck): void {
    const pending = this.unacked.get(from);
    if (pending === undefined) return;
    for (const v of m.values) pending.delete(v);
  }

  private retry(): void {
    for (const [peer, pending] of this.unacked) {
      if (pending.size === 0) continue;
      let batch: Item[] = [];
      for (const item of pending.values()) {
        batch.push(item);
        if (batch.length === this.config.batchItemsMax) {
          this.ctx.send(peer, { type: 'gossip', items: batch } satisfies GossipMessage);
          batch = [];
        }
      }
      if (batch.length > 0) this.ctx.send(peer, { type: 'gossip', items: batch } satisfies GossipMessage);
    }
    this.ctx.setTimer(this.config.retryMs, () => this.retry());
  }
}

export const floodConfigSchema = z.object({}).strict();

export const floodOnce = (ctx: Context): Process => new FloodOnce(ctx);
export const gossipUntilAcked = (ctx: Context, config: GossipConfig): Process => new GossipUntilAcked(ctx, config);
