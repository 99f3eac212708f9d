/**
 * Raft in the simulator: a 5-node RaftKv cluster under a closed-loop write workload, no faults.
 * Reports committed commands per wall second and virtual seconds per wall second; the ratio compares
 * the world's event rate during the run with a bare binary-heap event loop measured in the same run.
 *
 * Last line: `ratio <x> raft sim events/s vs bare heap event loop events/s`.
 */
import { parseScenario } from '../src/scenario/load.js';
import { runVariant } from '../src/scenario/runner.js';
import { bareHeapLoop, median } from './anchors.js';
import { registerCatalog } from '../src/cli/catalog.js';

registerCatalog();

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const VIRTUAL_MS = Number(process.env.BENCH_VIRTUAL_MS ?? 30_000);

const scenario = parseScenario(
  `
name: bench-raft
topology: { nodes: 5 }
network: { latency: { dist: uniform, min: 0.5, max: 2 } }
disk: { fsyncMs: { dist: uniform, min: 0.2, max: 1 } }
system: { process: truth/raft-kv }
workload:
  type: closed
  clients: 50
  durationMs: ${VIRTUAL_MS}
  ops: { write: 1 }
  keys: { dist: uniform, count: 100 }
  target: random
  settleMs: 100
`,
  'bench-raft',
).variants[0];

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
process.stdout.write(`5 nodes, 50 clients: ${Math.round(median(commits)).toLocaleString('en-US')} committed commands per wall second, ${median(virtualPerWall).toFixed(2)} virtual s per wall s\n`);
process.stdout.write(`ratio ${(median(eventRates) / median(bares)).toFixed(3)} raft sim events/s vs bare heap event loop events/s\n`);
