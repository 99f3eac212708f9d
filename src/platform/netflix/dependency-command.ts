/**
 * One dependency of a play, called as a HystrixCommand calls it (Netflix's Hystrix wiki, "How it
 * Works"): ask the circuit breaker first and fail at once while it is open; give the call a timeout
 * and count the timeout as a failure of the dependency; report the outcome so that the caller can
 * fall back. Without a guard, the call waits as long as the socket does (`socketTimeoutMs`): the
 * client that Hystrix was written to replace.
 *
 * The breaker is the control pillar's CircuitBreaker, driven through its synchronous core
 * (tryAcquire/complete) on the node's virtual clock.
 */
import type { Context, NodeId } from '../../runtime/context.js';
import type { Operation } from '../../runtime/client-protocol.js';
import { fromContext } from '../../runtime/clock.js';
import { CircuitBreaker, TimeWindow, type Permit } from '../../control/index.js';
import type { Caller } from '../ecommerce/caller.js';
import { socketTimeoutMs, type GuardConfig } from './config.js';

export type CommandOutcome =
  | { ok: true; value: unknown; ms: number }
  | { ok: false; reason: 'timeout' | 'short-circuited' | 'error'; error: string; ms: number };

export class DependencyCommand {
  private readonly breaker: CircuitBreaker | undefined;
  private readonly timeoutMs: number;

  constructor(
    private readonly ctx: Context,
    private readonly caller: Caller,
    /** The dependency's name, the prefix of its metrics. */
    readonly name: string,
    readonly guard: GuardConfig | undefined,
  ) {
    this.timeoutMs = guard?.timeoutMs ?? socketTimeoutMs;
    const b = guard?.breaker;
    if (b === undefined) return;
    const env = fromContext(ctx);
    this.breaker = new CircuitBreaker({
      strategy: new TimeWindow({ windowMs: b.windowMs, failureRate: b.failureRate, minimumCalls: b.minimumCalls }),
      openMs: b.openMs,
      clock: env.clock,
      random: env.random,
    });
    this.breaker.events.add((e) => {
      if (e.type !== 'state') return;
      if (e.to === 'open') ctx.metrics.count(`${name}_breaker_opened`);
      ctx.log('breaker', { dependency: name, from: e.from, to: e.to, reason: e.reason });
    });
  }

  /** Whether a failure of this dependency may be replaced by a default answer. */
  get fallback(): boolean {
    return this.guard?.fallback ?? false;
  }

  run(to: NodeId, op: Operation, done: (o: CommandOutcome) => void): void {
    const m = this.ctx.metrics;
    const startMs = this.ctx.now();
    let permit: Permit | undefined;
    if (this.breaker !== undefined) {
      const p = this.breaker.tryAcquire(startMs);
      if (!('admission' in p)) {
        m.count(`${this.name}_short_circuited`);
        return done({ ok: false, reason: 'short-circuited', error: `${this.name}: circuit open`, ms: 0 });
      }
      permit = p;
    }
    this.caller.call(to, op, this.timeoutMs, (r) => {
      const nowMs = this.ctx.now();
      const ms = nowMs - startMs;
      if (permit !== undefined) this.breaker!.complete(permit, r.status === 'ok', nowMs);
      if (r.status === 'ok') return done({ ok: true, value: r.value, ms });
      // No answer within the timeout (info) is the dependency's failure as much as an error reply.
      const timedOut = r.status === 'info';
      m.count(timedOut ? `${this.name}_timeouts` : `${this.name}_errors`);
      done({ ok: false, reason: timedOut ? 'timeout' : 'error', error: r.error, ms });
    });
  }
}
