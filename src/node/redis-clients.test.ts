/**
 * What Redis clients do beyond single commands, through ioredis against real nodes: transactions
 * (MULTI/EXEC applied as one log entry, WATCH), scans that survive a leader change, and expiry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, inProcessCluster, testRedis } from '../testing/real-nodes.js';

const client = (port: number) => testRedis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });

test('ioredis multi().exec() runs the queued commands as one transaction; an error inside does not undo the others, as in Redis', async () => {
  const c = await inProcessCluster(3);
  try {
    const leader = await c.leader();
    const follower = c.nodes.find((n) => n !== leader)!;
    const r = client(follower.addresses.resp!.port);
    assert.deepEqual(await r.multi().set('a', '1').incr('a').get('a').exec(), [[null, 'OK'], [null, 2], [null, '2']]);
    const out = await r.multi().set('s', 'text').incr('s').set('after', 'x').exec();
    assert.equal(out![0][1], 'OK');
    assert.match(String(out![1][0]), /ERR value is not an integer or out of range/);
    assert.equal(out![2][1], 'OK', 'the command after the failed one applied');
    await assert.rejects(r.multi().set('x', '1').call('frobnicate').exec(), /EXECABORT Transaction discarded because of previous errors/);
    assert.equal(await r.exists('x'), 0, 'nothing of a discarded transaction applied');
    const leaderKv = leader.status();
    // One transaction, one log entry: 50 SETs advance the log once.
    const before = leaderKv.lastIndex;
    const tx = r.multi();
    for (let i = 0; i < 50; i++) tx.set(`t${i}`, String(i));
    await tx.exec();
    assert.equal(leader.status().lastIndex - before, 1, 'the 50 SETs of one EXEC are one Raft entry');
    assert.ok(Number(await r.call('wait', '1', '0')) >= 1, 'WAIT from a follower: a majority holds every acknowledged write');
    const onLeader = client(leader.addresses.resp!.port);
    await eventually('both followers to hold the log', async () => Number(await onLeader.call('wait', '2', '100')) === 2);
    onLeader.disconnect();
    r.disconnect();
  } finally {
    await c.stop();
  }
});

test('WAIT blocks until the replicas hold the client\'s writes, or its timeout, and answers how many do', async () => {
  const c = await inProcessCluster(3);
  try {
    const leader = await c.leader();
    const r = client(leader.addresses.resp!.port);
    await r.set('w', '1');
    // No timeout: it answers as soon as both followers hold the write.
    assert.equal(await r.call('wait', '2', '0'), 2);
    const stopped = c.nodes.find((n) => n !== leader)!;
    await stopped.stop();
    await r.set('w', '2');
    // One follower left: asking for two blocks for the whole timeout and answers the one.
    let started = performance.now();
    assert.equal(await r.call('wait', '2', '300'), 1);
    const blockedMs = performance.now() - started;
    assert.ok(blockedMs >= 290 && blockedMs < 2_000, `WAIT 2 300 blocked ${Math.round(blockedMs)} ms`);
    started = performance.now();
    assert.equal(await r.call('wait', '1', '0'), 1, 'one is enough: answered without waiting for the timeout');
    assert.ok(performance.now() - started < 250, 'at once');
    // Another client is served while this one is blocked.
    const other = client(leader.addresses.resp!.port);
    const blocked = r.call('wait', '2', '400');
    assert.equal(await other.get('w'), '2');
    assert.equal(await blocked, 1);
    other.disconnect();
    r.disconnect();
  } finally {
    await c.stop();
  }
});

test('WATCH: EXEC applies nothing and answers nil when a watched key changed (or expired) after WATCH; UNWATCH forgets', async () => {
  const c = await inProcessCluster(1);
  try {
    const port = c.nodes[0].addresses.resp!.port;
    const r = client(port);
    const other = client(port);
    await r.set('balance', '10');
    await r.watch('balance');
    await other.set('balance', '20');
    assert.equal(await r.multi().set('balance', '11').exec(), null, 'the watched key changed: nil');
    assert.equal(await r.get('balance'), '20');
    await r.watch('balance');
    assert.deepEqual(await r.multi().set('balance', '21').exec(), [[null, 'OK']], 'nothing changed: applied');
    await r.watch('balance');
    await r.unwatch();
    await other.set('balance', '30');
    assert.deepEqual(await r.multi().set('balance', '31').exec(), [[null, 'OK']], 'after UNWATCH a change does not matter');
    await r.set('short', 'v', 'PX', 100);
    await r.watch('short');
    await new Promise((res) => setTimeout(res, 200));
    assert.equal(await r.multi().set('short', 'w').exec(), null, 'a watched key that expired counts as changed');
    await r.client('SETNAME', 'payer');
    const list = (await other.client('LIST')) as string;
    assert.equal(list.trim().split('\n').length, 2, 'CLIENT LIST: one line per connection');
    assert.match(list, /^id=\d+ addr=127\.0\.0\.1:\d+ .* name=payer .* cmd=client\|setname /m);
    assert.match((await other.client('INFO')) as string, /cmd=client\|info user=default redir=-1 resp=[23] lib-name=ioredis lib-ver=/);
    await r.watch('absent');
    await other.set('absent', 'now here');
    assert.equal(await r.multi().get('absent').exec(), null, 'a watched absent key that appears counts as changed');
    r.disconnect();
    other.disconnect();
  } finally {
    await c.stop();
  }
});

test('SCAN with MATCH, COUNT and TYPE returns every key, and its cursor works on the next leader; KEYS matches globs', async () => {
  const c = await inProcessCluster(3);
  try {
    const leader = await c.leader();
    const r = client(leader.addresses.resp!.port);
    const keys = Array.from({ length: 300 }, (_, i) => `user:${i}`);
    await r.mset(...keys.flatMap((k) => [k, 'v']));
    await r.set('other', 'x');
    const seen = new Set<string>();
    let [cursor, page] = await r.scan('0', 'MATCH', 'user:*', 'COUNT', 50);
    page.forEach((k) => seen.add(k));
    assert.notEqual(cursor, '0');
    // The cursor is a position in an order every replica shares: it goes on on another leader.
    const next = c.nodes.find((n) => n !== leader)!;
    assert.ok(leader.transferLeadership(next.id));
    await eventually('the new leader', () => c.nodes.every((n) => n.status().leader === next.id));
    const r2 = client(next.addresses.resp!.port);
    while (cursor !== '0') {
      [cursor, page] = await r2.scan(cursor, 'MATCH', 'user:*', 'COUNT', 50, 'TYPE', 'string');
      page.forEach((k) => seen.add(k));
    }
    assert.deepEqual([...seen].sort(), [...keys].sort());
    assert.deepEqual(await r2.scan('0', 'COUNT', 1000, 'TYPE', 'hash'), ['0', []]);
    await r2.hset('profile', { name: 'ada', visits: '1' });
    assert.equal(await r2.hincrby('profile', 'visits', 2), 3);
    assert.deepEqual(await r2.hgetall('profile'), { name: 'ada', visits: '3' });
    assert.deepEqual(await r2.scan('0', 'COUNT', 1000, 'TYPE', 'hash'), ['0', ['profile']]);
    await assert.rejects(r2.get('profile'), /^ReplyError: WRONGTYPE Operation against a key holding the wrong kind of value$/);
    const streamed: string[] = [];
    await new Promise<void>((resolve, reject) => r2.scanStream({ match: 'user:1?', count: 20 }).on('data', (ks: string[]) => streamed.push(...ks)).on('end', resolve).on('error', reject));
    assert.deepEqual(streamed.sort(), Array.from({ length: 10 }, (_, i) => `user:1${i}`).sort());
    assert.deepEqual((await r2.keys('user:2?')).sort(), Array.from({ length: 10 }, (_, i) => `user:2${i}`).sort());
    // ioredis's streams over a set's and a sorted set's members.
    await r2.sadd('tags', 'a', 'b', 'c');
    await r2.zadd('ranks', 1, 'x', 2, 'y');
    const drain = (stream: NodeJS.ReadableStream) => new Promise<string[]>((resolve, reject) => {
      const out: string[] = [];
      stream.on('data', (page: string[]) => out.push(...page)).on('end', () => resolve(out)).on('error', reject);
    });
    assert.deepEqual((await drain(r2.sscanStream('tags'))).sort(), ['a', 'b', 'c']);
    assert.deepEqual(await drain(r2.zscanStream('ranks', { match: '*' })), ['x', '1', 'y', '2']);
    r.disconnect();
    r2.disconnect();
  } finally {
    await c.stop();
  }
});

test('expiry commands: TTL -2 and -1, EXPIRE in the past deletes, PERSIST, GETEX, RENAME keeps the deadline', async () => {
  const c = await inProcessCluster(1);
  try {
    const r = client(c.nodes[0].addresses.resp!.port);
    assert.equal(await r.ttl('nope'), -2);
    await r.set('k', 'v');
    assert.equal(await r.ttl('k'), -1);
    assert.equal(await r.expire('k', 100), 1);
    assert.equal(await r.ttl('k'), 100);
    assert.ok((await r.pttl('k')) > 99_000);
    assert.equal(await r.persist('k'), 1);
    assert.equal(await r.ttl('k'), -1);
    assert.equal(await r.getex('k', 'PX', 150), 'v');
    await r.rename('k', 'moved');
    assert.ok((await r.pttl('moved')) > 0, 'RENAME kept the deadline');
    await eventually('the renamed key to expire', async () => (await r.get('moved')) === null, 3_000);
    await r.set('gone', 'v');
    assert.equal(await r.expire('gone', -1), 1);
    assert.equal(await r.exists('gone'), 0, 'an expire time in the past deletes the key');
    assert.equal(await r.pexpireat('nope', Date.now() + 1000), 0);
    r.disconnect();
  } finally {
    await c.stop();
  }
});
