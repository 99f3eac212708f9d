/**
 * TrueTime (Corbett et al., "Spanner", OSDI 2012, §3): a clock that answers an interval, not an
 * instant. `now()` returns [earliest, latest], and the contract is that the true time lies inside it
 * as long as the configured bound on the clock's error holds. Spanner's bound comes from GPS and
 * atomic-clock time masters polled every 30 s; between polls it grows at an assumed worst-case drift
 * rate (200 ppm), which gives its 1 to 7 ms sawtooth.
 *
 * Here the clock is the node's own (in the simulator: skewed and drifting as the scenario says) and
 * the bound is configured: `epsilonMs` at the last synchronisation (the start of the process, as
 * there are no time masters to poll) plus `driftBoundPpm` of the local time elapsed since. Nothing
 * checks the bound: a clock whose real error exceeds it silently breaks every guarantee built on it,
 * which is what the commit-wait story's epsilon-too-small variant shows.
 */

/** An interval of time in milliseconds; the true time is within it while the bound holds. */
export interface TTInterval {
  earliest: number;
  latest: number;
}

export interface TrueTimeConfig {
  /** The bound on the clock's error at its last synchronisation (ms). */
  epsilonMs: number;
  /** The bound on the clock's rate error (parts per million) by which the uncertainty grows between synchronisations. */
  driftBoundPpm: number;
}

/**
 * Commit wait waits until earliest is strictly past a timestamp; a timer set for the exact difference
 * fires when the two are equal, so it is set this much longer (a microsecond, Spanner's timestamp unit).
 */
export const waitSlackMs = 0.001;

export class TrueTime {
  private readonly syncedAtMs: number;

  constructor(
    private readonly clock: () => number,
    readonly config: TrueTimeConfig,
    syncedAtMs?: number,
  ) {
    if (!(config.epsilonMs >= 0)) throw new RangeError(`epsilonMs must be a non-negative number (got ${config.epsilonMs})`);
    if (!(config.driftBoundPpm >= 0)) throw new RangeError(`driftBoundPpm must be a non-negative number (got ${config.driftBoundPpm})`);
    this.syncedAtMs = syncedAtMs ?? clock();
  }

  /** The uncertainty (half the interval's width) at local time `localMs`. */
  epsilonAt(localMs: number): number {
    return this.config.epsilonMs + (this.config.driftBoundPpm * Math.max(0, localMs - this.syncedAtMs)) / 1e6;
  }

  /** TT.now(): an interval that contains the true time, if the bound holds. */
  now(): TTInterval {
    const t = this.clock();
    const e = this.epsilonAt(t);
    return { earliest: t - e, latest: t + e };
  }

  /** TT.after(t): t has certainly passed. */
  after(t: number): boolean {
    return this.now().earliest > t;
  }

  /** TT.before(t): t has certainly not arrived. */
  before(t: number): boolean {
    return this.now().latest < t;
  }

  /**
   * Local milliseconds to wait until after(t) holds (0 when it does). earliest(L) = L - e0 - d(L - L0)
   * grows at rate 1 - d, so the wait is solved for, not guessed.
   */
  waitUntilAfterMs(t: number): number {
    const local = this.clock();
    if (this.now().earliest > t) return 0;
    const d = this.config.driftBoundPpm / 1e6;
    const target = d >= 1 ? Infinity : (t + this.config.epsilonMs - d * this.syncedAtMs) / (1 - d);
    // Before the last synchronisation the uncertainty is the base epsilon alone.
    const whenMs = Math.max(target, t + this.config.epsilonMs);
    return Math.max(0, whenMs - local) + waitSlackMs;
  }
}
