/**
 * `pillars run X.yaml --html FILE` as a user meets it: the file is written and the command says where;
 * a path that cannot be written is bad input (exit 2, one message), found before the run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));
const scenario = join(root, 'scenarios', 'split-brain.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'pillars-html-'));

function pillars(...args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', cwd: root, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('run --html writes one self-contained report of the variants run, with the same verdicts as the table', () => {
  const file = join(tmp, 'split.html');
  const json = join(tmp, 'split.json');
  const r = pillars('run', scenario, '--variant', 'naive', '--html', file, '--json', json, '--no-store');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, new RegExp(`wrote ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(\\d+ KB, self-contained\\)`));
  const html = readFileSync(file, 'utf8');
  const report = JSON.parse(readFileSync(json, 'utf8'));
  assert.ok(html.includes('<title>split-brain</title>'));
  assert.ok(html.includes(report.traceHash), 'the report names the run it shows');
  assert.ok(html.includes('pillars run ') && html.includes('--variant naive'), 'and the command that made it');
  assert.ok(html.includes('class="fault-mark'), 'with its faults');
  assert.equal(report.series?.ops_ok?.length, 57, 'the JSON keeps the scenario\'s own sampling');
});

test('run --html to a path that cannot be written: exit 2, one message naming it, before any run', () => {
  const bad = join(tmp, 'no-such-dir', 'r.html');
  const r = pillars('run', scenario, '--html', bad, '--no-store');
  assert.equal(r.code, 2);
  const lines = r.err.trim().split('\n');
  assert.equal(lines.length, 1, r.err);
  assert.match(lines[0], /no-such-dir\/r\.html: \(top level\): a writable output file \(ENOENT\)/);
  assert.equal(r.out, '', 'nothing ran');
  assert.equal(existsSync(bad), false);
});
