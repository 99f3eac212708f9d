/**
 * A circuit breaker for a model (the seeds' MLCircuitBreaker): serve the model while its recent
 * accuracy holds; when it falls below `accuracyMin`, serve a simple heuristic instead; later, score
 * the model in the shadow and switch back once it is accurate again (a retrained model, or the
 * world returning to what the model knew).
 *
 *   closed (model serves) ──accuracy < accuracyMin──▶ open (fallback serves)
 *      ▲                                                │ openMs passed, or a new model
 *      └──shadow accuracy >= accuracyMin── half-open (fallback serves, model scored in the shadow)
 *                                                       │ shadow accuracy < accuracyMin: open again
 *
 * Outcomes come later than predictions (the label delay: a fraud chargeback, tomorrow's demand).
 * predict() returns a ticket that the caller hands to observe() with the outcome when it is known;
 * the breaker keeps nothing per request. A ticket remembers the breaker's generation, and outcomes of
 * predictions made before the last state change are ignored, as in the control pillar's breaker.
 * Accuracy is counted over the outcomes of the last windowMs (the control pillar's SlidingCounters)
 * and judged once `minimumScored` outcomes are in: detection takes the label delay plus that many
 * requests.
 *
 * Why not the control pillar's CircuitBreaker with a CountWindow strategy: its trip half fits
 * (a failure = a wrong prediction), but its half-open does not. There any failed probe reopens,
 * which is right for a service (a healthy one does not fail) and wrong for a model: one that is
 * right 90% of the time fails one probe in ten by design, so recovery must be judged on accuracy
 * over a sample of probes. And a model can be probed at no risk: its answer is scored in the shadow
 * while the fallback's answer is served; an open breaker makes no call at all.
 */
import type { Clock, Random } from '../../runtime/clock.js';
import { SlidingCounters } from '../../control/index.js';
import { fraction, positive, positiveInt } from '../../runtime/config-error.js';

export type MlBreakerState = 'closed' | 'open' | 'half-open';

export interface MlTransition {
  from: MlBreakerState;
  to: MlBreakerState;
  reason: string;
  atMs: number;
}

export interface MlCircuitBreakerOptions<I> {
  model: (input: I) => number;
  /** The simple heuristic served while the model is not trusted. */
  fallback: (input: I) => number;
  /** Whether a prediction was right, given the outcome (default: equal, for class labels). See withinRelative. */
  correct?: (prediction: number, outcome: number) => boolean;
  /** Open when the accuracy over the window falls below this, in (0, 1]. */
  accuracyMin: number;
  /** Outcomes of the last windowMs are counted. */
  windowMs: number;
  /** ... once at least this many were scored in the window. */
  minimumScored: number;
  /** How long the fallback serves before the model is probed again. */
  openMs: number;
  /** The fraction of half-open requests the model also answers in the shadow (default 1). */
  probeFraction?: number;
  onTransition?: (t: MlTransition) => void;
  clock: Clock;
  random: Random;
}

/** What predict() answered and what observe() needs to score it. */
export interface MlTicket {
  readonly value: number;
  readonly by: 'model' | 'fallback';
  /** The model's answer when it was asked (served, or scored in the shadow). */
  readonly modelAnswer: number | undefined;
  readonly generation: number;
}

/** Right when within `tolerance` of the outcome, relative to its size (demand, prices). */
export const withinRelative =
  (tolerance: number) =>
  (prediction: number, outcome: number): boolean =>
    Math.abs(prediction - outcome) <= tolerance * Math.abs(outcome);

const SCORED = 0;
const WRONG = 1;
/** The window's precision: its buckets. */
const WINDOW_BUCKETS = 10;

export class MlCircuitBreaker<I> {
  private s: MlBreakerState = 'closed';
  private openUntilMs = 0;
  private generation = 0;
  private model: (input: I) => number;
  private readonly fallback: (input: I) => number;
  private readonly correct: (prediction: number, outcome: number) => boolean;
  private readonly accuracyMin: number;
  private readonly minimumScored: number;
  private readonly openMs: number;
  private readonly probeFraction: number;
  private readonly window: SlidingCounters;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly onTransition: ((t: MlTransition) => void) | undefined;
  /** Requests served by each side, and model answers that threw. */
  servedByModel = 0;
  servedByFallback = 0;
  modelErrors = 0;

