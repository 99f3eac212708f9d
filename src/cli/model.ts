/**
 * `pillars model amdahl|usl|coordination|erlang-c`: the laws of the work pillar as tables, and a USL fit of
 * measured points. Numbers a capacity plan can start from, printed next to what they mean.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { isConfigError } from '../runtime/config-error.js';
import { ScenarioError } from '../scenario/error.js';

const defaultNs = '1,2,4,8,16,32,64,128';

/** The work pillar's laws, loaded when a subcommand runs: its help needs none of them. */
const laws = () => import('../work/index.js');

/** The seeds' coordination law: "10 workers = 45 paths = 55% overhead; 100 = 98%; 1,000 = 99.8%". */
const seedOverheadClaims = new Map([
  [10, 0.55],
  [100, 0.98],
  [1000, 0.998],
]);

/** A number option, or bad input naming the option. */
function num(option: string, raw: string | undefined, check: (x: number) => boolean, expected: string): number {
  const x = Number(raw);
  // An option left out is missing, not "null": say which, and what to give.
  if (raw === undefined) throw new ScenarioError('(command line)', `--${option}`, `${expected} (missing: add --${option} <value>)`);
  if (raw.trim() === '' || !Number.isFinite(x) || !check(x)) throw new ScenarioError('(command line)', `--${option}`, `${expected} (got ${JSON.stringify(raw)})`);
  return x;
}

/** A list like 1,2,4,8 or a range like 1..64. */
function counts(option: string, raw: string): number[] {
  const range = /^(\d+)\.\.(\d+)$/.exec(raw.trim());
  const list = range ? Array.from({ length: Math.max(0, Number(range[2]) - Number(range[1]) + 1) }, (_, i) => Number(range[1]) + i) : raw.split(',').map((s) => Number(s.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1) || list.length > 10_000) {
    throw new ScenarioError('(command line)', `--${option}`, `positive whole numbers as a list (1,2,4) or a range (1..64) (got "${raw}")`);
  }
  return list;
}

/** Library validation errors become command-line errors naming the option. */
function cli<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (isConfigError(e)) throw new ScenarioError('(command line)', `--${e.option}`, `${e.expected} (got ${JSON.stringify(e.got)})`);
    throw e;
  }
}

const fmt = (x: number, digits = 4) => (Number.isFinite(x) ? x.toFixed(digits) : '∞');

function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const w = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r) => r.map((c, i) => c.padStart(w[i])).join('  ')).join('\n') + '\n';
}

