/**
 * The causal context of a delta-state CRDT (Almeida, Shoker and Baquero 2018, §7.1): every dot a
 * replica has seen, compressed as a version vector (every counter up to n, per replica) plus a cloud of
 * dots seen beyond it, out of order. A dot that follows on from the vector folds the cloud back in.
 */
import type { Dot } from '../causality/dotted-version-vector.js';

export class CausalContext {
  /** Seen: every counter up to this, per replica. */
  readonly vv = new Map<string, number>();
  /** Seen beyond the version vector, per replica; every counter here is above its replica's vector + 1. */
  readonly cloud = new Map<string, Set<number>>();

  seen(dot: Dot): boolean {
    return (this.vv.get(dot.replica) ?? 0) >= dot.counter || this.cloud.get(dot.replica)?.has(dot.counter) === true;
  }

  see(dot: Dot): void {
    const top = this.vv.get(dot.replica) ?? 0;
    if (dot.counter <= top) return;
    if (dot.counter > top + 1) {
      const ahead = this.cloud.get(dot.replica);
      if (ahead === undefined) this.cloud.set(dot.replica, new Set([dot.counter]));
      else ahead.add(dot.counter);
      return;
    }
    this.seeUpTo(dot.replica, dot.counter);
  }

  /** Every dot of the replica up to counter is seen; dots of the cloud that now follow on are folded in. */
  seeUpTo(replica: string, counter: number): void {
    const before = this.vv.get(replica) ?? 0;
    let top = Math.max(before, counter);
    const ahead = this.cloud.get(replica);
    if (ahead !== undefined) {
      // A jump (a whole state's context) may cover dots of the cloud; a step of one covers none.
      if (top > before + 1) for (const c of ahead) if (c <= top) ahead.delete(c);
      while (ahead.delete(top + 1)) top++;
      if (ahead.size === 0) this.cloud.delete(replica);
    }
    if (top > 0) this.vv.set(replica, top);
  }

  /** The counter after every one of the replica's this context has seen. */
  next(replica: string): number {
    let top = this.vv.get(replica) ?? 0;
    const ahead = this.cloud.get(replica);
    if (ahead !== undefined) for (const c of ahead) if (c > top) top = c;
    return top + 1;
  }

  /** Everything the other context has seen is seen here too. */
  join(other: CausalContext): void {
    for (const [replica, counter] of other.vv) this.seeUpTo(replica, counter);
    for (const [replica, counters] of other.cloud) for (const counter of counters) this.see({ replica, counter });
  }

  copyInto(out: CausalContext): void {
    for (const [r, n] of this.vv) out.vv.set(r, n);
    for (const [r, set] of this.cloud) out.cloud.set(r, new Set(set));
  }
}
