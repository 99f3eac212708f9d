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
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientRequest, type ClientRequest } from '../../runtime/client-protocol.js';
import { KvStateMachine, type KvCommand, type KvSnapshot } from '../kv.js';
import { Raft, defaultRaftConfig } from './raft.js';
import { RaftStorage } from './storage.js';
import { isConfChange, isRaftMessage, type Ready } from './types.js';

export const raftKvConfigSchema = z
  .object({
    /** The initial voters (default: every server of the scenario). */
    voters: z.array(z.string()).min(1).optional(),
    /** Milliseconds per Raft tick. */
    tickMs: z.number().positive().default(10),
    electionTicks: z.number().int().min(2).default(defaultRaftConfig.electionTicks),
    heartbeatTicks: z.number().int().min(1).default(defaultRaftConfig.heartbeatTicks),
    preVote: z.boolean().default(defaultRaftConfig.preVote),
    checkQuorum: z.boolean().default(defaultRaftConfig.checkQuorum),
    maxEntriesPerMsg: z.number().int().positive().default(defaultRaftConfig.maxEntriesPerMsg),
    maxInflightMsgs: z.number().int().positive().default(defaultRaftConfig.maxInflightMsgs),
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
    /** Take a snapshot and compact the log every this many applied entries (§7). */
    snapshotEntries: z.number().int().positive().default(10_000),
    /** Serve reads through the log instead of ReadIndex (slower, equally linearizable). */
    readsThroughLog: z.boolean().default(false),
    /** DELIBERATELY UNSAFE: commit entries of older terms by counting replicas (Raft paper, Figure 8). */
    unsafeCommitPreviousTerms: z.boolean().default(false),
    /** DELIBERATELY UNSAFE: send votes and acknowledgements before the fsync completes. */
    unsafeAckBeforeFsync: z.boolean().default(false),
  })
  .strict();
export type RaftKvConfig = z.infer<typeof raftKvConfigSchema>;

/** How many recent client attempts a node remembers, to ignore the network's duplicates of them. */
const seenAttemptsMax = 100_000;

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

export class RaftKv implements Process {
  readonly raft: Raft;
  readonly kv = new KvStateMachine();
  /** Client attempts handled here (client/id/attempt), oldest first: the network's copies are ignored. */
  private readonly seenAttempts = new Set<string>();
  /** Proposals this node made, by log index, waiting to be applied. */
  private readonly proposals = new Map<number, Pending>();
  /** Reads waiting for leadership confirmation, by ReadIndex context. */
  private readonly reads = new Map<number, { client: NodeId; req: ClientRequest }>();
  /** Reads confirmed, waiting for their index to be applied. */
  private readyReads: { index: number; client: NodeId; req: ClientRequest }[] = [];
  private readContextNext = 1;
  private readyInFlight = false;
  private wasLeader = false;
  private readonly storage: RaftStorage;
  private snapshotting = false;

  constructor(
    private readonly ctx: Context,
    private readonly config: RaftKvConfig,
  ) {
    const voters = config.voters ?? [...ctx.peers, ctx.id].sort();
    this.storage = new RaftStorage(ctx.disk);
    const restored = this.storage.restore();
    // The state machine comes back from the snapshot; the committed entries after it are applied again.
    if (restored?.snapshot !== undefined) this.kv.restore(restored.snapshot.data as KvSnapshot);
    this.raft = new Raft({ ...config, id: ctx.id, voters, random: () => ctx.random() }, restored);
  }

