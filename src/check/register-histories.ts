/**
 * Register histories linearizable by construction, shaped like the ones Porcupine is measured on
 * (etcd and key-value tests from Jepsen): a fixed number of client processes, each running one
 * operation at a time, each operation taking effect at a random point between its invocation and its
 * completion on a real register. Used by the checker's benchmark and its tests.
 */
import { Sfc32 } from '../sim/rng.js';
import type { HistoryEvent } from './history.js';

export interface RegisterHistoryShape {
  operations: number;
  processes: number;
  keys: number;
  seed: number;
  /** The share of reads; the rest are writes of unique values. */
  readShare?: number;
}

export function linearizableRegisterHistory(shape: RegisterHistoryShape): HistoryEvent[] {
  const rng = new Sfc32(shape.seed, 11, 13, 17);
  const readShare = shape.readShare ?? 0.5;
  const events: { e: HistoryEvent; order: number }[] = [];
  const effects: { at: number; apply: () => void }[] = [];
  const register = new Map<string, number>();
  let valueNext = 1;
  const clock = new Array<number>(shape.processes).fill(0);
  for (let i = 0; i < shape.operations; i++) {
    const p = i % shape.processes;
    // Integer nanoseconds, as histories carry them; effects at half-nanoseconds never tie with them.
    const call = clock[p] + 1 + Math.floor(rng.next() * 10_000);
    const at = call + 0.5 + Math.floor(rng.next() * 20_000);
    const ret = Math.ceil(at + rng.next() * 20_000);
    clock[p] = ret;
    const key = `k${Math.floor(rng.next() * shape.keys)}`;
    if (rng.next() >= readShare) {
      const value = valueNext++;
      events.push({ e: { process: p, type: 'invoke', f: 'write', key, value, time: call }, order: 2 * i });
      events.push({ e: { process: p, type: 'ok', f: 'write', key, value, time: ret }, order: 2 * i + 1 });
      effects.push({ at, apply: () => register.set(key, value) });
    } else {
      const done: HistoryEvent = { process: p, type: 'ok', f: 'read', key, value: null, time: ret };
      events.push({ e: { process: p, type: 'invoke', f: 'read', key, value: null, time: call }, order: 2 * i }, { e: done, order: 2 * i + 1 });
      effects.push({ at, apply: () => (done.value = register.get(key) ?? null) });
    }
  }
  effects.sort((a, b) => a.at - b.at);
  for (const x of effects) x.apply();
  return events.sort((a, b) => a.e.time - b.e.time || a.order - b.order).map((x) => x.e);
}

/**
 * The same history with one stale read near `at` (a fraction of the way through): a read that began
 * after a write completed, which itself began after another write completed, now returns the older
 * of the two values. Values are unique, so no order explains it: the history is not linearizable.
 */
export function withStaleRead(events: readonly HistoryEvent[], at = 0.5): HistoryEvent[] {
  const out = events.map((e) => ({ ...e }));
  const writes: { key: string; value: unknown; call: number; ret: number }[] = [];
  const open = new Map<number, HistoryEvent>();
  const startAt = Math.floor(out.length * at);
  for (let i = 0; i < out.length; i++) {
    const e = out[i];
    if (e.type === 'invoke') {
      open.set(e.process, e);
      continue;
    }
    const call = open.get(e.process)!;
    open.delete(e.process);
    if (e.f === 'write') writes.push({ key: e.key!, value: e.value, call: call.time, ret: e.time });
    if (e.f !== 'read' || i < startAt) continue;
    const sameKey = writes.filter((w) => w.key === e.key && w.ret < call.time);
    for (const newer of sameKey) {
      const older = sameKey.find((w) => w.ret < newer.call);
      if (older !== undefined) {
        e.value = older.value;
        return out;
      }
    }
  }
  throw new Error('no read in the history can be made stale');
}
