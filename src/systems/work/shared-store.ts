/**
 * A shared store that many workers fetch from, and the workers. For the scaling stories: the store
 * serves every request in flight at once (processor sharing), and its total rate follows the
 * Universal Scalability Law in the number n of requests in flight,
 *     rate(n) = lambda * n / (1 + alpha (n - 1) + beta n (n - 1))   requests per second,
 * as a store does whose requests contend for a lock (alpha) and must keep each other coherent
 * (beta: caches, locks handed around, disk heads). Past n* = sqrt((1 - alpha) / beta) every extra
 * request in flight lowers what the store gets done.
 *
 * Request sizes are exponential (mean one request's worth of work).
 *
 * The fetchers' node keeps requests in flight in phases (`phases`: n requests for forMs each) and
 * reports the throughput of each phase (after `warmupMs`) as throughput_n<n>; so one run measures
 * the whole curve. With `limit`, the fetchers' requests pass a concurrency limit first: a fixed one
 * (a bulkhead) or an adaptive one from the control pillar (AIMD on latency, or the gradient limit).
 *
 * Roles by name: `store` serves; `fetchers` generates the load.
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { fromContext } from '../../runtime/clock.js';
import { AdaptiveConcurrency, AimdLimit, GradientLimit } from '../../control/index.js';

export const sharedStoreConfigSchema = z
  .object({
    store: nodeRef().default('n1'),
    fetchers: nodeRef().default('n2'),
    /** One request in flight alone: this many per second. */
    lambdaPerSec: z.number().positive().default(100),
    alpha: z.number().min(0).max(1),
    beta: z.number().min(0).lt(1),
    phases: z.array(z.object({ concurrency: z.number().int().positive().max(10_000), forMs: z.number().positive() }).strict()).min(1),
    /** Throughput is counted from this long into each phase. */
    warmupMs: z.number().nonnegative().default(1000),
    limit: z
      .union([
        z.object({ kind: z.literal('fixed'), max: z.number().int().positive() }).strict(),
        z.object({ kind: z.literal('aimd'), timeoutMs: z.number().positive(), initial: z.number().int().positive().default(10) }).strict(),
        z
          .object({
            kind: z.literal('gradient'),
            initial: z.number().int().positive().default(10),
            rttTolerance: z.number().positive().default(1.5),
            shortWindow: z.number().int().positive().default(10),
          })
          .strict(),
      ])
      .optional(),
  })
  .strict();
export type SharedStoreConfig = z.infer<typeof sharedStoreConfigSchema>;

type Msg = { type: 'fetch'; id: number } | { type: 'fetched'; id: number };

/** Processor sharing at the USL's rate for the number in flight. */
class Store implements Process {
  private readonly inFlight = new Map<number, { from: NodeId; id: number; left: number }>();
  private lastMs = 0;
  private timer: number | undefined;
  private seq = 0;

  constructor(
    private readonly ctx: Context,
    private readonly config: SharedStoreConfig,
  ) {}

  /** Requests per ms the store completes with n in flight. */
  private rate(n: number): number {
    const { lambdaPerSec, alpha, beta } = this.config;
    return n === 0 ? 0 : ((lambdaPerSec / 1000) * n) / (1 + alpha * (n - 1) + beta * n * (n - 1));
  }

  onMessage(from: NodeId, msg: unknown): void {
    const m = msg as Msg;
    if (m.type !== 'fetch') return;
    this.advance();
    // Requests differ in size (exponential, mean 1): processor sharing's throughput does not care,
    // the measurements get the noise real ones have.
    this.inFlight.set(this.seq++, { from, id: m.id, left: -Math.log(1 - this.ctx.random()) });
    this.ctx.metrics.gauge('store_in_flight', this.inFlight.size);
    this.schedule();
  }

  /** Bring every request's remaining work up to now. */
  private advance(): void {
    const now = this.ctx.now();
    const n = this.inFlight.size;
    if (n > 0) {
      const done = ((now - this.lastMs) * this.rate(n)) / n;
      for (const r of this.inFlight.values()) r.left -= done;
    }
    this.lastMs = now;
  }

