import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario, ScenarioError } from './load.js';
import { registerCatalog } from '../cli/catalog.js';

registerCatalog();

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
  assert.deepEqual(v.expect, { kind: 'pass' });
  assert.equal(v.workload.timeoutMs, 1000);
  assert.deepEqual(v.system.config, { retryMs: 100, relay: false, batchItemsMax: 512 });
});

test('variants override the base deeply; arrays replace', () => {
  const s = parseScenario(base + `
faults: [ { at: 1, partition: [[n1], [n2, n3]] } ]
variants:
  naive: { expect: { fail: [broadcast-complete] }, system: { process: state/flood-once } }
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
  assert.match(e.message, /^x\.yaml:3:13: topology\.nodes: /);
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
  assert.match(error(base.replace('state/gossip', 'state/gosip')).message, /system\.process: a registered process: did you mean "state\/gossip"\? \(got "state\/gosip"; pillars list shows all \d+\)/);
  assert.match(error(base.replace('state/gossip', 'nothing/like-it')).message, /system\.process: one of .*state\/gossip/);
  assert.equal(error(base.replace('broadcast-complete', 'nope')).path, 'checks[0].name');
  const e = error(base + 'faults: [ { at: 1, crash: n9 } ]\n');
  assert.equal(e.path, 'faults[0].crash');
  assert.match(e.expected, /n1, n2, n3/);
  assert.equal(error(base + 'faults: [ { at: 1, slowLink: { from: [n1], to: [n2, n7], addedMs: 50 } } ]\n').path, 'faults[0].slowLink.to[1]');
  assert.equal(error(base + 'faults: [ { at: 1, slowLink: { from: [n1], to: [n2], addedMs: -5 } } ]\n').path, 'faults[0].slowLink.addedMs');
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

test('expect: fail names the checks the story is about; a bare fail or an unknown label is exit 2', () => {
  const bare = error(base + 'variants:\n  naive: { expect: fail }\n');
  assert.equal(bare.path, 'variants.naive.expect');
  assert.match(bare.expected, /expect: \{ fail: \[broadcast-complete\] \}.*any failure at all proves nothing/);
  const unknown = error(base + 'variants:\n  naive: { expect: { fail: [broadcast-compete] } }\n');
  assert.equal(unknown.path, 'variants.naive.expect.fail[0]');
  assert.match(unknown.expected, /its checks: broadcast-complete\), got "broadcast-compete"/);
  const two = base.replace('checks: [ { name: broadcast-complete } ]', 'checks: [ { name: metric, metric: ops_ok, min: 1 }, { id: done, name: broadcast-complete } ]');
  const ok = parseScenario(two + 'variants:\n  naive: { expect: { fail: ["metric:ops_ok", done] } }\n', 'x.yaml');
  assert.deepEqual(ok.variants[0].expect, { kind: 'fail', checks: ['metric:ops_ok', 'done'] });
  // Two checks of one label could not be told apart in expect or in a report.
  assert.match(error(base.replace('checks: [', 'checks: [ { name: broadcast-complete },')).expected, /a label of its own: checks\[0\] is also "broadcast-complete"; give one an id/);
});

test('a search names what it looks for, how often it was caught and the sweep that measured it', () => {
  const s = parseScenario(base + 'variants:\n  naive: { expect: { search: [broadcast-complete], caught: 8, seeds: 1..500 } }\n', 'x.yaml');
  assert.deepEqual(s.variants[0].expect, { kind: 'search', checks: ['broadcast-complete'], caught: 8, seeds: [1, 500] });
  assert.equal(error(base + 'variants:\n  naive: { expect: { search: [broadcast-complete], caught: 8 } }\n').path, 'variants.naive.expect.seeds');
  assert.match(error(base + 'variants:\n  naive: { expect: { search: [broadcast-complete], caught: 11, seeds: 1..10 } }\n').expected, /at most the number of seeds/);
  assert.equal(error(base + 'variants:\n  naive: { expect: { search: [broadcast-complete], caught: 0, seeds: 1..10 } }\n').path, 'variants.naive.expect.caught');
});

test('a comparison names another variant of the file, and comparisons do not go round in a circle', () => {
  const cmp = (of: string) => `{ name: compare, metric: ops_ok, of: ${of}, maxRatio: 0.5 }`;
  const s = parseScenario(base + `variants:\n  naive: {}\n  fixed: { checks: [ ${cmp('naive')} ] }\n`, 'x.yaml');
  assert.deepEqual(s.variants[1].checks.map((c) => c.name), ['compare']);
  const unknown = error(base + `variants:\n  naive: {}\n  fixed: { checks: [ ${cmp('navie')} ] }\n`);
  assert.equal(unknown.path, 'variants.fixed.checks[0].of');
  assert.match(unknown.expected, /another variant of this file to compare with \(naive\), got "navie"/);
  assert.match(error(base + `variants:\n  naive: {}\n  fixed: { checks: [ ${cmp('fixed')} ] }\n`).expected, /another variant/);
  const circle = error(base + `variants:\n  a: { checks: [ ${cmp('b')} ] }\n  b: { checks: [ ${cmp('a')} ] }\n`);
  assert.match(circle.expected, /round in a circle \(a -> b -> a\)/);
  assert.match(error(base + `variants:\n  naive: {}\n  fixed: { checks: [ { name: compare, metric: ops_ok, of: naive } ] }\n`).expected, /maxRatio|minRatio/);
});

test('--set overrides any field of every variant or of one, is validated like the file, and is named in errors', () => {
  const two = base + 'variants:\n  naive: {}\n  fixed: {}\n';
  const s = parseScenario(two, 'x.yaml', { set: ['workload.durationMs=250', 'variants.fixed.system.config.retryMs=7'] });
  assert.deepEqual(s.variants.map((v) => v.workload.durationMs), [250, 250]);
  assert.equal((s.variants[1].system.config as { retryMs: number }).retryMs, 7);
  assert.equal((s.variants[0].system.config as { retryMs: number }).retryMs, 100);
  assert.deepEqual(s.variants[1].overrides, ['workload.durationMs=250', 'variants.fixed.system.config.retryMs=7']);
  const faults = parseScenario(base + 'faults: [ { at: 10, crash: n1, for: 100 } ]\n', 'x.yaml', { set: ['faults.0.for=2000'] });
  assert.equal(faults.variants[0].faults[0].for, 2000);
  // A variant without that list entry (a random-nemesis variant with no faults) is left alone, and says so.
  const some = parseScenario(base + 'faults: [ { at: 10, crash: n1, for: 100 } ]\nvariants:\n  cut: {}\n  calm: { faults: [] }\n', 'x.yaml', { set: ['faults.0.for=2000'] });
  assert.deepEqual(some.variants.map((v) => v.overrides), [['faults.0.for=2000'], undefined]);
  assert.deepEqual(some.variants[1].faults, []);
  const wrongType = (() => {
    try {
      parseScenario(two, 'x.yaml', { set: ['workload.durationMs=soon'] });
    } catch (e) {
      return e as ScenarioError;
    }
    return undefined;
  })();
  assert.ok(wrongType instanceof ScenarioError);
  assert.match(wrongType.path, /^--set workload\.durationMs=soon: workload\.durationMs$/);
  for (const [set, expected] of [
    ['workload.durationMs', /path=value/],
    ['variants.fxed.seed=3', /a variant of x\.yaml \(naive, fixed\), got "fxed"/],
    ['faults.3.for=1', /faults is empty in every variant: no entry to set/],
    ['name=other', /a field of a variant/],
  ] as const) {
    try {
      parseScenario(two, 'x.yaml', { set: [set] });
      assert.fail(`--set ${set} should be rejected`);
    } catch (e) {
      assert.ok(e instanceof ScenarioError, String(e));
      assert.match(e.expected, expected, set);
    }
  }
});
