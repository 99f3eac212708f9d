/**
 * RaftHost: the Raft core hosted on a Context, generic over its state machine. Every replicated
 * thing of the project runs on it: the KV store (RaftKv, which the real node serves), the shards'
 * and coordinators' groups of two-phase commit, the event log and the kill switch's flag store.
 *
 * The host speaks the core's storage protocol (Raft.ready): it writes a Ready's hard state and
 * entries, fsyncs, reports persisted(), and only then sends the messages that promise what is on
 * disk; it applies the committed entries it is handed and reports applied(). It never writes into
 * the core's log. What it does besides is named by its tuning: the textbook order, one Ready at a
 * time, or the real node's, which applies, serves reads and replicates while its own fsync runs.
 *
 * A proposal learns its result when its entry is applied on the node that proposed it, or learns
 * that another leader's entry took its index (it was never committed and never will be). A read
 * (ReadIndex, thesis §6.4) learns when it may look at the state machine, or that leadership was
 * lost first.
 */
import type { Context, NodeId } from '../../runtime/context.js';
import { invariant } from '../../runtime/invariant.js';
import { Raft, type RaftConfig } from './raft.js';
import { durableMarkFile, encodeSnapshotPart, RaftStorage, snapshotFile, SnapshotFileReader, type DurableMark, type RecoveryMode, type SnapshotWrite } from './storage.js';
import { isConfChange, type ConfChange, type ConfState, type Entry, type HardState, type Message, type Ready, type ReadState, type Snapshot } from './types.js';
// Raft's own format for its messages on the wire: registered with the peer codec wherever Raft runs.
import './wire.js';

/** A deterministic state machine: the same commands in the same order give the same state on every replica. */
export interface StateMachine<Command, Result> {
  /** Apply one committed command. Commands are shared with other replicas (and the log): never mutate one. */
  apply(cmd: Command): Result;
  /** The whole state as plain data (lists and objects, no Maps), for a snapshot. */
  snapshot(): unknown;
  /** Replace the state with a snapshot's (which may be shared: copy what is kept). */
  restore(data: unknown): void;
  /** Start a snapshot of the state as it is now, to be copied in slices while commands keep applying. */
  beginSnapshot?(): SnapshotSlicer;
  /**
   * Replace the state with a snapshot's loaded in slices (a snapshot received in chunks): `head` is
   * its data without what the parts hold (SnapshotSlicer.head). Absent: the parts are joined and
   * restore()d at the end.
   */
  beginRestore?(head: unknown): SnapshotLoader;
}

/** A snapshot being loaded into the state machine a part at a time (SnapshotSlicer's parts, in order). */
export interface SnapshotLoader {
  add(part: Record<string, unknown[]>): void;
  /** Every part was added: the state is the snapshot's. */
  finish(): void;
}

/** A snapshot being taken in slices (kv.ts KvSnapshotSlicer): its state is the one at its start. */
export interface SnapshotSlicer {
  /** The next part (up to `itemsMax` entries): lists to append to the same-named lists of head(). Undefined once complete. */
  next(itemsMax: number): Record<string, unknown[]> | undefined;
  /** What is not split in parts, with empty lists where the parts go. */
  head(): unknown;
  /** The whole snapshot as one piece of plain data, once next() returned undefined. */
  whole(): unknown;
  cancel(): void;
}

/** How a host trades simplicity for speed (a profile names a whole, tested set: host.ts raftKvProfiles). */
export interface RaftHostTuning {
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
  /**
   * Take a snapshot sooner, once the log written since the last one holds this many times that
   * snapshot's bytes (and at least a tenth of snapshotEntries entries): a restart then replays no
   * more log than it loads snapshot, whatever the size of the state. The first snapshot waits for
   * snapshotEntries. Absent: every snapshotEntries.
   */
  snapshotLogBytesRatio?: number;
  /** Entries kept in memory behind a snapshot, for followers a little behind (etcd keeps 5,000). */
  snapshotCatchUpEntries: number;
  /**
   * Copy and encode a snapshot this many entries at a time, yielding to other work between slices
   * (state machines with beginSnapshot). Absent or 0: all at once, in the Ready that triggered it.
   */
  snapshotSliceItems?: number;
  /**
   * Apply at most this many committed entries per turn of the event loop, yielding to messages and
   * ticks between turns: a restart's replay of its log, or a follower catching up, then neither
   * stalls the node's answers to votes and heartbeats nor delays an election by its length.
   * Absent or 0: all that are committed, at once.
   */
  applyEntriesMax?: number;
  /** InstallSnapshot in chunks of this many bytes, one in flight per follower (RaftConfig.snapshotChunkBytes). Absent or 0: whole. */
  snapshotChunkBytes?: number;
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
  /** What to do with a log damaged beyond a torn tail (storage.ts RecoveryMode). */
  recovery: RecoveryMode;
  /**
   * recovery 'repair': once a Ready's entries are durable, take the next Ready while the durable mark
   * of the first is written and fsynced, so that one Ready's mark and the next one's entries reach
   * the disk together instead of one after the other. What promises the entries (this node's
   * answers, a leader counting itself) still waits for their mark.
   */
  pipelineDurableMark?: boolean;
  /** A commit index alone waits for the next append or heartbeat (RaftConfig.commitRidesAlong). */
  commitRidesAlong?: boolean;
}

