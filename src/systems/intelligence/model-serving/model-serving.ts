/**
 * A model-serving system for the drift and herd stories: a `world` node and a model `server`.
 *
 * The world sends requests (Poisson, `ratePerSec`) carrying the features of an hour of the delivery
 * service (demand-world.ts), drawn from the 2019 era until `shiftAtMs` and from the 2020 era after.
 * The server answers each with an order forecast (the stock it will buy). The true orders are known
 * `labelDelayMs` later, when the world sends the label: only then can anyone tell a forecast was bad.
 *
 * How the server forecasts (`serving`):
 * - model: one predictor serves everything (naive).
 * - breaker: the guards' MlCircuitBreaker around a model, with a heuristic fallback; with `retrain`,
 *   once the breaker has opened the server refits a linear model on the next `retrain.labels`
 *   labelled requests and hands it to the breaker, which probes it in the shadow and switches back.
 * - ensemble: several predictors combined by median, mean or trimmed mean; failing members skipped.
 * With `drift`, every feature is also watched by an InputDriftMonitor (PSI and Kolmogorov-Smirnov).
 *
 * A forecast is a bad decision when it misses the orders by more than `tolerance` (20%: shelves
 * empty or food thrown away). The server reports, from the labels: the mean absolute percentage
 * error before and after the shift, the bad decisions after it, how many requests after the shift
 * the breaker and the drift monitor needed to notice, each ensemble member's own error, and the
 * maturity level of what the variant does. Requests carry a `shifted` tag for this bookkeeping
 * only; no serving decision reads it.
 */
import { z } from 'zod';
import { nodeRef } from '../../../runtime/node-ref.js';
import type { Context, NodeId, Process } from '../../../runtime/context.js';
import { fromContext } from '../../../runtime/clock.js';
import { InputDriftMonitor, MlCircuitBreaker, ModelEnsemble, withinRelative, type DriftCheck, type MlTicket } from '../../../intelligence/guards/index.js';
import { drawFeatures, drawOrders, era2019, era2020, eraSchema, featureNames, type Features } from './demand-world.js';
import { buildPredictor, LabelWindow, linearPredictor, predictorSpecSchema, type Predictor } from './predictors.js';

const count = z.number().int().positive();
/** How often the server writes a summary line to the trace. */
const SUMMARY_EVERY_MS = 1000;
const fraction = z.number().gt(0).lte(1);

const servingSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('model'), model: predictorSpecSchema }).strict(),
  z
    .object({
      kind: z.literal('breaker'),
      model: predictorSpecSchema,
      fallback: predictorSpecSchema,
      accuracyMin: fraction.default(0.8),
      windowMs: z.number().positive().default(2000),
      minimumScored: count.default(50),
      openMs: z.number().positive().default(5000),
      probeFraction: fraction.default(1),
      /** After the breaker opens, refit a linear model on this many new labels and probe it. */
      retrain: z.object({ labels: count.min(10) }).strict().optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('ensemble'),
      members: z.array(predictorSpecSchema).min(1, 'an ensemble of at least one member'),
      combiner: z.enum(['median', 'mean', 'trimmed-mean']).default('median'),
      proportionToCut: z.number().min(0).lt(0.5).default(0.2),
    })
    .strict(),
]);

export const modelServingConfigSchema = z
  .object({
    server: nodeRef().default('n1'),
    world: nodeRef().default('n2'),
    ratePerSec: z.number().positive().default(50),
    labelDelayMs: z.number().nonnegative().default(1000),
    shiftAtMs: z.number().nonnegative().default(20_000),
    before: eraSchema.default(era2019),
    after: eraSchema.default(era2020),
    /** A forecast off by more than this fraction of the true orders is a bad decision. */
    tolerance: z.number().positive().default(0.2),
    serving: servingSchema,
    drift: z
      .object({
        referenceSize: count.default(500),
        windowSize: count.default(200),
        checkEvery: count.default(20),
        psiMax: z.number().positive().default(0.25),
        pValueMin: fraction.default(0.001),
      })
      .strict()
      .optional(),
  })
  .strict();
export type ModelServingConfig = z.infer<typeof modelServingConfigSchema>;

type Msg = { type: 'request'; id: number; features: Features; shifted: boolean } | { type: 'label'; id: number; orders: number };

