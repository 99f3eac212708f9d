import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Context } from '../../../runtime/context.js';
import { marketConfigSchema, type MarketMsg } from './market-config.js';
import { BigSeller, TradingAgent } from './traders.js';

/** A Context that records what a trader sends; no noise (its draws give a zero normal). */
function fakeContext(id: string, nowMs = 0) {
  const sent: MarketMsg[] = [];
  const ctx = {
    id,
    peers: ['n1', 'n2', 'n3', 'n4', 'n12'].filter((n) => n !== id),
    now: () => nowMs,
    random: () => 0.75, // cos(2 pi 0.75) = 0: the noise order is 0 contracts
    send: (_to: string, msg: unknown) => sent.push(msg as MarketMsg),
    setTimer: () => 0,
    clearTimer: () => {},
    metrics: { count: () => {}, observe: () => {}, gauge: () => {} },
    log: () => {},
  } as unknown as Context;
  return { ctx, sent };
}

const tick = (t: number, price: number, soldContracts = 0, halted = false): MarketMsg => ({ type: 'tick', tick: t, price, soldContracts, halted });

test('an agent sells on a fall past its threshold, on heavy selling by others, and gets its contracts back when refused', () => {
  const config = marketConfigSchema.parse({ agents: { inventoryContracts: 300, sellContracts: 150, momentumPct: { min: 1, max: 2 }, herdContracts: { min: 1000, max: 2000 }, lookbackTicks: 2 } });
  // n2 is the most nervous of the agents n2, n3, n4: momentum 1%, herding 1,000 contracts.
  const { ctx, sent } = fakeContext('n2');
  const agent = new TradingAgent(ctx, config);
  agent.onMessage('n1', tick(1, 100));
  agent.onMessage('n1', tick(2, 99.5));
  assert.equal(sent.length, 0, 'a 0.5% fall is within its threshold');
  agent.onMessage('n1', tick(3, 98.9)); // 1.1% below two ticks ago
  assert.deepEqual(sent.at(-1), { type: 'order', tick: 3, contracts: -150 });
  agent.onMessage('n1', { type: 'refused', tick: 3, contracts: -150 });
  agent.onMessage('n1', tick(4, 98.9, 1000)); // the others sold 1,000: herding
  agent.onMessage('n1', tick(5, 98.9, 1000));
  agent.onMessage('n1', tick(6, 98.9, 1000));
  // 300 contracts: two orders of 150 after the refund, then nothing left.
  assert.deepEqual(sent.slice(1).map((m) => (m as { contracts: number }).contracts), [-150, -150]);
  agent.onMessage('n1', tick(7, 90, 5000, true));
  assert.equal(sent.length, 3, 'nothing is sent while halted');
});

test('the large seller sells its order at its pace from its start, pauses in a halt and resumes with what was refused', () => {
  const config = marketConfigSchema.parse({ bigOrder: { atMs: 0, contracts: 1200, perTickContracts: 500 } });
  const { ctx, sent } = fakeContext('n12');
  const seller = new BigSeller(ctx, config);
  seller.onMessage('n1', tick(1, 100));
  seller.onMessage('n1', { type: 'refused', tick: 1, contracts: -500 });
  seller.onMessage('n1', tick(2, 100, 0, true));
  for (let t = 3; t <= 6; t++) seller.onMessage('n1', tick(t, 100));
  assert.deepEqual(sent.map((m) => (m as { contracts: number }).contracts), [-500, -500, -500, -200]);
});
