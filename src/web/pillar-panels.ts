/** The demo report's panels, one per pillar: `pillars demo`'s HTML report and the lab's live day both tell the day so. */
import type { PillarVerdict } from '../platform/ecommerce/pillar-report.js';
import { formatNumber } from '../runtime/number-format.js';
import type { ReportPanel } from './html-report.js';

const fmt = formatNumber;

/** One panel per pillar: what happened, both choices, the numbers, the check and the charts. */
export function pillarPanels(verdicts: readonly PillarVerdict[]): ReportPanel[] {
  return verdicts.map(({ section: s, naive, fixed, prevented }) => ({
    id: s.pillar,
    pillar: s.pillar,
    title: s.title,
    text:
      `What happened: ${s.event}. Naive: ${s.naiveChoice}. Fixed: ${s.choice}. ` +
      (prevented ? `Prevented: ${s.prevented.what}, ${fmt(naive)} naive against ${fmt(fixed)} fixed.` : `NOT prevented: ${s.prevented.what}, naive ${fmt(naive)}, fixed ${fmt(fixed)} (bound ${s.prevented.max}).`),
    metrics: s.rows.map((r) => ({ name: r.metric, label: r.label, better: r.better })),
    checks: [`metric:${s.prevented.metric}`],
    series: s.series.map((x) => ({ name: x.name, title: x.title, unit: x.unit })),
  }));
}