export interface RaftHostOptions extends RaftHostTuning, Pick<RaftConfig, 'preVote' | 'checkQuorum' | 'readMode' | 'leaseMarginTicks' | 'unsafeCommitPreviousTerms' | 'unsafeConcurrentConfChanges'> {
  /** The initial voters, in the same order on every member. */
  voters: readonly NodeId[];
  /** DELIBERATELY UNSAFE: send votes and acknowledgements before the fsync completes. */
  unsafeAckBeforeFsync?: boolean;
}

/** What a host says of its Raft state (the real node's /status, a group's describe()). */
export interface RaftHostStatus {
  id: NodeId;
  role: string;
  term: number;
  leader: NodeId | undefined;
  commit: number;
  applied: number;
  lastIndex: number;
  snapshotIndex: number;
  /** As leader: each follower's highest replicated index. */
  followers?: Record<NodeId, { match: number; lag: number }>;
  /** Heard from a working cluster within one election timeout (Raft.inContact): what /ready asks. */
  inContact: boolean;
  /** Lost entries it had made durable, and catching up on them from the leader: it votes for no one meanwhile. */
  repairing: boolean;
  /** While repairing: the index its log must reach again. */
  repairUntil?: number;
}

interface Proposal<Result> {
  term: number;
  /** `committed`: this very proposal was applied (another leader's entry did not take its index). */
  done: (result: Result | undefined, committed: boolean) => void;
}

/** A read waiting for its index to be applied; `done(true)`: the state machine may be read now. */
interface ConfirmedRead {
  index: number;
  done: (ok: boolean) => void;
}

export class RaftHost<Command, Result> {
  readonly raft: Raft;
  private readonly storage: RaftStorage;
  private readonly proposals = new Map<number, Proposal<Result>>();
  /** Reads waiting for leadership confirmation, by ReadIndex context. */
  private readonly reads = new Map<number, (ok: boolean) => void>();
  /** Reads confirmed, waiting for their index to be applied. */
  private confirmedReads: ConfirmedRead[] = [];
  private readContextNext = 1;
  /** The storage part of a Ready is being written; its messages and the rest wait for it. */
  private storageBusy = false;
  /**
   * pipelineDurableMark: Readies whose entries are durable and whose mark is being made durable,
   * oldest first, each with its messages and those of later Readies that had nothing to store (an
   * answer there may promise the same entries): they leave once the mark is durable.
   */
  private marking: Array<{ rd: Ready; messages: Ready['messages']; after: Ready['messages'][] }> = [];
  /**
   * Ready work in progress on the stack. Applying an entry answers a client, and a real node's
   * client can answer that at once with its next pipelined request, which arrives here before the
   * apply returns; that input's Ready work waits for this one to finish (readyAgain), or the same
   * committed entries would be applied twice.
   */
  private inReady = false;
  private readyAgain = false;
  private wasLeader = false;
  /** The index of the no-op that opened this node's current term as leader. */
  private leaderFromIndex = Infinity;
  private leaderReadyNow = false;
  private snapshotting = false;
  /** The snapshot being copied in slices; a snapshot installed meanwhile cancels it. */
  private slicing: SnapshotSlicer | undefined;
  /** Its file, written a slice at a time. */
  private slicingFile: SnapshotWrite | undefined;
  /** The index of the last snapshot taken or restored. */
  private snapshotIndexTaken = 0;
  /**
   * A snapshot received in chunks, being loaded into the state machine a slice per turn: until it
   * is, the state machine is partial, and no entry is applied nor read served (applyAllowance).
   */
  private loading: { index: number; term: number; reader: SnapshotFileReader; loader: SnapshotLoader; startedMs: number; slices: number } | undefined;
  /** The last entry this state machine applied (or the snapshot it was restored from). */
  private appliedIndex = 0;
  /** The term and vote last written (for syncOnlyWhenRequired). */
  private syncedTerm: number;
  private syncedVote: NodeId | undefined;
  /** recovery 'repair': the last record of what the log durably holds (storage.ts DurableMark). */
  private durableMark: DurableMark | undefined;
  private wasRepairing: boolean;
  /** What the logs last said of this node's term, role and leader. */
  private readonly seen: { term: number; role: string; leader: NodeId | undefined };

  /** Runs at the start of every round of Ready work (RaftKv asks for its batched reads there). */
  onInput: () => void = () => {};
  /** Called once this node leads and its state machine holds every entry committed before its term. */
  onLeaderReady: () => void = () => {};
  /** Called when this node stops leading, after its unconfirmed reads were failed. */
  onLeadershipLost: () => void = () => {};
  /** Called after a membership change is applied here (the real node dials a new member). */
  onConfChange: (cc: ConfChange, conf: ConfState) => void = () => {};

