/**
 * The TCP transport between real nodes: order, authentication, redialling, bounded queues, frame limits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { TcpTransport, type PeerAddress } from './tcp-transport.js';
import { eventually, freePort, RawClient } from '../testing/real-nodes.js';

const secret = Buffer.from('shared');

async function pair(limits = {}) {
  const [pa, pb] = [await freePort(), await freePort()];
  const peers = new Map<string, PeerAddress>([
    ['a', { host: '127.0.0.1', port: pa }],
    ['b', { host: '127.0.0.1', port: pb }],
  ]);
  const got: { a: unknown[]; b: unknown[] } = { a: [], b: [] };
  const events: string[] = [];
  const make = (id: 'a' | 'b', s = secret) => new TcpTransport({ id, listen: peers.get(id)!, peers, secret: s, onMessage: (from, m) => got[id].push([from, m]), onEvent: (e, f) => events.push(`${id} ${e} ${JSON.stringify(f)}`), limits });
  return { peers, got, events, make };
}

test('messages arrive in the order sent, each once, with undefined fields and bytes intact; queued while the peer is not up yet', async () => {
  const { got, make } = await pair();
  const a = make('a');
  await a.start();
  // b is not listening yet: a queues, redials, and delivers once b is up.
  for (let i = 0; i < 1_000; i++) a.send('b', { type: 'm', i, data: i % 2 === 0 ? undefined : new Uint8Array([i & 255]) });
  const b = make('b');
  await b.start();
  await eventually('1,000 messages', () => got.b.length === 1_000);
  assert.deepEqual(got.b.map((x) => (x as [string, { i: number }])[1].i), Array.from({ length: 1_000 }, (_, i) => i));
  const [from, m] = got.b[0] as [string, { data: unknown }];
  assert.equal(from, 'a');
  assert.ok('data' in m && m.data === undefined, 'an undefined field stays undefined (Raft no-op entries)');
  assert.deepEqual([...((got.b[1] as [string, { data: Uint8Array }])[1].data)], [1]);
  b.send('a', 'hello');
  await eventually('the reply', () => got.a.length === 1);
  assert.equal(a.stats().b.connected, true);
  await a.close();
  await b.close();
});

test('a peer that restarts is redialled; a peer with another secret is refused on both sides and gets nothing', async () => {
  const { got, events, make } = await pair({ redialDelayMinMs: 10, redialDelayMaxMs: 50 });
  const a = make('a');
  let b = make('b');
  const open = [a, b];
  await a.start();
  await b.start();
  try {
    a.send('b', 1);
    await eventually('the first message', () => got.b.length === 1);
    await b.close();
    b = make('b');
    open.push(b);
    await b.start();
    // What was written to the old connection before its end was noticed is lost, as on any TCP link
    // (Raft sends again); once the peer is redialled, messages flow again.
    const resend = setInterval(() => a.send('b', 3), 20);
    await eventually('messages after the restart', () => got.b.some((x) => (x as [string, number])[1] === 3));
    clearInterval(resend);
    await b.close();
    const liar = make('b', Buffer.from('other'));
    open.push(liar);
    await liar.start();
    a.send('b', 4);
    await eventually('both refusals', () => events.some((e) => e.startsWith('b peer_auth_failed') && e.includes('wrong secret')) && events.some((e) => e.startsWith('a peer_auth_failed')));
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(!got.b.some((x) => (x as [string, number])[1] === 4), 'nothing reached the impostor');
  } finally {
    for (const t of open) await t.close();
  }
});

test('the send queue of a peer that never answers is bounded: beyond it messages are dropped and counted', async () => {
  const { make } = await pair({ sendQueueBytesMax: 10_000 });
  const a = make('a');
  await a.start();
  for (let i = 0; i < 1_000; i++) a.send('b', { type: 'append', payload: 'x'.repeat(100) });
  const s = a.stats().b;
  assert.ok(s.queuedBytes <= 10_000, `${s.queuedBytes} bytes queued`);
  assert.ok(s.droppedMessages > 900, `${s.droppedMessages} dropped`);
  assert.equal(s.connected, false);
  await a.close();
});

test('a frame above the limit closes the connection; so does a handshake that never comes', async () => {
  const { peers, events, make } = await pair({ frameBytesMax: 1_000, handshakeTimeoutMs: 200 });
  const b = make('b');
  await b.start();
  const silent = await RawClient.connect(peers.get('b')!);
  await eventually('the silent connection to be cut', () => silent.closed, 3_000);
  assert.ok(events.some((e) => e.includes('peer_auth_failed') && e.includes('no handshake')));
  const big = await RawClient.connect(peers.get('b')!);
  big.write(Buffer.from([0, 1, 0, 0]));
  await eventually('the oversized frame to close it', () => big.closed, 3_000);
  assert.ok(events.some((e) => e.includes('peer_bad_frame') && e.includes('above the limit')));
  await b.close();
  await frameLimitBeforeHandshake();
  // Nothing listens on a port we reserve and close: dialling it just keeps trying, quietly.
  const port = await freePort();
  const lonely = new TcpTransport({ id: 'x', listen: { host: '127.0.0.1', port: await freePort() }, peers: new Map([['y', { host: '127.0.0.1', port }]]), secret, onMessage: () => {} });
  await lonely.start();
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(lonely.stats().y.connected, false);
  await lonely.close();
});

/** Before the handshake a stranger may declare a few kilobytes, not frameBytesMax; after it, peers may. */
async function frameLimitBeforeHandshake(): Promise<void> {
  const { peers, got, events, make } = await pair({ frameBytesMax: 1024 * 1024, handshakeFrameBytesMax: 4096 });
  const a = make('a');
  const b = make('b');
  await a.start();
  await b.start();
  try {
    const stranger = await RawClient.connect(peers.get('b')!);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(4097);
    stranger.write(header);
    await eventually('a 4 KiB + 1 frame before the handshake to close the connection', () => stranger.closed, 3_000);
    assert.ok(events.some((e) => e.includes('peer_bad_frame') && e.includes('frame of 4097 bytes above the limit of 4096')));
    a.send('b', { data: new Uint8Array(512 * 1024) });
    await eventually('a 512 KiB message between authenticated peers', () => got.b.length === 1, 3_000);
  } finally {
    await a.close();
    await b.close();
  }
}

