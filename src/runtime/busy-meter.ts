/**
 * Busy slots integrated over time, by the Context's clock: what a worker reports as its load over a
 * window is the slot-time its slots were busy, not a sample of how many were busy at the report.
 */
import type { Context } from './context.js';

export class BusyMeter {
  private busy = 0;
  private sinceMs: number;
  private areaMs = 0;

  constructor(
    private readonly ctx: Pick<Context, 'now'>,
    private readonly slots: number,
  ) {
    this.sinceMs = ctx.now();
  }

  get inUse(): number {
    return this.busy;
  }

  change(by: number): void {
    const now = this.ctx.now();
    this.areaMs += this.busy * (now - this.sinceMs);
    this.sinceMs = now;
    this.busy += by;
  }

  /** Busy slot-milliseconds since the last take, and start a new window. */
  takeBusyMs(): number {
    this.change(0);
    const area = this.areaMs;
    this.areaMs = 0;
    return area;
  }

  /** Utilization since the last take (busy slot-time over the slots' time in windowMs), and start a new window. */
  take(windowMs: number): number {
    return this.takeBusyMs() / (this.slots * windowMs);
  }
}
