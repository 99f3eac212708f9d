/**
 * `pillars maelstrom test` keeps Maelstrom's store/ by default and, like every other command that
 * keeps a results folder, honours --out and --no-store and writes report.json in the published
 * schema, the series as CSV and the exact command, so one script reads a Maelstrom test's folder and
 * a scenario run's alike.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { REPORT_SCHEMA_VERSION } from '../scenario/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const main = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const echo = join(root, 'src', 'maelstrom', 'test-nodes', 'echo.js');
const cwd = mkdtempSync(join(tmpdir(), 'maelstrom-store-'));
after(() => rmSync(cwd, { recursive: true, force: true }));

/** One short echo test with a partition (so the report has a fault to carry), in `cwd`. */
function maelstromTest(...extra: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const args = ['maelstrom', 'test', '-w', 'echo', '--bin', echo, '--node-count', '3', '--time-limit', '0.6', '--rate', '20', '--recovery-ms', '0', '--nemesis', 'partition', '--nemesis-interval', '0.5', ...extra];
  return new Promise((resolve) => {
    execFile(process.execPath, [main, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 30_000 }, (e, out, err) => {
      resolve({ code: e === null ? 0 : typeof e.code === 'number' ? e.code : null, out, err });
    });
  });
}

// The three commands run at once: each is mostly waiting for its nodes (about 3 s).
const runs = (() => {
  let started: Promise<Awaited<ReturnType<typeof maelstromTest>>[]> | undefined;
  return () => (started ??= Promise.all([maelstromTest('--out', 'results'), maelstromTest('--out', 'unused', '--no-store'), maelstromTest('--out', 'a', '--store', 'b')]));
})();

test('maelstrom test --out DIR: the folder of every pillars command (report.json in the schema, series CSV, command.txt, latest) beside Maelstrom\'s own files', async () => {
  const [r] = await runs();
  assert.equal(r.code, 0, r.out + r.err);
  const m = /^results in (results\/echo\/\d{4}-\d\d-\d\dT\d{6}\.\d{3}Z) \(/m.exec(r.out);
  assert.ok(m !== null, r.out);
  assert.equal(readlinkSync(join(cwd, 'results', 'latest')), m[1].slice('results/'.length));
  assert.ok(!existsSync(join(cwd, 'store')), '--out replaces store/');
  const dir = join(cwd, m[1]);
  for (const f of ['results.json', 'results.edn', 'history.jsonl', 'report.html', 'n0.log']) assert.ok(existsSync(join(dir, f)), f);

  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { schemaVersion: number; met: boolean; faults: { kind: string; untilMs?: number }[]; series: Record<string, unknown[]>; chartSeries: Record<string, unknown[]> };
  const validate = new Ajv2020({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(join(root, 'docs', 'report.schema.json'), 'utf8')));
  assert.ok(validate(report), JSON.stringify(validate.errors?.slice(0, 5)));
  assert.equal(report.schemaVersion, REPORT_SCHEMA_VERSION);
  assert.equal(report.met, true);
  assert.ok(report.faults.some((f) => f.kind === 'partition' && f.untilMs !== undefined), JSON.stringify(report.faults));
  assert.ok(report.series.ops_ok.length > 0);
  assert.deepEqual(report.chartSeries, report.series, 'what the page charts, named as a scenario run names it');

  const csv = readFileSync(join(dir, 'series.echo.js.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'series,t_ms,value');
  assert.ok(csv.slice(1).every((l) => /^\w+,\d+(\.\d{1,3})?,[\d.]+$/.test(l)), `times to the microsecond: ${csv.slice(1, 4)}`);
  assert.equal(readFileSync(join(dir, 'command.txt'), 'utf8'), `pillars maelstrom test -w echo --bin ${echo} --node-count 3 --time-limit 0.6 --rate 20 --recovery-ms 0 --nemesis partition --nemesis-interval 0.5 --out results\n`);
});

test('maelstrom test: --no-store wins over --out, as for run; --out and --store naming two roots is bad input', async () => {
  const [, none, both] = await runs();
  assert.equal(none.code, 0, none.err);
  assert.ok(!existsSync(join(cwd, 'unused')), '--no-store keeps none');
  assert.doesNotMatch(none.out, /results in/);
  assert.equal(both.code, 2, both.out + both.err);
  assert.equal(both.err, 'pillars: (command line): --out: one results root: --out and --store name the same folder (got --out a --store b)\n');
});
