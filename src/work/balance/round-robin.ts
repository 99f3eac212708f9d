/** Round robin: each backend in turn. Even when requests are even; blind to how busy a backend is. */
import { checkBackends, type Balancer } from './balancer.js';

export class RoundRobin implements Balancer {
  readonly name = 'round-robin';
  private next = 0;
  constructor(private readonly backends: readonly string[]) {
    checkBackends(backends);
  }
  pick(): string {
    const b = this.backends[this.next];
    this.next = (this.next + 1) % this.backends.length;
    return b;
  }
}
