/**
 * A circuit breaker: stop calling what is failing, so that it can recover and so that callers fail
 * fast instead of queueing behind it.
 *
 *   closed ──(strategy trips)──▶ open ──(openMs passed)──▶ half-open ──(successThreshold probes ok)──▶ closed
 *                                  ▲                           │
 *                                  └──────(a probe fails)──────┘   (and each reopening waits longer)
 *
 * Half-open lets `probes` calls through at a time and closes after `successThreshold` of them
 * succeeded; any failed probe reopens. Every trip in a row multiplies the open time by
 * `backoffFactor` (up to openMsMax), and `jitter` spreads it, so that breakers of many clients that
 * tripped together do not all probe the recovering service at the same instant (the synchronized
 * breakers of the seeds). `isolate()` holds it open by hand until `release()`.
 *
 * The state machine is synchronous and reads time only from the injected clock; `execute` is the
 * async adapter. Results of calls admitted before the breaker opened do not count while it is open
 * or half-open (a slow success from before the trip is not a probe).
 */
import type { Clock, Random } from '../../runtime/clock.js';
import { BrokenCircuitError, IsolatedError } from '../errors.js';
import { ConfigError, nonNegative, positive, positiveInt } from '../../runtime/config-error.js';
import { call, defaultContext, Listeners, type Operation, type Policy } from '../policy.js';
import { ConsecutiveFailures, type TripStrategy } from './strategies.js';

export type BreakerState =
  | { kind: 'closed' }
  | { kind: 'open'; untilMs: number; trips: number }
  | { kind: 'half-open'; inFlight: number; successes: number; trips: number }
  | { kind: 'isolated'; reason: string };

export type BreakerEvent =
  | { type: 'state'; from: BreakerState['kind']; to: BreakerState['kind']; reason: string; atMs: number }
  | { type: 'rejected'; state: BreakerState['kind']; atMs: number };

export interface CircuitBreakerOptions {
  /** When to trip (default: 5 consecutive failures). */
  strategy?: TripStrategy;
  /** How long the first opening lasts (default 10 s). */
  openMs?: number;
  /** Each trip in a row multiplies the open time by this (default 2; 1 keeps it constant) ... */
  backoffFactor?: number;
  /** ... up to this (default 5 min). */
  openMsMax?: number;
  /** Open times vary by ± this fraction, drawn from `random` (default 0.2; 0 = none). */
  jitter?: number;
  /** Calls let through at a time when half-open (default 1). */
  probes?: number;
  /** Successful probes needed to close (default 1). */
  successThreshold?: number;
  /** Which errors count as failures (default: all). Others pass through and count as nothing. */
  isFailure?: (error: unknown) => boolean;
  /** Open times are measured on this clock (required: the simulator's, or realClock() in a service). */
  clock: Clock;
  /** The stream the jitter is drawn from. */
  random: Random;
}

/** How a call was admitted: as an ordinary call or as a half-open probe. */
const enum Admission {
  Closed = 0,
  Probe = 1,
}

/** A call let through: hand it back to `release` (or `cancel`) when the call is over. */
export interface Permit {
  readonly admission: Admission;
  /** Let through as a half-open probe. */
  readonly probe: boolean;
  /** The breaker's generation when the call was let through (results from older ones are ignored). */
  readonly generation: number;
  readonly startMs: number;
}

export class CircuitBreaker implements Policy {
  private s: BreakerState = { kind: 'closed' };
  /** Bumped at every state change: outcomes of calls admitted in an older generation are ignored. */
  private generation = 0;
  private readonly strategy: TripStrategy;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly openMs: number;
  private readonly backoffFactor: number;
  private readonly openMsMax: number;
  private readonly jitter: number;
  private readonly probes: number;
  private readonly successThreshold: number;
  private readonly isFailure: ((e: unknown) => boolean) | undefined;
  readonly events = new Listeners<BreakerEvent>();
  /** Calls refused (open, half-open full, or isolated). */
  rejected = 0;

  constructor(opts: CircuitBreakerOptions) {
    this.strategy = opts.strategy ?? new ConsecutiveFailures(5);
    this.clock = opts.clock;
    this.random = opts.random;
    this.openMs = positive('openMs', opts.openMs ?? 10_000);
    this.backoffFactor = opts.backoffFactor ?? 2;
    if (!(this.backoffFactor >= 1)) throw new ConfigError('backoffFactor', 'a number >= 1', opts.backoffFactor);
    this.openMsMax = positive('openMsMax', opts.openMsMax ?? 300_000);
    this.jitter = nonNegative('jitter', opts.jitter ?? 0.2);
    if (this.jitter >= 1) throw new ConfigError('jitter', 'a fraction in [0, 1)', opts.jitter);
    this.probes = positiveInt('probes', opts.probes ?? 1);
    this.successThreshold = positiveInt('successThreshold', opts.successThreshold ?? 1);
    this.isFailure = opts.isFailure;
    // The hot path (closed, a strategy that needs no time) is two pre-bound callbacks: no closure per call.
    this.okClosed = (v) => {
      if (this.s.kind === 'closed' && this.strategy.record({ ok: true, durationMs: 0, nowMs: 0 })) this.trip(this.clock.now(), this.strategy.describe());
      return v;
    };
    this.errClosed = (e) => {
      if (this.s.kind === 'closed' && (this.isFailure === undefined || this.isFailure(e)) && this.strategy.record({ ok: false, durationMs: 0, nowMs: this.clock.now() })) {
        this.trip(this.clock.now(), this.strategy.describe());
      }
      throw e;
    };
  }

