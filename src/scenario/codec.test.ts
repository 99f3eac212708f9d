/**
 * How a scenario's messages cross the simulated network: the real node's processes through the peer
 * codec unless the file says otherwise, the rest by reference; and the codec changes nothing a
 * protocol does, only what it costs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from './load.js';
import { runVariant } from './runner.js';
import { registerCatalog } from '../cli/catalog.js';

registerCatalog();

const scenario = (system: string, network = '') =>
  parseScenario(
    `
name: codec
topology: { nodes: 3 }
network: { latency: { dist: uniform, min: 1, max: 3 }${network} }
system: ${system}
workload: { type: closed, clients: 3, durationMs: 3000, ops: { write: 1, read: 1 }, keys: { dist: uniform, count: 5 }, settleMs: 2000 }
faults: [ { at: 1000, for: 500, crash: leader } ]
`,
    'codec.yaml',
  ).variants[0];

/** The run's traceHash and the encoded size of its first exported send (undefined: sent by reference). */
function run(system: string, network = '', seed = 1): { traceHash: string; firstSendBytes: number | undefined; ok: number } {
  let firstSendBytes: number | undefined | null = null;
  const { report } = runVariant(scenario(system, network), {
    seed,
    traceSink: (line) => {
      if (firstSendBytes === null && line.includes('"kind":"send"')) firstSendBytes = (JSON.parse(line) as { bytes?: number }).bytes;
    },
  });
  return { traceHash: report.traceHash, firstSendBytes: firstSendBytes ?? undefined, ok: report.metrics.ops_ok };
}

const raftKv = '{ process: truth/raft-kv }';

test('the real node\'s process (RaftKv) sends through the peer codec by default; network.codec: none opts out', () => {
  assert.ok((run(raftKv).firstSendBytes ?? 0) > 0);
  assert.equal(run(raftKv, ', codec: none').firstSendBytes, undefined);
});

test('a process the real node does not run goes by reference unless the file asks for the codec', () => {
  const gossip = '{ process: state/lww-replicas, config: { resolution: hlc } }';
  assert.equal(run(gossip).firstSendBytes, undefined);
  assert.ok((run(gossip, ', codec: peer').firstSendBytes ?? 0) > 0);
});

test('RaftKv through the codec: the same seed gives the same traceHash, and the same one as by reference (no aliasing, nothing lost)', () => {
  const a = run(raftKv), b = run(raftKv), byReference = run(raftKv, ', codec: none'), other = run(raftKv, '', 2);
  assert.ok(a.ok > 100, `${a.ok} operations acknowledged`);
  assert.equal(a.traceHash, b.traceHash);
  assert.equal(a.traceHash, byReference.traceHash);
  assert.notEqual(a.traceHash, other.traceHash);
});

test('a codec a scenario does not know is refused, naming the field', () => {
  assert.throws(() => scenario(raftKv, ', codec: json'), /network\.codec/);
});
