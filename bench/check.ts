/**
 * The linearizability checker on Porcupine-shaped histories: one key, 8, 16 and 32 processes, 10,000
 * and 100,000 operations (and 16 processes over 100 keys), each linearizable by construction and again
 * with one stale read that must be found. Every case runs in its own process so that its peak memory (max RSS) is its own.
 *
 * Each history is checked twice: by the checker as it runs by default (these histories write distinct
 * values, so it orders their blocks, register-order.ts) and by the search alone (Porcupine's
 * algorithm with this checker's pruning), with a budget of SEARCH_STEPS steps; the search is not run
 * at 32 processes, where nearly every operation overlaps 31 others and the number of linearized sets
 * grows as 2^32 (it gives up; so does any search of this kind).
 *
 * Porcupine cannot run here (no Go toolchain); its figures are the ones measured side by side on
 * this machine for issue 26: one key, 8 processes, 10,000 operations in 0.29 s and 77 MB; 100,000
 * operations in 23 s. They are printed as `ratio` lines against those recorded numbers. The last line
 * compares with an anchor measured in the same run: parsing the same history from JSON lines.
 *
 *   npm run bench:check                      every case
 *   node dist/bench/check.js --case 8:10000[:stale][:search]  one case (prints one JSON line)
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { checkLinearizable, kvModel } from '../src/check/linearizability.js';
import { parseHistory } from '../src/check/history-file.js';
import { toJsonLine } from '../src/check/history.js';
import { linearizableRegisterHistory, withStaleRead } from '../src/check/register-histories.js';

interface CaseResult {
  processes: number;
  operations: number;
  keys: number;
  stale: boolean;
  search: boolean;
  seconds: number;
  verdict: 'linearizable' | 'not linearizable' | 'unknown';
  steps: number;
  peakMb: number;
  historyMb: number;
  parseSeconds: number;
}

const PORCUPINE = { tenK: { seconds: 0.29, mb: 77 }, hundredK: { seconds: 23 } };
const SEED = 7;
const SEARCH_STEPS = Number(process.env.BENCH_SEARCH_STEPS ?? 50_000_000);

function runCase(processes: number, operations: number, keys: number, stale: boolean, search: boolean): CaseResult {
  const linearizable = linearizableRegisterHistory({ operations, processes, keys, seed: SEED });
  const events = stale ? withStaleRead(linearizable) : linearizable;
  let text: string | undefined = events.map(toJsonLine).join('\n');
  let t0 = process.hrtime.bigint();
  parseHistory(text);
  const parseSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  text = undefined;
  globalThis.gc?.();
  const historyMb = process.memoryUsage().rss / 2 ** 20;
  t0 = process.hrtime.bigint();
  const r = checkLinearizable(events, kvModel, search ? SEARCH_STEPS : Number.MAX_SAFE_INTEGER, { distinctValueOrder: !search });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const verdict = r.unknown ? 'unknown' : r.ok ? 'linearizable' : 'not linearizable';
  return { processes, operations, keys, stale, search, seconds, verdict, steps: r.steps, peakMb: process.resourceUsage().maxRSS / 1024, historyMb, parseSeconds };
}

const caseArg = process.argv.indexOf('--case');
if (caseArg >= 0) {
  const [p, n, ...flags] = process.argv[caseArg + 1].split(':');
  const keys = Number(flags.find((f) => f.startsWith('keys='))?.slice(5) ?? 1);
  process.stdout.write(JSON.stringify(runCase(Number(p), Number(n), keys, flags.includes('stale'), flags.includes('search'))) + '\n');
} else {
  const self = fileURLToPath(import.meta.url);
  const sizes = (process.env.BENCH_CHECK_SIZES ?? '10000,100000').split(',').map(Number);
  const results: CaseResult[] = [];
  const cases: { processes: number; operations: number; keys: number; search: boolean }[] = [];
  for (const search of [false, true]) {
    for (const operations of sizes) for (const processes of search ? [8, 16] : [8, 16, 32]) cases.push({ processes, operations, keys: 1, search });
    // The shape of the earlier figures: 16 processes over 100 keys.
    for (const operations of sizes) cases.push({ processes: 16, operations, keys: 100, search });
  }
  for (const { processes, operations, keys, search } of cases) {
    for (const stale of [false, true]) {
      const flags = `${stale ? ':stale' : ''}${search ? ':search' : ''}:keys=${keys}`;
      const out = execFileSync(process.execPath, ['--max-old-space-size=4096', '--expose-gc', self, '--case', `${processes}:${operations}${flags}`], { encoding: 'utf8', maxBuffer: 1 << 20 });
      const r = JSON.parse(out) as CaseResult;
      results.push(r);
      const expected = stale ? 'not linearizable' : 'linearizable';
      const wrong = r.verdict !== expected && !(search && r.verdict === 'unknown');
      process.stdout.write(
        `${search ? 'search alone' : 'checker     '}  ${keys === 1 ? 'one key' : `${keys} keys`}, ${String(processes).padStart(2)} processes, ${operations.toLocaleString('en-US').padStart(7)} operations${stale ? ', stale read' : '            '}: ` +
          `${r.verdict}${wrong ? ` (WRONG: expected ${expected})` : ''} in ${r.seconds.toFixed(3)} s, ${r.steps.toLocaleString('en-US')} steps, peak RSS ${Math.round(r.peakMb)} MB (${Math.round(r.historyMb)} MB before checking)\n`,
      );
      if (wrong) process.exitCode = 1;
    }
  }
  const find = (p: number, n: number, search: boolean) => results.find((r) => r.processes === p && r.operations === n && r.keys === 1 && !r.stale && r.search === search);
  for (const search of [false, true]) {
    const who = search ? 'search-alone' : 'checker';
    const tenK = find(8, 10_000, search);
    if (tenK !== undefined) {
      process.stdout.write(`ratio ${(tenK.seconds / PORCUPINE.tenK.seconds).toFixed(3)} ${who} seconds vs Porcupine's ${PORCUPINE.tenK.seconds} s (one key, 8 processes, 10,000 operations; Porcupine as recorded on this machine)\n`);
      process.stdout.write(`ratio ${(tenK.peakMb / PORCUPINE.tenK.mb).toFixed(3)} ${who} peak RSS vs Porcupine's ${PORCUPINE.tenK.mb} MB (same case)\n`);
    }
    const hundredK = find(8, 100_000, search);
    if (hundredK !== undefined) process.stdout.write(`ratio ${(hundredK.seconds / PORCUPINE.hundredK.seconds).toFixed(3)} ${who} seconds vs Porcupine's ${PORCUPINE.hundredK.seconds} s (one key, 8 processes, 100,000 operations; Porcupine as recorded on this machine)\n`);
  }
  const largest = results.filter((r) => !r.stale && !r.search && r.keys === 1).sort((a, b) => b.operations - a.operations || b.processes - a.processes)[0];
  process.stdout.write(`ratio ${(largest.seconds / largest.parseSeconds).toFixed(3)} checker seconds vs JSON-lines parsing seconds of the same history (one key, ${largest.processes} processes, ${largest.operations.toLocaleString('en-US')} operations)\n`);
}
