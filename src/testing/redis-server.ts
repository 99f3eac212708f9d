/**
 * A real redis-server (Debian's package redis-server, found on the PATH) for tests of what runs on
 * Redis: started on a free loopback port in a temp directory, with persistence off, and stopped (then
 * its directory removed) by the test that started it. Tests that need it pass
 * `skipUnlessInstalled('redis-server')` to node:test, so a machine without it reports them skipped,
 * naming the package, rather than passed or failed; starting it when it is missing throws the same words.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { freePort, tempDir } from './real-nodes.js';
import { testToolPath } from './test-tools.js';

export interface RedisServer {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** How long redis-server may take to say it accepts connections. */
const redisStartTimeoutMs = 10_000;
/** How long it may take to exit on SIGTERM before it is killed. */
const redisStopTimeoutMs = 5_000;
/** Tries on fresh ports, for the rare port taken between picking and binding it. */
const redisStartAttempts = 3;

export async function startRedisServer(): Promise<RedisServer> {
  const binary = testToolPath('redis-server');
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < redisStartAttempts; attempt++) {
    const port = await freePort();
    const dir = tempDir('pillars-redis-');
    try {
      const child = await spawnReady(binary, port, dir);
      return {
        port,
        url: `redis://127.0.0.1:${port}`,
        stop: async () => {
          await stopChild(child);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (e) {
      lastError = e as Error;
      rmSync(dir, { recursive: true, force: true });
    }
  }
  throw lastError!;
}

function spawnReady(binary: string, port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server on port ${port} did not start within ${redisStartTimeoutMs} ms: ${output}`));
    }, redisStartTimeoutMs);
    const onData = (b: Buffer) => {
      output += b.toString();
      if (/Ready to accept connections/.test(output)) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stdout!.resume(); // keep draining its log, or redis-server blocks on a full pipe
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server on port ${port} exited with code ${code}: ${output}`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), redisStopTimeoutMs);
  await exited;
  clearTimeout(timer);
}