  constructor(opts: MlCircuitBreakerOptions<I>) {
    this.model = opts.model;
    this.fallback = opts.fallback;
    this.correct = opts.correct ?? ((p, o) => p === o);
    this.accuracyMin = fraction('accuracyMin', opts.accuracyMin);
    this.window = new SlidingCounters(positive('windowMs', opts.windowMs), WINDOW_BUCKETS, 2);
    this.minimumScored = positiveInt('minimumScored', opts.minimumScored);
    this.openMs = positive('openMs', opts.openMs);
    this.probeFraction = fraction('probeFraction', opts.probeFraction ?? 1);
    this.clock = opts.clock;
    this.random = opts.random;
    this.onTransition = opts.onTransition;
  }

  /** The state now (an open breaker whose time is up reads as half-open). */
  get state(): MlBreakerState {
    this.maybeHalfOpen(this.clock.now());
    return this.s;
  }

  /** The model's accuracy over the window (of served predictions when closed, shadow ones when half-open); NaN with none scored. */
  accuracy(): number {
    const now = this.clock.now();
    const scored = this.window.total(now, SCORED);
    return scored === 0 ? NaN : 1 - this.window.total(now, WRONG) / scored;
  }

  predict(input: I): MlTicket {
    const now = this.clock.now();
    this.maybeHalfOpen(now);
    if (this.s === 'closed') {
      const answer = this.ask(input);
      if (answer !== undefined) {
        this.servedByModel++;
        return { value: answer, by: 'model', modelAnswer: answer, generation: this.generation };
      }
      // The model could not answer: serve the fallback and count the failure as a wrong prediction.
      this.score(false, now);
      return this.fromFallback(input, undefined);
    }
    const shadow = this.s === 'half-open' && (this.probeFraction === 1 || this.random() < this.probeFraction);
    return this.fromFallback(input, shadow ? this.ask(input) ?? Number.NaN : undefined);
  }

  /** The outcome of a ticket's request is known now. */
  observe(ticket: MlTicket, outcome: number): void {
    if (ticket.generation !== this.generation || ticket.modelAnswer === undefined) return;
    const now = this.clock.now();
    this.maybeHalfOpen(now);
    if (this.s === 'open') return;
    this.score(Number.isFinite(ticket.modelAnswer) && this.correct(ticket.modelAnswer, outcome), now);
  }

  /**
   * A new model (retrained on recent data): probed in the shadow before it serves, unless the old one
   * was still trusted, in which case it takes over at once.
   */
  replaceModel(model: (input: I) => number): void {
    this.model = model;
    const now = this.clock.now();
    if (this.s === 'closed') this.to('closed', now, 'model replaced');
    else this.to('half-open', now, 'a new model to probe');
  }

  private ask(input: I): number | undefined {
    try {
      const v = this.model(input);
      if (Number.isFinite(v)) return v;
    } catch {
      // A model that throws is a model that failed: counted below.
    }
    this.modelErrors++;
    return undefined;
  }

  private fromFallback(input: I, modelAnswer: number | undefined): MlTicket {
    this.servedByFallback++;
    return { value: this.fallback(input), by: 'fallback', modelAnswer, generation: this.generation };
  }

  private score(right: boolean, now: number): void {
    this.window.add(now, SCORED);
    if (!right) this.window.add(now, WRONG);
    const scored = this.window.total(now, SCORED);
    if (scored < this.minimumScored) return;
    const accuracy = 1 - this.window.total(now, WRONG) / scored;
    const judged = `accuracy ${accuracy.toFixed(3)} over ${scored} ${this.s === 'closed' ? 'predictions' : 'shadow predictions'} (min ${this.accuracyMin})`;
    if (accuracy < this.accuracyMin) this.open(now, judged);
    else if (this.s === 'half-open') this.to('closed', now, judged);
  }

  private open(now: number, reason: string): void {
    this.openUntilMs = now + this.openMs;
    this.to('open', now, reason);
  }

  private maybeHalfOpen(now: number): void {
    if (this.s === 'open' && now >= this.openUntilMs) this.to('half-open', now, 'open time over');
  }

  private to(next: MlBreakerState, now: number, reason: string): void {
    const from = this.s;
    this.s = next;
    this.generation++;
    this.window.clear();
    this.onTransition?.({ from, to: next, reason, atMs: now });
  }
}
