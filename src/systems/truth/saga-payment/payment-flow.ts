/**
 * The payment flow, the saga every saga library shows: reserve inventory (the inventory service),
 * charge the card (the payment service), ship (the shipping service). The services' business state
 * (the ledgers below) and the configuration of the truth/saga-payment system.
 *
 * The default definition, and why: reserving is undone by releasing, a charge by a refund; shipping
 * is the pivot, the last step, which nothing after it can fail (Garcia-Molina and Salem's Tn, whose Cn
 * never runs). A parcel that left cannot be "compensated" by a message, so the saga keeps asking the
 * shipping service until it answers rather than giving up on it.
 */
import { z } from 'zod';
import { nodeRef } from '../../../runtime/node-ref.js';
import type { NodeId } from '../../../runtime/context.js';
import { sagaDefinitionSchema, type ActionCatalog, type SagaDefinition } from '../../../truth/saga/definition.js';
import type { Ledger } from '../../../truth/saga/participant.js';
import { invariant } from '../../../truth/saga/invariant.js';

export const paymentFlowCatalog = {
  inventory: { actions: ['reserve'], compensations: ['release'] },
  payment: { actions: ['charge'], compensations: ['refund'] },
  shipping: { actions: ['ship'], compensations: ['cancel-shipment'] },
} as const satisfies ActionCatalog;
export type PaymentFlowService = keyof typeof paymentFlowCatalog;
export const paymentFlowServices = Object.keys(paymentFlowCatalog) as PaymentFlowService[];

export const paymentFlowSaga: SagaDefinition = {
  name: 'payment',
  steps: [
    { name: 'reserve-inventory', service: 'inventory', action: 'reserve', compensation: 'release', pivot: false },
    { name: 'charge-card', service: 'payment', action: 'charge', compensation: 'refund', pivot: false },
    { name: 'ship', service: 'shipping', action: 'ship', pivot: true },
  ],
};

/** What an order asks for; carried by every step request and event of its saga. */
export interface OrderData {
  sku: string;
  units: number;
}

function orderData(data: unknown): OrderData {
  const d = data as Partial<OrderData> | null;
  if (typeof d !== 'object' || d === null || typeof d.sku !== 'string' || typeof d.units !== 'number') throw new TypeError(`not an order: ${JSON.stringify(data)}`);
  return d as OrderData;
}

const nodeName = nodeRef();
/** The services serve the sagas, not clients (they refuse client requests). */
const serviceNode = nodeRef({ reserved: 'a saga service; clients talk to the orders node' });

export const sagaPaymentConfigSchema = z
  .object({
    /** orchestrated: a coordinator runs the saga; choreographed: each service reacts to the previous one's event. */
    mode: z.enum(['orchestrated', 'choreographed']).default('orchestrated'),
    /** Undo the completed steps of a failed order; false is the naive design (the order just fails). */
    compensate: z.boolean().default(true),
    /** Every step carries an idempotency key the service remembers; false: every message is a new request. */
    idempotencyKeys: z.boolean().default(true),
    /** The orders node journals each saga and fsyncs before acting; false keeps sagas in memory only. */
    durableLog: z.boolean().default(true),
    /** Which node runs what: the orders node (coordinator, or the order service of a choreography) and each service. */
    nodes: z
      .object({ orders: nodeName.default('n1'), inventory: serviceNode.default('n2'), payment: serviceNode.default('n3'), shipping: serviceNode.default('n4') })
      .strict()
      .default({ orders: 'n1', inventory: 'n2', payment: 'n3', shipping: 'n4' })
      .superRefine((nodes, ctx) => {
        const seen = new Map<string, string>();
        for (const [role, node] of Object.entries(nodes)) {
          if (seen.has(node)) ctx.addIssue({ code: 'custom', path: [role], message: `a node of its own (${node} already runs ${seen.get(node)})` });
          seen.set(node, role);
        }
      }),
    /** The saga's steps (see src/truth/saga/definition.ts for the rule on compensations). */
    saga: sagaDefinitionSchema(paymentFlowCatalog).default(paymentFlowSaga),
    /** Units of each SKU (an order's key) in stock when the run starts. */
    stockPerSkuUnits: z.number().int().nonnegative().default(200),
    /** An order asks for 1 to this many units. */
    orderSizeMaxUnits: z.number().int().min(1).default(3),
    /** The share of charges the card network declines. */
    declineProbability: z.number().min(0).max(1).default(0.1),
    /** Orchestrated: a step with no reply within this long is asked again (same key). */
    stepTimeoutMs: z.number().positive().default(250),
    /** Orchestrated: attempts of a compensatable step before it is given up on and compensated. */
    stepAttemptsMax: z.number().int().min(1).default(3),
    /** Orchestrated: the cap of the doubling timeout of steps and compensations that are never given up on. */
    retryTimeoutMaxMs: z.number().positive().default(2000),
    /** Choreographed: an event not acknowledged within this long is sent again, doubling up to eventResendMaxMs. */
    eventResendMs: z.number().positive().default(200),
    eventResendMaxMs: z.number().positive().default(2000),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.retryTimeoutMaxMs < c.stepTimeoutMs) ctx.addIssue({ code: 'custom', path: ['retryTimeoutMaxMs'], message: `at least stepTimeoutMs (${c.stepTimeoutMs})` });
    if (c.eventResendMaxMs < c.eventResendMs) ctx.addIssue({ code: 'custom', path: ['eventResendMaxMs'], message: `at least eventResendMs (${c.eventResendMs})` });
  });
