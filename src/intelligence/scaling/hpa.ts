/**
 * The Kubernetes Horizontal Pod Autoscaler's algorithm (autoscaling/v2), as the controller implements
 * it (pkg/controller/podautoscaler: replica_calculator.go, horizontal.go), for one utilization metric.
 *
 * Every sync period (15 s by default):
 * 1. Replica calculation: desired = ceil(usageRatio * readyPods), usageRatio = mean utilization /
 *    target. Within the tolerance (0.1 by default, per direction since Kubernetes 1.33) nothing
 *    changes. Pods without a sample count as 100% of target on a scale-down and 0% on a scale-up;
 *    unready pods count as 0% on a scale-up; if that fill-in reverses the direction or lands within
 *    the tolerance, nothing changes. Failed and deleting pods are ignored.
 * 2. Stabilization: the recommendation is clamped between the lowest recommendation of the scale-up
 *    window (0 s by default) and the highest of the scale-down window (300 s), so one quiet minute
 *    does not remove pods that the last five minutes needed.
 * 3. Rate policies: the replicas added (removed) within each policy's period limit the step. Default
 *    scale-up: max(4 pods, 100%) per 15 s; scale-down: 100% per 15 s; `selectPolicy` Max takes the
 *    policy allowing the largest change, Min the smallest, Disabled forbids that direction.
 * Out-of-range replica counts are first brought to [minReplicas, maxReplicas].
 *
 * The controller records a scale event when it writes the scale subresource. Here a guard or a person
 * may stand between the decision and the write, so the HPA learns what was applied from the next
 * observation: a replica count that moved since the last decision is recorded as a scale event at the
 * time of that decision.
 */
import { ConfigError, fraction, nonNegative, positive, positiveInt } from '../../runtime/config-error.js';
import type { Autoscaler, PodSample, ScalingDecision, ScalingObservation } from './autoscaler.js';

export interface HpaPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodMs: number;
}

export interface HpaRules {
  stabilizationWindowMs: number;
  selectPolicy: 'Max' | 'Min' | 'Disabled';
  policies: HpaPolicy[];
  /** A usage ratio within this distance of 1 in this direction changes nothing. */
  tolerance: number;
}

export interface HpaOptions {
  minReplicas?: number;
  maxReplicas: number;
  /** Target mean utilization as a fraction of the request, in (0, 1] (Kubernetes' percent / 100). */
  targetUtilization: number;
  scaleUp?: Partial<HpaRules>;
  scaleDown?: Partial<HpaRules>;
}

/** Kubernetes' defaults (SetDefaults_HorizontalPodAutoscalerBehavior and the 0.1 tolerance flag). */
export const defaultScaleUp: HpaRules = {
  stabilizationWindowMs: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Percent', value: 100, periodMs: 15_000 },
    { type: 'Pods', value: 4, periodMs: 15_000 },
  ],
  tolerance: 0.1,
};
export const defaultScaleDown: HpaRules = {
  stabilizationWindowMs: 300_000,
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodMs: 15_000 }],
  tolerance: 0.1,
};

interface TimedValue {
  atMs: number;
  value: number;
}

function rules(name: string, given: Partial<HpaRules> | undefined, defaults: HpaRules): HpaRules {
  const r = { ...defaults, ...given };
  nonNegative(`${name}.stabilizationWindowMs`, r.stabilizationWindowMs);
  nonNegative(`${name}.tolerance`, r.tolerance);
  if (!['Max', 'Min', 'Disabled'].includes(r.selectPolicy)) throw new ConfigError(`${name}.selectPolicy`, 'Max, Min or Disabled', r.selectPolicy);
  if (r.policies.length === 0 && r.selectPolicy !== 'Disabled') throw new ConfigError(`${name}.policies`, 'at least one policy (or selectPolicy Disabled)', r.policies);
  r.policies.forEach((p, i) => {
    if (p.type !== 'Pods' && p.type !== 'Percent') throw new ConfigError(`${name}.policies[${i}].type`, 'Pods or Percent', p.type);
    positive(`${name}.policies[${i}].value`, p.value);
    positive(`${name}.policies[${i}].periodMs`, p.periodMs);
  });
  return r;
}

