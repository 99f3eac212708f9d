/**
 * The batching story as a system: a proxy in front of a database, across a link with real latency.
 * The database pays `perCallMs` for every call it receives (parsing, a transaction, an fsync) and
 * `perItemMs` for every item in it, one call at a time. With `maxBatch` 1 every request is its own
 * round trip; with more, the proxy's BatchCollector sends up to maxBatch requests per call, waiting
 * at most `maxDelayMs` for a batch to fill.
 *
 * Roles by name: `proxy` takes the clients' requests; `database` serves the calls.
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientRequest, type ClientRequest } from '../../runtime/client-protocol.js';
import { BatchCollector } from '../../work/batch/batcher.js';

export const batchingProxyConfigSchema = z
  .object({
    proxy: nodeRef().default('n1'),
    database: nodeRef({ reserved: 'the database serves the proxy; clients talk to the proxy' }).default('n2'),
    maxBatch: z.number().int().positive().default(1),
    maxDelayMs: z.number().nonnegative().default(5),
    perCallMs: z.number().nonnegative().default(2),
    perItemMs: z.number().nonnegative().default(0.02),
  })
  .strict();
export type BatchingProxyConfig = z.infer<typeof batchingProxyConfigSchema>;

interface Waiting {
  client: NodeId;
  req: ClientRequest;
}

type Msg = { type: 'db_call'; id: number; items: number } | { type: 'db_done'; id: number };

class Proxy implements Process {
  private readonly collector: BatchCollector<Waiting>;
  private timer: number | undefined;
  private idNext = 1;
  private readonly calls = new Map<number, Waiting[]>();

  constructor(
    private readonly ctx: Context,
    private readonly config: BatchingProxyConfig,
  ) {
    this.collector = new BatchCollector(config.maxBatch, config.maxDelayMs);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) {
      const { batch, first } = this.collector.add({ client: from, req: msg });
      if (batch !== undefined) {
        if (this.timer !== undefined) this.ctx.clearTimer(this.timer);
        this.timer = undefined;
        return this.call(batch);
      }
      if (first) this.timer = this.ctx.setTimer(this.config.maxDelayMs, () => ((this.timer = undefined), this.call(this.collector.flush())));
      return;
    }
    const m = msg as Msg;
    if (m.type !== 'db_done') return;
    const waiting = this.calls.get(m.id);
    this.calls.delete(m.id);
    for (const w of waiting ?? []) this.ctx.send(w.client, clientReply(w.req, 'ok'));
  }

  private call(batch: Waiting[]): void {
    if (batch.length === 0) return;
    const id = this.idNext++;
    this.calls.set(id, batch);
    this.ctx.metrics.count('round_trips');
    this.ctx.metrics.observe('batch_size', batch.length);
    this.ctx.send(this.config.database, { type: 'db_call', id, items: batch.length } satisfies Msg);
  }
}

/** One call at a time: perCallMs + perItemMs x items each. */
class Database implements Process {
  private busyUntilMs = 0;
  constructor(
    private readonly ctx: Context,
    private readonly config: BatchingProxyConfig,
  ) {}
  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.ctx.send(from, clientReply(msg, 'fail', undefined, 'talk to the proxy'));
    const m = msg as Msg;
    if (m.type !== 'db_call') return;
    const now = this.ctx.now();
    const start = Math.max(now, this.busyUntilMs);
    this.busyUntilMs = start + this.config.perCallMs + this.config.perItemMs * m.items;
    this.ctx.metrics.count('db_calls');
    this.ctx.setTimer(this.busyUntilMs - now, () => this.ctx.send(from, { type: 'db_done', id: m.id } satisfies Msg));
  }
}

export const batchingProxy = (ctx: Context, config: BatchingProxyConfig): Process => (ctx.id === config.database ? new Database(ctx, config) : new Proxy(ctx, config));
