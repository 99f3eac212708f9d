/**
 * Runaway guards around any autoscaler. The seeds' first control nightmare is "auto-scaling that
 * creates more load, which triggers more scaling": the scaler is right about what it sees and wrong
 * about why. The guards do not make it smarter; they bound the damage while a person looks:
 *
 * - bounds: never below `minReplicas` nor above `maxReplicas` (the budget);
 * - `maxStep`: at most this many replicas added or removed per decision;
 * - `cooldownMs`: after a change, hold until the change has had time to show in the metrics (at least
 *   a node's boot and warm-up, or the scaler reacts to its own transient);
 * - a flap budget: at most `changes` direction reversals (up then down, or down then up) within
 *   `windowMs`; beyond it, hold (HPA users ask for this; stabilization only damps scale-down);
 * - paused: decisions are computed and logged but not applied (a person is looking);
 * - a kill switch (src/control/kill-switch.ts): tripped means hold, here or fleet-wide.
 *
 * Every decision goes to a bounded action log with what the scaler proposed and which guard held it.
 */
import { type KillSwitch } from '../../control/index.js';
import { ConfigError, nonNegative, positiveInt } from '../../runtime/config-error.js';
import type { Autoscaler, ScalingDecision, ScalingObservation } from './autoscaler.js';

export interface ScalingGuardOptions {
  minReplicas: number;
  maxReplicas: number;
  maxStep?: number;
  cooldownMs?: number;
  flapBudget?: { changes: number; windowMs: number };
  paused?: boolean;
  killSwitch?: KillSwitch;
  /** Entries kept in the action log (oldest dropped first). */
  logMax?: number;
}

export type GuardName = 'bounds' | 'maxStep' | 'cooldown' | 'flapBudget' | 'paused' | 'killSwitch';

export interface ScalingAction {
  atMs: number;
  from: number;
  proposed: number;
  to: number;
  reason: string;
  heldBy?: GuardName;
}

export class GuardedAutoscaler implements Autoscaler {
  readonly name: string;
  readonly log: ScalingAction[] = [];
  /** Decisions a guard changed, by guard. */
  readonly held: Record<GuardName, number> = { bounds: 0, maxStep: 0, cooldown: 0, flapBudget: 0, paused: 0, killSwitch: 0 };
  paused: boolean;
  private readonly min: number;
  private readonly max: number;
  private readonly maxStep: number;
  private readonly cooldownMs: number;
  private readonly logMax: number;
  private lastChangeMs = -Infinity;
  private lastDirection = 0;
  private reversals: number[] = [];

  constructor(
    readonly inner: Autoscaler,
    private readonly opts: ScalingGuardOptions,
  ) {
    this.name = `guarded ${inner.name}`;
    this.min = positiveInt('minReplicas', opts.minReplicas);
    this.max = positiveInt('maxReplicas', opts.maxReplicas);
    if (this.max < this.min) throw new ConfigError('maxReplicas', `an integer >= minReplicas (${this.min})`, opts.maxReplicas);
    this.maxStep = opts.maxStep === undefined ? Infinity : positiveInt('maxStep', opts.maxStep);
    this.cooldownMs = nonNegative('cooldownMs', opts.cooldownMs ?? 0);
    if (opts.flapBudget !== undefined) {
      nonNegative('flapBudget.changes', opts.flapBudget.changes);
      positiveInt('flapBudget.windowMs', opts.flapBudget.windowMs);
    }
    this.logMax = positiveInt('logMax', opts.logMax ?? 10_000);
    this.paused = opts.paused ?? false;
  }

  decide(obs: ScalingObservation): ScalingDecision {
    const proposal = this.inner.decide(obs);
    const from = obs.replicas;
    let to = proposal.replicas;
    let heldBy: GuardName | undefined;
    const hold = (guard: GuardName, value: number) => {
      if (value === to) return;
      to = value;
      heldBy ??= guard;
      this.held[guard]++;
    };
    hold('bounds', Math.min(this.max, Math.max(this.min, to)));
    if (to !== from) hold('maxStep', from + Math.sign(to - from) * Math.min(Math.abs(to - from), this.maxStep));
    // The guards below only hold a change inside the bounds; bringing the count back into bounds always goes ahead.
    const inBounds = from >= this.min && from <= this.max;
    if (to !== from && inBounds) {
      const direction = Math.sign(to - from);
      const windowMs = this.opts.flapBudget?.windowMs ?? 0;
      this.reversals = this.reversals.filter((t) => t > obs.nowMs - windowMs);
      if (this.opts.killSwitch?.tripped !== undefined) hold('killSwitch', from);
      else if (this.paused) hold('paused', from);
      else if (obs.nowMs - this.lastChangeMs < this.cooldownMs) hold('cooldown', from);
      else if (this.opts.flapBudget !== undefined && this.lastDirection !== 0 && direction !== this.lastDirection && this.reversals.length >= this.opts.flapBudget.changes) hold('flapBudget', from);
    }
    if (to !== from) {
      const direction = Math.sign(to - from);
      if (this.lastDirection !== 0 && direction !== this.lastDirection) this.reversals.push(obs.nowMs);
      this.lastDirection = direction;
      this.lastChangeMs = obs.nowMs;
    }
    if (to !== from || proposal.replicas !== from) {
      this.log.push({ atMs: obs.nowMs, from, proposed: proposal.replicas, to, reason: proposal.reason, ...(heldBy ? { heldBy } : {}) });
      if (this.log.length > this.logMax) this.log.splice(0, this.log.length - this.logMax);
    }
    return { replicas: to, reason: heldBy === undefined ? proposal.reason : `${proposal.reason}; held by ${heldBy}` };
  }
}