  start(): void {
    const tick = () => {
      this.raft.tick();
      this.afterInput();
      this.ctx.setTimer(this.config.tickMs, tick);
    };
    this.ctx.setTimer(this.config.tickMs * this.ctx.random(), tick);
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

  private onClient(client: NodeId, req: ClientRequest): void {
    // A copy of an attempt this node already handled (the network duplicates): handling it again
    // could apply a request this node already answered with a failure. Retries are new attempts.
    const attemptKey = `${client}/${req.id}/${req.attempt ?? 1}`;
    if (this.seenAttempts.has(attemptKey)) return;
    this.seenAttempts.add(attemptKey);
    if (this.seenAttempts.size > seenAttemptsMax) this.seenAttempts.delete(this.seenAttempts.values().next().value!);
    if (this.raft.role !== 'leader') {
      const leader = this.raft.leader;
      // A follower hands the request to the leader it knows; without one, nothing happened: a definite failure.
      if (leader !== undefined && leader !== this.ctx.id) this.ctx.send(leader, { type: 'kv_forward', client, req } satisfies Forwarded);
      else this.ctx.send(client, clientReply(req, 'fail', undefined, 'no leader'));
      return;
    }
    if (req.op.f === 'read' && !this.config.readsThroughLog) {
      const context = this.readContextNext++;
      this.reads.set(context, { client, req });
      this.raft.readIndex(context);
      return;
    }
    const cmd: KvCommand = this.config.sessions ? { op: req.op, session: { client, seq: req.id, ackedBelow: req.ackedBelow } } : { op: req.op };
    const r = this.raft.propose(cmd);
    if (r.ok) this.proposals.set(r.index, { client, req, term: r.term });
  }

  private afterInput(): void {
    if (this.wasLeader && this.raft.role !== 'leader') this.loseLeadership();
    if (!this.wasLeader && this.raft.role === 'leader') this.ctx.metrics.count('raft_leaders_elected');
    this.wasLeader = this.raft.role === 'leader';
    this.processReady();
  }

  /** Reads not yet confirmed cannot be served by a node that no longer leads: nothing was read. */
  private loseLeadership(): void {
    for (const { client, req } of this.reads.values()) this.ctx.send(client, clientReply(req, 'fail', undefined, 'leadership lost'));
    this.reads.clear();
  }

  private processReady(): void {
    while (!this.readyInFlight && this.raft.hasReady()) {
      const rd = this.raft.ready();
      const files = [...(rd.snapshot !== undefined ? this.storage.writeSnapshot(rd.snapshot) : []), ...this.storage.append(rd.hardState, rd.entries)];
      if (files.length === 0) {
        this.finish(rd);
        continue;
      }
      if (this.config.unsafeAckBeforeFsync) {
        this.syncAll(files, () => {});
        this.finish(rd);
        continue;
      }
      this.readyInFlight = true;
      this.syncAll(files, () => {
        this.readyInFlight = false;
        this.finish(rd);
        this.afterInput();
      });
    }
  }

  /** fsync every file, then `done`. */
  private syncAll(files: string[], done: () => void): void {
    let left = files.length;
    for (const f of files) this.ctx.disk.fsync(f, () => --left === 0 && done());
  }

  private finish(rd: Ready): void {
    if (rd.snapshot !== undefined) this.kv.restore(rd.snapshot.data as KvSnapshot);
    for (const o of rd.messages) this.ctx.send(o.to, o.msg);
    for (const e of rd.committed) {
      if (e.data === undefined) continue;
      if (isConfChange(e.data)) {
        this.raft.applyConfChange(e.data.confChange);
        continue;
      }
      const result = this.kv.apply(e.data as KvCommand);
      const p = this.proposals.get(e.index);
      if (p !== undefined) {
        this.proposals.delete(e.index);
        if (p.term === e.term) this.ctx.send(p.client, result.ok ? clientReply(p.req, 'ok', result.value) : clientReply(p.req, 'fail', undefined, result.error));
        // Another leader's entry took this index: our proposal was never committed and never will be.
        else this.ctx.send(p.client, clientReply(p.req, 'fail', undefined, 'proposal overwritten'));
      }
    }
    for (const rs of rd.readStates) {
      const r = this.reads.get(rs.context);
      if (r === undefined) continue;
      this.reads.delete(rs.context);
      this.readyReads.push({ index: rs.index, ...r });
    }
    this.raft.advance(rd);
    this.serveReads();
    this.maybeSnapshot();
  }

  /** §7: save the state machine and drop the log it covers, every snapshotEntries applied entries. */
  private maybeSnapshot(): void {
    const log = this.raft.log;
    if (this.snapshotting || log.applied - log.snapshotIndex() < this.config.snapshotEntries) return;
    const index = log.applied;
    const data = this.kv.snapshot();
    this.raft.compact(index, data);
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
      else this.ctx.send(r.client, clientReply(r.req, 'ok', this.kv.get(r.req.op.key)));
    }
    this.readyReads = waiting;
  }
}

export const raftKv = (ctx: Context, config: RaftKvConfig): Process => new RaftKv(ctx, config);
