/**
 * Where orders come in: the coordinator of an orchestrated saga and the order service of a
 * choreographed one both take clients' orders here. An order is a client `write` whose key is the SKU;
 * its saga id is the client and the request id, so a client's retry (the same id) joins the saga it
 * started instead of starting another: the entry point is idempotent too. The client is answered when
 * the saga's end is durable: ok when it completed, fail with the reason when it did not.
 */
import type { Context, NodeId, Process } from '../../../runtime/context.js';
import { clientReply, type ClientRequest } from '../../../runtime/client-protocol.js';
import type { SagaEnd } from '../../../truth/saga/coordinator.js';
import type { OrderData, SagaPaymentConfig } from './payment-flow.js';
import type { OrdersNodeState, SagaDescription } from './audit.js';

export abstract class OrderDesk implements Process {
  private readonly waiters = new Map<string, { client: NodeId; req: ClientRequest }[]>();
  /** Ends that are durable: only these may be told to a client. */
  protected readonly ended = new Map<string, { status: SagaEnd; reason?: string }>();
  /** Set when the journal is damaged: the node refuses to serve rather than serve from it. */
  protected refusing: string | undefined;

  constructor(
    protected readonly ctx: Context,
    protected readonly config: SagaPaymentConfig,
  ) {}

  abstract onMessage(from: NodeId, msg: unknown): void;
  /** Whether a saga with this id exists (running or ended). */
  protected abstract knows(id: string): boolean;
  /** Start a new saga. */
  protected abstract place(id: string, data: OrderData): void;
  /** Every saga this node knows, with its status and size. */
  protected abstract sagaStates(): Iterable<[string, { status: 'running' | SagaEnd; units: number }]>;

  protected countZeros(): void {
    for (const name of ['orders_placed', 'sagas_completed', 'sagas_compensated', 'sagas_failed', 'sagas_resumed']) this.ctx.metrics.count(name, 0);
  }

  protected intake(client: NodeId, req: ClientRequest): void {
    if (this.refusing !== undefined) return this.ctx.send(client, clientReply(req, 'fail', undefined, `orders node refuses to serve: ${this.refusing}`));
    if (req.op.f !== 'write' || typeof req.op.key !== 'string') return this.ctx.send(client, clientReply(req, 'fail', undefined, 'an order is a write whose key is the SKU'));
    const id = `${client}:${req.id}`;
    const end = this.ended.get(id);
    if (end !== undefined) return this.answer(client, req, id, end.status, end.reason);
    const list = this.waiters.get(id) ?? [];
    if (!list.some((w) => w.req.attempt === req.attempt)) list.push({ client, req });
    this.waiters.set(id, list);
    if (this.knows(id)) return;
    const units = 1 + Math.floor(this.ctx.random() * this.config.orderSizeMaxUnits);
    this.ctx.metrics.count('orders_placed');
    this.place(id, { sku: req.op.key, units });
  }

  /** A saga's end is durable: count it and answer every client waiting for it. */
  protected finished(id: string, status: SagaEnd, reason: string | undefined): void {
    this.ended.set(id, reason === undefined ? { status } : { status, reason });
    this.ctx.metrics.count(`sagas_${status}`);
    this.ctx.log('saga_end', { saga: id, status, reason: reason ?? null });
    for (const w of this.waiters.get(id) ?? []) this.answer(w.client, w.req, id, status, reason);
    this.waiters.delete(id);
  }

  private answer(client: NodeId, req: ClientRequest, id: string, status: SagaEnd, reason: string | undefined): void {
    if (status === 'completed') this.ctx.send(client, clientReply(req, 'ok', id));
    else this.ctx.send(client, clientReply(req, 'fail', undefined, `order ${status}: ${reason ?? 'a step failed'}`));
  }

  describe(): SagaDescription {
    const sagas: OrdersNodeState['sagas'] = {};
    for (const [id, s] of this.sagaStates()) sagas[id] = s;
    return { role: 'orders', saga: { kind: 'orders', sagas } };
  }
}
