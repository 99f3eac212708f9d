/**
 * Least outstanding requests: the backend with the fewest requests in flight (ties: the first
 * found after a rotating start, so ties do not all land on one backend). Needs to see every
 * request, so it suits one balancer in front of a pool, not many independent clients. The scan is
 * over a typed array: O(backends) per pick, cheap up to a few hundred.
 */
import { checkBackends, type Balancer } from './balancer.js';

export class LeastOutstanding implements Balancer {
  readonly name = 'least-outstanding';
  private readonly counts: Int32Array;
  private readonly index: Map<string, number>;
  private rotate = 0;
  constructor(private readonly backends: readonly string[]) {
    checkBackends(backends);
    this.counts = new Int32Array(backends.length);
    this.index = new Map(backends.map((b, i) => [b, i]));
  }
  pick(): string {
    const n = this.backends.length;
    const start = this.rotate++ % n;
    let best = start;
    for (let k = 1; k < n; k++) {
      const i = start + k < n ? start + k : start + k - n;
      if (this.counts[i] < this.counts[best]) best = i;
    }
    return this.backends[best];
  }
  onStart(b: string): void {
    const i = this.index.get(b);
    if (i !== undefined) this.counts[i]++;
  }
  onEnd(b: string): void {
    const i = this.index.get(b);
    if (i !== undefined && this.counts[i] > 0) this.counts[i]--;
  }
}
