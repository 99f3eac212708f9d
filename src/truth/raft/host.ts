/**
 * RaftKv: the Raft core hosted on a Context, serving the KV state machine to clients.
 *
 * The Ready loop, one Ready at a time: append its hard state and entries to the WAL, fsync, and only
 * then send its messages (so no vote or acknowledgement is given for something not on disk), apply
 * its committed entries, and serve the reads it released; then advance and take the next Ready.
 * Messages that arrive meanwhile are stepped into the core and wait for the next Ready.
 *
 * Clients may talk to any node: a follower forwards to the leader it knows, and the node that
 * proposed a command answers the client when the command is applied.
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientRequest, type ClientRequest } from '../../runtime/client-protocol.js';
import { RecentSet } from '../../runtime/recent-set.js';
import { invariant } from '../../runtime/invariant.js';
import { KvStateMachine, readOnlyOperations, type KvCommand, type KvSnapshot } from '../kv.js';
import { Raft, defaultRaftConfig } from './raft.js';
import { RaftStorage, type DurableMark, type RecoveryMode } from './storage.js';
import { isConfChange, isRaftMessage, type Entry, type HardState, type Ready, type ReadState } from './types.js';

/**
 * How a Raft host trades simplicity for speed. Each profile is a whole, tested set of choices; a
 * scenario names one (raft-chaos runs the real node's by name), so the simulator never runs a hand
 * copy that drifts from what production runs.
 */
export interface RaftKvTuning {
  /** Milliseconds per Raft tick. */
  tickMs: number;
  electionTicks: number;
  heartbeatTicks: number;
  /** At most this many entries in one append message (batching). */
  maxEntriesPerMsg: number;
  /** At most this many append messages in flight to one follower (pipelining). */
  maxInflightMsgs: number;
  /** Take a snapshot and compact the log every this many applied entries (§7). */
  snapshotEntries: number;
  /** Entries kept in memory behind a snapshot, for followers a little behind (etcd keeps 5,000). */
  snapshotCatchUpEntries: number;
  /** A leader sends its appends and heartbeats while its own fsync runs (thesis §10.2.1). */
  leaderSendsBeforeFsync: boolean;
  /** Wait for an fsync only when a Ready has entries, a snapshot, or a new term or vote (etcd's MustSync). */
  syncOnlyWhenRequired: boolean;
  /**
   * Apply committed entries, serve confirmed reads and answer heartbeats while this node's fsync of
   * newer entries runs, instead of after it (with leaderSendsBeforeFsync, a leader also replicates
   * meanwhile).
   */
  applyWhileSyncing: boolean;
  /** Sweep expired keys (time to live) through the log every second as leader. */
  expirySweeps: boolean;
  /**
   * Confirm leadership once for all the reads that arrived since the last confirmation was asked
   * (one heartbeat round per batch, not per read), as etcd batches ReadIndex.
   */
  readBatching: boolean;
  /**
   * Remember recent request attempts and ignore copies of them. TCP delivers each frame once and
   * the real node's local clients hand requests over in memory, so the real node does not pay the
   * 100,000 remembered keys on every put; client sessions still apply each request once.
   */
  dropDuplicateAttempts: boolean;
  /** What to do with a log damaged beyond a torn tail (storage.ts RecoveryMode). */
  recovery: RecoveryMode;
}

