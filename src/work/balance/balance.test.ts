import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RandomStreams } from '../../sim/rng.js';
import { Scheduler } from '../../sim/scheduler.js';
import { ManualClock } from '../../runtime/clock.js';
import { ConsistentHash, LeastOutstanding, Maglev, PeakEwma, PowerOfChoices, RandomBalancer, RoundRobin, WeightedRoundRobin } from './index.js';

const stream = (seed: number) => {
  const s = new RandomStreams(seed).stream('balance');
  return () => s.next();
};
const names = (n: number, prefix = 'b') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

test('round robin cycles; smooth weighted round robin interleaves by weight (nginx: 5,1,1 -> a a b a c a a)', () => {
  const rr = new RoundRobin(['a', 'b', 'c']);
  assert.deepEqual(Array.from({ length: 6 }, () => rr.pick()), ['a', 'b', 'c', 'a', 'b', 'c']);
  const w = new WeightedRoundRobin({ a: 5, b: 1, c: 1 });
  assert.deepEqual(Array.from({ length: 7 }, () => w.pick()).join(' '), 'a a b a c a a');
  assert.throws(() => new WeightedRoundRobin({ a: 0 }), /weights.a/);
  assert.throws(() => new RoundRobin([]), /backends/);
});

test('balls into bins, n = m = 10^6: one random choice peaks at 8-10 balls, two choices at 4', () => {
  const n = 1_000_000;
  const bins = names(n);
  const one = new RandomBalancer(bins, stream(1));
  const count1 = new Map<string, number>();
  let max1 = 0;
  for (let i = 0; i < n; i++) {
    const b = one.pick();
    const c = (count1.get(b) ?? 0) + 1;
    count1.set(b, c);
    if (c > max1) max1 = c;
  }
  const two = new PowerOfChoices(bins, stream(2), 2);
  let max2 = 0;
  for (let i = 0; i < n; i++) {
    const b = two.pick();
    two.onStart(b); // balls stay: the load is the count
    max2 = Math.max(max2, two.load.of(b));
  }
  assert.ok(max1 >= 8 && max1 <= 10, `one choice: max ${max1}`);
  assert.equal(max2, 4, `two choices: max ${max2}`);
});

/**
 * The supermarket model: n FIFO servers with exponential service (rate 1), Poisson arrivals at
 * rate lambda per server; each arrival joins the shortest of d queues sampled at random. Mean time
 * in system: 1 / (1 - lambda) for d = 1 (M/M/1), and sum_{i>=1} lambda^((d^i - d)/(d - 1)) for large
 * n (Mitzenmacher 1996), 2.614 for d = 2, lambda = 0.9.
 */
function supermarket(d: number, n: number, lambda: number, jobs: number, seed: number): number {
  const random = stream(seed);
  const servers = names(n, 's');
  const index = new Map(servers.map((s, i) => [s, i]));
  const len = new Int32Array(n);
  const busyUntil = new Float64Array(n);
  const p = new PowerOfChoices(servers, random, d, (s) => len[index.get(s)!]);
  // Departures run on the simulator's own event heap.
  const departures = new Scheduler();
  let t = 0;
  let sum = 0;
  let counted = 0;
  // An M/M/1 queue at 90% load forgets its empty start only after hundreds of service times.
  const warmup = jobs / 3;
  for (let j = 0; j < jobs; j++) {
    t += -Math.log(1 - random()) / (lambda * n);
    departures.runUntil(t);
    const q = index.get(p.pick())!;
    const finish = Math.max(t, busyUntil[q]) - Math.log(1 - random());
    busyUntil[q] = finish;
    len[q]++;
    departures.at(finish, () => len[q]--);
    if (j >= warmup) {
      sum += finish - t;
      counted++;
    }
  }
  return sum / counted;
}

test('supermarket model, n = 1000, lambda = 0.9: mean time in system ~10 with one choice, ~2.61 with two', () => {
  const one = supermarket(1, 1000, 0.9, 3_000_000, 3);
  const two = supermarket(2, 1000, 0.9, 1_000_000, 4);
  let theory2 = 0;
  for (let i = 1; i < 40; i++) theory2 += 0.9 ** (2 ** i - 2);
  assert.ok(Math.abs(theory2 - 2.614) < 1e-3);
  assert.ok(Math.abs(one - 10) / 10 < 0.05, `d=1: ${one}`);
  assert.ok(Math.abs(two - theory2) / theory2 < 0.03, `d=2: ${two} vs ${theory2}`);
});

