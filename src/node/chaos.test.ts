/**
 * Real processes, real crashes: a three-node cluster of `pillars node` processes under a load of
 * ioredis clients, whose leader is killed with SIGKILL twice (and restarted), while a fourth node
 * joins and is removed again, then the whole cluster at once. Afterwards every acknowledged write is there, on every node, and the recorded history of
 * reads, writes and compare-and-sets is linearizable by the Truth pillar's checker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { checkLinearizable, describeViolation, kvModel, NANOS_PER_MS, type HistoryEvent } from '../check/index.js';
import { LocalCluster } from './launcher.js';
import { addMember, changeMember, readClusterDir } from './members.js';
import { freePortRun, tempDir, testRedis } from '../testing/real-nodes.js';

/** Register keys the checked history is about (few, so operations on them overlap). */
const registers = ['r0', 'r1', 'r2'];
const clientsPerNode = 3;
const loadMs = 11_000;

interface Recorder {
  events: HistoryEvent[];
  t0: bigint;
}

const now = (h: Recorder) => Number(process.hrtime.bigint() - h.t0);

/** Errors that prove the command never left the client: a definite failure, not an unknown outcome. */
const neverSent = (e: Error) => /Stream isn't writeable|enableOfflineQueue|Connection is closed\. \(offline\)/.test(e.message);

