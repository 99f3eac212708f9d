/** The HTML report: a self-contained page of a scenario's variants side by side (src/web/html-report.ts). */
export { renderHtmlReport, buildHtmlReport, defaultPanels, type HtmlReportInput, type ReportPanel, type ReportMetric, type ReportSeries, type Pillar, type FaultEvent, type MessageSequence, type SequenceMessage, type UplotAssets } from './html-report.js';
export { reportInputFromRuns, type CapturedRunResult } from './from-runs.js';
export { writeHtmlReport } from './write-report.js';
export { uplotAssets } from './uplot-assets.js';
export { plotSvg, linearTicks, type Plot, type PlotSeries, type PlotBand } from './plot-svg.js';