  private schedule(): void {
    if (this.timer !== undefined) this.ctx.clearTimer(this.timer);
    this.timer = undefined;
    const n = this.inFlight.size;
    if (n === 0) return;
    let least = Infinity;
    for (const r of this.inFlight.values()) least = Math.min(least, r.left);
    const ms = Math.max(0, (least * n) / this.rate(n));
    this.timer = this.ctx.setTimer(ms, () => {
      this.timer = undefined;
      this.advance();
      for (const [k, r] of this.inFlight) {
        if (r.left > 1e-9) continue;
        this.inFlight.delete(k);
        this.ctx.send(r.from, { type: 'fetched', id: r.id } satisfies Msg);
      }
      this.schedule();
    });
  }
}

/** Keeps each phase's number of fetches outstanding (through the limit, if any) and counts them. */
class Fetchers implements Process {
  private phase = -1;
  private phaseStartMs = 0;
  private wanted = 0;
  private outstanding = 0;
  private idNext = 1;
  private readonly sent = new Map<number, { startMs: number | undefined }>();
  private counted = 0;
  private readonly limiter: AdaptiveConcurrency | undefined;

  constructor(
    private readonly ctx: Context,
    private readonly config: SharedStoreConfig,
  ) {
    const l = config.limit;
    const clock = fromContext(ctx).clock;
    if (l?.kind === 'fixed') this.limiter = new AdaptiveConcurrency({ limit: l.max, onSample() {} }, clock);
    else if (l?.kind === 'aimd') this.limiter = new AdaptiveConcurrency(new AimdLimit({ initial: l.initial, timeoutMs: l.timeoutMs, max: 10_000 }), clock);
    else if (l?.kind === 'gradient') this.limiter = new AdaptiveConcurrency(new GradientLimit({ initial: l.initial, max: 10_000, rttTolerance: l.rttTolerance, shortWindow: l.shortWindow }), clock);
  }

  start(): void {
    this.nextPhase();
  }

  private nextPhase(): void {
    if (this.phase >= 0) this.report();
    this.phase++;
    const p = this.config.phases[this.phase];
    if (p === undefined) {
      this.wanted = 0;
      return;
    }
    this.phaseStartMs = this.ctx.now();
    this.counted = 0;
    this.wanted = p.concurrency;
    this.fill();
    this.ctx.setTimer(p.forMs, () => this.nextPhase());
  }

  private report(): void {
    const p = this.config.phases[this.phase];
    const countedMs = p.forMs - this.config.warmupMs;
    if (countedMs > 0) this.ctx.metrics.gauge(`throughput_n${p.concurrency}`, Number(((this.counted * 1000) / countedMs).toFixed(3)));
  }

  /** Workers that want to fetch try to; the limit may hold some of them back (they try again on the next completion). */
  private fill(): void {
    while (this.outstanding < this.wanted) {
      const start = this.limiter?.tryStart();
      if (this.limiter !== undefined && start === undefined) return;
      const id = this.idNext++;
      this.outstanding++;
      this.sent.set(id, { startMs: start });
      this.ctx.send(this.config.store, { type: 'fetch', id } satisfies Msg);
    }
  }

  onMessage(_from: NodeId, msg: unknown): void {
    const m = msg as Msg;
    if (m.type !== 'fetched') return;
    const s = this.sent.get(m.id);
    if (s === undefined) return;
    this.sent.delete(m.id);
    this.outstanding--;
    if (s.startMs !== undefined) this.limiter!.finish(s.startMs, false);
    // After the warmup the store holds this phase's n requests, some of them sent during the previous
    // phase: every completion in the window is its throughput at n, whichever phase sent it. (Counting
    // only this phase's own undercounts wherever a request outlives the warmup: at 720 in flight one
    // takes 2.7 s on average, and with a 2 s warmup about 6% of the phase's fetches went uncounted.)
    if (this.phase >= 0 && this.ctx.now() - this.phaseStartMs >= this.config.warmupMs) this.counted++;
    this.ctx.metrics.count('fetches_done');
    if (this.limiter !== undefined) this.ctx.metrics.gauge('concurrency_limit', this.limiter.limiter.limit);
    this.fill();
  }
}

export const sharedStore = (ctx: Context, config: SharedStoreConfig): Process => (ctx.id === config.store ? new Store(ctx, config) : new Fetchers(ctx, config));
