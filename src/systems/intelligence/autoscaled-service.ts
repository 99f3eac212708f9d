/**
 * A service that an autoscaler sizes, for the scaling stories: a frontend (balancer and scaling
 * controller) in front of a pool of machines of which `replicas` run, and optionally a database that
 * every request and every warm-up queries.
 *
 * App nodes hold a request slot (a thread) for the whole request, database call included, and report
 * their busy-slot utilization every `reportMs`: what an HPA on a concurrency or CPU-per-request metric
 * sees. A node that is started boots for `bootMs` (the HPA sees it pending), then warms up (running,
 * not ready): it fills its cache with `warmup.queries` database queries, `warmup.concurrency` at a
 * time, and only then takes traffic. That warm-up is the feedback of the seeds' runaway automation:
 * new nodes load the database, every request waits longer on it, busy slots rise, the scaler adds
 * nodes, which load the database more.
 *
 * The frontend routes to the ready node with the fewest requests outstanding, asks the scaler every
 * `syncMs` (15 s, the HPA's sync period), starts nodes from the pool in order and drains the newest
 * first. It reports SLO-violating minutes (more than 1% of a minute's requests failed or slower than
 * `sloMs`), node-hours and cost, the replica counts, the scaler's decisions and what its guards held,
 * and, around `spike.atMs`, how early capacity was there.
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientReply, isClientRequest, type ClientRequest } from '../../runtime/client-protocol.js';
import { distributionSchema, mean, sample, type Distribution } from '../../runtime/distribution.js';
import { Fifo } from '../../runtime/fifo.js';
import { BusyMeter } from '../../runtime/busy-meter.js';
import { Relay } from '../../runtime/relay.js';
import type { Autoscaler, PodSample } from '../../intelligence/scaling/autoscaler.js';
import { ThresholdScaler } from '../../intelligence/scaling/threshold-scaler.js';
import { HorizontalPodAutoscaler, type HpaRules } from '../../intelligence/scaling/hpa.js';
import { PredictiveScaler } from '../../intelligence/scaling/predictive-scaler.js';
import { GuardedAutoscaler } from '../../intelligence/scaling/guards.js';
import { HoltWinters } from '../../intelligence/forecast/holt-winters.js';

const target = z.number().gt(0, 'a target utilization in (0, 1]').lte(1, 'a target utilization in (0, 1]');
const rulesSchema = z
  .object({
    stabilizationWindowMs: z.number().nonnegative().optional(),
    selectPolicy: z.enum(['Max', 'Min', 'Disabled']).optional(),
    policies: z.array(z.object({ type: z.enum(['Pods', 'Percent']), value: z.number().positive(), periodMs: z.number().positive() }).strict()).optional(),
    tolerance: z.number().nonnegative().optional(),
  })
  .strict();

const scalerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }).strict(),
  z.object({ kind: z.literal('threshold'), upper: target.default(0.8), lower: target.optional(), step: z.number().int().positive().default(1) }).strict(),
  z.object({ kind: z.literal('hpa'), targetUtilization: target, scaleUp: rulesSchema.optional(), scaleDown: rulesSchema.optional() }).strict(),
  z
    .object({
      kind: z.literal('predictive'),
      targetUtilization: target,
      mode: z.enum(['forecast-and-scale', 'forecast-only']).default('forecast-and-scale'),
      /** Demand is averaged per step; the season is one day of steps. */
      stepMs: z.number().positive().default(300_000),
      seasonMs: z.number().positive().default(86_400_000),
      leadMs: z.number().nonnegative(),
      alpha: z.number().min(0).max(1).default(0.3),
      beta: z.number().min(0).max(1).default(0.01),
      gamma: z.number().min(0).max(1).default(0.5),
      scaleUp: rulesSchema.optional(),
      scaleDown: rulesSchema.optional(),
    })
    .strict(),
]);