export const raftKvProfiles = {
  /**
   * The paper's order for every Ready, one step at a time: persist (fsync), then send, then apply.
   * The easiest to reason about, and the profile of the teaching stories.
   */
  textbook: {
    tickMs: 10,
    electionTicks: defaultRaftConfig.electionTicks,
    heartbeatTicks: defaultRaftConfig.heartbeatTicks,
    maxEntriesPerMsg: defaultRaftConfig.maxEntriesPerMsg,
    maxInflightMsgs: defaultRaftConfig.maxInflightMsgs,
    snapshotEntries: 10_000,
    snapshotCatchUpEntries: 0,
    leaderSendsBeforeFsync: false,
    syncOnlyWhenRequired: false,
    applyWhileSyncing: false,
    expirySweeps: false,
    readBatching: false,
    dropDuplicateAttempts: true,
    recovery: 'refuse',
  },
  /**
   * What `pillars node` runs. A 50 ms tick: elections after 0.5-1 s of silence on real networks and
   * disks. One append in flight per follower: what arrives while it is out (a
   * follower's write and fsync) leaves together in the next, so under load batches grow instead of
   * messages multiplying. Measured with 64 puts in flight on the 2-core machine: 14.1k puts/s at
   * 89 us of CPU per put across the three nodes, against 11.6k at 115 us with 16 in flight (four runs
   * each, alternated). The limit is the batch size over the round trip, 512 entries per millisecond
   * on loopback, far above the disk.
   */
  'real-node': {
    tickMs: 50,
    electionTicks: 10,
    heartbeatTicks: 1,
    maxEntriesPerMsg: 512,
    maxInflightMsgs: 1,
    snapshotEntries: 100_000,
    snapshotCatchUpEntries: 5_000,
    leaderSendsBeforeFsync: true,
    syncOnlyWhenRequired: true,
    applyWhileSyncing: true,
    expirySweeps: true,
    readBatching: true,
    dropDuplicateAttempts: false,
    // A node that lost acknowledged entries repairs from its peers before it votes (storage.ts).
    recovery: 'repair',
  },
} as const satisfies Record<string, RaftKvTuning>;
export type RaftKvProfile = keyof typeof raftKvProfiles;

export const raftKvConfigSchema = z
  .object({
    /** The initial voters (default: every server of the scenario). */
    voters: z.array(nodeRef()).min(1).optional(),
    /** The tuning: textbook (the paper's order, the default) or real-node (what `pillars node` runs). */
    profile: z.enum(Object.keys(raftKvProfiles) as [RaftKvProfile, ...RaftKvProfile[]]).default('textbook'),
    /** Sizes and periods may be set over the profile's; its ordering choices may not. */
    tickMs: z.number().positive().optional(),
    electionTicks: z.number().int().min(2).optional(),
    heartbeatTicks: z.number().int().min(1).optional(),
    maxEntriesPerMsg: z.number().int().positive().optional(),
    maxInflightMsgs: z.number().int().positive().optional(),
    snapshotEntries: z.number().int().positive().optional(),
    snapshotCatchUpEntries: z.number().int().nonnegative().optional(),
    preVote: z.boolean().default(defaultRaftConfig.preVote),
    checkQuorum: z.boolean().default(defaultRaftConfig.checkQuorum),
    /**
     * Client sessions (Raft thesis §6.3): a request carries its identity into the log, and a retried
     * or duplicated request applies once. Without them every copy that reaches a leader applies.
     */
    sessions: z.boolean().default(true),
    /**
     * read-index (default) or lease: leases skip the heartbeat round and assume bounded clock drift
     * (see RaftConfig.readMode).
     */
    readMode: z.enum(['read-index', 'lease']).default('read-index'),
    leaseMarginTicks: z.number().int().nonnegative().default(defaultRaftConfig.leaseMarginTicks),
    /** Serve reads through the log instead of ReadIndex (slower, equally linearizable). */
    readsThroughLog: z.boolean().default(false),
    /** DELIBERATELY UNSAFE: commit entries of older terms by counting replicas (Raft paper, Figure 8). */
    unsafeCommitPreviousTerms: z.boolean().default(false),
    /** DELIBERATELY UNSAFE: send votes and acknowledgements before the fsync completes. */
    unsafeAckBeforeFsync: z.boolean().default(false),
    /**
     * What a node does with a log damaged beyond a torn tail (storage.ts), over the profile's: refuse
     * to start; trust what is left and go on voting (naive); or repair: keep a durable record of what
     * the log held, tell a torn tail from lost acknowledged entries, and catch up from the peers
     * before voting (protocol-aware recovery, FAST 2018).
     */
    recovery: z.enum(['refuse', 'trust', 'repair']).optional(),
  })
  .strict();