/** The maturity ladder's levels (src/intelligence/maturity.ts) that these variants reach. */
function maturityOf(c: ModelServingConfig): number {
  const s = c.serving;
  // A breaker falls back and comes back by itself (4); one that also retrains itself improves over time (5).
  if (s.kind === 'breaker') return s.retrain !== undefined ? 5 : 4;
  // A median or trimmed mean outvotes a member that goes wrong as it happens: reactive (2).
  if (s.kind === 'ensemble' && s.combiner !== 'mean') return 2;
  // A drift monitor alone only tells someone (1).
  return c.drift !== undefined ? 1 : 0;
}

/** Mean absolute percentage error, accumulated. */
class ErrorSum {
  sum = 0;
  n = 0;
  bad = 0;
  add(relativeError: number, tolerance: number): void {
    this.sum += relativeError;
    this.n++;
    if (relativeError > tolerance) this.bad++;
  }
  pct(): number {
    return this.n === 0 ? 0 : Math.round((1000 * this.sum) / this.n) / 10;
  }
}

class World implements Process {
  private idNext = 1;
  constructor(
    private readonly ctx: Context,
    private readonly config: ModelServingConfig,
  ) {}

  start(): void {
    this.schedule();
  }

  onMessage(): void {}

  private schedule(): void {
    // Poisson arrivals: exponential gaps.
    const gapMs = (-Math.log(1 - this.ctx.random()) * 1000) / this.config.ratePerSec;
    this.ctx.setTimer(gapMs, () => {
      this.request();
      this.schedule();
    });
  }

  private request(): void {
    const shifted = this.ctx.now() >= this.config.shiftAtMs;
    const era = shifted ? this.config.after : this.config.before;
    const random = () => this.ctx.random();
    const features = drawFeatures(era, random);
    const orders = drawOrders(era, features, random);
    const id = this.idNext++;
    this.ctx.send(this.config.server, { type: 'request', id, features, shifted } satisfies Msg);
    this.ctx.setTimer(this.config.labelDelayMs, () => this.ctx.send(this.config.server, { type: 'label', id, orders } satisfies Msg));
  }
}

interface Served {
  features: Features;
  value: number;
  shifted: boolean;
  ticket?: MlTicket;
  answers?: (number | undefined)[];
  /** Served after the breaker had switched back to a (retrained) model. */
  afterRestore: boolean;
}

class Server implements Process {
  private readonly pending = new Map<number, Served>();
  /** Every predictor that learns from labels, told once per label. */
  private readonly learners: Predictor[] = [];
  private readonly serve: (f: Features) => Pick<Served, 'value' | 'ticket' | 'answers'>;
  private breaker: MlCircuitBreaker<Features> | undefined;
  private readonly monitors: InputDriftMonitor[] = [];
  private readonly before = new ErrorSum();
  private readonly after = new ErrorSum();
  private readonly afterRestore = new ErrorSum();
  private readonly memberAfter: ErrorSum[] = [];
  private requestsAfterShift = 0;
  private firstShiftedMs: number | undefined;
  private detected = false;
  private driftDetected = false;
  private openedAtMs: number | undefined;
  private restoredAtMs: number | undefined;
  private retrainWindow: LabelWindow | undefined;
  private labelsToRetrain: number | undefined;
  private readonly members: Predictor[] = [];
  private ensemble: ModelEnsemble<Features> | undefined;

  constructor(
    private readonly ctx: Context,
    private readonly config: ModelServingConfig,
  ) {
    const random = () => ctx.random();
    const eras = { before: config.before, after: config.after };
    const build = (spec: z.infer<typeof predictorSpecSchema>) => {
      const p = buildPredictor(spec, eras, random);
      if (p.learn !== undefined) this.learners.push(p);
      return p;
    };
    const s = config.serving;
    if (s.kind === 'model') {
      const model = build(s.model);
      this.serve = (f) => ({ value: model.predict(f) });
    } else if (s.kind === 'ensemble') {
      this.members.push(...s.members.map(build));
      for (const _ of this.members) this.memberAfter.push(new ErrorSum());
      const combiner = s.combiner === 'trimmed-mean' ? { kind: s.combiner, proportionToCut: s.proportionToCut } : { kind: s.combiner };
      const ensemble = new ModelEnsemble<Features>({ members: this.members, combiner });
      this.ensemble = ensemble;
      this.serve = (f) => {
        const p = ensemble.predict(f);
        return { value: p.value, answers: p.answers };
      };
    } else {
      const model = build(s.model);
      const fallback = build(s.fallback);
      const env = fromContext(ctx);
      const breaker = new MlCircuitBreaker<Features>({
        model: (f) => model.predict(f),
        fallback: (f) => fallback.predict(f),
        correct: withinRelative(config.tolerance),
        accuracyMin: s.accuracyMin,
        windowMs: s.windowMs,
        minimumScored: s.minimumScored,
        openMs: s.openMs,
        probeFraction: s.probeFraction,
        clock: env.clock,
        random: env.random,
        onTransition: (t) => this.onTransition(t.to, t.reason),
      });
      this.breaker = breaker;
      if (s.retrain !== undefined) this.retrainWindow = new LabelWindow(s.retrain.labels);
      this.serve = (f) => {
        const ticket = breaker.predict(f);
        return { value: ticket.value, ticket };
      };
    }
    if (config.drift !== undefined) for (const _ of featureNames) this.monitors.push(new InputDriftMonitor(config.drift));
  }

