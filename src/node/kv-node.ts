/**
 * A real node of the replicated KV: the Truth pillar's RaftKv, the very Process the simulator runs,
 * on a real Context (TCP to its peers, files with fsync, the machine's clock), serving Redis clients
 * on its RESP port and operators on its HTTP port.
 *
 * Requests: every Redis connection is a client of the KV. A node hands a request to its own RaftKv,
 * which serves it as leader or forwards it to the leader; the answer comes back to the node that
 * holds the connection (a reply addressed to `n2/...` travels to n2). A request with no answer within
 * `replyWaitMs` is sent again (the forward may have died with a leader), one refused as "not applied"
 * (no leader yet, leadership lost) again after a short backoff; client sessions make every copy
 * apply once. After `requestTimeoutMs` the client hears that the outcome is unknown.
 *
 * Disks fill up: below `diskReserveBytes` free, writes are refused with an error before they reach
 * the log. If a write fails anyway, the node stops its Raft member at once (nothing unsynced was
 * acknowledged), refuses requests, and once there is room again it restarts the member from what the
 * disk holds, exactly as the simulator restarts a crashed node.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statfsSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { Gauge } from 'prom-client';
import { isClientReply, type ClientReply, type ClientRequest, type Operation } from '../runtime/client-protocol.js';
import type { NodeId } from '../runtime/context.js';
import { FileDisk, isDiskError, type DiskError } from '../runtime/file-disk.js';
import { PromMetrics } from '../runtime/prom-metrics.js';
import { RealContext } from '../runtime/real-context.js';
import { TcpTransport, type PeerAddress } from '../runtime/tcp-transport.js';
import { isNotAppliedFailure, RaftKv, raftKvConfigSchema, type RaftKvConfig, type RaftKvStatus } from '../truth/index.js';
import { durableMarkFile, segmentPrefix } from '../truth/raft/storage.js';
import { ClientConnection, type ConnectionHost } from './client-connection.js';
import { commandDefaults, type CommandLimits } from './commands.js';
import { localCommand } from './local-commands.js';

export interface NodeLimits extends CommandLimits {
  /** A request not answered within this is sent again (its forward may have been lost with a leader). */
  replyWaitMs: number;
  /** First pause before resending a request refused as not applied (no leader yet); doubles up to replyWaitMs. */
  notAppliedBackoffMs: number;
  /** The client hears "outcome unknown" after this. */
  requestTimeoutMs: number;
  /** Writes are refused while the data directory's file system has less free than this. */
  diskReserveBytes: number;
  /** How often free space is read, and a stopped member tries to restart. */
  diskCheckEveryMs: number;
}

export const nodeDefaults: NodeLimits = {
  ...commandDefaults,
  replyWaitMs: 1_000,
  notAppliedBackoffMs: 20,
  requestTimeoutMs: 10_000,
  diskReserveBytes: 16 * 1024 * 1024,
  diskCheckEveryMs: 500,
};

/**
 * WAL segments (and the durable mark beside them) grow in zeros this far ahead of their appends: an
 * fdatasync then writes the data alone, not the inode as well (see FileDisk). 1 MiB is about 4,000
 * puts of 100 bytes between extensions.
 */
const walPreallocateBytes = 1024 * 1024;

/**
 * Raft timing for real networks and disks: a 50 ms tick, elections after 0.5-1 s of silence.
 *
 * One append in flight per follower: what arrives while it is out (a follower's write and fsync)
 * leaves together in the next, so under load batches grow instead of messages multiplying. Measured
 * with 64 puts in flight on the 2-core machine: 14.1k puts/s at 89 us of CPU per put across the three
 * nodes, against 11.6k at 115 us with 16 in flight (four runs each, alternated). The limit is the
 * batch size over the round trip, 512 entries per millisecond on loopback, far above the disk.
 */
export const realRaftDefaults: Partial<RaftKvConfig> = { tickMs: 50, electionTicks: 10, heartbeatTicks: 1, maxEntriesPerMsg: 512, maxInflightMsgs: 1, expirySweeps: true, readBatching: true, leaderSendsBeforeFsync: true, syncOnlyWhenRequired: true, applyWhileSyncing: true, snapshotEntries: 100_000, snapshotCatchUpEntries: 5_000, dropDuplicateAttempts: false, recovery: 'repair' };