export const autoscaledServiceConfigSchema = z
  .object({
    frontend: nodeRef(),
    pool: z.array(nodeRef()).min(1),
    database: nodeRef().optional(),
    initialReplicas: z.number().int().positive(),
    node: z
      .object({
        slots: z.number().int().positive(),
        /** The node's own work per request (CPU). */
        service: distributionSchema,
        queueLimit: z.number().int().nonnegative().default(100),
        bootMs: z.number().nonnegative(),
        warmup: z.object({ queries: z.number().int().nonnegative(), concurrency: z.number().int().positive() }).strict().default({ queries: 0, concurrency: 1 }),
        reportMs: z.number().positive().default(5_000),
      })
      .strict(),
    db: z.object({ slots: z.number().int().positive(), service: distributionSchema }).strict().optional(),
    scaler: scalerSchema,
    syncMs: z.number().positive().default(15_000),
    guards: z
      .object({
        minReplicas: z.number().int().positive().default(1),
        maxReplicas: z.number().int().positive(),
        maxStep: z.number().int().positive().optional(),
        cooldownMs: z.number().nonnegative().optional(),
        flapBudget: z.object({ changes: z.number().int().nonnegative(), windowMs: z.number().positive() }).strict().optional(),
        paused: z.boolean().optional(),
      })
      .strict(),
    sloMs: z.number().positive(),
    nodeHourUsd: z.number().nonnegative().default(0.4),
    /** A moment to judge the scaler by: was capacity for the first `windowMs` after it there before it? */
    spike: z.object({ atMs: z.number().nonnegative(), windowMs: z.number().positive() }).strict().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.initialReplicas > c.pool.length) ctx.addIssue({ code: 'custom', path: ['initialReplicas'], message: `at most the pool's ${c.pool.length} machines` });
    if (c.guards.maxReplicas > c.pool.length) ctx.addIssue({ code: 'custom', path: ['guards', 'maxReplicas'], message: `at most the pool's ${c.pool.length} machines` });
    if (c.guards.minReplicas > c.guards.maxReplicas) ctx.addIssue({ code: 'custom', path: ['guards', 'minReplicas'], message: 'at most maxReplicas' });
    if ((c.database === undefined) !== (c.db === undefined)) ctx.addIssue({ code: 'custom', path: ['db'], message: 'database (its node) and db (its slots and service) go together' });
  });
export type AutoscaledServiceConfig = z.infer<typeof autoscaledServiceConfigSchema>;

type NodeState = 'off' | 'booting' | 'warming' | 'ready';

/** Messages between the frontend, the app nodes and the database. */
type Msg =
  | { type: 'boot' }
  | { type: 'stop' }
  | { type: 'ready' }
  | { type: 'load'; utilization: number; state: NodeState }
  | { type: 'query'; id: number }
  | { type: 'query_ok'; id: number };

interface Job {
  from: NodeId;
  req: ClientRequest;
}

class AppNode implements Process {
  private state: NodeState;
  private readonly meter: BusyMeter;
  private readonly queue = new Fifo<Job>();
  private queued = 0;
  private readonly waitingOnDb = new Map<number, () => void>();
  private queryNext = 1;
  private warmLeft = 0;
  private warmInFlight = 0;

  constructor(
    private readonly ctx: Context,
    private readonly c: AutoscaledServiceConfig,
    initiallyReady: boolean,
  ) {
    this.state = initiallyReady ? 'ready' : 'off';
    this.meter = new BusyMeter(ctx, c.node.slots);
  }

  start(): void {
    const tick = () => {
      const utilization = this.meter.take(this.c.node.reportMs);
      if (this.state !== 'off') this.ctx.send(this.c.frontend, { type: 'load', utilization, state: this.state } satisfies Msg);
      this.ctx.setTimer(this.c.node.reportMs, tick);
    };
    this.ctx.setTimer(this.c.node.reportMs, tick);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.admit({ from, req: msg });
    const m = msg as Msg;
    if (m.type === 'boot' && this.state === 'off') {
      this.state = 'booting';
      this.ctx.setTimer(this.c.node.bootMs, () => this.beginWarmup());
    } else if (m.type === 'stop') this.state = 'off';
    else if (m.type === 'query_ok') {
      const done = this.waitingOnDb.get(m.id);
      this.waitingOnDb.delete(m.id);
      done?.();
    }
  }

