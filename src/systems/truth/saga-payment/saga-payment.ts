/**
 * truth/saga-payment: the payment flow as a saga, orchestrated or choreographed. Roles by node name
 * (config.nodes): `orders` takes clients' orders (a write whose key is the SKU) and runs the coordinator
 * or, choreographed, the order service; `inventory`, `payment` and `shipping` run the services. Any
 * other node serves nothing.
 */
import type { Context, NodeId, Process } from '../../../runtime/context.js';
import { clientReply, isClientRequest } from '../../../runtime/client-protocol.js';
import { EventServiceNode, OrderServiceNode } from './choreography.js';
import { CoordinatorNode, StepServiceNode } from './orchestration.js';
import { serviceAt, type SagaPaymentConfig } from './payment-flow.js';

class IdleNode implements Process {
  constructor(
    private readonly ctx: Context,
    private readonly config: SagaPaymentConfig,
  ) {}

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) this.ctx.send(from, clientReply(msg, 'fail', undefined, `orders are placed at ${this.config.nodes.orders}`));
  }
}

export const sagaPayment = (ctx: Context, config: SagaPaymentConfig): Process => {
  const orchestrated = config.mode === 'orchestrated';
  if (ctx.id === config.nodes.orders) return orchestrated ? new CoordinatorNode(ctx, config) : new OrderServiceNode(ctx, config);
  const service = serviceAt(config, ctx.id);
  if (service === undefined) return new IdleNode(ctx, config);
  return orchestrated ? new StepServiceNode(ctx, config, service) : new EventServiceNode(ctx, config, service);
};
