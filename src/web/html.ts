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

/** A number as a person reads it: thousands separated, a few significant digits. */
export function formatNumber(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return '-';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  const a = Math.abs(x);
  return a >= 1000 ? Math.round(x).toLocaleString('en-US') : a >= 100 ? x.toFixed(1) : a >= 1 ? x.toFixed(3) : x.toPrecision(4);
}

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
