/**
 * What every autoscaler here sees and says. A host (a story system in the simulator, or a real
 * controller) observes its replicas every sync period, asks `decide`, and applies the answer.
 *
 * The shape follows the Kubernetes HPA's view of a workload: a replica count (`spec.replicas`) and
 * the pods behind it, each pending or running, ready or not, with a utilization sample or none.
 */

export interface PodSample {
  /** pending: scheduled but not started (booting); failed or deleting: ignored by the HPA. */
  phase: 'pending' | 'running' | 'failed' | 'deleting';
  /** The Ready condition, already including the host's initialisation rules (warm-up). */
  ready: boolean;
  /** Usage as a fraction of the pod's request (CPU 0.5 of a core requested = 0.5); absent = no sample. */
  utilization?: number;
}

export interface ScalingObservation {
  nowMs: number;
  /** The replica count last set (spec.replicas); pods may lag behind it while booting. */
  replicas: number;
  pods: readonly PodSample[];
  /** Demand observed since the last decision, in requests per second (for load-based scalers). */
  demandPerSec?: number;
}

export interface ScalingDecision {
  replicas: number;
  /** Why, in words, for the action log. */
  reason: string;
}

export interface Autoscaler {
  readonly name: string;
  decide(obs: ScalingObservation): ScalingDecision;
}

/** Mean utilization of the running, ready pods that have a sample (undefined when none has). */
export function readyUtilization(pods: readonly PodSample[]): number | undefined {
  let sum = 0;
  let n = 0;
  for (const p of pods) {
    if (p.phase !== 'running' || !p.ready || p.utilization === undefined) continue;
    sum += p.utilization;
    n++;
  }
  return n === 0 ? undefined : sum / n;
}
