/**
 * `pillars cluster member add|remove|list` on a cluster the launcher runs, as an operator uses them:
 * a node added through the launcher becomes a voter, the leader is removed (handing over first) and
 * its process stopped, and the cluster goes on serving through the new member.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterUpProcess, freePortRun, tempDir, testRedis } from '../testing/real-nodes.js';

const main = fileURLToPath(new URL('./main.js', import.meta.url));
const nodeMain = fileURLToPath(new URL('./node-main.js', import.meta.url));

function pillars(args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('cluster member add, list and remove (the leader) on a running cluster', { timeout: 120_000 }, async () => {
  const dir = tempDir('pillars-cli-member-');
  // Room for a fourth node in each port run: n1..n4.
  const base = await freePortRun(12);
  let leader = '';
  const upArgs = ['--nodes', '3', '--data', dir, '--resp-base', String(base), '--http-base', String(base + 4), '--peer-base', String(base + 8)];
  const up = await clusterUpProcess(upArgs);
  try {
    const w = testRedis({ port: base, host: '127.0.0.1', maxRetriesPerRequest: 3 });
    for (let i = 0; i < 100; i++) await w.set(`k${i}`, `v${i}`);
    w.disconnect();

    const added = pillars(['cluster', 'member', 'add', '--data', dir]);
    assert.equal(added.code, 0, added.err);
    assert.match(added.out, /^n4 started \(pid \d+\), peer 127\.0\.0\.1:\d+\nn4 is a learner: it gets the log and has no vote yet\nn4 is a voter: voters n1 n2 n3 n4\n$/);
    const listed = pillars(['cluster', 'member', 'list', '--data', dir, '--json']);
    const members = JSON.parse(listed.out) as { id: string; role: string; leader: boolean }[];
    assert.deepEqual(members.map((m) => [m.id, m.role]), [['n1', 'voter'], ['n2', 'voter'], ['n3', 'voter'], ['n4', 'voter']]);
    leader = members.find((m) => m.leader)!.id;

    const removed = pillars(['cluster', 'member', 'remove', leader, '--data', dir]);
    assert.equal(removed.code, 0, removed.err);
    assert.match(removed.out, new RegExp(`^${leader} removed: voters (n\\d ){2}n\\d\\n${leader} stopped and left out of cluster\\.json\\n$`));
    const after = JSON.parse(pillars(['cluster', 'member', 'list', '--data', dir, '--json']).out) as { id: string; leader: boolean }[];
    assert.equal(after.length, 3);
    assert.ok(!after.some((m) => m.id === leader) && after.some((m) => m.leader));
    const status = pillars(['cluster', 'status', '--data', dir]);
    assert.equal(status.code, 0, `every node of the cluster file answers and one leads:\n${status.out}`);

    // The new member serves every write made before it joined, and takes new ones.
    const r = testRedis({ port: base + 3, host: '127.0.0.1', maxRetriesPerRequest: 3 });
    assert.deepEqual(await r.mget('k0', 'k50', 'k99'), ['v0', 'v50', 'v99']);
    assert.equal(await r.set('after', 'x'), 'OK');
    r.disconnect();

    // A node the operator starts by hand (pillars node --join), named with --peer: the launcher has no part in it.
    const p5 = await freePortRun(3);
    const layout = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as { nodes: { id: string; peer: number }[]; secretFile: string };
    const n5 = spawn(process.execPath, [nodeMain, 'node', '--id', 'n5', '--join', '--listen', `127.0.0.1:${p5}`, '--peers', layout.nodes.map((n) => `${n.id}=127.0.0.1:${n.peer}`).join(','), '--data', join(tempDir('pillars-n5-'), 'n5'), '--resp', `127.0.0.1:${p5 + 1}`, '--http', `127.0.0.1:${p5 + 2}`, '--secret-file', layout.secretFile], { stdio: 'ignore' });
    try {
      const byHand = pillars(['cluster', 'member', 'add', 'n5', '--peer', `127.0.0.1:${p5}`, '--data', dir]);
      assert.equal(byHand.code, 0, byHand.err);
      assert.match(byHand.out, /^n5 is a learner: it gets the log and has no vote yet\nn5 is a voter: voters (n\d )+n5\n$/);
      const r5 = testRedis({ port: p5 + 1, host: '127.0.0.1', maxRetriesPerRequest: 3 });
      assert.deepEqual(await r5.mget('k0', 'after'), ['v0', 'x'], 'it caught up before it was promoted');
      r5.disconnect();
      const gone = pillars(['cluster', 'member', 'remove', 'n5', '--data', dir]);
      assert.equal(gone.code, 0, gone.err);
      assert.match(gone.out, /^n5 removed: voters n\d n\d n\d\n$/, 'not in the cluster file: nothing for the launcher to stop');
    } finally {
      n5.kill('SIGTERM');
    }

    const bad = pillars(['cluster', 'member', 'add', 'n9', '--peer', 'nowhere', '--data', dir]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--peer: host:port of the new node's peer port \(got "nowhere"\)/);
  } finally {
    await up.stop();
  }

  // `cluster up` again on the same directory: the members are the ones the changes left (n4 in, the
  // removed leader out), not a fresh n1..n3, and they still hold every write.
  const again = await clusterUpProcess(upArgs);
  try {
    const out = again.out();
    assert.match(out, /^3-node cluster in /);
    const ids = JSON.parse(pillars(['cluster', 'member', 'list', '--data', dir, '--json']).out) as { id: string; role: string }[];
    assert.deepEqual(ids.map((m) => m.role), ['voter', 'voter', 'voter']);
    assert.ok(ids.some((m) => m.id === 'n4') && !ids.some((m) => m.id === leader), `members after relaunch: ${ids.map((m) => m.id).join(' ')} (removed ${leader})`);
    assert.match(out, new RegExp(`members from .*cluster\\.json: ${ids.map((m) => m.id).join(' ')} `));
    assert.doesNotMatch(out, new RegExp(`^  ${leader} `, 'm'), 'the removed member is not started again');
    const r = testRedis({ port: base + 3, host: '127.0.0.1', maxRetriesPerRequest: 3 });
    assert.deepEqual(await r.mget('k0', 'k99', 'after'), ['v0', 'v99', 'x']);
    r.disconnect();
  } finally {
    await again.stop();
  }
});
