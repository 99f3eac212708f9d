/**
 * `pillars maelstrom test` options read as Maelstrom (Jepsen) reads them: --concurrency as a count or
 * as a multiple of the node count ("2n", the Gossip Glomers' commands use it), and --topology tree.
 * Bad values are one ScenarioError naming the option (the command turns it into exit 2).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testOptionsFromFlags } from './maelstrom.js';
import { maelstromCommand } from './maelstrom-command.js';

const flags = (o: Record<string, string> = {}) => ({ workload: 'broadcast', bin: '/x/node', nodeCount: '5', timeLimit: '10', rate: '10', latency: '0', latencyDist: 'constant', nemesisInterval: '10', topology: 'grid', concurrency: '1n', seed: '1', recoveryMs: '10000', consistencyModels: 'strict-serializable', maxTxnLength: '4', maxWritesPerKey: '16', store: false as const, ...o });

test('--concurrency: a count, or "2n", two clients per node; one per node by default', () => {
  assert.equal(testOptionsFromFlags(flags(), []).concurrency, 5);
  assert.equal(testOptionsFromFlags(flags({ concurrency: '2n' }), []).concurrency, 10);
  assert.equal(testOptionsFromFlags(flags({ concurrency: '7' }), []).concurrency, 7);
  for (const bad of ['0', '0n', 'n', '2.5', 'x']) assert.throws(() => testOptionsFromFlags(flags({ concurrency: bad }), []), /--concurrency.*a positive integer, or a multiple of the node count like "2n"/, bad);
});

test('--topology tree is accepted (tree2), an unknown one is named', () => {
  assert.equal(testOptionsFromFlags(flags({ topology: 'tree' }), []).topology, 'tree');
  assert.throws(() => testOptionsFromFlags(flags({ topology: 'star' }), []), /--topology.*one of grid, line, tree, tree2, tree3, tree4, total, none \(got "star"\)/);
});

/** Maelstrom's own `maelstrom test` options (its core.clj and Jepsen's test options it uses). */
const maelstromOptions = ['--workload', '--bin', '--node-count', '--time-limit', '--rate', '--concurrency', '--latency', '--latency-dist', '--nemesis', '--nemesis-interval', '--topology', '--consistency-models', '--availability', '--key-count', '--max-txn-length', '--max-writes-per-key', '--log-stderr', '--log-net-send', '--log-net-recv'];

test("--help: every Maelstrom option is there, and every other option says it is ours", () => {
  const testCommand = maelstromCommand(() => {}).commands.find((c) => c.name() === 'test')!;
  const listed = testCommand.options.map((o) => ({ long: o.long!, description: o.description }));
  for (const m of maelstromOptions) assert.ok(listed.some((o) => o.long === m), `${m} is missing`);
  for (const o of listed) {
    if (maelstromOptions.includes(o.long)) assert.doesNotMatch(o.description, /^\(ours/, `${o.long} is Maelstrom's`);
    else assert.match(o.description, /^\(ours/, `${o.long} is not Maelstrom's, so its help must start with (ours)`);
  }
  // --nemesis mixes both: partition is Maelstrom's, the other faults are ours.
  assert.match(listed.find((o) => o.long === '--nemesis')!.description, /partition \(Maelstrom's[^)]*\); one-way, kill, pause, duplicate, loss \(ours\)/);
  assert.match(testCommand.description(), /Options marked \(ours\) are this project's; the others are Maelstrom's/);
});

test("defaults: Maelstrom's own, so the same command runs the same test (60 s, 5 requests a second in all, five nodes, a client per node)", () => {
  const testCommand = maelstromCommand(() => {}).commands.find((c) => c.name() === 'test')!;
  const defaults = Object.fromEntries(testCommand.options.map((o) => [o.long!, o.defaultValue as unknown]));
  // Maelstrom's core.clj opt-spec, and Jepsen's cli.clj test-opt-spec for --time-limit, --concurrency and the five default nodes.
  const maelstroms: Record<string, string> = {
    '--time-limit': '60',
    '--rate': '5',
    '--node-count': '5',
    '--concurrency': '1n',
    '--latency': '0',
    '--latency-dist': 'constant',
    '--nemesis-interval': '10',
    '--topology': 'grid',
    '--consistency-models': 'strict-serializable',
    '--max-txn-length': '4',
    '--max-writes-per-key': '16',
  };
  for (const [option, value] of Object.entries(maelstroms)) assert.equal(defaults[option], value, option);
  assert.equal(defaults['--recovery-ms'], '10000', "Maelstrom's fixed 10 s wait before the final reads");
  assert.equal(testOptionsFromFlags(flags({ nodeCount: defaults['--node-count'] as string, concurrency: defaults['--concurrency'] as string }), []).concurrency, 5);
});
