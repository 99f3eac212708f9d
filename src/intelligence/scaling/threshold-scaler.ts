/**
 * The first autoscaler everyone writes: "CPU > 80% adds a node" (the seeds' maturity level 2). It looks
 * only at the mean utilization of ready pods right now, adds `step` above `upper`, removes `step`
 * below `lower`. It has no notion of pods still warming up, no stabilization and no rate limit, which
 * is exactly why it runs away when new nodes add load (wrap it in ScalingGuards).
 */
import { ConfigError, fraction, positiveInt } from '../../runtime/config-error.js';
import { readyUtilization, type Autoscaler, type ScalingDecision, type ScalingObservation } from './autoscaler.js';

export interface ThresholdScalerOptions {
  /** Add `step` replicas when mean ready utilization is above this (default 0.8). */
  upper?: number;
  /** Remove `step` replicas when it is below this (default: never scale in). */
  lower?: number;
  step?: number;
}

export class ThresholdScaler implements Autoscaler {
  readonly name = 'threshold';
  private readonly upper: number;
  private readonly lower: number | undefined;
  private readonly step: number;

  constructor(opts: ThresholdScalerOptions = {}) {
    this.upper = fraction('upper', opts.upper ?? 0.8);
    this.lower = opts.lower === undefined ? undefined : fraction('lower', opts.lower);
    if (this.lower !== undefined && this.lower >= this.upper) throw new ConfigError('lower', `a number below upper (${this.upper})`, this.lower);
    this.step = positiveInt('step', opts.step ?? 1);
  }

  decide(obs: ScalingObservation): ScalingDecision {
    const u = readyUtilization(obs.pods);
    if (u === undefined) return { replicas: obs.replicas, reason: 'no utilization sample' };
    const pct = (x: number) => `${Math.round(x * 100)}%`;
    if (u > this.upper) return { replicas: obs.replicas + this.step, reason: `utilization ${pct(u)} > ${pct(this.upper)}` };
    if (this.lower !== undefined && u < this.lower) return { replicas: obs.replicas - this.step, reason: `utilization ${pct(u)} < ${pct(this.lower)}` };
    return { replicas: obs.replicas, reason: `utilization ${pct(u)} within bounds` };
  }
}
