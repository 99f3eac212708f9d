import { test } from 'node:test';
import assert from 'node:assert/strict';
import { History, NANOS_PER_MS } from '../../check/history.js';
import { MetricsRegistry } from '../../sim/metrics.js';
import { checks } from '../processes.js';

const entry = checks['no-oversell'];
const ms = (x: number) => x * NANOS_PER_MS;
/** Two SKUs of two units each, as the platform's config gives them. */
const facts = (h: History) => ({ history: h, variant: { system: { process: 'platform/ecommerce', config: { skus: 2, stockPerSku: 2 } } } }) as never;

function checkout(h: History, process: number, key: string, from: number, to: number, type: 'ok' | 'fail' | 'info', node = 'gw-us'): void {
  h.add({ process, type: 'invoke', f: 'write', key, value: null, time: ms(from), node });
  h.add({ process, type, f: 'write', key, time: ms(to), node, error: type === 'ok' ? undefined : 'sold out' });
}

/** The shop's day so far: k1 sold out exactly (a third buyer told so, a fourth left waiting), k2 wraps to SKU 0. */
function soldOut(): History {
  const h = new History();
  checkout(h, 0, 'k1', 0, 10, 'ok');
  h.add({ process: 1, type: 'invoke', f: 'read', key: 'k1', value: null, time: ms(12) });
  h.add({ process: 1, type: 'ok', f: 'read', key: 'k1', value: 'page', time: ms(13) });
  checkout(h, 1, 'k1', 15, 20, 'ok');
  checkout(h, 2, 'k2', 21, 22, 'ok');
  checkout(h, 3, 'k1', 25, 30, 'fail');
  checkout(h, 4, 'k1', 31, 3031, 'info');
  return h;
}

test('no-oversell holds while every SKU has at most its stock acknowledged; refusals and timeouts sell nothing', () => {
  const out = entry.run(facts(soldOut()), {});
  assert.equal(out.ok, true, out.detail);
  assert.equal(out.detail, '3 checkouts acknowledged over 2 SKUs of 2 units each: 0 units oversold in 0 SKUs');
  assert.deepEqual(out.metrics, { acked_checkouts: 3, oversold_acked_units: 0 });
});

test('no-oversell fails at the first order acknowledged beyond the stock, and names it', () => {
  const h = soldOut();
  // Two buyers read the same last unit: both are told yes, the later one first.
  h.add({ process: 5, type: 'invoke', f: 'write', key: 'k1', value: null, time: ms(40), node: 'gw-us' });
  checkout(h, 6, 'k1', 41, 45, 'ok', 'gw-eu');
  h.add({ process: 5, type: 'ok', f: 'write', key: 'k1', time: ms(50), node: 'gw-us' });
  const out = entry.run(facts(h), {});
  assert.equal(out.ok, false);
  assert.equal(out.detail, "5 checkouts acknowledged over 2 SKUs of 2 units each: 2 units oversold in 1 SKU; the first: SKU 1 (stock 2): process 6's checkout of k1 begun at 41.000 ms (via gw-eu) was acknowledged at 45.000 ms as unit 3");
  assert.deepEqual(out.metrics, { acked_checkouts: 5, oversold_acked_units: 2 });
  assert.equal(entry.failsForGood?.({}, new MetricsRegistry()), true, 'a unit sold twice stays sold whatever follows');
});

test('no-oversell is refused on a system that is not the e-commerce platform', () => {
  const out = entry.run({ history: new History(), variant: { system: { process: 'truth/raft-kv', config: {} } } } as never, {});
  assert.deepEqual([out.ok, out.error], [false, true]);
  assert.match(out.detail, /needs system.process platform\/ecommerce/);
});