export interface KvNodeOptions {
  id: NodeId;
  /** Where this node listens for its peers. */
  listen: PeerAddress;
  /** Every other member: id -> address. */
  peers: ReadonlyMap<NodeId, PeerAddress>;
  dataDir: string;
  resp?: PeerAddress;
  http?: PeerAddress;
  /** The cluster secret: peers prove it; the HTTP admin's write operations need it. */
  secret: Uint8Array;
  /** Clients must AUTH with this when set (Redis's requirepass). */
  password?: string;
  raft?: Partial<RaftKvConfig>;
  limits?: Partial<NodeLimits>;
  /** Where the node's events go (one line each); default: stderr. */
  log?: (line: string) => void;
}

/** The node cannot start as configured: the CLI prints the message and exits 2. */
export class NodeStartError extends Error {
  override readonly name = 'NodeStartError';
}

export function isNodeStartError(e: unknown): e is NodeStartError {
  return e instanceof NodeStartError;
}

interface Pending {
  client: string;
  req: ClientRequest;
  kind: 'read' | 'write';
  sentAtMs: number;
  startedAtMs: number;
  deadlineMs: number;
  /** A resend is scheduled (after a not-applied refusal) rather than awaited. */
  retryAtMs: number | undefined;
  backoffMs: number;
  done: (r: { status: 'ok' | 'fail' | 'info'; value?: unknown; error?: string }) => void;
}

/**
 * The requests this node's clients wait on, by client and then request id: a number key, where a key
 * string built per request cost a concatenation and a hash on every submit, reply and finish.
 */
class PendingTable {
  private readonly byClient = new Map<string, Map<number, Pending>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(client: string, id: number): Pending | undefined {
    return this.byClient.get(client)?.get(id);
  }

  add(p: Pending): void {
    let ofClient = this.byClient.get(p.client);
    if (ofClient === undefined) this.byClient.set(p.client, (ofClient = new Map()));
    ofClient.set(p.req.id, p);
    this.count++;
  }

  delete(p: Pending): boolean {
    if (this.byClient.get(p.client)?.delete(p.req.id) !== true) return false;
    this.count--;
    return true;
  }

  /** A snapshot of every pending request (callers finish some while they walk it). */
  all(): Pending[] {
    const out: Pending[] = [];
    for (const ofClient of this.byClient.values()) for (const p of ofClient.values()) out.push(p);
    return out;
  }

  /** Forget the clients that wait on nothing (kept meanwhile: a busy client's table is reused). */
  dropIdleClients(): void {
    for (const [client, ofClient] of this.byClient) if (ofClient.size === 0) this.byClient.delete(client);
  }
}

interface ToClient {
  type: 'to_client';
  client: string;
  msg: unknown;
}

const identityFile = 'node.json';
/** Free space beyond the reserve a stopped member waits for before it restarts. */
const restartFreeBytesMin = 1024 * 1024;

/** The cluster's name, from its secret: a directory written under another secret is another cluster's. */
export function clusterIdOf(secret: Uint8Array): string {
  return createHmac('sha256', secret).update('pillars-cluster-id').digest('hex').slice(0, 16);
}

export class KvNode {
  readonly id: NodeId;
  readonly metrics: PromMetrics;
  readonly limits: NodeLimits;
  private readonly raftConfig: RaftKvConfig;
  private readonly transport: TcpTransport;
  private readonly peerIds: NodeId[];
  private readonly bootId = Date.now().toString(36) + randomBytes(2).toString('hex');
  private disk: FileDisk | undefined;
  private ctx: RealContext | undefined;
  private raft: RaftKv | undefined;
  /** Why the member is stopped (a disk failure), while it is. */
  private failure: string | undefined;
  private freeBytes = Infinity;
  private readonly pending = new PendingTable();
  private readonly connections = new Set<ClientConnection>();
  private connectionSerial = 0;
  private respServer: Server | undefined;
  private sweepTimer: ReturnType<typeof setInterval> | undefined;
  private diskTimer: ReturnType<typeof setInterval> | undefined;
  private readonly startedAtMs = Date.now();
  private readonly writeLine: (line: string) => void;
  addresses: { peer?: PeerAddress; resp?: PeerAddress; http?: PeerAddress } = {};
  /** The HTTP admin server, when started (src/node/admin-http.ts). */
  httpServer: { close(): Promise<void> } | undefined;

