/**
 * Limits that keep a node alive whatever one client does: a command too large for the query buffer,
 * a client that never reads its replies, too many clients, one write too large for one log entry.
 * Each bad input is the one that once took a node's memory up by gigabytes; the node here (in this
 * process) must stay within 100 MB of its resident size before the client came.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { eventually, inProcessCluster, RawClient, resp, testRedis } from '../testing/real-nodes.js';

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
const rssGrowthAllowedBytes = 100 * 1024 * 1024;

test('a command declaring more than the query buffer limit is refused from its headers and the client cut off; memory stays near its baseline', async (t) => {
  const c = await inProcessCluster(1);
  try {
    const address = c.nodes[0].addresses.resp!;
    const baseline = process.memoryUsage().rss;
    // MGET of 20 arguments of 16 MiB each (320 MiB): the same 16 MiB buffer is written each time, so
    // this process holds it once, and any growth is the node's.
    const bulk = Buffer.alloc(16 * 1024 * 1024, 'x');
    const socket = connect(address.port, address.host);
    let received = '';
    let closed = false;
    socket.on('data', (d) => (received += d.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => (closed = true));
    await new Promise((r) => socket.once('connect', r));
    socket.write('*21\r\n$4\r\nMGET\r\n');
    for (let i = 0; i < 20 && !closed; i++) {
      socket.write(`$${bulk.length}\r\n`);
      socket.write(bulk);
      socket.write('\r\n');
      await new Promise((r) => setTimeout(r, 20));
    }
    await eventually('the node to close the connection', () => closed, 10_000);
    const peak = process.memoryUsage().rss;
    t.diagnostic(`rss before ${mb(baseline)} MiB, after the 320 MiB command ${mb(peak)} MiB`);
    assert.equal(received, '-ERR Protocol error: command larger than the query buffer limit of 33554432 bytes\r\n');
    assert.ok(peak - baseline < rssGrowthAllowedBytes, `rss grew by ${mb(peak - baseline)} MiB`);
    const r = testRedis({ port: address.port, host: address.host });
    assert.equal(await r.ping(), 'PONG', 'the node serves the next client');
    r.disconnect();
  } finally {
    await c.stop();
  }
});

test('a client that pipelines GETs of 1 MiB and never reads is cut off at the output buffer limit; memory stays near its baseline', async (t) => {
  const log: string[] = [];
  const c = await inProcessCluster(1, {}, log);
  try {
    const node = c.nodes[0];
    const address = node.addresses.resp!;
    const r = testRedis({ port: address.port, host: address.host });
    await r.set('big', 'v'.repeat(1024 * 1024));
    const baseline = process.memoryUsage().rss;
    const socket = connect(address.port, address.host);
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.pause(); // never reads a reply
    socket.write(resp('GET', 'big').repeat(1_000));
    await eventually('the node to cut the client off', () => log.some((l) => l.includes('client_cut_off')), 20_000);
    await eventually('the client to be gone', () => node.clientCount === 1, 5_000);
    const after = process.memoryUsage().rss;
    t.diagnostic(`rss before ${mb(baseline)} MiB, after 1,000 unread GETs of 1 MiB ${mb(after)} MiB`);
    assert.match(log.find((l) => l.includes('client_cut_off'))!, /client-output-buffer-limit hard/);
    assert.ok(after - baseline < rssGrowthAllowedBytes, `rss grew by ${mb(after - baseline)} MiB`);
    assert.equal((await r.get('big'))!.length, 1024 * 1024, 'the node serves the next client');
    socket.destroy();
    r.disconnect();
  } finally {
    await c.stop();
  }
});

test('a client pipelining more than the query buffer limit is read no further until its commands are answered; all of them apply', async () => {
  const queryBufferBytesMax = 4 * 1024 * 1024;
  const c = await inProcessCluster(3, { limits: { queryBufferBytesMax } });
  try {
    const leader = await c.leader();
    const address = leader.addresses.resp!;
    const value = Buffer.alloc(512 * 1024, 'q');
    const socket = connect(address.port, address.host);
    let received = '';
    socket.on('data', (d) => (received += d.toString('latin1')));
    await new Promise((resolve) => socket.once('connect', resolve));
    // 100 SETs of 512 KiB (50 MiB) in one go; the node holds at most the limit of them, plus what one read brings.
    for (let i = 0; i < 100; i++) {
      socket.write(`*3\r\n$3\r\nSET\r\n$${String(i).length + 2}\r\nq:${i}\r\n$${value.length}\r\n`);
      socket.write(value);
      socket.write('\r\n');
    }
    let held = 0;
    const sampler = setInterval(() => {
      for (const conn of leader.clientConnections()) held = Math.max(held, conn.queryBytes);
    }, 1);
    await eventually('100 replies', () => received.length === 100 * '+OK\r\n'.length, 30_000);
    clearInterval(sampler);
    assert.ok(held > 0, 'the sampler saw the commands held');
    assert.ok(held <= queryBufferBytesMax + 1024 * 1024, `held ${held} bytes of commands, the limit is ${queryBufferBytesMax}`);
    socket.destroy();
  } finally {
    await c.stop();
  }
});

test('past maxclients a new client is told so and closed; the others stay', async () => {
  const c = await inProcessCluster(1, { limits: { clientsMax: 2 } });
  try {
    const address = c.nodes[0].addresses.resp!;
    const first = await RawClient.connect(address);
    const second = await RawClient.connect(address);
    await eventually('two clients', () => c.nodes[0].clientCount === 2);
    const third = await RawClient.connect(address);
    assert.equal(await third.read((t) => t.endsWith('\r\n')), '-ERR max number of clients reached\r\n');
    await eventually('the third to be closed', () => third.closed);
    first.write(resp('PING'));
    assert.equal(await first.read((t) => t.endsWith('\r\n')), '+PONG\r\n');
    first.close();
    second.close();
  } finally {
    await c.stop();
  }
});

test('one MSET of 200,000 pairs with the default limits is refused at once, not proposed; memory stays near its baseline', async (t) => {
  const c = await inProcessCluster(3);
  try {
    const leader = await c.leader();
    const r = testRedis({ port: leader.addresses.resp!.port, host: '127.0.0.1' });
    // The command is encoded before the baseline, so the growth measured is the node's own.
    const pairs = Array.from({ length: 200_000 }, (_, i) => [`k${i}`, `v${i}`]).flat();
    const command = Buffer.from(`*${pairs.length + 1}\r\n$4\r\nMSET\r\n` + pairs.map((a) => `$${a.length}\r\n${a}\r\n`).join(''), 'latin1');
    const raw = await RawClient.connect(leader.addresses.resp!);
    const baseline = process.memoryUsage().rss;
    const started = Date.now();
    raw.write(command);
    assert.equal(await raw.read((text) => text.endsWith('\r\n'), 10_000), '-ERR MSET of 200000 keys is above the limit of 10000 keys in one atomic write (writeKeysMax): send it in parts\r\n');
    const tookMs = Date.now() - started;
    const after = process.memoryUsage().rss;
    t.diagnostic(`refused in ${tookMs} ms; rss before ${mb(baseline)} MiB, after ${mb(after)} MiB`);
    // It once became one log entry that timed out after 12 s while applying, and its retry caused an election.
    assert.ok(tookMs < 5_000, `refused after ${tookMs} ms`);
    assert.equal(await r.exists('k0'), 0, 'nothing of it was written');
    assert.ok(after - baseline < rssGrowthAllowedBytes, `rss grew by ${mb(after - baseline)} MiB`);
    assert.equal(await r.set('after', '1'), 'OK', 'the cluster serves the next write with no election in between');
    raw.close();
    r.disconnect();
  } finally {
    await c.stop();
  }
});

test('2,000 clients past maxclients are each told so and closed; memory stays near its baseline and the first client is served', async (t) => {
  const c = await inProcessCluster(1, { limits: { clientsMax: 1 } });
  try {
    const address = c.nodes[0].addresses.resp!;
    const first = await RawClient.connect(address);
    await eventually('one client', () => c.nodes[0].clientCount === 1);
    const baseline = process.memoryUsage().rss;
    let refused = 0;
    for (let wave = 0; wave < 20; wave++) {
      const extra = await Promise.all(Array.from({ length: 100 }, () => RawClient.connect(address)));
      for (const e of extra) {
        if ((await e.read((text) => text.endsWith('\r\n'))) === '-ERR max number of clients reached\r\n') refused++;
        e.close();
      }
    }
    const after = process.memoryUsage().rss;
    t.diagnostic(`rss before ${mb(baseline)} MiB, after 2,000 refused clients ${mb(after)} MiB`);
    assert.equal(refused, 2_000);
    assert.equal(c.nodes[0].clientCount, 1, 'only the first client is held');
    assert.ok(after - baseline < rssGrowthAllowedBytes, `rss grew by ${mb(after - baseline)} MiB`);
    first.write(resp('PING'));
    assert.equal(await first.read((text) => text.endsWith('\r\n')), '+PONG\r\n');
    first.close();
  } finally {
    await c.stop();
  }
});

test('a write above one log entry (keys or bytes) is refused before the log, saying how to send it; one at the limit applies', async () => {
  const c = await inProcessCluster(1, { limits: { writeKeysMax: 1_000, writeBytesMax: 64 * 1024 } });
  try {
    const r = testRedis({ port: c.nodes[0].addresses.resp!.port, host: '127.0.0.1' });
    const pairs = (n: number, value = 'v') => Array.from({ length: n }, (_, i) => [`k${i}`, value]).flat();
    await assert.rejects(r.mset(...pairs(1_001)), /^ReplyError: ERR MSET of 1001 keys is above the limit of 1000 keys in one atomic write \(writeKeysMax\): send it in parts$/);
    assert.equal(await r.exists('k0'), 0, 'nothing of it was written');
    assert.equal(await r.mset(...pairs(1_000)), 'OK');
    await assert.rejects(r.mset(...pairs(10, 'x'.repeat(10_000))), /ERR MSET of 1000\d\d bytes is above the limit of 65536 bytes in one atomic write \(writeBytesMax\)/);
    await assert.rejects(r.del(...Array.from({ length: 1_001 }, (_, i) => `k${i}`)), /ERR DEL of 1001 keys is above the limit/);
    r.disconnect();
  } finally {
    await c.stop();
  }
});

test('a write that would grow one collection past collectionMembersMax is refused whole; the collection stays at the cap', async () => {
  const c = await inProcessCluster(1, { limits: { collectionMembersMax: 2_000 } });
  try {
    const r = testRedis({ port: c.nodes[0].addresses.resp!.port, host: '127.0.0.1' });
    const members = (from: number, n: number) => Array.from({ length: n }, (_, i) => `m${from + i}`);
    assert.equal(await r.sadd('s', ...members(0, 1_000)), 1_000);
    assert.equal(await r.sadd('s', ...members(1_000, 1_000)), 1_000, 'up to the cap');
    await assert.rejects(r.sadd('s', ...members(1_999, 2)), /^ReplyError: ERR collection would hold 2001 members, above the limit of 2000 members in one collection \(collectionMembersMax\)$/);
    assert.equal(await r.scard('s'), 2_000, 'nothing of the refused write was added');
    await assert.rejects(r.rpush('l', ...members(0, 2_001)), /collectionMembersMax/);
    await assert.rejects(r.hset('h', Object.fromEntries(members(0, 2_001).map((m) => [m, 'v']))), /collectionMembersMax/);
    await assert.rejects(r.zadd('z', ...members(0, 2_001).flatMap((m, i) => [i, m])), /collectionMembersMax/);
    assert.equal(await r.exists('l', 'h', 'z'), 0);
    // Inside a transaction the refused write is one failed reply; the others apply, as in Redis.
    const replies = await r.multi().sadd('s', 'one-more').sadd('t', 'x').exec();
    assert.match(String(replies![0][0]), /collectionMembersMax/);
    assert.deepEqual(replies![1], [null, 1]);
    r.disconnect();
  } finally {
    await c.stop();
  }
});