export type RaftKvConfig = z.infer<typeof raftKvConfigSchema>;
/** A host's whole configuration: the profile's tuning with the sizes the scenario set over it. */
export type RaftKvSettings = Omit<RaftKvConfig, keyof RaftKvTuning> & RaftKvTuning;

export function raftKvSettings(config: RaftKvConfig): RaftKvSettings {
  const tuning: RaftKvTuning = { ...raftKvProfiles[config.profile] };
  for (const k of Object.keys(tuning) as (keyof RaftKvTuning)[]) {
    const v = config[k as keyof RaftKvConfig];
    if (v !== undefined) (tuning as unknown as Record<string, unknown>)[k] = v;
  }
  return { ...config, ...tuning };
}

/** How many recent client attempts a node remembers, to ignore the network's duplicates of them. */
const seenAttemptsMax = 100_000;

/** Messages a leader may send before its own entries are durable: they ask for nothing on its behalf. */
const replicationTypes: ReadonlySet<string> = new Set(['append', 'heartbeat', 'snapshot', 'timeout_now']);
/** What anyone may send while its fsync runs: an answer to a heartbeat promises nothing about its log. */
const anyoneEarlyTypes: ReadonlySet<string> = new Set(['heartbeat_resp']);
const leaderEarlyTypes: ReadonlySet<string> = new Set([...replicationTypes, ...anyoneEarlyTypes]);

/** How often a leader looks for keys whose time to live has passed, to sweep them through the log. */
const expirySweepEveryMs = 1_000;

/**
 * Failures that say the request was certainly not applied and will not be: a client (or a node
 * serving clients) may send it again, to the leader that is elected now.
 */
export const notAppliedErrors = { noLeader: 'no leader', leadershipLost: 'leadership lost', overwritten: 'proposal overwritten' } as const;
const notApplied: ReadonlySet<string> = new Set(Object.values(notAppliedErrors));

export function isNotAppliedFailure(reply: { status: string; error?: string }): boolean {
  return reply.status === 'fail' && reply.error !== undefined && notApplied.has(reply.error);
}

/** What a node says of its Raft state (the real node's /status). */
export interface RaftKvStatus {
  id: NodeId;
  role: string;
  term: number;
  leader: NodeId | undefined;
  commit: number;
  applied: number;
  lastIndex: number;
  snapshotIndex: number;
  keys: number;
  /** As leader: each follower's highest replicated index. */
  followers?: Record<NodeId, { match: number; lag: number }>;
  /** Lost entries it had made durable, and catching up on them from the leader: it votes for no one meanwhile. */
  repairing: boolean;
  /** While repairing: the index its log must reach again. */
  repairUntil?: number;
}

interface Forwarded {
  type: 'kv_forward';
  client: NodeId;
  req: ClientRequest;
}

interface Pending {
  client: NodeId;
  req: ClientRequest;
  term: number;
}

/** What the host of a member may add to its judgement of client requests. */
export interface RaftKvAdmission {
  /**
   * Why writes must be refused now (a disk below its reserve), checked by the leader where a write
   * enters the log, whichever node the client asked; undefined while they are welcome.
   */
  writesRefused(): string | undefined;
}

