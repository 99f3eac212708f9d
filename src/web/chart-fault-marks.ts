/** The faults and scheduled events a chart shades, from a run's fault timeline: the report's and the lab's. */
import type { FaultEvent } from '../scenario/fault-tap.js';
import { kindColor, kindFamily } from './palette.js';
import type { ChartFaultMark } from './uplot-chart.js';

/** Fault instants drawn on every chart, at most (a long random nemesis must not bury the lines). */
export const CHART_FAULT_MARKS_MAX = 200;

/** Fault and event instants and spans for the charts (seconds), once each however many variants share them. */
export function chartFaultMarks(faults: readonly FaultEvent[]): ChartFaultMark[] {
  const seen = new Set<string>();
  const out: ChartFaultMark[] = [];
  for (const f of faults) {
    const key = `${f.kind}/${f.atMs}/${f.untilMs ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ startS: f.atMs / 1000, endS: f.untilMs === undefined ? null : f.untilMs / 1000, kind: f.kind, family: kindFamily(f.kind), color: kindColor(f.kind), label: `${f.kind}: ${f.detail}` });
    if (out.length >= CHART_FAULT_MARKS_MAX) break;
  }
  return out;
}