test('least outstanding picks the backend with the fewest requests in flight', () => {
  const lo = new LeastOutstanding(['a', 'b', 'c']);
  lo.onStart('a');
  lo.onStart('a');
  lo.onStart('b');
  assert.equal(lo.pick(), 'c');
  lo.onStart('c');
  lo.onStart('c');
  assert.equal(lo.pick(), 'b');
  lo.onEnd('a');
  lo.onEnd('a');
  assert.equal(lo.pick(), 'a');
});

test('consistent hashing: balanced with virtual nodes, and a joining backend moves about 1/n of the keys (hash mod n: almost all)', () => {
  const keys = names(100_000, 'user');
  const ten = new ConsistentHash(names(10), 200);
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(ten.pick(k), (counts.get(ten.pick(k)) ?? 0) + 1);
  const max = Math.max(...counts.values());
  assert.ok(max / (keys.length / 10) < 1.25, `max/mean ${max / 10_000}`);
  const eleven = new ConsistentHash(names(11), 200);
  const moved = keys.filter((k) => ten.pick(k) !== eleven.pick(k)).length / keys.length;
  assert.ok(Math.abs(moved - 1 / 11) < 0.02, `moved ${moved}`);
  // Every key that moved went to the new backend.
  assert.ok(keys.every((k) => ten.pick(k) === eleven.pick(k) || eleven.pick(k) === 'b10'));
  const modMoved = keys.filter((k) => hashMod(k, 10) !== hashMod(k, 11)).length / keys.length;
  assert.ok(modMoved > 0.85, `mod n moved ${modMoved}`);
});

const hashMod = (k: string, n: number) => Number.parseInt(k.slice(4), 10) % n;

test('bounded loads: a hot key spills onto its neighbours; no backend passes ceil((1 + eps) m / n)', () => {
  const ch = new ConsistentHash(names(10), 100, 0.25);
  const plain = new ConsistentHash(names(10), 100);
  for (let i = 0; i < 1000; i++) {
    const b = ch.pick('celebrity');
    ch.onStart(b);
    const p = plain.pick('celebrity');
    plain.onStart(p);
  }
  const max = Math.max(...ch.load.counts.values());
  assert.ok(max <= Math.ceil((1.25 * 1000) / 10), `max ${max}`);
  assert.equal(Math.max(...plain.load.counts.values()), 1000, 'plain consistent hashing sends them all to one backend');
  // A key whose owner has room stays with its owner.
  const quiet = new ConsistentHash(names(10), 100, 0.25);
  assert.equal(quiet.pick('someone'), quiet.owner('someone'));
});

test('maglev: every backend owns M/n slots give or take one; removing one moves few other keys', () => {
  const ten = new Maglev(names(10));
  const owned = new Array(10).fill(0);
  for (const i of ten.table) owned[i]++;
  assert.ok(Math.max(...owned) - Math.min(...owned) <= 1, `${owned}`);
  const nine = new Maglev(names(10).filter((b) => b !== 'b3'));
  const keys = names(100_000, 'flow');
  const stayed = keys.filter((k) => ten.pick(k) !== 'b3');
  const disrupted = stayed.filter((k) => ten.pick(k) !== nine.pick(k)).length / stayed.length;
  assert.ok(disrupted < 0.05, `disrupted ${disrupted}`);
  assert.throws(() => new Maglev(['a'], 100), /tableSize/);
});

test('peak EWMA steers away from a backend at its first slow answer, and forgives it over time', () => {
  const clock = new ManualClock();
  const pe = new PeakEwma(['fast', 'slow'], stream(5), clock, 1000);
  pe.onStart('fast');
  pe.onEnd('fast', 5, true);
  pe.onStart('slow');
  pe.onEnd('slow', 500, true);
  const picks = Array.from({ length: 100 }, () => pe.pick());
  assert.ok(picks.filter((p) => p === 'fast').length > 70);
  // Fast answers from 'slow' pull its estimate down as time passes.
  for (let i = 0; i < 50; i++) {
    clock.advance(100);
    pe.onStart('slow');
    pe.onEnd('slow', 5, true);
  }
  assert.ok(pe.latency('slow') < 10, `${pe.latency('slow')}`);
});
