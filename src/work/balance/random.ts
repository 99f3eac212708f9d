/** Random: a uniform choice. With n backends and n requests, the busiest gets ~ln n / ln ln n of them. */
import type { Random } from '../../runtime/clock.js';
import { checkBackends, randomIndex, type Balancer } from './balancer.js';

export class RandomBalancer implements Balancer {
  readonly name = 'random';
  constructor(
    private readonly backends: readonly string[],
    private readonly random: Random,
  ) {
    checkBackends(backends);
  }
  pick(): string {
    return this.backends[randomIndex(this.random, this.backends.length)];
  }
}