  constructor(
    private readonly ctx: Context,
    private readonly machine: StateMachine<Command, Result>,
    private readonly options: RaftHostOptions,
  ) {
    // A lone voter has no peer to repair from: it refuses a damaged log instead (still keeping the mark).
    const recovery = options.recovery === 'repair' && options.voters.length === 1 ? 'refuse' : options.recovery;
    this.storage = new RaftStorage(ctx.disk, (event, fields) => ctx.log(event, fields), { recovery });
    const restored = this.storage.restore();
    // What restore cut away must stay cut after another crash, or the next restore judges it again.
    for (const f of restored?.changedFiles ?? []) ctx.disk.fsync(f, () => {});
    // The state machine comes back from the snapshot; the committed entries after it are applied again.
    if (restored?.snapshot !== undefined) {
      machine.restore(restored.snapshot.data);
      this.snapshotIndexTaken = restored.snapshot.index;
      this.appliedIndex = restored.snapshot.index;
    }
    // A repairing node's answers carry the start they come from, so the leader forgets what the
    // previous start acknowledged (the node's clock at start: a restart comes later).
    const boot = options.recovery === 'repair' ? ctx.now() : undefined;
    const forCore = restored?.snapshot !== undefined ? { ...restored, snapshot: { ...restored.snapshot, data: this.dataForCore(restored.snapshot.data) } } : restored;
    this.raft = new Raft({ ...options, id: ctx.id, voters: options.voters, random: () => ctx.random(), boot }, forCore);
    this.offerSnapshotFile();
    this.syncedTerm = this.raft.term;
    this.syncedVote = this.raft.vote;
    this.wasRepairing = this.raft.repairing;
    this.seen = { term: this.raft.term, role: this.raft.role, leader: this.raft.leader };
    if (options.recovery === 'repair') {
      // Until it is repaired, the node is still bound by what it held before the loss.
      const last = restored?.repairUntil ?? { index: this.raft.log.lastIndex(), term: this.raft.log.lastTerm() };
      this.durableMark = { term: this.raft.term, vote: this.raft.vote, lastIndex: last.index, lastTerm: last.term };
    }
    if (this.raft.repairing) {
      ctx.log('raft_repair_started', { lastIndex: this.raft.log.lastIndex(), until: this.raft.repairUntil?.index });
      ctx.metrics.count('raft_repairs_started');
    }
  }

  /** Start ticking (a random phase, so restarted nodes do not tick in step). */
  start(): void {
    const tick = () => {
      this.raft.tick();
      this.afterInput();
      this.ctx.setTimer(this.options.tickMs, tick);
    };
    this.ctx.setTimer(this.options.tickMs * this.ctx.random(), tick);
  }

  step(from: NodeId, msg: Message): void {
    this.raft.step(from, msg);
    this.afterInput();
  }

  /** Run `fn` (which changes the core: a leadership transfer, a proposal), then the work it made. */
  input<T>(fn: () => T): T {
    const r = fn();
    this.afterInput();
    return r;
  }

  get isLeader(): boolean {
    return this.raft.role === 'leader';
  }

  /** This node leads and has applied every entry committed before its term. */
  get leaderReady(): boolean {
    return this.leaderReadyNow && this.raft.role === 'leader';
  }

  /** The leader this node knows of, if any. */
  get leader(): NodeId | undefined {
    return this.raft.leader;
  }

  /** The last entry applied to the state machine. */
  get applied(): number {
    return this.appliedIndex;
  }

  /**
   * Propose a command as leader. `done` runs when it is applied here (with its result), or with
   * undefined if another leader's entry took its index. Returns false (and never calls `done`) when
   * this node does not lead.
   */
  propose(cmd: Command, done: (result: Result | undefined) => void = () => {}): boolean {
    const r = this.raft.propose(cmd);
    if (!r.ok) return false;
    this.proposals.set(r.index, { term: r.term, done });
    this.afterInput();
    return true;
  }

  /**
   * Propose a membership change as leader (one at a time: Raft.proposeConfChange). `done(true)` when
   * it is applied here, `done(false)` if another leader's entry took its index. Returns false (and
   * never calls `done`) when this node does not lead or another change is still in flight.
   */
  proposeConfChange(cc: ConfChange, done: (applied: boolean) => void = () => {}): boolean {
    const r = this.raft.proposeConfChange(cc);
    if (!r.ok) return false;
    this.proposals.set(r.index, { term: r.term, done: (_, committed) => done(committed) });
    this.afterInput();
    return true;
  }

  /**
   * A linearizable read: `done(true)` once this node has confirmed it still leads and has applied
   * what was committed when the read arrived; `done(false)` if it does not lead, or stops leading
   * before the confirmation (nothing was read).
   */
  readIndex(done: (ok: boolean) => void): void {
    const context = this.readContextNext++;
    if (!this.raft.readIndex(context)) return done(false);
    this.reads.set(context, done);
    this.afterInput();
  }