  start(): void {
    const m = this.ctx.metrics;
    m.gauge('maturity_level', maturityOf(this.config));
    // Every figure starts at 0, so a run that never gets there reports 0 rather than nothing.
    for (const g of ['error_before_pct', 'error_after_pct', 'bad_decisions', 'requests_after_shift']) m.gauge(g, 0);
    if (this.config.serving.kind !== 'ensemble') m.gauge('requests_to_detect', 0);
    if (this.breaker !== undefined) for (const g of ['served_by_fallback', 'model_restored', 'fallback_ms']) m.gauge(g, 0);
    if (this.monitors.length > 0) for (const g of ['drift_requests_to_detect', 'drift_false_alarm']) m.gauge(g, 0);
    if (this.members.length > 0) for (const g of ['single_error_after_pct', 'members_failing_after', 'member_failures']) m.gauge(g, 0);
    this.ctx.setTimer(SUMMARY_EVERY_MS, () => this.summary());
  }

  /** A line a second in the trace: what was forecast and how it went, so the trace tells variants apart. */
  private summary(): void {
    const book = this.after.n > 0 ? this.after : this.before;
    this.ctx.log('forecasts', { labelled: book.n, errorPct: book.pct(), bad: book.bad, breaker: this.breaker?.state });
    this.ctx.setTimer(SUMMARY_EVERY_MS, () => this.summary());
  }

  onMessage(_from: NodeId, msg: unknown): void {
    const m = msg as Msg;
    if (m.type === 'request') this.onRequest(m);
    else if (m.type === 'label') this.onLabel(m);
  }

  private onRequest(m: Extract<Msg, { type: 'request' }>): void {
    const metrics = this.ctx.metrics;
    metrics.count('requests');
    if (m.shifted) {
      this.requestsAfterShift++;
      this.firstShiftedMs ??= this.ctx.now();
      metrics.gauge('requests_after_shift', this.requestsAfterShift);
      // Not yet noticed: so far every request after the shift went unnoticed.
      if (!this.detected && this.config.serving.kind !== 'ensemble') metrics.gauge('requests_to_detect', this.requestsAfterShift);
      if (!this.driftDetected && this.monitors.length > 0) metrics.gauge('drift_requests_to_detect', this.requestsAfterShift);
    }
    this.watchDrift(m.features, m.shifted);
    let served: Pick<Served, 'value' | 'ticket' | 'answers'>;
    try {
      served = this.serve(m.features);
    } catch {
      // Nothing could forecast (no ensemble member answered): order as many as last time is not even known.
      metrics.count('requests_unanswered');
      return;
    }
    if (this.breaker !== undefined) metrics.gauge('served_by_fallback', this.breaker.servedByFallback);
    this.pending.set(m.id, { ...served, features: m.features, shifted: m.shifted, afterRestore: this.restoredAtMs !== undefined && this.breaker?.state === 'closed' });
  }

