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
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launcherOps, layoutDefaults } from './cluster-defaults.js';

export interface ClusterLayout {
  nodes: number;
  dataDir: string;
  host?: string;
  respBase?: number;
  httpBase?: number;
  peerBase?: number;
  /** More `pillars node` options for every node (e.g. ['--read-mode', 'lease']). */
  nodeArgs?: string[];
  /** Environment of the node processes (e.g. PILLARS_CLUSTER_SECRET). */
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
  /** Members that joined the running cluster (`cluster member add`): they start with --join. */
  joined?: string[];
}

export const clusterFileName = 'cluster.json';
/** Where a running launcher says how to reach it: { pid, socket }. */
export const launcherFileName = 'launcher.json';
export const secretFileName = 'cluster.secret';
/** How long stop() waits for a node to exit after SIGTERM before it sends SIGKILL. */
const stopGraceMs = 5_000;

/** What each node process runs: `pillars node` alone (node-main.ts), not the whole command line. */
const nodeMainJs = fileURLToPath(new URL('../cli/node-main.js', import.meta.url));

/** The cluster secret of a data directory, made on first use (32 random bytes, hex, mode 0600). */
export function ensureSecret(dataDir: string): string {
  const file = join(dataDir, secretFileName);
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
  return file;
}

export class LocalCluster {
  readonly nodes: LocalNode[] = [];
  readonly host: string;
  readonly secretFile: string;
  private readonly logs = new Map<string, WriteStream>();
  /** Called when a node exits without being asked to (code or signal). */
  onExit: ((node: LocalNode, code: number | null, signal: NodeJS.Signals | null) => void) | undefined;
  private readonly stopping = new Set<string>();
  /**
   * Set when stopAll begins: no node starts after it. A restart, start or member add that was under
   * way when Ctrl-C came would otherwise start a process after the others were stopped, and the
   * launcher would exit leaving it running.
   */
  private closed = false;
  /** Nodes added to the running cluster: they start with --join. */
  private readonly joiners = new Set<string>();

  private readonly bases: { resp: number; http: number; peer: number };
  /** The members came from the directory's cluster file, not from the layout's node count and ports. */
  readonly resumed: boolean = false;

  constructor(private readonly layout: ClusterLayout) {
    const l = { ...layoutDefaults, ...layout };
    this.host = l.host;
    this.bases = { resp: l.respBase, http: l.httpBase, peer: l.peerBase };
    mkdirSync(layout.dataDir, { recursive: true });
    this.secretFile = ensureSecret(layout.dataDir);
    const saved = savedMembers(layout.dataDir);
    // A directory a cluster already ran in keeps its members: the ones `member add` joined and not
    // the ones `member remove` took out, at the addresses the others know them by.
    if (saved !== undefined) {
      this.resumed = true;
      this.nodes = saved.nodes;
      this.host = saved.host;
      for (const id of saved.joined) this.joiners.add(id);
    } else this.nodes = Array.from({ length: layout.nodes }, (_, i) => this.layoutOf(i + 1));
    this.writeClusterFile();
  }

  /** Node i (1-based) of the port layout (docs/design.md). */
  private layoutOf(index: number): LocalNode {
    const id = `n${index}`;
    return { id, index, resp: this.bases.resp + index - 1, http: this.bases.http + index - 1, peer: this.bases.peer + index - 1, dataDir: join(this.layout.dataDir, id), logFile: join(this.layout.dataDir, `${id}.log`), process: undefined };
  }

  private writeClusterFile(): void {
    const joined = this.nodes.filter((n) => this.joiners.has(n.id)).map((n) => n.id);
    const file: ClusterFile = { nodes: this.nodes.map((n) => ({ id: n.id, host: this.host, resp: n.resp, http: n.http, peer: n.peer, data: n.dataDir })), secretFile: this.secretFile, ...(joined.length > 0 ? { joined } : {}) };
    writeFileSync(join(this.layout.dataDir, clusterFileName), JSON.stringify(file, null, 2) + '\n');
  }

