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
import { reportInputFromRuns, type CapturedRunResult } from '../web/from-runs.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const main = fileURLToPath(new URL('./main.js', import.meta.url));
const schema = JSON.parse(readFileSync(join(root, 'docs', 'report.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

function assertValid(report: unknown, what: string): void {
  const ok = validate(report);
  assert.ok(ok, `${what}: ${JSON.stringify(validate.errors?.slice(0, 5), null, 1)}`);
}

/** A captured run's report as the CLI writes it: through JSON, where an absent optional field is left out. */
function asWritten(run: CapturedRunResult): Record<string, unknown> {
  return JSON.parse(JSON.stringify(withCapturedEvents(run.report, run.capture)));
}

/** Variants of a story, captured as a report or a results folder captures them (faults, scheduled events, charted series). */
function captured(file: string, names: string[]): Record<string, unknown>[] {
  const runs = runVariants(loadScenario(file), names, () => ({ capture: true }));
  return names.map((n) => asWritten(runs.get(n)!));
}

// One run of each, shared by the tests below: a run takes a second or two.
let splitBrainRun: CapturedRunResult | undefined;
const naiveRun = () => (splitBrainRun ??= runVariants(loadScenario('split-brain.yaml'), ['naive'], () => ({ capture: true })).get('naive')!);
const splitBrain = () => [asWritten(naiveRun())];

test('a results folder report.json validates against docs/report.schema.json and carries schemaVersion', () => {
  const out = mkdtempSync(join(tmpdir(), 'pillars-schema-'));
  const r = spawnSync(process.execPath, [main, 'run', join(root, 'scenarios', 'hinted-handoff.yaml'), '--out', out, '-q'], { encoding: 'utf8', cwd: root });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  const report = JSON.parse(readFileSync(join(out, 'latest', 'report.json'), 'utf8'));
  assert.ok(Array.isArray(report) && report.length >= 2);
  for (const v of report) assert.equal(v.schemaVersion, REPORT_SCHEMA_VERSION);
  // The faults the stored report.html shades are in the stored report.json too: the split, and its heal.
  for (const v of report) assert.ok(v.faults.some((f: { kind: string }) => f.kind === 'partition'), `${v.variant}: ${JSON.stringify(v.faults)}`);
  // And the series it charts, the same points as the folder's CSV.
  for (const v of report) {
    const csv = readFileSync(join(out, 'latest', `series.${v.variant}.csv`), 'utf8').trim().split('\n').slice(1);
    const points = Object.entries(v.chartSeries as Record<string, [number, number][]>).sort(([a], [b]) => (a < b ? -1 : 1)).flatMap(([name, ps]) => ps.map(([t, x]) => `${name},${t},${x}`));
    assert.ok(points.length > 0 && v.chartCounters.length > 0, `${v.variant}: charted series and counters`);
    assert.deepEqual(points, csv, `${v.variant}: report.json's chartSeries are the CSV's series`);
  }
  assertValid(report, 'hinted-handoff report.json');
});

test('captured reports of stories with faults, scheduled events and series validate, and carry what the HTML shades', () => {
  const drift = captured('model-drift.yaml', ['drift-alert']);
  for (const [i, report] of [...splitBrain(), ...drift].entries()) assertValid(report, `report ${i}`);
  // The faults the HTML timeline shades are in the JSON too, and so are scheduled events (the drift).
  assert.ok(splitBrain().every((r) => ((r.faults as unknown[] | undefined) ?? []).length > 0), 'split-brain has its partition');
  // The series the HTML charts are there as the page gets them, beside the scenario's own sampling.
  const [naive] = splitBrain();
  const page = reportInputFromRuns([naiveRun()], { title: 'split-brain' }).variants[0];
  assert.deepEqual(naive.chartSeries, JSON.parse(JSON.stringify(page.series)));
  assert.ok(Object.keys(naive.chartSeries as object).length > Object.keys(naive.series as object).length, 'more series charted than the scenario samples');
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
