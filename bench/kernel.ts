/**
 * Kernel benchmark: message ping-pong among simulated nodes, against a bare binary-heap event loop
 * measured in the same run.
 *
 * The simulator side: NODES nodes, each starting one message; a node that receives a message sends it
 * on to a random peer. Every hop is a full trip through the world: the Context, the network (a latency
 * draw from the link's stream, partition check), the scheduler, the trace hash, the delivery.
 * The anchor: a minimal (time, seq) binary heap whose handler schedules the next event with a random
 * delay, with the same number of events in flight. Its throughput is the ceiling of any discrete-event
 * simulator written this way; the ratio says how much of it the world keeps.
 *
 * Messages cross as the peer codec's bytes (the world's default); the same benchmark with messages by
 * reference (network.codec none) runs in a fresh process, and the codec's price per delivery is printed.
 *
 * Last line: `ratio <ours/anchor> sim deliveries/s vs bare heap event loop events/s`.
 */
import type { Context, Process } from '../src/runtime/context.js';
import { World } from '../src/sim/world.js';
import { bareHeapLoop, benchCodec, figure, median, otherCodecRun } from './anchors.js';

const NODES = 64;
const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 2_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

class Relay implements Process {
  constructor(private readonly ctx: Context) {}
  start(): void {
    this.forward(0);
  }
  onMessage(_from: string, msg: unknown): void {
    this.forward((msg as { hops: number }).hops + 1);
  }
  private forward(hops: number): void {
    const peers = this.ctx.peers;
    this.ctx.send(peers[Math.floor(this.ctx.random() * peers.length)], { type: 'ping', hops });
  }
}

function simRun(): { perSec: number; hash: string } {
  const nodes = Array.from({ length: NODES }, (_, i) => ({ id: `n${i + 1}`, factory: (ctx: Context) => new Relay(ctx) }));
  const world = new World({ seed: 42, nodes, network: { latency: { dist: 'uniform', min: 1, max: 10 }, codec: benchCodec } });
  world.start();
  const t0 = process.hrtime.bigint();
  world.scheduler.runUntil(Infinity, DELIVERIES);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { perSec: DELIVERIES / s, hash: world.trace.hash() };
}

const sims: number[] = [];
const bares: number[] = [];
let hash = '';
// Alternate the two so that both see the same machine conditions; the first round warms the JIT.
for (let r = 0; r <= ROUNDS; r++) {
  const sim = simRun();
  const bare = bareHeapLoop(NODES, DELIVERIES);
  if (r === 0) continue;
  sims.push(sim.perSec);
  bares.push(bare);
  if (hash !== '' && hash !== sim.hash) throw new Error(`nondeterminism: traceHash ${hash} then ${sim.hash}`);
  hash = sim.hash;
  process.stdout.write(`round ${r}: sim ${Math.round(sim.perSec).toLocaleString('en-US')} deliveries/s, bare heap ${Math.round(bare).toLocaleString('en-US')} events/s\n`);
}
const sim = median(sims);
const bare = median(bares);
process.stdout.write(`${NODES} nodes, ${DELIVERIES.toLocaleString('en-US')} deliveries per round, traceHash ${hash} (same every round)\n`);
process.stdout.write(`sim: ${Math.round(sim).toLocaleString('en-US')} deliveries/s (median of ${ROUNDS}), messages ${benchCodec === 'peer' ? 'as the peer codec\'s bytes' : 'by reference'}\n`);
const byReference = otherCodecRun();
if (byReference !== undefined) {
  const ref = figure(byReference, 'sim: ');
  const refRatio = figure(byReference, 'ratio ');
  process.stdout.write(`sim by reference (network.codec none, own process): ${Math.round(ref).toLocaleString('en-US')} deliveries/s, ratio ${refRatio.toFixed(3)}; the codec costs ${((1 / sim - 1 / ref) * 1e9).toFixed(0)} ns per delivery\n`);
}
process.stdout.write(`bare heap: ${Math.round(bare).toLocaleString('en-US')} events/s (median of ${ROUNDS})\n`);
process.stdout.write(`ratio ${(sim / bare).toFixed(3)} sim deliveries/s vs bare heap event loop events/s\n`);
