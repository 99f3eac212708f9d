/**
 * The phi accrual failure detector (Hayashibara, Défago, Yared, Katayama, 2004; as in Akka and
 * Cassandra). Instead of a yes/no timeout it reports a suspicion level that grows with the silence:
 *
 *     phi(t) = -log10( P(next heartbeat comes later than t) )
 *
 * with inter-arrival times modelled as a normal distribution fitted over the last `windowSize`
 * intervals. phi = 1 means a 10% chance the peer is merely late, phi = 8 (a common threshold) one in
 * 10^8. It adapts to the network: jittery links need a longer silence for the same suspicion.
 */
import { nonNegative, positive, positiveInt } from '../../runtime/config-error.js';

export interface PhiAccrualOptions {
  /** Suspect above this phi (default 8). */
  threshold?: number;
  /** Inter-arrival samples kept (default 1000). */
  windowSize?: number;
  /** A floor on the standard deviation, so a perfectly regular sender is not suspected at once (default 100 ms). */
  minStdDeviationMs?: number;
  /** Pauses this long are tolerated on top of the mean (default 0). */
  acceptablePauseMs?: number;
  /** Assumed interval before the first samples (default 1000 ms). */
  firstHeartbeatEstimateMs?: number;
}

export class PhiAccrualDetector {
  readonly threshold: number;
  private readonly windowSize: number;
  private readonly minStd: number;
  private readonly pause: number;
  private readonly intervals: number[] = [];
  private sum = 0;
  private sumSquares = 0;
  private lastMs: number | undefined;

  constructor(opts: PhiAccrualOptions = {}) {
    this.threshold = positive('threshold', opts.threshold ?? 8);
    this.windowSize = positiveInt('windowSize', opts.windowSize ?? 1000);
    this.minStd = positive('minStdDeviationMs', opts.minStdDeviationMs ?? 100);
    this.pause = nonNegative('acceptablePauseMs', opts.acceptablePauseMs ?? 0);
    const first = positive('firstHeartbeatEstimateMs', opts.firstHeartbeatEstimateMs ?? 1000);
    // Seed the window as Akka does: the estimate, give or take a quarter of it.
    this.add(first - first / 4);
    this.add(first + first / 4);
  }

  heartbeat(nowMs: number): void {
    if (this.lastMs !== undefined) this.add(nowMs - this.lastMs);
    this.lastMs = nowMs;
  }

  /** The suspicion level at nowMs (0 before the first heartbeat). */
  phi(nowMs: number): number {
    if (this.lastMs === undefined) return 0;
    const n = this.intervals.length;
    const mean = this.sum / n + this.pause;
    const std = Math.max(this.minStd, Math.sqrt(Math.max(0, this.sumSquares / n - (this.sum / n) ** 2)));
    const z = (nowMs - this.lastMs - mean) / std;
    // P(X > t) = erfc(z / sqrt 2) / 2, computed directly so large z keeps its precision.
    const pLater = erfc(z / Math.SQRT2) / 2;
    return pLater <= 0 ? Infinity : -Math.log10(pLater);
  }

  suspected(nowMs: number): boolean {
    return this.phi(nowMs) >= this.threshold;
  }

  private add(interval: number): void {
    this.intervals.push(interval);
    this.sum += interval;
    this.sumSquares += interval * interval;
    if (this.intervals.length > this.windowSize) {
      const old = this.intervals.shift()!;
      this.sum -= old;
      this.sumSquares -= old * old;
    }
  }
}

/**
 * The complementary error function, with relative error below 1.2e-7 everywhere (Numerical Recipes'
 * erfcc, a Chebyshev fit), so that phi stays exact far into the tail.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
