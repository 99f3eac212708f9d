/**
 * The rebalance story as a system: a key-value store partitioned over its nodes. Any node takes a
 * write and forwards it to the key's owner. At `joinAtMs` the last node (idle until then) joins:
 * every node recomputes the owner of each key it holds under the new membership and ships the keys
 * that now belong elsewhere. keys_moved counts them; moved_fraction is keys_moved over the keys
 * stored when the node joined.
 */
import { z } from 'zod';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientRequest, type ClientRequest } from '../../runtime/client-protocol.js';
import { ConsistentHashPartitioner, HashModN, Rendezvous, type Partitioner } from '../../state/partition/partitioners.js';

export const partitionedStoreConfigSchema = z
  .object({
    strategy: z.enum(['hash-mod-n', 'consistent-hash', 'rendezvous']),
    vnodes: z.number().int().positive().default(100),
    /** When the last node joins (none: it never does). */
    joinAtMs: z.number().nonnegative().optional(),
  })
  .strict();
export type PartitionedStoreConfig = z.infer<typeof partitionedStoreConfigSchema>;

type Msg = { type: 'store'; key: string; value: unknown } | { type: 'forward'; client: NodeId; req: ClientRequest } | { type: 'joined' };

export class PartitionedStore implements Process {
  private readonly data = new Map<string, unknown>();
  private partitioner: Partitioner;
  private readonly all: string[];

  constructor(
    private readonly ctx: Context,
    private readonly config: PartitionedStoreConfig,
  ) {
    this.all = [...ctx.peers, ctx.id].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    const initial = config.joinAtMs === undefined ? this.all : this.all.slice(0, -1);
    this.partitioner =
      config.strategy === 'hash-mod-n' ? new HashModN(initial) : config.strategy === 'rendezvous' ? new Rendezvous(initial) : new ConsistentHashPartitioner(initial, config.vnodes);
  }

  start(): void {
    this.ctx.metrics.count('keys_moved', 0);
    if (this.config.joinAtMs !== undefined) this.ctx.setTimer(this.config.joinAtMs, () => this.rebalance());
  }

  /** The membership grows by the last node: ship every key this node no longer owns. */
  private rebalance(): void {
    this.partitioner = this.partitioner.withNodes(this.all);
    this.ctx.metrics.count('keys_at_join', this.data.size);
    for (const [key, value] of [...this.data]) {
      const owner = this.partitioner.owner(key);
      if (owner === this.ctx.id) continue;
      this.data.delete(key);
      this.ctx.metrics.count('keys_moved');
      this.ctx.send(owner, { type: 'store', key, value } satisfies Msg);
    }
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.onClient(from, msg);
    const m = msg as Msg;
    if (m.type === 'store') this.data.set(m.key, m.value);
    else if (m.type === 'forward') this.onClient(m.client, m.req);
  }

  private onClient(client: NodeId, req: ClientRequest): void {
    const key = req.op.key ?? '';
    const owner = this.partitioner.owner(key);
    if (owner !== this.ctx.id) return this.ctx.send(owner, { type: 'forward', client, req } satisfies Msg);
    if (req.op.f === 'write') {
      this.data.set(key, req.op.value);
      return this.ctx.send(client, clientReply(req, 'ok'));
    }
    this.ctx.send(client, clientReply(req, 'ok', this.data.get(key) ?? null));
  }
}

export const partitionedStore = (ctx: Context, config: PartitionedStoreConfig): Process => new PartitionedStore(ctx, config);