  private beginWarmup(): void {
    if (this.state !== 'booting') return;
    this.state = 'warming';
    this.warmLeft = this.c.database === undefined ? 0 : this.c.node.warmup.queries;
    this.pumpWarmup();
  }

  /** Cache fill: keep `concurrency` queries in flight until all are answered; then ready. */
  private pumpWarmup(): void {
    while (this.warmLeft > 0 && this.warmInFlight < this.c.node.warmup.concurrency) {
      this.warmLeft--;
      this.warmInFlight++;
      this.meter.change(1);
      this.queryDb(() => {
        this.warmInFlight--;
        this.meter.change(-1);
        this.pumpWarmup();
      });
    }
    if (this.warmLeft === 0 && this.warmInFlight === 0 && this.state === 'warming') {
      this.state = 'ready';
      this.ctx.send(this.c.frontend, { type: 'ready' } satisfies Msg);
    }
  }

  private queryDb(done: () => void): void {
    const id = this.queryNext++;
    this.waitingOnDb.set(id, done);
    this.ctx.send(this.c.database!, { type: 'query', id } satisfies Msg);
  }

  private admit(job: Job): void {
    if (this.meter.inUse - this.warmInFlight < this.c.node.slots) return this.serve(job);
    if (this.queued >= this.c.node.queueLimit) {
      this.ctx.metrics.count('requests_rejected');
      return this.ctx.send(job.from, clientReply(job.req, 'fail', undefined, 'queue full'));
    }
    this.queue.push(job);
    this.queued++;
  }

  private serve(job: Job): void {
    this.meter.change(1);
    this.ctx.setTimer(sample(this.c.node.service, () => this.ctx.random()), () => {
      const finish = () => {
        this.meter.change(-1);
        this.ctx.send(job.from, clientReply(job.req, 'ok'));
        const next = this.queue.shift();
        if (next !== undefined) {
          this.queued--;
          this.serve(next);
        }
      };
      if (this.c.database === undefined) finish();
      else this.queryDb(finish);
    });
  }
}

class Database implements Process {
  private busy = 0;
  private readonly queue = new Fifo<{ from: NodeId; id: number; atMs: number }>();

  constructor(
    private readonly ctx: Context,
    private readonly db: { slots: number; service: Distribution },
  ) {}

  onMessage(from: NodeId, msg: unknown): void {
    const m = msg as Msg;
    if (m.type !== 'query') return;
    this.queue.push({ from, id: m.id, atMs: this.ctx.now() });
    this.next();
  }

  private next(): void {
    while (this.busy < this.db.slots) {
      const q = this.queue.shift();
      if (q === undefined) return;
      this.busy++;
      this.ctx.metrics.observe('db_wait_ms', this.ctx.now() - q.atMs);
      this.ctx.setTimer(sample(this.db.service, () => this.ctx.random()), () => {
        this.busy--;
        this.ctx.send(q.from, { type: 'query_ok', id: q.id } satisfies Msg);
        this.next();
      });
    }
  }
}

interface PoolNode {
  id: NodeId;
  state: NodeState;
  draining: boolean;
  outstanding: number;
  utilization?: number;
  reportedMs: number;
}

