/**
 * The synchronized-breakers story as a system: many callers, each with its own circuit breaker, in
 * front of one backend. When the backend dies, every breaker trips within the same fraction of a
 * second; with a fixed open time they all half-open together too, and their probes land on the
 * backend at once. A backend that has just restarted is cold (caches empty, connection pools
 * small): it can run only `coldConcurrency` requests at a time, growing to `concurrency` over
 * `warmupMs`, and refuses the rest. A herd of probes is refused, the breakers reopen (for longer
 * each time), and they come back as a herd again. Jitter on the open time spreads the probes, most
 * find room, and the fleet closes one breaker at a time.
 *
 * Roles by name: `backend` serves; every other server is a caller that clients talk to. Each
 * caller runs the control pillar's CircuitBreaker (its synchronous core) on its own clock.
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { fromContext } from '../../runtime/clock.js';
import { clientReply, isClientReply, isClientRequest, type ClientRequest } from '../../runtime/client-protocol.js';
import { distributionSchema, sample } from '../../runtime/distribution.js';
import { CircuitBreaker, type Permit } from '../../control/breaker/circuit-breaker.js';
import { ConsecutiveFailures } from '../../control/breaker/strategies.js';

export const breakerFleetConfigSchema = z
  .object({
    backend: nodeRef({ reserved: 'the backend; clients call it through the callers and their breakers' }).default('n1'),
    service: distributionSchema.default({ dist: 'constant', value: 20 }),
    /** Requests the warm backend runs at once; more are refused (unless it falls over instead). */
    concurrency: z.number().int().positive().default(100),
    /** ... and right after a (re)start, growing linearly to `concurrency` over warmupMs. */
    coldConcurrency: z.number().int().positive().default(4),
    warmupMs: z.number().nonnegative().default(20_000),
    /**
     * A backend without admission control: it takes every request, and asked to run more than this
     * multiple of its current limit at once it falls over (out of memory, a thrashing cold cache):
     * it answers nothing for `fallOverMs` and comes back cold.
     */
    fallOverFactor: z.number().min(1).optional(),
    fallOverMs: z.number().positive().default(3000),
    /** The first start is warm (the story is about restarts); true makes it cold too. */
    coldAtFirstStart: z.boolean().default(false),
    /** A caller gives up on the backend after this long (a failure for its breaker). */
    timeoutMs: z.number().positive().default(200),
    breaker: z
      .object({
        consecutiveFailures: z.number().int().positive().default(3),
        openMs: z.number().positive().default(2000),
        backoffFactor: z.number().min(1).default(2),
        openMsMax: z.number().positive().default(30_000),
        jitter: z.number().min(0).lt(1).default(0),
      })
      .strict()
      .default({ consecutiveFailures: 3, openMs: 2000, backoffFactor: 2, openMsMax: 30_000, jitter: 0 }),
  })
  .strict();
export type BreakerFleetConfig = z.infer<typeof breakerFleetConfigSchema>;

const startedMarker = 'backend.started';

class ColdBackend implements Process {
  private running = 0;
  private startedMs = 0;
  /** Fell over: silent until then, and cold after. */
  private downUntilMs = -Infinity;
  /** Requests that arrived at once (each counts while it would have run). */
  private epoch = 0;

  constructor(
    private readonly ctx: Context,
    private readonly config: BreakerFleetConfig,
  ) {}

  start(): void {
    // A node's disk says whether it ran before: a restart finds its marker and starts cold.
    const restarted = this.ctx.disk.read(startedMarker) !== undefined;
    this.startedMs = restarted || this.config.coldAtFirstStart ? this.ctx.now() : -Infinity;
    if (!restarted) {
      this.ctx.disk.write(startedMarker, new Uint8Array([1]));
      this.ctx.disk.fsync(startedMarker, () => {});
    }
  }

