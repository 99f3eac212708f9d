/**
 * Event sourcing's read side, as a pure fold: the order-status projection. The log of events is the
 * truth; a projection (a read model) is what you get by applying the events, in log order, from
 * position 0. Replaying the same log always gives the same state, so a projection can be thrown
 * away and rebuilt, or restored from a snapshot (its position and state) and brought up to date by
 * applying the tail after that position: both equal the full rebuild (Fowler, "Event Sourcing",
 * 2005; Young, "CQRS Documents", 2010).
 *
 * The rules of an order's life are here too, because the write side decides with them: an event is
 * appended only if it is allowed from the status the order has at the position it is appended at.
 */

export const orderStatuses = ['placed', 'paid', 'shipped', 'cancelled'] as const;
export type OrderStatus = (typeof orderStatuses)[number];

/** One fact in the log: what happened to which order, with an id that makes it recognisable. */
export interface OrderEvent {
  id: string;
  order: string;
  type: OrderStatus;
}

/** The statuses an order must be in for each event (`none`: the order does not exist yet). */
export const allowedFrom: Readonly<Record<OrderStatus, readonly (OrderStatus | 'none')[]>> = {
  placed: ['none'],
  paid: ['placed'],
  shipped: ['paid'],
  // A shipped order cannot be cancelled any more (returns are another story); a cancelled one cannot ship.
  cancelled: ['placed', 'paid'],
};

export type Decision = { ok: true } | { ok: false; error: string };

/** Whether `type` may happen to an order in status `current` (undefined: it does not exist). */
export function decide(current: OrderStatus | undefined, type: OrderStatus): Decision {
  if (allowedFrom[type].includes(current ?? 'none')) return { ok: true };
  return { ok: false, error: current === undefined ? `order does not exist: cannot be ${type}` : `order is ${current}: cannot be ${type}` };
}

export function isOrderEvent(x: unknown): x is OrderEvent {
  const e = x as OrderEvent;
  return typeof x === 'object' && x !== null && typeof e.id === 'string' && typeof e.order === 'string' && (orderStatuses as readonly string[]).includes(e.type);
}

/** A projection's state as plain, canonical data (orders sorted): two equal projections give equal snapshots. */
export interface ProjectionSnapshot {
  /** The number of events applied: the position of the next one. */
  position: number;
  orders: [string, OrderStatus][];
  counts: Record<OrderStatus, number>;
  /** Events in the log that broke the rules (the write side let them through). */
  breakingRules: number;
}

const zeroCounts = (): Record<OrderStatus, number> => ({ placed: 0, paid: 0, shipped: 0, cancelled: 0 });

/** The read model: the status of each order, and how many orders are in each status. */
export class OrderProjection {
  position = 0;
  readonly orders = new Map<string, OrderStatus>();
  readonly counts = zeroCounts();
  breakingRules = 0;

  /** Apply the event at `position`; events come in log order, each once. */
  apply(position: number, e: OrderEvent): void {
    if (position !== this.position) throw new Error(`projection invariant violated: event at ${position} applied at position ${this.position}`);
    const current = this.orders.get(e.order);
    // The log is the truth even when it breaks the rules: apply, and count it.
    if (!decide(current, e.type).ok) this.breakingRules++;
    if (current !== undefined) this.counts[current]--;
    this.orders.set(e.order, e.type);
    this.counts[e.type]++;
    this.position++;
  }

  status(order: string): OrderStatus | undefined {
    return this.orders.get(order);
  }

  snapshot(): ProjectionSnapshot {
    const orders = [...this.orders].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return { position: this.position, orders, counts: { ...this.counts }, breakingRules: this.breakingRules };
  }

  static restore(s: ProjectionSnapshot): OrderProjection {
    const p = new OrderProjection();
    p.position = s.position;
    for (const [order, status] of s.orders) p.orders.set(order, status);
    Object.assign(p.counts, s.counts);
    p.breakingRules = s.breakingRules;
    return p;
  }

  /** Fold a whole list of events from position 0 (or onto a restored snapshot, from its position). */
  static replay(events: readonly OrderEvent[], from: ProjectionSnapshot | undefined = undefined): OrderProjection {
    const p = from === undefined ? new OrderProjection() : OrderProjection.restore(from);
    for (let i = p.position; i < events.length; i++) p.apply(i, events[i]);
    return p;
  }
}

/** Snapshots as bytes on a disk, and back (undefined when absent or unreadable: rebuild from 0 then). */
export function encodeSnapshot(s: ProjectionSnapshot): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(s));
}

export function decodeSnapshot(bytes: Uint8Array | undefined): ProjectionSnapshot | undefined {
  if (bytes === undefined) return undefined;
  try {
    const s = JSON.parse(new TextDecoder().decode(bytes)) as ProjectionSnapshot;
    if (!Number.isInteger(s.position) || s.position < 0 || !Array.isArray(s.orders) || typeof s.counts !== 'object') return undefined;
    return s;
  } catch {
    return undefined;
  }
}
