/**
 * The cascade story as a system: services A -> B -> C -> D, each with a pool of `threads` request
 * threads. A request holds a thread from the moment it is taken until it is answered, and that
 * includes the time it waits on the next service. Operations in `deepOps` go down the whole chain;
 * the others are answered by the first service alone (think: the product page needs
 * recommendations from D; checkout does not).
 *
 * When D slows down (a gray failure: `slow` in the scenario's faults), naive services wait for it
 * with no limit: C's threads fill with requests waiting on D, then B's wait on C, then A's wait on
 * B, and A stops answering everything, checkout included. With `guards`, each call downstream goes
 * through the control pillar's synchronous cores: a timeout (a timer), a CircuitBreaker (its
 * acquire/record core on the node's clock) and a Bulkhead (tryEnter/leave) that lets at most
 * `maxConcurrent` threads wait on the next service. Deep requests then fail fast with a fallback,
 * and the threads left serve everything else.
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { fromContext } from '../../runtime/clock.js';
import { clientReply, isClientReply, isClientRequest, type ClientReply, type ClientRequest } from '../../runtime/client-protocol.js';
import { CircuitBreaker, type Permit } from '../../control/breaker/circuit-breaker.js';
import { TimeWindow } from '../../control/breaker/strategies.js';
import { Bulkhead } from '../../control/bulkhead.js';

export const chainedServiceConfigSchema = z
  .object({
    chain: z.array(nodeRef()).min(1).default(['n1', 'n2', 'n3', 'n4']),
    deepOps: z.array(z.string()).default(['read']),
    threads: z.number().int().positive().default(20),
    /** Requests waiting for a thread beyond this are refused (none: an unbounded accept queue). */
    queueMax: z.number().int().nonnegative().optional(),
    /** Each service's own work per request, holding its thread. */
    workMs: z.number().nonnegative().default(2),
    guards: z
      .object({
        timeoutMs: z.number().positive().optional(),
        breaker: z
          .object({
            failureRate: z.number().gt(0).max(1).default(0.5),
            windowMs: z.number().positive().default(5000),
            minimumCalls: z.number().int().positive().default(10),
            openMs: z.number().positive().default(2000),
            jitter: z.number().min(0).lt(1).default(0.2),
          })
          .strict()
          .optional(),
        bulkhead: z.object({ maxConcurrent: z.number().int().positive() }).strict().optional(),
      })
      .strict()
      .default({}),
  })
  .strict();
export type ChainedServiceConfig = z.infer<typeof chainedServiceConfigSchema>;

interface Job {
  from: NodeId;
  req: ClientRequest;
}

interface Call {
  job: Job;
  timer: number | undefined;
  permit: Permit | undefined;
}

export class ChainedService implements Process {
  private readonly next: NodeId | undefined;
  private busy = 0;
  private busyMax = 0;
  private readonly queue: Job[] = [];
  private callIdNext = 1;
  private readonly calls = new Map<number, Call>();
  private readonly breaker: CircuitBreaker | undefined;
  private readonly bulkhead: Bulkhead | undefined;

  constructor(
    private readonly ctx: Context,
    private readonly config: ChainedServiceConfig,
  ) {
    const i = config.chain.indexOf(ctx.id);
    this.next = i >= 0 && i + 1 < config.chain.length ? config.chain[i + 1] : undefined;
    const env = fromContext(ctx);
    const b = config.guards.breaker;
    if (b !== undefined) {
      this.breaker = new CircuitBreaker({ strategy: new TimeWindow({ windowMs: b.windowMs, failureRate: b.failureRate, minimumCalls: b.minimumCalls }), openMs: b.openMs, jitter: b.jitter, clock: env.clock, random: env.random });
    }
    if (config.guards.bulkhead !== undefined) this.bulkhead = new Bulkhead({ maxConcurrent: config.guards.bulkhead.maxConcurrent });
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.accept({ from, req: msg });
    if (isClientReply(msg)) this.onDownstreamReply(msg);
  }

  private accept(job: Job): void {
    if (this.busy < this.config.threads) return this.run(job);
    if (this.config.queueMax !== undefined && this.queue.length >= this.config.queueMax) {
      this.ctx.metrics.count('requests_refused');
      this.ctx.send(job.from, clientReply(job.req, 'fail', undefined, `${this.ctx.id}: no thread free`));
      return;
    }
    this.ctx.metrics.count(`threads_exhausted_${this.ctx.id}`);
    this.queue.push(job);
  }

  private run(job: Job): void {
    this.busy++;
    if (this.busy > this.busyMax) {
      this.busyMax = this.busy;
      this.ctx.metrics.gauge(`threads_busy_max_${this.ctx.id}`, this.busy);
    }
    this.ctx.setTimer(this.config.workMs, () => {
      if (this.next === undefined || !this.config.deepOps.includes(job.req.op.f)) return this.answer(job, 'ok', this.ctx.id);
      this.callNext(job);
    });
  }

  private answer(job: Job, status: 'ok' | 'fail', value?: unknown, error?: string): void {
    this.ctx.send(job.from, clientReply(job.req, status, value, error));
    this.busy--;
    const next = this.queue.shift();
    if (next !== undefined) this.run(next);
  }

  /** Call the next service through the guards; answer our caller with its reply or a fallback. */
  private callNext(job: Job): void {
    const now = this.ctx.now();
    let permit: Permit | undefined;
    if (this.breaker !== undefined) {
      const p = this.breaker.tryAcquire(now);
      if (!('admission' in p)) {
        this.ctx.metrics.count('calls_failed_fast');
        return this.answer(job, 'fail', undefined, `${this.ctx.id}: fallback (${this.next} circuit open)`);
      }
      permit = p;
    }
    if (this.bulkhead !== undefined && !this.bulkhead.tryEnter()) {
      this.ctx.metrics.count('calls_failed_fast');
      if (permit !== undefined) this.breaker!.cancel(permit);
      return this.answer(job, 'fail', undefined, `${this.ctx.id}: fallback (bulkhead for ${this.next} full)`);
    }
    const id = this.callIdNext++;
    const call: Call = { job, timer: undefined, permit };
    const timeoutMs = this.config.guards.timeoutMs;
    if (timeoutMs !== undefined) {
      call.timer = this.ctx.setTimer(timeoutMs, () => {
        this.ctx.metrics.count('calls_timed_out');
        this.settle(id, false, 'fail', undefined, `${this.ctx.id}: ${this.next} timed out after ${timeoutMs} ms`);
      });
    }
    this.calls.set(id, call);
    this.ctx.send(this.next!, { type: 'client_request', id, op: job.req.op } satisfies ClientRequest);
  }

  private onDownstreamReply(msg: ClientReply): void {
    this.settle(msg.id, msg.status === 'ok', msg.status === 'ok' ? 'ok' : 'fail', msg.value, msg.error);
  }

  private settle(id: number, ok: boolean, status: 'ok' | 'fail', value: unknown, error: string | undefined): void {
    const call = this.calls.get(id);
    if (call === undefined) return; // a reply after its timeout
    this.calls.delete(id);
    if (call.timer !== undefined) this.ctx.clearTimer(call.timer);
    this.bulkhead?.leave();
    if (call.permit !== undefined) this.breaker!.complete(call.permit, ok, this.ctx.now());
    this.answer(call.job, status, value, error);
  }
}

export const chainedService = (ctx: Context, config: ChainedServiceConfig): Process => new ChainedService(ctx, config);
