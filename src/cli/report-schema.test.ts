/**
 * The published report schema (docs/report.schema.json) holds for the reports pillars really writes:
 * a results folder's report.json, and the reports of stories with faults, scheduled events and series.
 * A report that drops a required field, or grows one the schema does not know, fails it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { loadScenario } from '../testing/story-runner.js';
import { runVariants } from '../scenario/runner.js';
import { REPORT_SCHEMA_VERSION, withCapturedEvents } from '../scenario/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const main = fileURLToPath(new URL('./main.js', import.meta.url));
const schema = JSON.parse(readFileSync(join(root, 'docs', 'report.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

function assertValid(report: unknown, what: string): void {
  const ok = validate(report);
  assert.ok(ok, `${what}: ${JSON.stringify(validate.errors?.slice(0, 5), null, 1)}`);
}

/** Variants of a story, captured as a report or a results folder captures them (faults, scheduled events). */
function captured(file: string, names: string[]): Record<string, unknown>[] {
  const runs = runVariants(loadScenario(file), names, () => ({ capture: true }));
  // As the CLI writes it: through JSON, where an absent optional field is left out.
  return names.map((n) => JSON.parse(JSON.stringify(withCapturedEvents(runs.get(n)!.report, runs.get(n)!.capture))));
}

// One run of each, shared by the tests below: a run takes a second or two.
let splitBrainRuns: Record<string, unknown>[] | undefined;
const splitBrain = () => (splitBrainRuns ??= captured('split-brain.yaml', ['naive']));

test('a results folder report.json validates against docs/report.schema.json and carries schemaVersion', () => {
  const out = mkdtempSync(join(tmpdir(), 'pillars-schema-'));
  const r = spawnSync(process.execPath, [main, 'run', join(root, 'scenarios', 'hinted-handoff.yaml'), '--out', out, '-q'], { encoding: 'utf8', cwd: root });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  const report = JSON.parse(readFileSync(join(out, 'latest', 'report.json'), 'utf8'));
  assert.ok(Array.isArray(report) && report.length >= 2);
  for (const v of report) assert.equal(v.schemaVersion, REPORT_SCHEMA_VERSION);
  // The faults the stored report.html shades are in the stored report.json too: the split, and its heal.
  for (const v of report) assert.ok(v.faults.some((f: { kind: string }) => f.kind === 'partition'), `${v.variant}: ${JSON.stringify(v.faults)}`);
  assertValid(report, 'hinted-handoff report.json');
});

test('captured reports of stories with faults, scheduled events and series validate, and carry what the HTML shades', () => {
  const drift = captured('model-drift.yaml', ['drift-alert']);
  for (const [i, report] of [...splitBrain(), ...drift].entries()) assertValid(report, `report ${i}`);
  // The faults the HTML timeline shades are in the JSON too, and so are scheduled events (the drift).
  assert.ok(splitBrain().every((r) => ((r.faults as unknown[] | undefined) ?? []).length > 0), 'split-brain has its partition');
  assert.ok(drift.every((r) => ((r.scheduled as unknown[] | undefined) ?? []).length > 0), 'model-drift has its drift');
});

test('a report missing a required field, or with an unknown one, fails the schema', () => {
  const [report] = splitBrain();
  assertValid(report, 'as written');
  for (const field of ['schemaVersion', 'traceHash', 'checks', 'met']) {
    const { [field]: _dropped, ...missing } = report;
    assert.equal(validate(missing), false, `a report without ${field} must not validate`);
    assert.ok(validate.errors?.some((e) => e.keyword === 'required' && (e.params as { missingProperty?: string }).missingProperty === field));
  }
  assert.equal(validate({ ...report, traceHsah: report.traceHash }), false, 'a misspelt field must not validate');
  assert.equal(validate({ ...report, schemaVersion: REPORT_SCHEMA_VERSION + 1 }), false, 'another version is another schema');
});
