/**
 * The state pillar's hot paths: partitioner lookups per second over 100 nodes, against hash mod n
 * (one hash and a remainder) in the same run; and CRDT merges of large states (a G-Counter of 1,000
 * replicas, an OR-Set of 10,000 elements) against copying a Map of the same size; the same OR-Set
 * merge by the in-place replica, as a whole state and as the delta of the 5,000 adds; and by the dot store
 * (or-set-dot-store.ts: columns per replica, joined in place, deltas are states), whole and as a delta of
 * 50 adds. Median of 5 rounds.
 */
import { ConsistentHashPartitioner, HashModN, RangePartitioner, Rendezvous, gCounter, orSet, ORSetDotStore, ORSetReplica, type ORSetDelta, type Partitioner, type ORSet } from '../src/state/index.js';
import { median } from './anchors.js';

const ROUNDS = 5;
const LOOKUPS = 1_000_000;
const nodes = Array.from({ length: 100 }, (_, i) => `node${i}`);
const keys = Array.from({ length: 65536 }, (_, i) => `user:${i}`);
const sortedKeys = [...keys].sort();
const partitioners: Partitioner[] = [
  new HashModN(nodes),
  new ConsistentHashPartitioner(nodes, 100),
  new Rendezvous(nodes),
  new RangePartitioner(
    nodes.slice(1).map((_, i) => sortedKeys[Math.floor(((i + 1) * sortedKeys.length) / nodes.length)]),
    nodes,
  ),
];

function lookupsPerSec(p: Partitioner, n = LOOKUPS): number {
  const t0 = process.hrtime.bigint();
  let sink = 0;
  for (let i = 0; i < n; i++) sink += p.owner(keys[i & 65535]).length;
  if (sink === 0) throw new Error('no lookups');
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

const rates: Record<string, number[]> = {};
for (let r = 0; r <= ROUNDS; r++) {
  for (const p of partitioners) {
    // Rendezvous scores every node per lookup: fewer lookups keep the round short.
    const x = lookupsPerSec(p, p.name === 'rendezvous' ? LOOKUPS / 20 : LOOKUPS);
    if (r > 0) (rates[p.name] ??= []).push(x);
  }
}
const m = (k: string) => median(rates[k]);
for (const p of partitioners) process.stdout.write(`${p.name.padEnd(16)} ${(m(p.name) / 1e6).toFixed(2).padStart(7)} M lookups/s (100 nodes)\n`);

// Merges of large states.
let a = gCounter.empty();
let b = gCounter.empty();
for (let i = 0; i < 1000; i++) {
  a = gCounter.increment(a, `r${i}`, i);
  b = gCounter.increment(b, `r${i}`, 1000 - i);
}
let sa: ORSet = orSet.empty();
let sb: ORSet = orSet.empty();
for (let i = 0; i < 10_000; i++) {
  sa = orSet.add(sa, `r${i % 3}`, `item${i}`);
  if (i % 2 === 0) sb = orSet.add(sb, `r${(i % 3) + 3}`, `item${i}`);
}
const time = (f: () => unknown, reps: number) => {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) f();
  return reps / (Number(process.hrtime.bigint() - t0) / 1e9);
};
const anchorMap = new Map(Object.entries(a));
const g: number[] = [], s: number[] = [], copy: number[] = [];
for (let r = 0; r <= ROUNDS; r++) {
  const x = time(() => gCounter.merge(a, b), 2000);
  const y = time(() => orSet.merge(sa, sb), 20);
  const z = time(() => new Map(anchorMap), 2000);
  if (r === 0) continue;
  g.push(x);
  s.push(y);
  copy.push(z);
}
process.stdout.write(`g-counter merge, 1,000 replicas: ${median(g).toFixed(0)} merges/s (copying a 1,000-entry Map: ${median(copy).toFixed(0)}/s)\n`);
process.stdout.write(`or-set merge, 10,000 + 5,000 elements: ${median(s).toFixed(1)} merges/s\n`);

// The same merge in place: a replica holding sa takes in sb, whole (joinState) or as the delta of its
// 5,000 adds (joinDelta). A join changes the replica, so each one gets a fresh copy, made untimed.
const deltaB: ORSetDelta = { adds: Object.entries(sb.entries).flatMap(([element, dots]) => dots.map((dot) => ({ element, dot }))), removes: [] };
const JOINS = 20;
const freshReplicas = () =>
  Array.from({ length: JOINS }, () => {
    const r = new ORSetReplica('r9');
    r.joinState(sa);
    return r;
  });
