/**
 * The power of d choices (Mitzenmacher; Azar, Broder, Karlin, Upfal): sample d backends at random
 * and take the least loaded of them. Two choices instead of one turn the busiest backend's load from
 * ~ln n / ln ln n into ~ln ln n / ln 2, and in a queueing system (the supermarket model) the mean
 * time in system at 90% load from 10 service times into ~2.6. Needs only the load of the sampled
 * backends, so it works with stale or local load information too.
 */
import type { Random } from '../../runtime/clock.js';
import { positiveInt } from '../../runtime/config-error.js';
import { checkBackends, Outstanding, randomIndex, type Balancer } from './balancer.js';

export class PowerOfChoices implements Balancer {
  readonly name: string;
  readonly load: Outstanding;
  constructor(
    private readonly backends: readonly string[],
    private readonly random: Random,
    readonly d = 2,
    /** How loaded a backend is (default: its outstanding requests as this balancer counts them). */
    private readonly loadOf?: (b: string) => number,
  ) {
    checkBackends(backends);
    positiveInt('d', d);
    this.name = d === 2 ? 'p2c' : `p${d}c`;
    this.load = new Outstanding(backends);
  }
  pick(): string {
    const n = this.backends.length;
    const load = this.loadOf ?? ((b: string) => this.load.of(b));
    let best = this.backends[randomIndex(this.random, n)];
    for (let i = 1; i < this.d; i++) {
      const c = this.backends[randomIndex(this.random, n)];
      if (load(c) < load(best)) best = c;
    }
    return best;
  }
  onStart(b: string): void {
    this.load.start(b);
  }
  onEnd(b: string): void {
    this.load.end(b);
  }
}
