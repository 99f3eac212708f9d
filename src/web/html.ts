/** Escaping and number formats for the HTML report: every string from a run goes through here. */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for an element's content or a quoted attribute. */
export function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/**
 * JSON to embed in a <script type="application/json">: `<` is written as \u003c so that no string
 * from a run (a check's detail, a message type) can close the element or open a comment.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The report's tables use the terminal's number format (src/runtime/number-format.ts). */
export { formatNumber } from '../runtime/number-format.js';

/** Virtual milliseconds, to a tenth above a second and to a thousandth below. */
export function formatMs(ms: number): string {
  const a = Math.abs(ms);
  const digits = a >= 1000 ? 1 : a >= 1 ? 2 : 3;
  return `${ms.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: digits })} ms`;
}

/** An id for an element from a free name. */
export function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'x';
}
