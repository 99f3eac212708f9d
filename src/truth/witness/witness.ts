/**
 * The arbitrator of two-data-centre replication: a witness at a third site that holds no data, only
 * who may be primary (a lease with a fencing token, the epoch) and which of the two data nodes is
 * out of date. Two sites and the witness are three votes; a data node acts with two of them:
 *
 * - the primary acknowledges a write once the standby in the other data centre has it (its own vote
 *   and the standby's), or, when the standby cannot be reached, once the witness has recorded the
 *   standby as stale (its own vote and the witness's);
 * - the standby becomes primary only with the witness's vote, which the witness gives when the
 *   primary's lease has run out and the standby is not stale: it then holds every write the primary
 *   acknowledged, because each one either reached it or made it stale first.
 *
 * A side of a partition without the witness can do neither, so it refuses writes; the side with the
 * witness goes on. Oracle Data Guard's fast-start failover observer, a SQL Server file-share witness
 * and MongoDB's arbiter are this; Paxos with the witness as an acceptor that keeps no log is the
 * general form ("Cheap Paxos", Lamport and Massa 2004).
 *
 * Sans-I/O: the time is passed in, answers are values; the host sends them.
 */
import { LeaseLock } from '../fencing/lease-lock.js';

/** The one thing the witness leases: the right to be primary. */
const primaryRole = 'primary';

export type WitnessAnswer = { granted: true; epoch: number; expiresMs: number } | { granted: false; reason: string };

export class Witness {
  private readonly lock: LeaseLock;
  /** Data nodes that may lack acknowledged writes: they may not be promoted until the primary clears them. */
  private readonly stale = new Set<string>();
  /**
   * When the primary sent the newest markStale or inSync the witness has acted on (the primary's
   * clock). An older one that arrives late is refused: the network may reorder them, and the last
   * word the primary sent must be the one that stands.
   */
  private standbyAskedMsLast = -Infinity;

  /**
   * @param pair the two data nodes that may be primary, one per data centre
   * @param primary which of them holds the lease at start (epoch 1)
   */
  constructor(
    private readonly pair: readonly [string, string],
    primary: string,
    leaseMs: number,
    nowMs: number,
  ) {
    if (pair[0] === pair[1]) throw new RangeError(`the pair needs two different nodes, got ${pair[0]} twice`);
    if (!pair.includes(primary)) throw new RangeError(`the primary ${primary} is not one of the pair ${pair.join(', ')}`);
    this.lock = new LeaseLock(leaseMs);
    this.lock.acquire(primaryRole, primary, nowMs);
  }

  /** The primary extends its lease; refused when another node holds the role or the lease ran out. */
  renew(holder: string, epoch: number, nowMs: number): WitnessAnswer {
    const a = this.lock.renew(primaryRole, holder, epoch, nowMs);
    return a.granted ? { granted: true, epoch: a.token, expiresMs: a.expiresMs } : { granted: false, reason: `not the primary of epoch ${epoch}` };
  }

  /**
   * The primary cannot reach its standby and asks to go on alone: from now on the standby may lack
   * acknowledged writes, so it may not be promoted. Granted to the holder of a live lease only.
   */
  markStale(holder: string, epoch: number, standby: string, askedMs: number, nowMs: number): WitnessAnswer {
    const refusal = this.refuseStandbyAsk(holder, epoch, askedMs, nowMs);
    if (refusal !== undefined) return refusal;
    const live = this.lock.holder(primaryRole, nowMs)!;
    this.stale.add(standby);
    return { granted: true, epoch, expiresMs: live.expiresMs };
  }

  /**
   * The primary says its standby has caught up (it acknowledged everything the primary acknowledged
   * alone, and the primary waits for it again). Only the primary of the epoch may say so.
   */
  inSync(holder: string, epoch: number, standby: string, askedMs: number, nowMs: number): WitnessAnswer {
    const refusal = this.refuseStandbyAsk(holder, epoch, askedMs, nowMs);
    if (refusal !== undefined) return refusal;
    const live = this.lock.holder(primaryRole, nowMs)!;
    this.stale.delete(standby);
    return { granted: true, epoch, expiresMs: live.expiresMs };
  }

  private refuseStandbyAsk(holder: string, epoch: number, askedMs: number, nowMs: number): WitnessAnswer | undefined {
    const live = this.lock.holder(primaryRole, nowMs);
    if (live === undefined || live.holder !== holder || live.token !== epoch) return { granted: false, reason: `not the primary of epoch ${epoch}` };
    if (askedMs < this.standbyAskedMsLast) return { granted: false, reason: `asked at ${askedMs} ms, before a later request acted on (${this.standbyAskedMsLast} ms)` };
    this.standbyAskedMsLast = askedMs;
    return undefined;
  }

  /**
   * The standby has lost the primary and asks for the role. Granted when it is one of the pair, is
   * not stale, and the primary's lease has run out. The other of the pair is stale from then on (the
   * new primary acknowledges alone until it has caught up); a primary whose own lease lapsed asks
   * here too, and its standby is then marked stale though it may be current: safe, and cleared by
   * the next inSync.
   */
  promote(candidate: string, nowMs: number): WitnessAnswer {
    if (!this.pair.includes(candidate)) return { granted: false, reason: `${candidate} is not one of the pair ${this.pair.join(', ')}` };
    if (this.stale.has(candidate)) return { granted: false, reason: `${candidate} is stale: it may lack acknowledged writes` };
    const a = this.lock.acquire(primaryRole, candidate, nowMs);
    if (!a.granted) return { granted: false, reason: `${a.holder} holds the lease until ${a.expiresMs} ms` };
    const other = this.pair[0] === candidate ? this.pair[1] : this.pair[0];
    this.stale.add(other);
    this.standbyAskedMsLast = -Infinity;
    return { granted: true, epoch: a.token, expiresMs: a.expiresMs };
  }

  isStale(node: string): boolean {
    return this.stale.has(node);
  }
}