  /**
   * Start one more node, the next of the port layout, joining the running members (pillars node
   * --join): it is nobody's voter until the membership adds it. Returns it; its ports are checked first.
   */
  async addNode(): Promise<LocalNode> {
    this.refuseIfClosed('no node is added');
    const n = this.layoutOf(Math.max(0, ...this.nodes.map((x) => x.index)) + 1);
    for (const [what, port] of [['redis', n.resp], ['http', n.http], ['peer', n.peer]] as const) {
      const err = await tryListen(this.host, port);
      if (err !== undefined) throw new PortInUseError(n.id, what, this.host, port, err);
    }
    this.refuseIfClosed('no node is added');
    this.joiners.add(n.id);
    this.nodes.push(n);
    this.writeClusterFile();
    this.start(n.id);
    return n;
  }

  /** A member the membership removed: stop its process and forget it (its data directory stays). */
  async forgetNode(id: string): Promise<void> {
    await this.stop(id);
    const i = this.nodes.findIndex((n) => n.id === id);
    if (i >= 0) this.nodes.splice(i, 1);
    this.joiners.delete(id);
    this.writeClusterFile();
  }

  node(id: string): LocalNode {
    const n = this.nodes.find((x) => x.id === id);
    if (n === undefined) throw new Error(`no node ${id} in this cluster`);
    return n;
  }

  /** The `pillars node` arguments of a node. */
  argsOf(n: LocalNode): string[] {
    const peers = this.nodes.filter((p) => p !== n).map((p) => `${p.id}=${this.host}:${p.peer}`).join(',');
    return ['node', '--id', n.id, '--listen', `${this.host}:${n.peer}`, ...(peers ? ['--peers', peers] : []), ...(this.joiners.has(n.id) ? ['--join'] : []), '--data', n.dataDir, '--resp', `${this.host}:${n.resp}`, '--http', `${this.host}:${n.http}`, '--secret-file', this.secretFile, '--stop-when-stdin-closes', ...(this.layout.nodeArgs ?? [])];
  }

  /**
   * Every port of every node, tried before anything starts: a port in use (another cluster, an old
   * node) would otherwise answer for a node of this one.
   */
  async checkPorts(): Promise<void> {
    for (const n of this.nodes) {
      for (const [what, port] of [['redis', n.resp], ['http', n.http], ['peer', n.peer]] as const) {
        const err = await tryListen(this.host, port);
        if (err !== undefined) throw new PortInUseError(n.id, what, this.host, port, err);
      }
    }
  }

  /** Start every node that is not running (none once the cluster is stopping). */
  startAll(): void {
    if (this.closed) return;
    for (const n of this.nodes) if (n.process === undefined) this.start(n.id);
  }

  private refuseIfClosed(what: string): void {
    if (this.closed) throw new Error(`the launcher is stopping the cluster: ${what}`);
  }

