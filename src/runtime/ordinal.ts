/**
 * String orders that are the same on every machine. `localeCompare` follows the machine's locale
 * (ICU data, LANG), so a sort that decides which node is a shard or which key a checker reports first
 * could differ between two machines running the same seed. These compare UTF-16 code units only.
 */

/** Code-unit order, as `Array.prototype.sort()` with no comparator: "B" < "a", "n10" < "n2". */
export function compareOrdinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const digitRuns = /(\d+)/;

/**
 * Code-unit order, except that runs of digits compare by their value: "n2" < "n10", so node ids
 * numbered without padding sort as they were numbered. Equal values with different zero padding
 * ("n01", "n1") fall back to code-unit order, so the order stays total.
 */
export function compareNumbered(a: string, b: string): number {
  const as = a.split(digitRuns);
  const bs = b.split(digitRuns);
  // split with a capturing group alternates text (even indexes) and digit runs (odd indexes).
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    if (as[i] === bs[i]) continue;
    if (i % 2 === 1) {
      const byValue = compareDigitRuns(as[i], bs[i]);
      if (byValue !== 0) return byValue;
    }
    return compareOrdinal(as[i], bs[i]);
  }
  return as.length - bs.length || compareOrdinal(a, b);
}

/** Two runs of digits by value, without Number's loss of precision past 2^53. */
function compareDigitRuns(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  return x.length - y.length || compareOrdinal(x, y);
}
