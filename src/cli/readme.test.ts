/**
 * The README as a tested document: every `pillars` command in its code blocks is either run, as
 * written or made short (fewer seeds, a shorter workload), and its exit code checked, or named here
 * with the reason it is not run (it needs a server, a binary of yours, fixed ports, or minutes, and
 * which test covers it instead). A command added to the README that this file does not know fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asRounded, assertQuotesHold, quotedNumber, quoteMismatches, withDrifted, type Quote } from '../testing/readme-quotes.js';
import { quotesOfNoStory, storyQuotes, proseQuotes } from '../testing/readme-story-quotes.js';
import { storiesByPillar } from '../testing/story-seeds.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const main = fileURLToPath(new URL('./main.js', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** Each `pillars` command of the README's fenced blocks: comments cut, continuation lines joined. */
function readmeCommands(text: string): string[] {
  const commands: string[] = [];
  let fenced = false;
  let pending = '';
  for (const raw of text.split('\n')) {
    if (raw.startsWith('```')) {
      fenced = !fenced;
      continue;
    }
    if (!fenced) continue;
    const line = pending + raw.replace(/\s+#\s.*$/, '').trim();
    pending = '';
    if (line.endsWith('\\')) {
      pending = line.slice(0, -1).trimEnd() + ' ';
      continue;
    }
    if (/^(\$ )?(npx )?pillars /.test(line)) commands.push(line);
  }
  return commands;
}

interface Rule {
  /** Matches the command as written in the README. */
  match: RegExp;
  /** Run it, as written or as `as` makes it, and expect this exit code. */
  exit?: number;
  as?: (command: string) => string;
  /** Run it only once the commands matching this have finished (it reads what they wrote). */
  after?: RegExp;
  /** Or: why it is not run here, and what covers it. */
  notRun?: string;
}

const rules: Rule[] = [
  // Cheap: run as written, in order (check reads the history the run before it wrote).
  { match: /^pillars run scenarios\/broadcast\.yaml --variant naive --seed 7 --json r\.json --history h\.jsonl --trace t\.jsonl$/, exit: 0 },
  { match: /^pillars check h\.jsonl --model kv$/, exit: 2, after: /--history h\.jsonl/ }, // a broadcast history: operations kv does not know
  { match: /^pillars completion bash$/, exit: 0 },
  { match: /^pillars list( scenarios\/usl\.yaml)?$/, exit: 0 },
  { match: /^pillars model (usl --alpha|usl --fit points\.csv|coordination)/, exit: 0 },
  // Long: fewer seeds or a shorter workload, the same command otherwise.
  { match: /^pillars sweep scenarios\/broadcast\.yaml --seeds 1\.\.200$/, exit: 0, as: (c) => `${c.replace('1..200', '1..1')} --workers 1` },
  { match: /^pillars sweep scenarios\/consistency-spectrum\.yaml --seeds 1\.\.100 --set faults\.0\.for=20000$/, exit: 0, as: (c) => `${c.replace('1..100', '1..1')} --variant naive --workers 1` },
  { match: /^pillars run scenarios\/hot-shard\.yaml --set /, exit: 0, as: (c) => `${c} --variant naive --set workload.durationMs=3000` },
  // Not run here.
  { match: /^pillars demo$/, notRun: 'the whole shopping day, 5 s: src/cli/cli.test.ts runs it ("pillars demo")' },
  { match: /^pillars run scenarios\/broadcast\.yaml$/, notRun: 'five variants, 8 s: src/cli/cli.test.ts and src/scenario/stories.test.ts run broadcast' },
  { match: /^pillars stories( --seeds 1\.\.20)?$/, notRun: 'every story, minutes: npm test runs each (src/scenario/stories.test.ts), and src/cli/cli.test.ts runs stories over a folder' },
  { match: /^pillars shrink scenarios\/raft-chaos\.yaml --variant naive --seed 26/, notRun: 'a minute of runs: src/scenario/shrink.test.ts shrinks' },
  { match: /^(npx )?pillars maelstrom test .*--bin \.\/my-node/, notRun: 'needs your Maelstrom node ./my-node: src/maelstrom tests run the bundled ones' },
  { match: /^(npx )?pillars cluster /, notRun: 'starts real processes on fixed ports: src/node tests drive the launcher on free ports' },
  { match: /^(npx )?pillars lab$/, notRun: 'serves the lab until stopped: src/cli/lab.test.ts serves it on a free port, and src/lab/lab.browser.test.ts opens it in Chromium' },
  { match: /^pillars run raft-chaos-lab\.yaml --variant fixed$/, notRun: 'replays a file exported from the page: src/lab/session.test.ts and src/lab/lab.browser.test.ts replay an export to the same traceHash' },
  { match: /^\$ /, notRun: 'a transcript: the command with what it printed' },
  { match: /--queue redis:\/\/10\.0\.0\.5/, notRun: 'needs the Redis at 10.0.0.5: src/cli/queue-sweep.test.ts runs a queue on a local redis-server' },
];

/** A command line in sh, as a user's shell runs it. */
function shell(line: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', line], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

const ruleFor = (command: string) => rules.find((r) => r.match.test(command));

test('the README says how to get pillars on the PATH', () => {
  assert.match(readme, /npm link/);
  assert.match(readme, /npx pillars/);
});

test('every pillars command in the README is run here or says why not', () => {
  const commands = readmeCommands(readme);
  assert.ok(commands.length > 30, `found ${commands.length} commands`);
  const unknown = commands.filter((c) => ruleFor(c) === undefined);
  assert.deepEqual(unknown, [], 'README commands this test does not know: add a rule for each');
});

test('the README\'s cheap commands, and its long ones made short, exit as the README says', async () => {
  // A fresh folder as a user's working directory: the scenarios, points.csv, and `pillars` on the PATH.
  const cwd = mkdtempSync(join(tmpdir(), 'pillars-readme-'));
  symlinkSync(join(root, 'scenarios'), join(cwd, 'scenarios'));
  writeFileSync(join(cwd, 'points.csv'), 'N,throughput\n1,100\n2,190\n4,340\n8,560\n16,780\n32,800\n');
  const bin = join(cwd, '.bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'pillars'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(main)} "$@"\n`);
  chmodSync(join(bin, 'pillars'), 0o755);
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1' };
  const lines = readmeCommands(readme).flatMap((command) => {
    const rule = ruleFor(command);
    return rule === undefined || rule.exit === undefined ? [] : [{ line: (rule.as ?? ((c: string) => c))(command).replace(/^npx /, ''), exit: rule.exit, after: rule.after }];
  });
  // Two at a time, each after the command whose output it reads (check after the run that wrote h.jsonl).
  const finished = new Map<string, Promise<void>>();
  const run = async (job: (typeof lines)[number]) => {
    if (job.after !== undefined) {
      const before = [...finished].filter(([l]) => job.after!.test(l));
      assert.ok(before.length > 0, `${job.line}: the README runs what it reads first (${job.after})`);
      await Promise.all(before.map(([, p]) => p));
    }
    const r = await shell(job.line, cwd, env);
    assert.equal(r.code, job.exit, `${job.line}\nexit ${r.code}, expected ${job.exit}\n${r.out.slice(-2000)}\n${r.err.slice(-2000)}`);
    assert.doesNotMatch(r.err, /\n\s+at /, `${job.line}: no stack trace`);
  };
  const queue = [...lines];
  const worker = async () => {
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
      const done = run(job);
      finished.set(job.line, done);
      await done;
    }
  };
  await Promise.all([worker(), worker()]);
  const ran = [...finished.keys()];
  assert.ok(ran.length >= 10, `ran ${ran.length}: ${ran.join('; ')}`);
});

test("every number the README quotes from a story's own run is checked by the test that sweeps the story", () => {
  // src/testing/story-seed-tests.ts checks them, on the runs of its sweep over seeds that include the story's own.
  const swept = new Set(Object.values(storiesByPillar).flat().map((name) => `${name}.yaml`));
  const quoted = [...storyQuotes, ...proseQuotes].filter((q) => q.story !== undefined);
  assert.ok(quoted.length > 100, `${quoted.length} quotes`);
  assert.deepEqual([...new Set(quoted.map((q) => q.story!))].filter((file) => !swept.has(file)), [], 'quoted stories no seed test sweeps');
});

test('every other number the README quotes from a story (a changed setting, another seed) is what the run measures, within the tolerance stated with it', () => {
  const wrong = quoteMismatches(readme, quotesOfNoStory);
  assert.deepEqual(wrong.map((w) => w.message), [], 'README numbers that drifted from what the stories measure');
});

test('a README number that drifts fails its check: each quote, changed in a copy of the README, is caught', () => {
  // The runs are the ones the test above made (cachedRunner and its overridden runs): this costs no simulation.
  for (const quote of quotesOfNoStory) {
    const drifted = withDrifted(readme, quote);
    assert.notEqual(drifted, readme);
    const caught = quoteMismatches(drifted, [quote]);
    assert.equal(caught.length, 1, `${quote.line} ${quote.at}: a changed number passes`);
  }
});

test("the Maelstrom section's defaults are the ones `pillars maelstrom test --help` prints", async () => {
  const help = await shell(`${JSON.stringify(process.execPath)} ${JSON.stringify(main)} maelstrom test --help`, root, { ...process.env, COLUMNS: '200' });
  assert.equal(help.code, 0, help.err);
  const text = help.out.replace(/\s+/g, ' ');
  /** The default the help gives an option, as a number. */
  const defaultOf = (option: string) => {
    const found = new RegExp(`${option} <[^>]+> .*?\\(default: "(\\d+)"\\)`).exec(text);
    assert.ok(found !== null, `maelstrom test --help gives ${option} a default`);
    return Number(found[1]);
  };
  const options = '| `-w`, `--bin`, `--node-count`';
  const ours = '| `--nemesis one-way';
  const same = '| What is the same |';
  const quotes: Quote[] = [
    { line: options, at: /`--node-count` \((\d+)\)/, measured: () => defaultOf('--node-count'), within: asRounded },
    { line: options, at: /`--time-limit` \((\d+) s\)/, measured: () => defaultOf('--time-limit'), within: asRounded },
    { line: options, at: /`--rate` \((\d+) a second/, measured: () => defaultOf('--rate'), within: asRounded },
    { line: options, at: /`--latency` \((\d+)\)/, measured: () => defaultOf('--latency'), within: asRounded },
    { line: options, at: /`--nemesis-interval` \((\d+) s\)/, measured: () => defaultOf('--nemesis-interval'), within: asRounded },
    { line: options, at: /`--max-txn-length` \((\d+)\)/, measured: () => defaultOf('--max-txn-length'), within: asRounded },
    { line: options, at: /`--max-writes-per-key` \((\d+)\)/, measured: () => defaultOf('--max-writes-per-key'), within: asRounded },
    { line: ours, at: /`--recovery-ms` \((\d+) s,/, measured: () => defaultOf('--recovery-ms') / 1000, within: asRounded },
    { line: same, at: /the defaults \((\d+) s of workload/, measured: () => defaultOf('--time-limit'), within: asRounded },
    { line: same, at: /(\d+) requests a second in all/, measured: () => defaultOf('--rate'), within: asRounded },
    { line: same, at: /the nemesis every (\d+) s/, measured: () => defaultOf('--nemesis-interval'), within: asRounded },
    { line: same, at: /the (\d+) s recovery wait/, measured: () => defaultOf('--recovery-ms') / 1000, within: asRounded },
  ];
  assertQuotesHold(readme, quotes);
});

test("the coordination law's figures are what `pillars model coordination` prints", async () => {
  const env = { ...process.env, NO_COLOR: '1' };
  const node = JSON.stringify(process.execPath);
  const [betaAlone, seedsDatabase] = await Promise.all([
    shell(`${node} ${JSON.stringify(main)} model coordination --n 10,100,1000`, root, env),
    shell(`${node} ${JSON.stringify(main)} model coordination --n 10,100,1000 --alpha 0.05 --beta 0.001`, root, env),
  ]);
  for (const r of [betaAlone, seedsDatabase]) assert.equal(r.code, 0, r.err);
  /** The printed table's cell for N workers: paths, C(N), overhead, the seed's figure, the beta for it. */
  const cell = (out: string, n: number, column: number) => {
    const row = out.split('\n').find((l) => l.trim().startsWith(`${n} `));
    assert.ok(row !== undefined, `a row for N = ${n} in\n${out}`);
    return quotedNumber(row.trim().split(/\s+/)[column].replace(/%$/, ''));
  };
  const line = '**The coordination law.**';
  const overhead = 3;
  const betaForSeed = 5;
  const quotes: Quote[] = [
    { line, at: /\*\*([\d.]+)\*\* for 55% at 10/, measured: () => cell(betaAlone.out, 10, betaForSeed), within: asRounded },
    { line, at: /\*\*([\d.]+)\*\* for 98% at 100/, measured: () => cell(betaAlone.out, 100, betaForSeed), within: asRounded },
    { line, at: /\*\*([\d.]+)\*\* for 99\.8% at 1,000/, measured: () => cell(betaAlone.out, 1000, betaForSeed), within: asRounded },
    { line, at: /, (\d+) times apart/, measured: () => cell(betaAlone.out, 10, betaForSeed) / cell(betaAlone.out, 1000, betaForSeed), within: asRounded },
    { line, at: /\(α 0\.05, β 0\.001\): ([\d.]+)%,/, measured: () => cell(seedsDatabase.out, 10, overhead), within: asRounded },
    { line, at: /\(α 0\.05, β 0\.001\): [\d.]+%, ([\d.]+)%/, measured: () => cell(seedsDatabase.out, 100, overhead), within: asRounded },
    { line, at: /\(α 0\.05, β 0\.001\): [\d.]+%, [\d.]+% and ([\d.]+)%/, measured: () => cell(seedsDatabase.out, 1000, overhead), within: asRounded },
    { line, at: /\(α = 0\): ([\d.]+)%,/, measured: () => cell(betaAlone.out, 10, overhead), within: asRounded },
    { line, at: /\(α = 0\): [\d.]+%, ([\d.]+)%/, measured: () => cell(betaAlone.out, 100, overhead), within: asRounded },
    { line, at: /\(α = 0\): [\d.]+%, [\d.]+%, ([\d.]+)%/, measured: () => cell(betaAlone.out, 1000, overhead), within: asRounded },
  ];
  assertQuotesHold(readme, quotes);
});
