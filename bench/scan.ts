/**
 * SCAN over 200,000 keys in the replicated KV's state machine: milliseconds per SCAN COUNT 10 step,
 * the whole walk at COUNT 1000, and what a key's first write costs with the ordered index kept. The
 * anchor is one pass over every key computing its position, the least a step without an index does
 * (the step before the index made two such passes: 176 ms per COUNT 10 step, 47.6 s for the walk).
 */
import { KvStateMachine } from '../src/truth/kv.js';
import { scanPosition } from '../src/truth/kv-keyspace.js';
import { median } from './anchors.js';

const KEYS = 200_000;
const ROUNDS = 3;

function round(): { loadMs: number; stepMs: number; walkMs: number; passMs: number; seen: number } {
  const kv = new KvStateMachine();
  let t = performance.now();
  for (let i = 0; i < KEYS; i++) kv.apply({ op: { f: 'write', key: `key:${i}`, value: 'v' }, nowMs: 0 });
  const loadMs = performance.now() - t;
  const scan = (cursor: number, count: number) => kv.query({ f: 'scan', value: { cursor, count } }, 0) as [string, string[]];
  let cursor = 0;
  let steps = 0;
  t = performance.now();
  do {
    cursor = Number(scan(cursor, 10)[0]);
    steps++;
  } while (cursor !== 0 && steps < 1_000);
  const stepMs = (performance.now() - t) / steps;
  const seen = new Set<string>();
  t = performance.now();
  cursor = 0;
  do {
    const [next, keys] = scan(cursor, 1_000);
    for (const k of keys) seen.add(k);
    cursor = Number(next);
  } while (cursor !== 0);
  const walkMs = performance.now() - t;
  t = performance.now();
  let sink = 0;
  for (const k of kv.data.keys()) sink += scanPosition(k) & 1;
  const passMs = performance.now() - t + (sink < 0 ? 1 : 0);
  return { loadMs, stepMs, walkMs, passMs, seen: seen.size };
}

const rounds = Array.from({ length: ROUNDS }, round);
const m = (f: (r: (typeof rounds)[number]) => number) => median(rounds.map(f));
if (rounds.some((r) => r.seen !== KEYS)) throw new Error(`a walk missed keys: ${rounds.map((r) => r.seen).join(', ')}`);
console.log(`SCAN over ${KEYS.toLocaleString('en')} keys (median of ${ROUNDS} rounds):`);
console.log(`  SCAN COUNT 10, one step          ${m((r) => r.stepMs).toFixed(3)} ms   (anchor: one pass over every key ${m((r) => r.passMs).toFixed(1)} ms)`);
console.log(`  whole walk at COUNT 1000         ${Math.round(m((r) => r.walkMs))} ms, every key returned`);
console.log(`  first write of each key (load)   ${(m((r) => r.loadMs) * 1000 / KEYS).toFixed(2)} us per key, index kept`);