test('kill -9 of the leader, twice, under load; then of the whole cluster: nothing acknowledged is lost, the history is linearizable', { timeout: 120_000 }, async (t) => {
  // Room for a fourth node in each port run.
  const base = await freePortRun(12);
  const dir = tempDir('pillars-chaos-');
  const cluster = new LocalCluster({ nodes: 3, dataDir: dir, respBase: base, httpBase: base + 4, peerBase: base + 8, nodeArgs: ['--tick-ms', '20', '--request-timeout-ms', '4000'] });
  const unexpected: string[] = [];
  cluster.onExit = (n, code, signal) => unexpected.push(`${n.id} exited (${signal ?? code}): ${cluster.tail(n.id, 5)}`);
  cluster.startAll();
  const h: Recorder = { events: [], t0: process.hrtime.bigint() };
  const acked = new Map<string, string>();
  const clients: Redis[] = [];
  try {
    await cluster.waitForLeader(20_000);
    let nextProcess = 0;
    let running = true;
    let seq = 0;

    /** One client loop on one node: an operation at a time; after an unknown outcome, a new process id (Jepsen's rule). */
    const loop = async (port: number) => {
      const r = testRedis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, enableOfflineQueue: false, commandTimeout: 6_000, retryStrategy: () => 100, lazyConnect: true });
      r.on('error', () => {});
      clients.push(r);
      await r.connect().catch(() => {});
      let proc = nextProcess++;
      while (running) {
        if (r.status !== 'ready') {
          await new Promise((res) => setTimeout(res, 50));
          continue;
        }
        const dice = Math.random();
        const key = registers[Math.floor(Math.random() * registers.length)];
        const value = String(++seq);
        // A unique key per write as well: at the end, each acknowledged one must be found.
        const op: { f: 'read' | 'write' | 'cas'; key: string; value: unknown } = dice < 0.45 ? { f: 'read', key, value: null } : dice < 0.85 ? { f: 'write', key, value } : { f: 'cas', key, value: [String(seq - 1 - Math.floor(Math.random() * 3)), value] };
        h.events.push({ process: proc, type: 'invoke', f: op.f, key, value: op.value, time: now(h) });
        try {
          if (op.f === 'read') {
            const v = await r.get(key);
            h.events.push({ process: proc, type: 'ok', f: 'read', key, value: v, time: now(h) });
          } else if (op.f === 'write') {
            await r.set(key, value);
            h.events.push({ process: proc, type: 'ok', f: 'write', key, value, time: now(h) });
            const unique = `u${value}`;
            // Outside the checked history: only its acknowledgement matters.
            if (await r.set(unique, value).catch(() => undefined)) acked.set(unique, value);
          } else {
            const ok = (await r.call('cas', key, ...(op.value as string[]))) === 1;
            h.events.push({ process: proc, type: ok ? 'ok' : 'fail', f: 'cas', key, value: op.value, time: now(h) });
          }
        } catch (e) {
          // CLUSTERDOWN says nothing was applied: taken at its word, so the checker holds the node to it.
          const definite = op.f === 'read' || neverSent(e as Error) || /^CLUSTERDOWN /.test((e as Error).message);
          h.events.push({ process: proc, type: definite ? 'fail' : 'info', f: op.f, key, value: op.value, time: now(h), error: (e as Error).message });
          if (!definite) proc = nextProcess++;
          // As a client library retries on these codes: after a pause, not in a tight loop. After any
          // other error, a turn of the event loop at least: a command refused at once (a socket going
          // down while the client still says ready) settles as a microtask, and a loop of those never
          // lets the socket's close, nor the nemesis's timers, run (seen: the load never ended).
          await new Promise((res) => setTimeout(res, /^(CLUSTERDOWN|TRYAGAIN) /.test((e as Error).message) ? 50 : 0));
        }
      }
    };
    const loops = cluster.nodes.flatMap((n) => Array.from({ length: clientsPerNode }, () => loop(n.resp)));

    // The nemesis: kill -9 the leader, restart it, kill -9 the next leader, restart it; between the
    // two, a fourth node joins (a learner, then a voter), and after the second it is removed again.
    const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
    const elapsedMs = () => Number(process.hrtime.bigint() - h.t0) / 1e6;
    const killed: string[] = [];
    const membership: string[] = [];
    let joining: Promise<void> | undefined;
    for (const [atMs, downMs] of [
      [2_000, 2_000],
      [6_500, 2_000],
    ]) {
      await sleep(atMs - elapsedMs());
      const leader = await cluster.waitForLeader(10_000);
      killed.push(leader);
      await cluster.kill(leader, 'SIGKILL');
      await sleep(downMs);
      cluster.start(leader);
      // The join runs while the next leader is killed: a change must survive its leader's crash.
      joining ??= (async () => {
        const n4 = await cluster.addNode();
        const m = await addMember(readClusterDir(dir), n4.id, `127.0.0.1:${n4.peer}`);
        membership.push(`${n4.id} voter at ${Math.round(elapsedMs())} ms (voters ${m.voters.join(' ')})`);
      })();
    }
    await joining;
    const removed = await changeMember(readClusterDir(dir), 'remove-voter', 'n4');
    await cluster.forgetNode('n4');
    membership.push(`n4 removed at ${Math.round(elapsedMs())} ms (voters ${removed.voters.join(' ')})`);
    await sleep(loadMs - elapsedMs());
    running = false;
    await Promise.all(loops);
    assert.equal(new Set(killed).size >= 1, true);

    const okWrites = h.events.filter((e) => e.type === 'ok' && e.f === 'write').length;
    const okReads = h.events.filter((e) => e.type === 'ok' && e.f === 'read').length;
    assert.ok(okWrites > 200 && okReads > 200, `a real load: ${okWrites} writes and ${okReads} reads acknowledged`);
    // Writes were acknowledged after each crash too: the cluster recovered, not just survived.
    const secondCrash = h.events.find((e) => e.type === 'ok' && e.time > 9_000 * NANOS_PER_MS);
    assert.ok(secondCrash !== undefined, 'operations succeed after the second crash');

    const count = (type: string) => h.events.filter((e) => e.type === type).length;
    t.diagnostic(`killed ${killed.join(', ')}; ${membership.join('; ')}; ${count('ok')} ok, ${count('fail')} failed, ${count('info')} unknown; ${acked.size} unique keys acknowledged`);
    assert.equal(membership.length, 2, 'a member was added and removed during the run');
    const verdict = checkLinearizable(h.events, kvModel);
    assert.ok(!verdict.unknown, `the checker gave up after ${verdict.steps} steps`);
    assert.ok(verdict.ok, verdict.violation === undefined ? 'not linearizable' : describeViolation(verdict.violation));

    const present = async (when: string) => {
      await cluster.waitForLeader(20_000);
      const keys = [...acked.keys()];
      for (const n of cluster.nodes) {
        const r = testRedis({ port: n.resp, host: '127.0.0.1', maxRetriesPerRequest: 3 });
        r.on('error', () => {});
        const got = await r.mget(...keys);
        r.disconnect();
        const missing = keys.filter((k, i) => got[i] !== acked.get(k));
        assert.deepEqual(missing, [], `${when}, through ${n.id}: ${missing.length} of ${keys.length} acknowledged writes missing`);
      }
    };
    await present('after two leader crashes');

    // Every node at once, without warning; then all start from their disks.
    await Promise.all(cluster.nodes.map((n) => cluster.kill(n.id, 'SIGKILL')));
    cluster.startAll();
    await present('after a crash of the whole cluster');
    assert.deepEqual(unexpected, [], 'no node died on its own');
  } finally {
    for (const c of clients) c.disconnect();
    await cluster.stopAll();
  }
});
