/**
 * /ready as an operator's load balancer uses it: a node that lost its majority says so within one
 * election timeout, with the reason, before check-quorum or its own election timer changes its role
 * (the exact bound, in ticks, is the Raft core's test "in contact").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inProcessCluster, RawClient, resp, testRedis } from '../testing/real-nodes.js';
import type { KvNode } from './kv-node.js';

const tickMs = 50;
const electionTicks = 10;
/** Timers on a loaded machine fire late; the bound the node promises is electionTicks * tickMs. */
const slackMs = 400;

async function notReadyWithin(node: KvNode, boundMs: number): Promise<{ ms: number; reason: string }> {
  const url = `http://127.0.0.1:${node.addresses.http!.port}/ready`;
  const started = performance.now();
  for (;;) {
    const res = await fetch(url);
    const ms = performance.now() - started;
    if (res.status === 503) return { ms, reason: String(((await res.json()) as { reason: string }).reason) };
    assert.ok(ms < boundMs, `${node.id} still ready after ${Math.round(ms)} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('/ready turns 503 within one election timeout of losing the majority, on the leader and on a follower', { timeout: 60_000 }, async (t) => {
  const log: string[] = [];
  const c = await inProcessCluster(3, { raft: { tickMs, electionTicks } }, log);
  try {
    const leader = await c.leader();
    // The election is in the logs as an operator greps for it.
    const events = log.map((l) => JSON.parse(l) as { node: string; event: string; [k: string]: unknown });
    assert.ok(events.some((e) => e.event === 'raft_election_started' && e.node === leader.id), 'the winner started an election');
    assert.ok(events.some((e) => e.event === 'raft_term_changed' && e.node === leader.id && e.to === leader.status().term));
    for (const n of c.nodes) assert.ok(events.some((e) => e.event === 'raft_leader_changed' && e.node === n.id && e.to === leader.id), `${n.id} logged its new leader`);

    // Every metric the Grafana dashboard in the repository plots is served, once a write and a read went through.
    const r = testRedis({ port: leader.addresses.resp!.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
    await r.set('k', 'v');
    assert.equal(await r.get('k'), 'v');
    r.disconnect();
    const text = await (await fetch(`http://127.0.0.1:${leader.addresses.http!.port}/metrics`)).text();
    const dashboard = readFileSync(fileURLToPath(new URL('../../../docs/grafana/pillars-kv.json', import.meta.url)), 'utf8');
    const plotted = [...new Set(dashboard.match(/\b(pillars|process|nodejs)_[a-z0-9_]+/g))];
    assert.ok(plotted.length >= 12, plotted.join(' '));
    for (const name of plotted) assert.match(text, new RegExp(`^${name}\\{`, 'm'), `${name}, plotted by the dashboard, is on /metrics`);
    const followers = c.nodes.filter((n) => n !== leader);
    assert.equal((await fetch(`http://127.0.0.1:${leader.addresses.http!.port}/ready`)).status, 200);
    for (const f of followers) await f.stop();
    const l = await notReadyWithin(leader, electionTicks * tickMs + slackMs);
    t.diagnostic(`leader not ready after ${Math.round(l.ms)} ms: ${l.reason}`);
    assert.match(l.reason, /^(no majority: no quorum of the voters answered within an election timeout|no leader known)$/);
  } finally {
    await c.stop();
  }

  const d = await inProcessCluster(3, { raft: { tickMs, electionTicks } });
  try {
    const leader = await d.leader();
    const [follower, other] = d.nodes.filter((n) => n !== leader);
    await other.stop();
    await leader.stop();
    const f = await notReadyWithin(follower, electionTicks * tickMs + slackMs);
    t.diagnostic(`follower not ready after ${Math.round(f.ms)} ms: ${f.reason}`);
    assert.match(f.reason, new RegExp(`^(no word from the leader ${leader.id} within an election timeout|no leader known)$`));
  } finally {
    await d.stop();
  }
});

test('a write the cluster cannot serve gets TRYAGAIN (outcome unknown), a read CLUSTERDOWN (nothing applied): codes a client retries on', { timeout: 60_000 }, async () => {
  const c = await inProcessCluster(3, { raft: { tickMs, electionTicks }, limits: { requestTimeoutMs: 1_000 } });
  try {
    const leader = await c.leader();
    const alone = c.nodes.find((n) => n !== leader)!;
    for (const n of c.nodes) if (n !== alone) await n.stop();
    const raw = await RawClient.connect({ host: '127.0.0.1', port: alone.addresses.resp!.port });
    raw.write(resp('SET', 'k', 'v'));
    assert.match(await raw.read((t) => t.endsWith('\r\n'), 10_000), /^-TRYAGAIN timeout: the outcome is unknown \(the write may have been applied; retrying may apply it twice\)\r\n$/);
    raw.write(resp('GET', 'k'));
    assert.match(await raw.read((t) => t.endsWith('\r\n'), 10_000), /^-CLUSTERDOWN no leader answered in time: nothing was applied \(the outcome is known\); retry\r\n$/);
    raw.close();
  } finally {
    await c.stop();
  }
});


test('with the majority gone, clients hear CLUSTERDOWN within clusterDownAfterMs, not after the 10 s request timeout, and at once after that', { timeout: 60_000 }, async (t) => {
  const clusterDownAfterMs = 1_000;
  const c = await inProcessCluster(3, { raft: { tickMs, electionTicks }, limits: { clusterDownAfterMs } });
  try {
    const leader = await c.leader();
    const alone = c.nodes.find((n) => n !== leader)!;
    const raw = await RawClient.connect({ host: '127.0.0.1', port: alone.addresses.resp!.port });
    raw.write(resp('SET', 'before', 'x'));
    assert.equal(await raw.read((t) => t.endsWith('\r\n'), 10_000), '+OK\r\n');
    for (const n of c.nodes) if (n !== alone) await n.stop();
    const lost = performance.now();
    // Forwarded to a leader that is gone: it may be in that leader's log, so its outcome is unknown.
    raw.write(resp('SET', 'k', 'v'));
    const write = await raw.read((t) => t.endsWith('\r\n'), 15_000);
    const writeMs = performance.now() - lost;
    assert.match(write, /^-TRYAGAIN the cluster is down: this node has heard from no working leader for \d+\.\d s: the outcome is unknown/);
    // Out of contact after at most an election timeout, then clusterDownAfterMs: far from the 10 s timeout.
    assert.ok(writeMs < electionTicks * tickMs + clusterDownAfterMs + 2 * slackMs, `answered after ${Math.round(writeMs)} ms`);
    const asked = performance.now();
    raw.write(resp('GET', 'k'));
    raw.write(resp('SET', 'k2', 'v'));
    const replies = await raw.read((t) => t.split('\r\n').length > 2, 5_000);
    const [read, write2] = replies.split('\r\n');
    assert.match(read, /^-CLUSTERDOWN the cluster is down: this node has heard from no working leader for \d+\.\d s: nothing was applied \(the outcome is known\); retry$/);
    assert.match(write2, /^-CLUSTERDOWN the cluster is down: .*: nothing was applied/, 'a write handed to no one did nothing');
    assert.ok(performance.now() - asked < 200, 'answered at once while the cluster is down');
    t.diagnostic(`TRYAGAIN after ${Math.round(writeMs)} ms with the majority gone; then CLUSTERDOWN in ${Math.round(performance.now() - asked)} ms`);
    raw.close();
  } finally {
    await c.stop();
  }
});
