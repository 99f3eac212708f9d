/**
 * The work pillar's hot paths: balancer picks per second over 100 backends against a bare
 * array-index pick, and the overhead per task of a concurrency-limited executor (our bulkhead with an
 * unbounded queue) against p-limit, both measured in the same run. Median of 7 rounds.
 */
import pLimit from 'p-limit';
import { Bulkhead } from '../src/control/index.js';
import { ConsistentHash, LeastOutstanding, Maglev, PeakEwma, PowerOfChoices, RandomBalancer, RoundRobin, type Balancer } from '../src/work/index.js';
import { Sfc32 } from '../src/sim/rng.js';
import { median } from './anchors.js';

const ROUNDS = 7;
const PICKS = 2_000_000;
const backends = Array.from({ length: 100 }, (_, i) => `b${i}`);
const rng = new Sfc32(1, 2, 3, 4);
const random = () => rng.next();
const clock = { now: () => 0 };
const keys = Array.from({ length: 4096 }, (_, i) => `user${i}`);

function picksPerSec(b: Balancer, keyed: boolean): number {
  const t0 = process.hrtime.bigint();
  let sink = 0;
  for (let i = 0; i < PICKS; i++) {
    const x = b.pick(keyed ? keys[i & 4095] : undefined);
    b.onStart?.(x);
    b.onEnd?.(x, 1, true);
    sink += x.length;
  }
  if (sink === 0) throw new Error('no picks');
  return PICKS / (Number(process.hrtime.bigint() - t0) / 1e9);
}

function barePicksPerSec(): number {
  const t0 = process.hrtime.bigint();
  let sink = 0;
  for (let i = 0; i < PICKS; i++) sink += backends[i % backends.length].length;
  if (sink === 0) throw new Error('no picks');
  return PICKS / (Number(process.hrtime.bigint() - t0) / 1e9);
}

const balancers: [string, () => Balancer, boolean][] = [
  ['round-robin', () => new RoundRobin(backends), false],
  ['random', () => new RandomBalancer(backends, random), false],
  ['least-outstanding', () => new LeastOutstanding(backends), false],
  ['p2c', () => new PowerOfChoices(backends, random), false],
  ['peak-ewma', () => new PeakEwma(backends, random, clock), false],
  ['consistent-hash', () => new ConsistentHash(backends, 100), true],
  ['bounded', () => new ConsistentHash(backends, 100, 0.25), true],
  ['maglev', () => new Maglev(backends), true],
];

const bare: number[] = [];
const rates: Record<string, number[]> = {};
for (let r = 0; r <= ROUNDS; r++) {
  const b0 = barePicksPerSec();
  if (r > 0) bare.push(b0);
  for (const [name, make, keyed] of balancers) {
    const x = picksPerSec(make(), keyed);
    if (r > 0) (rates[name] ??= []).push(x);
  }
}
const fmt = (x: number) => `${(x / 1e6).toFixed(1)} M/s`;
process.stdout.write(`bare array pick: ${fmt(median(bare))}\n`);
for (const [name] of balancers) process.stdout.write(`${name.padEnd(18)} ${fmt(median(rates[name])).padStart(10)}  (pick + start + end)\n`);

// Executors: TASKS tasks through a limit of 10, each an async function that resolves at once.
const TASKS = 200_000;
async function nsPerTask(run: (task: () => Promise<number>) => Promise<number>): Promise<number> {
  const t0 = process.hrtime.bigint();
  const all: Promise<number>[] = [];
  for (let i = 0; i < TASKS; i++) all.push(run(async () => i));
  await Promise.all(all);
  return Number(process.hrtime.bigint() - t0) / TASKS;
}
const ours: number[] = [];
const theirs: number[] = [];
const bareTask: number[] = [];
for (let r = 0; r <= ROUNDS; r++) {
  const limit = pLimit(10);
  const bh = new Bulkhead({ maxConcurrent: 10, maxQueue: Infinity });
  const a = await nsPerTask((t) => t());
  const b = await nsPerTask((t) => limit(t));
  const c = await nsPerTask((t) => bh.execute(t));
  if (r === 0) continue;
  bareTask.push(a);
  theirs.push(b);
  ours.push(c);
}
const over = (x: number[]) => median(x) - median(bareTask);
process.stdout.write(`executor, limit 10, ${TASKS.toLocaleString('en-US')} queued tasks: bare ${median(bareTask).toFixed(0)} ns/task; pillars bulkhead +${over(ours).toFixed(0)} ns, p-limit +${over(theirs).toFixed(0)} ns\n`);
process.stdout.write(`ratio ${(over(ours) / over(theirs)).toFixed(3)} pillars executor overhead per task vs p-limit\n`);
