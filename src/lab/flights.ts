/**
 * The messages in flight of a live run, kept from the trace records the world exports (a send says
 * when it is due; a delivery or a drop ends it; a duplicate is a second copy of the same id), and the
 * drops of the last moments, so a page can draw each message travelling and each loss where it happened.
 * It only reads records: the run is the same with or without it.
 */
import type { NodeId } from '../runtime/context.js';

export interface Flight {
  id: number;
  from: NodeId;
  to: NodeId;
  /** The message's `type` field, or '?' when it has none. */
  type: string;
  /** Encoded size in bytes, when the run encodes messages (peer codec). */
  bytes: number | undefined;
  sentMs: number;
  dueMs: number;
  /** This copy is the network's duplicate of the message. */
  duplicate: boolean;
  /**
   * The ms of its flight that a fault holds it back by: a slow link's added latency, and the part a
   * slow sender stretched it by; 0 for a message on a healthy link from a healthy node.
   */
  heldMs: number;
}

/** What holds back a message sent now beyond its link's own latency (World.holdBack); undefined: nothing. */
export type HoldBack = (from: NodeId, to: NodeId) => { addedMs: number; slowFactor: number } | undefined;

/** The ms a message sent with `travelMs` of flight was held back by the faults `holdBack` tells of. */
export function heldBackMs(travelMs: number, held: { addedMs: number; slowFactor: number }): number {
  // travel = base * slowFactor + addedMs: the base latency's stretch is the rest of the hold.
  const stretched = Math.max(0, travelMs - held.addedMs);
  return held.addedMs + (held.slowFactor > 1 ? stretched * (1 - 1 / held.slowFactor) : 0);
}

export interface Drop {
  from: NodeId | undefined;
  to: NodeId | undefined;
  type: string;
  atMs: number;
  reason: string;
}

/** How long (virtual ms) a drop stays in `recentDrops`. */
export const DROP_SHOWN_MS = 50;
/** Drops kept at most: a lossy run drops thousands a second, a picture shows a few. */
export const DROPS_KEPT_MAX = 64;

export class Flights {
  private readonly byId = new Map<number, Flight[]>();
  private readonly drops: Drop[] = [];
  /** The type of a message lost as it was sent: its drop record, which comes next, does not carry it. */
  private lostAtSendType = '?';
  private count = 0;
  sent = 0;
  delivered = 0;
  dropped = 0;
  duplicated = 0;
  /** Copies sent that a fault held back (heldMs > 0). */
  delayed = 0;

  /** `holdBack`: what delays a message as it is sent; without it no flight is counted as held back. */
  constructor(private readonly holdBack?: HoldBack) {}

  /** Feed one exported trace record (World's traceObserver). */
  readonly observe = (r: Readonly<Record<string, unknown>>): void => {
    switch (r.kind) {
      case 'send': {
        this.sent++;
        const type = messageType(r.msg);
        if (r.due === undefined) {
          this.lostAtSendType = type;
          return;
        }
        this.add({ id: r.id as number, from: r.from as NodeId, to: r.to as NodeId, type, bytes: r.bytes as number | undefined, sentMs: r.t as number, dueMs: r.due as number, duplicate: false, heldMs: this.heldMs(r) });
        return;
      }
      case 'duplicate': {
        this.duplicated++;
        const first = this.byId.get(r.id as number)?.[0];
        this.add({ id: r.id as number, from: r.from as NodeId, to: r.to as NodeId, type: first?.type ?? '?', bytes: first?.bytes, sentMs: r.t as number, dueMs: r.due as number, duplicate: true, heldMs: this.heldMs(r) });
        return;
      }
      case 'deliver':
        this.delivered++;
        this.remove(r.id as number);
        return;
      case 'drop': {
        this.dropped++;
        const gone = this.remove(r.id as number);
        this.drops.push({ from: r.from as NodeId | undefined, to: r.to as NodeId | undefined, type: gone?.type ?? this.lostAtSendType, atMs: r.t as number, reason: r.reason as string });
        if (this.drops.length > DROPS_KEPT_MAX) this.drops.splice(0, this.drops.length - DROPS_KEPT_MAX);
        return;
      }
    }
  };

  /** How long a copy just sent (its send or duplicate record) is held back; counted when it is. */
  private heldMs(r: Readonly<Record<string, unknown>>): number {
    const holding = this.holdBack?.(r.from as NodeId, r.to as NodeId);
    if (holding === undefined) return 0;
    const held = heldBackMs((r.due as number) - (r.t as number), holding);
    if (held > 0) this.delayed++;
    return held;
  }

  /** Messages in flight now. */
  get size(): number {
    return this.count;
  }

  /** Up to `max` messages in flight, those sent first. */
  list(max = Infinity): Flight[] {
    const out: Flight[] = [];
    for (const copies of this.byId.values()) {
      for (const f of copies) {
        if (out.length >= max) return out;
        out.push(f);
      }
    }
    return out;
  }

  /** Drops within DROP_SHOWN_MS before `nowMs`. */
  recentDrops(nowMs: number): Drop[] {
    return this.drops.filter((d) => nowMs - d.atMs <= DROP_SHOWN_MS);
  }

  private add(f: Flight): void {
    const copies = this.byId.get(f.id);
    if (copies === undefined) this.byId.set(f.id, [f]);
    else copies.push(f);
    this.count++;
  }

  /** The copy due first ends (a delivery or drop at arrival); undefined when none was in flight. */
  private remove(id: number): Flight | undefined {
    const copies = this.byId.get(id);
    if (copies === undefined) return undefined;
    let first = 0;
    for (let i = 1; i < copies.length; i++) if (copies[i].dueMs < copies[first].dueMs) first = i;
    const [gone] = copies.splice(first, 1);
    if (copies.length === 0) this.byId.delete(id);
    this.count--;
    return gone;
  }
}

function messageType(msg: unknown): string {
  if (typeof msg === 'object' && msg !== null) {
    const t = (msg as { type?: unknown }).type;
    if (typeof t === 'string') return t;
  }
  return '?';
}
