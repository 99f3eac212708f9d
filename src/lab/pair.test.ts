import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registerCatalog } from '../cli/catalog.js';
import { parseScenario, runVariant, type Fault } from '../scenario/index.js';
import { LabPair } from './pair.js';
import type { StoryFile } from './session.js';

registerCatalog();

/** A primary with an asynchronous standby beside Raft: three nodes, four seconds, every history checked. */
const story: StoryFile = {
  file: 'lab-pair.yaml',
  text: `name: lab-pair
seed: 1
topology: { nodes: 3 }
network: { latency: { dist: uniform, min: 1, max: 5 } }
workload: { type: closed, clients: 3, durationMs: 4000, ops: { read: 1, write: 1 }, keys: { dist: uniform, count: 3 }, target: random, timeoutMs: 500 }
checks: [ { name: linearizable, model: kv } ]
variants:
  naive: { expect: pass, system: { process: truth/async-primary, config: { primary: n1 } } }
  fixed: { expect: pass, system: { process: truth/raft-kv } }
`,
};

/** What `pillars run --variant V --seed N` reports with these faults added to the variant's. */
function cliRun(variant: string, seed: number, faults: readonly Fault[]) {
  const v = parseScenario(story.text, story.file).variants.find((x) => x.name === variant)!;
  return runVariant({ ...v, faults: [...v.faults, ...faults] }, { seed }).report;
}

test('two variants side by side stay in step, take each hand fault at one moment, and each ends as its CLI run', () => {
  const pair = new LabPair(story, ['naive', 'fixed'], 2);
  // At a speed: both to the same virtual times.
  for (const t of [0.5, 137.25, 800]) {
    pair.advanceTo(t);
    assert.deepEqual(pair.sides.map((s) => s.nowMs), [t, t], `both at ${t} ms`);
  }
  // One step: both to the next instant either has an event at.
  const next = Math.min(...pair.sides.map((s) => s.run.world.scheduler.peekTime()));
  pair.step();
  assert.deepEqual(pair.sides.map((s) => s.nowMs), [next, next]);
  // As fast as it goes: the side behind leads, a slice at a time.
  while (pair.nowMs < 1200) pair.advance(300);
  const crash = pair.strike((s) => s.crash('n1'));
  assert.ok(crash.every((c) => c.fault !== undefined) && crash[0].fault!.at === crash[1].fault!.at, `one moment for both: ${JSON.stringify(crash)}`);
  assert.ok(pair.sides.every((s) => s.run.world.status('n1') === 'down'));
  pair.advanceTo(2000);
  pair.strike((s) => s.restart('n1'));
  pair.advanceTo(2500.5);
  pair.strike((s) => s.cut('n2', 'n3'));
  // A side that refuses says why; the other still takes the fault.
  const refused = pair.strike((s) => (s.variant.name === 'naive' ? s.crash('n9') : s.pause('n3')));
  assert.match(refused[0].error ?? '', /^naive: n9 is not a server/);
  assert.deepEqual(refused[1].fault?.pause, 'n3');
  while (!pair.ended) pair.advance(997);
  const [naive, fixed] = pair.sides;
  assert.deepEqual(naive.handFaults.map((f) => f.at), fixed.handFaults.slice(0, 2).map((f) => f.at), 'the same faults at the same moments');
  assert.deepEqual(naive.handFaults.map((f) => f.for), fixed.handFaults.slice(0, 2).map((f) => f.for), 'ended at the same moments');
  for (const s of pair.sides) assert.equal(s.finish().report.traceHash, cliRun(s.variant.name, 2, s.handFaults).traceHash, `${s.variant.name} replays`);
  assert.notEqual(naive.finish().report.traceHash, fixed.finish().report.traceHash);

  // Exported side by side: one file, each variant with the faults its side took (naive refused a crash of n9),
  // and each replays to its side's traceHash as `pillars run <file> --variant V` runs it.
  const yaml = pair.exportYaml();
  assert.match(yaml, /^# Made in the pillars lab: lab-pair\.yaml, variants naive and fixed side by side, seed 2, faults by hand: 2 on naive, 3 on fixed\.$/m);
  const exported = parseScenario(yaml, 'lab-pair-side-by-side.yaml');
  assert.deepEqual(exported.variants.map((v) => v.name), ['naive', 'fixed']);
  for (const s of pair.sides) {
    const v = exported.variants.find((x) => x.name === s.variant.name)!;
    assert.deepEqual(v.faults, s.handFaults, `${v.name} carries its own side's faults`);
    assert.equal(runVariant(v).report.traceHash, s.finish().report.traceHash, `${v.name} replays from the file`);
  }
});

test('side by side needs two different variants of the story', () => {
  assert.throws(() => new LabPair(story, ['fixed', 'fixed'], 1), /two variants \(got fixed twice\)/);
  assert.throws(() => new LabPair(story, ['naive', 'nope'], 1), /no variant nope \(naive, fixed\)/);
});
