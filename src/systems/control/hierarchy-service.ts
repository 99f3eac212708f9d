/**
 * The control-hierarchy story as a system: one service with all five of the seed's control levels
 * running at once (src/control/hierarchy.ts), on time scales compressed so a run lasts minutes:
 *
 *   0 emergency    per request   a worker refuses beyond its queue limit; with the hierarchy, the
 *                                gateway also admits at most `admissionPerReplica` per ready replica
 *   1 reactive     seconds       a circuit breaker per replica at the gateway
 *   2 operational  operationalMs the autoscaler (the HPA's rule: ceil(replicas x utilization / target))
 *   3 tactical     tacticalMs    a rollout of a new version, one replica per period
 *   4 strategic    strategicMs   the capacity plan: a period that missed the SLO raises the floor
 *
 * `hierarchy: false` runs the same loops flat, each on its own signal: the autoscaler scales on the
 * utilization the workers report, which the breakers have just cut by refusing their traffic, so it
 * scales in while the service is overloaded (the fight the seed warns of); the rollout restarts
 * replicas on schedule whatever the breakers say. `hierarchy: true`: each level reads the levels
 * below and sets their parameters: the autoscaler scales on the demand offered (what was served and
 * what was refused), never scales in while level 0 or 1 is refusing, and sets level 0's admission
 * per replica so that overload is shed at the door before it trips a breaker; the rollout waits
 * while anything is refused and raises the autoscaler's floor by one while it replaces a replica;
 * the capacity plan sets the autoscaler's floor.
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientRequest, type ClientRequest } from '../../runtime/client-protocol.js';
import { distributionSchema, mean, sample } from '../../runtime/distribution.js';
import { Fifo } from '../../runtime/fifo.js';
import { BusyMeter } from '../../runtime/busy-meter.js';
import { CircuitBreaker, checkPeriods, ParameterBoard, TimeWindow, type Permit } from '../../control/index.js';

export const hierarchyServiceConfigSchema = z
  .object({
    frontend: nodeRef(),
    pool: z.array(nodeRef()).min(1),
    initialReplicas: z.number().int().positive(),
    hierarchy: z.boolean(),
    worker: z
      .object({
        slots: z.number().int().positive(),
        service: distributionSchema,
        /** Level 0 on the worker: requests queued beyond this are refused at once. */
        queueLimit: z.number().int().nonnegative(),
        bootMs: z.number().nonnegative(),
        reportMs: z.number().positive().default(1000),
      })
      .strict(),
    /** A request the worker has not answered in this long fails at the gateway (and counts against its breaker). */
    gatewayTimeoutMs: z.number().positive().default(1000),
    breaker: z.object({ windowMs: z.number().positive(), failureRate: z.number().gt(0).max(1), minimumCalls: z.number().int().positive(), openMs: z.number().positive() }).strict(),
    /** Loop periods of levels 2, 3 and 4 (level 1 lives on the breaker's window and open time). */
    operationalMs: z.number().positive(),
    tacticalMs: z.number().positive(),
    strategicMs: z.number().positive(),
    targetUtilization: z.number().gt(0).max(1),
    minReplicas: z.number().int().positive(),
    /** The budget: the most replicas level 4 may plan for. */
    maxReplicas: z.number().int().positive(),
    /** Level 0's admission per ready replica at the gateway, before level 2 sets it (hierarchy only). */
    admissionPerReplica: z.number().positive().default(4),
    /** The availability level 4 plans for, per strategic period. */
    sloAvailability: z.number().gt(0).max(1).default(0.99),
    /** A rollout to a new version starting at this time (none: no deploy). */
    deployAtMs: z.number().nonnegative().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.initialReplicas > c.pool.length) ctx.addIssue({ code: 'custom', path: ['initialReplicas'], message: `at most the pool's ${c.pool.length} nodes` });
    if (c.maxReplicas > c.pool.length) ctx.addIssue({ code: 'custom', path: ['maxReplicas'], message: `at most the pool's ${c.pool.length} nodes` });
    if (c.minReplicas > c.maxReplicas) ctx.addIssue({ code: 'custom', path: ['minReplicas'], message: `at most maxReplicas (${c.maxReplicas})` });
    const periods = [c.breaker.openMs, c.operationalMs, c.tacticalMs, c.strategicMs];
    for (let i = 1; i < periods.length; i++) {
      if (!(periods[i] > periods[i - 1])) ctx.addIssue({ code: 'custom', path: [['breaker', 'operationalMs', 'tacticalMs', 'strategicMs'][i]], message: `a period longer than the level below's (${periods[i - 1]} ms)` });
    }
  });
