/**
 * The Maelstrom harness's verdicts on every test node in src/maelstrom/test-nodes, as a user runs
 * them (`pillars maelstrom test`, a process per run): every subtly wrong node must be invalid on
 * every seed, every correct one valid with the defaults (Maelstrom's: 60 s, 5 requests a second,
 * five nodes) and under `--nemesis partition` over 30 s, on every seed too.
 * Runs go one at a time (each is 20 to 80 s of real time, mostly waiting), so the whole table takes
 * hours; `--quick` (a node per workload and language), `--only wrong|correct`, `--seeds 1..3`,
 * `--correct-seeds 1..2` and `--match txn` make it shorter.
 *
 *   npm run build && node dist/bench/maelstrom.js [--seeds 1..10] [--correct-seeds 1..3] [--quick] [--only wrong|correct] [--match S] [--out FILE]
 *
 * Exit 0 when every verdict is the expected one, 1 otherwise, 2 on bad arguments.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../src/cli/bin.js', import.meta.url));
const nodes = fileURLToPath(new URL('../../src/maelstrom/test-nodes/', import.meta.url));
/** A run that has not ended by then is killed and counted as no verdict (a default run is 60 s, then 10 s of recovery). */
const runTimeoutMs = 180_000;

interface Case {
  node: string;
  args?: string[];
  workload: string;
  /** The options beyond -w, --bin and --seed: what a Maelstrom user would run this challenge with. */
  options: string[];
  expect: 'valid' | 'invalid';
  /** In the --quick subset: one node per workload and language, the ones whose verdict hangs on timing. */
  quick?: boolean;
}

const wrong = (node: string, workload: string, options: string[], args: string[] = [], quick = false): Case => ({ node, args, workload, options, expect: 'invalid', quick });
const correct = (node: string, workload: string, args: string[] = [], quick = false): Case[] => [
  { node, args, workload, options: [], expect: 'valid', quick },
  { node, args, workload, options: ['--nemesis', 'partition', '--time-limit', '30'], expect: 'valid', quick },
];

/**
 * The wrong nodes are held to short runs (they must be caught within 30 s): 3 nodes, 10 s, 10
 * requests a second, the settings their 10-of-10 was measured at.
 */
const shortRun = ['--node-count', '3', '--time-limit', '10', '--rate', '10'];
/**
 * The txn nodes are wrong only when transactions overlap: at a few requests a second they overlap
 * a few times a run, so the challenge's own load is used (as the Gossip Glomers' commands do, with
 * --rate 1000), and the correct node is held to the same load below.
 */
const txnLoad = ['--node-count', '3', '--time-limit', '10', '--rate', '100', '--concurrency', '2n'];

const cases: Case[] = [
  wrong('unique-ids-wrong.py', 'unique-ids', shortRun, [], true),
  // Reads the shared counter during init, then writes it: nodes starting together take the same number.
  wrong('unique-ids-kv.js', 'unique-ids', [...shortRun, '--latency', '100'], ['--read-then-write']),
  wrong('broadcast-no-retry.js', 'broadcast', ['--node-count', '5', '--nemesis', 'partition', '--time-limit', '20', '--rate', '10'], [], true),
  wrong('g-set-local.py', 'g-set', shortRun),
  wrong('g-counter-lossy.js', 'g-counter', ['--node-count', '3', '--nemesis', 'partition', '--time-limit', '20', '--rate', '10']),
  wrong('lin-kv-stale.py', 'lin-kv', shortRun),
  wrong('lin-kv-forward.py', 'lin-kv', shortRun, ['--stale-reads'], true),
  wrong('kafka-local.js', 'kafka', shortRun),
  wrong('txn-per-key.py', 'txn-list-append', txnLoad),
  wrong('txn-per-key.py', 'txn-rw-register', txnLoad),
  wrong('txn-list-append.js', 'txn-list-append', txnLoad, ['--stale-read-only'], true),
  wrong('txn-list-append.js', 'txn-rw-register', txnLoad, ['--stale-read-only']),
  ...correct('echo.js', 'echo'),
  ...correct('echo.py', 'echo'),
  ...correct('unique-ids.js', 'unique-ids'),
  ...correct('unique-ids-kv.js', 'unique-ids', [], true),
  ...correct('broadcast.py', 'broadcast', [], true),
  ...correct('g-set.js', 'g-set'),
  ...correct('g-set-gossip.py', 'g-set', [], true),
  ...correct('g-counter.js', 'g-counter', [], true),
  ...correct('pn-counter.py', 'pn-counter', [], true),
  ...correct('lin-kv-proxy.js', 'lin-kv'),
  ...correct('lin-kv-forward.py', 'lin-kv', [], true),
  ...correct('kafka.js', 'kafka', [], true),
  ...correct('txn-list-append.js', 'txn-list-append', [], true),
  ...correct('txn-list-append.js', 'txn-rw-register'),
  { node: 'txn-list-append.js', workload: 'txn-list-append', options: txnLoad, expect: 'valid', quick: true },
  { node: 'txn-list-append.js', workload: 'txn-rw-register', options: txnLoad, expect: 'valid' },
];

