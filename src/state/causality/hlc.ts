/**
 * Hybrid logical clocks (Kulkarni, Demirbas et al. 2014): a timestamp (l, c) where l follows the
 * largest physical time seen and c counts events within one l. HLC timestamps respect causality like
 * Lamport clocks (a before b implies hlc(a) < hlc(b)), stay within the clock skew of physical time,
 * and fit in a 64-bit integer. Last-write-wins by HLC keeps a causally later write even when its
 * node's wall clock is behind; by wall clock it may silently lose it.
 */
export interface HlcTimestamp {
  /** The largest physical time (ms) seen. */
  l: number;
  /** Events since l last moved. */
  c: number;
}

export function compareHlc(a: HlcTimestamp, b: HlcTimestamp): number {
  return a.l !== b.l ? a.l - b.l : a.c - b.c;
}

export class HybridLogicalClock {
  private l = 0;
  private c = 0;

  /** `physicalNow` is this node's wall clock (ms); it may be skewed. */
  constructor(private readonly physicalNow: () => number) {}

  /** A local event or a send. */
  now(): HlcTimestamp {
    const pt = this.physicalNow();
    if (pt > this.l) {
      this.l = pt;
      this.c = 0;
    } else {
      this.c++;
    }
    return { l: this.l, c: this.c };
  }

  /** A receive of a message stamped `m`. */
  receive(m: HlcTimestamp): HlcTimestamp {
    const pt = this.physicalNow();
    const l = Math.max(this.l, m.l, pt);
    if (l === this.l && l === m.l) this.c = Math.max(this.c, m.c) + 1;
    else if (l === this.l) this.c++;
    else if (l === m.l) this.c = m.c + 1;
    else this.c = 0;
    this.l = l;
    return { l: this.l, c: this.c };
  }
}