export class RaftKv implements Process {
  readonly raft: Raft;
  readonly kv = new KvStateMachine();
  /** Client attempts handled here (client/id/attempt), oldest first: the network's copies are ignored. */
  private readonly seenAttempts = new RecentSet<string>(seenAttemptsMax);
  /** Proposals this node made, by log index, waiting to be applied. */
  private readonly proposals = new Map<number, Pending>();
  /** Reads waiting for leadership confirmation, by ReadIndex context. */
  private readonly reads = new Map<number, { client: NodeId; req: ClientRequest }>();
  /** Reads confirmed, waiting for their index to be applied. */
  private readyReads: { index: number; client: NodeId; req: ClientRequest }[] = [];
  private readContextNext = 1;
  /** Reads waiting for the next leadership confirmation (readBatching). */
  private readBatch: { client: NodeId; req: ClientRequest }[] = [];
  /** Batches waiting for their confirmation, by ReadIndex context. */
  private readonly batchedReads = new Map<number, { client: NodeId; req: ClientRequest }[]>();
  private readyInFlight = false;
  /**
   * Ready work in progress on the stack. Applying an entry sends its reply, and a real node's client
   * can answer that reply at once with its next pipelined request, which arrives here before the
   * entry's apply returns; that input's Ready work waits for this one to finish (readyAgain), or the
   * same committed entries would be applied twice.
   */
  private inReady = false;
  private readyAgain = false;
  private wasLeader = false;
  private readonly storage: RaftStorage;
  private snapshotting = false;
  private sweepProposed = false;
  /** The index of the last snapshot taken or restored. */
  private snapshotIndex = 0;
  /** The last entry this state machine applied (or the snapshot it was restored from). */
  private appliedIndex = 0;
  /** The term and vote last written (for syncOnlyWhenRequired). */
  private syncedTerm: number;
  private syncedVote: NodeId | undefined;
  /** recovery 'repair': the last record of what the log durably holds (storage.ts DurableMark). */
  private durableMark: DurableMark | undefined;
  private wasRepairing: boolean;

  private readonly config: RaftKvSettings;

  constructor(
    private readonly ctx: Context,
    config: RaftKvConfig,
    private readonly admission?: RaftKvAdmission,
  ) {
    this.config = raftKvSettings(config);
    const voters = config.voters ?? [...ctx.peers, ctx.id].sort();
    // A lone voter has no peer to repair from: it refuses a damaged log instead (still keeping the mark).
    const recovery = this.config.recovery === 'repair' && voters.length === 1 ? 'refuse' : this.config.recovery;
    this.storage = new RaftStorage(ctx.disk, (event, fields) => ctx.log(event, fields), { recovery });
    const restored = this.storage.restore();
    // What restore cut away must stay cut after another crash, or the next restore judges it again.
    for (const f of restored?.changedFiles ?? []) ctx.disk.fsync(f, () => {});
    // The state machine comes back from the snapshot; the committed entries after it are applied again.
    if (restored?.snapshot !== undefined) {
      this.kv.restore(restored.snapshot.data as KvSnapshot);
      this.snapshotIndex = restored.snapshot.index;
      this.appliedIndex = restored.snapshot.index;
    }
    // A repairing node's answers carry the start they come from, so the leader forgets what the
    // previous start acknowledged (the node's clock at start: a restart comes later).
    const boot = this.config.recovery === 'repair' ? ctx.now() : undefined;
    this.raft = new Raft({ ...this.config, id: ctx.id, voters, random: () => ctx.random(), boot }, restored);
    this.syncedTerm = this.raft.term;
    this.syncedVote = this.raft.vote;
    this.wasRepairing = this.raft.repairing;
    if (this.config.recovery === 'repair') {
      // Until it is repaired, the node is still bound by what it held before the loss.
      const last = restored?.repairUntil ?? { index: this.raft.log.lastIndex(), term: this.raft.log.lastTerm() };
      this.durableMark = { term: this.raft.term, vote: this.raft.vote, lastIndex: last.index, lastTerm: last.term };
    }
    if (this.raft.repairing) {
      ctx.log('raft_repair_started', { lastIndex: this.raft.log.lastIndex(), until: this.raft.repairUntil?.index });
      ctx.metrics.count('raft_repairs_started');
    }
  }

