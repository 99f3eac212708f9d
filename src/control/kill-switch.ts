/**
 * Kill switches: ways to stop automation that has gone wrong, at the time scales of the seeds.
 *
 * - KillSwitch: a manual switch. Off means every call is refused (IsolatedError) until a person
 *   turns it back on. `watch()` lets it follow a flag kept elsewhere (a cluster-wide switch kept in
 *   the Truth pillar's replicated KV, polled by each node).
 * - RateKillSwitch: trips itself when more than `maxOps` operations start within `windowMs`.
 *   Unlike a rate limiter it does not let the excess wait: an abnormal rate means the automation is
 *   wrong, so it stops everything and stays stopped until reset (Knight Capital's runaway orders).
 * - BudgetKillSwitch: trips when a quantity (money, orders, shares) spent within `windowMs` would
 *   pass `cap`; the spend that would cross it is refused.
 *
 * Every switch remembers when and why it tripped.
 */
import type { Clock } from '../runtime/clock.js';
import { SlidingCounters } from './sliding-counters.js';
import { BudgetExceededError, IsolatedError } from './errors.js';
import { positive, positiveInt } from '../runtime/config-error.js';
import { call, defaultContext, Listeners, type Operation, type Policy } from './policy.js';

export type SwitchEvent = { type: 'tripped'; reason: string; atMs: number } | { type: 'reset'; atMs: number };

abstract class Switch implements Policy {
  private trippedWhy: { reason: string; atMs: number } | undefined;
  readonly events = new Listeners<SwitchEvent>();
  /** Calls refused while tripped. */
  refused = 0;

  constructor(protected readonly clock: Clock) {}

  get tripped(): { reason: string; atMs: number } | undefined {
    return this.trippedWhy;
  }

  trip(reason: string): void {
    if (this.trippedWhy !== undefined) return;
    const atMs = this.clock.now();
    this.trippedWhy = { reason, atMs };
    this.events.emit({ type: 'tripped', reason, atMs });
  }

  reset(): void {
    if (this.trippedWhy === undefined) return;
    this.trippedWhy = undefined;
    this.onReset();
    this.events.emit({ type: 'reset', atMs: this.clock.now() });
  }

  protected onReset(): void {}

  /** Refuse if tripped; otherwise let the subclass decide (and maybe trip). */
  protected refusal(amount: number): Error | undefined {
    if (this.trippedWhy !== undefined) {
      this.refused++;
      return IsolatedError.create(this.trippedWhy.reason);
    }
    return this.admit(amount);
  }

  protected abstract admit(amount: number): Error | undefined;

  /** Whether an operation may start now (and count it). */
  allow(amount = 1): boolean {
    return this.refusal(amount) === undefined;
  }

  execute<T>(fn: Operation<T>, signal?: AbortSignal): Promise<T> {
    const no = this.refusal(1);
    if (no !== undefined) return Promise.reject(no);
    return call(fn, signal === undefined ? defaultContext : { signal });
  }
}

export class KillSwitch extends Switch {
  constructor(clock: Clock) {
    super(clock);
  }
  protected admit(): undefined {
    return undefined;
  }
  /** Follow an external flag: call with its value whenever it is read (true = killed). */
  watch(killed: boolean, reason = 'killed cluster-wide'): void {
    if (killed) this.trip(reason);
    else this.reset();
  }
}

/** A switch that sums a quantity over a sliding window and trips when the sum would pass `limit`. */
abstract class WindowedSwitch extends Switch {
  protected readonly window: SlidingCounters;
  constructor(opts: { windowMs: number; buckets?: number; clock: Clock }) {
    super(opts.clock);
    this.window = new SlidingCounters(opts.windowMs, opts.buckets ?? 10);
  }
  protected abstract readonly limit: number;
  /** The refusal for a would-be sum (the switch is tripped by then). */
  protected abstract refuse(sum: number): Error;
  protected admit(amount: number): Error | undefined {
    const now = this.clock.now();
    const sum = this.window.total(now) + amount;
    if (sum > this.limit) return this.refuse(sum);
    this.window.add(now, 0, amount);
    return undefined;
  }
  protected override onReset(): void {
    this.window.clear();
  }
}

export interface RateKillSwitchOptions {
  maxOps: number;
  windowMs: number;
  /** Precision of the window (default 10 buckets). */
  buckets?: number;
  clock: Clock;
}

export class RateKillSwitch extends WindowedSwitch {
  readonly maxOps: number;
  constructor(opts: RateKillSwitchOptions) {
    super(opts);
    this.maxOps = positiveInt('maxOps', opts.maxOps);
  }
  protected get limit(): number {
    return this.maxOps;
  }
  protected refuse(): Error {
    this.trip(`more than ${this.maxOps} operations in ${this.window.windowMs} ms`);
    this.refused++;
    return IsolatedError.create(this.tripped!.reason);
  }
}

export interface BudgetKillSwitchOptions {
  /** The most that may be spent within windowMs. */
  cap: number;
  windowMs: number;
  buckets?: number;
  clock: Clock;
}

export class BudgetKillSwitch extends WindowedSwitch {
  readonly cap: number;
  constructor(opts: BudgetKillSwitchOptions) {
    super(opts);
    this.cap = positive('cap', opts.cap);
  }
  protected get limit(): number {
    return this.cap;
  }
  /** What was spent in the window so far. */
  spent(): number {
    return this.window.total(this.clock.now());
  }
  protected refuse(sum: number): Error {
    this.trip(`spending ${sum} would pass the cap of ${this.cap} per ${this.window.windowMs} ms`);
    this.refused++;
    return BudgetExceededError.create(sum, this.cap);
  }
  /** Run fn if `amount` fits in the budget, counting it as spent. */
  spend<T>(amount: number, fn: Operation<T>, signal?: AbortSignal): Promise<T> {
    const no = this.refusal(amount);
    if (no !== undefined) return Promise.reject(no);
    return call(fn, signal === undefined ? defaultContext : { signal });
  }
}
