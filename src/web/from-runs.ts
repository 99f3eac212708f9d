/**
 * The HTML report's input from runs made with a capture (runVariant(v, { capture: true })): each
 * variant's report with its dense series, and every fault and message sequence labelled with the
 * variant that saw it.
 */
import type { RunCapture } from '../scenario/capture.js';
import type { VariantReport } from '../scenario/report.js';
import type { HtmlReportInput } from './html-report.js';

export interface CapturedRunResult {
  report: VariantReport;
  capture?: RunCapture;
}

export function reportInputFromRuns(runs: readonly CapturedRunResult[], info: Omit<HtmlReportInput, 'variants' | 'faults' | 'sequences' | 'counters' | 'faultsDropped' | 'events' | 'distributions'>): HtmlReportInput {
  const captured = runs.filter((r) => r.capture !== undefined);
  const some = captured.length > 0;
  return {
    ...info,
    variants: runs.map((r) => (r.capture === undefined ? r.report : { ...r.report, series: r.capture.series })),
    faults: some ? runs.flatMap((r) => (r.capture?.faults ?? []).map((f) => ({ ...f, variant: r.report.variant }))) : undefined,
    faultsDropped: runs.reduce((n, r) => n + (r.capture?.faultsDropped ?? 0), 0),
    sequences: some ? runs.flatMap((r) => (r.capture?.sequences ?? []).map((s) => ({ ...s, variant: r.report.variant }))) : undefined,
    events: some ? runs.flatMap((r) => (r.capture?.events ?? []).map((e) => ({ ...e, variant: r.report.variant }))) : undefined,
    distributions: some ? runs.map((r) => r.capture?.distributions ?? {}) : undefined,
    counters: some ? [...new Set(captured.flatMap((r) => r.capture!.counters))].sort() : undefined,
  };
}
