/**
 * `pillars review` as a user meets it: the example passes (exit 0), a copy with one copy of the
 * inventory and no kill switch fails (exit 1) naming both, bad specs exit 2 with one message naming
 * the file, the field and the known names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { parseSystemSpec } from '../platform/spec.js';
import { reviewSystem, type Review } from '../platform/review.js';

const main = fileURLToPath(new URL('./main.js', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));
const example = 'examples/ecommerce.yaml';
const exampleText = readFileSync(join(root, example), 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'pillars-review-'));

function pillars(...args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', cwd: root, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The example with `edit` applied, written to a file of its own. */
function variant(file: string, edit: (raw: Record<string, Record<string, Record<string, unknown>>>) => void): string {
  const raw = parse(exampleText);
  edit(raw);
  const path = join(tmp, file);
  writeFileSync(path, stringify(raw));
  return path;
}

function badInput(path: string): string {
  const r = pillars('review', path);
  assert.equal(r.code, 2, `exit code for ${path}: ${r.err}`);
  const lines = r.err.trim().split('\n');
  assert.equal(lines.length, 1, `one message, got: ${r.err}`);
  assert.doesNotMatch(r.err, /\n\s+at |Error:/, 'no stack trace');
  assert.ok(r.err.includes(path), 'the message names the file');
  assert.equal(r.out, '');
  return lines[0];
}

test('pillars review examples/ecommerce.yaml passes, and --json holds the same review', () => {
  const json = join(tmp, 'review.json');
  const r = pillars('review', example, '--json', json);
  assert.equal(r.code, 0, r.err);
  for (const heading of ['Work:', 'State:', 'Truth:', 'Control:', 'Intelligence:']) assert.match(r.out, new RegExp(`^${heading}`, 'm'));
  assert.match(r.out, /^PASS: 26 pass, 0 warn, 0 fail/m);
  assert.doesNotMatch(r.out, /\x1b\[/, 'no colour when not a terminal');
  const written = JSON.parse(readFileSync(json, 'utf8')) as Review;
  assert.deepEqual(written, reviewSystem(parseSystemSpec(exampleText, example)));
});

test('replication factor 1 on inventory and no kill switch: exit 1, both reasons named', () => {
  const path = variant('fragile.yaml', (raw) => {
    raw.state.inventory.replicationFactor = 1;
    delete raw.control.kill_switch;
  });
  const r = pillars('review', path);
  assert.equal(r.code, 1, r.err);
  assert.match(r.out, /^ {2}fail {2}replication factor +replication factor 1 on inventory: one disk failure loses it$/m);
  assert.match(r.out, /^ {2}fail {2}kill switch +no kill switch/m);
  assert.match(r.out, /^FAIL: 24 pass, 0 warn, 2 fail/m);
});

test('warnings alone still exit 0', () => {
  const path = variant('warned.yaml', (raw) => {
    raw.state.orders.replicationFactor = 2;
  });
  const r = pillars('review', path);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^ {2}warn {2}replication factor +replication factor 2 on orders/m);
});

test('bad specs exit 2 naming the file, the field and the known names', () => {
  const missing = badInput(variant('no-control.yaml', (raw) => delete raw.control));
  assert.match(missing, /no-control\.yaml: control: the control pillar \(missing\): .*one of circuit-breaker, rate-limiter, .*kill-switch, service-mesh/);

  const unknown = badInput(variant('unknown-pattern.yaml', (raw) => (raw.work.load_balancer.pattern = 'least-connections')));
  assert.match(unknown, /unknown-pattern\.yaml: work\.load_balancer\.pattern: one of api-gateway, round-robin, random, least-outstanding, .*power-of-two-choices.* \(got "least-connections"\)/);

  assert.match(badInput(join(tmp, 'absent.yaml')), /absent\.yaml: \(top level\): a readable system spec \(no such file\)/);
  const syntax = join(tmp, 'syntax.yaml');
  writeFileSync(syntax, 'name: x\nregions: [us\n');
  assert.match(badInput(syntax), /syntax\.yaml: line \d+, column \d+: valid YAML/);
  assert.equal(pillars('review').code, 2, 'no file named');
});

test('pillars review --help explains the checklist and the exit codes', () => {
  const r = pillars('review', '--help');
  assert.equal(r.code, 0);
  assert.match(r.out, /Usage: pillars review \[options\] <system\.yaml>/);
  assert.match(r.out, /Exit code: 0 when no item fails \(warnings allowed\), 1 when one fails, 2 on bad input/);
});
