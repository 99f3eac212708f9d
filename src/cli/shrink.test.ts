/**
 * `pillars shrink` writes fault times as a person would (2000, not 2000.2958188541234) when the run
 * still fails so, and keeps the exact times when it would not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { scenarioFile } from '../testing/story-runner.js';
import { parseScenario, shrink } from '../scenario/index.js';
import { readableFaultTimes, shrunkScenarioYaml } from './shrink.js';

const text = readFileSync(scenarioFile('broadcast.yaml'), 'utf8').replace(/^ {2}- at: 2000\n {4}for: 5000$/m, '  - at: 2000.2958188541234\n    for: 5000.123456');
const scenario = parseScenario(text, 'broadcast-fractional.yaml');
const naive = scenario.variants.find((v) => v.name === 'naive')!;

test('shrink rounds fault times to whole milliseconds when the same check still fails', () => {
  assert.equal(naive.faults[0].at, 2000.2958188541234, 'the fixture has a raw float');
  const r = readableFaultTimes(shrink({ ...naive, seed: 1 }, {}));
  assert.deepEqual(r.shrunk.variant.faults.map((f) => [f.at, f.for]), [[2000, 5000]]);
  const yaml = shrunkScenarioYaml(scenario, 'broadcast-fractional.yaml', r);
  assert.match(yaml, /\{ at: 2000, for: 5000, partition/);
  assert.doesNotMatch(yaml, /\d\.\d{4,}/);
});

test('shrink keeps the exact fault times when the rounded run would not fail the check', () => {
  const r = shrink({ ...naive, seed: 1 }, {});
  // A check the rounded run cannot fail stands for a failure that needs the exact times.
  const kept = readableFaultTimes({ ...r, check: 'a-check-that-never-fails' });
  assert.equal(kept.shrunk.variant.faults[0].at, 2000.2958188541234);
});
