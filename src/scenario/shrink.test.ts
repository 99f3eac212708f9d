/**
 * Shrinking: a drawn nemesis replays exactly as explicit faults; delta debugging finds the faults a
 * failure needs and no more; the workload shortens; the shrunk scenario file runs and still fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../testing/story-runner.js';
import { tempDir } from '../testing/real-nodes.js';
import { parseScenario } from './load.js';
import { runVariant } from './runner.js';
import { ddmin, failedChecks, materializeFaults, shrink } from './shrink.js';
import type { Fault } from './schema.js';

test('a random nemesis drawn into explicit faults replays the same run, hash for hash', () => {
  const v = loadScenario('raft-chaos.yaml').variants.find((x) => x.name === 'fixed')!;
  const m = materializeFaults(v);
  assert.equal(m.nemesis, undefined);
  assert.ok(m.faults.length >= 8, `${m.faults.length} faults drawn`);
  assert.equal(runVariant(m).report.traceHash, runVariant(v).report.traceHash);
  assert.equal(materializeFaults({ ...v, seed: 2 }).faults.length > 0, true);
  assert.notDeepEqual(materializeFaults({ ...v, seed: 2 }).faults, m.faults, 'another seed, another schedule');
});

test('ddmin finds exactly the items a failure needs, and the result is 1-minimal', () => {
  const items = Array.from({ length: 10 }, (_, i) => i);
  let calls = 0;
  const needs = (subset: number[]) => (calls++, subset.includes(3) && subset.includes(7));
  assert.deepEqual(ddmin(items, needs), [3, 7]);
  assert.ok(calls < 40, `${calls} tests`);
  assert.deepEqual(ddmin(items, (s) => s.includes(9)), [9]);
  // Any three of five consecutive: the answer is some three, and no two of them suffice.
  const three = ddmin(items, (s) => s.filter((x) => x >= 2 && x <= 6).length >= 3);
  assert.equal(three.length, 3);
  for (let i = 0; i < three.length; i++) assert.ok(three.filter((_, j) => j !== i).filter((x) => x >= 2 && x <= 6).length < 3);
});

/** split-brain's naive design with its 43 s partition among nine faults that do no harm alone. */
function needleInFaults() {
  const naive = loadScenario('split-brain.yaml').variants.find((v) => v.name === 'naive')!;
  const cut = naive.faults[0];
  const harmless: Fault[] = Array.from({ length: 9 }, (_, i) => {
    const at = 1000 + i * 5500;
    const node = `n${1 + (i % 5)}`;
    return i % 3 === 0 ? { at, for: 200, slow: { node, factor: 2 } } : i % 3 === 1 ? { at, for: 300, clock: { node, offsetMs: 20 } } : { at, for: 100, pause: `n${4 + (i % 2)}` };
  });
  return { naive: { ...naive, faults: [...harmless.slice(0, 4), cut, ...harmless.slice(4)] }, cut, harmless };
}

test('a failure that needs exactly one of ten faults shrinks to that fault; removing it makes the check hold; the workload shortens', () => {
  const { naive, cut, harmless } = needleInFaults();
  assert.deepEqual(failedChecks(runVariant({ ...naive, faults: harmless }).report), [], 'the nine alone do no harm');
  const progress: number[] = [];
  const r = shrink(naive, { progress: (runs) => progress.push(runs) });
  assert.equal(r.check, 'no-lost-increments');
  assert.deepEqual(r.shrunk.variant.faults, [cut]);
  assert.equal(r.exhausted, false);
  assert.ok(r.runs < 40, `${r.runs} runs`);
  assert.equal(progress.length, r.runs - 1);
  // 1-minimal: without it, nothing fails.
  assert.ok(!failedChecks(runVariant({ ...r.shrunk.variant, faults: [] }).report).includes('no-lost-increments'));
  // The workload ends soon after the partition heals (at 48 s), not at 60 s.
  const ms = r.shrunk.variant.workload.durationMs;
  assert.ok(ms >= 48_000 && ms < 60_000, `${ms} ms`);
  assert.ok(failedChecks(r.shrunk.report).includes('no-lost-increments'));
});

test('pillars shrink prints a scenario file that runs and fails the same check; a run that does not fail is bad input', () => {
  const { naive } = needleInFaults();
  const dir = tempDir('pillars-shrink-');
  const input = join(dir, 'needle.yaml');
  // The scenario file: split-brain's text with the ten faults and only the naive variant.
  const doc = parseScenario(readFileSync(fileURLToPath(new URL('../../../scenarios/split-brain.yaml', import.meta.url)), 'utf8'), 'split-brain.yaml');
  const text = readFileSync(fileURLToPath(new URL('../../../scenarios/split-brain.yaml', import.meta.url)), 'utf8')
    .replace(/^faults:\n(  - .*\n)+/m, `faults:\n${naive.faults.map((f) => `  - ${JSON.stringify(f)}\n`).join('')}`)
    .replace(/^ {2}show: .*\n/m, '') // it names metrics of variants this file leaves out
    .replace(/^variants:[\s\S]*$/m, `variants:\n  naive:\n    expect: { fail: [no-lost-increments] }\n    system: { process: truth/async-primary, config: { primary: n1 } }\n  fixed:\n    expect: pass\n    system: { process: truth/raft-kv }\n`);
  writeFileSync(input, text);
  assert.equal(doc.name, 'split-brain');
  const main = fileURLToPath(new URL('../cli/main.js', import.meta.url));
  const out = join(dir, 'min.yaml');
  const r = spawnSync(process.execPath, [main, 'shrink', input, '--seed', '1', '--out', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /split-brain\/naive seed 1: no-lost-increments still fails with 1 of 10 faults and \d+ of 60000 ms of workload/);
  const shrunk = parseScenario(readFileSync(out, 'utf8'), out);
  assert.equal(shrunk.variants.length, 1);
  assert.equal(shrunk.variants[0].faults.length, 1);
  assert.deepEqual(shrunk.variants[0].faults[0].partition, [['n1', 'n2', 'n3'], ['n4', 'n5']]);
  const run = spawnSync(process.execPath, [main, 'run', out, '--json', join(dir, 'r.json'), '--no-store'], { encoding: 'utf8' });
  assert.equal(run.status, 0, 'the naive variant still fails, as it expects');
  const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
  assert.ok(report.checks.some((c: { name: string; ok: boolean }) => c.name === 'no-lost-increments' && !c.ok));
  // The fixed variant does not fail on seed 1: nothing to shrink.
  const none = spawnSync(process.execPath, [main, 'shrink', input, '--seed', '1', '--variant', 'fixed'], { encoding: 'utf8' });
  assert.equal(none.status, 2);
  assert.match(none.stderr, /no check fails on seed 1 of variant fixed: nothing to shrink/);
});