export type HierarchyServiceConfig = z.infer<typeof hierarchyServiceConfigSchema>;

type Msg =
  | { type: 'hs_start'; version: number; warm: boolean }
  | { type: 'hs_stop' }
  | { type: 'hs_ready' }
  | { type: 'hs_job'; id: number }
  | { type: 'hs_done'; id: number; ok: boolean }
  | { type: 'hs_report'; busyMs: number; completed: number };

interface Replica {
  node: NodeId;
  state: 'booting' | 'ready';
  version: number;
  breaker: CircuitBreaker;
  outstanding: number;
  /** Busy slot-milliseconds and completions reported since the last level-2 decision. */
  busyMs: number;
  completed: number;
}

interface InFlight {
  client: NodeId;
  req: ClientRequest;
  replica: Replica;
  permit: Permit;
  timer: unknown;
}

/** What the gateway counted over one loop's period. */
class Tally {
  arrivals = 0;
  ok = 0;
  /** Refused by level 0 (the door, a worker's queue) or level 1 (a breaker), or timed out. */
  refused = 0;
  reset(): void {
    this.arrivals = this.ok = this.refused = 0;
  }
  /** More refused than the SLO allows. */
  unhealthy(sloAvailability: number): boolean {
    return this.arrivals > 0 && this.refused / this.arrivals > 1 - sloAvailability;
  }
}

export class HierarchyService implements Process {
  private readonly worker: Worker | undefined;
  private readonly replicas: Replica[] = [];
  private idle: NodeId[] = [];
  private readonly inFlight = new Map<number, InFlight>();
  private readonly board = new ParameterBoard();
  private readonly operational = new Tally();
  private readonly tactical = new Tally();
  private readonly strategic = new Tally();
  private jobIdLast = 0;
  private lastDirection = 0;
  /** Level 2's recent recommendations (hierarchy only), for its scale-in stabilization. */
  private readonly recommendations: number[] = [];
  private version = 1;

  constructor(
    private readonly ctx: Context,
    private readonly config: HierarchyServiceConfig,
  ) {
    if (ctx.id !== config.frontend) {
      this.worker = config.pool.includes(ctx.id) ? new Worker(ctx, config) : undefined;
      return;
    }
    checkPeriods([config.breaker.openMs, config.operationalMs, config.tacticalMs, config.strategicMs], 'periods');
    // Who owns what: level 0 its admission, level 2 the replica count's bounds.
    this.board.declare('admissionPerReplica', 0, config.admissionPerReplica);
    this.board.declare('minReplicas', 2, config.minReplicas);
    this.board.declare('maxReplicas', 2, config.maxReplicas);
    this.board.declare('surgeReplicas', 2, 0);
    this.idle = [...config.pool];
  }

  start(): void {
    if (this.worker !== undefined) return this.worker.start();
    if (this.ctx.id !== this.config.frontend) return;
    const m = this.ctx.metrics;
    for (const name of ['breaker_trips', 'scale_ups', 'scale_downs', 'scale_downs_while_refusing', 'scale_reversals', 'shed_at_door', 'refused_by_breakers', 'refused_by_workers', 'timed_out', 'replaced', 'deploy_held', 'plan_raises']) m.count(name, 0);
    for (let i = 0; i < this.config.initialReplicas; i++) this.launch(true);
    this.gaugeReplicas();
    this.ctx.setTimer(this.config.operationalMs, () => this.operate());
    this.ctx.setTimer(this.config.tacticalMs, () => this.deploy());
    this.ctx.setTimer(this.config.strategicMs, () => this.plan());
  }

  // Level 0 and 1: every request.

