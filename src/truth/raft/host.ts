/**
 * RaftKv: the KV state machine on the one Raft host (raft-host.ts), serving clients, and the
 * profiles that tune a host.
 *
 * Clients may talk to any node: a follower forwards to the leader it knows, and the node that
 * proposed a command answers the client when the command is applied. Reads go through ReadIndex
 * (or the log), writes carry the client's session into the log so that a retry applies once.
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientRequest, type ClientRequest } from '../../runtime/client-protocol.js';
import { RecentSet } from '../../runtime/recent-set.js';
import { KvStateMachine, needsRandom, readOnlyOperations, type KvCommand, type KvResult, type KvSnapshot } from '../kv.js';
import { defaultRaftConfig, snapshotChunkBytesMax, type Raft } from './raft.js';
import { RaftHost, type RaftHostStatus, type RaftHostTuning, type StateMachine } from './raft-host.js';
import { isRaftMessage, type Snapshot } from './types.js';

/**
 * How a Raft host trades simplicity for speed. Each profile is a whole, tested set of choices; a
 * scenario names one (raft-chaos runs the real node's by name), so the simulator never runs a hand
 * copy that drifts from what production runs.
 */
export interface RaftKvTuning extends RaftHostTuning {
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
    // Sooner when the log since the last snapshot outweighs it: at 100k keys of 100 bytes (a 12 MB
    // snapshot, 240-byte entries) one every ~50k entries, so a restart replays half as much.
    snapshotLogBytesRatio: 1,
    snapshotCatchUpEntries: 5_000,
    // A slice of 1,000 entries: a leader copies and encodes it, and a follower that received the
    // snapshot decodes and loads it, in about 1 ms of CPU (p90 under 2 ms, bench/snapshot-cost.ts).
    // Slices of 5,000 took 5 ms at p50 but 18 ms at p90 to load: too near the 20 ms a node may pause.
    snapshotSliceItems: 1_000,
    // A restart replays up to a snapshot's worth of entries (100k): 2,000 per turn apply in a few
    // milliseconds, so the node votes, hears heartbeats and elects a leader while it replays.
    applyEntriesMax: 2_000,
    // A 12 MB snapshot (100k keys) in 1 MiB chunks, each answered: no frame ties up a connection,
    // a loss costs one chunk, and a follower that held part of it from an earlier leader goes on.
    snapshotChunkBytes: 1024 * 1024,
    leaderSendsBeforeFsync: true,
    syncOnlyWhenRequired: true,
    applyWhileSyncing: true,
    expirySweeps: true,
    readBatching: true,
    dropDuplicateAttempts: false,
    // A node that lost acknowledged entries repairs from its peers before it votes (storage.ts).
    recovery: 'repair',
    // The mark of what the log holds is fsynced while the next entries are: two fsyncs a Ready, but
    // not one after the other on the path of every put.
    pipelineDurableMark: true,
    commitRidesAlong: true,
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
    /** Snapshot sooner once the log since the last snapshot holds this many times its bytes. */
    snapshotLogBytesRatio: z.number().positive().optional(),
    snapshotCatchUpEntries: z.number().int().nonnegative().optional(),
    /** Entries copied and encoded per slice of a snapshot (0: the whole snapshot at once). */
    snapshotSliceItems: z.number().int().nonnegative().optional(),
    /** Committed entries applied per turn, yielding to messages and ticks between turns (0: all at once). */
    applyEntriesMax: z.number().int().nonnegative().optional(),
    /** InstallSnapshot in chunks of this many bytes, one in flight (0: the whole snapshot in one message). */
    snapshotChunkBytes: z.number().int().nonnegative().max(snapshotChunkBytesMax).optional(),
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
  // Any profile's knobs, also those another profile leaves at their default by not naming them.
  for (const k of new Set(Object.values(raftKvProfiles).flatMap((p) => Object.keys(p))) as Set<keyof RaftKvTuning>) {
    const v = config[k as keyof RaftKvConfig];
    if (v !== undefined) (tuning as unknown as Record<string, unknown>)[k] = v;
  }
  return { ...config, ...tuning };
}

/** How many recent client attempts a node remembers, to ignore the network's duplicates of them. */
const seenAttemptsMax = 100_000;

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
export interface RaftKvStatus extends RaftHostStatus {
  keys: number;
}

interface Forwarded {
  type: 'kv_forward';
  client: NodeId;
  req: ClientRequest;
}

/** A client's request waiting for the next leadership confirmation (readBatching). */
interface WaitingRead {
  client: NodeId;
  req: ClientRequest;
}

/** What the host of a member may add to its judgement of client requests. */
export interface RaftKvAdmission {
  /**
   * Why writes must be refused now (a disk below its reserve), checked by the leader where a write
   * enters the log, whichever node the client asked; undefined while they are welcome.
   */
  writesRefused(): string | undefined;
}

/** What a RaftKv node says of itself (describe()). */
export interface RaftKvDescription {
  role: string;
  term: number;
  leader?: NodeId;
  commit: number;
  lastIndex: number;
}

export class RaftKv implements Process {
  readonly host: RaftHost<KvCommand, KvResult>;
  readonly raft: Raft;
  readonly kv = new KvStateMachine();
  /** Client attempts handled here (client/id/attempt), oldest first: the network's copies are ignored. */
  private readonly seenAttempts = new RecentSet<string>(seenAttemptsMax);
  /** Reads waiting for the next leadership confirmation (readBatching). */
  private readBatch: WaitingRead[] = [];
  private sweepProposed = false;
  private readonly config: RaftKvSettings;

