/**
 * Membership changes on a live cluster, while a client writes: a fourth node joins as a learner,
 * catches up, becomes a voter; the leader is removed (it hands leadership over first). Nothing
 * acknowledged is lost, and the new member serves every acknowledged write.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { eventually, freePort, inProcessCluster, tempDir, testRedis } from '../testing/real-nodes.js';
import { startAdminHttp } from './admin-http.js';
import { KvNode } from './kv-node.js';
import type { PeerAddress } from '../adapters/tcp-transport.js';

/** One change, asked again while an earlier one (a new leader's own no-op included) is in flight. */
async function change(node: KvNode, secret: Buffer, query: string): Promise<{ status: number; body: { error?: string; leader?: string | null; voters?: string[]; learners?: string[] } }> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${node.addresses.http!.port}/admin/members?${query}`, { method: 'POST', headers: { authorization: `Bearer ${secret.toString()}` } });
    const body = (await res.json()) as { error?: string };
    if (res.status !== 409 || !String(body.error).includes('in flight') || Date.now() > deadline) return { status: res.status, body: body as never };
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a node joins a live cluster as a learner, catches up, votes; the leader is removed after handing over; nothing acknowledged is lost', { timeout: 60_000 }, async () => {
  const log: string[] = [];
  const c = await inProcessCluster(3, {}, log);
  const port4 = await freePort();
  const peers = new Map<string, PeerAddress>(c.nodes.map((n, i) => [n.id, { host: '127.0.0.1', port: c.peerPorts[i] }]));
  const n4 = new KvNode({ id: 'n4', join: true, listen: { host: '127.0.0.1', port: port4 }, peers, dataDir: tempDir('pillars-n4-'), resp: { host: '127.0.0.1', port: 0 }, secret: c.secret, raft: { tickMs: 20 }, log: (l) => log.push(l) });
  const nodes = [...c.nodes, n4];
  const acked = new Map<string, string>();
  let writing = true;
  let writer: Promise<void> | undefined;
  let r: Redis | undefined;
  try {
    await n4.start();
    await startAdminHttp(n4, { host: '127.0.0.1', port: 0 });
    const leader = await c.leader();
    assert.deepEqual(n4.members().voters, ['n1', 'n2', 'n3'], 'the joiner knows the members, and is none of them');

    // A client writes all along, through a follower (it forwards to the leader), which stays a member.
    const follower = c.nodes.find((n) => n !== leader)!;
    r = testRedis({ port: follower.addresses.resp!.port, host: '127.0.0.1', maxRetriesPerRequest: 5, retryStrategy: () => 50 });
    const client = r;
    writer = (async () => {
      for (let i = 0; writing; i++) {
        const ok = await client.set(`k${i}`, `v${i}`).catch(() => undefined);
        if (ok === 'OK') acked.set(`k${i}`, `v${i}`);
      }
    })();
    await eventually('some writes', () => acked.size >= 50);

    // Unauthenticated, or not through the leader: refused.
    assert.equal((await fetch(`http://127.0.0.1:${leader.addresses.http!.port}/admin/members?op=add-learner&id=n4`, { method: 'POST' })).status, 401);
    const wrong = await change(follower, c.secret, `op=add-learner&id=n4&address=127.0.0.1:${port4}`);
    assert.equal(wrong.status, 409);
    assert.equal(wrong.body.leader, leader.id);

    const learner = await change(leader, c.secret, `op=add-learner&id=n4&address=127.0.0.1:${port4}`);
    assert.equal(learner.status, 200, learner.body.error);
    assert.deepEqual(learner.body.learners, ['n4']);
    await eventually('n4 to catch up', () => (leader.status().followers?.n4?.lag ?? Infinity) < 50, 15_000);
    const voter = await change(leader, c.secret, 'op=add-voter&id=n4');
    assert.equal(voter.status, 200, voter.body.error);
    assert.deepEqual(voter.body.voters, ['n1', 'n2', 'n3', 'n4']);
    await eventually('n4 to know it votes', () => n4.members().voters.includes('n4'));

    // Remove the leader: it hands leadership to a caught-up voter first and names it.
    const self = await change(leader, c.secret, `op=remove-voter&id=${leader.id}`);
    assert.equal(self.status, 409);
    const next = nodes.find((n) => n.id === self.body.leader);
    assert.ok(next !== undefined && next !== leader, `leadership handed to ${self.body.leader}`);
    await eventually(`${next.id} to lead`, () => next.status().role === 'leader');
    const removed = await change(next, c.secret, `op=remove-voter&id=${leader.id}`);
    assert.equal(removed.status, 200, removed.body.error);
    assert.ok(!removed.body.voters!.includes(leader.id) && removed.body.voters!.length === 3);
    await leader.stop();
    const before = acked.size;
    await eventually('writes to go on without the removed node', () => acked.size >= before + 50, 15_000);
    writing = false;
    await writer;

    const x = testRedis({ port: n4.addresses.resp!.port, host: '127.0.0.1', maxRetriesPerRequest: 2 });
    const keys = [...acked.keys()];
    assert.deepEqual(await x.mget(...keys), keys.map((k) => acked.get(k)), `all ${keys.length} acknowledged writes, read through the new member`);
    x.disconnect();
    assert.ok(log.some((l) => l.includes('"member_changed"') && l.includes('"add-learner"')));
    // Every replica logs each change as it applies it from the log, with the membership it leaves.
    const applied = log.map((l) => JSON.parse(l) as { node: string; event: string; change?: string; member?: string; voters?: string[] }).filter((e) => e.event === 'raft_membership_changed');
    for (const n of nodes.filter((x) => x !== leader)) {
      const seen = applied.filter((e) => e.node === n.id).map((e) => `${e.change} ${e.member} -> ${e.voters!.join(' ')}`);
      assert.ok(seen.includes(`add-voter n4 -> n1 n2 n3 n4`), `${n.id} logged n4's promotion: ${seen.join('; ')}`);
      assert.ok(seen.includes(`remove-voter ${leader.id} -> ${removed.body.voters!.join(' ')}`), `${n.id} logged ${leader.id}'s removal: ${seen.join('; ')}`);
    }
  } finally {
    writing = false;
    await writer?.catch(() => {});
    r?.disconnect();
    for (const n of nodes) await n.stop().catch(() => {});
  }
});