  status(): RaftHostStatus {
    const log = this.raft.log;
    const st: RaftHostStatus = {
      id: this.ctx.id,
      role: this.raft.role,
      term: this.raft.term,
      leader: this.raft.leader,
      commit: log.committed,
      applied: this.appliedIndex,
      lastIndex: log.lastIndex(),
      snapshotIndex: log.snapshotIndex(),
      inContact: this.raft.inContact(),
      repairing: this.raft.repairing,
    };
    if (this.raft.repairing) st.repairUntil = this.raft.repairUntil?.index;
    if (this.raft.role === 'leader') {
      st.followers = {};
      for (const [id, match] of this.raft.matchIndexes()) if (id !== this.ctx.id) st.followers[id] = { match, lag: log.lastIndex() - match };
    }
    return st;
  }

  // --- Ready work --------------------------------------------------------------------------

  private afterInput(): void {
    if (this.inReady) {
      this.readyAgain = true;
      return;
    }
    this.inReady = true;
    // Each input may apply its share of a backlog; what is left waits for a later turn (spendApplyBudget).
    this.applyBudget = (this.options.applyEntriesMax ?? 0) > 0 ? this.options.applyEntriesMax! : Infinity;
    try {
      do {
        this.readyAgain = false;
        this.onInput();
        this.noticeRoleChanges();
        this.processReady();
      } while (this.readyAgain);
    } finally {
      this.inReady = false;
    }
  }

  /**
   * Structured events an operator reads in the logs: elections, terms, leaders (what etcd logs as
   * "elected leader", "became candidate"), besides repairs, snapshots and membership changes.
   */
  private logChanges(): void {
    const r = this.raft;
    const seen = this.seen;
    if (r.term !== seen.term) this.ctx.log('raft_term_changed', { from: seen.term, to: r.term, role: r.role });
    if (r.role !== seen.role && (r.role === 'pre-candidate' || r.role === 'candidate')) this.ctx.log('raft_election_started', { term: r.term, kind: r.role === 'pre-candidate' ? 'pre-vote' : 'vote' });
    if (r.leader !== seen.leader) this.ctx.log('raft_leader_changed', { from: seen.leader ?? null, to: r.leader ?? null, term: r.term });
    seen.term = r.term;
    seen.role = r.role;
    seen.leader = r.leader;
  }

  private noticeRoleChanges(): void {
    this.logChanges();
    const leading = this.raft.role === 'leader';
    if (leading && !this.wasLeader) {
      this.ctx.metrics.count('raft_leaders_elected');
      // becomeLeader appended the no-op just now: it is the last entry.
      this.leaderFromIndex = this.raft.log.lastIndex();
      this.leaderReadyNow = false;
    }
    if (!leading && this.wasLeader) this.loseLeadership();
    this.wasLeader = leading;
    if (this.wasRepairing && !this.raft.repairing) {
      this.ctx.log('raft_repair_done', { lastIndex: this.raft.log.lastIndex() });
      this.ctx.metrics.count('raft_repairs_done');
    }
    this.wasRepairing = this.raft.repairing;
  }

  /** Reads not yet confirmed cannot be served by a node that no longer leads: nothing was read. */
  private loseLeadership(): void {
    this.leaderReadyNow = false;
    this.leaderFromIndex = Infinity;
    const reads = [...this.reads.values()];
    this.reads.clear();
    for (const done of reads) done(false);
    this.onLeadershipLost();
  }

  /** What Readies may still hand out to apply for this input (applyEntriesMax), counted down as they do. */
  private applyBudget = Infinity;
  /** A turn to apply more of the backlog is scheduled. */
  private applyTurnScheduled = false;

  private readyOptions(storageBusy: boolean): { storageBusy: boolean; applyEntriesMax: number } {
    return { storageBusy, applyEntriesMax: this.applyAllowance };
  }

  /** What a Ready may hand out to apply now: nothing while a received snapshot loads, since entries above it need all of it. */
  private get applyAllowance(): number {
    return this.loading !== undefined ? 0 : this.applyBudget;
  }

  /** Count what a Ready handed out to apply; once this turn's share is spent, the rest waits for a later turn. */
  private spendApplyBudget(rd: Ready): void {
    const max = this.options.applyEntriesMax ?? 0;
    if (max === 0) return;
    this.applyBudget -= rd.committed.length;
    if (this.applyBudget > 0 || this.applyTurnScheduled) return;
    this.applyTurnScheduled = true;
    // Through the Context's timer: the simulator orders these turns among other events by its seed.
    this.ctx.setTimer(0, () => {
      this.applyTurnScheduled = false;
      this.afterInput();
    });
  }

