/**
 * Predictive scaling (the seeds' maturity level 3, "AWS pre-scales for Black Friday"): learn the
 * daily shape of demand with a forecaster (Holt-Winters with a daily season), and have capacity
 * running `leadMs` before the forecast says it is needed, the time a node takes to boot and warm up.
 *
 * As AWS predictive scaling does, the forecast only ever adds capacity: the replica count is
 * max(forecast, reactive), so a forecast that is low (a model that has not seen today's pattern)
 * cannot take away capacity that the observed load needs, and capacity is removed only when the
 * reactive scaler, which sees the load that actually arrives, says so. In `forecast-only` mode (AWS's
 * "forecast only") the forecast is computed and logged beside what actually happened, so people can
 * judge it before it acts, and the reactive scaler alone decides.
 */
import { ConfigError, nonNegative, positive } from '../../runtime/config-error.js';
import type { Autoscaler, ScalingDecision, ScalingObservation } from './autoscaler.js';

/** The part of a forecaster this scaler uses (HoltWinters in src/intelligence/forecast fits). */
export interface Forecaster {
  update(x: number): void;
  readonly ready: boolean;
  forecast(stepsAhead: number): number;
}

export interface PredictiveScalerOptions {
  forecaster: Forecaster;
  /** Demand is averaged over steps of this length, one forecaster observation per step (e.g. 5 min). */
  stepMs: number;
  /** Requests per second one replica should serve (its capacity at the target utilization). */
  perReplicaPerSec: number;
  /** Capacity must be running this long before the forecast demand (boot + warm-up). */
  leadMs: number;
  mode?: 'forecast-and-scale' | 'forecast-only';
  /** Scales on observed load; the only way capacity is ever removed. */
  reactive: Autoscaler;
  maxReplicas: number;
  /** Forecast entries kept for comparison with what happened. */
  logMax?: number;
}

export interface ForecastEntry {
  atMs: number;
  /** The highest demand forecast over the lead window, requests per second. */
  forecastPerSec: number;
  replicas: number;
}

export class PredictiveScaler implements Autoscaler {
  readonly name = 'predictive';
  readonly log: ForecastEntry[] = [];
  /** Decisions where the forecast asked for more than the reactive scaler. */
  forecastLed = 0;
  private readonly mode: 'forecast-and-scale' | 'forecast-only';
  private readonly horizonSteps: number;
  private stepStartMs: number | undefined;
  private stepDemand = 0;
  private stepSpanMs = 0;
  private lastMs: number | undefined;
  /** The one-step-ahead forecast for the step now being observed, to score the forecaster. */
  private expected: number | undefined;
  private errorSum = 0;
  private errorCount = 0;

  constructor(private readonly opts: PredictiveScalerOptions) {
    positive('stepMs', opts.stepMs);
    positive('perReplicaPerSec', opts.perReplicaPerSec);
    nonNegative('leadMs', opts.leadMs);
    positive('maxReplicas', opts.maxReplicas);
    this.mode = opts.mode ?? 'forecast-and-scale';
    if (this.mode !== 'forecast-and-scale' && this.mode !== 'forecast-only') throw new ConfigError('mode', 'forecast-and-scale or forecast-only', opts.mode);
    // The steps whose demand must be covered: those starting within the lead, and the one after.
    this.horizonSteps = Math.ceil(opts.leadMs / opts.stepMs) + 1;
  }

  /** Mean absolute percentage error of the one-step-ahead forecasts so far (undefined before any). */
  get forecastErrorPct(): number | undefined {
    return this.errorCount === 0 ? undefined : (100 * this.errorSum) / this.errorCount;
  }

  /** Feed past demand (one value per step, requests per second), as a monitoring system's history. */
  train(history: readonly number[]): void {
    for (const x of history) this.opts.forecaster.update(x);
  }

  decide(obs: ScalingObservation): ScalingDecision {
    this.observe(obs);
    const reactive = this.opts.reactive.decide(obs);
    const f = this.opts.forecaster;
    if (!f.ready) return { replicas: reactive.replicas, reason: `${reactive.reason} (forecaster still learning)` };
    let peak = 0;
    for (let h = 1; h <= this.horizonSteps; h++) peak = Math.max(peak, f.forecast(h));
    const wanted = Math.min(this.opts.maxReplicas, Math.max(1, Math.ceil(peak / this.opts.perReplicaPerSec)));
    this.log.push({ atMs: obs.nowMs, forecastPerSec: peak, replicas: wanted });
    if (this.log.length > (this.opts.logMax ?? 10_000)) this.log.shift();
    const forecastSays = `forecast ${peak.toFixed(1)}/s within ${Math.round(this.opts.leadMs / 60_000)} min needs ${wanted}`;
    if (this.mode === 'forecast-only') return { replicas: reactive.replicas, reason: `${reactive.reason} (forecast only: ${forecastSays})` };
    if (wanted > reactive.replicas && wanted > obs.replicas) {
      this.forecastLed++;
      return { replicas: wanted, reason: forecastSays };
    }
    // Never scale in on a forecast: hold what runs when the forecast still needs it.
    if (reactive.replicas < obs.replicas && wanted > reactive.replicas) return { replicas: Math.min(obs.replicas, wanted), reason: `${reactive.reason}; held by ${forecastSays}` };
    return reactive;
  }

  /** Average the observed demand over whole steps and feed each finished step to the forecaster. */
  private observe(obs: ScalingObservation): void {
    if (obs.demandPerSec === undefined) return;
    this.stepStartMs ??= obs.nowMs;
    const span = this.lastMs === undefined ? 0 : obs.nowMs - this.lastMs;
    this.lastMs = obs.nowMs;
    this.stepDemand += obs.demandPerSec * span;
    this.stepSpanMs += span;
    if (obs.nowMs - this.stepStartMs >= this.opts.stepMs) {
      const actual = this.stepSpanMs > 0 ? this.stepDemand / this.stepSpanMs : obs.demandPerSec;
      if (this.expected !== undefined && actual > 0) {
        this.errorSum += Math.abs(actual - this.expected) / actual;
        this.errorCount++;
      }
      this.opts.forecaster.update(actual);
      this.expected = this.opts.forecaster.ready ? this.opts.forecaster.forecast(1) : undefined;
      this.stepStartMs = obs.nowMs;
      this.stepDemand = 0;
      this.stepSpanMs = 0;
    }
  }
}