/** Builds the scaler a config names, wrapped in its guards. */
export function buildAutoscaler(c: AutoscaledServiceConfig): { scaler: GuardedAutoscaler; predictive?: PredictiveScaler; maturity: number } {
  const s = c.scaler;
  const { minReplicas, maxReplicas } = c.guards;
  const hpaOf = (t: number, up?: Partial<HpaRules>, down?: Partial<HpaRules>) => new HorizontalPodAutoscaler({ minReplicas, maxReplicas, targetUtilization: t, ...(up ? { scaleUp: up } : {}), ...(down ? { scaleDown: down } : {}) });
  const none: Autoscaler = { name: 'none', decide: (o) => ({ replicas: o.replicas, reason: 'no autoscaler: a person is paged' }) };
  let inner: Autoscaler;
  let predictive: PredictiveScaler | undefined;
  let maturity = 2;
  if (s.kind === 'none') {
    inner = none;
    maturity = 1;
  } else if (s.kind === 'threshold') inner = new ThresholdScaler({ upper: s.upper, ...(s.lower === undefined ? {} : { lower: s.lower }), step: s.step });
  else if (s.kind === 'hpa') inner = hpaOf(s.targetUtilization, s.scaleUp, s.scaleDown);
  else {
    const perRequestMs = mean(c.node.service) + (c.db === undefined ? 0 : mean(c.db.service));
    predictive = new PredictiveScaler({
      forecaster: new HoltWinters({ alpha: s.alpha, beta: s.beta, gamma: s.gamma, seasonLength: Math.round(s.seasonMs / s.stepMs) }),
      stepMs: s.stepMs,
      perReplicaPerSec: ((c.node.slots * 1000) / perRequestMs) * s.targetUtilization,
      leadMs: s.leadMs,
      mode: s.mode,
      reactive: hpaOf(s.targetUtilization, s.scaleUp, s.scaleDown),
      maxReplicas,
    });
    inner = predictive;
    maturity = s.mode === 'forecast-only' ? 2 : 3;
  }
  const g = c.guards;
  const scaler = new GuardedAutoscaler(inner, {
    minReplicas,
    maxReplicas,
    ...(g.maxStep === undefined ? {} : { maxStep: g.maxStep }),
    ...(g.cooldownMs === undefined ? {} : { cooldownMs: g.cooldownMs }),
    ...(g.flapBudget === undefined ? {} : { flapBudget: g.flapBudget }),
    ...(g.paused === undefined ? {} : { paused: g.paused }),
  });
  return { scaler, ...(predictive ? { predictive } : {}), maturity };
}

class Frontend implements Process {
  private readonly relay: Relay;
  private readonly nodes: PoolNode[];
  private readonly byId = new Map<NodeId, PoolNode>();
  private readonly scaler: GuardedAutoscaler;
  private readonly predictive: PredictiveScaler | undefined;
  private readonly maturity: number;
  private replicas: number;
  private arrivals = 0;
  private lastSyncMs = 0;
  /** Machine time of every provisioned node (booting, warming, ready, draining), integrated. */
  private nodeMs = 0;
  private accruedAtMs = 0;
  private replicasMax: number;
  private readyMax = 0;
  private minute = { index: 0, total: 0, bad: 0 };
  private violatedMinutes = 0;
  private spikeViolatedMinutes = 0;
  /** Around the spike: ready counts and the peak demand in its window. */
  private readonly readyTimeline: { atMs: number; ready: number }[] = [];
  private spikePeakPerSec = 0;
  private spikeReported = false;
  private readonly perNodePerSec: number;

  constructor(
    private readonly ctx: Context,
    private readonly c: AutoscaledServiceConfig,
  ) {
    this.relay = new Relay(ctx);
    this.nodes = c.pool.map((id, i) => ({ id, state: i < c.initialReplicas ? 'ready' : 'off', draining: false, outstanding: 0, reportedMs: -Infinity }));
    for (const n of this.nodes) this.byId.set(n.id, n);
    this.replicas = c.initialReplicas;
    this.replicasMax = c.initialReplicas;
    const built = buildAutoscaler(c);
    this.scaler = built.scaler;
    this.predictive = built.predictive;
    this.maturity = built.maturity;
    const perRequestMs = mean(c.node.service) + (c.db === undefined ? 0 : mean(c.db.service));
    this.perNodePerSec = (c.node.slots * 1000) / perRequestMs;
  }

