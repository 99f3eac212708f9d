/**
 * Agreement of a measured M/M/c queue with theory: mean wait against the Erlang C mean wait, and the
 * fraction of customers that waited against C(c, a), each within a relative tolerance.
 */
import { erlangC, mmcMeanWait } from '../work/index.js';
import type { CheckOutcome } from './broadcast.js';

export interface ErlangCInput {
  servers: number;
  offeredLoad: number;
  serviceMeanMs: number;
  measuredMeanWaitMs: number;
  measuredWaitProbability: number;
  tolerance: number;
}

export function checkErlangC(i: ErlangCInput): CheckOutcome {
  const pWait = erlangC(i.servers, i.offeredLoad);
  const wq = mmcMeanWait(i.servers, i.offeredLoad, i.serviceMeanMs);
  const errWait = Math.abs(i.measuredMeanWaitMs - wq) / wq;
  const errP = Math.abs(i.measuredWaitProbability - pWait) / pWait;
  const ok = errWait <= i.tolerance && errP <= i.tolerance;
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  return {
    ok,
    detail:
      `c=${i.servers} a=${i.offeredLoad}: mean wait ${i.measuredMeanWaitMs.toFixed(4)} ms vs Erlang C ${wq.toFixed(4)} ms (${pct(errWait)} off); ` +
      `P(wait) ${i.measuredWaitProbability.toFixed(6)} vs ${pWait.toFixed(6)} (${pct(errP)} off); tolerance ${pct(i.tolerance)}`,
    metrics: {
      erlang_c_p_wait: round6(pWait),
      erlang_c_mean_wait_ms: round6(wq),
      measured_p_wait: round6(i.measuredWaitProbability),
      measured_mean_wait_ms: round6(i.measuredMeanWaitMs),
      mean_wait_error: round6(errWait),
      p_wait_error: round6(errP),
    },
  };
}

function round6(x: number): number {
  return Number(x.toPrecision(6));
}
