/**
 * One interface for every load balancer: pick a backend for a request, and (for the balancers that
 * learn) hear when a request to it starts and ends. Usable in a Node service as well as inside the
 * simulator: the random ones take their random stream as an argument (Math.random in a service, a
 * node's seeded stream in a scenario), so nothing here reads a clock or a global.
 */
import type { Random } from '../../runtime/clock.js';
import { ConfigError } from '../../runtime/config-error.js';

export interface Balancer {
  readonly name: string;
  /** A backend for this request; `key` matters only to the hashing balancers. */
  pick(key?: string): string;
  /** A request to b started (outstanding + 1). */
  onStart?(b: string): void;
  /** A request to b ended after latencyMs (outstanding - 1). */
  onEnd?(b: string, latencyMs: number, ok: boolean): void;
}

/** Validate a backend list once, for every balancer. */
export function checkBackends(backends: readonly string[]): readonly string[] {
  if (backends.length === 0) throw new ConfigError('backends', 'at least one backend', backends);
  if (new Set(backends).size !== backends.length) throw new ConfigError('backends', 'distinct names', backends);
  return backends;
}

/** A uniform integer in [0, n). */
export const randomIndex = (random: Random, n: number): number => Math.floor(random() * n);

/** Outstanding requests per backend, the load the adaptive balancers read. */
export class Outstanding {
  readonly counts: Map<string, number>;
  constructor(backends: readonly string[]) {
    this.counts = new Map(backends.map((b) => [b, 0]));
  }
  of(b: string): number {
    return this.counts.get(b) ?? 0;
  }
  start(b: string): void {
    this.counts.set(b, this.of(b) + 1);
  }
  end(b: string): void {
    this.counts.set(b, Math.max(0, this.of(b) - 1));
  }
}
