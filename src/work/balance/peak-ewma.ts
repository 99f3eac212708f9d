/**
 * Peak EWMA (Finagle, Linkerd): each backend's cost is its latency estimate times (outstanding + 1);
 * pick two at random and take the cheaper. The estimate is an exponentially weighted moving average
 * over time (decay `decayMs`) that jumps up at once to a slower sample (the "peak"): a backend that
 * turns slow is avoided at its first slow answer, and forgiven gradually.
 */
import type { Clock, Random } from '../../runtime/clock.js';
import { positive } from '../../runtime/config-error.js';
import { checkBackends, Outstanding, randomIndex, type Balancer } from './balancer.js';

export class PeakEwma implements Balancer {
  readonly name = 'peak-ewma';
  private readonly load: Outstanding;
  private readonly cost = new Map<string, { ewmaMs: number; atMs: number }>();
  constructor(
    private readonly backends: readonly string[],
    private readonly random: Random,
    private readonly clock: Clock,
    private readonly decayMs = 10_000,
    /** The estimate of a backend never heard from. */
    private readonly initialMs = 1,
  ) {
    checkBackends(backends);
    positive('decayMs', decayMs);
    this.load = new Outstanding(backends);
  }
  /** The latency estimate of b now (decayed towards nothing since the last sample). */
  latency(b: string): number {
    return this.cost.get(b)?.ewmaMs ?? this.initialMs;
  }
  private score(b: string): number {
    return this.latency(b) * (this.load.of(b) + 1);
  }
  pick(): string {
    const n = this.backends.length;
    const a = this.backends[randomIndex(this.random, n)];
    if (n === 1) return a;
    let c = this.backends[randomIndex(this.random, n - 1)];
    if (c === a) c = this.backends[n - 1];
    return this.score(c) < this.score(a) ? c : a;
  }
  onStart(b: string): void {
    this.load.start(b);
  }
  onEnd(b: string, latencyMs: number, _ok?: boolean): void {
    this.load.end(b);
    const now = this.clock.now();
    const prev = this.cost.get(b);
    if (prev === undefined || latencyMs > prev.ewmaMs) {
      this.cost.set(b, { ewmaMs: latencyMs, atMs: now });
      return;
    }
    const w = Math.exp(-(now - prev.atMs) / this.decayMs);
    this.cost.set(b, { ewmaMs: prev.ewmaMs * w + latencyMs * (1 - w), atMs: now });
  }
}