  private processReady(): void {
    if (this.storageBusy && this.options.applyWhileSyncing) this.workWhileSyncing();
    while (!this.storageBusy && this.raft.hasReady({ applyEntriesMax: this.applyAllowance })) {
      const rd = this.raft.ready(this.readyOptions(false));
      this.spendApplyBudget(rd);
      let messages = rd.messages;
      if (this.options.applyWhileSyncing && rd.snapshot === undefined) {
        // Committed and already on this disk: apply now, not after the new entries' fsync.
        this.apply(rd.committed);
        this.takeReadStates(rd.readStates);
        this.serveReads();
        rd.committed = [];
        rd.readStates = [];
      }
      const hardState = this.hardStateToWrite(rd);
      const written = this.storage.writtenHardState();
      invariant('raft', hardState === undefined || hardState.term >= written.term, () => `writing term ${hardState!.term} over term ${written.term} on disk`);
      // The leader's snapshot replaces the one being sliced before either file is finished.
      if (rd.snapshot !== undefined && this.slicing !== undefined) this.cancelSlicing();
      const files = [...new Set([...this.writeSnapshotChunks(rd), ...this.storage.append(hardState, rd.entries)])];
      if (files.length === 0 || (this.options.syncOnlyWhenRequired && !this.mustSync(rd))) {
        if (this.marking.length > 0 && rd.snapshot === undefined) {
          // An answer may promise entries whose mark is still being written: it leaves after that mark.
          const held = messages.filter((o) => !this.raft.sendableBeforeStorage(o.msg));
          for (const o of messages) if (this.raft.sendableBeforeStorage(o.msg)) this.ctx.send(o.to, o.msg);
          if (held.length > 0) this.marking[this.marking.length - 1].after.push(held);
          this.afterStorage(rd, []);
        } else this.afterStorage(rd, messages);
        continue;
      }
      if (this.options.unsafeAckBeforeFsync === true) {
        this.syncAll(files, () => {});
        this.afterStorage(rd, messages);
        continue;
      }
      if (this.options.leaderSendsBeforeFsync && this.raft.role === 'leader') {
        // Thesis §10.2.1: a leader may replicate while it writes its own disk; it counts itself toward
        // a commit only once its entries are stable, so nothing commits that a majority has not fsynced.
        messages = messages.filter((o) => {
          if (!this.raft.sendableBeforeStorage(o.msg)) return true;
          this.ctx.send(o.to, o.msg);
          return false;
        });
      }
      this.storageBusy = true;
      const startedMs = this.ctx.now();
      const waiting = messages;
      if (this.pipelinesMark(rd)) {
        this.syncAll(files, () => {
          this.storageBusy = false;
          this.ctx.metrics.observe('wal_fsync_ms', this.ctx.now() - startedMs);
          this.ctx.metrics.observe('wal_entries_per_sync', rd.entries.length);
          const pending = { rd, messages: waiting, after: [] };
          this.marking.push(pending);
          this.markDurable(rd, () => this.asInput(() => this.markWritten(pending)));
          this.asInput(() => this.afterStorage(rd, [], true));
        });
        continue;
      }
      this.syncAll(files, () =>
        this.markDurable(rd, () => {
          this.storageBusy = false;
          // The fsync on the path of every write: what a disk costs this cluster (etcd's wal_fsync_duration).
          this.ctx.metrics.observe('wal_fsync_ms', this.ctx.now() - startedMs);
          this.ctx.metrics.observe('wal_entries_per_sync', rd.entries.length);
          this.storageDone(rd, waiting);
        }),
      );
    }
  }

  /**
   * While this node's fsync runs (applyWhileSyncing): apply what became committed meanwhile (it is on
   * this disk already: the core hands out only stable entries), serve the reads it confirmed, and send
   * what asks nothing of this disk (Raft.sendableBeforeStorage).
   */
  private workWhileSyncing(): void {
    if (!this.raft.hasReady({ storageBusy: true, applyEntriesMax: this.applyAllowance })) return;
    const rd = this.raft.ready(this.readyOptions(true));
    this.spendApplyBudget(rd);
    this.apply(rd.committed);
    this.takeReadStates(rd.readStates);
    for (const o of rd.messages) this.ctx.send(o.to, o.msg);
    this.serveReads();
  }

  /** Finish a Ready whose fsync completed, as one more input: no other Ready work runs inside it. */
  private storageDone(rd: Ready, messages: Ready['messages']): void {
    this.asInput(() => this.afterStorage(rd, messages));
  }

  /** Run `work` as one more input: inside Ready work it runs now and that work goes round again; otherwise the Ready work it made follows. */
  private asInput(work: () => void): void {
    if (this.inReady) {
      work();
      this.readyAgain = true;
      return;
    }
    this.inReady = true;
    try {
      work();
    } finally {
      this.inReady = false;
    }
    this.afterInput();
  }

  /** Whether this Ready's entries may be reported durable before their mark is (pipelineDurableMark). */
  private pipelinesMark(rd: Ready): boolean {
    // A snapshot, and a repairing node's log, keep the one-step order: rare, and simpler to reason about.
    return this.options.pipelineDurableMark === true && this.durableMark !== undefined && rd.snapshot === undefined && rd.snapshotChunks.length === 0 && !this.raft.repairing;
  }

