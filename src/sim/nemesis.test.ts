import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Context } from '../runtime/context.js';
import { randomFaults, scheduleFaults, type RandomNemesisConfig } from './nemesis.js';
import { RandomStreams } from './rng.js';
import { World } from './world.js';

const servers = ['n1', 'n2', 'n3', 'n4', 'n5'];
const cfg: RandomNemesisConfig = {
  faults: ['partition', 'one-way', 'crash', 'pause', 'slow', 'clock', 'loss'],
  intervalMs: 1000,
  durationMs: 700,
  startMs: 0,
  stopMs: 30_000,
  slowFactor: 10,
  clockOffsetMsMax: 500,
  lossProbability: 0.5,
};

test('a random schedule is a function of the seed', () => {
  const a = randomFaults(new RandomStreams(9).stream('nemesis'), cfg, servers);
  const b = randomFaults(new RandomStreams(9).stream('nemesis'), cfg, servers);
  const c = randomFaults(new RandomStreams(10).stream('nemesis'), cfg, servers);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('a random schedule uses every kind, names only servers, and ends every fault by stopMs', () => {
  const faults = randomFaults(new RandomStreams(1).stream('nemesis'), cfg, servers);
  assert.ok(faults.length >= 20 && faults.length <= 60, `${faults.length} faults in 30 s`);
  const kinds = new Set(faults.map((f) => Object.keys(f).find((k) => k !== 'at' && k !== 'for')));
  assert.deepEqual([...kinds].sort(), ['clock', 'crash', 'loss', 'oneWay', 'partition', 'pause', 'slow']);
  for (const f of faults) {
    assert.ok(f.at + f.for! <= cfg.stopMs + 1e-9);
    for (const id of [f.crash, f.pause, f.slow?.node, f.clock?.node, ...(f.partition?.flat() ?? [])]) if (id !== undefined) assert.ok(servers.includes(id));
    if (f.partition) assert.equal(f.partition.flat().length, servers.length);
  }
});

test('scheduled faults are applied and undone on time', () => {
  const nodes = servers.map((id) => ({ id, factory: (_: Context) => ({ onMessage() {} }) }));
  const w = new World({ seed: 1, nodes });
  scheduleFaults(w, [
    { at: 10, for: 20, crash: 'n1' },
    { at: 10, for: 30, pause: 'n2' },
    { at: 15, partition: [['n3'], ['n4', 'n5']] },
  ]);
  w.run(12);
  assert.equal(w.status('n1'), 'down');
  assert.equal(w.status('n2'), 'paused');
  w.run(20);
  assert.equal(w.network.partitions.length, 1);
  w.run(35);
  assert.equal(w.status('n1'), 'up');
  assert.equal(w.status('n2'), 'paused');
  w.run(45);
  assert.equal(w.status('n2'), 'up');
  assert.equal(w.network.partitions.length, 1, 'a fault without `for` stays');
});

test('a clock fault jumps the clock and, when it ends, jumps back to the configured drift', () => {
  const nodes = [{ id: 'n1', factory: (_: Context) => ({ onMessage() {} }), clock: { driftPpm: 1000 } }];
  const w = new World({ seed: 1, nodes });
  scheduleFaults(w, [{ at: 100, for: 100, clock: { node: 'n1', offsetMs: 5000, driftPpm: 0 } }]);
  w.run(150);
  assert.ok(Math.abs(w.clock('n1') - (100 * 1.001 + 5000 + 50)) < 1e-9);
  w.run(300);
  assert.ok(Math.abs(w.clockDriftPpm('n1') - 1000) < 1e-6);
  assert.ok(Math.abs(w.clock('n1') - (100 * 1.001 + 100 + 100 * 1.001)) < 1e-6);
});

test('"leader" aims a fault at the node leading when it strikes; isolate cuts it from the other servers only', () => {
  let leader = 'n3';
  const nodes = [
    ...servers.map((id) => ({ id, factory: (ctx: Context) => ({ onMessage() {}, describe: () => ({ role: ctx.id === leader ? 'leader' : 'follower' }) }) })),
    { id: 'c1', kind: 'client' as const, factory: (_: Context) => ({ onMessage() {} }) },
  ];
  const w = new World({ seed: 1, nodes, network: { latency: { dist: 'constant', value: 1 } } });
  w.start();
  scheduleFaults(w, [
    { at: 10, for: 50, isolate: 'leader' },
    { at: 20, for: 50, clock: { node: 'leader', driftPpm: -500_000 } },
  ]);
  w.run(15);
  leader = 'n1'; // leadership moves; the isolation stays on n3 and ends there
  w.run(25);
  assert.equal(w.clockDriftPpm('n1'), -500_000);
  assert.equal(w.clockDriftPpm('n3'), 0);
  assert.deepEqual(w.network.partitions.map((p) => p.description), ['n3 | n1,n2,n4,n5']);
  w.run(65);
  assert.equal(w.network.partitions.length, 0);
});

test('a slow link adds its latency to the messages sent on it while it lasts, one way or both, and nothing else', () => {
  // Every node pings every other every 10 ms, so each link sends at the same times in every run.
  const arrivals: { from: string; to: string; sentMs: number; atMs: number }[] = [];
  const ids = ['n1', 'n2', 'n3'];
  const nodes = ids.map((id) => ({
    id,
    factory: (ctx: Context) => {
      const ping = () => {
        if (ctx.now() >= 100) return;
        for (const to of ids) if (to !== id) ctx.send(to, { sentMs: ctx.now() });
        ctx.setTimer(10, ping);
      };
      return {
        start: ping,
        onMessage(from: string, msg: { sentMs: number }) {
          arrivals.push({ from, to: id, sentMs: msg.sentMs, atMs: ctx.now() });
        },
      };
    },
  }));
  const run = (faults: Parameters<typeof scheduleFaults>[1]) => {
    arrivals.length = 0;
    const w = new World({ seed: 3, nodes, network: { latency: { dist: 'uniform', min: 1, max: 3 } } });
    scheduleFaults(w, faults);
    w.run(200);
    return { hash: w.trace.hash(), delays: arrivals.map((a) => ({ ...a, ms: a.atMs - a.sentMs })) };
  };
  const calm = run([]);
  const both = run([{ at: 25, for: 40, slowLink: { from: ['n1'], to: ['n2'], addedMs: 50 } }]);
  const oneWay = run([{ at: 25, for: 40, slowLink: { from: ['n2'], to: ['n1'], addedMs: 50, oneWay: true } }]);
  const stacked = run([{ at: 25, for: 40, slowLink: { from: ['n1'], to: ['n2'], addedMs: 50 } }, { at: 35, for: 10, slowLink: { from: ['n1'], to: ['n2'], addedMs: 0.1, oneWay: true } }]);
  const key = (a: { from: string; to: string; sentMs: number }) => `${a.from}>${a.to}@${a.sentMs}`;
  const calmBy = new Map(calm.delays.map((a) => [key(a), a.ms]));
  const slowedIn = (r: typeof calm, from: string, to: string) =>
    r.delays.filter((a) => calmBy.has(key(a))).map((a) => ({ a, extra: Math.round((a.ms - calmBy.get(key(a))!) * 1e6) / 1e6 })).filter((x) => x.a.from === from && x.a.to === to);
  // Sent between 25 and 65 ms on n1 <-> n2: 50 ms more; the same draws otherwise, so the rest is unchanged.
  for (const r of [both, stacked]) {
    for (const [from, to] of [['n1', 'n2'], ['n2', 'n1']]) {
      const xs = slowedIn(r, from, to);
      assert.ok(xs.length > 5);
      for (const { a, extra } of xs) assert.equal(extra, a.sentMs >= 25 && a.sentMs < 65 ? (r === stacked && from === 'n1' && a.sentMs >= 35 && a.sentMs < 45 ? 50.1 : 50) : 0, `${key(a)}`);
    }
    for (const { extra } of [...slowedIn(r, 'n1', 'n3'), ...slowedIn(r, 'n3', 'n1')]) assert.equal(extra, 0);
  }
  for (const { a, extra } of slowedIn(oneWay, 'n2', 'n1')) assert.equal(extra, a.sentMs >= 25 && a.sentMs < 65 ? 50 : 0);
  for (const { extra } of slowedIn(oneWay, 'n1', 'n2')) assert.equal(extra, 0);
  assert.equal(new Set([calm.hash, both.hash, oneWay.hash, stacked.hash]).size, 4);
  assert.equal(run([{ at: 25, for: 40, slowLink: { from: ['n1'], to: ['n2'], addedMs: 50 } }]).hash, both.hash);
});
