/**
 * A Raft group hosting any deterministic state machine: the shards' participant state and the
 * coordinators' transaction records both live in one.
 *
 * The Ready loop is RaftKv's (src/truth/raft/host.ts), without its client-serving parts: append the
 * Ready's hard state and entries to the WAL, fsync, and only then send its messages (no vote or
 * acknowledgement for something not on disk), apply the committed entries, call advance. A proposal
 * learns its result when its entry is applied on the node that proposed it, or learns that another
 * leader's entry took its index (it was never committed and never will be).
 *
 * A new leader's state machine may lag behind the log: it is complete only once the no-op the
 * leader appends at the start of its term (Raft §8) is applied, because that commits every earlier
 * entry. `leaderReady` says so, and `onLeaderReady` runs then: code that acts on the replicated state
 * as leader (a coordinator finishing the transactions its predecessor left) waits for it.
 */
import type { Context, NodeId } from '../../runtime/context.js';
import { Raft, defaultRaftConfig } from '../raft/raft.js';
import { RaftStorage } from '../raft/storage.js';
import { isConfChange, type Entry, type Message, type Ready } from '../raft/types.js';

/** A deterministic state machine: the same commands in the same order give the same state on every replica. */
export interface StateMachine<Command, Result> {
  /** Apply one committed command. Commands are shared with other replicas (and the log): never mutate one. */
  apply(cmd: Command): Result;
  /** The whole state as plain data (lists and objects, no Maps), for a snapshot. */
  snapshot(): unknown;
  /** Replace the state with a snapshot's (which may be shared: copy what is kept). */
  restore(data: unknown): void;
}

export interface RaftGroupOptions {
  /** The voters, in the same order on every member. */
  members: readonly NodeId[];
  tickMs: number;
  electionTicks: number;
  heartbeatTicks: number;
  /** Take a snapshot and compact the log every this many applied entries (§7). */
  snapshotEntries: number;
}

interface Proposal<Result> {
  term: number;
  done: (result: Result | undefined) => void;
}

export class RaftGroup<Command, Result> {
  readonly raft: Raft;
  private readonly storage: RaftStorage;
  private readonly proposals = new Map<number, Proposal<Result>>();
  private readyInFlight = false;
  private wasLeader = false;
  /** The index of the no-op that opened this node's current term as leader. */
  private leaderFromIndex = Infinity;
  private ready = false;
  private snapshotting = false;
  private snapshotIndex = 0;
  /** Called once this node leads and its state machine holds every committed entry. */
  onLeaderReady: () => void = () => {};
  /** Called when this node stops leading. */
  onLeadershipLost: () => void = () => {};

  constructor(
    private readonly ctx: Context,
    private readonly machine: StateMachine<Command, Result>,
    private readonly opts: RaftGroupOptions,
  ) {
    this.storage = new RaftStorage(ctx.disk, (event, fields) => ctx.log(event, fields));
    const restored = this.storage.restore();
    // The state machine comes back from the snapshot; the committed entries after it are applied again.
    if (restored?.snapshot !== undefined) {
      machine.restore(restored.snapshot.data);
      this.snapshotIndex = restored.snapshot.index;
    }
    this.raft = new Raft(
      { ...defaultRaftConfig, electionTicks: opts.electionTicks, heartbeatTicks: opts.heartbeatTicks, id: ctx.id, voters: opts.members, random: () => ctx.random() },
      restored,
    );
  }

  start(): void {
    const tick = () => {
      this.raft.tick();
      this.afterInput();
      this.ctx.setTimer(this.opts.tickMs, tick);
    };
    this.ctx.setTimer(this.opts.tickMs * this.ctx.random(), tick);
  }

  step(from: NodeId, msg: Message): void {
    this.raft.step(from, msg);
    this.afterInput();
  }

  get isLeader(): boolean {
    return this.raft.role === 'leader';
  }

  /** This node leads and has applied every entry committed before its term. */
  get leaderReady(): boolean {
    return this.ready && this.raft.role === 'leader';
  }

  /** The leader this node knows of, if any. */
  get leader(): NodeId | undefined {
    return this.raft.leader;
  }

  get applied(): number {
    return this.raft.log.applied;
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

  private afterInput(): void {
    const leading = this.raft.role === 'leader';
    if (leading && !this.wasLeader) {
      this.ctx.metrics.count('raft_leaders_elected');
      // becomeLeader appended the no-op just now: it is the last entry.
      this.leaderFromIndex = this.raft.log.lastIndex();
      this.ready = false;
    }
    if (!leading && this.wasLeader) {
      this.ready = false;
      this.leaderFromIndex = Infinity;
      this.wasLeader = false;
      this.onLeadershipLost();
    }
    this.wasLeader = leading;
    this.processReady();
  }

  private processReady(): void {
    while (!this.readyInFlight && this.raft.hasReady()) {
      const rd = this.raft.ready();
      const files = [...(rd.snapshot !== undefined ? this.storage.writeSnapshot(rd.snapshot) : []), ...this.storage.append(rd.hardState, rd.entries)];
      if (files.length === 0) {
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

  private syncAll(files: string[], done: () => void): void {
    let left = files.length;
    for (const f of files) this.ctx.disk.fsync(f, () => --left === 0 && done());
  }

  private finish(rd: Ready): void {
    if (rd.snapshot !== undefined) {
      this.machine.restore(rd.snapshot.data);
      this.snapshotIndex = rd.snapshot.index;
    }
    for (const o of rd.messages) this.ctx.send(o.to, o.msg);
    // Callbacks run after advance(): they may propose, and must see the log as applied.
    const after: (() => void)[] = [];
    this.apply(rd.committed, after);
    this.raft.advance(rd);
    if (!this.ready && this.raft.role === 'leader' && this.raft.log.applied >= this.leaderFromIndex) {
      this.ready = true;
      after.push(() => this.onLeaderReady());
    }
    for (const f of after) f();
    this.maybeSnapshot();
  }

  private apply(entries: readonly Entry[], after: (() => void)[]): void {
    for (const e of entries) {
      const p = this.proposals.get(e.index);
      if (p !== undefined) this.proposals.delete(e.index);
      // The no-op of a new term, or a membership change (these groups never change theirs).
      if (e.data === undefined || isConfChange(e.data)) {
        if (p !== undefined) after.push(() => p.done(undefined));
        continue;
      }
      const result = this.machine.apply(e.data as Command);
      if (p === undefined) continue;
      // Another leader's entry took this index: our proposal was never committed and never will be.
      const mine = p.term === e.term;
      after.push(() => p.done(mine ? result : undefined));
    }
  }

  /** §7: save the state machine and drop the log it covers, every snapshotEntries applied entries. */
  private maybeSnapshot(): void {
    const log = this.raft.log;
    if (this.snapshotting || log.applied - this.snapshotIndex < this.opts.snapshotEntries) return;
    const index = log.applied;
    const data = this.machine.snapshot();
    this.raft.compact(index, data);
    this.snapshotIndex = index;
    this.snapshotting = true;
    this.syncAll(this.storage.writeSnapshot({ index, term: log.term(index), data }), () => {
      // Only a durable snapshot may replace the segments it covers.
      this.syncAll(this.storage.rotate(index, this.raft.hardState()), () => (this.snapshotting = false));
    });
  }
}
