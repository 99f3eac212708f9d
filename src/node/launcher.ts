/**
 * A local cluster of real node processes: what `pillars cluster up` runs, and what the tests and the
 * benchmark start. Node i (1-based) listens on RESP port respBase+i-1, HTTP port httpBase+i-1 and
 * peer port peerBase+i-1 (docs/design.md, "Port layout"), all on loopback unless told otherwise, with its data in
 * DIR/n<i> and the cluster secret in DIR/cluster.secret (made once, readable by its owner only).
 *
 * The launcher only starts, watches and stops processes: each node is a `pillars node` of its own,
 * so killing one with SIGKILL is a real crash of a real process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ClusterLayout {
  nodes: number;
  dataDir: string;
  host?: string;
  respBase?: number;
  httpBase?: number;
  peerBase?: number;
  /** More `pillars node` options for every node (e.g. ['--read-mode', 'lease']). */
  nodeArgs?: string[];
  /** Environment of the node processes (e.g. PILLARS_REQUIREPASS). */
  env?: Record<string, string>;
  /** Options for the node processes' Node.js itself (e.g. ['--cpu-prof'] to profile them). */
  execArgv?: string[];
}

export interface LocalNode {
  id: string;
  index: number;
  resp: number;
  http: number;
  peer: number;
  dataDir: string;
  logFile: string;
  process: ChildProcess | undefined;
}

export interface ClusterFile {
  nodes: { id: string; host: string; resp: number; http: number; peer: number; data: string }[];
  secretFile: string;
}

export const layoutDefaults = { host: '127.0.0.1', respBase: 7379, httpBase: 7479, peerBase: 7579 };
export const clusterFileName = 'cluster.json';
export const secretFileName = 'cluster.secret';
/** How long stop() waits for a node to exit after SIGTERM before it sends SIGKILL. */
const stopGraceMs = 5_000;

const mainJs = fileURLToPath(new URL('../cli/main.js', import.meta.url));

/** The cluster secret of a data directory, made on first use (32 random bytes, hex, mode 0600). */
export function ensureSecret(dataDir: string): string {
  const file = join(dataDir, secretFileName);
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
  return file;
}

export class LocalCluster {
  readonly nodes: LocalNode[];
  readonly host: string;
  readonly secretFile: string;
  private readonly logs = new Map<string, WriteStream>();
  /** Called when a node exits without being asked to (code or signal). */
  onExit: ((node: LocalNode, code: number | null, signal: NodeJS.Signals | null) => void) | undefined;
  private readonly stopping = new Set<string>();

  constructor(private readonly layout: ClusterLayout) {
    const l = { ...layoutDefaults, ...layout };
    this.host = l.host;
    mkdirSync(layout.dataDir, { recursive: true });
    this.secretFile = ensureSecret(layout.dataDir);
    this.nodes = Array.from({ length: layout.nodes }, (_, i) => {
      const id = `n${i + 1}`;
      return { id, index: i + 1, resp: l.respBase + i, http: l.httpBase + i, peer: l.peerBase + i, dataDir: join(layout.dataDir, id), logFile: join(layout.dataDir, `${id}.log`), process: undefined };
    });
    const file: ClusterFile = { nodes: this.nodes.map((n) => ({ id: n.id, host: this.host, resp: n.resp, http: n.http, peer: n.peer, data: n.dataDir })), secretFile: this.secretFile };
    writeFileSync(join(layout.dataDir, clusterFileName), JSON.stringify(file, null, 2) + '\n');
  }

  node(id: string): LocalNode {
    const n = this.nodes.find((x) => x.id === id);
    if (n === undefined) throw new Error(`no node ${id} in this cluster`);
    return n;
  }

  /** The `pillars node` arguments of a node. */
  argsOf(n: LocalNode): string[] {
    const peers = this.nodes.filter((p) => p !== n).map((p) => `${p.id}=${this.host}:${p.peer}`).join(',');
    return ['node', '--id', n.id, '--listen', `${this.host}:${n.peer}`, ...(peers ? ['--peers', peers] : []), '--data', n.dataDir, '--resp', `${this.host}:${n.resp}`, '--http', `${this.host}:${n.http}`, '--secret-file', this.secretFile, ...(this.layout.nodeArgs ?? [])];
  }

  /** Start every node that is not running. */
  startAll(): void {
    for (const n of this.nodes) if (n.process === undefined) this.start(n.id);
  }

  start(id: string): LocalNode {
    const n = this.node(id);
    if (n.process !== undefined) return n;
    let log = this.logs.get(id);
    if (log === undefined) this.logs.set(id, (log = createWriteStream(n.logFile, { flags: 'a' })));
    const child = spawn(process.execPath, [...(this.layout.execArgv ?? []), mainJs, ...this.argsOf(n)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...this.layout.env } });
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    n.process = child;
    this.stopping.delete(id);
    child.on('exit', (code, signal) => {
      if (n.process === child) n.process = undefined;
      if (!this.stopping.has(id)) this.onExit?.(n, code, signal);
    });
    return n;
  }

  /** Kill a node the hard way (SIGKILL by default): a crash, nothing flushed, nothing said. */
  async kill(id: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const n = this.node(id);
    const child = n.process;
    if (child === undefined) return;
    this.stopping.add(id);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }

  /** Stop a node politely (SIGTERM), forcefully after a grace period. */
  async stop(id: string): Promise<void> {
    const n = this.node(id);
    const child = n.process;
    if (child === undefined) return;
    this.stopping.add(id);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), stopGraceMs);
    await exited;
    clearTimeout(timer);
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.stop(n.id)));
    for (const log of this.logs.values()) log.end();
    this.logs.clear();
  }

  /** The last lines a node wrote (for a message when it failed). */
  tail(id: string, lines = 20): string {
    try {
      return readFileSync(this.node(id).logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /** GET a node's /status (undefined when it does not answer). */
  async status(id: string): Promise<NodeStatusJson | undefined> {
    return fetchStatus(this.host, this.node(id).http);
  }

  /** Wait until the running nodes agree on a leader that is up; returns its id. */
  async waitForLeader(timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const running = this.nodes.filter((n) => n.process !== undefined);
      const st = await Promise.all(running.map((n) => this.status(n.id)));
      const leaders = st.filter((s) => s?.role === 'leader');
      if (leaders.length === 1 && st.every((s) => s !== undefined && s.leader === leaders[0]!.id)) return leaders[0]!.id;
      if (Date.now() > deadline) throw new Error(`no leader within ${timeoutMs} ms (${running.map((n, i) => `${n.id}: ${st[i] === undefined ? 'no answer' : `${st[i]!.role}, leader ${st[i]!.leader ?? 'none'}`}`).join('; ')})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export interface NodeStatusJson {
  id: string;
  role: string;
  term: number;
  leader?: string;
  commit: number;
  applied: number;
  lastIndex: number;
  keys: number;
  up: boolean;
  failure?: string;
  clients: number;
  followers?: Record<string, { match: number; lag: number }>;
  /** Catching up on log entries it lost after acknowledging them (absent from nodes that predate it). */
  repairing?: boolean;
  repairUntil?: number;
}

export async function fetchStatus(host: string, port: number, timeoutMs = 1_000): Promise<NodeStatusJson | undefined> {
  try {
    const r = await fetch(`http://${host}:${port}/status`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!r.ok) return undefined;
    return (await r.json()) as NodeStatusJson;
  } catch {
    return undefined;
  }
}
