import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Context, Process } from '../runtime/context.js';
import { encodePeerMessage } from '../runtime/peer-codec.js';
import { World, type NodeOptions } from './world.js';

/** A node that records what reaches it (with true virtual time) and can be told to send. */
class Probe implements Process {
  static log: string[] = [];
  constructor(readonly ctx: Context, readonly world: () => World) {}
  onMessage(from: string, msg: unknown): void {
    Probe.log.push(`${this.world().now.toFixed(3)} ${from}->${this.ctx.id} ${JSON.stringify(msg)}`);
  }
}

function world(n: number, extra: Partial<ConstructorParameters<typeof World>[0]> = {}, nodeExtra: Partial<NodeOptions> = {}): World {
  Probe.log = [];
  let w: World | undefined;
  const nodes = Array.from({ length: n }, (_, i) => ({ id: `n${i + 1}`, factory: (ctx: Context) => new Probe(ctx, () => w!), ...nodeExtra }));
  w = new World({ seed: 1, nodes, network: { latency: { dist: 'constant', value: 10 } }, ...extra });
  w.start();
  return w;
}

const probe = (w: World, id: string) => w.process(id) as Probe;
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

test('messages arrive after the link latency', () => {
  const w = world(2);
  probe(w, 'n1').ctx.send('n2', { type: 'hi' });
  w.run(100);
  assert.deepEqual(Probe.log, ['10.000 n1->n2 {"type":"hi"}']);
});

test('a partition drops messages between groups, not within; heal restores them', () => {
  const w = world(3);
  const h = w.partition([['n1'], ['n2', 'n3']]);
  probe(w, 'n1').ctx.send('n2', 'cut');
  probe(w, 'n2').ctx.send('n3', 'inside');
  w.run(50);
  w.heal(h);
  probe(w, 'n1').ctx.send('n2', 'healed');
  w.run(100);
  assert.deepEqual(Probe.log, ['10.000 n2->n3 "inside"', '60.000 n1->n2 "healed"']);
  assert.equal(w.metrics.counter('net_dropped'), 1);
});

test('a partition that starts while a message is in flight cuts it', () => {
  const w = world(2);
  probe(w, 'n1').ctx.send('n2', 'in flight');
  w.run(5);
  w.partition([['n1'], ['n2']]);
  w.run(100);
  assert.deepEqual(Probe.log, []);
});

test('a one-way partition cuts one direction only', () => {
  const w = world(2);
  w.partitionOneWay(['n1'], ['n2']);
  probe(w, 'n1').ctx.send('n2', 'a->b');
  probe(w, 'n2').ctx.send('n1', 'b->a');
  w.run(100);
  assert.deepEqual(Probe.log, ['10.000 n2->n1 "b->a"']);
});

test('overlapping partitions heal independently', () => {
  const w = world(2);
  const a = w.partition([['n1'], ['n2']]);
  w.partitionOneWay(['n1'], ['n2']);
  w.heal(a);
  probe(w, 'n1').ctx.send('n2', 'still cut');
  probe(w, 'n2').ctx.send('n1', 'open');
  w.run(100);
  assert.deepEqual(Probe.log, ['10.000 n2->n1 "open"']);
});

test('loss drops about the configured fraction; duplication delivers twice', () => {
  const lossy = world(2, { network: { latency: { dist: 'constant', value: 1 }, loss: 0.3 } });
  for (let i = 0; i < 10_000; i++) probe(lossy, 'n1').ctx.send('n2', i);
  lossy.run(10);
  const delivered = Probe.log.length;
  assert.ok(Math.abs(delivered / 10_000 - 0.7) < 0.02, `delivered ${delivered}`);
  const dup = world(2, { network: { latency: { dist: 'uniform', min: 1, max: 5 }, duplicate: 1 } });
  probe(dup, 'n1').ctx.send('n2', 'twice');
  dup.run(10);
  assert.equal(Probe.log.length, 2);
});

test('latency distributions: uniform jitter reorders messages', () => {
  const w = world(2, { network: { latency: { dist: 'uniform', min: 1, max: 50 } } });
  for (let i = 0; i < 50; i++) probe(w, 'n1').ctx.send('n2', i);
  w.run(100);
  const order = Probe.log.map((l) => Number(l.split(' ').pop()));
  assert.equal(order.length, 50);
  assert.notDeepEqual(order, [...order].sort((a, b) => a - b));
});

