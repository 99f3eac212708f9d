/**
 * A key-value replica that accepts writes anywhere and keeps cause before effect (COPS, Lloyd et al.
 * 2011, causal+): a write is applied where it lands and acknowledged at once, then shipped to every
 * peer with its dependencies (everything its replica had delivered when it was written: one entry
 * per origin). A peer delivers it only once those dependencies are delivered there too, so nobody
 * sees a reply before the post it answers. Concurrent writes to one key settle by Lamport time, then
 * origin, the same everywhere (the "+" of causal+: replicas converge).
 *
 * `eventual` is the same store without the wait: each origin's writes still arrive in their order,
 * but a write from one origin may overtake the write from another that caused it.
 *
 * Sans-I/O: the caller ships the entries and the statuses (src/state/replication/origin-log.ts).
 */
import type { VersionVector } from '../causality/version-vector.js';
import { dependenciesDelivered, OriginLog, type LogEntry } from '../replication/origin-log.js';

export interface CausalWrite<V> {
  key: string;
  value: V;
  lamport: number;
  /** What the writing replica had delivered, per origin: the write's causal past. */
  deps: VersionVector;
}

interface Stamped<V> {
  value: V;
  lamport: number;
  origin: string;
}

export class CausalStore<V> {
  private readonly data = new Map<string, Stamped<V>>();
  private readonly log: OriginLog<CausalWrite<V>>;
  private lamport = 0;

  constructor(
    private readonly self: string,
    peers: readonly string[],
    private readonly mode: 'causal' | 'eventual' = 'causal',
  ) {
    this.log = new OriginLog(self, peers);
  }

  /** Apply a write here and return it to ship to every peer. */
  write(key: string, value: V, nowMs: number): LogEntry<CausalWrite<V>> {
    this.lamport++;
    const entry = this.log.append({ key, value, lamport: this.lamport, deps: { ...this.log.delivered } }, nowMs);
    this.apply(key, { value, lamport: this.lamport, origin: this.self });
    return entry;
  }

  read(key: string): V | undefined {
    return this.data.get(key)?.value;
  }

  /** The winning write's stamp of a key ("lamport.origin"), the same on every replica once converged. */
  version(key: string): string | undefined {
    const s = this.data.get(key);
    return s === undefined ? undefined : `${s.lamport}.${s.origin}`;
  }

  keys(): IterableIterator<string> {
    return this.data.keys();
  }

  /** Peers' writes arrive; those that may be delivered now are applied and returned, in order. */
  receive(entries: readonly LogEntry<CausalWrite<V>>[]): LogEntry<CausalWrite<V>>[] {
    for (const e of entries) this.log.receive(e);
    const ready = this.mode === 'causal' ? (e: LogEntry<CausalWrite<V>>, delivered: VersionVector) => dependenciesDelivered(e.payload.deps, e.origin, delivered) : () => true;
    const delivered = this.log.deliverReady(ready);
    for (const e of delivered) {
      this.lamport = Math.max(this.lamport, e.payload.lamport);
      this.apply(e.payload.key, { value: e.payload.value, lamport: e.payload.lamport, origin: e.origin });
    }
    return delivered;
  }

  /** This replica's status for its peers: what it has delivered from each origin. */
  status(): VersionVector {
    return { ...this.log.delivered };
  }

  /** A peer's status; returns this replica's writes it still lacks (sent resendAfterMs ago or more). */
  peerStatus(peer: string, delivered: VersionVector, nowMs: number, resendAfterMs: number): LogEntry<CausalWrite<V>>[] {
    this.log.peerStatus(peer, delivered);
    return this.log.missing(peer, nowMs, resendAfterMs);
  }

  /** Writes that arrived and wait for their dependencies (or their turn). */
  get heldCount(): number {
    return this.log.heldCount;
  }

  private apply(key: string, w: Stamped<V>): void {
    const cur = this.data.get(key);
    if (cur === undefined || w.lamport > cur.lamport || (w.lamport === cur.lamport && w.origin > cur.origin)) this.data.set(key, w);
  }
}