  /** The state now (an open breaker whose time is up reads as half-open). */
  get state(): BreakerState {
    this.maybeHalfOpen(this.clock.now());
    return this.s;
  }

  // ---- the state machine ----

  /**
   * The synchronous core, for hosts that are not async (a Process in the simulator): ask to make a
   * call at nowMs. A permit, or the error to refuse the call with.
   */
  tryAcquire(nowMs: number): Permit | BrokenCircuitError | IsolatedError {
    const a = this.acquire(nowMs);
    return typeof a === 'number' ? { admission: a, probe: a === Admission.Probe, generation: this.generation, startMs: nowMs } : a;
  }

  /** The call of `permit` ended at nowMs: ok, or failed. */
  complete(permit: Permit, ok: boolean, nowMs: number): void {
    this.record(permit.admission, permit.generation, ok, nowMs - permit.startMs, nowMs);
  }

  /** The call of `permit` was not made after all, or ended with an error that is not a failure. */
  cancel(permit: Permit): void {
    if (permit.admission === Admission.Probe && permit.generation === this.generation && this.s.kind === 'half-open') this.s.inFlight--;
  }

  private acquire(nowMs: number): Admission | BrokenCircuitError | IsolatedError {
    const s = this.s;
    if (s.kind === 'closed') return Admission.Closed;
    this.maybeHalfOpen(nowMs);
    const h = this.s;
    if (h.kind === 'half-open' && h.inFlight < this.probes) {
      h.inFlight++;
      return Admission.Probe;
    }
    this.rejected++;
    if (!this.events.empty) this.events.emit({ type: 'rejected', state: h.kind, atMs: nowMs });
    if (h.kind === 'isolated') return IsolatedError.create(h.reason);
    return BrokenCircuitError.create(h.kind === 'open' ? Math.max(0, h.untilMs - nowMs) : 0);
  }

  private record(admission: Admission, generation: number, ok: boolean, durationMs: number, nowMs: number): void {
    if (generation !== this.generation) return; // admitted before the last state change
    const s = this.s;
    if (admission === Admission.Closed) {
      if (s.kind === 'closed' && this.strategy.record({ ok, durationMs, nowMs })) this.trip(nowMs, this.strategy.describe());
      return;
    }
    if (s.kind !== 'half-open') return;
    s.inFlight--;
    if (!ok) return this.reopen(nowMs, s.trips + 1, 'a probe failed');
    if (++s.successes >= this.successThreshold) this.to({ kind: 'closed' }, nowMs, `${s.successes} probes succeeded`);
  }

  /** Hold the breaker open until release() (an operator's hand on the switch). */
  isolate(reason = 'isolated by hand'): void {
    this.to({ kind: 'isolated', reason }, this.clock.now(), reason);
  }

  release(): void {
    if (this.s.kind === 'isolated') this.to({ kind: 'closed' }, this.clock.now(), 'released');
  }

  private trip(nowMs: number, reason: string): void {
    this.reopen(nowMs, 1, reason);
  }

  private reopen(nowMs: number, trips: number, reason: string): void {
    const base = Math.min(this.openMsMax, this.openMs * this.backoffFactor ** (trips - 1));
    const ms = this.jitter === 0 ? base : base * (1 + this.jitter * (2 * this.random() - 1));
    this.to({ kind: 'open', untilMs: nowMs + ms, trips }, nowMs, reason);
  }

  private maybeHalfOpen(nowMs: number): void {
    const s = this.s;
    if (s.kind === 'open' && nowMs >= s.untilMs) this.to({ kind: 'half-open', inFlight: 0, successes: 0, trips: s.trips }, nowMs, 'open time over');
  }

  private to(next: BreakerState, nowMs: number, reason: string): void {
    const from = this.s.kind;
    this.s = next;
    this.generation++;
    if (next.kind === 'closed') this.strategy.reset();
    if (!this.events.empty) this.events.emit({ type: 'state', from, to: next.kind, reason, atMs: nowMs });
  }

  // ---- the async adapter ----

  private readonly okClosed: (v: any) => any;
  private readonly errClosed: (e: unknown) => never;

  execute<T>(fn: Operation<T>, signal?: AbortSignal): Promise<T> {
    const ctx = signal === undefined ? defaultContext : { signal };
    if (this.s.kind === 'closed' && !this.strategy.needsTime) return call(fn, ctx).then(this.okClosed, this.errClosed);
    const permit = this.tryAcquire(this.clock.now());
    if (!('admission' in permit)) return Promise.reject(permit);
    return call(fn, ctx).then(
      (v) => {
        this.complete(permit, true, this.clock.now());
        return v;
      },
      (e) => {
        if (this.isFailure !== undefined && !this.isFailure(e)) this.cancel(permit);
        else this.complete(permit, false, this.clock.now());
        throw e;
      },
    );
  }
}

export function circuitBreaker(opts: CircuitBreakerOptions): CircuitBreaker {
  return new CircuitBreaker(opts);
}
