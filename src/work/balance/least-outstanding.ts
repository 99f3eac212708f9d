/**
 * Least outstanding requests: the backend with the fewest requests in flight (ties: the first
 * found after a rotating start, so ties do not all land on one backend). Needs to see every
 * request, so it suits one balancer in front of a pool, not many independent clients.
 */
import { checkBackends, Outstanding, type Balancer } from './balancer.js';

export class LeastOutstanding implements Balancer {
  readonly name = 'least-outstanding';
  private readonly load: Outstanding;
  private rotate = 0;
  constructor(private readonly backends: readonly string[]) {
    checkBackends(backends);
    this.load = new Outstanding(backends);
  }
  pick(): string {
    const n = this.backends.length;
    let best = this.backends[this.rotate % n];
    for (let i = 1; i < n; i++) {
      const b = this.backends[(this.rotate + i) % n];
      if (this.load.of(b) < this.load.of(best)) best = b;
    }
    this.rotate++;
    return best;
  }
  onStart(b: string): void {
    this.load.start(b);
  }
  onEnd(b: string): void {
    this.load.end(b);
  }
}
