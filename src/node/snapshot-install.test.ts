/**
 * A real node that was down while its peers compacted their logs catches up from the leader's
 * snapshot in chunks over TCP, on real files: each chunk appended to raft.snap.incoming, the whole
 * renamed to raft.snap as it is (FileDisk.rename), loaded in slices; restarted, it comes back from
 * that file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, inProcessCluster, testRedis } from '../testing/real-nodes.js';

test('a real follower far behind installs the snapshot it receives in chunks, and restarts from it', async () => {
  const log: string[] = [];
  // Small snapshots and chunks, none of the log kept behind them: the follower can only catch up from one.
  const c = await inProcessCluster(3, { raft: { tickMs: 20, snapshotEntries: 200, snapshotCatchUpEntries: 0, snapshotSliceItems: 50, snapshotChunkBytes: 2048 } }, log);
  const leader = await c.leader();
  const i = c.nodes.findIndex((n) => n !== leader);
  await c.nodes[i].stop();
  const r = testRedis({ port: leader.addresses.resp!.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
  await r.connect();
  const keys = Array.from({ length: 600 }, (_, k) => `k${k}`);
  for (const k of keys) await r.set(k, `v-${k}-${'x'.repeat(40)}`);
  r.disconnect();
  await eventually('the leader compacted its log', () => leader.status().snapshotIndex > 0);
  // The operator's log says so, with the index the snapshot covers.
  const taken = log.map((l) => JSON.parse(l) as { node: string; event: string; index?: number }).filter((e) => e.event === 'raft_snapshot_taken' && e.node === leader.id);
  assert.ok(taken.length >= 1 && taken.every((e) => Number.isInteger(e.index) && e.index! > 0), `raft_snapshot_taken logged by ${leader.id}`);

  const back = c.rebuild(i);
  await back.start();
  await eventually('the follower caught up', () => back.status().applied >= leader.status().commit, 10_000);
  const installed = log.filter((l) => l.includes('"raft_snapshot_installed"') && l.includes(`"${back.id}"`));
  assert.ok(installed.length >= 1, 'it installed a snapshot');
  assert.match(installed[0], /"slices":\d+/);
  assert.ok(existsSync(join(c.dirs[i], 'raft.snap')));
  assert.ok(!existsSync(join(c.dirs[i], 'raft.snap.incoming')), 'the file it received became raft.snap');
  await back.stop();

  // Restarted, it loads the snapshot it received (and the log after it) from its disk.
  const again = c.rebuild(i);
  await again.start();
  const x = testRedis({ port: again.addresses.resp!.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
  await x.connect();
  await eventually('a leader known to it', () => again.status().leader);
  assert.deepEqual(await x.mget(...keys), keys.map((k) => `v-${k}-${'x'.repeat(40)}`), 'every write, read through it');
  x.disconnect();
  for (const n of c.nodes) if (n !== c.nodes[i]) await n.stop();
  await again.stop();
});