  start(): void {
    const tick = () => {
      this.raft.tick();
      this.afterInput();
      this.ctx.setTimer(this.config.tickMs, tick);
    };
    this.ctx.setTimer(this.config.tickMs * this.ctx.random(), tick);
    const sweep = () => {
      this.maybeSweepExpired();
      this.afterInput();
      this.ctx.setTimer(expirySweepEveryMs, sweep);
    };
    // Only a store with deadlines needs the sweep's timer (the simulator's stories set none).
    if (this.kv.expires.size > 0 || this.config.expirySweeps) this.ctx.setTimer(expirySweepEveryMs, sweep);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isRaftMessage(msg)) this.raft.step(from, msg);
    else if (isClientRequest(msg)) this.onClient(from, msg);
    else if ((msg as Forwarded).type === 'kv_forward') this.onClient((msg as Forwarded).client, (msg as Forwarded).req);
    else return;
    this.afterInput();
  }

  describe(): { role: string } {
    return { role: this.raft.role };
  }

  /** As leader, hand leadership to an up-to-date follower (thesis §3.10); false when that cannot start. */
  transferLeadership(to: NodeId): boolean {
    const ok = this.raft.transferLeadership(to);
    this.afterInput();
    return ok;
  }

  status(): RaftKvStatus {
    const log = this.raft.log;
    const st: RaftKvStatus = {
      id: this.ctx.id,
      role: this.raft.role,
      term: this.raft.term,
      leader: this.raft.leader,
      commit: log.committed,
      applied: log.applied,
      lastIndex: log.lastIndex(),
      snapshotIndex: log.snapshotIndex(),
      keys: this.kv.data.size,
      repairing: this.raft.repairing,
    };
    if (this.raft.repairing) st.repairUntil = this.raft.repairUntil?.index;
    if (this.raft.role === 'leader') {
      st.followers = {};
      for (const [id, match] of this.raft.matchIndexes()) if (id !== this.ctx.id) st.followers[id] = { match, lag: log.lastIndex() - match };
    }
    return st;
  }

  private onClient(client: NodeId, req: ClientRequest): void {
    // A copy of an attempt this node already handled (the network duplicates): handling it again
    // could apply a request this node already answered with a failure. Retries are new attempts.
    if (this.config.dropDuplicateAttempts) {
      const attemptKey = `${client}/${req.id}/${req.attempt ?? 1}`;
      if (this.seenAttempts.has(attemptKey)) return;
      this.seenAttempts.add(attemptKey);
    }
    if (this.raft.role !== 'leader') {
      const leader = this.raft.leader;
      // A follower hands the request to the leader it knows; without one, nothing happened: a definite failure.
      if (leader !== undefined && leader !== this.ctx.id) this.ctx.send(leader, { type: 'kv_forward', client, req } satisfies Forwarded);
      else this.ctx.send(client, clientReply(req, 'fail', undefined, notAppliedErrors.noLeader));
      return;
    }
    if (readOnlyOperations.has(req.op.f) && !this.config.readsThroughLog) {
      if (this.config.readBatching) {
        this.readBatch.push({ client, req });
        return;
      }
      const context = this.readContextNext++;
      this.reads.set(context, { client, req });
      this.raft.readIndex(context);
      return;
    }
    const refused = this.admission?.writesRefused();
    if (refused !== undefined) return this.ctx.send(client, clientReply(req, 'fail', undefined, refused));
    // The leader's clock goes into the log: every replica judges time to live by the same instant.
    const nowMs = this.ctx.now();
    const cmd: KvCommand = this.config.sessions ? { op: req.op, session: { client, seq: req.id, ackedBelow: req.ackedBelow }, nowMs } : { op: req.op, nowMs };
    const r = this.raft.propose(cmd);
    if (r.ok) this.proposals.set(r.index, { client, req, term: r.term });
  }

  /** A leader removes keys whose time to live has passed, through the log, one sweep at a time. */
  private maybeSweepExpired(): void {
    if (this.raft.role !== 'leader' || this.sweepProposed || this.kv.expires.size === 0) return;
    const nowMs = this.ctx.now();
    if (this.kv.nextExpiryMs() > nowMs) return;
    const r = this.raft.propose({ op: { f: 'expire-sweep' }, nowMs } satisfies KvCommand);
    if (r.ok) this.sweepProposed = true;
  }

  /** Ask one leadership confirmation for every read batched since the last (readBatching). */
  private flushReadBatch(): void {
    if (this.readBatch.length === 0) return;
    const batch = this.readBatch;
    this.readBatch = [];
    if (this.raft.role !== 'leader') {
      for (const { client, req } of batch) this.ctx.send(client, clientReply(req, 'fail', undefined, notAppliedErrors.leadershipLost));
      return;
    }
    const context = this.readContextNext++;
    this.batchedReads.set(context, batch);
    this.raft.readIndex(context);
  }

  private afterInput(): void {
    if (this.inReady) {
      this.readyAgain = true;
      return;
    }
    this.inReady = true;
    try {
      do {
        this.readyAgain = false;
        this.flushReadBatch();
        if (this.wasLeader && this.raft.role !== 'leader') this.loseLeadership();
        if (!this.wasLeader && this.raft.role === 'leader') this.ctx.metrics.count('raft_leaders_elected');
        this.wasLeader = this.raft.role === 'leader';
        if (this.wasRepairing && !this.raft.repairing) {
          this.ctx.log('raft_repair_done', { lastIndex: this.raft.log.lastIndex() });
          this.ctx.metrics.count('raft_repairs_done');
        }
        this.wasRepairing = this.raft.repairing;
        this.processReady();
      } while (this.readyAgain);
    } finally {
      this.inReady = false;
    }
  }

  /** Finish a Ready whose fsync completed, as one more input: no other Ready work runs inside it. */
  private finishSynced(rd: Ready): void {
    if (this.inReady) {
      this.finish(rd);
      this.readyAgain = true;
      return;
    }
    this.inReady = true;
    try {
      this.finish(rd);
    } finally {
      this.inReady = false;
    }
    this.afterInput();
  }

  /** Reads not yet confirmed cannot be served by a node that no longer leads: nothing was read. */
  private loseLeadership(): void {
    for (const { client, req } of this.reads.values()) this.ctx.send(client, clientReply(req, 'fail', undefined, notAppliedErrors.leadershipLost));
    this.reads.clear();
    for (const batch of this.batchedReads.values()) for (const { client, req } of batch) this.ctx.send(client, clientReply(req, 'fail', undefined, notAppliedErrors.leadershipLost));
    this.batchedReads.clear();
    // A sweep this node proposed may never commit; the next leader proposes its own.
    this.sweepProposed = false;
  }

  private processReady(): void {
    if (this.readyInFlight && this.config.applyWhileSyncing) this.workWhileSyncing();
    while (!this.readyInFlight && this.raft.hasReady()) {
      const rd = this.raft.ready();
      if (this.config.applyWhileSyncing && rd.snapshot === undefined) {
        // Committed and already on this disk: apply now, not after the new entries' fsync.
        if (rd.committed.length > 0) {
          this.apply(rd.committed);
          this.raft.log.appliedTo(rd.committed[rd.committed.length - 1].index);
          rd.committed = [];
        }
        this.takeReadStates(rd.readStates);
        rd.readStates = [];
        this.serveReads();
      }
      const hardState = this.hardStateToWrite(rd);
      const written = this.storage.writtenHardState();
      invariant('raft', hardState === undefined || hardState.term >= written.term, () => `writing term ${hardState!.term} over term ${written.term} on disk`);
      const files = [...(rd.snapshot !== undefined ? this.storage.writeSnapshot(rd.snapshot) : []), ...this.storage.append(hardState, rd.entries)];
      if (files.length === 0 || (this.config.syncOnlyWhenRequired && !this.mustSync(rd))) {
        this.finish(rd);
        continue;
      }
      if (this.config.unsafeAckBeforeFsync) {
        this.syncAll(files, () => {});
        this.finish(rd);
        continue;
      }
      if (this.config.leaderSendsBeforeFsync && this.raft.role === 'leader') {
        // Thesis §10.2.1: a leader may replicate while it writes its own disk; it counts itself toward
        // a commit only once its entries are stable, so nothing commits that a majority has not fsynced.
        rd.messages = rd.messages.filter((o) => {
          if (!replicationTypes.has(o.msg.type)) return true;
          this.ctx.send(o.to, o.msg);
          return false;
        });
      }
      this.readyInFlight = true;
      const startedMs = this.ctx.now();
      this.syncAll(files, () => this.markDurable(rd, () => {
        this.readyInFlight = false;
        // The fsync on the path of every write: what a disk costs this cluster (etcd's wal_fsync_duration).
        this.ctx.metrics.observe('wal_fsync_ms', this.ctx.now() - startedMs);
        this.ctx.metrics.observe('wal_entries_per_sync', rd.entries.length);
        this.finishSynced(rd);
      }));
    }
  }

  /**
   * recovery 'repair': once a Ready's entries are durable, and before anything is acknowledged on
   * their strength, record what the log now holds in the mark file and wait for its fsync too. The
   * order matters: a mark ahead of the log would make a crash look like a loss of acknowledged entries.
   */
  private markDurable(rd: Ready, then: () => void): void {
    const prev = this.durableMark;
    if (prev === undefined) return then();
    const hs = this.storage.writtenHardState();
    const lastEntry = rd.entries.length > 0 ? rd.entries[rd.entries.length - 1] : rd.snapshot;
    // While repairing, the node stays bound by what it held before the loss.
    const last = this.raft.repairing || lastEntry === undefined ? { index: prev.lastIndex, term: prev.lastTerm } : lastEntry;
    const mark: DurableMark = { term: hs.term, vote: hs.vote, lastIndex: last.index, lastTerm: last.term };
    if (mark.term === prev.term && mark.vote === prev.vote && mark.lastIndex === prev.lastIndex && mark.lastTerm === prev.lastTerm) return then();
    this.durableMark = mark;
    this.syncAll(this.storage.writeMark(mark), then);
  }

  /**
   * The hard state a Ready writes. With syncOnlyWhenRequired, one whose commit index alone moved gets
   * no write of its own: the commit index is a hint a restarted node learns again from its leader.
   * The next write of entries carries the latest one instead (one record more in the same write).
   */
  private hardStateToWrite(rd: Ready): HardState | undefined {
    const hs = rd.hardState;
    if (!this.config.syncOnlyWhenRequired) return hs;
    const termAndVoteWritten = hs === undefined || (hs.term === this.syncedTerm && hs.vote === this.syncedVote);
    if (!termAndVoteWritten || rd.snapshot !== undefined) return hs;
    if (rd.entries.length === 0) return undefined;
    const now = this.raft.hardState();
    return now.commit > this.storage.writtenHardState().commit ? now : hs;
  }

  /**
   * Whether a Ready must be durable before it is acted on (etcd's MustSync): new entries, a snapshot,
   * a new term or vote. A commit index that alone moved is a hint a restarted node can learn again.
   */
  private mustSync(rd: Ready): boolean {
    const hs = rd.hardState;
    const changed = hs !== undefined && (hs.term !== this.syncedTerm || hs.vote !== this.syncedVote);
    if (hs !== undefined) {
      this.syncedTerm = hs.term;
      this.syncedVote = hs.vote;
    }
    return changed || rd.entries.length > 0 || rd.snapshot !== undefined;
  }

  /** fsync every file, then `done`. */
  private syncAll(files: string[], done: () => void): void {
    let left = files.length;
    for (const f of files) this.ctx.disk.fsync(f, () => --left === 0 && done());
  }

  private finish(rd: Ready): void {
    if (rd.snapshot !== undefined) {
      invariant('raft', rd.snapshot.index > this.appliedIndex, () => `snapshot at ${rd.snapshot!.index} would take the state machine back from ${this.appliedIndex}`);
      this.kv.restore(rd.snapshot.data as KvSnapshot);
      this.snapshotIndex = rd.snapshot.index;
      this.appliedIndex = rd.snapshot.index;
    }
    for (const o of rd.messages) this.ctx.send(o.to, o.msg);
    this.apply(rd.committed);
    this.takeReadStates(rd.readStates);
    this.raft.advance(rd);
    this.serveReads();
    this.maybeSnapshot();
  }

  /** Apply committed entries in order, answering the clients whose proposals they are. */
  private apply(entries: readonly Entry[]): void {
    for (const e of entries) {
      // State Machine Safety (§5.4.3) needs every committed entry applied once, in order, and no other.
      invariant('raft', e.index === this.appliedIndex + 1, () => `applying entry ${e.index} after ${this.appliedIndex}`);
      invariant('raft', e.index <= this.raft.log.committed, () => `applying entry ${e.index} beyond commit ${this.raft.log.committed}`);
      this.appliedIndex = e.index;
      if (e.data === undefined) continue;
      if (isConfChange(e.data)) {
        this.raft.applyConfChange(e.data.confChange);
        continue;
      }
      const cmd = e.data as KvCommand;
      if (cmd.op.f === 'expire-sweep') this.sweepProposed = false;
      const result = this.kv.apply(cmd);
      const p = this.proposals.get(e.index);
      if (p !== undefined) {
        this.proposals.delete(e.index);
        if (p.term === e.term) this.ctx.send(p.client, result.ok ? clientReply(p.req, 'ok', result.value) : clientReply(p.req, 'fail', undefined, result.error));
        // Another leader's entry took this index: our proposal was never committed and never will be.
        else this.ctx.send(p.client, clientReply(p.req, 'fail', undefined, notAppliedErrors.overwritten));
      }
    }
  }

  private takeReadStates(states: readonly ReadState[]): void {
    for (const rs of states) {
      const batch = this.batchedReads.get(rs.context);
      if (batch !== undefined) {
        this.batchedReads.delete(rs.context);
        for (const r of batch) this.readyReads.push({ index: rs.index, ...r });
        continue;
      }
      const r = this.reads.get(rs.context);
      if (r === undefined) continue;
      this.reads.delete(rs.context);
      this.readyReads.push({ index: rs.index, ...r });
    }
  }

  /**
   * While this node's fsync runs (applyWhileSyncing): apply what became committed meanwhile (it is on
   * this disk already: the core hands out only stable entries), serve the reads it confirmed, and send
   * what asks nothing of this disk: heartbeat answers, and a leader's appends (thesis §10.2.1).
   */
  private workWhileSyncing(): void {
    const committed = this.raft.log.toApply();
    if (committed.length > 0) {
      this.apply(committed);
      this.raft.log.appliedTo(committed[committed.length - 1].index);
    }
    this.takeReadStates(this.raft.takeReadStates());
    for (const o of this.raft.takeMessages(this.raft.role === 'leader' ? leaderEarlyTypes : anyoneEarlyTypes)) this.ctx.send(o.to, o.msg);
    this.serveReads();
  }

  /** §7: save the state machine and drop the log it covers, every snapshotEntries applied entries. */
  private maybeSnapshot(): void {
    const log = this.raft.log;
    if (this.snapshotting || log.applied - this.snapshotIndex < this.config.snapshotEntries) return;
    const index = log.applied;
    const data = this.kv.snapshot();
    this.raft.compact(index, data, this.config.snapshotCatchUpEntries);
    this.snapshotIndex = index;
    const snapshot = { index, term: log.term(index), data };
    this.snapshotting = true;
    this.ctx.metrics.count('raft_snapshots');
    this.syncAll(this.storage.writeSnapshot(snapshot), () => {
      // Only a durable snapshot may replace the segments it covers. The new segment opens with the
      // latest hard state: writing more than was acted on is safe, and it supersedes the removed ones.
      this.syncAll(this.storage.rotate(index, this.raft.hardState()), () => (this.snapshotting = false));
    });
  }

  private serveReads(): void {
    const applied = this.raft.log.applied;
    const waiting: typeof this.readyReads = [];
    for (const r of this.readyReads) {
      if (r.index > applied) waiting.push(r);
      else this.ctx.send(r.client, clientReply(r.req, 'ok', this.kv.query(r.req.op, this.ctx.now())));
    }
    this.readyReads = waiting;
  }
}

export const raftKv = (ctx: Context, config: RaftKvConfig): Process => new RaftKv(ctx, config);