test('region matrix and link overrides set per-link latency', () => {
  Probe.log = [];
  let w: World | undefined;
  const nodes = ['n1', 'n2', 'n3'].map((id, i) => ({ id, region: i < 2 ? 'us' : 'eu', factory: (ctx: Context) => new Probe(ctx, () => w!) }));
  w = new World({
    seed: 1,
    nodes,
    network: { latency: { dist: 'constant', value: 1 }, regionLatency: { us: { eu: { dist: 'constant', value: 80 } } }, links: [{ from: 'n1', to: 'n2', latency: { dist: 'constant', value: 7 } }] },
  });
  w.start();
  probe(w, 'n1').ctx.send('n2', 'override');
  probe(w, 'n1').ctx.send('n3', 'us->eu');
  probe(w, 'n3').ctx.send('n2', 'eu->us');
  probe(w, 'n3').ctx.send('n3', 'self');
  w.run(200);
  assert.deepEqual(Probe.log, ['1.000 n3->n3 "self"', '7.000 n1->n2 "override"', '80.000 n1->n3 "us->eu"', '80.000 n3->n2 "eu->us"']);
});

test('clocks have offsets and drift; timers run on the local clock', () => {
  let w2: World | undefined;
  const fired: number[] = [];
  const nodes = [
    { id: 'a', factory: (ctx: Context) => ({ start: () => ctx.setTimer(1000, () => fired.push(w2!.now)), onMessage() {} }), clock: { offsetMs: 500, driftPpm: 100_000 } },
    { id: 'b', factory: () => ({ onMessage() {} }) },
  ];
  w2 = new World({ seed: 1, nodes });
  w2.run(2000);
  assert.equal(Math.round(w2.clock('a')), 500 + 2200);
  assert.equal(w2.clock('b'), 2000);
  assert.ok(Math.abs(fired[0] - 1000 / 1.1) < 1e-9, `fired at ${fired[0]}`);
  w2.skewClock('b', { offsetMs: -300 });
  assert.equal(w2.clock('b'), 1700);
});

test('crash loses what was not fsynced; restart rebuilds the process from its disk', () => {
  let w: World | undefined;
  const seen: (string | undefined)[] = [];
  const synced: string[] = [];
  const nodes = [
    {
      id: 'n1',
      factory: (ctx: Context) => ({
        start() {
          seen.push(dec(ctx.disk.read('log')));
        },
        onMessage(_: string, msg: unknown) {
          ctx.disk.append('log', enc(String(msg)));
          if (msg === 'durable') ctx.disk.fsync('log', () => synced.push(String(msg)));
        },
      }),
    },
    { id: 'n2', factory: (ctx: Context) => ((sender = ctx), { onMessage() {} }) },
  ];
  let sender: Context | undefined;
  w = new World({ seed: 3, nodes, network: { latency: { dist: 'constant', value: 1 } }, disk: { fsyncMs: { dist: 'constant', value: 5 } } });
  w.start();
  const send = (m: string) => sender!.send('n1', m);
  send('durable');
  w.run(20); // fsync done at 6
  send('+volatile');
  w.run(40);
  assert.equal(dec(w.disk('n1').read('log')), 'durable+volatile');
  w.crash('n1');
  w.restart('n1');
  assert.deepEqual(seen, [undefined, 'durable']);
  assert.deepEqual(synced, ['durable']);
});

test('an fsync interrupted by a crash never completes and its data is lost', () => {
  let done = 0;
  const nodes = [{ id: 'n1', factory: (ctx: Context) => ({ start() { ctx.disk.write('f', enc('x')); ctx.disk.fsync('f', () => done++); }, onMessage() {} }) }];
  const w = new World({ seed: 1, nodes, disk: { fsyncMs: { dist: 'constant', value: 10 } } });
  w.run(5);
  w.crash('n1');
  w.run(50);
  assert.equal(done, 0);
  assert.equal(w.disk('n1').read('f'), undefined);
});

