/**
 * Weighted round robin, the smooth kind (nginx): each pick adds every backend's weight to its
 * current score, takes the highest, and subtracts the total from it. Weights 5, 1, 1 give
 * a a b a c a a: proportional, and never a burst of one backend's whole share at once.
 */
import { ConfigError } from '../../runtime/config-error.js';
import { checkBackends, type Balancer } from './balancer.js';

export class WeightedRoundRobin implements Balancer {
  readonly name = 'weighted';
  private readonly backends: string[];
  private readonly weights: number[];
  private readonly current: number[];
  private readonly total: number;
  constructor(weights: Record<string, number>) {
    this.backends = [...checkBackends(Object.keys(weights))];
    this.weights = this.backends.map((b) => weights[b]);
    for (const [i, w] of this.weights.entries()) if (!(w > 0)) throw new ConfigError(`weights.${this.backends[i]}`, 'a positive weight', w);
    this.current = this.weights.map(() => 0);
    this.total = this.weights.reduce((a, b) => a + b, 0);
  }
  pick(): string {
    let best = 0;
    for (let i = 0; i < this.backends.length; i++) {
      this.current[i] += this.weights[i];
      if (this.current[i] > this.current[best]) best = i;
    }
    this.current[best] -= this.total;
    return this.backends[best];
  }
}