  start(id: string): LocalNode {
    const n = this.node(id);
    if (n.process !== undefined) return n;
    this.refuseIfClosed(`${id} is not started`);
    let log = this.logs.get(id);
    if (log === undefined) this.logs.set(id, (log = createWriteStream(n.logFile, { flags: 'a' })));
    // The node's standard input is a pipe from this process that nothing is written to: when the
    // launcher exits, even by SIGKILL, the kernel closes it and the node stops (--stop-when-stdin-closes).
    const child = spawn(process.execPath, [...(this.layout.execArgv ?? []), nodeMainJs, ...this.argsOf(n)], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...this.layout.env } });
    child.stdin!.on('error', () => {});
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    n.process = child;
    this.stopping.delete(id);
    if (child.pid !== undefined) writeFileSync(pidFile(n), `${child.pid}\n`);
    child.on('exit', (code, signal) => {
      if (n.process === child) {
        n.process = undefined;
        rmSync(pidFile(n), { force: true });
      }
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
    this.closed = true;
    await Promise.all(this.nodes.map((n) => this.stop(n.id)));
    for (const log of this.logs.values()) log.end();
    this.logs.clear();
  }

  /** What `pillars cluster stop|start|restart|kill <node>` asks of a running launcher. */
  async control(op: LauncherOp, id: string): Promise<string> {
    const n = this.node(id);
    const was = n.process?.pid;
    switch (op) {
      case 'stop':
        if (was === undefined) return `${id} is not running`;
        await this.stop(id);
        return `${id} stopped (SIGTERM, pid ${was})`;
      case 'kill':
        if (was === undefined) return `${id} is not running`;
        await this.kill(id, 'SIGKILL');
        return `${id} killed (SIGKILL, pid ${was})`;
      case 'start':
        if (was !== undefined) return `${id} is already running (pid ${was})`;
        return `${id} started (pid ${this.start(id).process?.pid})`;
      case 'restart':
        if (was !== undefined) await this.stop(id);
        return `${id} restarted (pid ${this.start(id).process?.pid}${was === undefined ? '' : `, was ${was}`})`;
      case 'forget':
        await this.forgetNode(id);
        return `${id} stopped and left out of ${clusterFileName}`;
      case 'add-node':
        return `${(await this.addNode()).id} started`;
    }
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
      if (running.length === 0) throw new Error('every node has exited');
      // An answer from another process on a node's port (an old node, another cluster) is no answer.
      const st = await Promise.all(running.map(async (n) => {
        const s = await this.status(n.id);
        return s !== undefined && (s.pid === undefined || s.pid === n.process?.pid) ? s : undefined;
      }));
      const leaders = st.filter((s) => s?.role === 'leader');
      if (leaders.length === 1 && st.every((s) => s !== undefined && s.leader === leaders[0]!.id)) return leaders[0]!.id;
      if (Date.now() > deadline) throw new Error(`no leader within ${timeoutMs} ms (${running.map((n, i) => `${n.id}: ${st[i] === undefined ? 'no answer' : `${st[i]!.role}, leader ${st[i]!.leader ?? 'none'}`}`).join('; ')})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * The members a cluster file of `dataDir` lists, when a cluster ran there before and a node of it kept
 * data; undefined for a new directory. The node index comes from its id (n<i>), so a later
 * `member add` takes the next free one.
 */
function savedMembers(dataDir: string): { nodes: LocalNode[]; host: string; joined: string[] } | undefined {
  let file: ClusterFile;
  try {
    file = JSON.parse(readFileSync(join(dataDir, clusterFileName), 'utf8')) as ClusterFile;
  } catch {
    return undefined;
  }
  if (!Array.isArray(file.nodes) || file.nodes.length === 0) return undefined;
  const nodes = file.nodes.map((m) => {
    const index = Number(/^n(\d+)$/.exec(m.id)?.[1]);
    if (!Number.isInteger(index)) throw new Error(`${join(dataDir, clusterFileName)}: node id "${m.id}" is not of the form n<number>`);
    return { id: m.id, index, resp: m.resp, http: m.http, peer: m.peer, dataDir: m.data, logFile: join(dataDir, `${m.id}.log`), process: undefined };
  });
  // Only a directory whose nodes kept data is a cluster to resume; a cluster file alone (a run
  // that never started a node) is not.
  if (!nodes.some((n) => existsSync(n.dataDir))) return undefined;
  return { nodes, host: file.nodes[0]!.host, joined: (file.joined ?? []).filter((id) => nodes.some((n) => n.id === id)) };
}

/** A port the cluster needs is taken (or cannot be bound). */
export class PortInUseError extends Error {
  constructor(
    readonly node: string,
    readonly what: string,
    readonly host: string,
    readonly port: number,
    readonly code: string,
  ) {
    super(`${node}'s ${what} port ${host}:${port} ${code === 'EADDRINUSE' ? 'is in use' : `cannot be bound (${code})`}: stop what holds it, or choose other ports with --resp-base, --http-base and --peer-base`);
  }
}

export function isPortInUseError(e: unknown): e is PortInUseError {
  return e instanceof PortInUseError;
}

/** undefined when `host:port` can be listened on now, else the error code. */
function tryListen(host: string, port: number): Promise<string | undefined> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', (e: NodeJS.ErrnoException) => done(e.code ?? 'error'));
    server.listen({ host, port, exclusive: true }, () => server.close(() => done(undefined)));
  });
}

const pidFile = (n: LocalNode) => `${n.dataDir}.pid`;

