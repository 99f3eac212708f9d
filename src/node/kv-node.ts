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
 * the log. If a write fails anyway, the member's supervisor (MemberSupervisor, the very code every
 * simulated node runs under) stops the Raft member at once (nothing unsynced was acknowledged), the
 * node refuses requests, and once there is room again the supervisor restarts the member from what
 * the disk holds.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statfsSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { Gauge } from 'prom-client';
import { isClientReply, type ClientRequest, type Operation } from '../runtime/client-protocol.js';
import { realClock, realTimers } from '../adapters/real-clock.js';
import type { Context, NodeId } from '../runtime/context.js';
import { MemberSupervisor } from '../runtime/member-supervisor.js';
import { FileDisk } from '../adapters/file-disk.js';
import { PromMetrics } from '../adapters/prom-metrics.js';
import { RealContext } from '../adapters/real-context.js';
import { TcpTransport, type PeerAddress } from '../adapters/tcp-transport.js';
import { ClientGateway, gatewayDefaults, isToClient, routeFromMember, RaftKv, raftKvConfigSchema, segmentPrefix, durableMarkFile, type Outcome, type RaftKvConfig, type RaftKvStatus, type RequestKind, type Snapshot, type ConfChange } from '../truth/index.js';
import { ClientConnection, type ConnectionHost } from './client-connection.js';
import { AuthThrottle } from './auth-throttle.js';
import { nodeDefaults, type NodeLimits } from './limits-defaults.js';
import { localCommand } from './local-commands.js';
import { NodeStartError } from './start-error.js';


/**
 * WAL segments (and the durable mark beside them) grow in zeros this far ahead of their appends: an
 * fdatasync then writes the data alone, not the inode as well (see FileDisk). 1 MiB is about 4,000
 * puts of 100 bytes between extensions.
 */
const walPreallocateBytes = 1024 * 1024;

/** How often a blocked WAIT looks at the followers' progress again. */
const waitPollMs = 5;


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
  /**
   * This node joins a running cluster: `peers` are its members, and this node is none of their
   * voters until the cluster adds it (pillars cluster member add), first as a learner.
   */
  join?: boolean;
  raft?: Partial<RaftKvConfig>;
  limits?: Partial<NodeLimits>;
  /** Where the node's events go (one line each); default: stderr. */
  log?: (line: string) => void;
}

/**
 * Whether two secrets are equal, compared with timingSafeEqual on their HMAC-SHA-256 digests: the
 * digests always have the same length (timingSafeEqual requires it, and comparing the raw strings
 * would leak the length), and the time taken does not tell a client how many leading bytes it got right.
 */
function sameSecret(purpose: string, given: string, want: string): boolean {
  const a = createHmac('sha256', purpose).update(given).digest();
  const b = createHmac('sha256', purpose).update(want).digest();
  return timingSafeEqual(a, b);
}

export { NodeStartError, isNodeStartError } from './start-error.js';

/** A membership change this node could not make; `leader` is who to ask instead, when known. */
export class MemberChangeError extends Error {
  override readonly name = 'MemberChangeError';
  constructor(
    message: string,
    readonly leader: NodeId | undefined,
  ) {
    super(message);
  }
}

export function isMemberChangeError(e: unknown): e is MemberChangeError {
  return e instanceof MemberChangeError;
}

