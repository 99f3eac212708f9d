/**
 * Real nodes in this process (real TCP, real files, real clocks): what Redis clients see, what bad
 * input gets, who may talk to a node, and what a node does with a data directory it cannot trust.
 * The crash tests with real processes and kill -9 are in chaos.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { scanRecords } from '../runtime/records.js';
import { TcpTransport } from '../adapters/tcp-transport.js';
import { isStorageCorruptError } from '../truth/index.js';
import { eventually, freePort, inProcessCluster, RawClient, resp, tempDir, type InProcessCluster, testRedis } from '../testing/real-nodes.js';
import { isNodeStartError } from './kv-node.js';

const client = (port: number, extra: Record<string, unknown> = {}) => testRedis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1, ...extra });

test('Redis commands through ioredis on any node of three: followers forward to the leader; replies as Redis gives them', async () => {
  const c = await inProcessCluster(3);
  try {
    const leader = await c.leader();
    const follower = c.nodes.find((n) => n !== leader)!;
    const r = client(follower.addresses.resp!.port);
    await r.connect();
    assert.equal(await r.ping(), 'PONG');
    assert.equal(await r.echo('hi'), 'hi');
    assert.equal(await r.set('a', 'b'), 'OK');
    assert.equal(await r.get('a'), 'b');
    assert.equal(await r.get('missing'), null);
    assert.equal(await r.set('a', 'c', 'NX'), null, 'NX on an existing key: nil');
    assert.equal(await r.set('new', 'x', 'XX'), null, 'XX on a missing key: nil');
    assert.equal(await r.set('new', 'x', 'NX'), 'OK');
    assert.equal(await r.exists('a', 'new', 'nope', 'a'), 3);
    assert.equal(await r.incr('n'), 1);
    assert.equal(await r.incrby('n', 41), 42);
    assert.equal(await r.decr('n'), 41);
    assert.equal(await r.decrby('n', 40), 1);
    await assert.rejects(r.incr('a'), /ERR value is not an integer or out of range/);
    assert.equal(await r.mset('m1', '1', 'm2', '2'), 'OK');
    assert.deepEqual(await r.mget('m1', 'm2', 'm3'), ['1', '2', null]);
    assert.equal(await r.del('m1', 'm2', 'm3'), 2);
    assert.equal(await r.call('cas', 'a', 'b', 'z'), 1);
    assert.equal(await r.call('cas', 'a', 'b', 'y'), 0, 'a holds z now');
    assert.equal(await r.call('cas', 'n', '1', '7'), 1, 'a counter compares by its digits');
    assert.equal(await r.get('a'), 'z');
    await assert.rejects(r.call('frobnicate', 'x'), /ERR unknown command 'frobnicate', with args beginning with: 'x'/);
    await assert.rejects(r.call('get'), /ERR wrong number of arguments for 'get' command/);
    await assert.rejects(r.call('set', 'a', 'b', 'EX', '0'), /ERR invalid expire time in 'set' command/);
    await assert.rejects(r.call('set', 'a', 'b', 'NX', 'XX'), /ERR syntax error/);
    // Binary values round-trip byte for byte.
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await r.set('bin', bytes);
    assert.deepEqual(await r.getBuffer('bin'), bytes);
    // Every node sees every acknowledged write once it reads through the leader.
    for (const n of c.nodes) {
      const x = client(n.addresses.resp!.port);
      await x.connect();
      assert.equal(await x.get('a'), 'z', `${n.id} reads the write`);
      x.disconnect();
    }
    const info = (await r.info()) as string;
    assert.match(info, /redis_version:7\.2\.0/);
    assert.match(info, /loading:0/);
    assert.match(info, /role:slave/);
    assert.match(info, new RegExp(`raft_leader:${leader.id}`));
    assert.deepEqual(await r.config('GET', 'appendfsync'), ['appendfsync', 'always']);
    r.disconnect();
  } finally {
    await c.stop();
  }
});

test('pipelined commands keep their order: a read after a write sees it, a write after a read does not leak into it', async () => {
  const c = await inProcessCluster(1);
  try {
    const r = client(c.nodes[0].addresses.resp!.port);
    await r.connect();
    const p = r.pipeline();
    for (let i = 0; i < 50; i++) p.set('k', String(i)).get('k').incr('c').get('c');
    const out = (await p.exec())!.map(([e, v]) => (e ? String(e) : v));
    for (let i = 0; i < 50; i++) assert.deepEqual(out.slice(i * 4, i * 4 + 4), ['OK', String(i), i + 1, String(i + 1)]);
    r.disconnect();
  } finally {
    await c.stop();
  }
});

test('keys expire (EX, PX, SETEX) on the leader clock and are swept through the log', async () => {
  const c = await inProcessCluster(1);
  try {
    const node = c.nodes[0];
    const r = client(node.addresses.resp!.port);
    await r.connect();
    await r.set('short', 'v', 'PX', 150);
    await r.setex('long', 60, 'v');
    await r.set('keep', 'v');
    assert.equal(await r.get('short'), 'v');
    await eventually('the short key to expire', async () => (await r.get('short')) === null, 3_000);
    assert.equal(await r.get('long'), 'v');
    assert.equal(await r.exists('short', 'long', 'keep'), 2);
    await eventually('the sweep to remove it', () => node.status().keys === 2, 5_000);
    assert.equal(node.status().expiringKeys, 1);
    r.disconnect();
  } finally {
    await c.stop();
  }
});

test('malformed RESP gets an error reply and a closed connection, as from Redis; the node serves the next client', async () => {
  const c = await inProcessCluster(1);
  try {
    const address = c.nodes[0].addresses.resp!;
    for (const [bad, reply] of [
      ['*2\r\n$3\r\nGET\r\n:12\r\n', "-ERR Protocol error: expected '$', got ':'\r\n"],
      ['*x\r\n', '-ERR Protocol error: invalid multibulk length\r\n'],
      ['*1\r\n$99999999999\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
      ['GET "unterminated\r\n', '-ERR Protocol error: unbalanced quotes in request\r\n'],
    ]) {
      const raw = await RawClient.connect(address);
      raw.write(resp('PING') + bad);
      const got = await raw.read((t) => t.includes('\r\n-'));
      assert.equal(got, `+PONG\r\n${reply}`, `reply to ${JSON.stringify(bad)}`);
      await eventually('the connection to close', () => raw.closed, 2_000);
    }
    // Inline commands, as typed in telnet, work.
    const raw = await RawClient.connect(address);
    raw.write('SET x "hello world"\r\nGET x\r\n');
    assert.equal(await raw.read((t) => t.split('\r\n').length >= 4), '+OK\r\n$11\r\nhello world\r\n');
    raw.close();
    const r = client(address.port);
    await r.connect();
    assert.equal(await r.get('x'), 'hello world');
    r.disconnect();
  } finally {
    await c.stop();
  }
});

test('a value above the limit is refused with an error; the connection and what was written stay', async () => {
  const c = await inProcessCluster(1, { limits: { valueBytesMax: 1024 } });
  try {
    const r = client(c.nodes[0].addresses.resp!.port);
    await r.connect();
    await r.set('ok', 'x'.repeat(1024));
    await assert.rejects(r.set('big', 'x'.repeat(1025)), /ERR value too large: 1025 bytes, the limit is 1024/);
    await assert.rejects(r.mset('a', '1', 'big', 'y'.repeat(5000)), /ERR value too large: 5000 bytes/);
    assert.equal((await r.get('ok'))!.length, 1024);
    assert.equal(await r.exists('big', 'a'), 0, 'nothing of a refused MSET was written');
    r.disconnect();
  } finally {
    await c.stop();
  }
});

test('AUTH: NOAUTH before, WRONGPASS for a wrong password, then every command; ioredis with the password connects', async () => {
  const c = await inProcessCluster(1, { password: 'open sesame' });
  try {
    const address = c.nodes[0].addresses.resp!;
    const raw = await RawClient.connect(address);
    raw.write(resp('GET', 'x'));
    assert.equal(await raw.read((t) => t.endsWith('\r\n')), '-NOAUTH Authentication required.\r\n');
    raw.write(resp('AUTH', 'wrong'));
    assert.equal(await raw.read((t) => t.endsWith('\r\n')), '-WRONGPASS invalid username-password pair or user is disabled.\r\n');
    raw.write(resp('AUTH', 'default', 'open sesame') + resp('SET', 'x', '1'));
    assert.equal(await raw.read((t) => t.split('\r\n').length >= 3), '+OK\r\n+OK\r\n');
    raw.close();
    const bad = client(address.port, { password: 'nope', retryStrategy: () => null });
    const errors: string[] = [];
    bad.on('error', (e: Error) => errors.push(e.message));
    await assert.rejects(bad.connect());
    assert.ok(errors.some((m) => /WRONGPASS/.test(m)), `ioredis heard: ${errors.join('; ')}`);
    bad.disconnect();
    const good = client(address.port, { password: 'open sesame' });
    await good.connect();
    assert.equal(await good.get('x'), '1');
    good.disconnect();
  } finally {
    await c.stop();
  }
});

test('wrong AUTHs are answered ever more slowly, a connection that keeps guessing is closed, and its address starts slow', async () => {
  const c = await inProcessCluster(1, { password: 'open sesame', limits: { authDelayBaseMs: 40, authDelayMaxMs: 160, authFailuresPerConnectionMax: 5 } });
  try {
    const address = c.nodes[0].addresses.resp!;
    const guesser = await RawClient.connect(address);
    // A pipeline of 50 guesses and a command: only 5 are checked, one delay apart, and nothing after them runs.
    const started = Date.now();
    guesser.write(Array.from({ length: 50 }, (_, i) => resp('AUTH', `guess${i}`)).join('') + resp('SET', 'x', '1'));
    const arrivals: number[] = [];
    let heard = '';
    while (!guesser.closed) {
      const got = await guesser.read((t) => t.length > 0);
      for (let i = 0; i < got.split('-WRONGPASS').length - 1; i++) arrivals.push(Date.now() - started);
      heard += got;
    }
    assert.equal(heard, '-WRONGPASS invalid username-password pair or user is disabled.\r\n'.repeat(5), 'five answers, then the connection closed');
    assert.ok(guesser.closed);
    // Delays 0, 40, 80, 160, 160 ms (capped), each counted from the answer before: the k-th answer
    // cannot come before the sum of the delays up to it (timers only ever fire late).
    const earliest = [0, 40, 120, 280, 440];
    assert.ok(earliest.every((ms, k) => arrivals[k] >= ms), `answers at ${arrivals.join(', ')} ms, none before ${earliest.join(', ')}`);
    // A new connection from the same address starts at the address's delay, even with the right password.
    const next = await RawClient.connect(address);
    const t0 = Date.now();
    next.write(resp('AUTH', 'open sesame') + resp('GET', 'x'));
    assert.equal(await next.read((t) => t.split('\r\n').length >= 3), '+OK\r\n$-1\r\n', 'the SET behind the guesses never ran');
    assert.ok(Date.now() - t0 >= 150, `the address's sixth try waited ${Date.now() - t0} ms`);
    next.close();
    // The right password forgot the address's failures: the next connection is answered at once.
    const fresh = await RawClient.connect(address);
    const t1 = Date.now();
    fresh.write(resp('AUTH', 'open sesame'));
    assert.equal(await fresh.read((t) => t.endsWith('\r\n')), '+OK\r\n');
    assert.ok(Date.now() - t1 < 100, `answered in ${Date.now() - t1} ms`);
    fresh.close();
  } finally {
    await c.stop();
  }
});

test('HELLO 3 switches to RESP3 (maps, nulls); HELLO 4 is refused', async () => {
  const c = await inProcessCluster(1);
  try {
    const raw = await RawClient.connect(c.nodes[0].addresses.resp!);
    raw.write(resp('HELLO', '4'));
    assert.equal(await raw.read((t) => t.endsWith('\r\n')), '-NOPROTO unsupported protocol version\r\n');
    raw.write(resp('HELLO', '3'));
    const hello = await raw.read((t) => t.includes('modules'));
    assert.match(hello, /^%7\r\n\$6\r\nserver\r\n\$5\r\nredis\r\n/);
    raw.write(resp('GET', 'nothing'));
    assert.equal(await raw.read((t) => t.endsWith('\r\n')), '_\r\n');
    raw.close();
  } finally {
    await c.stop();
  }
});

test('a peer without the cluster secret is refused and cannot inject a message; the admin API needs the secret to change anything', async () => {
  const log: string[] = [];
  const c = await inProcessCluster(3, {}, log);
  try {
    const leader = await c.leader();
    const term = leader.status().term;
    const target = c.nodes.find((n) => n !== leader)!;
    const targetIndex = c.nodes.indexOf(target);
    // A stranger claiming to be a member, with the wrong secret, tries to start an election at term 99.
    const stranger = new TcpTransport({
      // It claims to be a member (the leader, even), but holds another secret.
      id: leader.id,
      listen: { host: '127.0.0.1', port: await freePort() },
      peers: new Map([[target.id, { host: '127.0.0.1', port: c.peerPorts[targetIndex] }]]),
      secret: Buffer.from('not the secret'),
      onMessage: () => {},
    });
    await stranger.start();
    for (let i = 0; i < 20; i++) stranger.send(target.id, { type: 'vote', term: 99, lastLogIndex: 1e9, lastLogTerm: 99 });
    await eventually('the refusal to be logged', () => log.some((l) => l.includes('"peer_auth_failed"') && l.includes('wrong secret')), 5_000);
    await stranger.close();
    // Garbage on the peer port is refused too.
    const raw = await RawClient.connect({ host: '127.0.0.1', port: c.peerPorts[targetIndex] });
    raw.write(Buffer.from([0, 0, 0, 5, 1, 2, 3, 4, 5]));
    await eventually('the garbage connection to close', () => raw.closed, 5_000);
    assert.equal(target.status().term, term, 'no message from the stranger reached Raft');
    assert.equal((await c.leader()).id, leader.id);

    const http = `http://127.0.0.1:${leader.addresses.http!.port}`;
    const st = (await (await fetch(`${http}/status`)).json()) as { role: string; followers: Record<string, unknown> };
    assert.equal(st.role, 'leader');
    assert.deepEqual(Object.keys(st.followers).sort(), c.nodes.filter((n) => n !== leader).map((n) => n.id).sort());
    assert.equal((await fetch(`${http}/health`)).status, 200);
    assert.equal((await fetch(`${http}/ready`)).status, 200);
    const metrics = await (await fetch(`${http}/metrics`)).text();
    assert.match(metrics, /pillars_raft_term\{node="n\d"\} \d+/);
    assert.match(metrics, /pillars_raft_follower_lag_entries\{peer="n\d",node="n\d"\} \d+/);
    const to = target.id;
    assert.equal((await fetch(`${http}/admin/transfer-leadership?to=${to}`, { method: 'POST' })).status, 401);
    assert.equal((await fetch(`${http}/admin/transfer-leadership?to=${to}`, { method: 'POST', headers: { authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await fetch(`${http}/admin/transfer-leadership?to=${to}`, { method: 'POST', headers: { authorization: `Bearer ${c.secret.toString()}` } })).status, 202);
    await eventually(`${to} to lead`, async () => (await c.leader()).id === to);
    assert.equal((await fetch(`${http}/status`, { method: 'DELETE' })).status, 405);
  } finally {
    await c.stop();
  }
});

test('a data directory keeps its node: another node started on it refuses; a torn log tail is cut with a warning; corruption in the middle refuses naming the file and offset', async () => {
  const log: string[] = [];
  const c = await inProcessCluster(1, {}, log);
  const node = c.nodes[0];
  const r = client(node.addresses.resp!.port);
  await r.connect();
  for (let i = 0; i < 50; i++) await r.set(`k${i}`, String(i));
  r.disconnect();
  await c.stop();
  const dir = c.dirs[0];

  // Another node's identity on this directory.
  await assert.rejects(c.rebuild(0, { id: 'n7' }).start(), (e: unknown) => isNodeStartError(e) && /holds node n1's data, not n7's: refusing to start/.test(e.message));
  await assert.rejects(c.rebuild(0, { secret: Buffer.from('another cluster') }).start(), (e: unknown) => isNodeStartError(e) && /belongs to cluster [0-9a-f]{16}, not to the cluster of this secret/.test(e.message));

  // The segment grows in zeros ahead of its records (preallocation): past the records, only zeros.
  const segment = readdirSync(dir).filter((f) => f.startsWith('raft.wal.')).sort().at(-1)!;
  const segmentPath = join(dir, segment);
  const end = scanRecords(readFileSync(segmentPath)).validBytes;
  assert.ok(statSync(segmentPath).size >= end + 64 * 1024, 'room made ahead of the log');
  assert.ok(readFileSync(segmentPath).subarray(end).every((b) => b === 0), 'zeros after the last record');
  // A crash in the middle of a write leaves half a record where the log ends, in those zeros.
  const fd = openSync(segmentPath, 'r+');
  writeSync(fd, Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 9, 9]), 0, 10, end);
  closeSync(fd);
  const again = c.rebuild(0);
  await again.start();
  assert.ok(log.some((l) => l.includes('"wal_torn_tail_truncated"') && l.includes(segment)), 'the truncation is logged');
  await eventually('a leader', () => again.status().role === 'leader');
  const r2 = client(again.addresses.resp!.port);
  await r2.connect();
  assert.deepEqual(await r2.mget('k0', 'k25', 'k49'), ['0', '25', '49'], 'every acknowledged write survived');
  r2.disconnect();
  await again.stop();

  // A flipped byte in the middle of the log: refuse, naming the file and the offset.
  const file = join(dir, segment);
  const bytes = readFileSync(file);
  bytes[Math.floor(bytes.length / 2)] ^= 0xff;
  writeFileSync(file, bytes);
  await assert.rejects(c.rebuild(0).start(), (e: unknown) => isStorageCorruptError(e) && e.file === segment && e.offset > 0 && e.offset < bytes.length);
});

test("a leader below its disk reserve refuses writes forwarded by a follower, not only its own clients'", async (t) => {
  const c = await inProcessCluster(3);
  try {
    const leader = await c.leader();
    const follower = c.nodes.find((n) => n !== leader)!;
    const r = client(follower.addresses.resp!.port);
    t.after(() => r.disconnect());
    await r.connect();
    assert.equal(await r.set('before', 'v'), 'OK');
    // The leader's disk has less free than its reserve (a reserve above any disk's size).
    leader.limits.diskReserveBytes = Number.MAX_SAFE_INTEGER;
    assert.equal(follower.writesRefused(), undefined, 'the follower has room: it forwards');
    await assert.rejects(r.set('after', 'v'), /ERR disk full: \d+ bytes free, below the reserve of 9007199254740991/);
    assert.equal(await r.get('before'), 'v', 'reads go on');
    assert.equal(await r.exists('after'), 0);
  } finally {
    await c.stop();
  }
});

test('a full disk: below the reserve writes are refused before the log; a write that hits ENOSPC stops the member, which restarts once there is room; nothing acknowledged is lost', async (t) => {
  const dir = tempDir('pillars-full-');
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status !== 0) return t.skip(`a small file system cannot be mounted here (${(mounted.stderr || 'mount failed').trim()}): run as root to test a full disk`);
  const log: string[] = [];
  let running: InProcessCluster | undefined;
  try {
    for (const [reserve, phase] of [
      [2 * 1024 * 1024, 'reserve'],
      [0, 'enospc'],
    ] as const) {
      const data = join(dir, phase);
      mkdirSync(data);
      const c = await inProcessCluster(1, { dataDir: data, limits: { diskReserveBytes: reserve, diskCheckEveryMs: 50 } }, log);
      running = c;
      const node = c.nodes[0];
      const r = client(node.addresses.resp!.port, { maxRetriesPerRequest: 0 });
      r.on('error', () => {});
      const acked: string[] = [];
      await r.connect();
      await eventually('a leader', () => node.status().role === 'leader');
      for (let i = 0; i < 100; i++) await r.set(`k${i}`, 'v'.repeat(100));
      // Fill the file system (the other phase's directory stays: it only takes room).
      const filler = join(dir, `filler-${phase}`);
      const chunk = Buffer.alloc(64 * 1024, 1);
      try {
        for (;;) appendFileSync(filler, chunk);
      } catch (e) {
        assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
      }
      if (phase === 'reserve') {
        await eventually('the node to see the disk full', () => node.writesRefused() !== undefined, 2_000);
        await assert.rejects(r.set('more', 'x'), /ERR disk full: \d+ bytes free, below the reserve of 2097152/);
        assert.equal(await r.get('k99'), 'v'.repeat(100), 'reads go on');
        assert.equal(node.status().up, true, 'the member never stopped');
      } else {
        // No reserve: writes go on into the zeros the segment holds ahead of its end (preallocation),
        // then an append hits ENOSPC and the member stops. The writes acknowledged meanwhile are kept.
        let refused: Error | undefined;
        for (let i = 0; i < 1_000 && refused === undefined; i++) {
          try {
            await r.set(`more${i}`, 'x'.repeat(4096));
            acked.push(`more${i}`);
          } catch (e) {
            refused = e as Error;
          }
        }
        // The write that hit ENOSPC may have reached the log: its outcome is unknown, a retry may go on.
        assert.match(String(refused?.message), /^TRYAGAIN disk full: append raft\.wal\.\d+ \(ENOSPC\): the outcome is unknown/);
        assert.equal(node.status().up, false);
        await assert.rejects(r.set('again', 'x'), /disk full/);
        assert.ok(log.some((l) => l.includes('"member_stopped"')));
      }
      rmSync(filler);
      await eventually('writes to be taken again', async () => (await r.set('after', 'ok').catch(() => undefined)) === 'OK', 10_000);
      const keys = Array.from({ length: 100 }, (_, i) => `k${i}`);
      assert.deepEqual(await r.mget(...keys), keys.map(() => 'v'.repeat(100)), `${phase}: every acknowledged write is there`);
      if (acked.length > 0) assert.deepEqual(await r.mget(...acked), acked.map(() => 'x'.repeat(4096)), `${phase}: and those written into the preallocated room`);
      r.disconnect();
      running = undefined;
      await c.stop();
    }
    assert.ok(log.some((l) => l.includes('"member_restarting"')));
  } finally {
    // A failed assertion must not leave the node running: the process would not end, nor the unmount.
    await running?.stop().catch(() => {});
    spawnSync('umount', [dir]);
  }
});
