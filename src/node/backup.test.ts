/**
 * Backup and restore round-trip a live cluster: every write acknowledged before the backup was
 * asked for is in a new cluster seeded from it, while a client goes on writing during the backup.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterUpProcess, freePortRun, tempDir, testRedis } from '../testing/real-nodes.js';

const main = fileURLToPath(new URL('../cli/main.js', import.meta.url));

function pillars(args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const clusterUp = (dir: string, base: number) => clusterUpProcess(['--nodes', '3', '--data', dir, '--resp-base', String(base), '--http-base', String(base + 3), '--peer-base', String(base + 6)]);

test('backup and restore round-trip a live cluster: every write acknowledged before the backup is in the restored one', { timeout: 120_000 }, async () => {
  const a = tempDir('pillars-backup-a-');
  const backupDir = join(tempDir('pillars-backup-'), 'b1');
  const b = join(tempDir('pillars-backup-b-'), 'kv');
  const baseA = await freePortRun(9);
  const upA = await clusterUp(a, baseA);
  const acked = new Map<string, string>();
  let during: Promise<void> | undefined;
  let writing = true;
  try {
    const r = testRedis({ port: baseA, host: '127.0.0.1', maxRetriesPerRequest: 2 });
    for (let i = 0; i < 300; i++) {
      await r.set(`k${i}`, `v${i}`);
      acked.set(`k${i}`, `v${i}`);
    }
    // A client goes on writing while the backup is taken: those writes may or may not be in it.
    during = (async () => {
      for (let i = 0; writing; i++) await r.set(`late${i}`, `l${i}`).catch(() => {});
    })();
    const saved = pillars(['cluster', 'backup', backupDir, '--data', a]);
    assert.equal(saved.code, 0, saved.err);
    assert.match(saved.out, /^backup of index \d+ \(term \d+, \d+ keys, \d+ bytes\) taken by n\d into /);
    writing = false;
    await during;
    r.disconnect();
  } finally {
    await upA.stop();
  }

  const restored = pillars(['cluster', 'restore', backupDir, '--data', b, '--nodes', '3']);
  assert.equal(restored.code, 0, restored.err);
  assert.match(restored.out, /^restored index \d+ \(term \d+, \d+ keys\) into 3 nodes in /);
  const baseB = await freePortRun(9);
  const upB = await clusterUp(b, baseB);
  try {
    const r = testRedis({ port: baseB + 1, host: '127.0.0.1', maxRetriesPerRequest: 2 });
    const keys = [...acked.keys()];
    assert.deepEqual(await r.mget(...keys), keys.map((k) => acked.get(k)), 'every acknowledged write, through a follower of the new cluster');
    // A late write that made it into the backup holds its own value, never another.
    const late = await r.mget(...Array.from({ length: 50 }, (_, i) => `late${i}`));
    late.forEach((v, i) => assert.ok(v === null || v === `l${i}`, `late${i} = ${v}`));
    // The new cluster takes writes: it is a cluster of its own, with its own secret.
    assert.equal(await r.set('after', 'restore'), 'OK');
    r.disconnect();
    assert.notEqual(readFileSync(join(a, 'cluster.secret'), 'utf8'), readFileSync(join(b, 'cluster.secret'), 'utf8'));
  } finally {
    await upB.stop();
  }

  // A backup whose bytes changed is refused, naming the file; so is a directory that holds a cluster.
  const snap = join(backupDir, 'snapshot.pillars');
  const bytes = readFileSync(snap);
  bytes[bytes.length - 3] ^= 0xff;
  writeFileSync(snap, bytes);
  const bad = pillars(['cluster', 'restore', backupDir, '--data', join(tempDir('pillars-backup-c-'), 'kv')]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /snapshot\.pillars: bytes whose SHA-256 is the one in backup\.json/);
  const busy = pillars(['cluster', 'restore', backupDir, '--data', b]);
  assert.equal(busy.code, 2);
  assert.match(busy.err, /an empty or new directory for the restored cluster/);
});