  start(): void {
    const m = this.ctx.metrics;
    for (const k of ['requests_failed', 'requests_slow', 'scale_ups', 'scale_downs']) m.count(k, 0);
    m.gauge('maturity_level', this.maturity);
    this.report();
    const sync = () => {
      this.sync();
      this.ctx.setTimer(this.c.syncMs, sync);
    };
    this.ctx.setTimer(this.c.syncMs, sync);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.route(from, msg);
    if (isClientReply(msg)) {
      const r = this.relay.take(msg);
      if (r === undefined) return;
      const node = this.byId.get(r.to);
      if (node !== undefined) node.outstanding--;
      this.account(msg.status === 'ok', this.ctx.now() - r.sentMs);
      this.relay.answer(r, msg);
      if (node !== undefined) this.maybeStop(node);
      return;
    }
    const m = msg as Msg;
    const node = this.byId.get(from);
    if (node === undefined) return;
    if (m.type === 'ready' && node.state === 'warming') node.state = 'ready';
    else if (m.type === 'load') {
      node.utilization = m.utilization;
      node.reportedMs = this.ctx.now();
      if (node.state === 'booting' && m.state !== 'booting') node.state = m.state === 'ready' ? 'ready' : 'warming';
    }
  }

  private route(client: NodeId, req: ClientRequest): void {
    this.arrivals++;
    let best: PoolNode | undefined;
    for (const n of this.nodes) if (n.state === 'ready' && !n.draining && (best === undefined || n.outstanding < best.outstanding)) best = n;
    if (best === undefined) {
      this.account(false, 0);
      return this.ctx.send(client, clientReply(req, 'fail', undefined, 'no ready node'));
    }
    best.outstanding++;
    this.relay.forward(client, req, best.id);
  }

  /** One request's outcome into its minute's SLO tally. */
  private account(ok: boolean, latencyMs: number): void {
    const index = Math.floor(this.ctx.now() / 60_000);
    if (index !== this.minute.index) {
      if (this.minute.total > 0 && this.minute.bad > 0.01 * this.minute.total) {
        this.violatedMinutes++;
        const s = this.c.spike;
        const startMs = this.minute.index * 60_000;
        if (s !== undefined && startMs >= s.atMs && startMs < s.atMs + s.windowMs) this.spikeViolatedMinutes++;
      }
      this.minute = { index, total: 0, bad: 0 };
    }
    this.minute.total++;
    const slow = latencyMs > this.c.sloMs;
    if (!ok) this.ctx.metrics.count('requests_failed');
    else if (slow) this.ctx.metrics.count('requests_slow');
    if (!ok || slow) this.minute.bad++;
    this.ctx.metrics.observe('latency_ms', latencyMs);
  }

  private accrue(): void {
    const now = this.ctx.now();
    this.nodeMs += this.provisioned().length * (now - this.accruedAtMs);
    this.accruedAtMs = now;
  }

  private provisioned(): PoolNode[] {
    return this.nodes.filter((n) => n.state !== 'off');
  }

  private sync(): void {
    const now = this.ctx.now();
    this.accrue();
    const demandPerSec = (this.arrivals * 1000) / (now - this.lastSyncMs);
    this.lastSyncMs = now;
    this.arrivals = 0;
    const fresh = (n: PoolNode) => now - n.reportedMs <= 2 * this.c.node.reportMs;
    const pods: PodSample[] = this.provisioned().map((n): PodSample => {
      if (n.draining) return { phase: 'deleting', ready: false };
      if (n.state === 'booting') return { phase: 'pending', ready: false };
      return { phase: 'running', ready: n.state === 'ready', ...(fresh(n) && n.utilization !== undefined ? { utilization: n.utilization } : {}) };
    });
    const decision = this.scaler.decide({ nowMs: now, replicas: this.replicas, pods, demandPerSec });
    this.apply(decision.replicas);
    this.watchSpike(now, demandPerSec);
    this.report();
  }

  private apply(to: number): void {
    const from = this.replicas;
    if (to === from) return;
    this.replicas = to;
    this.accrue();
    if (to > from) {
      this.ctx.metrics.count('scale_ups');
      let need = to - from;
      // A draining node that is still wanted simply stays.
      for (const n of this.nodes) if (need > 0 && n.draining) (n.draining = false), need--;
      for (const n of this.nodes) {
        if (need === 0) break;
        if (n.state !== 'off') continue;
        n.state = 'booting';
        n.reportedMs = -Infinity;
        n.utilization = undefined;
        this.ctx.send(n.id, { type: 'boot' } satisfies Msg);
        need--;
      }
    } else {
      this.ctx.metrics.count('scale_downs');
      let excess = from - to;
      for (let i = this.nodes.length - 1; i >= 0 && excess > 0; i--) {
        const n = this.nodes[i];
        if (n.state === 'off' || n.draining) continue;
        n.draining = true;
        excess--;
        this.maybeStop(n);
      }
    }
    this.replicasMax = Math.max(this.replicasMax, to);
  }