  /** The mark of the oldest Ready in `marking` is durable: its answers and those held behind it leave, and a leader counts itself. */
  private markWritten(pending: RaftHost<Command, Result>['marking'][number]): void {
    // Marks are fsynced in order (one file): the oldest one completes first.
    invariant('raft', this.marking[0] === pending, () => `the durable mark of entries up to ${pending.rd.entries.at(-1)?.index} completed before an earlier one`);
    this.marking.shift();
    for (const o of pending.messages) this.ctx.send(o.to, o.msg);
    for (const held of pending.after) for (const o of held) this.ctx.send(o.to, o.msg);
    this.raft.marked(pending.rd);
  }

  /**
   * The Ready's storage part is durable: restore a received snapshot, send, apply, serve, report.
   * `markPending`: its entries' durable mark is still being written (pipelineDurableMark).
   */
  private afterStorage(rd: Ready, messages: Ready['messages'], markPending = false): void {
    if (rd.snapshot !== undefined) {
      invariant('raft', rd.snapshot.index > this.appliedIndex, () => `snapshot at ${rd.snapshot!.index} would take the state machine back from ${this.appliedIndex}`);
      // The leader's snapshot is newer than the one being copied, which would compact a log it replaced.
      if (this.slicing !== undefined) this.cancelSlicing();
      // And newer than one being loaded, which it replaces.
      this.loading = undefined;
      this.snapshotIndexTaken = rd.snapshot.index;
      if (rd.snapshotReceived !== undefined) this.beginLoad(rd.snapshot);
      else {
        this.machine.restore(rd.snapshot.data);
        this.appliedIndex = rd.snapshot.index;
        this.ctx.log('raft_snapshot_installed', { index: rd.snapshot.index, term: rd.snapshot.term });
      }
      // It is durable now (this Ready's fsync): the segments of the log it replaced go.
      this.compactSegments(rd.snapshot.index, true, () => {});
    }
    for (const o of messages) this.ctx.send(o.to, o.msg);
    this.apply(rd.committed);
    this.takeReadStates(rd.readStates);
    this.raft.persisted(rd, { markPending });
    this.serveReads();
    this.maybeSnapshot();
  }

  private takeReadStates(readStates: readonly ReadState[]): void {
    for (const rs of readStates) {
      const done = this.reads.get(rs.context);
      if (done === undefined) continue;
      this.reads.delete(rs.context);
      this.confirmedReads.push({ index: rs.index, done });
    }
  }

  /** Apply committed entries in order, answering the proposals they are. */
  private apply(entries: readonly Entry[]): void {
    for (const e of entries) {
      // Entries above a snapshot change the state it holds: they wait until all of it is loaded.
      invariant('raft', this.loading === undefined, () => `applying entry ${e.index} while snapshot ${this.loading!.index} is only partly loaded`);
      // State Machine Safety (§5.4.3) needs every committed entry applied once, in order, and no other.
      invariant('raft', e.index === this.appliedIndex + 1, () => `applying entry ${e.index} after ${this.appliedIndex}`);
      invariant('raft', e.index <= this.raft.log.committed, () => `applying entry ${e.index} beyond commit ${this.raft.log.committed}`);
      this.appliedIndex = e.index;
      const p = this.proposals.get(e.index);
      if (p !== undefined) this.proposals.delete(e.index);
      let result: Result | undefined;
      if (isConfChange(e.data)) {
        this.raft.applyConfChange(e.data.confChange);
        const conf = this.raft.confState();
        this.ctx.log('raft_membership_changed', { index: e.index, change: e.data.confChange.type, member: e.data.confChange.node, voters: conf.voters, learners: conf.learners });
        this.onConfChange(e.data.confChange, conf);
      }
      else if (e.data !== undefined) result = this.machine.apply(e.data as Command);
      this.raft.applied(e.index);
      // Another leader's entry took this index: our proposal was never committed and never will be.
      if (p !== undefined) p.done(p.term === e.term ? result : undefined, p.term === e.term);
      if (!this.leaderReadyNow && this.raft.role === 'leader' && e.index >= this.leaderFromIndex) {
        this.leaderReadyNow = true;
        this.onLeaderReady();
      }
    }
  }

  private serveReads(): void {
    // A partly loaded state machine answers nothing (reads wait for the load and the entries after it).
    if (this.confirmedReads.length === 0 || this.loading !== undefined) return;
    const waiting: ConfirmedRead[] = [];
    const ready: ConfirmedRead[] = [];
    for (const r of this.confirmedReads) (r.index > this.appliedIndex ? waiting : ready).push(r);
    this.confirmedReads = waiting;
    for (const r of ready) r.done(true);
  }