/** host:port, or undefined when it is not one. */
export function parseHostPort(text: string): PeerAddress | undefined {
  const at = text.lastIndexOf(':');
  const port = Number(text.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port < 1 || port > 65_535) return undefined;
  return { host: text.slice(0, at), port };
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
  /** Failed AUTHs by address, shared by this node's connections. */
  readonly authThrottle: AuthThrottle;
  private readonly raftConfig: RaftKvConfig;
  private readonly transport: TcpTransport;
  private readonly peerIds: NodeId[];
  private readonly bootId = Date.now().toString(36) + randomBytes(2).toString('hex');
  /** The node's own Context, for its whole life: the member gets one of its own from the supervisor. */
  private readonly ctx: RealContext;
  /** Runs the Raft member, each life on a new FileDisk; stops it when its disk fails and restarts it. */
  private readonly supervisor: MemberSupervisor<RaftKv>;
  private freeBytes = Infinity;
  /** The requests this node's clients wait on: the same client layer the simulator runs. */
  private readonly gateway: ClientGateway;
  private readonly connections = new Set<ClientConnection>();
  private connectionSerial = 0;
  private respServer: Server | undefined;
  private diskTimer: ReturnType<typeof setInterval> | undefined;
  private lifecycle: 'built' | 'started' | 'stopped' = 'built';
  private readonly startedAtMs = Date.now();
  private readonly writeLine: (line: string) => void;
  addresses: { peer?: PeerAddress; resp?: PeerAddress; http?: PeerAddress } = {};
  /** The HTTP admin server, when started (src/node/admin-http.ts). */
  httpServer: { close(): Promise<void> } | undefined;

  constructor(private readonly opts: KvNodeOptions) {
    this.id = opts.id;
    this.limits = { ...nodeDefaults, ...opts.limits };
    this.authThrottle = new AuthThrottle(this.limits, Date.now);
    this.peerIds = [...opts.peers.keys()].filter((p) => p !== opts.id).sort();
    if (this.peerIds.some((p) => p.includes('/'))) throw new NodeStartError(`--peers: node ids may not contain "/" (got ${this.peerIds.join(', ')})`);
    const voters = opts.join === true ? [...this.peerIds] : [opts.id, ...this.peerIds].sort();
    if (voters.length === 0) throw new NodeStartError('--join: the members of the cluster to join (--peers id=host:port,...)');
    const parsed = raftKvConfigSchema.safeParse({ profile: 'real-node', ...opts.raft, voters });
    if (!parsed.success) throw new NodeStartError(`raft settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    this.raftConfig = parsed.data;
    this.writeLine = opts.log ?? ((line) => process.stderr.write(line + '\n'));
    this.metrics = new PromMetrics('pillars_', { node: opts.id });
    const { replyWaitMs, notAppliedBackoffMs, requestTimeoutMs, clusterDownAfterMs } = this.limits;
    this.gateway = new ClientGateway({ clock: realClock(), timers: realTimers(), metrics: this.metrics }, { ...gatewayDefaults, replyWaitMs, notAppliedBackoffMs, requestTimeoutMs, clusterDownAfterMs }, { handOff: (client, req) => this.handOff(client, req), inContact: () => this.inContact() });
    this.transport = new TcpTransport({
      id: opts.id,
      listen: opts.listen,
      peers: opts.peers,
      secret: opts.secret,
      onMessage: (from, msg) => this.onPeerMessage(from, msg),
      onEvent: (event, fields) => this.log(event, fields),
    });
    this.ctx = new RealContext({
      id: this.id,
      peers: this.peerIds,
      metrics: this.metrics,
      send: (to, msg) => this.route(to, msg),
      log: (event, fields) => this.log(event, fields),
    });
    this.supervisor = new MemberSupervisor(
      this.ctx,
      {
        build: (ctx: Context) => this.buildMember(ctx),
        // A new FileDisk for each life: one whose fsync failed acknowledges nothing ever again.
        openDisk: (fail) => {
          const disk = new FileDisk(this.opts.dataDir, { onFatal: fail, preallocate: { files: (f) => f.startsWith(segmentPrefix) || f === durableMarkFile, chunkBytes: walPreallocateBytes } });
          return { disk, close: () => disk.close() };
        },
        // Room for more than the reserve: restarting onto a disk that is still full would fail again at once.
        mayRestart: () => this.freeBytes >= this.limits.diskReserveBytes + restartFreeBytesMin,
        // Nothing unsynced was acknowledged; what these requests did is unknown to us now.
        stopped: (reason) => this.gateway.failAll(reason),
      },
      { restartCheckMs: this.limits.diskCheckEveryMs },
    );
    this.registerRaftGauges();
  }

  private get raft(): RaftKv | undefined {
    return this.supervisor.member;
  }

  /** One life of the member, restored from the data directory. */
  private buildMember(ctx: Context): RaftKv {
    // The reserve is checked again by the leader: writes forwarded by a follower enter its log too.
    const raft = new RaftKv(ctx, this.raftConfig, { writesRefused: () => this.writesRefused() });
    // Members added with an address since the cluster began: from the snapshot, then as changes apply.
    for (const [id, address] of Object.entries(raft.raft.confState().addresses ?? {})) this.learnPeer(id, address);
    raft.host.onConfChange = (cc) => {
      if (cc.type === 'remove-voter') {
        if (cc.node !== this.id) this.transport.removePeer(cc.node);
      } else if (cc.address !== undefined) this.learnPeer(cc.node, cc.address);
      this.log('member_changed', { change: cc.type, member: cc.node, ...(cc.address !== undefined ? { address: cc.address } : {}) });
    };
    return raft;
  }

  /** Why the member is stopped (a disk failure), while it is. */
  private get failure(): string | undefined {
    return this.supervisor.failure;
  }

  /** Started and not yet stopped (a start that failed half-way counts: stop() closes what it opened). */
  get running(): boolean {
    return this.lifecycle === 'started';
  }

  /** Check the data directory, restore the member from it, open the ports. */
  async start(): Promise<void> {
    this.lifecycle = 'started';
    this.checkIdentity();
    this.readFreeSpace();
    // Restoring reads the log; a corrupt one throws here, before any port opens.
    this.supervisor.start();
    this.addresses.peer = await this.transport.start();
    if (this.opts.resp !== undefined) this.addresses.resp = await this.listenResp(this.opts.resp);
    this.gateway.start();
    this.diskTimer = setInterval(() => this.readFreeSpace(), this.limits.diskCheckEveryMs);
  }

  /** Close the ports and the member; a second call, or one before start(), does nothing. */
  async stop(): Promise<void> {
    if (this.lifecycle !== 'started') return;
    this.lifecycle = 'stopped';
    this.gateway.stop();
    if (this.diskTimer !== undefined) clearInterval(this.diskTimer);
    for (const c of this.connections) c.socket.destroy();
    const resp = this.respServer;
    if (resp !== undefined) await new Promise<void>((r) => resp.close(() => r()));
    await this.httpServer?.close();
    await this.supervisor.close();
    this.ctx.stop();
    await this.transport.close();
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
    routeFromMember(this.id, this.isPeer, to, msg, this.routes);
  }

  /** Made once: route runs for every message of the member, every client reply among them. */
  private readonly isPeer = (id: NodeId): boolean => this.transport.hasPeer(id);

  private readonly routes = { toPeer: (id: NodeId, msg: unknown) => this.transport.send(id, msg), toLocalClient: (client: string, msg: unknown) => this.toLocalClient(client, msg) };

  private onPeerMessage(from: NodeId, msg: unknown): void {
    if (isToClient(msg)) return this.toLocalClient(msg.client, msg.msg);
    this.supervisor.onMessage(from, msg);
  }

  private toLocalClient(client: string, msg: unknown): void {
    if (isClientReply(msg)) this.gateway.onReply(client, msg);
  }

  // --- requests --------------------------------------------------------------------------------

  submit(client: string, id: number, ackedBelow: number, kind: RequestKind, op: Operation, done: (r: Outcome) => void): void {
    if (kind === 'write') {
      const refused = this.writesRefused();
      if (refused !== undefined) return done({ status: 'fail', error: refused });
    }
    this.gateway.submit(client, id, ackedBelow, kind, op, done);
  }

  /** What /ready asks: a leader known and heard from within an election timeout (a stopped member: no). */
  private inContact(): boolean {
    const s = this.raft?.status();
    return s !== undefined && s.leader !== undefined && s.inContact;
  }

  /** One attempt of a request, to this node's member; while the member is stopped, why. */
  private handOff(client: string, req: ClientRequest): string | undefined {
    if (this.raft === undefined) return this.failure;
    this.supervisor.onMessage(client, req);
    return undefined;
  }

  // --- clients ----------------------------------------------------------------------------------

  private async listenResp(address: PeerAddress): Promise<PeerAddress> {
    const host: ConnectionHost = {
      waitForReplicas: (replicas, timeoutMs, done) => this.waitForReplicas(replicas, timeoutMs, done),
      submit: (client, id, ackedBelow, kind, op, done) => this.submit(client, id, ackedBelow, kind, op, done),
      local: (name, args, conn) => localCommand(this, name, args, conn),
      password: this.opts.password,
      authThrottle: this.authThrottle,
      // One command may be as large as all a client may have waiting: refused from its headers past it.
      limits: { ...this.limits, commandBytesMax: this.limits.queryBufferBytesMax },
      onClose: (conn) => this.connections.delete(conn),
      onReplyError: (conn, command, error) => {
        this.metrics.count('reply_errors');
        this.log('reply_error', { client: conn.clientId, command, error: (error as Error)?.stack ?? String(error) });
      },
      onLimit: (conn, limit, bytes) => {
        this.metrics.count('clients_cut_off');
        this.log('client_cut_off', { client: conn.clientId, limit, bytes });
      },
    };
    const server = createServer((socket) => {
      if (this.connections.size >= this.limits.clientsMax) {
        this.metrics.count('clients_refused');
        socket.on('error', () => {});
        return void socket.end('-ERR max number of clients reached\r\n');
      }
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

  replicasHoldingAcknowledged(): number {
    return this.replicasHolding(this.raft?.status().commit ?? 0);
  }

  /**
   * Replicas besides the leader whose logs reach `index` (at most the commit index). A committed entry
   * is on a majority, so that many at least; on the leader, every follower whose log it knows reaches
   * it. A follower sees no other replica's log, so it can vouch for the majority only.
   */
  private replicasHolding(index: number): number {
    const s = this.raft?.status();
    if (s === undefined) return 0;
    const majorityFollowers = Math.floor((this.peerIds.length + 1) / 2);
    if (s.role !== 'leader' || s.followers === undefined) return majorityFollowers;
    const holding = Object.values(s.followers).filter((f) => f.match >= index).length;
    return Math.max(majorityFollowers, holding);
  }

  /**
   * WAIT, as Redis blocks a client on it: the writes this client was answered for are at or below the
   * commit index now, so once `replicas` replicas hold that index (or the time is up) the client hears
   * how many do. The leader's view of its followers changes with their replies to appends, which this
   * checks every waitPollMs. On a follower the answer cannot grow (see replicasHolding): it comes at once.
   */
  waitForReplicas(replicas: number, timeoutMs: number, done: (replicasHolding: number) => void): () => void {
    const target = this.raft?.status().commit ?? 0;
    const now = this.replicasHolding(target);
    if (now >= replicas || this.raft?.raft.role !== 'leader') {
      done(now);
      return () => {};
    }
    const deadline = timeoutMs === 0 ? Infinity : Date.now() + timeoutMs;
    const timer = setInterval(() => {
      const holding = this.replicasHolding(target);
      if (holding < replicas && Date.now() < deadline) return;
      clearInterval(timer);
      done(holding);
    }, Math.min(waitPollMs, Math.max(1, timeoutMs || waitPollMs)));
    return () => clearInterval(timer);
  }

  clientConnections(): Iterable<ClientConnection> {
    return this.connections;
  }

  get uptimeMs(): number {
    return Date.now() - this.startedAtMs;
  }

  get passwordRequired(): boolean {
    return this.opts.password !== undefined;
  }

  /** Whether a given password is this node's, in time that does not depend on where they differ. */
  passwordMatches(given: string): boolean {
    const want = this.opts.password;
    if (want === undefined) return false;
    return sameSecret('auth', given, want);
  }

  /** Whether a bearer token is the cluster secret (for the HTTP admin's write operations). */
  secretMatches(given: string): boolean {
    return sameSecret('admin', given, Buffer.from(this.opts.secret).toString('utf8').trim());
  }

  // --- status ----------------------------------------------------------------------------------

  status(): RaftKvStatus & { up: boolean; failure?: string; peers: ReturnType<TcpTransport['stats']>; clients: number; uptimeMs: number; freeBytes: number; pending: number; expiringKeys: number } {
    const raft = this.raft;
    const base: RaftKvStatus = raft?.status() ?? { id: this.id, role: 'stopped', term: 0, leader: undefined, commit: 0, applied: 0, lastIndex: 0, snapshotIndex: 0, keys: 0, inContact: false, repairing: false };
    return { ...base, up: raft !== undefined, failure: this.failure, peers: this.transport.stats(), clients: this.connections.size, uptimeMs: this.uptimeMs, freeBytes: this.freeBytes, pending: this.gateway.size, expiringKeys: raft?.kv.expires.size ?? 0 };
  }

  /** Ask the leader (this node) to hand leadership to `to` (thesis §3.10). */
  transferLeadership(to: NodeId): boolean {
    const raft = this.raft;
    if (raft === undefined || raft.raft.role !== 'leader' || !this.peerIds.includes(to)) return false;
    let ok = false;
    this.supervisor.run((member) => {
      ok = member.transferLeadership(to);
    });
    return ok;
  }

  private learnPeer(id: NodeId, address: string): void {
    const parsed = parseHostPort(address);
    if (parsed !== undefined && id !== this.id) this.transport.addPeer(id, parsed);
  }

  /** The membership as this node applied it, and who leads. */
  members(): { voters: NodeId[]; learners: NodeId[]; addresses: Record<NodeId, string>; leader: NodeId | undefined } {
    const raft = this.raft;
    const conf = raft?.raft.confState() ?? { voters: [], learners: [] };
    return { voters: conf.voters, learners: conf.learners, addresses: conf.addresses ?? {}, leader: raft?.raft.leader };
  }

  /**
   * As leader, change the membership by one server through the log (Raft thesis §4.1): resolves once
   * the change is applied here. Removing the leader itself hands leadership to another voter first
   * (thesis §3.10) and rejects with the new leader's name, for the caller to ask it.
   */
  changeMember(cc: ConfChange, timeoutMs = 10_000): Promise<void> {
    const raft = this.raft;
    if (raft === undefined || raft.raft.role !== 'leader') return Promise.reject(new MemberChangeError(`${this.id} does not lead`, raft?.raft.leader));
    if (cc.type === 'remove-voter' && cc.node === this.id) {
      const conf = raft.raft.confState();
      const match = raft.raft.matchIndexes();
      const to = conf.voters.filter((v) => v !== this.id).sort((a, b) => (match.get(b) ?? 0) - (match.get(a) ?? 0))[0];
      if (to !== undefined) this.supervisor.run((member) => member.transferLeadership(to));
      return Promise.reject(new MemberChangeError(`${this.id} leads: leadership is going to ${to ?? 'no one'} first; ask it to remove ${this.id}`, to));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new MemberChangeError(`the change was not applied within ${timeoutMs} ms`, raft.raft.leader)), timeoutMs);
      let proposed = false;
      this.supervisor.run((member) => {
        proposed = member.host.proposeConfChange(cc, (applied) => {
          clearTimeout(timer);
          if (applied) resolve();
          else reject(new MemberChangeError('another leader took the change\'s place in the log: it was not applied', raft.raft.leader));
        });
      });
      if (!proposed) {
        clearTimeout(timer);
        reject(new MemberChangeError(raft.raft.role === 'leader' ? 'another membership change is still in flight (one at a time)' : `${this.id} does not lead`, raft.raft.leader));
      }
    });
  }

  /** A consistent copy of the store, taken by this node as leader (RaftKv.backup). */
  backup(timeoutMs = 10_000): Promise<Snapshot> {
    const raft = this.raft;
    if (raft === undefined || raft.raft.role !== 'leader') return Promise.reject(new Error(`${this.id} does not lead (leader: ${raft?.raft.leader ?? 'none known'})`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no leadership confirmation within ${timeoutMs} ms`)), timeoutMs);
      this.supervisor.run((member) =>
        member.backup((snap) => {
          clearTimeout(timer);
          if (snap === undefined) reject(new Error(`${this.id} stopped leading before the backup was taken`));
          else resolve(snap);
        }),
      );
    });
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
        this.set(node.gateway.size);
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