  onMessage(from: NodeId, msg: unknown): void {
    if (this.worker !== undefined) return this.worker.onMessage(from, msg);
    if (isClientRequest(msg)) return this.route(from, msg);
    const m = msg as Msg;
    const r = this.replicas.find((x) => x.node === from);
    if (r === undefined) return;
    if (m.type === 'hs_ready') {
      r.state = 'ready';
      this.gaugeReplicas();
    } else if (m.type === 'hs_report') {
      r.busyMs += m.busyMs;
      r.completed += m.completed;
    } else if (m.type === 'hs_done') {
      const f = this.inFlight.get(m.id);
      if (f !== undefined) this.finish(m.id, f, m.ok, m.ok ? undefined : 'overloaded');
    }
  }

  private route(client: NodeId, req: ClientRequest): void {
    const now = this.ctx.now();
    for (const t of [this.operational, this.tactical, this.strategic]) t.arrivals++;
    const ready = this.replicas.filter((r) => r.state === 'ready');
    if (this.config.hierarchy) {
      const limit = ready.length * this.board.get('admissionPerReplica');
      if (this.inFlight.size >= limit) return this.refuse(client, req, 'shed_at_door', 'shed: over the admission limit');
    }
    let best: { r: Replica; permit: Permit } | undefined;
    for (const r of ready.slice().sort((a, b) => a.outstanding - b.outstanding)) {
      const p = r.breaker.tryAcquire(now);
      if (p instanceof Error) continue;
      best = { r, permit: p };
      break;
    }
    if (best === undefined) return this.refuse(client, req, 'refused_by_breakers', 'every breaker open');
    const id = ++this.jobIdLast;
    best.r.outstanding++;
    const timer = this.ctx.setTimer(this.config.gatewayTimeoutMs, () => {
      const f = this.inFlight.get(id);
      if (f !== undefined) this.finish(id, f, false, 'timeout');
    });
    this.inFlight.set(id, { client, req, replica: best.r, permit: best.permit, timer });
    this.ctx.send(best.r.node, { type: 'hs_job', id } satisfies Msg);
  }

  private finish(id: number, f: InFlight, ok: boolean, why: 'overloaded' | 'timeout' | 'stopped' | undefined): void {
    this.inFlight.delete(id);
    this.ctx.clearTimer(f.timer as never);
    f.replica.outstanding--;
    const wasOpen = isOpen(f.replica.breaker);
    if (why === 'stopped') f.replica.breaker.cancel(f.permit);
    else f.replica.breaker.complete(f.permit, ok, this.ctx.now());
    if (!wasOpen && isOpen(f.replica.breaker)) this.ctx.metrics.count('breaker_trips');
    if (ok) {
      for (const t of [this.operational, this.tactical, this.strategic]) t.ok++;
      this.ctx.send(f.client, clientReply(f.req, 'ok'));
      return;
    }
    this.ctx.metrics.count(why === 'timeout' ? 'timed_out' : 'refused_by_workers');
    this.refuse(f.client, f.req, undefined, why ?? 'failed');
  }

  private refuse(client: NodeId, req: ClientRequest, counter: string | undefined, why: string): void {
    if (counter !== undefined) this.ctx.metrics.count(counter);
    for (const t of [this.operational, this.tactical, this.strategic]) t.refused++;
    this.ctx.send(client, clientReply(req, 'fail', undefined, why));
  }

  // Level 2: the autoscaler.