function usage(message: string): never {
  process.stderr.write(`bench/maelstrom: ${message}\nusage: node dist/bench/maelstrom.js [--seeds A..B] [--correct-seeds A..B] [--quick] [--only wrong|correct] [--match TEXT] [--out FILE]\n`);
  process.exit(2);
}

function seedRange(option: string, value: string | undefined): number[] {
  const m = /^(\d+)\.\.(\d+)$/.exec(value ?? '');
  if (m === null || Number(m[2]) < Number(m[1])) usage(`${option}: a range like 1..10 (got "${value}")`);
  return Array.from({ length: Number(m[2]) - Number(m[1]) + 1 }, (_, k) => Number(m[1]) + k);
}

function parseArgs(argv: string[]) {
  let seeds = seedRange('--seeds', '1..10');
  // A correct node's run is up to 80 s (Maelstrom's 60 s default): three seeds keep the table to a few hours.
  let correctSeeds = seedRange('--correct-seeds', '1..3');
  let quick = false;
  let only: 'wrong' | 'correct' | undefined;
  let match: string | undefined;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case '--help':
      case '-h':
        process.stdout.write(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0] + '*/\n');
        process.exit(0);
      case '--seeds':
        seeds = seedRange('--seeds', value);
        i++;
        break;
      case '--correct-seeds':
        correctSeeds = seedRange('--correct-seeds', value);
        i++;
        break;
      case '--quick':
        quick = true;
        break;
      case '--only':
        if (value !== 'wrong' && value !== 'correct') usage(`--only: wrong or correct (got "${value}")`);
        only = value;
        i++;
        break;
      case '--match':
        if (value === undefined) usage('--match: a piece of a node or workload name');
        match = value;
        i++;
        break;
      case '--out':
        if (value === undefined) usage('--out: a file for the results as JSON');
        out = value;
        i++;
        break;
      default:
        usage(`unknown argument "${argv[i]}"`);
    }
  }
  return { seeds, correctSeeds, quick, only, match, out };
}

interface Row {
  node: string;
  workload: string;
  options: string;
  expect: Case['expect'];
  seeds: number[];
  verdicts: (boolean | 'unknown' | 'none')[];
  wallS: number[];
}

function runOnce(c: Case, seed: number, dir: string): { valid: boolean | 'unknown' | 'none'; wallS: number } {
  const json = join(dir, 'result.json');
  rmSync(json, { force: true });
  const t0 = Date.now();
  const args = [bin, 'maelstrom', 'test', '-w', c.workload, '--bin', join(nodes, c.node), ...c.options, '--seed', String(seed), '--no-store', '--json', json, ...(c.args?.length ? ['--', ...c.args] : [])];
  spawnSync(process.execPath, args, { cwd: dir, timeout: runTimeoutMs, stdio: 'ignore' });
  const wallS = (Date.now() - t0) / 1000;
  try {
    return { valid: (JSON.parse(readFileSync(json, 'utf8')) as { valid: boolean | 'unknown' }).valid, wallS };
  } catch {
    return { valid: 'none', wallS };
  }
}

function main(): void {
  const { seeds, correctSeeds, quick, only, match, out } = parseArgs(process.argv.slice(2));
  const chosen = cases.filter((c) => (!quick || c.quick === true) && (only === undefined || (only === 'wrong') === (c.expect === 'invalid')) && (match === undefined || `${c.node} ${c.workload}`.includes(match)));
  if (chosen.length === 0) usage('no test node matches');
  const dir = mkdtempSync(join(tmpdir(), 'bench-maelstrom-'));
  const rows: Row[] = [];
  for (const c of chosen) {
    const row: Row = { node: [c.node, ...(c.args ?? [])].join(' '), workload: c.workload, options: c.options.join(' ') || '(defaults)', expect: c.expect, seeds: c.expect === 'invalid' ? seeds : correctSeeds, verdicts: [], wallS: [] };
    for (const seed of row.seeds) {
      const r = runOnce(c, seed, dir);
      row.verdicts.push(r.valid);
      row.wallS.push(r.wallS);
      process.stderr.write(`${row.node} -w ${row.workload} ${row.options} --seed ${seed}: ${r.valid === true ? 'valid' : r.valid === false ? 'invalid' : r.valid} (${r.wallS.toFixed(0)} s)\n`);
    }
    rows.push(row);
  }
  rmSync(dir, { recursive: true, force: true });
  const asExpected = (r: Row) => r.verdicts.filter((v) => v === (r.expect === 'valid')).length;
  process.stdout.write(`| node | workload | options | expected | as expected | seeds | wall time per run |\n| --- | --- | --- | --- | --- | --- | --- |\n`);
  for (const r of rows) {
    const mean = r.wallS.reduce((a, b) => a + b, 0) / r.wallS.length;
    process.stdout.write(`| ${r.node} | ${r.workload} | ${r.options} | ${r.expect} | ${asExpected(r)}/${r.verdicts.length} | ${r.seeds[0]}..${r.seeds[r.seeds.length - 1]} | ${mean.toFixed(0)} s |\n`);
  }
  if (out !== undefined) writeFileSync(out, JSON.stringify(rows, null, 2) + '\n');
  process.exit(rows.every((r) => asExpected(r) === r.verdicts.length) ? 0 : 1);
}

main();