const timeJoins = (join: (r: ORSetReplica) => void) => {
  const fresh = freshReplicas();
  const t0 = process.hrtime.bigint();
  for (const r of fresh) join(r);
  return JOINS / (Number(process.hrtime.bigint() - t0) / 1e9);
};
const inPlace: number[] = [], delta: number[] = [];
for (let r = 0; r <= ROUNDS; r++) {
  const x = timeJoins((replica) => replica.joinState(sb));
  const y = timeJoins((replica) => replica.joinDelta(deltaB));
  if (r === 0) continue;
  inPlace.push(x);
  delta.push(y);
}
// What anti-entropy ships between replicas that already share most of the set: the last 50 adds.
const recent: ORSetDelta = { adds: deltaB.adds.slice(-50), removes: [] };
const small: number[] = [];
for (let r = 0; r <= ROUNDS; r++) {
  const x = timeJoins((replica) => replica.joinDelta(recent));
  if (r > 0) small.push(x);
}
const check = freshReplicas()[0];
check.joinDelta(deltaB);
if (check.value().join() !== orSet.value(orSet.merge(sa, sb)).join()) throw new Error('the in-place join disagrees with orSet.merge');
process.stdout.write(`or-set merge in place, the same states: ${median(inPlace).toFixed(1)} merges/s whole, ${median(delta).toFixed(1)} as the delta of the 5,000 adds\n`);
process.stdout.write(`or-set delta of the last 50 adds into 10,000 elements: ${median(small).toFixed(0)} joins/s\n`);

// The dot store: the same two states, joined whole in place (a fresh copy of A per join, made untimed).
const storeA = ORSetDotStore.fromValue('r9', sa);
const storeB = ORSetDotStore.fromValue('r8', sb);
// A delta group of 50 adds of new elements at r3, as its mutators return them.
const writer = storeB.clone('r3');
const group = new ORSetDotStore('r3');
for (let k = 0; k < 50; k++) group.join(writer.add(`new${k}`));
// Sample by sample, interleaved with the immutable merge so both see the same load on a shared
// machine: each sample joins into a fresh copy of A, made untimed just before (a live replica's state).
const SAMPLES = 31;
const nsOf = (f: () => unknown) => {
  const t0 = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t0);
};
const storeWholeNs: number[] = [], storeDeltaNs: number[] = [], immutableNs: number[] = [];
for (let k = 0; k <= SAMPLES; k++) {
  const forWhole = storeA.clone();
  const forDelta = storeA.clone();
  const x = nsOf(() => forWhole.join(storeB));
  const y = nsOf(() => forDelta.join(group));
  const z = nsOf(() => orSet.merge(sa, sb));
  if (k === 0) continue;
  storeWholeNs.push(x);
  storeDeltaNs.push(y);
  immutableNs.push(z);
}
const storeWhole = 1e9 / median(storeWholeNs), storeDelta = 1e9 / median(storeDeltaNs), immutableInterleaved = 1e9 / median(immutableNs);
const joined = storeA.clone();
joined.join(storeB);
if (joined.value().join() !== orSet.value(orSet.merge(sa, sb)).join()) throw new Error('the dot store join disagrees with orSet.merge');
process.stdout.write(`or-set dot store join, the same states: ${storeWhole.toFixed(0)} joins/s whole (immutable merge in the same samples: ${immutableInterleaved.toFixed(1)}/s); a delta of 50 adds: ${storeDelta.toFixed(0)} joins/s\n`);
process.stdout.write(`ratio ${(median(delta) / median(s)).toFixed(1)} or-set delta joins/s vs whole-state merges/s (the value form), the same 10,000 + 5,000\n`);
process.stdout.write(`ratio ${(storeWhole / immutableInterleaved).toFixed(1)} or-set dot store joins/s vs immutable merges/s, the same 10,000 + 5,000, interleaved (goal: at least 100)\n`);
process.stdout.write(`ratio ${(m('consistent-hash') / m('hash-mod-n')).toFixed(3)} consistent-hash lookups/s vs hash mod n lookups/s\n`);
