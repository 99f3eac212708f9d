/**
 * Agreement of a measured M/M/c queue with theory: mean wait against the Erlang C mean wait, and the
 * fraction of customers that waited against C(c, a). Either each within a relative tolerance, or,
 * given batches of the run, each inside a confidence interval of batch means: the run is cut into
 * batches of equal length in time, each batch's waits summed, and the spread of the batches (a
 * ratio estimator: waits per customer) says how far the whole run's mean may honestly be from the
 * truth. A fixed tolerance is too tight for a heavily loaded queue (its waits are strongly
 * correlated, so 900,000 customers measure the mean wait to only a few percent) and too loose for
 * a light one.
 */
import { erlangC, mmcMeanWait } from '../work/index.js';
import type { CheckOutcome } from './broadcast.js';

/** One batch of a run: customers that began service in it, how many of them had waited, their waits summed (ms). */
export interface WaitBatch {
  started: number;
  waited: number;
  waitMsSum: number;
}

export interface ErlangCInput {
  servers: number;
  offeredLoad: number;
  serviceMeanMs: number;
  measuredMeanWaitMs: number;
  measuredWaitProbability: number;
  tolerance: number;
  /** With batches and a confidence (e.g. 0.999): judge by the batch-means interval instead of the tolerance. */
  batches?: readonly WaitBatch[];
  confidence?: number;
}

export function checkErlangC(i: ErlangCInput): CheckOutcome {
  const pWait = erlangC(i.servers, i.offeredLoad);
  const wq = mmcMeanWait(i.servers, i.offeredLoad, i.serviceMeanMs);
  const errWait = Math.abs(i.measuredMeanWaitMs - wq) / wq;
  const errP = Math.abs(i.measuredWaitProbability - pWait) / pWait;
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  const metrics: Record<string, number> = {
    erlang_c_p_wait: round6(pWait),
    erlang_c_mean_wait_ms: round6(wq),
    measured_p_wait: round6(i.measuredWaitProbability),
    measured_mean_wait_ms: round6(i.measuredMeanWaitMs),
    mean_wait_error: round6(errWait),
    p_wait_error: round6(errP),
  };
  if (i.batches !== undefined && i.confidence !== undefined) {
    const k = i.batches.length;
    if (k < 10) return { ok: false, detail: `${k} batches: too few for a confidence interval (10 at least)`, metrics };
    const wait = ratioInterval(i.batches.map((b) => [b.waitMsSum, b.started]), i.confidence);
    const p = ratioInterval(i.batches.map((b) => [b.waited, b.started]), i.confidence);
    const inside = (x: number, ci: Interval) => Math.abs(ci.estimate - x) <= ci.halfWidth;
    const ok = inside(wq, wait) && inside(pWait, p);
    metrics.mean_wait_ci_half_width = round6(wait.halfWidth / wq);
    metrics.p_wait_ci_half_width = round6(p.halfWidth / pWait);
    // How far from theory, in units of the interval's half-width: above 1 is outside.
    metrics.mean_wait_off_ci = round6(Math.abs(wait.estimate - wq) / wait.halfWidth);
    metrics.p_wait_off_ci = round6(Math.abs(p.estimate - pWait) / p.halfWidth);
    const conf = `${Number((i.confidence * 100).toPrecision(4))}%`;
    return {
      ok,
      detail:
        `c=${i.servers} a=${i.offeredLoad}, ${conf} intervals of ${k} batch means: mean wait ${wait.estimate.toFixed(4)} ± ${wait.halfWidth.toFixed(4)} ms, Erlang C ${wq.toFixed(4)} ms (${pct(errWait)} off)${inside(wq, wait) ? '' : ' OUTSIDE'}; ` +
        `P(wait) ${p.estimate.toFixed(6)} ± ${p.halfWidth.toFixed(6)}, Erlang C ${pWait.toFixed(6)} (${pct(errP)} off)${inside(pWait, p) ? '' : ' OUTSIDE'}`,
      metrics,
    };
  }
  const ok = errWait <= i.tolerance && errP <= i.tolerance;
  return {
    ok,
    detail:
      `c=${i.servers} a=${i.offeredLoad}: mean wait ${i.measuredMeanWaitMs.toFixed(4)} ms vs Erlang C ${wq.toFixed(4)} ms (${pct(errWait)} off); ` +
      `P(wait) ${i.measuredWaitProbability.toFixed(6)} vs ${pWait.toFixed(6)} (${pct(errP)} off); tolerance ${pct(i.tolerance)}`,
    metrics,
  };
}

interface Interval {
  estimate: number;
  halfWidth: number;
}

/**
 * A confidence interval for sum(y) / sum(x) from k batches (y_i, x_i): the ratio estimator's
 * standard error from the residuals y_i - R x_i, and Student's t with k - 1 degrees of freedom.
 */
export function ratioInterval(batches: readonly (readonly [number, number])[], confidence: number): Interval {
  const k = batches.length;
  const sy = batches.reduce((s, [y]) => s + y, 0);
  const sx = batches.reduce((s, [, x]) => s + x, 0);
  const r = sy / sx;
  const meanX = sx / k;
  const s2 = batches.reduce((s, [y, x]) => s + (y - r * x) ** 2, 0) / (k - 1);
  const se = Math.sqrt(s2 / k) / meanX;
  return { estimate: r, halfWidth: studentT(1 - (1 - confidence) / 2, k - 1) * se };
}

/** The p-quantile of Student's t with nu degrees of freedom (Cornish-Fisher expansion around the normal; ample for nu >= 10). */
export function studentT(p: number, nu: number): number {
  const z = normalQuantile(p);
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  const z9 = z ** 9;
  return (
    z +
    (z3 + z) / (4 * nu) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * nu ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * nu ** 3) +
    (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * nu ** 4)
  );
}

/** The p-quantile of the standard normal (Acklam's rational approximation, relative error below 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

function round6(x: number): number {
  return Number(x.toPrecision(6));
}
