/** Anchors measured in the same run as the figures they are compared with. */
import { execFileSync } from 'node:child_process';
import type { MessageCodec } from '../src/sim/network.js';
import { Sfc32 } from '../src/sim/rng.js';

interface Ev {
  time: number;
  seq: number;
  fn: () => void;
}

/**
 * The anchor of the simulator benchmarks: the smallest honest discrete-event loop, a binary heap of
 * (time, seq) with a closure per event, `inFlight` events pending at once, each scheduling the next
 * with a random delay. Returns events per second.
 */
export function bareHeapLoop(inFlight: number, events: number): number {
  const heap: Ev[] = [];
  let seq = 0;
  let now = 0;
  const less = (a: Ev, b: Ev) => a.time < b.time || (a.time === b.time && a.seq < b.seq);
  const push = (e: Ev) => {
    let i = heap.length;
    heap.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(e, heap[p])) break;
      heap[i] = heap[p];
      i = p;
    }
    heap[i] = e;
  };
  const pop = (): Ev => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      const n = heap.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && less(heap[r], heap[l]) ? r : l;
        if (!less(heap[c], last)) break;
        heap[i] = heap[c];
        i = c;
      }
      heap[i] = last;
    }
    return top;
  };
  const rng = new Sfc32(1, 2, 3, 4);
  const handler = () => push({ time: now + 1 + 9 * rng.next(), seq: seq++, fn: handler });
  for (let i = 0; i < inFlight; i++) handler();
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < events; k++) {
    const e = pop();
    now = e.time;
    e.fn();
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return events / s;
}


export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * The codec a simulator benchmark measures: BENCH_CODEC, or the world's default (peer). The other
 * codec's figure comes from a fresh process (otherCodecRun): a process that has seen both encoded and
 * by-reference messages has slower, polymorphic call sites everywhere, which no single run has.
 */
export const benchCodec: MessageCodec = process.env.BENCH_CODEC === 'none' ? 'none' : 'peer';

/** This benchmark's output run again in its own process with network.codec none; undefined inside that run. */
export function otherCodecRun(): string[] | undefined {
  if (process.env.BENCH_CODEC !== undefined) return undefined;
  const out = execFileSync(process.execPath, [process.argv[1]], { env: { ...process.env, BENCH_CODEC: 'none' }, encoding: 'utf8' });
  return out.trim().split('\n');
}

/** The number after `label` in the first line that has it (commas allowed), or NaN. */
export function figure(lines: readonly string[], label: string): number {
  for (const l of lines) {
    const i = l.indexOf(label);
    if (i >= 0) return Number(/[\d,.]+/.exec(l.slice(i + label.length))?.[0].replaceAll(',', ''));
  }
  return NaN;
}
