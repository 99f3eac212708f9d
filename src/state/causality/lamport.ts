/**
 * Lamport clocks (Lamport 1978): a counter per process, incremented at each event and advanced past
 * any timestamp received. If a happened before b then L(a) < L(b); the converse does not hold, so
 * Lamport time orders events consistently but cannot tell concurrent ones apart (version vectors can).
 */
export class LamportClock {
  private t = 0;
  /** A local event or a send: the new timestamp. */
  tick(): number {
    return ++this.t;
  }
  /** A receive of a message stamped `remote`: the new timestamp. */
  receive(remote: number): number {
    this.t = Math.max(this.t, remote) + 1;
    return this.t;
  }
  get time(): number {
    return this.t;
  }
}