  constructor(
    private readonly ctx: Context,
    config: RaftKvConfig,
    private readonly admission?: RaftKvAdmission,
  ) {
    this.config = raftKvSettings(config);
    const voters = config.voters ?? [...ctx.peers, ctx.id].sort();
    const machine: StateMachine<KvCommand, KvResult> = {
      apply: (cmd) => {
        if (cmd.op.f === 'expire-sweep') this.sweepProposed = false;
        return this.kv.apply(cmd);
      },
      snapshot: () => this.kv.snapshot(),
      restore: (data) => this.kv.restore(data as KvSnapshot),
      beginSnapshot: () => this.kv.beginSnapshot(),
      beginRestore: (head) => this.kv.beginRestore(head as KvSnapshot),
    };
    this.host = new RaftHost(ctx, machine, { ...this.config, voters });
    this.raft = this.host.raft;
    this.host.onInput = () => this.flushReadBatch();
    // A sweep this node proposed may never commit; the next leader proposes its own.
    this.host.onLeadershipLost = () => (this.sweepProposed = false);
  }

  start(): void {
    this.host.start();
    const sweep = () => {
      this.host.input(() => this.maybeSweepExpired());
      this.ctx.setTimer(expirySweepEveryMs, sweep);
    };
    // Only a store with deadlines needs the sweep's timer (the simulator's stories set none).
    if (this.kv.expires.size > 0 || this.config.expirySweeps) this.ctx.setTimer(expirySweepEveryMs, sweep);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isRaftMessage(msg)) this.host.step(from, msg);
    else if (isClientRequest(msg)) this.host.input(() => this.onClient(from, msg));
    else if ((msg as Forwarded).type === 'kv_forward') this.host.input(() => this.onClient((msg as Forwarded).client, (msg as Forwarded).req));
  }

  /**
   * What the lab draws by each node: its role, its term, the leader it follows, and how far its log
   * reaches and is committed. Read only; `leader` is left out while it knows none.
   */
  describe(): RaftKvDescription {
    const log = this.raft.log;
    const d: RaftKvDescription = { role: this.raft.role, term: this.raft.term, commit: log.committed, lastIndex: log.lastIndex() };
    if (this.raft.leader !== undefined) d.leader = this.raft.leader;
    return d;
  }

  /** As leader, hand leadership to an up-to-date follower (thesis §3.10); false when that cannot start. */
  transferLeadership(to: NodeId): boolean {
    return this.host.input(() => this.raft.transferLeadership(to));
  }

  status(): RaftKvStatus {
    return { ...this.host.status(), keys: this.kv.data.size };
  }

  /**
   * A consistent copy of the whole store, as leader: a linearizable read of everything (ReadIndex),
   * so it holds every write acknowledged before it was asked. `done(undefined)` when this node does
   * not lead, or stops leading first. What `pillars cluster backup` saves.
   */
  backup(done: (snapshot: Snapshot | undefined) => void): void {
    this.host.input(() =>
      this.host.readIndex((ok) => {
        if (!ok) return done(undefined);
        const index = this.host.applied;
        done({ index, term: this.raft.log.term(index), data: this.kv.snapshot() });
      }),
    );
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
      if (this.config.readBatching) this.readBatch.push({ client, req });
      else this.read([{ client, req }]);
      return;
    }
    const refused = this.admission?.writesRefused();
    if (refused !== undefined) return this.ctx.send(client, clientReply(req, 'fail', undefined, refused));
    // The leader's clock goes into the log: every replica judges time to live by the same instant.
    const nowMs = this.ctx.now();
    const cmd: KvCommand = this.config.sessions ? { op: req.op, session: { client, seq: req.id, ackedBelow: req.ackedBelow }, nowMs } : { op: req.op, nowMs };
    // A command that picks at random (SPOP) is replicated with the leader's draw: every replica picks alike.
    if (needsRandom(req.op)) cmd.random = Math.floor(this.ctx.random() * 2 ** 32);
    this.host.propose(cmd, (result) => {
      if (result === undefined) this.ctx.send(client, clientReply(req, 'fail', undefined, notAppliedErrors.overwritten));
      else this.ctx.send(client, result.ok ? clientReply(req, 'ok', result.value) : clientReply(req, 'fail', undefined, result.error));
    });
  }

  /** Serve reads with one leadership confirmation (ReadIndex): the state machine is read once it allows. */
  private read(reads: readonly WaitingRead[]): void {
    this.host.readIndex((ok) => {
      for (const { client, req } of reads) {
        if (ok) this.ctx.send(client, clientReply(req, 'ok', this.kv.query(req.op, this.ctx.now())));
        else this.ctx.send(client, clientReply(req, 'fail', undefined, notAppliedErrors.leadershipLost));
      }
    });
  }

  /** A leader removes keys whose time to live has passed, through the log, one sweep at a time. */
  private maybeSweepExpired(): void {
    if (this.raft.role !== 'leader' || this.sweepProposed || this.kv.expires.size === 0) return;
    const nowMs = this.ctx.now();
    if (this.kv.nextExpiryMs() > nowMs) return;
    if (this.host.propose({ op: { f: 'expire-sweep' }, nowMs } satisfies KvCommand)) this.sweepProposed = true;
  }

  /** Ask one leadership confirmation for every read batched since the last (readBatching). */
  private flushReadBatch(): void {
    if (this.readBatch.length === 0) return;
    const batch = this.readBatch;
    this.readBatch = [];
    this.read(batch);
  }
}

export const raftKv = (ctx: Context, config: RaftKvConfig): Process => new RaftKv(ctx, config);
