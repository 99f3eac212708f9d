/**
 * The gray-failure story as a system: a balancer (round robin) in front of a pool of backends.
 * Backends send heartbeats from their own thread every `heartbeatMs`; the balancer takes a backend
 * out of rotation when its failure detector suspects it. A backend listed in `gray` keeps its
 * heartbeats on time while its request path runs `factor` times slower (a failing disk, a
 * thrashing heap): the heartbeat detector (or phi accrual, which is no wiser here) never suspects it,
 * and one request in N waits behind it. With `outlierEjection`, the balancer also times every
 * request per backend and ejects the slow outlier (OutlierEjection).
 *
 * Roles by name: `balancer` balances; every other server is a backend with `threads` workers.
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientReply, isClientRequest, type ClientReply, type ClientRequest } from '../../runtime/client-protocol.js';
import { Relay } from '../../runtime/relay.js';
import { distributionSchema, sample } from '../../runtime/distribution.js';
import { HeartbeatDetector } from '../../control/detect/heartbeat.js';
import { PhiAccrualDetector } from '../../control/detect/phi-accrual.js';
import { OutlierEjection } from '../../control/detect/outlier-ejection.js';

export const backendPoolConfigSchema = z
  .object({
    balancer: nodeRef().default('n1'),
    threads: z.number().int().positive().default(8),
    work: distributionSchema.default({ dist: 'exponential', mean: 5 }),
    gray: z.array(z.object({ node: nodeRef(), atMs: z.number().nonnegative(), factor: z.number().positive() }).strict()).default([]),
    heartbeatMs: z.number().positive().default(100),
    detector: z.enum(['heartbeat', 'phi']).default('heartbeat'),
    heartbeatTimeoutMs: z.number().positive().default(500),
    phiThreshold: z.number().positive().default(8),
    outlierEjection: z
      .object({
        intervalMs: z.number().positive().default(1000),
        latencyFactor: z.number().positive().default(5),
        minimumCalls: z.number().int().positive().default(10),
        baseEjectionMs: z.number().positive().default(30_000),
        maxEjectedFraction: z.number().gt(0).max(1).default(0.5),
      })
      .strict()
      .optional(),
  })
  .strict();
export type BackendPoolConfig = z.infer<typeof backendPoolConfigSchema>;

type Msg = { type: 'heartbeat' };

class Backend implements Process {
  private busy = 0;
  private readonly queue: { from: NodeId; req: ClientRequest }[] = [];

  constructor(
    private readonly ctx: Context,
    private readonly config: BackendPoolConfig,
  ) {}

  start(): void {
    const beat = () => {
      this.ctx.send(this.config.balancer, { type: 'heartbeat' } satisfies Msg);
      this.ctx.setTimer(this.config.heartbeatMs, beat);
    };
    this.ctx.setTimer(this.config.heartbeatMs * this.ctx.random(), beat);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (!isClientRequest(msg)) return;
    if (this.busy < this.config.threads) this.serve(from, msg);
    else this.queue.push({ from, req: msg });
  }

  /** How much slower the request path runs now (the heartbeat thread is not affected). */
  private slowness(): number {
    let f = 1;
    for (const g of this.config.gray) if (g.node === this.ctx.id && this.ctx.now() >= g.atMs) f *= g.factor;
    return f;
  }

  private serve(from: NodeId, req: ClientRequest): void {
    this.busy++;
    const ms = sample(this.config.work, () => this.ctx.random()) * this.slowness();
    this.ctx.setTimer(ms, () => {
      this.busy--;
      this.ctx.send(from, clientReply(req, 'ok', this.ctx.id));
      const next = this.queue.shift();
      if (next !== undefined) this.serve(next.from, next.req);
    });
  }
}

class Balancer implements Process {
  private readonly backends: NodeId[];
  private rr = 0;
  private readonly relay: Relay;
  private readonly heartbeats: HeartbeatDetector;
  private readonly phi = new Map<NodeId, PhiAccrualDetector>();
  private readonly outliers: OutlierEjection | undefined;
  private ejectionsSeen = 0;

  constructor(
    private readonly ctx: Context,
    private readonly config: BackendPoolConfig,
  ) {
    this.backends = ctx.peers.filter((p) => p !== config.balancer);
    this.relay = new Relay(ctx);
    this.heartbeats = new HeartbeatDetector(config.heartbeatTimeoutMs);
    for (const b of this.backends) this.phi.set(b, new PhiAccrualDetector({ threshold: config.phiThreshold, firstHeartbeatEstimateMs: config.heartbeatMs, minStdDeviationMs: config.heartbeatMs / 10 }));
    if (config.outlierEjection !== undefined) this.outliers = new OutlierEjection(this.backends, ctx.now(), config.outlierEjection);
  }

  start(): void {
    // Backends are trusted until the detector has had time to hear from them.
    for (const b of this.backends) this.heartbeats.heartbeat(b, this.ctx.now());
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.forward(from, msg);
    if (isClientReply(msg)) return this.onReply(msg);
    if ((msg as Msg).type === 'heartbeat') {
      const now = this.ctx.now();
      this.heartbeats.heartbeat(from, now);
      this.phi.get(from)?.heartbeat(now);
    }
  }

  private inRotation(b: NodeId, now: number): boolean {
    const suspected = this.config.detector === 'phi' ? this.phi.get(b)!.suspected(now) : this.heartbeats.suspected(b, now);
    if (suspected) this.ctx.metrics.count('suspected_picks');
    return !suspected && !(this.outliers?.ejected(b, now) ?? false);
  }

  /** Count the ejections the detector made since we last looked. */
  private noteEjections(): void {
    const n = this.outliers?.ejections ?? 0;
    if (n > this.ejectionsSeen) {
      this.ctx.metrics.count('ejections', n - this.ejectionsSeen);
      this.ctx.log('ejected', { total: n });
      this.ejectionsSeen = n;
    }
  }

  private forward(client: NodeId, req: ClientRequest): void {
    const now = this.ctx.now();
    let backend: NodeId | undefined;
    for (let i = 0; i < this.backends.length; i++) {
      const b = this.backends[(this.rr + i) % this.backends.length];
      if (this.inRotation(b, now)) {
        backend = b;
        this.rr = (this.rr + i + 1) % this.backends.length;
        break;
      }
    }
    this.noteEjections();
    if (backend === undefined) return this.ctx.send(client, clientReply(req, 'fail', undefined, 'no backend in rotation'));
    this.ctx.metrics.count(`requests_to_${backend}`);
    this.relay.forward(client, req, backend);
  }

  private onReply(reply: ClientReply): void {
    const r = this.relay.take(reply);
    if (r === undefined) return;
    const now = this.ctx.now();
    this.outliers?.record(r.to, reply.status === 'ok', now - r.sentMs, now);
    this.noteEjections();
    this.relay.answer(r, reply);
  }
}

export const backendPool = (ctx: Context, config: BackendPoolConfig): Process => (ctx.id === config.balancer ? new Balancer(ctx, config) : new Backend(ctx, config));
