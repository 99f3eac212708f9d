/**
 * Log shipping between peers that all accept writes: each node numbers the writes it originates
 * (1, 2, 3...), sends them to every peer, keeps them until every peer has said it applied them, and
 * sends again what a peer's status shows it missed (a partition, a lost message). A receiver holds
 * what arrives out of order and delivers each origin's writes in their order, when the caller's
 * `ready` says so: always (eventual), or once the write's dependencies are delivered here (causal).
 *
 * Sans-I/O: the caller sends the entries and the statuses; time is passed in.
 */
import type { VersionVector } from '../causality/version-vector.js';

export interface LogEntry<P> {
  origin: string;
  counter: number;
  /** The origin's clock when it wrote: how long the write took to become visible elsewhere. */
  atMs: number;
  payload: P;
}

export class OriginLog<P> {
  /** Writes this node originated that some peer has not applied yet, oldest first. */
  private unacked: LogEntry<P>[] = [];
  private counterLast = 0;
  /** Per peer: how many of this node's writes it has applied (from its last status). */
  private readonly peerApplied = new Map<string, number>();
  /** Per origin: how many of its writes are delivered here, in order. */
  private readonly deliveredByOrigin: Record<string, number> = {};
  /** Per origin: writes that arrived ahead of their turn. */
  private readonly held = new Map<string, Map<number, LogEntry<P>>>();

  constructor(
    private readonly self: string,
    private readonly peers: readonly string[],
  ) {}

  /** What this node has delivered, per origin: its status, and a causal write's dependencies. */
  get delivered(): VersionVector {
    return this.deliveredByOrigin;
  }

  /** Writes held waiting for their turn or their dependencies. */
  get heldCount(): number {
    let n = 0;
    for (const m of this.held.values()) n += m.size;
    return n;
  }

  /** A write of this node's own: numbered, delivered here at once, kept until every peer applied it. */
  append(payload: P, nowMs: number): LogEntry<P> {
    const entry: LogEntry<P> = { origin: this.self, counter: ++this.counterLast, atMs: nowMs, payload };
    this.deliveredByOrigin[this.self] = entry.counter;
    if (this.peers.length > 0) this.unacked.push(entry);
    return entry;
  }

  /** A peer's status: what it applied of ours. Entries every peer applied are forgotten. */
  peerStatus(peer: string, delivered: VersionVector): void {
    const applied = delivered[this.self] ?? 0;
    if (applied > (this.peerApplied.get(peer) ?? 0)) this.peerApplied.set(peer, applied);
    const everywhere = Math.min(...this.peers.map((p) => this.peerApplied.get(p) ?? 0));
    if (this.unacked.length > 0 && this.unacked[0].counter <= everywhere) this.unacked = this.unacked.filter((e) => e.counter > everywhere);
  }

  /** Our writes the peer has not applied and that were sent at least resendAfterMs ago. */
  missing(peer: string, nowMs: number, resendAfterMs: number): LogEntry<P>[] {
    const applied = this.peerApplied.get(peer) ?? 0;
    return this.unacked.filter((e) => e.counter > applied && nowMs - e.atMs >= resendAfterMs);
  }

  /** A peer's write arrives (maybe twice, maybe early). */
  receive(entry: LogEntry<P>): void {
    if (entry.counter <= (this.deliveredByOrigin[entry.origin] ?? 0)) return;
    let m = this.held.get(entry.origin);
    if (m === undefined) this.held.set(entry.origin, (m = new Map()));
    m.set(entry.counter, entry);
  }

  /**
   * Deliver every held write that is next from its origin and `ready`, until none is: delivering one
   * origin's write may make another origin's ready. Returned in the order delivered.
   */
  deliverReady(ready: (entry: LogEntry<P>, delivered: VersionVector) => boolean): LogEntry<P>[] {
    const out: LogEntry<P>[] = [];
    for (let progress = true; progress; ) {
      progress = false;
      for (const [origin, m] of this.held) {
        for (let next = m.get((this.deliveredByOrigin[origin] ?? 0) + 1); next !== undefined && ready(next, this.deliveredByOrigin); next = m.get(next.counter + 1)) {
          m.delete(next.counter);
          this.deliveredByOrigin[origin] = next.counter;
          out.push(next);
          progress = true;
        }
      }
    }
    return out;
  }
}

/** A causal write is ready when everything it depends on (from other origins) is delivered here. */
export function dependenciesDelivered(deps: VersionVector, origin: string, delivered: VersionVector): boolean {
  for (const [o, n] of Object.entries(deps)) if (o !== origin && (delivered[o] ?? 0) < n) return false;
  return true;
}
