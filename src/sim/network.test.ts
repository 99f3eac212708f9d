import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Network, defaultNetwork, type NetworkConfig } from './network.js';
import { RandomStreams } from './rng.js';

const nodes = [
  { index: 0, id: 'n1' },
  { index: 1, id: 'n2' },
];

/** Arrival times of `count` messages n1 -> n2 sent every `everyMs`, and which were lost. */
function arrivals(config: Partial<NetworkConfig>, count: number, everyMs: number): { due: number[]; lost: number[] } {
  const net = new Network(nodes, { ...defaultNetwork, ...config }, new RandomStreams(7));
  const due: number[] = [];
  const lost: number[] = [];
  for (let i = 0; i < count; i++) {
    const now = i * everyMs;
    const d = net.delayOrLost(0, 1, 1, now);
    if (d < 0) lost.push(i);
    else due.push(now + d);
  }
  return { due, lost };
}

const overtaken = (due: number[]) => due.filter((t, i) => i > 0 && t < due[i - 1]).length;

test('on an any-order link a later message overtakes an earlier one; on a fifo link never, and ties keep send order', () => {
  const latency = { dist: 'uniform', min: 0.5, max: 5 } as const;
  const any = arrivals({ latency }, 2_000, 0.1);
  const fifo = arrivals({ latency, ordering: 'fifo' }, 2_000, 0.1);
  assert.ok(overtaken(any.due) > 500, `any: ${overtaken(any.due)} of 2,000 overtaken`);
  assert.equal(overtaken(fifo.due), 0);
  // Never earlier than its own draw: fifo only ever holds a message back.
  for (let i = 0; i < any.due.length; i++) assert.ok(fifo.due[i] >= any.due[i]);
});

test('fifo changes arrival times only: the same messages are lost, from the same draws', () => {
  const config = { latency: { dist: 'exponential', mean: 2 } as const, loss: 0.2, reorder: 0.1 };
  const any = arrivals(config, 1_000, 0.3);
  const fifo = arrivals({ ...config, ordering: 'fifo' }, 1_000, 0.3);
  assert.deepEqual(fifo.lost, any.lost);
  assert.ok(any.lost.length > 100);
  assert.equal(overtaken(fifo.due), 0);
});

test('a held-back message holds back the ones behind it on a fifo link, as a retransmission does', () => {
  const net = new Network(nodes, { ...defaultNetwork, latency: { dist: 'constant', value: 1 }, ordering: 'fifo' }, new RandomStreams(1));
  const slow = net.slowLinks([[0, 1]], 50, 'slow for one message');
  assert.equal(net.delayOrLost(0, 1, 1, 0), 51);
  net.endSlowLinks(slow);
  // The link is fast again, but the next message cannot pass the first; one sent after it arrived can.
  assert.equal(10 + net.delayOrLost(0, 1, 1, 10), 51);
  assert.equal(net.delayOrLost(0, 1, 1, 60), 1);
  // The other direction has its own order.
  assert.equal(net.delayOrLost(1, 0, 1, 60), 1);
});
