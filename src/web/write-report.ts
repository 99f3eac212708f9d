/** Writes the HTML report to a file: the one place src/web touches the disk besides reading uPlot. */
import { writeFileSync } from 'node:fs';
import { renderHtmlReport, type HtmlReportInput } from './html-report.js';

/** Render and write; returns the bytes written. Errors are the file system's (the caller names the path). */
export function writeHtmlReport(file: string, input: HtmlReportInput): number {
  const html = renderHtmlReport(input);
  writeFileSync(file, html);
  return Buffer.byteLength(html);
}
