/**
 * One number format for everything a person reads in a terminal table: thousands separated, a fixed
 * number of decimals chosen by magnitude (so a column does not mix 4837.4 with 1,007, and never shows
 * a raw float like 2.6291228235108624).
 */

/** Decimals kept at or above 100 (1,155.1), at or above 1 (2.63); below 1, significant digits (0.00123). */
const DECIMALS_FROM_100 = 1;
const DECIMALS_FROM_1 = 2;
const SIGNIFICANT_BELOW_1 = 3;

export function formatNumber(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return '-';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  const a = Math.abs(x);
  if (a >= 1) {
    const digits = a >= 100 ? DECIMALS_FROM_100 : DECIMALS_FROM_1;
    return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  return x.toLocaleString('en-US', { minimumSignificantDigits: SIGNIFICANT_BELOW_1, maximumSignificantDigits: SIGNIFICANT_BELOW_1 });
}
