/**
 * What one scaling decision costs, per scaler, against the least any scaler must do: read every
 * pod's utilization once and average it (a bare loop over the same samples), measured in the same run.
 * A fleet of 200 pods decided every 15 s is nothing for any of them; the point is that the HPA's
 * bookkeeping (stabilization windows, rate policies) and the guards stay within a small multiple.
 */
import { HorizontalPodAutoscaler, ThresholdScaler, GuardedAutoscaler, PredictiveScaler, type Autoscaler, type PodSample } from '../src/intelligence/scaling/index.js';
import { HoltWinters } from '../src/intelligence/forecast/holt-winters.js';
import { median } from './anchors.js';

const PODS = 200;
const DECISIONS = 20_000;
const ROUNDS = 5;

export interface ScalingCostRow {
  name: string;
  nsPerDecision: number;
}

/** Pods whose utilization wanders around the target, so scalers keep changing their minds. */
function podsAt(i: number): PodSample[] {
  const u = 0.6 + 0.25 * Math.sin(i / 40);
  return Array.from({ length: PODS }, (_, k) => ({ phase: 'running', ready: k % 50 !== 0, utilization: u + ((k * 7919) % 13) / 100 }));
}

function timeDecisions(scaler: () => Autoscaler, samples: PodSample[][]): number {
  const s = scaler();
  let replicas = PODS;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < DECISIONS; i++) replicas = Math.min(PODS, s.decide({ nowMs: i * 15_000, replicas, pods: samples[i % samples.length], demandPerSec: 1000 + (i % 288) }).replicas);
  return Number(process.hrtime.bigint() - t0) / DECISIONS;
}

function timeBareMean(samples: PodSample[][]): number {
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < DECISIONS; i++) {
    const pods = samples[i % samples.length];
    let sum = 0;
    for (const p of pods) sum += p.utilization ?? 0;
    sink += sum / pods.length;
  }
  const ns = Number(process.hrtime.bigint() - t0) / DECISIONS;
  if (sink === -1) process.stdout.write('');
  return ns;
}

export function measureScalingCost(): { rows: ScalingCostRow[]; bareNs: number } {
  const samples = Array.from({ length: 400 }, (_, i) => podsAt(i));
  const hpa = () => new HorizontalPodAutoscaler({ maxReplicas: 1000, targetUtilization: 0.6 });
  const scalers: Record<string, () => Autoscaler> = {
    threshold: () => new ThresholdScaler({ lower: 0.3 }),
    hpa,
    'guarded hpa': () => new GuardedAutoscaler(hpa(), { minReplicas: 1, maxReplicas: 1000, maxStep: 10, cooldownMs: 60_000, flapBudget: { changes: 4, windowMs: 3_600_000 } }),
    predictive: () =>
      new PredictiveScaler({ forecaster: new HoltWinters({ alpha: 0.3, beta: 0.01, gamma: 0.5, seasonLength: 288 }), stepMs: 300_000, perReplicaPerSec: 10, leadMs: 600_000, reactive: hpa(), maxReplicas: 1000 }),
  };
  const bare: number[] = [];
  const per: Record<string, number[]> = {};
  for (let r = 0; r <= ROUNDS; r++) {
    const b = timeBareMean(samples);
    if (r > 0) bare.push(b);
    for (const [name, make] of Object.entries(scalers)) {
      const ns = timeDecisions(make, samples);
      if (r > 0) (per[name] ??= []).push(ns);
    }
  }
  return { rows: Object.entries(per).map(([name, xs]) => ({ name, nsPerDecision: median(xs) })), bareNs: median(bare) };
}