  /** A draining node stops once nothing it serves is outstanding. */
  private maybeStop(n: PoolNode): void {
    if (!n.draining || n.outstanding > 0) return;
    this.accrue();
    n.draining = false;
    n.state = 'off';
    this.ctx.send(n.id, { type: 'stop' } satisfies Msg);
  }

  /** Capacity lead: was enough capacity for the spike's first window ready before it started? */
  private watchSpike(now: number, demandPerSec: number): void {
    const s = this.c.spike;
    if (s === undefined || this.spikeReported) return;
    const ready = this.nodes.filter((n) => n.state === 'ready' && !n.draining).length;
    if (now >= s.atMs - 3_600_000) this.readyTimeline.push({ atMs: now, ready });
    if (now > s.atMs && now <= s.atMs + s.windowMs) this.spikePeakPerSec = Math.max(this.spikePeakPerSec, demandPerSec);
    if (now < s.atMs + s.windowMs) return;
    this.spikeReported = true;
    const needed = Math.ceil(this.spikePeakPerSec / this.perNodePerSec);
    // Walk back from the end of the window: the start of the last stretch with enough nodes ready.
    let since: number | undefined;
    for (let i = this.readyTimeline.length - 1; i >= 0 && this.readyTimeline[i].ready >= needed; i--) since = this.readyTimeline[i].atMs;
    const m = this.ctx.metrics;
    m.gauge('spike_nodes_needed', needed);
    m.gauge('spike_ready_at_start', this.readyTimeline.filter((x) => x.atMs <= s.atMs).at(-1)?.ready ?? 0);
    // Positive: capacity was there before the spike; negative: it arrived that late (or never: -window).
    m.gauge('capacity_lead_ms', since === undefined ? -s.windowMs : s.atMs - since);
  }

  private report(): void {
    const m = this.ctx.metrics;
    const hours = this.nodeMs / 3_600_000;
    this.readyMax = Math.max(this.readyMax, this.nodes.filter((n) => n.state === 'ready').length);
    m.gauge('replicas', this.replicas);
    m.gauge('replicas_max', this.replicasMax);
    m.gauge('ready_max', this.readyMax);
    m.gauge('node_hours', Math.round(hours * 100) / 100);
    m.gauge('cost_usd', Math.round(hours * this.c.nodeHourUsd * 100) / 100);
    m.gauge('slo_violation_minutes', this.violatedMinutes);
    if (this.c.spike !== undefined) m.gauge('spike_slo_violation_minutes', this.spikeViolatedMinutes);
    const mape = this.predictive?.forecastErrorPct;
    if (mape !== undefined) m.gauge('forecast_error_pct', Math.round(mape * 10) / 10);
    if (this.predictive !== undefined) m.gauge('forecast_led_decisions', this.predictive.forecastLed);
    const held = this.scaler.held;
    m.gauge('held_by_guards', held.bounds + held.maxStep + held.cooldown + held.flapBudget + held.paused + held.killSwitch);
    m.gauge('direction_changes', countReversals(this.scaler.log.map((a) => a.to - a.from)));
  }
}

function countReversals(steps: number[]): number {
  let last = 0;
  let n = 0;
  for (const s of steps) {
    if (s === 0) continue;
    if (last !== 0 && Math.sign(s) !== Math.sign(last)) n++;
    last = s;
  }
  return n;
}

export function autoscaledService(ctx: Context, c: AutoscaledServiceConfig): Process {
  if (ctx.id === c.frontend) return new Frontend(ctx, c);
  if (ctx.id === c.database) return new Database(ctx, c.db!);
  const index = c.pool.indexOf(ctx.id);
  return new AppNode(ctx, c, index >= 0 && index < c.initialReplicas);
}