export type SagaPaymentConfig = z.infer<typeof sagaPaymentConfigSchema>;

/** The node that runs a service. */
export function nodeOf(config: SagaPaymentConfig, service: string): NodeId {
  return config.nodes[service as PaymentFlowService];
}

/** The service a node runs, if any. */
export function serviceAt(config: SagaPaymentConfig, node: NodeId): PaymentFlowService | undefined {
  return paymentFlowServices.find((s) => config.nodes[s] === node);
}

/** Stock per SKU, and the units each order holds. A unit reserved is not for sale until released. */
export class InventoryLedger implements Ledger {
  private readonly available = new Map<string, number>();
  private readonly held = new Map<string, number>();

  constructor(private readonly stockPerSkuUnits: number) {}

  availableUnits(sku: string): number {
    return this.available.get(sku) ?? this.stockPerSkuUnits;
  }

  /** Units for sale, over the SKUs orders have touched. */
  availableTotal(): number {
    let n = 0;
    for (const x of this.available.values()) n += x;
    return n;
  }

  check(_op: string, _saga: string, data: unknown): string | undefined {
    const { sku, units } = orderData(data);
    const left = this.availableUnits(sku);
    return left >= units ? undefined : `out of stock (${sku}: ${left} left, ${units} asked)`;
  }

  apply(_op: string, saga: string, data: unknown): void {
    const { sku, units } = orderData(data);
    invariant(this.availableUnits(sku) >= units, () => `${saga} reserves ${units} of ${sku} with ${this.availableUnits(sku)} in stock`);
    this.available.set(sku, this.availableUnits(sku) - units);
    this.held.set(saga, (this.held.get(saga) ?? 0) + units);
  }

  undoable(_op: string, saga: string, data: unknown): boolean {
    return (this.held.get(saga) ?? 0) >= orderData(data).units;
  }

  undo(_op: string, saga: string, data: unknown): void {
    const { sku, units } = orderData(data);
    invariant(this.undoable('release', saga, data), () => `${saga} releases ${units} units it does not hold`);
    this.held.set(saga, this.held.get(saga)! - units);
    this.available.set(sku, this.availableUnits(sku) + units);
  }

  holdings(): Record<string, Record<string, number>> {
    return { reserve: Object.fromEntries(this.held) };
  }
}

/** Units per order of one kind (charges, shipments), net of what was undone. */
class PerOrderCounts implements Ledger {
  private readonly counts = new Map<string, number>();

  constructor(
    /** The forward step's name, the key of `holdings`. */
    private readonly step: string,
    /** What undoing one unit is called, for the invariant's message. */
    private readonly undoing: string,
  ) {}

  check(_op: string, _saga: string, _data: unknown, _random: () => number): string | undefined {
    return undefined;
  }

  apply(_op: string, saga: string): void {
    this.counts.set(saga, (this.counts.get(saga) ?? 0) + 1);
  }

  undoable(_op: string, saga: string): boolean {
    return (this.counts.get(saga) ?? 0) > 0;
  }

  undo(op: string, saga: string): void {
    invariant(this.undoable(op, saga), () => `${saga} ${this.undoing} it does not have`);
    this.counts.set(saga, this.counts.get(saga)! - 1);
  }

  holdings(): Record<string, Record<string, number>> {
    return { [this.step]: Object.fromEntries(this.counts) };
  }
}

/** Charges per order, net of refunds. The card network declines a share of them. */
export class PaymentLedger extends PerOrderCounts {
  constructor(private readonly declineProbability: number) {
    super('charge', 'refunds a charge');
  }

  override check(_op: string, _saga: string, _data: unknown, random: () => number): string | undefined {
    return random() < this.declineProbability ? 'card declined' : undefined;
  }
}

/** Shipments per order. */
export class ShippingLedger extends PerOrderCounts {
  constructor() {
    super('ship', 'cancels a shipment');
  }
}

export function ledgerFor(service: PaymentFlowService, config: SagaPaymentConfig): Ledger {
  if (service === 'inventory') return new InventoryLedger(config.stockPerSkuUnits);
  if (service === 'payment') return new PaymentLedger(config.declineProbability);
  return new ShippingLedger();
}
