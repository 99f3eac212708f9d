/**
 * A hand fault as the page's fault list says it, the same in one run and side by side:
 * `n1 crashed at 1250 ms, until 2000 ms`, `n1 → n4 slowed +80 ms at 3000 ms`.
 */
import type { Fault } from '../../scenario/index.js';

export function faultItem(id: string, what: string, atMs: number): HTMLLIElement {
  const li = document.createElement('li');
  li.textContent = `${id} ${what} at ${atMs} ms`;
  return li;
}

/** A link as the fault list names it: `n1 ↔ n4`, or `n1 → n4` when cut or slowed one way. */
export function linkName(f: Fault): string {
  if (f.partition !== undefined) return `${f.partition[0][0]} ↔ ${f.partition[1][0]}`;
  if (f.oneWay !== undefined) return `${f.oneWay.from[0]} → ${f.oneWay.to[0]}`;
  const l = f.slowLink!;
  return `${l.from[0]} ${l.oneWay === true ? '→' : '↔'} ${l.to[0]}`;
}

/** What a hand fault did, as the fault list says it: `crashed`, `slowed +80 ms`, `clock +500 ms`. */
export function struckWords(f: Fault): [string, string] {
  if (f.crash !== undefined) return [f.crash, 'crashed'];
  if (f.pause !== undefined) return [f.pause, 'paused'];
  if (f.disk !== undefined) return [f.disk.node, `disk ${f.disk.fault}`];
  if (f.clock !== undefined) return [f.clock.node, `clock ${signedMs(f.clock.offsetMs ?? 0)}`];
  if (f.slowLink !== undefined) return [linkName(f), `slowed +${f.slowLink.addedMs} ms`];
  return [linkName(f), 'cut'];
}

export function signedMs(ms: number): string {
  return `${ms >= 0 ? '+' : '−'}${Math.abs(ms)} ms`;
}

/** A hand fault an address carried, as the list shows it, with its end when it has one. */
export function carriedFaultItem(f: Fault): HTMLLIElement {
  const li = faultItem(...struckWords(f), f.at);
  if (f.for !== undefined) li.textContent += `, until ${f.at + f.for} ms`;
  return li;
}
