/**
 * The floor of bench:kv is a measuring instrument: if it answered before a majority had a write on
 * disk, or lost writes, the bound it prints would be wrong. Three real processes, as the benchmark
 * starts them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { eventually, freePort, RawClient, resp, tempDir } from '../src/testing/real-nodes.js';

const program = fileURLToPath(new URL('./kv-floor.js', import.meta.url));

async function startFloor(dir: string): Promise<{ port: number; walFiles: string[]; followers: ChildProcess[]; stop(): void }> {
  const ports = [await freePort(), await freePort(), await freePort()];
  const children: ChildProcess[] = [];
  const spawnRole = (args: string[]) => {
    const child = spawn(process.execPath, [program, ...args], { stdio: 'ignore' });
    children.push(child);
  };
  spawnRole(['follower', '--port', String(ports[1]), '--data', join(dir, 'f1')]);
  spawnRole(['follower', '--port', String(ports[2]), '--data', join(dir, 'f2')]);
  // The followers must listen before the leader dials them.
  for (const port of ports.slice(1)) await eventually(`follower on ${port}`, () => RawClient.connect({ host: '127.0.0.1', port }).then((c) => (c.close(), true)).catch(() => false));
  spawnRole(['leader', '--port', String(ports[0]), '--data', join(dir, 'leader'), '--followers', `${ports[1]},${ports[2]}`]);
  await eventually('the leader', () => RawClient.connect({ host: '127.0.0.1', port: ports[0] }).then((c) => (c.close(), true)).catch(() => false));
  return {
    port: ports[0],
    walFiles: ['leader', 'f1', 'f2'].map((d) => join(dir, d, 'wal')),
    followers: children.slice(0, 2),
    stop: () => children.forEach((c) => c.kill('SIGKILL')),
  };
}

test('the floor answers a SET only once two of its three processes hold it on disk, and answers in order', async () => {
  const dir = tempDir('kv-floor-');
  const floor = await startFloor(dir);
  const client = new Redis({ port: floor.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  try {
    assert.equal(await client.ping(), 'PONG');
    // With both followers stopped the leader alone holds a write: no answer. One back: two of three.
    for (const f of floor.followers) f.kill('SIGSTOP');
    let answered: unknown;
    const pending = client.set('while-stopped', 'x').then((r) => (answered = r));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(answered, undefined, 'answered with one copy of three');
    floor.followers[0].kill('SIGCONT');
    assert.equal(await pending, 'OK');
    floor.followers[1].kill('SIGCONT');
    const keys = Array.from({ length: 500 }, (_, i) => `floor-key-${i}`);
    // Commands of one connection, pipelined: a reply out of order would hand a PONG to a SET.
    const replies = await Promise.all(keys.map((k, i) => (i % 50 === 0 ? client.ping() : client.set(k, `value-of-${k}`))));
    replies.forEach((r, i) => assert.equal(r, i % 50 === 0 ? 'PONG' : 'OK', `reply ${i}`));
    await assert.rejects(client.call('frobnicate'), /unknown command 'frobnicate'/);
    // Answered means written by two of three (each fdatasyncs before it counts): kill all three at
    // once and read what the files hold.
    floor.stop();
    const setKeys = keys.filter((_, i) => i % 50 !== 0);
    const held = floor.walFiles.map((f) => {
      const text = readFileSync(f, 'latin1');
      return setKeys.filter((k) => text.includes(`\r\n${k}\r\n`)).length;
    });
    assert.ok(held.filter((n) => n === setKeys.length).length >= 2, `every answered key in two files of three, got ${held.join(', ')} of ${setKeys.length}`);
  } finally {
    client.disconnect();
    floor.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the floor refuses malformed RESP with an error and closes that connection', async () => {
  const dir = tempDir('kv-floor-');
  const floor = await startFloor(dir);
  try {
    const raw = await RawClient.connect({ host: '127.0.0.1', port: floor.port });
    raw.write(resp('SET', 'a', 'b'));
    assert.equal(await raw.read((t) => t.includes('\r\n')), '+OK\r\n');
    raw.write('hello\r\n');
    assert.match(await raw.read((t) => t.includes('\r\n')), /^-ERR Protocol error: expected '\*'/);
    await eventually('the connection closed', () => raw.closed);
  } finally {
    floor.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the floor refuses bad arguments with one line and exit code 2', () => {
  for (const args of [[], ['leader', '--port', 'x', '--data', '/tmp/none', '--followers', '1,2'], ['leader', '--port', '7000', '--data', '/tmp/none', '--followers', '1']]) {
    const r = spawnSync(process.execPath, [program, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 2, `${args.join(' ')}: exit code`);
    assert.match(r.stderr, /^kv-floor: .+\n$/, `${args.join(' ')}: one line`);
  }
});