test('strangers that declare 256 MiB frames and send their bytes before any handshake cost the node no memory: each is cut at the header', async () => {
  // The default limits: 256 MiB frames between authenticated peers, a few KiB before the handshake.
  const { peers, events, make } = await pair();
  const b = make('b');
  await b.start();
  try {
    const baseline = process.memoryUsage().rss;
    // The same 16 MiB buffer written again and again: this process holds it once, so growth is the transport's.
    const chunk = Buffer.alloc(16 * 1024 * 1024, 7);
    for (let stranger = 0; stranger < 3; stranger++) {
      const socket = connect(peers.get('b')!.port, peers.get('b')!.host);
      let closed = false;
      socket.on('error', () => {});
      socket.on('close', () => (closed = true));
      await new Promise((r) => socket.once('connect', r));
      const header = Buffer.alloc(4);
      header.writeUInt32BE(256 * 1024 * 1024);
      socket.write(header);
      for (let i = 0; i < 6 && !closed; i++) {
        socket.write(chunk);
        await new Promise((r) => setTimeout(r, 10));
      }
      await eventually('the stranger to be cut off', () => closed, 5_000);
    }
    const growth = process.memoryUsage().rss - baseline;
    assert.equal(events.filter((e) => e.includes('peer_bad_frame')).length, 3);
    assert.ok(growth < 100 * 1024 * 1024, `rss grew by ${Math.round(growth / 1024 / 1024)} MiB`);
  } finally {
    await b.close();
  }
});