export class HorizontalPodAutoscaler implements Autoscaler {
  readonly name = 'hpa';
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly target: number;
  readonly up: HpaRules;
  readonly down: HpaRules;
  /** Unstabilized recommendations, as the controller keeps them (old samples are overwritten). */
  private readonly recommendations: TimedValue[] = [];
  private readonly upEvents: TimedValue[] = [];
  private readonly downEvents: TimedValue[] = [];
  private last: { atMs: number; replicas: number } | undefined;

  constructor(opts: HpaOptions) {
    this.minReplicas = positiveInt('minReplicas', opts.minReplicas ?? 1);
    this.maxReplicas = positiveInt('maxReplicas', opts.maxReplicas);
    if (this.maxReplicas < this.minReplicas) throw new ConfigError('maxReplicas', `an integer >= minReplicas (${this.minReplicas})`, opts.maxReplicas);
    this.target = fraction('targetUtilization', opts.targetUtilization);
    this.up = rules('scaleUp', opts.scaleUp, defaultScaleUp);
    this.down = rules('scaleDown', opts.scaleDown, defaultScaleDown);
  }

  decide(obs: ScalingObservation): ScalingDecision {
    const current = obs.replicas;
    if (this.last !== undefined && this.last.replicas !== current) this.recordScale(this.last.atMs, this.last.replicas, current);
    this.last = { atMs: obs.nowMs, replicas: current };
    let decision: ScalingDecision;
    if (current > this.maxReplicas) decision = { replicas: this.maxReplicas, reason: `above maxReplicas ${this.maxReplicas}` };
    else if (current < this.minReplicas) decision = { replicas: this.minReplicas, reason: `below minReplicas ${this.minReplicas}` };
    else {
      const calc = this.calculateReplicas(current, obs.pods);
      const stabilized = this.stabilize(obs.nowMs, current, calc.replicas);
      const limited = this.limitRate(obs.nowMs, current, stabilized);
      let reason = calc.reason;
      if (stabilized !== calc.replicas) reason += `; stabilized to ${stabilized} (${stabilized > calc.replicas ? 'scale-down' : 'scale-up'} window)`;
      if (limited.replicas !== stabilized) reason += `; ${limited.why}`;
      decision = { replicas: limited.replicas, reason };
    }
    return decision;
  }

  /** replica_calculator.go: GetResourceReplicas for a utilization target. */
  calculateReplicas(current: number, pods: readonly PodSample[]): ScalingDecision {
    const samples: number[] = [];
    let ready = 0;
    let missing = 0;
    let unready = 0;
    for (const p of pods) {
      if (p.phase === 'failed' || p.phase === 'deleting') continue;
      if (p.phase === 'pending') {
        unready++;
        continue;
      }
      if (p.utilization === undefined) {
        missing++;
        continue;
      }
      if (!p.ready) {
        unready++;
        continue;
      }
      ready++;
      samples.push(p.utilization);
    }
    if (samples.length === 0) return { replicas: current, reason: 'no metrics for any ready pod' };
    const ratioOf = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length / this.target;
    const usageRatio = ratioOf(samples);
    const within = (r: number) => r >= 1 - this.down.tolerance && r <= 1 + this.up.tolerance;
    const pct = (x: number) => `${Math.round(x * 100)}%`;
    const seen = `usage ${pct(usageRatio * this.target)} of target ${pct(this.target)} over ${ready} ready pods`;
    const scaleUpWithUnready = unready > 0 && usageRatio > 1;
    if (!scaleUpWithUnready && missing === 0) {
      if (within(usageRatio)) return { replicas: current, reason: `${seen}: within tolerance` };
      return { replicas: Math.ceil(usageRatio * ready), reason: seen };
    }
    // Fill in the pods we could not use, in the direction that makes scaling least eager.
    const filled = samples.slice();
    if (missing > 0) {
      if (usageRatio < 1) for (let i = 0; i < missing; i++) filled.push(Math.max(1, this.target));
      else if (usageRatio > 1) for (let i = 0; i < missing; i++) filled.push(0);
    }
    if (scaleUpWithUnready) for (let i = 0; i < unready; i++) filled.push(0);
    const newRatio = ratioOf(filled);
    const assumed = `${seen}; ${missing} without metrics, ${unready} unready assumed ${usageRatio > 1 ? '0%' : 'at 100%'}: usage ${pct(newRatio * this.target)}`;
    if (within(newRatio) || (usageRatio < 1 && newRatio > 1) || (usageRatio > 1 && newRatio < 1)) {
      return { replicas: current, reason: `${assumed}: no change` };
    }
    const replicas = Math.ceil(newRatio * filled.length);
    if ((newRatio < 1 && replicas > current) || (newRatio > 1 && replicas < current)) return { replicas: current, reason: `${assumed}: no change` };
    return { replicas, reason: assumed };
  }