/** A node's process id from its pid file, if the process is alive. */
export function runningPid(dataDir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(`${dataDir}.pid`, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

// --- the launcher's control socket ------------------------------------------------------------

/** What the control socket does: the operator's verbs, and what `cluster member add|remove` asks. */
export type LauncherOp = (typeof launcherOps)[number] | 'forget' | 'add-node';

/**
 * The socket a running launcher listens on for `pillars cluster stop|start|restart|kill <node>`:
 * inside the cluster directory, readable by its owner only, or in the temporary directory (named
 * by the cluster directory) when that path is too long for a Unix socket.
 */
export function controlSocketPath(dataDir: string): string {
  const inDir = join(resolve(dataDir), 'launcher.sock');
  if (Buffer.byteLength(inDir) < 100) return inDir;
  return join(tmpdir(), `pillars-launcher-${createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16)}.sock`);
}

/**
 * Serve the control socket: one JSON line per request ({op, node}), one JSON line per answer
 * ({ok, message}). The launcher does the work on its own children, so a node it starts again is
 * still stopped by its Ctrl-C.
 */
export async function serveControl(cluster: LocalCluster, dataDir: string): Promise<{ close(): void }> {
  const socket = controlSocketPath(dataDir);
  rmSync(socket, { force: true });
  const server: Server = createServer((conn) => {
    let buf = '';
    conn.setEncoding('utf8');
    conn.on('error', () => {});
    conn.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const answer = (ok: boolean, message: string) => conn.end(JSON.stringify({ ok, message }) + '\n');
      let req: { op?: unknown; node?: unknown };
      try {
        req = JSON.parse(buf.slice(0, nl)) as typeof req;
      } catch {
        return answer(false, 'expected one JSON line {"op", "node"}');
      }
      const op = req.op as LauncherOp;
      const id = String(req.node);
      if (op === 'add-node') {
        cluster.addNode().then(
          (n) => answer(true, JSON.stringify({ id: n.id, peer: `${cluster.host}:${n.peer}`, http: n.http, resp: n.resp, pid: n.process?.pid })),
          (e: Error) => answer(false, e.message),
        );
        return;
      }
      if (![...launcherOps, 'forget'].includes(op)) return answer(false, `unknown operation ${String(req.op)} (expected ${launcherOps.join(', ')})`);
      if (!cluster.nodes.some((n) => n.id === id)) return answer(false, `no node ${id} in this cluster (${cluster.nodes.map((n) => n.id).join(', ')})`);
      cluster.control(op, id).then(
        (message) => answer(true, message),
        (e: Error) => answer(false, e.message),
      );
    });
  });
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(socket, () => res());
  });
  writeFileSync(join(dataDir, launcherFileName), JSON.stringify({ pid: process.pid, socket }) + '\n', { mode: 0o600 });
  return {
    close: () => {
      server.close();
      rmSync(socket, { force: true });
      rmSync(join(dataDir, launcherFileName), { force: true });
    },
  };
}

/** Ask the launcher running on `dataDir` to act on one node; rejects with a message when none runs. */
export function askLauncher(dataDir: string, op: LauncherOp, node: string, timeoutMs = 30_000): Promise<{ ok: boolean; message: string }> {
  const socket = controlSocketPath(dataDir);
  return new Promise((done, fail) => {
    const conn = createConnection(socket);
    let buf = '';
    conn.setEncoding('utf8');
    conn.setTimeout(timeoutMs, () => conn.destroy(new Error(`the launcher of ${dataDir} did not answer within ${timeoutMs} ms`)));
    conn.on('connect', () => conn.write(JSON.stringify({ op, node }) + '\n'));
    conn.on('data', (chunk: string) => (buf += chunk));
    conn.on('end', () => {
      try {
        done(JSON.parse(buf) as { ok: boolean; message: string });
      } catch {
        fail(new Error(`the launcher of ${dataDir} gave no answer`));
      }
    });
    conn.on('error', (e: NodeJS.ErrnoException) =>
      fail(e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? new Error(`no launcher is running on ${dataDir} (start the cluster with pillars cluster up --data ${dataDir})`) : e),
    );
  });
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
  /** The node's process id (absent from nodes that predate it). */
  pid?: number;
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
