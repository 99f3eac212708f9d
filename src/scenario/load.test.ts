import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario, ScenarioError } from './load.js';

const base = `
name: t
topology: { nodes: 3 }
system: { process: state/gossip }
workload: { type: closed, durationMs: 100, ops: { broadcast: 1 } }
checks: [ { name: broadcast-complete } ]
`;

function error(text: string): ScenarioError {
  try {
    parseScenario(text, 'x.yaml');
  } catch (e) {
    assert.ok(e instanceof ScenarioError, `expected a ScenarioError, got ${e}`);
    return e;
  }
  assert.fail('expected the scenario to be rejected');
}

test('a valid file without variants has one variant, default, with defaults filled in', () => {
  const s = parseScenario(base, 'x.yaml');
  assert.deepEqual(s.variants.map((v) => v.name), ['default']);
  const v = s.variants[0];
  assert.equal(v.expect, 'pass');
  assert.equal(v.workload.timeoutMs, 1000);
  assert.deepEqual(v.system.config, { retryMs: 100, relay: false, batchItemsMax: 512 });
});

test('variants override the base deeply; arrays replace', () => {
  const s = parseScenario(base + `
faults: [ { at: 1, partition: [[n1], [n2, n3]] } ]
variants:
  naive: { expect: fail, system: { process: state/flood-once } }
  fixed: { system: { config: { retryMs: 50 } }, faults: [] }
`, 'x.yaml');
  const [naive, fixed] = s.variants;
  assert.equal(naive.system.process, 'state/flood-once');
  assert.equal(naive.faults.length, 1);
  assert.equal(fixed.system.process, 'state/gossip');
  assert.equal((fixed.system.config as { retryMs: number }).retryMs, 50);
  assert.equal(fixed.faults.length, 0);
});

test('a YAML syntax error names the line', () => {
  const e = error('name: t\ntopology: { nodes: 3\n');
  assert.equal(e.file, 'x.yaml');
  assert.match(e.path, /^line \d+, column \d+$/);
  assert.match(e.expected, /valid YAML/);
});

test('an unknown field is named with its path', () => {
  const e = error(base.replace('durationMs: 100', 'durationMs: 100, durationMS: 5'));
  assert.equal(e.path, 'workload.durationMS');
  assert.match(e.expected, /unknown field/);
});

test('a wrong type names the field and the expected type', () => {
  const e = error(base.replace('nodes: 3', 'nodes: three'));
  assert.equal(e.path, 'topology.nodes');
  assert.match(e.message, /^x\.yaml: topology\.nodes: /);
});

test('a missing field is reported as missing', () => {
  const e = error(base.replace('workload: { type: closed, durationMs: 100, ops: { broadcast: 1 } }\n', ''));
  assert.equal(e.path, 'workload');
  assert.match(e.expected, /missing/);
});

test('an error inside a variant is named with the variant path', () => {
  const e = error(base + 'variants:\n  fixed: { workload: { timeoutMs: -1 } }\n');
  assert.equal(e.path, 'variants.fixed.workload.timeoutMs');
});

test('an unknown process, check or node is named with what exists', () => {
  assert.match(error(base.replace('state/gossip', 'state/gosip')).message, /system\.process: one of .*state\/gossip/);
  assert.equal(error(base.replace('broadcast-complete', 'nope')).path, 'checks[0].name');
  const e = error(base + 'faults: [ { at: 1, crash: n9 } ]\n');
  assert.equal(e.path, 'faults[0].crash');
  assert.match(e.expected, /n1, n2, n3/);
});

test('a bad process config is named under system.config', () => {
  const e = error(base.replace('system: { process: state/gossip }', 'system: { process: state/gossip, config: { retryMs: fast } }'));
  assert.equal(e.path, 'system.config.retryMs');
});

test('a fault must say exactly one thing', () => {
  assert.match(error(base + 'faults: [ { at: 1 } ]\n').expected, /exactly one of/);
  assert.match(error(base + 'faults: [ { at: 1, crash: n1, pause: n2 } ]\n').expected, /exactly one of/);
});

test('a variant that expects to fail needs a check that can fail', () => {
  const e = error(base.replace('checks: [ { name: broadcast-complete } ]', '') + 'variants:\n  naive: { expect: fail }\n');
  assert.equal(e.path, 'variants.naive.expect');
});
