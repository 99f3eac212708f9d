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
import { runner } from '../testing/story-runner.js';
import { formatNumber } from '../runtime/number-format.js';

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

/** Numbers a story's README row quotes, as the row writes them from the run's metric. */
const quotedNumbers: { file: string; variant: string; metric: string; quote: (x: number) => string }[] = [
  { file: 'hinted-handoff.yaml', variant: 'naive', metric: 'goodput_write_per_sec', quote: (x) => `**${x.toFixed(1)}/s**` },
  { file: 'hinted-handoff.yaml', variant: 'fixed', metric: 'goodput_write_per_sec', quote: (x) => `**${x.toFixed(1)}/s**` },
  { file: 'hinted-handoff.yaml', variant: 'fixed', metric: 'hinted_writes', quote: (x) => `${x} hinted writes` },
  { file: 'time-partitioned.yaml', variant: 'naive', metric: 'hottest_shard_write_share', quote: (x) => `**${formatNumber(x)}** of them on the busiest` },
  { file: 'time-partitioned.yaml', variant: 'naive', metric: 'shard_backlog_max', quote: (x) => `backlog of **${formatNumber(x)}**` },
  { file: 'time-partitioned.yaml', variant: 'naive', metric: 'write_ms_p99', quote: (x) => `write p99 **${formatNumber(x)} ms**` },
  { file: 'time-partitioned.yaml', variant: 'fixed', metric: 'hottest_shard_write_share', quote: (x) => `busiest shard **${formatNumber(x)}**` },
  { file: 'time-partitioned.yaml', variant: 'fixed', metric: 'write_ms_p99', quote: (x) => `write p99 **${formatNumber(x)} ms**` },
  { file: 'time-partitioned.yaml', variant: 'fixed', metric: 'scan_rows_expected', quote: (x) => `**0** of ${formatNumber(x)} acknowledged rows missing` },
  { file: 'time-partitioned.yaml', variant: 'no-fan-out', metric: 'scan_rows_missing', quote: (x) => `**${formatNumber(x)} of ` },
  { file: 'time-partitioned.yaml', variant: 'no-fan-out', metric: 'scan_rows_expected', quote: (x) => `of ${formatNumber(x)}** rows missing` },
];

test('numbers the README quotes from a story are what the story measures, to the precision quoted', () => {
  for (const file of new Set(quotedNumbers.map((q) => q.file))) {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`scenarios/${file}\``));
    assert.ok(row !== undefined, `the README has a row for scenarios/${file}`);
    const run = runner(file);
    for (const q of quotedNumbers.filter((x) => x.file === file)) {
      const value = run(q.variant).metrics[q.metric];
      assert.ok(row.includes(q.quote(value)), `${file} ${q.variant} ${q.metric} = ${value}: the README should say ${q.quote(value)}`);
    }
  }
});
