/**
 * The linearizability checker's speed on histories of 10,000 and 100,000 operations over 100 keys,
 * with 16 concurrent processes. The histories are built linearizable by construction: each operation
 * takes effect at a random point between its invocation and its completion, on a real register.
 * The anchor is parsing the same history from JSON lines (what any checker must at least do).
 *
 * Last line: `ratio <x> checker ops/s vs JSON.parse of the history ops/s` (for 100,000 operations).
 */
import { checkLinearizable, kvModel } from '../src/check/linearizability.js';
import { parseHistory } from '../src/check/history-file.js';
import { toJsonLine, type HistoryEvent } from '../src/check/history.js';
import { Sfc32 } from '../src/sim/rng.js';
import { median } from './anchors.js';

const PROCESSES = 16;
const KEYS = 100;

function history(ops: number): HistoryEvent[] {
  const rng = new Sfc32(7, 11, 13, 17);
  const events: { e: HistoryEvent; t: number; order: number }[] = [];
  const effects: { at: number; apply: () => void }[] = [];
  const register = new Map<string, number>();
  let order = 0;
  let valueNext = 0;
  const clock = new Array(PROCESSES).fill(0);
  for (let i = 0; i < ops; i++) {
    const p = i % PROCESSES;
    const call = clock[p] + rng.next() * 10;
    const at = call + rng.next() * 20;
    const ret = at + rng.next() * 20;
    clock[p] = ret;
    const key = `k${Math.floor(rng.next() * KEYS)}`;
    if (rng.next() < 0.5) {
      const value = valueNext++;
      events.push({ e: { process: p, type: 'invoke', f: 'write', key, value, time: Math.round(call * 1e6) }, t: call, order: order++ });
      events.push({ e: { process: p, type: 'ok', f: 'write', key, value, time: Math.round(ret * 1e6) }, t: ret, order: order++ });
      effects.push({ at, apply: () => register.set(key, value) });
    } else {
      const invoke: HistoryEvent = { process: p, type: 'invoke', f: 'read', key, value: null, time: Math.round(call * 1e6) };
      const done: HistoryEvent = { process: p, type: 'ok', f: 'read', key, value: null, time: Math.round(ret * 1e6) };
      events.push({ e: invoke, t: call, order: order++ }, { e: done, t: ret, order: order++ });
      effects.push({ at, apply: () => (done.value = register.get(key) ?? null) });
    }
  }
  effects.sort((a, b) => a.at - b.at);
  for (const x of effects) x.apply();
  return events.sort((a, b) => a.t - b.t || a.order - b.order).map((x) => x.e);
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
let ratio = 0;
for (const n of [10_000, 100_000]) {
  const h = history(n);
  const text = h.map(toJsonLine).join('\n');
  const checks: number[] = [];
  const parses: number[] = [];
  for (let r = 0; r <= ROUNDS; r++) {
    let t0 = process.hrtime.bigint();
    const res = checkLinearizable(h, kvModel);
    const check = Number(process.hrtime.bigint() - t0) / 1e9;
    if (!res.ok) throw new Error(`a linearizable history was rejected (${n} operations)`);
    t0 = process.hrtime.bigint();
    parseHistory(text);
    const parse = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r === 0) continue;
    checks.push(n / check);
    parses.push(n / parse);
  }
  const c = median(checks), p = median(parses);
  ratio = c / p;
  process.stdout.write(`${n.toLocaleString('en-US')} operations over ${KEYS} keys: checker ${Math.round(c).toLocaleString('en-US')} ops/s, parsing ${Math.round(p).toLocaleString('en-US')} ops/s\n`);
}
process.stdout.write(`ratio ${ratio.toFixed(3)} checker ops/s vs JSON.parse of the history ops/s\n`);
