/**
 * A real node whose WAL is cut in the middle (the bytes after some offset gone, as a bad disk or an
 * operator's mistake leaves it): it reads like a torn tail, but the node's durable mark says what it
 * held. It comes back repairing, says so on /status and /ready, votes for no one, and is repaired
 * from its peers once a leader can be elected without it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { scanRecords } from '../runtime/records.js';
import { durableMarkFile } from '../truth/index.js';
import { eventually, inProcessCluster, testRedis } from '../testing/real-nodes.js';
import { startAdminHttp } from './admin-http.js';

const getJson = async (port: number, path: string) => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

test('a WAL cut in the middle on a real node: repairing on /status and /ready, no vote, repaired from its peers with every acknowledged write', async () => {
  const log: string[] = [];
  const c = await inProcessCluster(3, {}, log);
  const leader = await c.leader();
  const r = testRedis({ port: leader.addresses.resp!.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
  await r.connect();
  const keys = Array.from({ length: 300 }, (_, i) => `k${i}`);
  for (const k of keys) await r.set(k, `v-${k}`);
  r.disconnect();
  const i = c.nodes.findIndex((n) => n !== leader);
  const other = c.nodes.findIndex((n) => n !== leader && n !== c.nodes[i]);
  // Every node holds the whole log before the stop, and every follower acknowledged it (an answer
  // leaves only once the entries and their durable mark are fsynced), so what node i held is what it
  // made durable: read earlier, a lagging follower could still append between the read and the stop,
  // and a stop during its last fsync would leave its mark one Ready behind its log.
  await eventually('every node holding the whole log', () => c.nodes.every((n) => n.status().lastIndex === leader.status().lastIndex));
  await eventually('every follower acknowledging the whole log', () => Object.values(leader.status().followers ?? {}).every((f) => f.match === leader.status().lastIndex));
  const held = c.nodes[i].status().lastIndex;
  await c.stop();

  // Cut the follower's log in the middle of its records.
  const dir = c.dirs[i];
  const segment = readdirSync(dir).filter((f) => f.startsWith('raft.wal.')).sort().at(-1)!;
  const end = scanRecords(readFileSync(join(dir, segment))).validBytes;
  truncateSync(join(dir, segment), Math.floor(end / 2));

  // It comes back with the other follower only: it knows what it lost, and votes for no one.
  const cut = c.rebuild(i);
  await cut.start();
  const http = (await startAdminHttp(cut, { host: '127.0.0.1', port: 0 })).port;
  const second = c.rebuild(other);
  await second.start();
  assert.ok(log.some((l) => l.includes('"wal_acknowledged_entries_lost"') && l.includes(`"durableIndex":${held}`)), 'the loss is logged with what was durable');
  const status = await getJson(http, '/status');
  assert.equal(status.body.repairing, true);
  assert.equal(status.body.repairUntil, held);
  assert.ok((status.body.lastIndex as number) < held, `last index ${status.body.lastIndex} of ${held}`);
  const ready = await getJson(http, '/ready');
  assert.equal(ready.status, 503);
  assert.match(String(ready.body.reason), new RegExp(`^repairing: .* catching up to index ${held}`));
  assert.match(await (await fetch(`http://127.0.0.1:${http}/metrics`)).text(), /pillars_raft_repairing\{node="n\d"\} 1/);
  await new Promise((res) => setTimeout(res, 1_500));
  assert.equal([cut, second].filter((n) => n.status().role === 'leader').length, 0, 'no leader: the repairing node gave no vote');

  // With the old leader back a leader is elected, and it repairs the cut node.
  const third = c.rebuild(c.nodes.indexOf(leader));
  await third.start();
  await eventually('the cut node repaired', () => cut.status().repairing === false && cut.status().lastIndex >= held, 10_000);
  assert.ok(log.some((l) => l.includes('"raft_repair_done"')));
  const newLeader = await eventually('a leader', () => [second, third].find((n) => n.status().role === 'leader'));
  await eventually("the leader's view of the cut node catching up", () => (newLeader.status().followers?.[cut.id]?.match ?? 0) >= held);
  assert.equal((await getJson(http, '/ready')).status, 200);
  assert.match(await (await fetch(`http://127.0.0.1:${http}/metrics`)).text(), /pillars_raft_repairing\{node="n\d"\} 0/);
  const x = testRedis({ port: cut.addresses.resp!.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
  await x.connect();
  assert.deepEqual(await x.mget(...keys), keys.map((k) => `v-${k}`), 'every acknowledged write, read through the repaired node');
  x.disconnect();
  for (const n of [cut, second, third]) await n.stop();
});

test("recovery refuse, etcd's choice: no durable mark is kept, so each write costs one fsync, not two", async () => {
  const marks = async (recovery: 'repair' | 'refuse') => {
    const c = await inProcessCluster(3, { raft: { tickMs: 20, recovery } });
    const leader = await c.leader();
    const r = testRedis({ port: leader.addresses.resp!.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
    await r.connect();
    for (let k = 0; k < 20; k++) await r.set(`k${k}`, 'v');
    assert.equal(await r.get('k19'), 'v');
    r.disconnect();
    await c.stop();
    return c.dirs.filter((d) => readdirSync(d).includes(durableMarkFile)).length;
  };
  assert.equal(await marks('repair'), 3, 'repair keeps the mark on every node');
  assert.equal(await marks('refuse'), 0, 'refuse keeps none');
});