  // --- storage -------------------------------------------------------------------------------

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
    if (mark.term === prev.term && mark.vote === prev.vote && mark.lastIndex === prev.lastIndex && mark.lastTerm === prev.lastTerm) {
      // Nothing new to record, but an earlier mark may still be on its way: follow it.
      return this.marking.length > 0 ? this.syncAll([durableMarkFile], then) : then();
    }
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
    if (!this.options.syncOnlyWhenRequired) return hs;
    const termAndVoteWritten = hs === undefined || (hs.term === this.syncedTerm && hs.vote === this.syncedVote);
    if (!termAndVoteWritten || rd.snapshot !== undefined) return hs;
    if (rd.entries.length === 0) return undefined;
    const now = this.raft.hardState();
    return now.commit > this.storage.writtenHardState().commit ? now : hs;
  }

  /**
   * Whether a Ready must be durable before it is acted on (etcd's MustSync): new entries, a snapshot
   * or chunks of one, a new term or vote. A commit index that alone moved is a hint a restarted node can learn again.
   */
  private mustSync(rd: Ready): boolean {
    const hs = rd.hardState;
    const changed = hs !== undefined && (hs.term !== this.syncedTerm || hs.vote !== this.syncedVote);
    if (hs !== undefined) {
      this.syncedTerm = hs.term;
      this.syncedVote = hs.vote;
    }
    // What a follower tells the leader it holds of a snapshot is on its disk: a restart goes on from there.
    return changed || rd.entries.length > 0 || rd.snapshot !== undefined || rd.snapshotChunks.length > 0;
  }

  /** fsync every file, then `done`. */
  private syncAll(files: string[], done: () => void): void {
    let left = files.length;
    for (const f of files) this.ctx.disk.fsync(f, () => --left === 0 && done());
  }

  /** §7: save the state machine and drop the log it covers, every snapshotEntries applied entries (or sooner: snapshotLogBytesRatio). */
  private maybeSnapshot(): void {
    const log = this.raft.log;
    if (this.snapshotting || this.loading !== undefined) return;
    const since = log.applied - this.snapshotIndexTaken;
    const ratio = this.options.snapshotLogBytesRatio;
    // Measured against a snapshot there is: the first one waits for snapshotEntries.
    const snapshotBytes = this.storage.snapshotBytes();
    const logOutgrewSnapshot = ratio !== undefined && snapshotBytes > 0 && since * 10 >= this.options.snapshotEntries && this.storage.logBytesSinceSnapshot() > ratio * snapshotBytes;
    if (since < this.options.snapshotEntries && !logOutgrewSnapshot) return;
    const index = log.applied;
    // The membership as of this index goes with it: a node restarted from it must not fall back to its first one.
    const at = { index, term: log.term(index), conf: this.raft.confState() };
    this.snapshotting = true;
    const sliceItems = this.options.snapshotSliceItems ?? 0;
    if (sliceItems === 0 || this.machine.beginSnapshot === undefined) return this.saveSnapshot({ ...at, data: this.machine.snapshot() }, undefined);
    const slicer = this.machine.beginSnapshot();
    this.slicing = slicer;
    // The file is written as the slices are encoded: the last one leaves nothing to join and write.
    const file = this.storage.beginSnapshotWrite({ ...at, data: slicer.head() });
    this.slicingFile = file;
    const slice = () => {
      if (this.slicing !== slicer) return;
      const part = slicer.next(sliceItems);
      if (part !== undefined) {
        file.part(encodeSnapshotPart(part));
        this.ctx.setTimer(0, slice);
        return;
      }
      this.slicing = undefined;
      this.slicingFile = undefined;
      this.saveSnapshot({ ...at, data: slicer.whole() }, file);
    };
    // Through the Context's timer: the simulator orders the slices among other events by its seed.
    this.ctx.setTimer(0, slice);
  }

  /**
   * The storage part of a Ready's snapshot: chunks of one being received appended to its file, and
   * a snapshot received whole written (encoded), or one received in chunks installed as its file is.
   * Returns the files to fsync.
   */
  private writeSnapshotChunks(rd: Ready): string[] {
    const files: string[] = [];
    for (const chunk of rd.snapshotChunks) files.push(...this.storage.appendSnapshotChunk(chunk));
    if (rd.snapshot === undefined) return files;
    // The file a load in progress reads is replaced now: that load is over (afterStorage starts the next).
    this.loading = undefined;
    if (rd.snapshotReceived !== undefined) {
      // The chunks' file becomes the snapshot's (its data is in the file, not in rd.snapshot).
      files.length = 0;
      files.push(...this.storage.installReceivedSnapshot(rd.snapshotReceived));
    } else files.push(...this.storage.writeSnapshot(rd.snapshot));
    this.offerSnapshotFile();
    return files;
  }

  /**
   * What of a snapshot's state the core keeps to send: none when it sends in chunks (it reads the
   * file, offerSnapshotFile), rather than a copy of the whole store held for as long as the snapshot.
   */
  private dataForCore(data: unknown): unknown {
    return (this.options.snapshotChunkBytes ?? 0) > 0 ? undefined : data;
  }

  /** Let the core send the snapshot file as it is on disk, read a chunk at a time (Raft.offerSnapshotBytes). */
  private offerSnapshotFile(): void {
    const source = this.storage.snapshotFileSource();
    if (source === undefined) return;
    this.raft.offerSnapshotBytes({ ...source, read: (offset, length) => this.storage.readSnapshotRange(source.index, offset, length) });
  }

  /**
   * Load a snapshot received in chunks from its file, now durable, a slice per turn of the event
   * loop (at least one of its records, each a slice of the leader's snapshotSliceItems): decoding
   * and restoring 100k keys at once paused a follower for 0.3-1.2 s. Meanwhile the core goes on
   * receiving and persisting entries; none is applied, nor any read served, until the load is done.
   */
  private beginLoad(snap: Snapshot): void {
    const reader = new SnapshotFileReader((offset, length) => this.storage.readSnapshotFileRange(offset, length), snapshotFile);
    invariant('raft', reader.snapshot.index === snap.index && reader.snapshot.term === snap.term, () => `${snapshotFile} holds snapshot ${reader.snapshot.index} of term ${reader.snapshot.term}, not the ${snap.index} of term ${snap.term} received`);
    const load = { index: snap.index, term: snap.term, reader, loader: this.beginRestore(reader.snapshot.data), startedMs: this.ctx.now(), slices: 0 };
    this.loading = load;
    const itemsPerTurn = Math.max(1, this.options.snapshotSliceItems ?? 0);
    const slice = () => {
      if (this.loading !== load) return;
      load.slices++;
      for (let items = 0; items < itemsPerTurn; ) {
        const part = reader.nextPart();
        if (part === undefined) return this.finishLoad(load);
        load.loader.add(part);
        for (const list of Object.values(part)) items += Math.max(1, list.length);
      }
      this.ctx.setTimer(0, slice);
    };
    // Through the Context's timer: the simulator orders the slices among other events by its seed.
    this.ctx.setTimer(0, slice);
  }

  /** The state machine's loader, or one that joins the parts and restores them at the end. */
  private beginRestore(head: unknown): SnapshotLoader {
    if (this.machine.beginRestore !== undefined) return this.machine.beginRestore(head);
    const data = head as Record<string, unknown[]>;
    return {
      add: (part) => {
        for (const [field, items] of Object.entries(part)) for (const item of items) data[field].push(item);
      },
      finish: () => this.machine.restore(data),
    };
  }

  private finishLoad(load: NonNullable<RaftHost<Command, Result>['loading']>): void {
    load.loader.finish();
    this.loading = undefined;
    invariant('raft', load.index > this.appliedIndex, () => `snapshot at ${load.index} loaded over the state at ${this.appliedIndex}`);
    this.appliedIndex = load.index;
    this.ctx.log('raft_snapshot_installed', { index: load.index, term: load.term, loadMs: this.ctx.now() - load.startedMs, slices: load.slices });
    // The entries after it, and the reads that waited, now.
    this.afterInput();
    this.serveReads();
  }

  /** A snapshot installed from the leader replaced the state the slices were reading. */
  private cancelSlicing(): void {
    this.slicing!.cancel();
    this.slicing = undefined;
    this.slicingFile?.abort();
    this.slicingFile = undefined;
    this.snapshotting = false;
  }

  /**
   * Compact the log behind a complete snapshot and write it (`file`: the slices already written, see
   * storage.ts beginSnapshotWrite; the file is not encoded again whole).
   */
  private saveSnapshot(snapshot: Snapshot, file: SnapshotWrite | undefined): void {
    const { index } = snapshot;
    this.raft.compact(index, this.dataForCore(snapshot.data), this.options.snapshotCatchUpEntries, snapshot.conf);
    this.snapshotIndexTaken = index;
    this.ctx.metrics.count('raft_snapshots');
    this.ctx.log('raft_snapshot_taken', { index, term: snapshot.term });
    const files = file === undefined ? this.storage.writeSnapshot(snapshot) : file.finish();
    // A follower that needs the snapshot gets the file's bytes as they are, read back a chunk at a time.
    this.offerSnapshotFile();
    this.syncAll(files, () => this.compactSegments(index, false, () => (this.snapshotting = false)));
  }

  /**
   * Once a snapshot at `index` is durable: a new segment, opened with the latest hard state (writing
   * more than was acted on is safe, and it supersedes the removed ones) and carrying the entries after
   * the snapshot that older segments hold; once that is durable too, the older segments go.
   * `installed`: the leader's snapshot replaced the whole log, so every older segment goes.
   */
  private compactSegments(index: number, installed: boolean, done: () => void): void {
    const log = this.raft.log;
    // A snapshot installed from the leader meanwhile replaced the log the carry would come from.
    const through = log.snapshotIndex() > index ? index : Math.min(this.storage.maxWrittenIndex(), log.lastIndex());
    const carried = through > index ? log.slice(index + 1, through - index) : [];
    const rotation = this.storage.rotate(index, this.raft.hardState(), carried, installed);
    this.syncAll(rotation.sync, () => this.syncAll(rotation.removeCovered(), done));
  }
}
