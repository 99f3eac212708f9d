/**
 * Helpers for tests of real nodes: free loopback ports, in-process clusters of KvNodes (fast: one
 * process, real TCP, real files), a RESP client on a raw socket, and waiting with a bound.
 */
import { spawn } from 'node:child_process';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAdminHttp } from '../node/admin-http.js';
import { KvNode, type KvNodeOptions } from '../node/kv-node.js';
import type { PeerAddress } from '../adapters/tcp-transport.js';
import { Redis, type RedisOptions } from 'ioredis';

import { freePort } from './free-ports.js';

export { freePort, freePortRun } from './free-ports.js';

/**
 * An ioredis client that is disconnected when the test that made it ends, passed or failed: a client
 * left reconnecting to a stopped node keeps the test file's process alive, and the run waiting on it.
 */
export function testRedis(options: RedisOptions): Redis {
  const client = new Redis(options);
  after(() => client.disconnect());
  return client;
}

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/** Wait until `check` holds (polled every 20 ms), or fail with `what` after timeoutMs. */
export async function eventually<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface InProcessCluster {
  nodes: KvNode[];
  secret: Buffer;
  dirs: string[];
  peerPorts: number[];
  leader(): Promise<KvNode>;
  stop(): Promise<void>;
  /** Build (not start) node i again on its directory and ports, e.g. after stop. */
  rebuild(i: number, extra?: Partial<KvNodeOptions>): KvNode;
}

/** n KvNodes in this process on free ports and fresh directories, started, with HTTP admin. */
export async function inProcessCluster(n: number, extra: Partial<KvNodeOptions> = {}, log: string[] = []): Promise<InProcessCluster> {
  const secret = Buffer.from('test-cluster-secret');
  const peerPorts = await Promise.all(Array.from({ length: n }, () => freePort()));
  const dirs = Array.from({ length: n }, (_, i) => tempDir(`pillars-n${i + 1}-`));
  const ids = dirs.map((_, i) => `n${i + 1}`);
  const options = (i: number): KvNodeOptions => ({
    id: ids[i],
    listen: { host: '127.0.0.1', port: peerPorts[i] },
    peers: new Map<string, PeerAddress>(ids.map((id, j) => [id, { host: '127.0.0.1', port: peerPorts[j] }] as [string, PeerAddress]).filter(([id]) => id !== ids[i])),
    dataDir: dirs[i],
    resp: { host: '127.0.0.1', port: 0 },
    secret,
    // Fast elections for tests: 20 ms ticks, 0.2-0.4 s of silence.
    raft: { tickMs: 20 },
    log: (line) => log.push(line),
    ...extra,
  });
  // Every node built here, rebuilt ones too, is stopped when the test ends, whether it passed or
  // failed half-way: a node left listening would keep the test file's process alive, and the run
  // waiting on it.
  const built: KvNode[] = [];
  const build = (i: number, more: Partial<KvNodeOptions> = {}) => {
    const node = new KvNode({ ...options(i), ...more });
    built.push(node);
    return node;
  };
  after(async () => {
    for (const node of built) if (node.running) await node.stop().catch(() => undefined);
  });
  const nodes = ids.map((_, i) => build(i));
  for (const node of nodes) {
    await node.start();
    await startAdminHttp(node, { host: '127.0.0.1', port: 0 });
  }
  const c: InProcessCluster = {
    nodes,
    secret,
    dirs,
    peerPorts,
    leader: () => eventually('a leader', () => c.nodes.find((x) => x.status().role === 'leader' && c.nodes.every((y) => y.status().leader === x.id))),
    stop: async () => {
      for (const x of c.nodes) await x.stop();
    },
    rebuild: (i, more = {}) => build(i, more),
  };
  return c;
}

/** A RESP client on a raw socket: send bytes, read what comes back (for malformed input tests). */
export class RawClient {
  private readonly socket: Socket;
  private received = Buffer.alloc(0);
  closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (d) => (this.received = Buffer.concat([this.received, d])));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => {});
  }

  static async connect(address: PeerAddress): Promise<RawClient> {
    const socket = connect(address.port, address.host);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Wait until `n` bytes or more arrived (or the connection closed), then take them all. */
  async read(until: (text: string) => boolean, timeoutMs = 5_000): Promise<string> {
    await eventually('a reply', () => until(this.received.toString('latin1')) || this.closed, timeoutMs);
    const out = this.received.toString('latin1');
    this.received = Buffer.alloc(0);
    return out;
  }

  close(): void {
    this.socket.destroy();
  }
}

export const resp = (...args: string[]) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

/**
 * `pillars cluster up` as a child process with these arguments, once it printed its leader line;
 * `stop()` sends SIGTERM and resolves with its exit code.
 */
export async function clusterUpProcess(args: readonly string[], timeoutMs = 30_000): Promise<{ out: () => string; stop: () => Promise<number | null> }> {
  const main = fileURLToPath(new URL('../cli/main.js', import.meta.url));
  const up = spawn(process.execPath, [main, 'cluster', 'up', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  up.stdout!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => up.once('exit', (code) => r(code)));
  // A test that fails before its stop() must not leave the launcher and its nodes running: SIGTERM,
  // which the launcher passes to its nodes, then SIGKILL if it has not gone within 10 s.
  after(async () => {
    if (up.exitCode !== null || up.signalCode !== null) return;
    up.kill('SIGTERM');
    const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000).unref())]);
    if (!gone) up.kill('SIGKILL');
  });
  const stop = async () => {
    up.kill('SIGTERM');
    return exited;
  };
  const deadline = Date.now() + timeoutMs;
  while (!/leader: n\d/.test(out) && Date.now() < deadline && up.exitCode === null) await new Promise((r) => setTimeout(r, 100));
  if (!/leader: n\d/.test(out)) {
    await stop();
    throw new Error(`cluster up ${args.join(' ')} printed no leader within ${timeoutMs} ms:\n${out}`);
  }
  return { out: () => out, stop };
}