  constructor(private readonly opts: KvNodeOptions) {
    this.id = opts.id;
    this.limits = { ...nodeDefaults, ...opts.limits };
    this.peerIds = [...opts.peers.keys()].filter((p) => p !== opts.id).sort();
    if (this.peerIds.some((p) => p.includes('/'))) throw new NodeStartError(`--peers: node ids may not contain "/" (got ${this.peerIds.join(', ')})`);
    const parsed = raftKvConfigSchema.safeParse({ ...realRaftDefaults, ...opts.raft, voters: [opts.id, ...this.peerIds].sort() });
    if (!parsed.success) throw new NodeStartError(`raft settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    this.raftConfig = parsed.data;
    this.writeLine = opts.log ?? ((line) => process.stderr.write(line + '\n'));
    this.metrics = new PromMetrics('pillars_', { node: opts.id });
    this.transport = new TcpTransport({
      id: opts.id,
      listen: opts.listen,
      peers: opts.peers,
      secret: opts.secret,
      onMessage: (from, msg) => this.onPeerMessage(from, msg),
      onEvent: (event, fields) => this.log(event, fields),
    });
    this.registerRaftGauges();
  }

  /** Check the data directory, restore the member from it, open the ports. */
  async start(): Promise<void> {
    this.checkIdentity();
    this.readFreeSpace();
    this.startMember();
    this.addresses.peer = await this.transport.start();
    if (this.opts.resp !== undefined) this.addresses.resp = await this.listenResp(this.opts.resp);
    this.sweepTimer = setInterval(() => this.sweepPending(), 50);
    this.diskTimer = setInterval(() => this.checkDisk(), this.limits.diskCheckEveryMs);
  }

  async stop(): Promise<void> {
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    if (this.diskTimer !== undefined) clearInterval(this.diskTimer);
    for (const c of this.connections) c.socket.destroy();
    const resp = this.respServer;
    if (resp !== undefined) await new Promise<void>((r) => resp.close(() => r()));
    await this.httpServer?.close();
    this.stopMember();
    await this.transport.close();
    await this.disk?.close();
  }

  log(event: string, fields: Record<string, unknown> = {}): void {
    this.writeLine(JSON.stringify({ t: new Date().toISOString(), node: this.id, event, ...fields }));
  }

  // --- the data directory ------------------------------------------------------------------

  /** A directory holds one node of one cluster: starting another node on it would fork its history. */
  private checkIdentity(): void {
    const dir = this.opts.dataDir;
    const cluster = clusterIdOf(this.opts.secret);
    const file = join(dir, identityFile);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new NodeStartError(`--data ${dir}: cannot create the data directory (${(e as NodeJS.ErrnoException).code})`);
    }
    if (existsSync(file)) {
      let id: { node?: unknown; cluster?: unknown };
      try {
        id = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        throw new NodeStartError(`${file}: unreadable identity file (expected {"node": ..., "cluster": ...})`);
      }
      if (id.node !== this.id) throw new NodeStartError(`--data ${dir}: this directory holds node ${String(id.node)}'s data, not ${this.id}'s: refusing to start (give each node its own directory)`);
      if (id.cluster !== cluster) throw new NodeStartError(`--data ${dir}: this directory belongs to cluster ${String(id.cluster)}, not to the cluster of this secret (${cluster}): refusing to start`);
      return;
    }
    // Written and made durable before the first log record, so no log exists without its owner's name.
    const fd = openSync(file, 'w');
    writeFileSync(fd, JSON.stringify({ node: this.id, cluster }) + '\n');
    fsyncSync(fd);
    closeSync(fd);
    const dirFd = openSync(dir, 'r');
    fsyncSync(dirFd);
    closeSync(dirFd);
  }

  // --- the Raft member -----------------------------------------------------------------------

  private startMember(): void {
    this.disk = new FileDisk(this.opts.dataDir, { onFatal: (e) => this.onDiskFailure(e), preallocate: { files: (f) => f.startsWith(segmentPrefix) || f === durableMarkFile, chunkBytes: walPreallocateBytes } });
    const ctx = new RealContext({
      id: this.id,
      peers: this.peerIds,
      disk: this.disk,
      metrics: this.metrics,
      send: (to, msg) => this.route(to, msg),
      log: (event, fields) => this.log(event, fields),
      guard: (fn) => this.guarded(fn),
    });
    this.ctx = ctx;
    // Restoring reads the log; a corrupt one throws here, before any port opens.
    this.raft = new RaftKv(ctx, this.raftConfig);
    this.failure = undefined;
    this.guarded(() => this.raft!.start());
  }

  private stopMember(): void {
    this.ctx?.stop();
    this.ctx = undefined;
    this.raft = undefined;
  }

  /** Run member code; a disk failure inside it stops the member instead of the process. */
  private guarded(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (isDiskError(e)) this.onDiskFailure(e);
      else throw e;
    }
  }

  private onDiskFailure(e: DiskError): void {
    if (this.failure !== undefined) return;
    this.failure = `${e.code === 'ENOSPC' ? 'disk full' : 'disk failure'}: ${e.op} ${e.file} (${e.code})`;
    this.log('member_stopped', { reason: this.failure });
    this.metrics.count('disk_failures');
    this.stopMember();
    const disk = this.disk;
    this.disk = undefined;
    void disk?.close();
    // Nothing unsynced was acknowledged; what these requests did is unknown to us now.
    for (const p of this.pending.all()) this.finish(p, { status: p.kind === 'read' ? 'fail' : 'info', error: this.failure });
  }

  private checkDisk(): void {
    this.readFreeSpace();
    // Room for more than the reserve: restarting onto a disk that is still full would fail again at once.
    if (this.failure === undefined || this.freeBytes < this.limits.diskReserveBytes + restartFreeBytesMin) return;
    this.log('member_restarting', { freeBytes: this.freeBytes, after: this.failure });
    try {
      this.startMember();
    } catch (e) {
      this.failure = `restart failed: ${(e as Error).message}`;
      this.log('member_restart_failed', { reason: this.failure });
    }
  }

  private readFreeSpace(): void {
    try {
      const s = statfsSync(this.opts.dataDir);
      this.freeBytes = s.bavail * s.bsize;
    } catch {
      this.freeBytes = Infinity;
    }
  }

  /** Why writes are refused now, if they are. */
  writesRefused(): string | undefined {
    if (this.failure !== undefined) return this.failure;
    if (this.freeBytes < this.limits.diskReserveBytes) return `disk full: ${this.freeBytes} bytes free, below the reserve of ${this.limits.diskReserveBytes}`;
    return undefined;
  }

  // --- messages --------------------------------------------------------------------------------

  /** Where the member's messages go: a peer, or a client connection here or on another node. */
  private route(to: NodeId, msg: unknown): void {
    if (this.opts.peers.has(to)) return this.transport.send(to, msg);
    const owner = to.slice(0, to.indexOf('/'));
    if (owner === this.id) return this.toLocalClient(to, msg);
    if (this.opts.peers.has(owner)) this.transport.send(owner, { type: 'to_client', client: to, msg } satisfies ToClient);
  }

  private onPeerMessage(from: NodeId, msg: unknown): void {
    if ((msg as ToClient)?.type === 'to_client') return this.toLocalClient((msg as ToClient).client, (msg as ToClient).msg);
    const raft = this.raft;
    if (raft !== undefined) this.guarded(() => raft.onMessage(from, msg));
  }

  private toLocalClient(client: string, msg: unknown): void {
    if (!isClientReply(msg)) return;
    const p = this.pending.get(client, msg.id);
    if (p !== undefined) this.onReply(p, msg);
  }

  // --- requests --------------------------------------------------------------------------------

  submit(client: string, id: number, ackedBelow: number, kind: 'read' | 'write', op: Operation, done: Pending['done']): void {
    if (kind === 'write') {
      const refused = this.writesRefused();
      if (refused !== undefined) return done({ status: 'fail', error: refused });
    }
    const now = Date.now();
    const p: Pending = { client, req: { type: 'client_request', id, op, attempt: 0, ackedBelow }, kind, sentAtMs: now, startedAtMs: now, deadlineMs: now + this.limits.requestTimeoutMs, retryAtMs: undefined, backoffMs: this.limits.notAppliedBackoffMs, done };
    this.pending.add(p);
    this.metrics.count(kind === 'write' ? 'requests_write' : 'requests_read');
    this.send(p);
  }

  private send(p: Pending): void {
    p.req = { ...p.req, attempt: (p.req.attempt ?? 0) + 1 };
    p.sentAtMs = Date.now();
    p.retryAtMs = undefined;
    const raft = this.raft;
    if (raft === undefined) {
      if (this.failure !== undefined) return this.finish(p, { status: p.kind === 'read' ? 'fail' : 'info', error: this.failure });
      return;
    }
    this.guarded(() => raft.onMessage(p.client, p.req));
  }

  private onReply(p: Pending, reply: ClientReply): void {
    if (reply.status === 'ok') return this.finish(p, { status: 'ok', value: reply.value });
    // A refusal of an earlier attempt says nothing of the one in flight now.
    if (reply.attempt !== undefined && reply.attempt !== p.req.attempt) return;
    if (isNotAppliedFailure(reply)) {
      p.retryAtMs = Date.now() + p.backoffMs;
      p.backoffMs = Math.min(this.limits.replyWaitMs, p.backoffMs * 2);
      return;
    }
    this.finish(p, { status: reply.status, error: reply.error });
  }

  private finish(p: Pending, r: { status: 'ok' | 'fail' | 'info'; value?: unknown; error?: string }): void {
    if (!this.pending.delete(p)) return;
    if (r.status === 'ok') this.metrics.observe(p.kind === 'write' ? 'request_ms_write' : 'request_ms_read', Date.now() - p.startedAtMs);
    else this.metrics.count(`requests_${p.kind}_${r.status === 'info' ? 'unknown' : 'failed'}`);
    p.done(r);
  }

  /** Resend what waited too long or was refused as not applied; give up at the deadline. */
  private sweepPending(): void {
    const now = Date.now();
    for (const p of this.pending.all()) {
      if (now >= p.deadlineMs) {
        // A write may still apply later (its copy is in some log); a read that never ran did nothing.
        this.finish(p, { status: p.kind === 'write' ? 'info' : 'fail', error: 'timeout' });
      } else if (p.retryAtMs !== undefined ? now >= p.retryAtMs : now - p.sentAtMs >= this.limits.replyWaitMs) {
        this.send(p);
      }
    }
    this.pending.dropIdleClients();
  }

  // --- clients ----------------------------------------------------------------------------------

  private async listenResp(address: PeerAddress): Promise<PeerAddress> {
    const host: ConnectionHost = {
      submit: (client, id, ackedBelow, kind, op, done) => this.submit(client, id, ackedBelow, kind, op, done),
      local: (name, args, conn) => localCommand(this, name, args, conn),
      password: this.opts.password,
      limits: this.limits,
      onClose: (conn) => this.connections.delete(conn),
    };
    const server = createServer((socket) => {
      const serial = ++this.connectionSerial;
      const conn = new ClientConnection(socket, `${this.id}/${this.bootId}/${serial}`, serial, host);
      this.connections.add(conn);
    });
    this.respServer = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) => reject(new NodeStartError(`--resp ${address.host}:${address.port}: cannot listen (${(e as NodeJS.ErrnoException).code})`)));
      server.listen(address.port, address.host, () => resolve());
    });
    const a = server.address();
    return typeof a === 'object' && a !== null ? { host: a.address, port: a.port } : address;
  }

  get clientCount(): number {
    return this.connections.size;
  }

  get uptimeMs(): number {
    return Date.now() - this.startedAtMs;
  }

  get passwordRequired(): boolean {
    return this.opts.password !== undefined;
  }

  /** Whether a given password is this node's (constant time). */
  passwordMatches(given: string): boolean {
    const want = this.opts.password;
    if (want === undefined) return false;
    const a = createHmac('sha256', 'auth').update(given).digest();
    const b = createHmac('sha256', 'auth').update(want).digest();
    return a.equals(b);
  }

  /** Whether a bearer token is the cluster secret (for the HTTP admin's write operations). */
  secretMatches(given: string): boolean {
    const a = createHmac('sha256', 'admin').update(given).digest();
    const b = createHmac('sha256', 'admin').update(Buffer.from(this.opts.secret).toString('utf8').trim()).digest();
    return a.equals(b);
  }

  // --- status ----------------------------------------------------------------------------------

  status(): RaftKvStatus & { up: boolean; failure?: string; peers: ReturnType<TcpTransport['stats']>; clients: number; uptimeMs: number; freeBytes: number; pending: number; expiringKeys: number } {
    const raft = this.raft;
    const base: RaftKvStatus = raft?.status() ?? { id: this.id, role: 'stopped', term: 0, leader: undefined, commit: 0, applied: 0, lastIndex: 0, snapshotIndex: 0, keys: 0, repairing: false };
    return { ...base, up: raft !== undefined, failure: this.failure, peers: this.transport.stats(), clients: this.connections.size, uptimeMs: this.uptimeMs, freeBytes: this.freeBytes, pending: this.pending.size, expiringKeys: raft?.kv.expires.size ?? 0 };
  }

  /** Ask the leader (this node) to hand leadership to `to` (thesis §3.10). */
  transferLeadership(to: NodeId): boolean {
    const raft = this.raft;
    if (raft === undefined || raft.raft.role !== 'leader' || !this.peerIds.includes(to)) return false;
    let ok = false;
    this.guarded(() => {
      ok = raft.transferLeadership(to);
    });
    return ok;
  }

  private registerRaftGauges(): void {
    const node = this;
    const g = (name: string, help: string, read: (s: RaftKvStatus) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.metrics.registry],
        collect() {
          const s = node.raft?.status();
          this.set(s === undefined ? 0 : read(s));
        },
      });
    g('pillars_raft_term', 'Raft term of this node', (s) => s.term);
    g('pillars_raft_commit_index', 'highest log index known committed', (s) => s.commit);
    g('pillars_raft_applied_index', 'highest log index applied to the state machine', (s) => s.applied);
    g('pillars_raft_last_index', 'last index of the local log', (s) => s.lastIndex);
    g('pillars_raft_is_leader', '1 when this node leads', (s) => (s.role === 'leader' ? 1 : 0));
    g('pillars_raft_leader_known', '1 when this node knows a leader', (s) => (s.leader !== undefined ? 1 : 0));
    g('pillars_raft_commit_lag', 'committed entries not yet applied here', (s) => s.commit - s.applied);
    g('pillars_raft_repairing', '1 while this node catches up on log entries it lost after acknowledging them (it votes for no one meanwhile)', (s) => (s.repairing ? 1 : 0));
    g('pillars_kv_keys', 'keys in this replica', (s) => s.keys);
    new Gauge({
      name: 'pillars_raft_follower_lag_entries',
      help: "as leader: entries each follower's log is behind",
      labelNames: ['peer'],
      registers: [this.metrics.registry],
      collect() {
        this.reset();
        for (const [peer, f] of Object.entries(node.raft?.status().followers ?? {})) this.set({ peer }, f.lag);
      },
    });
    new Gauge({
      name: 'pillars_requests_pending',
      help: 'client requests this node waits on',
      registers: [this.metrics.registry],
      collect() {
        this.set(node.pending.size);
      },
    });
    new Gauge({
      name: 'pillars_clients_connected',
      help: 'Redis client connections',
      registers: [this.metrics.registry],
      collect() {
        this.set(node.connections.size);
      },
    });
  }
}