  /** How many requests it can run at once now: cold after a (re)start, warm after warmupMs. */
  private limit(): number {
    const c = this.config;
    if (c.warmupMs === 0) return c.concurrency;
    const warm = Math.min(1, (this.ctx.now() - this.startedMs) / c.warmupMs);
    return Math.floor(c.coldConcurrency + (c.concurrency - c.coldConcurrency) * warm);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (!isClientRequest(msg)) return;
    const now = this.ctx.now();
    if (now < this.downUntilMs) return;
    const f = this.config.fallOverFactor;
    if (f !== undefined && this.running + 1 > f * this.limit()) {
      // Work in progress is lost with the process; its callers time out.
      this.ctx.metrics.count('backend_fell_over');
      this.ctx.log('fell over', { running: this.running + 1, limit: this.limit() });
      this.downUntilMs = now + this.config.fallOverMs;
      this.startedMs = this.downUntilMs;
      this.running = 0;
      this.epoch++;
      return;
    }
    if (f === undefined && this.running >= this.limit()) {
      this.ctx.metrics.count('backend_refused');
      this.ctx.send(from, clientReply(msg, 'fail', undefined, 'overloaded'));
      return;
    }
    this.running++;
    const epoch = this.epoch;
    this.ctx.setTimer(sample(this.config.service, () => this.ctx.random()), () => {
      if (epoch !== this.epoch) return; // lost when it fell over
      this.running--;
      this.ctx.metrics.count('backend_served');
      this.ctx.send(from, clientReply(msg, 'ok'));
    });
  }
}

interface Call {
  client: NodeId;
  req: ClientRequest;
  permit: Permit;
  timer: number;
}

class Caller implements Process {
  private readonly breaker: CircuitBreaker;
  private idNext = 1;
  private readonly calls = new Map<number, Call>();

  constructor(
    private readonly ctx: Context,
    private readonly config: BreakerFleetConfig,
  ) {
    const env = fromContext(ctx);
    const b = config.breaker;
    this.breaker = new CircuitBreaker({ strategy: new ConsecutiveFailures(b.consecutiveFailures), openMs: b.openMs, backoffFactor: b.backoffFactor, openMsMax: b.openMsMax, jitter: b.jitter, clock: env.clock, random: env.random });
    this.breaker.events.add((e) => {
      if (e.type !== 'state') return;
      this.ctx.metrics.count(`breakers_to_${e.to}`);
    });
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.call(from, msg);
    if (!isClientReply(msg)) return;
    const c = this.calls.get(msg.id);
    if (c === undefined) return;
    this.settle(msg.id, c, msg.status === 'ok', msg.error);
  }

  private call(client: NodeId, req: ClientRequest): void {
    const p = this.breaker.tryAcquire(this.ctx.now());
    if (!('admission' in p)) {
      this.ctx.metrics.count('calls_refused_by_breaker');
      return this.ctx.send(client, clientReply(req, 'fail', undefined, 'fallback: circuit open'));
    }
    if (p.probe) this.ctx.metrics.count('probes');
    const id = this.idNext++;
    const timer = this.ctx.setTimer(this.config.timeoutMs, () => this.settle(id, this.calls.get(id)!, false, 'timeout'));
    this.calls.set(id, { client, req, permit: p, timer });
    this.ctx.send(this.config.backend, { type: 'client_request', id, op: req.op } satisfies ClientRequest);
  }

  private settle(id: number, c: Call, ok: boolean, error: string | undefined): void {
    this.calls.delete(id);
    this.ctx.clearTimer(c.timer);
    if (c.permit.probe) this.ctx.metrics.count(ok ? 'probes_ok' : 'probes_failed');
    this.breaker.complete(c.permit, ok, this.ctx.now());
    this.ctx.send(c.client, ok ? clientReply(c.req, 'ok') : clientReply(c.req, 'fail', undefined, error));
  }
}

export const breakerFleet = (ctx: Context, config: BreakerFleetConfig): Process => (ctx.id === config.backend ? new ColdBackend(ctx, config) : new Caller(ctx, config));