  private watchDrift(features: Features, shifted: boolean): void {
    if (this.monitors.length === 0 || this.driftDetected) return;
    let flagged: DriftCheck | undefined;
    this.monitors.forEach((mon, i) => {
      const c = mon.observe(features[i]);
      if (c?.drifted && flagged === undefined) flagged = c;
    });
    if (flagged === undefined) return;
    this.driftDetected = true;
    const m = this.ctx.metrics;
    this.ctx.log('drift', { psi: flagged.psi, pValue: flagged.pValue, band: flagged.band });
    if (!shifted) {
      m.gauge('drift_false_alarm', 1);
      return;
    }
    m.gauge('drift_requests_to_detect', this.requestsAfterShift);
    m.gauge('drift_detected_after_ms', Math.round(this.ctx.now() - this.firstShiftedMs!));
    m.gauge('psi_at_detect', Math.round(flagged.psi * 1000) / 1000);
    m.gauge('ks_p_at_detect', Number(flagged.pValue.toPrecision(3)));
  }

  private onLabel(m: Extract<Msg, { type: 'label' }>): void {
    const s = this.pending.get(m.id);
    if (s === undefined) return;
    this.pending.delete(m.id);
    const tol = this.config.tolerance;
    const rel = (v: number) => Math.abs(v - m.orders) / m.orders;
    const book = s.shifted ? this.after : this.before;
    book.add(rel(s.value), tol);
    if (s.afterRestore) this.afterRestore.add(rel(s.value), tol);
    if (s.answers !== undefined && s.shifted) s.answers.forEach((a, i) => a !== undefined && this.memberAfter[i].add(rel(a), tol));
    // The breaker scores first, then learners see the label (a fallback learns from what it is judged on).
    if (s.ticket !== undefined) this.breaker!.observe(s.ticket, m.orders);
    for (const p of this.learners) p.learn!(s.features, m.orders);
    this.retrainWindow?.add(s.features, m.orders);
    if (this.labelsToRetrain !== undefined && --this.labelsToRetrain === 0) this.retrain();
    this.report();
  }

  private onTransition(to: string, reason: string): void {
    const now = this.ctx.now();
    this.ctx.log('breaker', { to, reason });
    if (to === 'open') {
      if (this.requestsAfterShift > 0 && !this.detected) {
        this.detected = true;
        this.ctx.metrics.gauge('requests_to_detect', this.requestsAfterShift);
        this.ctx.metrics.gauge('detected_after_ms', Math.round(now - this.firstShiftedMs!));
      }
      this.openedAtMs ??= now;
      this.restoredAtMs = undefined;
      // Learn the new world from what comes next: a fresh window of labels, then a refit.
      if (this.retrainWindow !== undefined) this.labelsToRetrain = this.retrainWindow.size;
    }
    if (to === 'closed' && this.openedAtMs !== undefined) {
      this.restoredAtMs = now;
      this.ctx.metrics.gauge('model_restored', 1);
      this.ctx.metrics.gauge('fallback_ms', Math.round(now - this.openedAtMs));
    }
  }

  private retrain(): void {
    this.labelsToRetrain = undefined;
    const s = this.config.serving;
    if (s.kind !== 'breaker' || this.breaker === undefined || this.breaker.state === 'closed') return;
    const names = s.model.kind === 'linear' || s.model.kind === 'recent-linear' ? s.model.features : [...featureNames];
    const fit = this.retrainWindow!.fit(names);
    const model = linearPredictor('retrained', fit, names);
    this.ctx.log('retrained', { intercept: fit.intercept, coefficients: fit.coefficients });
    this.ctx.metrics.count('retrains');
    this.breaker.replaceModel((f) => model.predict(f));
  }

  private report(): void {
    const m = this.ctx.metrics;
    m.gauge('error_before_pct', this.before.pct());
    m.gauge('error_after_pct', this.after.pct());
    m.gauge('bad_decisions', this.after.bad);
    m.gauge('bad_decisions_before', this.before.bad);
    if (this.afterRestore.n > 0) m.gauge('error_after_restore_pct', this.afterRestore.pct());
    if (this.breaker !== undefined && this.openedAtMs !== undefined && this.restoredAtMs === undefined) m.gauge('fallback_ms', Math.round(this.ctx.now() - this.openedAtMs));
    if (this.memberAfter.length > 0 && this.after.n > 0) {
      m.gauge('single_error_after_pct', this.memberAfter[0].pct());
      m.gauge('members_failing_after', this.memberAfter.filter((e) => e.n > 0 && e.pct() > 100 * this.config.tolerance).length);
      m.gauge('member_failures', this.ensemble!.failures.reduce((a, b) => a + b, 0));
    }
  }
}

export const modelServing = (ctx: Context, config: ModelServingConfig): Process => (ctx.id === config.world ? new World(ctx, config) : new Server(ctx, config));
