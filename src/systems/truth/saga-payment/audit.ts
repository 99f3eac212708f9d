/**
 * The end-of-run audit of truth/saga-payment: what each node says it holds (describe()), order by order.
 * A saga is all or nothing: a completed order holds its units, one charge and one shipment; a failed
 * one holds nothing anywhere. Everything else is counted by kind:
 *
 * - units_leaked: units still reserved for orders that did not complete (and reserved twice for ones
 *   that did): stock nobody can buy and nobody will ship;
 * - double_charges: charges beyond the first of an order, net of refunds;
 * - charged_not_completed: failed orders whose customer is still charged;
 * - double_shipments, shipped_not_completed;
 * - completed_missing_steps: orders reported complete with a step missing;
 * - orders_unfinished: sagas still running when the run ended; orders_lost: effects of an order the
 *   orders node does not know (a coordinator that forgot it in a crash).
 */
import type { Description } from '../../../runtime/context.js';
import type { SagaEnd } from '../../../truth/saga/coordinator.js';
import { nodeOf, sagaPaymentConfigSchema } from './payment-flow.js';

export interface OrdersNodeState {
  kind: 'orders';
  sagas: Record<string, { status: 'running' | SagaEnd; units: number }>;
}

export interface ServiceNodeState {
  kind: 'service';
  service: string;
  /** Per action, per saga, what the saga holds of it now (net of undos). */
  holdings: Record<string, Record<string, number>>;
}

export interface SagaDescription extends Description {
  saga: OrdersNodeState | ServiceNodeState;
}

export function isSagaDescription(d: Description | undefined): d is SagaDescription {
  return d !== undefined && typeof (d as { saga?: unknown }).saga === 'object' && (d as { saga?: unknown }).saga !== null;
}

export interface SagaAudit {
  ok: boolean;
  detail: string;
  metrics: Record<string, number>;
}

export function auditSagaPayment(described: ReadonlyMap<string, Description | undefined>, rawConfig: unknown, flat: Readonly<Record<string, number>>): SagaAudit {
  const config = sagaPaymentConfigSchema.parse(rawConfig ?? {});
  const ordersNode = config.nodes.orders;
  const od = described.get(ordersNode);
  if (!isSagaDescription(od) || od.saga.kind !== 'orders') return { ok: false, detail: `${ordersNode} (orders) was down at the end of the run, or is not a node of the topology`, metrics: {} };
  const orders = od.saga.sagas;
  const holdings = new Map<string, Record<string, number>>();
  for (const step of config.saga.steps) {
    const node = nodeOf(config, step.service);
    const d = described.get(node);
    if (!isSagaDescription(d) || d.saga.kind !== 'service') return { ok: false, detail: `${node} (${step.service}) was down at the end of the run, or is not a node of the topology`, metrics: {} };
    holdings.set(step.action, d.saga.holdings[step.action] ?? {});
  }
  const ids = new Set(Object.keys(orders));
  for (const perSaga of holdings.values()) for (const [id, n] of Object.entries(perSaga)) if (n !== 0) ids.add(id);

  const m = {
    orders_completed: 0,
    orders_failed: 0,
    orders_compensated: 0,
    orders_unfinished: 0,
    orders_lost: 0,
    units_leaked: 0,
    double_charges: 0,
    charged_not_completed: 0,
    double_shipments: 0,
    shipped_not_completed: 0,
    completed_missing_steps: 0,
  };
  for (const id of ids) {
    const o = orders[id];
    if (o === undefined) m.orders_lost++;
    else if (o.status === 'running') m.orders_unfinished++;
    else if (o.status === 'completed') m.orders_completed++;
    else {
      m.orders_failed++;
      if (o.status === 'compensated') m.orders_compensated++;
    }
    const completed = o?.status === 'completed';
    const held = (action: string) => holdings.get(action)?.[id] ?? 0;
    let missing = false;
    if (holdings.has('reserve')) {
      const units = held('reserve');
      m.units_leaked += completed ? Math.max(0, units - o.units) : units;
      if (completed && units < o.units) missing = true;
    }
    if (holdings.has('charge')) {
      const charges = held('charge');
      m.double_charges += Math.max(0, charges - 1);
      if (!completed && charges > 0) m.charged_not_completed++;
      if (completed && charges === 0) missing = true;
    }
    if (holdings.has('ship')) {
      const shipped = held('ship');
      m.double_shipments += Math.max(0, shipped - 1);
      if (!completed && shipped > 0) m.shipped_not_completed++;
      if (completed && shipped === 0) missing = true;
    }
    if (missing) m.completed_missing_steps++;
  }
  const compensationsRun = flat.compensations_run ?? 0;
  const anomalies = (['units_leaked', 'double_charges', 'charged_not_completed', 'double_shipments', 'shipped_not_completed', 'completed_missing_steps', 'orders_unfinished', 'orders_lost'] as const).filter((k) => m[k] > 0);
  const summary = `${ids.size} orders: ${m.orders_completed} completed, ${m.orders_failed} failed (${m.orders_compensated} compensated), ${compensationsRun} compensations run`;
  const detail = anomalies.length === 0 ? `${summary}; every saga all or nothing` : `${summary}; ${anomalies.map((k) => `${k.replace(/_/g, ' ')} ${m[k]}`).join(', ')}`;
  return { ok: anomalies.length === 0, detail, metrics: { ...m, compensations_run: compensationsRun } };
}