  private operate(): void {
    this.ctx.setTimer(this.config.operationalMs, () => this.operate());
    const now = this.ctx.now();
    const ready = this.replicas.filter((r) => r.state === 'ready');
    const periodS = this.config.operationalMs / 1000;
    const slots = this.config.worker.slots;
    const busyMs = ready.reduce((s, r) => s + r.busyMs, 0);
    const completed = ready.reduce((s, r) => s + r.completed, 0);
    for (const r of this.replicas) r.busyMs = r.completed = 0;
    let utilization: number;
    // Refused in this period by level 0 or 1 beyond what the SLO allows: load that is there and
    // that the workers never saw (a timeout now and then is the tail, not a shortage).
    const refusedInPeriod = this.operational.unhealthy(this.config.sloAvailability);
    let refusing = false;
    if (!this.config.hierarchy) {
      // What the workers report: the load the breakers let through.
      utilization = ready.length === 0 ? 0 : busyMs / (ready.length * slots * this.config.operationalMs);
    } else {
      // The demand offered, refused requests included, at the measured cost of a request.
      const costMs = completed > 0 ? busyMs / completed : mean(this.config.worker.service);
      utilization = ready.length === 0 ? 1 : (this.operational.arrivals / periodS) * (costMs / 1000) / (ready.length * slots);
      refusing = refusedInPeriod || this.replicas.some((r) => r.breaker.state.kind !== 'closed');
    }
    this.operational.reset();
    this.ctx.metrics.gauge('scaler_utilization', Math.round(utilization * 100) / 100);
    const current = this.replicas.length;
    let desired = Math.max(this.board.get('minReplicas'), Math.ceil(Math.max(ready.length, 1) * utilization / this.config.targetUtilization)) + this.board.get('surgeReplicas');
    if (this.config.hierarchy) {
      // A level acts on its own time scale: scale in only to the highest recommendation of the
      // last few periods (the HPA's stabilization), and never while the levels below refuse work,
      // whose load is still there.
      this.recommendations.push(desired);
      if (this.recommendations.length > scaleInStabilizationPeriods) this.recommendations.shift();
      desired = Math.max(...this.recommendations);
      if (refusing) desired = Math.max(desired, current);
    }
    desired = Math.min(this.board.get('maxReplicas'), desired);
    if (desired !== current) {
      const direction = Math.sign(desired - current);
      if (this.lastDirection !== 0 && direction !== this.lastDirection) this.ctx.metrics.count('scale_reversals');
      this.lastDirection = direction;
      this.ctx.metrics.count(direction > 0 ? 'scale_ups' : 'scale_downs');
      // The fight: scaling in while requests are being refused for want of capacity.
      if (direction < 0 && refusedInPeriod) this.ctx.metrics.count('scale_downs_while_refusing');
      this.ctx.log('scale', { from: current, to: desired, utilization: Math.round(utilization * 100) / 100 });
      while (this.replicas.length < desired && this.idle.length > 0) this.launch(false);
      while (this.replicas.length > desired) this.retire(this.replicas[this.replicas.length - 1]);
    }
    // The hierarchy: level 2 sets level 0's admission for the replicas it runs, at its target.
    if (this.config.hierarchy) this.board.set('admissionPerReplica', Math.max(1, Math.round(slots / this.config.targetUtilization)), 2, now);
    this.gaugeReplicas();
  }

  // Level 3: the rollout.

  private deploy(): void {
    this.ctx.setTimer(this.config.tacticalMs, () => this.deploy());
    const now = this.ctx.now();
    const unhealthy = this.tactical.unhealthy(this.config.sloAvailability);
    this.tactical.reset();
    if (this.config.deployAtMs === undefined || now < this.config.deployAtMs) return;
    this.version = 2;
    const old = this.replicas.find((r) => r.version < this.version);
    if (old === undefined) {
      if (this.config.hierarchy) this.board.set('surgeReplicas', 0, 3, now);
      return;
    }
    if (this.config.hierarchy) {
      // Roll out only while the service is healthy, and keep capacity: one more replica while replacing one.
      if (unhealthy || this.replicas.some((r) => r.breaker.state.kind !== 'closed')) {
        this.ctx.metrics.count('deploy_held');
        return;
      }
      this.board.set('surgeReplicas', 1, 3, now);
    }
    this.ctx.metrics.count('replaced');
    this.retire(old);
    this.launch(false);
    this.gaugeReplicas();
  }

  // Level 4: the capacity plan.

  private plan(): void {
    this.ctx.setTimer(this.config.strategicMs, () => this.plan());
    const t = this.strategic;
    const availability = t.arrivals === 0 ? 1 : t.ok / t.arrivals;
    t.reset();
    if (availability >= this.config.sloAvailability) return;
    const floor = Math.min(this.config.maxReplicas, this.board.get('minReplicas') + 1);
    this.ctx.metrics.count('plan_raises');
    this.board.set('minReplicas', floor, 4, this.ctx.now());
  }