test('timers and sends die with a crashed incarnation', () => {
  let fired = 0;
  let oldCtx: Context | undefined;
  const nodes = [
    { id: 'n1', factory: (ctx: Context) => ({ start() { oldCtx ??= ctx; ctx.setTimer(10, () => fired++); }, onMessage() {} }) },
    { id: 'n2', factory: (ctx: Context) => new Probe(ctx, () => w) },
  ];
  Probe.log = [];
  const w: World = new World({ seed: 1, nodes });
  w.run(5);
  w.crash('n1');
  w.restart('n1'); // a new incarnation sets its own timer at 15
  oldCtx!.send('n2', 'from the dead');
  w.run(100);
  assert.equal(fired, 1);
  assert.deepEqual(Probe.log, []);
});

test('a paused node receives nothing and fires no timer until it resumes, then catches up in order', () => {
  const got: string[] = [];
  let w: World | undefined;
  const nodes = [
    { id: 'n1', factory: (ctx: Context) => ({ start() { ctx.setTimer(20, () => got.push(`timer@${w!.now}`)); }, onMessage(_: string, m: unknown) { got.push(`${m}@${w!.now}`); } }) },
    { id: 'n2', factory: (ctx: Context) => ({ start() { ctx.send('n1', 'm1'); }, onMessage() {} }) },
  ];
  w = new World({ seed: 1, nodes, network: { latency: { dist: 'constant', value: 10 } } });
  w.start();
  w.pause('n1');
  w.run(50);
  assert.deepEqual(got, []);
  w.resume('n1');
  assert.deepEqual(got, ['m1@50', 'timer@50']);
});

test('a timer that fired during a pause can still be cleared by work deferred before it', () => {
  const got: string[] = [];
  let w: World | undefined;
  const nodes = [
    {
      id: 'n1',
      factory: (ctx: Context) => {
        let timeout = 0;
        return {
          start() { timeout = ctx.setTimer(20, () => got.push('timeout')); },
          onMessage(_: string, m: unknown) { got.push(String(m)); ctx.clearTimer(timeout); },
        };
      },
    },
    { id: 'n2', factory: (ctx: Context) => ({ start() { ctx.send('n1', 'reply'); }, onMessage() {} }) },
  ];
  w = new World({ seed: 1, nodes, network: { latency: { dist: 'constant', value: 10 } } });
  w.start();
  w.pause('n1');
  w.run(50);
  w.resume('n1');
  w.run(100);
  // The reply arrived (t=10) before the timeout fired (t=20): handling it cancels the timeout.
  assert.deepEqual(got, ['reply']);
});

test('a slow node sends and processes more slowly (gray failure)', () => {
  const w = world(2, {}, { cpuMsPerMessage: 1 });
  w.setSlow('n1', 5);
  probe(w, 'n1').ctx.send('n2', 'a');
  probe(w, 'n2').ctx.send('n1', 'b');
  probe(w, 'n2').ctx.send('n1', 'c');
  w.run(200);
  // n1 -> n2: latency 10 x 5, then 1 ms of n2's CPU. n2 -> n1: 10, then 5 ms each of n1's slow CPU, queued.
  assert.deepEqual(Probe.log, ['15.000 n2->n1 "b"', '20.000 n2->n1 "c"', '51.000 n1->n2 "a"']);
});

test('the same seed gives the same trace; another seed a different one', () => {
  const run = (seed: number) => {
    const lines: string[] = [];
    const nodes = Array.from({ length: 4 }, (_, i) => ({
      id: `n${i + 1}`,
      factory: (ctx: Context) => ({
        start() { ctx.setTimer(ctx.random() * 10, () => ctx.send(ctx.peers[0], { type: 'x', r: ctx.random() })); },
        onMessage(_: string, m: unknown) { if ((m as { r: number }).r < 0.9) ctx.send(ctx.peers[Math.floor(ctx.random() * ctx.peers.length)], { type: 'x', r: ctx.random() }); },
      }),
    }));
    const w = new World({ seed, nodes, network: { latency: { dist: 'exponential', mean: 5 }, loss: 0.05 }, trace: (l) => lines.push(l) });
    w.run(1000);
    return { hash: w.trace.hash(), lines: lines.join('\n') };
  };
  const a = run(1), b = run(1), c = run(2);
  assert.equal(a.hash, b.hash);
  assert.equal(a.lines, b.lines);
  assert.notEqual(a.hash, c.hash);
});

