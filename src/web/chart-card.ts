/**
 * A chart's card: its title, and its axis titles as text a reader can select and a screen reader can
 * read, around the chart's element (a uPlot target, or a drawing of its own).
 */
import { esc } from './html.js';

export interface ChartCardParts {
  id: string;
  /** The metric or series charted (data-series, for tests and readers of the page). */
  name: string;
  mode: string;
  title: string;
  yLabel: string;
  xLabel: string;
  /** The chart's drawing, when the page does not draw it with uPlot. */
  inner?: string;
}

export function chartCard(c: ChartCardParts): string {
  return (
    `<div class="chart-card"><h3>${esc(c.title)}</h3><div class="chart-frame">` +
    `<div class="axis-title axis-y">${esc(c.yLabel)}</div>` +
    `<div class="chart" id="chart-${c.id}" data-series="${esc(c.name)}" data-mode="${c.mode}">${c.inner ?? ''}</div>` +
    `<div class="axis-title axis-x">${esc(c.xLabel)}</div></div></div>`
  );
}
