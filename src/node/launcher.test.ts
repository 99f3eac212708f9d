/**
 * The launcher stops every node it started, even one it was starting when the stop came: a restart,
 * a start or a member add under way at Ctrl-C must not leave a process running after the launcher
 * has gone.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { freePortRun, tempDir } from '../testing/real-nodes.js';
import { LocalCluster } from './launcher.js';

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('a stop of the whole cluster during a restart, a start or a member add leaves no node running', { timeout: 30_000 }, async () => {
  const base = await freePortRun(6);
  const cluster = new LocalCluster({ nodes: 1, dataDir: tempDir('pillars-launcher-'), respBase: base, httpBase: base + 2, peerBase: base + 4 });
  after(() => cluster.stopAll());
  cluster.startAll();
  const first = cluster.node('n1').process?.pid;
  assert.ok(alive(first));

  // The restart stops n1, and while it waits for n1 to exit the launcher is told to stop everything.
  const restart = cluster.control('restart', 'n1').then(
    (message) => ({ ok: true, message }),
    (e: Error) => ({ ok: false, message: e.message }),
  );
  const add = cluster.addNode().then(
    (n) => `added ${n.id}`,
    (e: Error) => e.message,
  );
  await cluster.stopAll();
  assert.deepEqual(await restart, { ok: false, message: 'the launcher is stopping the cluster: n1 is not started' });
  assert.equal(await add, 'the launcher is stopping the cluster: no node is added');
  assert.equal(alive(first), false);
  for (const n of cluster.nodes) assert.equal(n.process, undefined, `${n.id} has no process after stopAll`);
  assert.deepEqual(cluster.nodes.map((n) => n.id), ['n1'], 'no node was added to the cluster file');

  // And nothing starts afterwards, whoever asks.
  cluster.startAll();
  assert.equal(cluster.node('n1').process, undefined);
  await assert.rejects(cluster.control('start', 'n1'), /the launcher is stopping the cluster: n1 is not started/);
});