export function modelCommand(): Command {
  const model = new Command('model').description('The scaling laws as numbers: Amdahl, the Universal Scalability Law (and fitting it), Erlang C.');

  model
    .command('amdahl')
    .description('Speedup on N workers when a fraction p of the work runs in parallel: 1 / ((1 - p) + p / N).')
    .requiredOption('--p <fraction>', 'the parallel fraction, in [0, 1]')
    .option('--n <list>', 'worker counts, a list or a range', defaultNs)
    .action(async (o: { p: string; n: string }) => {
      const { amdahlSpeedup } = await laws();
      const p = num('p', o.p, (x) => x >= 0 && x <= 1, 'a fraction in [0, 1]');
      const ns = counts('n', o.n);
      const rows = ns.map((n) => [n, fmt(cli(() => amdahlSpeedup(p, n)), 3), fmt(amdahlSpeedup(p, n) / n, 3)]);
      process.stdout.write(table(['N', 'speedup', 'efficiency'], rows));
      process.stdout.write(`ceiling: ${fmt(p === 1 ? Infinity : 1 / (1 - p), 2)}x, however many workers\n`);
    });

  model
    .command('usl')
    .description('Relative capacity C(N) = N / (1 + alpha (N - 1) + beta N (N - 1)) and its peak N*; or --fit measured points.')
    .option('--alpha <a>', 'contention, in [0, 1]')
    .option('--beta <b>', 'coherency, in [0, 1)')
    .option('--n <list>', 'worker counts, a list or a range', defaultNs)
    .option('--fit <file>', 'fit alpha and beta to "N,throughput" lines (a header line is skipped)')
    .action(async (o: { alpha?: string; beta?: string; n: string; fit?: string }) => {
      if (o.fit !== undefined) return fitFile(o.fit);
      const { uslCapacity, uslPeak } = await laws();
      const alpha = num('alpha', o.alpha, (x) => x >= 0 && x <= 1, 'a number in [0, 1]');
      const beta = num('beta', o.beta, (x) => x >= 0 && x < 1, 'a number in [0, 1)');
      const ns = counts('n', o.n);
      const peak = uslPeak(alpha, beta);
      const rows = ns.map((n) => [n, fmt(uslCapacity(alpha, beta, n)), fmt(uslCapacity(alpha, beta, n) / n, 3)]);
      process.stdout.write(table(['N', 'C(N)', 'per worker'], rows));
      const best = Number.isFinite(peak) ? Math.max(1, Math.round(peak)) : undefined;
      process.stdout.write(
        Number.isFinite(peak)
          ? `peak: N* = sqrt((1 - alpha) / beta) = ${fmt(peak, 2)}; C(${best}) = ${fmt(uslCapacity(alpha, beta, best!))}; beyond it, more workers do less work\n`
          : `no peak (beta = 0): capacity flattens towards 1 / alpha = ${fmt(alpha === 0 ? Infinity : 1 / alpha, 2)}\n`,
      );
    });

  model
    .command('coordination')
    .description('The coordination law: N(N-1)/2 paths among N workers, and the capacity they cost under the USL (overhead = 1 - C(N) / N), beside the seeds\' "10 workers = 45 paths = 55% overhead; 100 = 98%; 1,000 = 99.8%".')
    .option('--n <list>', 'worker counts, a list or a range', '10,100,1000')
    .option('--beta <b>', 'coherency, in [0, 1): the cost per pair', '0.001')
    .option('--alpha <a>', 'contention, in [0, 1]', '0')
    .action(async (o: { n: string; beta: string; alpha: string }) => {
      const { betaForOverhead, coordinationPaths, uslCapacity, uslOverhead } = await laws();
      const alpha = num('alpha', o.alpha, (x) => x >= 0 && x <= 1, 'a number in [0, 1]');
      const beta = num('beta', o.beta, (x) => x >= 0 && x < 1, 'a number in [0, 1)');
      const ns = counts('n', o.n);
      const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
      const rows = ns.map((n) => {
        const claim = seedOverheadClaims.get(n);
        const b = claim === undefined ? undefined : betaForOverhead(alpha, n, claim);
        return [n, coordinationPaths(n).toLocaleString('en-US'), fmt(uslCapacity(alpha, beta, n), 2), pct(uslOverhead(alpha, beta, n)), claim === undefined ? '-' : pct(claim), claim === undefined ? '-' : b === undefined ? 'none' : b.toPrecision(3)];
      });
      process.stdout.write(`alpha = ${alpha}, beta = ${beta}\n`);
      process.stdout.write(table(['N', 'paths', 'C(N)', 'overhead', 'seed says', 'beta for the seed'], rows));
      process.stdout.write(
        `The seed's three figures need three betas (alpha 0: ${[...seedOverheadClaims].map(([n, o]) => betaForOverhead(0, n, o)!.toPrecision(3)).join(', ')}): no one USL gives them, nor does any alpha and beta together.\n` +
          'Its 98% and 99.8% are 1 - 2/N (two workers\' worth of work left at any size), its 55% is 1 - 4.5/N; neither follows from the paths.\n',
      );
    });

  model
    .command('erlang-c')
    .description('M/M/c: the chance an arrival waits (Erlang C) and the mean wait, for c servers and offered load a (Erlangs).')
    .requiredOption('--servers <list>', 'server counts c, a list or a range')
    .requiredOption('--load <a>', 'offered load a = arrival rate x mean service time, in Erlangs')
    .option('--service-ms <ms>', 'mean service time, to print waits in ms', '1')
    .action(async (o: { servers: string; load: string; serviceMs: string }) => {
      const { erlangC, mmcMeanWait } = await laws();
      const a = num('load', o.load, (x) => x >= 0, 'a number >= 0');
      const s = num('service-ms', o.serviceMs, (x) => x > 0, 'a positive number');
      const cs = counts('servers', o.servers);
      const rows = cs.map((c) => (a >= c ? [c, fmt(a / c, 3), '1 (unstable)', '∞'] : [c, fmt(a / c, 3), fmt(erlangC(c, a), 6), fmt(mmcMeanWait(c, a, s), 3)]));
      process.stdout.write(table(['c', 'utilisation', 'P(wait)', `mean wait (${o.serviceMs === '1' ? 'x service' : 'ms'})`], rows));
    });

  return model;
}

async function fitFile(file: string): Promise<void> {
  const { fitUsl, uslCapacity } = await laws();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ScenarioError(file, '', `a readable file of "N,throughput" lines (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const points: { n: number; x: number }[] = [];
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const [a, b] = line.split(/[,;\t ]+/);
    const n = Number(a);
    const x = Number(b);
    if (!Number.isFinite(n) || !Number.isFinite(x)) {
      if (i === 0) continue; // a header
      throw new ScenarioError(file, `line ${i + 1}`, `"N,throughput" with two numbers (got "${line}")`);
    }
    if (!(n >= 1)) throw new ScenarioError(file, `line ${i + 1}`, `N at least 1 (got ${n})`);
    if (!(x > 0)) throw new ScenarioError(file, `line ${i + 1}`, `a positive throughput (got ${x})`);
    points.push({ n, x });
  }
  if (points.length < 3) throw new ScenarioError(file, '', `at least 3 "N,throughput" points (got ${points.length})`);
  const f = fitUsl(points);
  process.stdout.write(`fit of ${points.length} points: lambda = ${fmt(f.lambda, 2)} per worker, alpha = ${fmt(f.alpha, 5)}, beta = ${fmt(f.beta, 6)}, R² = ${fmt(f.r2, 4)}\n`);
  process.stdout.write(Number.isFinite(f.nStar) ? `peak at N* = ${fmt(f.nStar, 1)}, throughput ${fmt(f.lambda * uslCapacity(f.alpha, f.beta, Math.max(1, Math.round(f.nStar))), 1)}\n` : 'no peak: beta = 0\n');
  const rows = points.map((p) => [p.n, fmt(p.x, 1), fmt(f.lambda * uslCapacity(f.alpha, f.beta, p.n), 1)]);
  process.stdout.write(table(['N', 'measured', 'fitted'], rows));
}
