/**
 * Raft in the simulator: a 5-node RaftKv cluster under a closed-loop write workload, no faults.
 * Reports committed commands per wall second and virtual seconds per wall second; the ratio compares
 * the world's event rate during the run with a bare binary-heap event loop measured in the same run.
 *
 * Messages cross as the peer codec's bytes (RaftKv's default, as the real node's code); the same run with
 * messages by reference (network.codec none) runs in a fresh process for the codec's price.
 *
 * Before it, the peer codec against MessagePack (msgpackr, as the peer codec fell back to before Raft had
 * its own format) on the messages of a short run of the same cluster, each encoded and decoded as the
 * simulator does: `ratio <x> peer codec vs msgpackr ...`, CPU time per message (below 1 is faster).
 *
 * Then the same cluster once on fifo links (`network.ordering: fifo`, as the real node's TCP connections:
 * no message overtakes an earlier one, so no pipelined append is refused for arriving early).
 *
 * Last line: `ratio <x> raft sim events/s vs bare heap event loop events/s`.
 */
import { Packr } from 'msgpackr';
import { decodePeerMessage, encodePeerMessage } from '../src/runtime/peer-codec.js';
import { parseScenario } from '../src/scenario/load.js';
import { runVariant } from '../src/scenario/runner.js';
import { bareHeapLoop, benchCodec, figure, median, otherCodecRun } from './anchors.js';
import { registerCatalog } from '../src/cli/catalog.js';

registerCatalog();

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const VIRTUAL_MS = Number(process.env.BENCH_VIRTUAL_MS ?? 30_000);

const scenarioText = (codec: string, virtualMs: number, ordering = 'any') => `
name: bench-raft
topology: { nodes: 5 }
network: { latency: { dist: uniform, min: 0.5, max: 2 }, codec: ${codec}, ordering: ${ordering} }
disk: { fsyncMs: { dist: uniform, min: 0.2, max: 1 } }
system: { process: truth/raft-kv }
workload:
  type: closed
  clients: 50
  durationMs: ${virtualMs}
  ops: { write: 1 }
  keys: { dist: uniform, count: 100 }
  target: random
  settleMs: 100
`;
const scenario = parseScenario(scenarioText(benchCodec, VIRTUAL_MS), 'bench-raft').variants[0];

/** CPU ns per message to encode then decode every message, best of 5 passes (the machine is shared: CPU time, not wall). */
function codecNsPerMessage(messages: readonly unknown[], encode: (m: unknown) => Uint8Array, decode: (b: Uint8Array) => unknown): number {
  let best = Infinity;
  for (let pass = 0; pass < 5; pass++) {
    const c0 = process.cpuUsage();
    for (const m of messages) decode(encode(m));
    const c = process.cpuUsage(c0);
    best = Math.min(best, ((c.user + c.system) * 1000) / messages.length);
  }
  return best;
}

/**
 * The messages of one virtual second of the cluster, as sent (the objects themselves: a leader's
 * entries shared between its followers' appends, as in a run), through the peer codec and through
 * msgpackr alone.
 */
function codecRatio(): void {
  const messages: unknown[] = [];
  const capture = parseScenario(scenarioText('none', 1000), 'bench-raft').variants[0];
  runVariant(capture, { traceObserver: (r) => (r.kind === 'send' ? messages.push(r.msg) : undefined) });
  const packr = new Packr({ useRecords: false, variableMapSize: true });
  const ours = codecNsPerMessage(messages, encodePeerMessage, decodePeerMessage);
  const msgpackr = codecNsPerMessage(messages, (m) => packr.pack(m), (b) => packr.unpack(b));
  process.stdout.write(`codec: ${messages.length.toLocaleString('en-US')} messages, ${Math.round(ours).toLocaleString('en-US')} ns per message to encode and decode through the peer codec, ${Math.round(msgpackr).toLocaleString('en-US')} through msgpackr\n`);
  process.stdout.write(`ratio ${(ours / msgpackr).toFixed(2)} peer codec vs msgpackr, CPU ns per message encoded and decoded\n`);
}

const commits: number[] = [];
const virtualPerWall: number[] = [];
const eventRates: number[] = [];
const bares: number[] = [];
let hash = '';
for (let r = 0; r <= ROUNDS; r++) {
  const t0 = process.hrtime.bigint();
  const { report } = runVariant(scenario);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const bare = bareHeapLoop(64, report.events);
  if (r === 0) continue; // warm-up
  if (hash !== '' && hash !== report.traceHash) throw new Error(`nondeterminism: ${hash} then ${report.traceHash}`);
  hash = report.traceHash;
  commits.push(report.metrics.ops_ok / s);
  virtualPerWall.push(report.virtualMs / 1000 / s);
  eventRates.push(report.events / s);
  bares.push(bare);
  process.stdout.write(`round ${r}: ${report.metrics.ops_ok} commands committed in ${s.toFixed(2)} s wall for ${report.virtualMs / 1000} s virtual; ${report.events.toLocaleString('en-US')} events\n`);
}
const perSec = median(commits);
process.stdout.write(`5 nodes, 50 clients: ${Math.round(perSec).toLocaleString('en-US')} committed commands per wall second, ${median(virtualPerWall).toFixed(2)} virtual s per wall s, messages ${benchCodec === 'peer' ? 'as the peer codec\'s bytes' : 'by reference'}\n`);
const byReference = otherCodecRun();
if (byReference !== undefined) {
  const ref = figure(byReference, '50 clients: ');
  process.stdout.write(`by reference (network.codec none, own process): ${Math.round(ref).toLocaleString('en-US')} committed commands per wall second; the codec keeps ${(perSec / ref).toFixed(2)} of it\n`);
}
if (byReference !== undefined) codecRatio();
{
  const fifo = parseScenario(scenarioText(benchCodec, VIRTUAL_MS, 'fifo'), 'bench-raft').variants[0];
  const t0 = process.hrtime.bigint();
  const { report } = runVariant(fifo);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const bare = bareHeapLoop(64, report.events);
  process.stdout.write(`fifo links (network.ordering fifo, one run): ${Math.round(report.metrics.ops_ok / s).toLocaleString('en-US')} committed commands per wall second, ${report.events.toLocaleString('en-US')} events, ${(report.events / s / bare).toFixed(3)} of the bare loop\n`);
}
process.stdout.write(`ratio ${(median(eventRates) / median(bares)).toFixed(3)} raft sim events/s vs bare heap event loop events/s\n`);
