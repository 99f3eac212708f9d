/**
 * A lease lock that hands out fencing tokens: the core of a lock service, with no I/O and the time
 * passed in. A grant carries a token that is larger than every token granted before (for any
 * resource), and a lease: the holder may act until `expiresMs` of the lock service's clock, unless it
 * renews. After expiry the lock goes to the next asker, whether or not the old holder noticed.
 *
 * Why tokens: a lease alone cannot stop a holder that was paused (a GC pause, a swapped-out process,
 * a delayed packet) from acting after its lease ran out, because it checked the lease before the
 * pause. The token travels with every write, and the storage refuses a token older than one it has
 * seen (see FencedStore). Kleppmann, "How to do distributed locking" (2016); Chubby's sequencers.
 */

export type LockGrant = { granted: true; resource: string; token: number; expiresMs: number };
export type LockRefusal = { granted: false; resource: string; holder: string; expiresMs: number };
export type LockAnswer = LockGrant | LockRefusal;

interface Lease {
  holder: string;
  token: number;
  expiresMs: number;
}

export class LeaseLock {
  private readonly leases = new Map<string, Lease>();
  /** The last token handed out; a lock service persists it so a restart never hands out a smaller one. */
  private tokenLast: number;

  constructor(
    readonly leaseMs: number,
    tokenLast = 0,
  ) {
    if (!(leaseMs > 0)) throw new RangeError(`leaseMs must be positive, got ${leaseMs}`);
    this.tokenLast = tokenLast;
  }

  /** The last token granted (persist it before sending the grant). */
  get lastToken(): number {
    return this.tokenLast;
  }

  /**
   * Take the lock when it is free or its lease has run out; the current holder asking again gets a
   * fresh lease with a new token. `atLeast` lifts the next token above one the asker has already seen
   * (a token the service may have handed out before it lost its state).
   */
  acquire(resource: string, holder: string, nowMs: number, atLeast = 0): LockAnswer {
    const lease = this.leases.get(resource);
    if (lease !== undefined && nowMs < lease.expiresMs && lease.holder !== holder) {
      return { granted: false, resource, holder: lease.holder, expiresMs: lease.expiresMs };
    }
    this.tokenLast = Math.max(this.tokenLast, atLeast) + 1;
    const next: Lease = { holder, token: this.tokenLast, expiresMs: nowMs + this.leaseMs };
    this.leases.set(resource, next);
    return { granted: true, resource, token: next.token, expiresMs: next.expiresMs };
  }

  /** Extend a lease that is still held with this token; the token stays the same. */
  renew(resource: string, holder: string, token: number, nowMs: number): LockAnswer {
    const lease = this.leases.get(resource);
    if (lease === undefined || lease.holder !== holder || lease.token !== token || nowMs >= lease.expiresMs) {
      return { granted: false, resource, holder: lease?.holder ?? '', expiresMs: lease?.expiresMs ?? nowMs };
    }
    lease.expiresMs = nowMs + this.leaseMs;
    return { granted: true, resource, token, expiresMs: lease.expiresMs };
  }

  /** Give the lock back early; a release with a stale token does nothing. */
  release(resource: string, holder: string, token: number): boolean {
    const lease = this.leases.get(resource);
    if (lease === undefined || lease.holder !== holder || lease.token !== token) return false;
    this.leases.delete(resource);
    return true;
  }

  /** Who holds a resource now, if anyone. */
  holder(resource: string, nowMs: number): { holder: string; token: number; expiresMs: number } | undefined {
    const lease = this.leases.get(resource);
    return lease !== undefined && nowMs < lease.expiresMs ? { ...lease } : undefined;
  }
}