  /** horizontal.go: stabilizeRecommendationWithBehaviors. */
  private stabilize(nowMs: number, current: number, desired: number): number {
    const upCutoff = nowMs - this.up.stabilizationWindowMs;
    const downCutoff = nowMs - this.down.stabilizationWindowMs;
    let upRecommendation = desired;
    let downRecommendation = desired;
    let oldSample = -1;
    this.recommendations.forEach((rec, i) => {
      if (rec.atMs > upCutoff) upRecommendation = Math.min(rec.value, upRecommendation);
      if (rec.atMs > downCutoff) downRecommendation = Math.max(rec.value, downRecommendation);
      if (rec.atMs < upCutoff && rec.atMs < downCutoff) oldSample = i;
    });
    let recommendation = current;
    if (recommendation < upRecommendation) recommendation = upRecommendation;
    if (recommendation > downRecommendation) recommendation = downRecommendation;
    if (oldSample >= 0) this.recommendations[oldSample] = { atMs: nowMs, value: desired };
    else this.recommendations.push({ atMs: nowMs, value: desired });
    return recommendation;
  }

  /** horizontal.go: convertDesiredReplicasWithBehaviorRate. */
  private limitRate(nowMs: number, current: number, desired: number): { replicas: number; why: string } {
    if (desired > current) {
      const limit = Math.max(current, this.scaleUpLimit(nowMs, current));
      if (this.maxReplicas > limit) return { replicas: Math.min(desired, limit), why: `scale-up limited to ${limit} by policy` };
      return { replicas: Math.min(desired, this.maxReplicas), why: `capped at maxReplicas ${this.maxReplicas}` };
    }
    if (desired < current) {
      const limit = Math.min(current, this.scaleDownLimit(nowMs, current));
      if (this.minReplicas < limit) return { replicas: Math.max(desired, limit), why: `scale-down limited to ${limit} by policy` };
      return { replicas: Math.max(desired, this.minReplicas), why: `held at minReplicas ${this.minReplicas}` };
    }
    return { replicas: desired, why: '' };
  }

  private changeWithin(events: TimedValue[], nowMs: number, periodMs: number): number {
    let sum = 0;
    for (const e of events) if (e.atMs > nowMs - periodMs) sum += e.value;
    return sum;
  }

  private periodStart(nowMs: number, current: number, periodMs: number): number {
    return current - this.changeWithin(this.upEvents, nowMs, periodMs) + this.changeWithin(this.downEvents, nowMs, periodMs);
  }

  private scaleUpLimit(nowMs: number, current: number): number {
    if (this.up.selectPolicy === 'Disabled') return current;
    const pick = this.up.selectPolicy === 'Min' ? Math.min : Math.max;
    let result = this.up.selectPolicy === 'Min' ? Infinity : -Infinity;
    for (const p of this.up.policies) {
      const start = this.periodStart(nowMs, current, p.periodMs);
      // Rounded up: a percent step that adds less than one pod would otherwise never scale.
      const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
      result = pick(result, proposed);
    }
    return result;
  }

  private scaleDownLimit(nowMs: number, current: number): number {
    if (this.down.selectPolicy === 'Disabled') return current;
    // For scaling down the smallest change is the largest count.
    const pick = this.down.selectPolicy === 'Min' ? Math.max : Math.min;
    let result = this.down.selectPolicy === 'Min' ? -Infinity : Infinity;
    for (const p of this.down.policies) {
      const start = this.periodStart(nowMs, current, p.periodMs);
      const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
      result = pick(result, proposed);
    }
    return result;
  }

  /** storeScaleEvent: events older than the longest policy period are dropped. */
  private recordScale(nowMs: number, from: number, to: number): void {
    const keep = (events: TimedValue[], rules: HpaRules) => {
      const longest = Math.max(0, ...rules.policies.map((p) => p.periodMs));
      let w = 0;
      for (const e of events) if (e.atMs > nowMs - longest) events[w++] = e;
      events.length = w;
    };
    keep(this.upEvents, this.up);
    keep(this.downEvents, this.down);
    if (to > from) this.upEvents.push({ atMs: nowMs, value: to - from });
    else this.downEvents.push({ atMs: nowMs, value: from - to });
  }
}