  private launch(warm: boolean): void {
    const node = this.idle.shift();
    if (node === undefined) return;
    const b = this.config.breaker;
    const breaker = new CircuitBreaker({
      strategy: new TimeWindow({ windowMs: b.windowMs, failureRate: b.failureRate, minimumCalls: b.minimumCalls }),
      openMs: b.openMs,
      backoffFactor: 1,
      clock: { now: () => this.ctx.now() },
      random: () => this.ctx.random(),
    });
    this.replicas.push({ node, state: warm ? 'ready' : 'booting', version: this.version, breaker, outstanding: 0, busyMs: 0, completed: 0 });
    this.ctx.send(node, { type: 'hs_start', version: this.version, warm } satisfies Msg);
  }

  private retire(r: Replica): void {
    this.replicas.splice(this.replicas.indexOf(r), 1);
    this.idle.push(r.node);
    this.ctx.send(r.node, { type: 'hs_stop' } satisfies Msg);
    for (const [id, f] of this.inFlight) if (f.replica === r) this.finish(id, f, false, 'stopped');
  }

  private gaugeReplicas(): void {
    this.ctx.metrics.gauge('replicas', this.replicas.length);
    this.ctx.metrics.gauge('replicas_ready', this.replicas.filter((r) => r.state === 'ready').length);
  }
}

/** Level 2 scales in no faster than this many of its periods (with the hierarchy). */
const scaleInStabilizationPeriods = 4;

const isOpen = (b: CircuitBreaker): boolean => b.state.kind === 'open';

/** A worker: `slots` requests at a time, a bounded queue (level 0), busy time reported every reportMs. */
class Worker {
  private on = false;
  private epoch = 0;
  private readonly meter: BusyMeter;
  private queue = new Fifo<number>();
  private completed = 0;

  constructor(
    private readonly ctx: Context,
    private readonly config: HierarchyServiceConfig,
  ) {
    this.meter = new BusyMeter(ctx, config.worker.slots);
  }

  start(): void {
    this.ctx.setTimer(this.config.worker.reportMs, () => this.report());
  }

  private report(): void {
    this.ctx.setTimer(this.config.worker.reportMs, () => this.report());
    if (!this.on) return;
    this.ctx.send(this.config.frontend, { type: 'hs_report', busyMs: this.meter.takeBusyMs(), completed: this.completed } satisfies Msg);
    this.completed = 0;
  }

  onMessage(_from: NodeId, msg: unknown): void {
    const m = msg as Msg;
    switch (m.type) {
      case 'hs_start': {
        const epoch = ++this.epoch;
        this.meter.change(-this.meter.inUse);
        this.queue = new Fifo<number>();
        const up = () => {
          if (epoch !== this.epoch) return;
          this.on = true;
          this.ctx.send(this.config.frontend, { type: 'hs_ready' } satisfies Msg);
        };
        if (m.warm) this.on = true;
        else this.ctx.setTimer(this.config.worker.bootMs, up);
        return;
      }
      case 'hs_stop':
        this.epoch++;
        this.on = false;
        this.meter.change(-this.meter.inUse);
        this.queue = new Fifo<number>();
        return;
      case 'hs_job':
        if (!this.on) return;
        if (this.meter.inUse < this.config.worker.slots) return this.serve(m.id);
        if (this.queue.size >= this.config.worker.queueLimit) {
          this.ctx.send(this.config.frontend, { type: 'hs_done', id: m.id, ok: false } satisfies Msg);
          return;
        }
        this.queue.push(m.id);
        return;
    }
  }

  private serve(id: number): void {
    this.meter.change(1);
    const epoch = this.epoch;
    this.ctx.setTimer(sample(this.config.worker.service, () => this.ctx.random()), () => {
      if (epoch !== this.epoch) return;
      this.meter.change(-1);
      this.completed++;
      this.ctx.send(this.config.frontend, { type: 'hs_done', id, ok: true } satisfies Msg);
      const next = this.queue.shift();
      if (next !== undefined) this.serve(next);
    });
  }
}

export const hierarchyService = (ctx: Context, config: HierarchyServiceConfig): Process => new HierarchyService(ctx, config);
