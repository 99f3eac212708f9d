/**
 * A balancer in front of a pool of queue servers, for the stories about balancing: the node named
 * `balancer` forwards each client request to the backend its strategy picks (hashing strategies use
 * the operation's key), tells the strategy when the request starts and ends, and relays the reply.
 * Every other server is a work/queue-server (`workers` parallel servers, a FIFO queue, service
 * times from `service`).
 *
 * Strategies: round-robin, random, least-outstanding, p2c (power of two choices), peak-ewma,
 * modulo (hash(key) mod n: "user_id % 4"), consistent-hash, bounded (consistent hashing with
 * bounded loads, `epsilon`), maglev.
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { fromContext } from '../../runtime/clock.js';
import { hashString } from '../../runtime/hash.js';
import { isClientReply, isClientRequest, type ClientReply, type ClientRequest } from '../../runtime/client-protocol.js';
import { Relay } from '../../runtime/relay.js';
import { distributionSchema } from '../../runtime/distribution.js';
import { QueueServer } from '../queue-server.js';
import { checkBackends, type Balancer } from './balancer.js';
import { RoundRobin } from './round-robin.js';
import { RandomBalancer } from './random.js';
import { LeastOutstanding } from './least-outstanding.js';
import { PowerOfChoices } from './power-of-choices.js';
import { PeakEwma } from './peak-ewma.js';
import { ConsistentHash } from './consistent-hash.js';
import { Maglev } from './maglev.js';

export const strategies = ['round-robin', 'random', 'least-outstanding', 'p2c', 'peak-ewma', 'modulo', 'consistent-hash', 'bounded', 'maglev'] as const;

export const balancedPoolConfigSchema = z
  .object({
    balancer: nodeRef().default('n1'),
    strategy: z.enum(strategies),
    workers: z.number().int().positive().default(1),
    service: distributionSchema,
    /** For bounded: the allowed excess over the mean load. */
    epsilon: z.number().positive().default(0.25),
    vnodes: z.number().int().positive().default(100),
  })
  .strict();
export type BalancedPoolConfig = z.infer<typeof balancedPoolConfigSchema>;

/** hash(key) mod n: the naive partitioning of the work-affinity story. */
class Modulo implements Balancer {
  readonly name = 'modulo';
  constructor(private readonly backends: readonly string[]) {
    checkBackends(backends);
  }
  pick(key = ''): string {
    return this.backends[hashString(key) % this.backends.length];
  }
}

export function makeBalancer(strategy: (typeof strategies)[number], backends: readonly string[], ctx: Context, config: { epsilon: number; vnodes: number }): Balancer {
  const env = fromContext(ctx);
  switch (strategy) {
    case 'round-robin':
      return new RoundRobin(backends);
    case 'random':
      return new RandomBalancer(backends, env.random);
    case 'least-outstanding':
      return new LeastOutstanding(backends);
    case 'p2c':
      return new PowerOfChoices(backends, env.random, 2);
    case 'peak-ewma':
      return new PeakEwma(backends, env.random, env.clock);
    case 'modulo':
      return new Modulo(backends);
    case 'consistent-hash':
      return new ConsistentHash(backends, config.vnodes);
    case 'bounded':
      return new ConsistentHash(backends, config.vnodes, config.epsilon);
    case 'maglev':
      return new Maglev(backends);
  }
}

class BalancerNode implements Process {
  private readonly balancer: Balancer;
  private readonly relay: Relay;

  constructor(
    private readonly ctx: Context,
    config: BalancedPoolConfig,
  ) {
    this.balancer = makeBalancer(config.strategy, ctx.peers.filter((p) => p !== config.balancer), ctx, config);
    this.relay = new Relay(ctx);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.forward(from, msg);
    if (isClientReply(msg)) this.onReply(msg);
  }

  private forward(client: NodeId, req: ClientRequest): void {
    const backend = this.balancer.pick(req.op.key);
    this.balancer.onStart?.(backend);
    this.ctx.metrics.count(`requests_to_${backend}`);
    this.relay.forward(client, req, backend);
  }

  private onReply(reply: ClientReply): void {
    const r = this.relay.take(reply);
    if (r === undefined) return;
    this.balancer.onEnd?.(r.to, this.ctx.now() - r.sentMs, reply.status === 'ok');
    this.relay.answer(r, reply);
  }
}

export const balancedPool = (ctx: Context, config: BalancedPoolConfig): Process =>
  ctx.id === config.balancer ? new BalancerNode(ctx, config) : new QueueServer(ctx, { workers: config.workers, service: config.service });