/** A node that keeps every message it receives and changes it, as a careless receiver might. */
class Mutator implements Process {
  static received: { tags: string[] }[] = [];
  constructor(readonly ctx: Context) {}
  onMessage(_from: string, msg: unknown): void {
    const m = msg as { tags: string[] };
    m.tags.push(`seen by ${this.ctx.id}`);
    Mutator.received.push(m);
  }
}

function mutatorWorld(codec: 'peer' | 'none'): World {
  Mutator.received = [];
  const nodes = ['n1', 'n2'].map((id) => ({ id, factory: (ctx: Context) => new Mutator(ctx) }));
  const w = new World({ seed: 1, nodes, network: { latency: { dist: 'constant', value: 1 }, duplicate: 1, codec } });
  w.start();
  return w;
}

test('with the peer codec each delivery holds its own copy: a receiver changes neither the sender\'s object nor a duplicate', () => {
  const w = mutatorWorld('peer');
  const sent = { type: 'x', tags: ['sent'] };
  (w.process('n1') as Mutator).ctx.send('n2', sent);
  w.run(100);
  assert.equal(Mutator.received.length, 2, 'duplicate: 1 delivers the message twice');
  assert.deepEqual(sent.tags, ['sent']);
  assert.deepEqual(Mutator.received.map((m) => m.tags), [['sent', 'seen by n2'], ['sent', 'seen by n2']]);
  assert.notEqual(Mutator.received[0], Mutator.received[1]);
});

test('without a codec the receiver holds the sender\'s object, so a change leaks back (what the codec guards against)', () => {
  const w = mutatorWorld('none');
  const sent = { type: 'x', tags: ['sent'] };
  (w.process('n1') as Mutator).ctx.send('n2', sent);
  w.run(100);
  assert.deepEqual(sent.tags, ['sent', 'seen by n2', 'seen by n2']);
});

test('the peer codec delivers what a real peer would decode: a Map as an object, a Set as an array, a class as its fields', () => {
  class Point {
    constructor(readonly x: number) {}
    norm(): number {
      return Math.abs(this.x);
    }
  }
  const w = world(2);
  probe(w, 'n1').ctx.send('n2', { type: 'odd', byKey: new Map([['a', 1]]), set: new Set([2]), point: new Point(-3), later: 'sent' });
  w.run(100);
  assert.deepEqual(Probe.log, ['10.000 n1->n2 {"type":"odd","byKey":{"a":1},"set":[2],"point":{"x":-3},"later":"sent"}']);
});

test('a message is encoded at send: what the sender changes afterwards does not travel', () => {
  const w = world(2);
  const msg = { type: 'x', value: 'at send' };
  probe(w, 'n1').ctx.send('n2', msg);
  msg.value = 'changed after';
  w.run(100);
  assert.deepEqual(Probe.log, ['10.000 n1->n2 {"type":"x","value":"at send"}']);
});

test('the exported send record carries the encoded size; the codec leaves the traceHash of faithful messages unchanged', () => {
  const run = (codec: 'peer' | 'none') => {
    const lines: string[] = [];
    const nodes = ['n1', 'n2'].map((id) => ({
      id,
      factory: (ctx: Context) => ({
        start() { if (ctx.id === 'n1') ctx.send('n2', { type: 'x', payload: 'a'.repeat(100) }); },
        onMessage() {},
      }),
    }));
    const w = new World({ seed: 3, nodes, network: { codec }, trace: (l) => lines.push(l) });
    w.run(100);
    return { hash: w.trace.hash(), send: JSON.parse(lines.find((l) => l.includes('"send"'))!) as { bytes?: number } };
  };
  const peer = run('peer'), none = run('none');
  assert.equal(peer.send.bytes, encodePeerMessage({ type: 'x', payload: 'a'.repeat(100) }).length);
  assert.equal(none.send.bytes, undefined);
  assert.equal(peer.hash, run('peer').hash);
  assert.equal(peer.hash, none.hash);
});
