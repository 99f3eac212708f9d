/**
 * Numbers the README quotes, held to what the commands and stories measure. A quote names the README
 * line it lives on, a pattern whose first group is the number as written, what is measured (in the
 * unit the README writes), and how far the two may differ. Comparing is a pure function of the README
 * text, so a test can hand it a copy with one number changed and see that quote fail.
 */
import assert from 'node:assert/strict';

/** How far a quoted number may be from the measured one; `why` is printed with a mismatch. */
export interface Tolerance {
  /** The largest difference allowed, in the quote's unit, given the quoted text. */
  allowed: (quoted: string, measured: number) => number;
  why: string;
}

/** Half a unit of the last digit written: "28" holds 27.5..28.5, "1.9" holds 1.85..1.95. */
export const asRounded: Tolerance = {
  allowed: (quoted) => 0.5 * 10 ** -((quoted.split('.')[1] ?? '').length),
  why: 'rounded as written',
};
/** Within a fraction of the measured value (a quote marked ≈ or ~, or rounded to a round figure). */
export const withinRatio = (fraction: number): Tolerance => ({
  allowed: (_quoted, measured) => Math.abs(measured) * fraction,
  why: `within ${fraction * 100}%`,
});
/** Within a fixed distance, in the quote's unit. */
export const withinAbs = (distance: number): Tolerance => ({ allowed: () => distance, why: `within ${distance}` });

export interface Quote {
  /**
   * Where the number is: the first README line that starts with this, and, unless it is a table row,
   * the lines that continue its paragraph or list item.
   */
  line: string;
  /** Finds the number on that line; group 1 is the number as written ("1,020", "−9.2", "$2,953"). */
  at: RegExp;
  /** What the command or run measures, in the unit the README writes. */
  measured: () => number;
  within: Tolerance;
  /**
   * The scenario file whose runs on its own seed the number comes from (cachedRunner's), if that is
   * all it needs: the test that sweeps that story checks it, on runs it has made anyway.
   */
  story?: string;
}

/** "1,020" -> 1020, "−9.2" -> -9.2, "$2,953" -> 2953, "+47" -> 47. */
export function quotedNumber(text: string): number {
  const n = Number(text.replace(/[,$+\s]/g, '').replace(/^[−–]/, '-'));
  if (!Number.isFinite(n)) throw new Error(`not a number as the README writes one: ${JSON.stringify(text)}`);
  return n;
}

export interface QuoteMismatch {
  quote: Quote;
  message: string;
}

/**
 * The text a quote's number is in, from the start of its line to the end of its table row, paragraph
 * or list item, with line breaks as spaces (so offsets into it are offsets into the README too).
 */
function quotedText(readme: string, line: string): { start: number; text: string } | undefined {
  const after = readme.indexOf('\n' + line);
  const start = readme.startsWith(line) ? 0 : after < 0 ? -1 : after + 1;
  if (start < 0) return undefined;
  let end = readme.indexOf('\n', start);
  if (!line.startsWith('|')) {
    // A paragraph or list item goes on until a blank line, a table, a fence or the next item.
    while (end >= 0) {
      const nextEnd = readme.indexOf('\n', end + 1);
      const next = readme.slice(end + 1, nextEnd < 0 ? undefined : nextEnd);
      if (next.trim() === '' || /^\s*(\||- |```)/.test(next)) break;
      end = nextEnd;
    }
  }
  return { start, text: readme.slice(start, end < 0 ? undefined : end).replace(/\n/g, ' ') };
}

/** The one place `quote.at` matches in its text, or why there is not exactly one. */
function locate(readme: string, quote: Quote): { written: string; context: string; from: number; to: number } | string {
  const where = quotedText(readme, quote.line);
  if (where === undefined) return `no README line starts with ${JSON.stringify(quote.line)}`;
  const flags = quote.at.flags.replace(/[gd]/g, '');
  const found = [...where.text.matchAll(new RegExp(quote.at.source, flags + 'gd'))];
  if (found.length !== 1) return `${quote.at} matches ${found.length} times after ${JSON.stringify(quote.line)}, not once`;
  const [from, to] = found[0].indices![1];
  return { written: found[0][1], context: found[0][0], from: where.start + from, to: where.start + to };
}

/** Every quote of `quotes` whose number in `readme` is missing, ambiguous, or not what is measured. */
export function quoteMismatches(readme: string, quotes: readonly Quote[]): QuoteMismatch[] {
  const out: QuoteMismatch[] = [];
  for (const quote of quotes) {
    const at = locate(readme, quote);
    if (typeof at === 'string') {
      out.push({ quote, message: at });
      continue;
    }
    const measured = quote.measured();
    const allowed = quote.within.allowed(at.written, measured);
    if (!(Math.abs(quotedNumber(at.written) - measured) <= allowed + 1e-9)) {
      out.push({ quote, message: `${quote.line.trim()} ... "${at.context}": the README says ${at.written}, measured ${measured} (allowed ±${allowed}, ${quote.within.why})` });
    }
  }
  return out;
}

/**
 * The README with the number of `quote` changed to one far outside its tolerance, as a number that
 * drifted would be: a check that cannot see the change would pass it.
 */
export function withDrifted(readme: string, quote: Quote): string {
  const at = locate(readme, quote);
  if (typeof at === 'string') throw new Error(at);
  const value = quotedNumber(at.written);
  const allowed = quote.within.allowed(at.written, quote.measured());
  // Written with as many decimals as the original, so a pattern that reads digits reads all of it.
  const decimals = (at.written.split('.')[1] ?? '').length;
  const drifted = (Math.abs(value) + 3 * allowed + 7).toFixed(decimals);
  return readme.slice(0, at.from) + drifted + readme.slice(at.to);
}

/**
 * Asserts that every quote holds in `readme`, and that each one, changed in a copy to a number far
 * outside its tolerance, is caught (so no check here is one that cannot fail).
 */
export function assertQuotesHold(readme: string, quotes: readonly Quote[]): void {
  assert.deepEqual(quoteMismatches(readme, quotes).map((w) => w.message), [], 'README numbers that drifted from what is measured');
  for (const quote of quotes) {
    const caught = quoteMismatches(withDrifted(readme, quote), [quote]);
    assert.equal(caught.length, 1, `${quote.line} ${quote.at}: a changed number passes`);
  }
}
