/**
 * Time, timers and randomness for code that runs both in the simulator and in a real service.
 * The pillars' cores (breakers, retries, limiters, hedges, batchers) take these as required arguments:
 * inside the simulator `fromContext(ctx)` hands them the node's virtual clock, timers and seeded
 * stream, so a run replays exactly; a real service passes the ones of src/adapters/real-clock.ts.
 */
import type { Context } from './context.js';

/** Milliseconds on a monotonic clock (only differences matter). */
export interface Clock {
  now(): number;
}

export interface Timers {
  /** Run fn after ms; returns a handle for clear. */
  set(ms: number, fn: () => void): unknown;
  clear(handle: unknown): void;
}

/** A number in [0, 1). */
export type Random = () => number;

/** What a policy needs from the world: a clock, timers and a random stream. */
export interface Environment {
  clock: Clock;
  timers: Timers;
  random: Random;
}

/** The environment of a simulated (or real) node: its clock, its timers, its random stream. */
export function fromContext(ctx: Context): Environment {
  return {
    clock: { now: () => ctx.now() },
    timers: { set: (ms, fn) => ctx.setTimer(ms, fn), clear: (h) => ctx.clearTimer(h as number) },
    random: () => ctx.random(),
  };
}

/** A clock that moves only when told: for tests of policies on virtual time. */
export class ManualClock implements Clock, Timers {
  private t = 0;
  private readonly pending: { at: number; seq: number; fn: () => void }[] = [];
  private seq = 0;

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  set(ms: number, fn: () => void): unknown {
    const entry = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.pending.push(entry);
    return entry;
  }

  clear(handle: unknown): void {
    const i = this.pending.indexOf(handle as (typeof this.pending)[number]);
    if (i >= 0) this.pending.splice(i, 1);
  }

  /** Move the clock forward by ms, running every timer that falls due, in (time, sequence) order. */
  advance(ms: number): void {
    const end = this.t + ms;
    while (this.runNext(end));
    this.t = end;
  }

  /**
   * Run the one timer that falls due first, no later than `end` (moving the clock to it); false when
   * there is none. A caller that yields between calls gives each timer a turn of the event loop to itself.
   */
  runNext(end: number): boolean {
    let next: (typeof this.pending)[number] | undefined;
    for (const p of this.pending) if (p.at <= end && (next === undefined || p.at < next.at || (p.at === next.at && p.seq < next.seq))) next = p;
    if (next === undefined) return false;
    this.pending.splice(this.pending.indexOf(next), 1);
    this.t = next.at;
    next.fn();
    return true;
  }

  /** As an Environment with a fixed random stream (a seeded sfc32 from src/sim fits here). */
  environment(random: Random = () => 0.5): Environment {
    return { clock: this, timers: this, random };
  }
}
