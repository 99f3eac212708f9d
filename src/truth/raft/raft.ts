/**
 * The Raft protocol core: synchronous and sans-I/O, in the style of etcd-io/raft.
 *
 * Inputs: step(from, message), tick(), propose(command), readIndex(context). Outputs, collected in a
 * Ready: state and entries to persist, messages to send, committed entries to apply, reads that may
 * proceed. The host persists (fsync), then sends, then applies, then calls advance(). The core never
 * touches a clock, a socket or a disk; time is ticks, randomness is injected.
 *
 * Role changes swap the step and tick functions (becomeFollower / becomePreCandidate /
 * becomeCandidate / becomeLeader), as etcd does.
 */
import type { NodeId } from '../../runtime/context.js';
import { RaftLog, assert } from './log.js';
import type { ConfChange, ConfState, Entry, HardState, Message, Outbound, ReadState, Ready, ReadyOptions, ReceivedSnapshotHead, Role, Snapshot, SnapshotChunk } from './types.js';
import { isConfChange } from './types.js';
import { crc32c } from '../../runtime/crc32c.js';
import { encodeSnapshotFile, type IncomingSnapshotHeld } from './storage.js';

export interface RaftConfig {
  id: NodeId;
  /** The voters at start, in the same order on every node (a node joining later is in neither list). */
  voters: readonly NodeId[];
  /** Learners at start: they receive the log but do not vote. */
  learners?: readonly NodeId[];
  /** A follower that hears no leader for a random number of ticks in [electionTicks, 2 electionTicks) campaigns. */
  electionTicks: number;
  /** A leader sends heartbeats every heartbeatTicks. */
  heartbeatTicks: number;
  /** Ask for pre-votes before bumping the term, so a partitioned node cannot disrupt the cluster on return (thesis §9.6). */
  preVote: boolean;
  /** A leader that has not heard from a quorum within an election timeout steps down (thesis §6.2). */
  checkQuorum: boolean;
  /** At most this many entries in one append message (batching). */
  maxEntriesPerMsg: number;
  /** At most this many append messages in flight to one follower (pipelining with flow control). */
  maxInflightMsgs: number;
  random: () => number;
  /**
   * read-index: confirm leadership with a heartbeat round per read batch (thesis §6.4). lease: serve at
   * once while a quorum answered within the last electionTicks - leaseMarginTicks ticks (§6.4.1). Lease
   * reads are safe only if no follower's clock runs so much faster than the leader's that its election
   * timer fires before the leader's lease ends: the margin is that bound on clock drift, in ticks.
   * Requires checkQuorum (followers then ignore vote requests while they hear from a leader).
   */
  readMode?: 'read-index' | 'lease';
  leaseMarginTicks?: number;
  /**
   * DELIBERATELY UNSAFE, for the broken variant of the stories: commit an entry of an earlier term as
   * soon as a majority stores it, which Figure 8 of the Raft paper shows can lose committed entries.
   */
  unsafeCommitPreviousTerms?: boolean;
  /**
   * DELIBERATELY UNSAFE, for the broken variant of the membership story: propose a membership change
   * while another is in flight (or sits uncommitted from an earlier leader), so that several changes
   * take effect together and an old and a new majority can be disjoint (thesis §4.1).
   */
  unsafeConcurrentConfChanges?: boolean;
  /**
   * Names this start of the node (a restart gets another): carried on every answer to a leader, so
   * that a leader forgets what an earlier start acknowledged and learns again what this one holds.
   */
  boot?: number;
  /**
   * Send a snapshot as its file's bytes in chunks of this size, one chunk in flight per follower,
   * each answered with the bytes held so far (so a lost chunk is sent again from there, and a follower
   * that holds part of the same snapshot from an earlier leader goes on from it). Absent or 0: the
   * whole snapshot in one message. At most snapshotChunkBytesMax.
   */
  snapshotChunkBytes?: number;
  /**
   * A commit index that moved with no new entry to carry it waits for the next append or heartbeat
   * (a heartbeat every heartbeatTicks) instead of going out in an empty append of its own, answered
   * in turn: at one request in flight that was two more messages per follower for every request.
   * Followers then apply up to a heartbeat later; nothing is committed later.
   */
  commitRidesAlong?: boolean;
}

/**
 * The largest InstallSnapshot chunk: what a leader reads from its snapshot file and holds per
 * follower while one is in flight, and what a follower holds of one before it is on its disk.
 */
export const snapshotChunkBytesMax = 8 * 1024 * 1024;

/** What a restored node must hold again before it votes: the last entry it had made durable (storage.ts, repair mode). */
export interface RepairTarget {
  index: number;
  term: number;
}

export const defaultRaftConfig = {
  readMode: 'read-index' as 'read-index' | 'lease',
  leaseMarginTicks: 2,
  electionTicks: 10,
  heartbeatTicks: 1,
  preVote: true,
  checkQuorum: true,
  maxEntriesPerMsg: 64,
  maxInflightMsgs: 8,
};

/** The leader's view of one follower (etcd's Progress). */
class Progress {
  match = 0;
  next = 1;
  /** probe: one append at a time until the follower's log matches; replicate: pipelined appends. */
  state: 'probe' | 'replicate' = 'probe';
  probeSent = false;
  /** Last index of each append in flight, oldest first. */
  inflight: number[] = [];
  recentActive = false;
  /** The leader's tick count when this follower last answered (for lease reads). */
  lastAckTick = -Infinity;
  /** The follower's start that last answered (RaftConfig.boot). */
  boot: number | undefined;
  /** Chunked InstallSnapshot in progress: the snapshot's index and how many of its bytes the follower holds. */
  snapshotSending: { index: number; sent: number } | undefined;
}

/**
 * A snapshot's file bytes for every follower that needs it: offered by the host, which reads them
 * from its snapshot file when a chunk goes (offerSnapshotBytes), or else encoded once here.
 */
export interface SnapshotBytes {
  index: number;
  bytes: number;
  crc: number;
  /** Bytes [offset, offset + length) of them, at most snapshotChunkBytesMax. */
  read(offset: number, length: number): Uint8Array;
}

/**
 * A snapshot being received in chunks: which one, and how much of it the host holds on its disk
 * (Ready.snapshotChunks hands it each chunk; no byte of it stays here), with their CRC-32C so far.
 */
type IncomingSnapshot = IncomingSnapshotHeld;

interface PendingRead {
  context: number;
  index: number;
  acks: Set<NodeId>;
}

export type ProposeResult = { ok: true; index: number; term: number } | { ok: false; leader: NodeId | undefined };

export class Raft {
  readonly id: NodeId;
  term = 0;
  vote: NodeId | undefined;
  role: Role = 'follower';
  leader: NodeId | undefined;
  readonly log: RaftLog;

  private readonly cfg: RaftConfig;
  /** The membership in force: changed by applyConfChange when a change entry is applied. */
  private voters: Set<NodeId>;
  private learners: Set<NodeId>;
  /** Members' peer addresses, as their membership changes gave them (ConfChange.address). */
  private addresses = new Map<NodeId, string>();
  /** Index of the last membership change proposed by this leader; another waits until it is applied. */
  private pendingConfIndex = 0;
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  private votes = new Map<NodeId, boolean>();
  /** Who voted for this node in the election it won, and the tick it won at (inContact). */
  private electedByAtTick: { voters: Set<NodeId>; tick: number } | undefined;
  private prs = new Map<NodeId, Progress>();
  private msgs: Outbound[] = [];
  private readStates: ReadState[] = [];
  /** The last committed entry handed to the host to apply: it must report it applied before the next Ready. */
  private handedToApply = 0;
  private pendingReads: PendingRead[] = [];
  /** Reads asked of a new leader before it committed an entry of its term (thesis §6.4 step 1). */
  private readsAwaitingCommit: number[] = [];
  private prevHardState: HardState;
  /** Ticks since this node started: the leader's clock for lease reads. */
  private ticks = 0;
  /** A leadership transfer in progress: the target, and the tick it gives up at. */
  private transfer: { to: NodeId; deadlineTick: number } | undefined;
  /** What the invariants last saw: terms, votes, commits and snapshots only move forward. */
  private seen = { term: 0, vote: undefined as NodeId | undefined, commit: 0, snapshotIndex: 0 };
  private stepRole: (from: NodeId, m: Message) => void = this.stepFollower;
  private tickRole: () => void = this.tickElection;

  /** The latest snapshot this node has (made by compact() or received), for followers that fall behind it. */
  private snapshot: Snapshot | undefined;
  /** A snapshot received from the leader that the host has not persisted and restored yet. */
  private pendingSnapshot: Snapshot | undefined;
  /** As leader: the snapshot's file bytes, for chunked InstallSnapshot (RaftConfig.snapshotChunkBytes). */
  private encodedSnapshot: SnapshotBytes | undefined;
  /** As follower: the snapshot being received in chunks. */
  private incoming: IncomingSnapshot | undefined;
  /** Chunks received, for the host to append to the snapshot's file (Ready.snapshotChunks). */
  private snapshotChunks: SnapshotChunk[] = [];
  /** pendingSnapshot is the file the chunks made (Ready.snapshotReceived). */
  private pendingSnapshotReceived: ReceivedSnapshotHead | undefined;
  /**
   * Protocol-aware recovery (Alagappan et al., FAST 2018, "CTRL"): this node lost entries it had made
   * durable, and may have acknowledged them. Until its log is again at least as up to date as this,
   * it neither votes nor campaigns: its vote could elect a leader without a committed entry it helped
   * commit, and only a leader's appends repair it. It still answers appends, truthfully, with what it
   * holds; it counts toward a commit only for entries it holds again.
   */
  private repairTarget: RepairTarget | undefined;
  /**
   * The last index whose host-side durability is complete (persisted without markPending, or
   * marked): a leader counts its own log toward a commit up to here only (selfCountable).
   */
  private markedTo = 0;

  constructor(cfg: RaftConfig, restored?: { hardState: HardState; entries: readonly Entry[]; snapshot?: Snapshot; repairUntil?: RepairTarget; incomingSnapshot?: IncomingSnapshotHeld }) {
    this.cfg = cfg;
    this.id = cfg.id;
    const conf = restored?.snapshot?.conf;
    this.voters = new Set(conf?.voters ?? cfg.voters);
    this.learners = new Set(conf?.learners ?? cfg.learners ?? []);
    this.addresses = new Map(Object.entries(conf?.addresses ?? {}));
    this.log = restored ? RaftLog.restore(restored.entries, restored.hardState.commit, restored.snapshot) : new RaftLog();
    this.snapshot = restored?.snapshot;
    // What a restart finds on disk is as durable as it will ever be.
    this.markedTo = this.log.stable;
    if (restored) {
      this.term = restored.hardState.term;
      this.vote = restored.hardState.vote;
    }
    this.prevHardState = this.hardState();
    this.repairTarget = restored?.repairUntil;
    this.becomeFollower(this.term, undefined);
    this.seen = { term: this.term, vote: this.vote, commit: this.log.committed, snapshotIndex: this.log.snapshotIndex() };
    // Part of a snapshot received before the stop: a leader that sends it again goes on from its end.
    const held = restored?.incomingSnapshot;
    if (held !== undefined && held.index > this.log.committed) this.incoming = { ...held };
    this.checkInvariants();
  }

  /** Whether this node is catching up on entries it lost (see repairTarget). */
  get repairing(): boolean {
    return this.repairTarget !== undefined;
  }

  /** The last entry a repairing node must hold again, if it is repairing. */
  get repairUntil(): RepairTarget | undefined {
    return this.repairTarget;
  }

  /** Repaired once the log is at least as up to date as what was lost (§5.4.1's comparison). */
  private checkRepaired(): void {
    const t = this.repairTarget;
    if (t === undefined) return;
    if (this.log.lastTerm() > t.term || (this.log.lastTerm() === t.term && this.log.lastIndex() >= t.index)) this.repairTarget = undefined;
  }

  private get quorum(): number {
    return Math.floor(this.voters.size / 2) + 1;
  }

  /** The membership in force. */
  confState(): ConfState {
    const conf: ConfState = { voters: [...this.voters].sort(), learners: [...this.learners].sort() };
    if (this.addresses.size > 0) conf.addresses = Object.fromEntries([...this.addresses].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return conf;
  }

  /** As leader, each member's highest index known to match ours (empty otherwise). */
  matchIndexes(): Map<NodeId, number> {
    const out = new Map<NodeId, number>();
    if (this.role === 'leader') for (const [id, pr] of this.prs) out.set(id, id === this.id ? this.log.lastIndex() : pr.match);
    return out;
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  // --- role changes -----------------------------------------------------------------------

  private reset(term: number): void {
    assert(term >= this.term, () => `term ${this.term} would go back to ${term}`);
    if (term !== this.term) {
      this.term = term;
      this.vote = undefined;
    }
    this.leader = undefined;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.cfg.electionTicks + Math.floor(this.cfg.random() * this.cfg.electionTicks);
    this.votes = new Map();
    this.pendingReads = [];
    this.readsAwaitingCommit = [];
    this.transfer = undefined;
  }

  becomeFollower(term: number, leader: NodeId | undefined): void {
    this.reset(term);
    this.leader = leader;
    this.role = 'follower';
    this.stepRole = this.stepFollower;
    this.tickRole = this.tickElection;
  }

  private becomePreCandidate(): void {
    // A pre-candidate changes neither its term nor its vote: losing a pre-vote costs nothing.
    this.votes = new Map();
    this.leader = undefined;
    this.role = 'pre-candidate';
    this.stepRole = this.stepCandidate;
    this.tickRole = this.tickElection;
  }

  private becomeCandidate(): void {
    assert(this.role !== 'leader', () => 'a leader cannot become a candidate');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
    this.stepRole = this.stepCandidate;
    this.tickRole = this.tickElection;
  }

  private becomeLeader(): void {
    assert(this.role === 'candidate', () => `only a candidate becomes leader (was ${this.role})`);
    // The votes that elected it are news from a majority as of now (inContact); not a lease, which
    // only appends answered in this term give (a voter may vote again in a later term at once).
    this.electedByAtTick = { voters: new Set([...this.votes].filter(([, granted]) => granted).map(([id]) => id)), tick: this.ticks };
    this.reset(this.term);
    this.leader = this.id;
    this.role = 'leader';
    this.stepRole = this.stepLeader;
    this.tickRole = this.tickHeartbeat;
    this.prs = new Map();
    for (const v of [...this.voters, ...this.learners]) this.addProgress(v);
    // §8: a new leader commits a no-op of its own term, which commits every earlier entry with it.
    this.appendEntries([undefined]);
    // An earlier leader's membership change may sit uncommitted in this log. Proposing another before
    // it is settled puts two changes in flight, and two majorities can then be disjoint (the bug in
    // single-server changes found in 2015, raft-dev; etcd sets PendingConfIndex the same way): wait
    // until everything up to the no-op is applied.
    if (this.cfg.unsafeConcurrentConfChanges !== true) this.pendingConfIndex = this.log.lastIndex();
    this.bcastAppend();
  }

  private addProgress(id: NodeId): void {
    const pr = new Progress();
    pr.next = this.log.lastIndex() + 1;
    if (id === this.id) pr.match = this.selfCountable();
    this.prs.set(id, pr);
  }

  /** Start an election: a pre-vote first when configured, then a real one once a quorum would vote for us. */
  campaign(kind: 'pre-vote' | 'vote' = this.cfg.preVote ? 'pre-vote' : 'vote', transfer = false): void {
    // Learners, nodes outside the membership and nodes repairing a lost log never campaign.
    if (this.role === 'leader' || !this.voters.has(this.id) || this.repairing) return;
    if (kind === 'pre-vote') {
      this.becomePreCandidate();
      this.poll(this.id, 'pre_vote_resp', true);
      if ((this.role as Role) === 'pre-candidate') this.requestVotes('pre_vote', this.term + 1);
    } else {
      this.becomeCandidate();
      this.poll(this.id, 'vote_resp', true);
      if ((this.role as Role) === 'candidate') this.requestVotes('vote', this.term, transfer);
    }
  }

  private requestVotes(type: 'pre_vote' | 'vote', term: number, transfer = false): void {
    for (const v of this.voters) {
      if (v === this.id) continue;
      if (type === 'vote' && transfer) this.send(v, { type, term, lastLogIndex: this.log.lastIndex(), lastLogTerm: this.log.lastTerm(), transfer });
      else this.send(v, { type, term, lastLogIndex: this.log.lastIndex(), lastLogTerm: this.log.lastTerm() });
    }
  }

  /** Count a vote; win or lose the election when a quorum has spoken. */
  private poll(from: NodeId, type: 'pre_vote_resp' | 'vote_resp', granted: boolean): void {
    if (!this.voters.has(from)) return;
    if (!this.votes.has(from)) this.votes.set(from, granted);
    let yes = 0, no = 0;
    for (const g of this.votes.values()) g ? yes++ : no++;
    if (yes >= this.quorum) {
      if (type === 'pre_vote_resp') this.campaign('vote');
      else this.becomeLeader();
    } else if (no >= this.quorum) {
      this.becomeFollower(this.term, undefined);
    }
  }

  // --- ticks --------------------------------------------------------------------------------

  tick(): void {
    this.ticks++;
    this.tickRole();
    this.checkInvariants();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      // A host applying a long backlog (a restart's replay) a slice at a time may campaign meanwhile,
      // but not on a membership it has not caught up with (etcd refuses the same): its quorums could be stale.
      if (this.log.confChangeToApply(isConfChange)) return;
      this.campaign();
    }
  }

  private tickHeartbeat(): void {
    if (this.transfer !== undefined && this.ticks >= this.transfer.deadlineTick) this.transfer = undefined;
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.cfg.electionTicks) {
      this.electionElapsed = 0;
      if (this.cfg.checkQuorum && !this.quorumActive()) {
        this.becomeFollower(this.term, undefined);
        return;
      }
    }
    if (this.heartbeatElapsed >= this.cfg.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.bcastHeartbeat(this.pendingReads.length > 0 ? this.pendingReads[this.pendingReads.length - 1].context : 0);
    }
  }

  /** check-quorum: did a quorum (this leader included) hear from us recently? Resets the marks. */
  private quorumActive(): boolean {
    let active = 0;
    for (const [id, pr] of this.prs) {
      if (this.voters.has(id) && (id === this.id || pr.recentActive)) active++;
      pr.recentActive = false;
    }
    return active >= this.quorum;
  }

  // --- messages -----------------------------------------------------------------------------

  step(from: NodeId, m: Message): void {
    this.stepMessage(from, m);
    this.checkInvariants();
  }

  private stepMessage(from: NodeId, m: Message): void {
    if (m.term > this.term) {
      const isVoteRequest = m.type === 'pre_vote' || m.type === 'vote';
      // Thesis §4.2.3: a node that heard from a leader within the minimum election timeout ignores
      // vote requests, so a removed or partitioned node cannot depose a healthy leader.
      const transfer = m.type === 'vote' && m.transfer === true;
      if (isVoteRequest && !transfer && this.cfg.checkQuorum && this.leader !== undefined && this.electionElapsed < this.cfg.electionTicks) return;
      if (m.type === 'pre_vote') {
        // A pre-vote carries a future term; it does not move ours.
      } else if (m.type === 'pre_vote_resp' && !m.reject) {
        // A granted pre-vote echoes the term we would campaign at.
      } else {
        const leader = m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot' || m.type === 'snapshot_chunk' ? from : undefined;
        this.becomeFollower(m.term, leader);
      }
    } else if (m.term < this.term) {
      if ((this.cfg.checkQuorum || this.cfg.preVote) && (m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot' || m.type === 'snapshot_chunk')) {
        // A stale leader (cut off, now back) learns our term and steps down.
        this.send(from, { type: 'append_resp', term: this.term, reject: true, index: 0, hint: this.log.lastIndex() });
      } else if (m.type === 'pre_vote') {
        this.send(from, { type: 'pre_vote_resp', term: this.term, reject: true });
      }
      return;
    }

    if (m.type === 'pre_vote' || m.type === 'vote') {
      const canVote = this.vote === from || (this.vote === undefined && this.leader === undefined) || (m.type === 'pre_vote' && m.term > this.term);
      // A repairing node no longer holds what it acknowledged: its up-to-date check would judge a log it lost.
      const grant = canVote && !this.repairing && this.log.isUpToDate(m.lastLogIndex, m.lastLogTerm);
      const respType = m.type === 'pre_vote' ? 'pre_vote_resp' : 'vote_resp';
      // A granted pre-vote answers in the requested term, a refusal in ours (etcd does the same).
      this.send(from, { type: respType, term: grant ? m.term : this.term, reject: !grant });
      if (grant && m.type === 'vote') {
        this.electionElapsed = 0;
        this.vote = from;
      }
      return;
    }
    this.stepRole(from, m);
  }

  private stepFollower(from: NodeId, m: Message): void {
    switch (m.type) {
      case 'append':
        this.electionElapsed = 0;
        this.leader = from;
        this.handleAppend(from, m);
        break;
      case 'heartbeat':
        this.electionElapsed = 0;
        this.leader = from;
        this.log.commitTo(Math.min(m.commit, this.log.lastIndex()));
        this.send(from, this.withBoot({ type: 'heartbeat_resp', term: this.term, context: m.context }));
        break;
      case 'snapshot':
        this.electionElapsed = 0;
        this.leader = from;
        this.handleSnapshot(from, m.snapshot);
        break;
      case 'snapshot_chunk':
        this.electionElapsed = 0;
        this.leader = from;
        this.handleSnapshotChunk(from, m);
        break;
      case 'timeout_now':
        // The leader hands over: campaign at once, with a real vote, past the voters' leader lease.
        this.campaign('vote', true);
        break;
      default:
        break;
    }
  }

  private stepCandidate(from: NodeId, m: Message): void {
    switch (m.type) {
      case 'append':
      case 'heartbeat':
      case 'snapshot':
      case 'snapshot_chunk':
        // A leader of our term exists: we lost.
        this.becomeFollower(m.term, from);
        this.stepFollower(from, m);
        break;
      case 'pre_vote_resp':
        if (this.role === 'pre-candidate') this.poll(from, 'pre_vote_resp', !m.reject);
        break;
      case 'vote_resp':
        if (this.role === 'candidate') this.poll(from, 'vote_resp', !m.reject);
        break;
      default:
        break;
    }
  }

  private stepLeader(from: NodeId, m: Message): void {
    const pr = this.prs.get(from);
    if (pr === undefined) return;
    if ((m.type === 'append_resp' || m.type === 'heartbeat_resp') && m.boot !== undefined && m.boot !== pr.boot) {
      const restarted = pr.boot !== undefined;
      pr.boot = m.boot;
      if (restarted) {
        // The follower restarted: what it acknowledged before may be gone (a damaged disk). Forget
        // it, and probe for what it holds now, so neither a commit nor /status counts on the old answer.
        this.resetProgress(from, pr);
        return;
      }
    }
    switch (m.type) {
      case 'append_resp':
        pr.recentActive = true;
        pr.lastAckTick = this.ticks;
        // The follower installed the snapshot (or did not need it): no chunk is owed any more.
        pr.snapshotSending = undefined;
        if (m.reject) {
          // Back off nextIndex (§5.3), but only for a refusal of what we last sent: in probe state,
          // the probe at next - 1; in replicate state, anything beyond what is known to match.
          const current = pr.state === 'probe' ? m.index === pr.next - 1 : m.index > pr.match;
          if (current) {
            // In replicate state, restart from what is known to match; in probe state, jump to the
            // follower's last index. (Not clamped to match + 1: a follower that lost acknowledged
            // entries, which only an unsafe disk allows, must still be caught up, not probed forever.)
            pr.next = pr.state === 'replicate' ? pr.match + 1 : Math.max(1, Math.min(m.index, m.hint + 1));
            pr.state = 'probe';
            pr.probeSent = false;
            pr.inflight = [];
            this.sendAppend(from);
          }
          return;
        }
        // As etcd's MaybeUpdate: nextIndex moves past what the follower acknowledged even when match
        // does not (a probe answered below a stale match must not be resent forever).
        pr.next = Math.max(pr.next, m.index + 1);
        if (m.index > pr.match) {
          pr.match = m.index;
          while (pr.inflight.length > 0 && pr.inflight[0] <= m.index) pr.inflight.shift();
          if (pr.state === 'probe') {
            pr.state = 'replicate';
            pr.inflight = [];
          }
          if (this.maybeCommit()) this.bcastCommit();
        }
        pr.probeSent = false;
        if (this.transfer?.to === from && pr.match === this.log.lastIndex()) this.send(from, { type: 'timeout_now', term: this.term });
        if (pr.next <= this.log.lastIndex()) this.sendAppend(from);
        break;
      case 'snapshot_chunk_resp': {
        pr.recentActive = true;
        pr.lastAckTick = this.ticks;
        const sending = this.encodedSnapshot;
        // An answer about another snapshot (an older one, or another encoding) says nothing of this one.
        if (sending === undefined || m.index !== sending.index || m.crc !== sending.crc || pr.snapshotSending?.index !== sending.index) break;
        pr.snapshotSending.sent = Math.min(m.received, sending.bytes);
        pr.probeSent = false;
        this.sendAppend(from);
        break;
      }
      case 'heartbeat_resp':
        pr.recentActive = true;
        pr.lastAckTick = this.ticks;
        pr.probeSent = false;
        // As etcd does: appends in flight may have been lost; free a slot so replication can resume
        // (a gap is then refused, which sends us back to probing).
        if (pr.state === 'replicate' && pr.inflight.length >= this.cfg.maxInflightMsgs) pr.inflight.shift();
        if (pr.match < this.log.lastIndex()) this.sendAppend(from);
        this.ackReads(from, m.context);
        break;
      default:
        break;
    }
  }

  private handleAppend(from: NodeId, m: Extract<Message, { type: 'append' }>): void {
    // Log Matching (§5.3) rests on what a leader sends: entries that follow prevLogIndex one by one,
    // in terms that never go down, none newer than the leader's own term.
    let prevTerm = m.prevLogTerm;
    for (let i = 0; i < m.entries.length; i++) {
      const e = m.entries[i];
      assert(e.index === m.prevLogIndex + 1 + i, () => `append after ${m.prevLogIndex} carries entry ${e.index} at position ${i}`);
      assert(e.term >= prevTerm && e.term <= m.term, () => `append of term ${m.term} carries entry ${e.index} of term ${e.term} after one of term ${prevTerm}`);
      prevTerm = e.term;
    }
    if (m.prevLogIndex < this.log.committed) {
      // Everything up to our commit index is settled; tell the leader where we are.
      this.send(from, this.withBoot({ type: 'append_resp', term: this.term, reject: false, index: this.log.committed, hint: this.log.lastIndex() }));
      return;
    }
    const last = this.log.maybeAppend(m.prevLogIndex, m.prevLogTerm, m.entries);
    if (last < 0) {
      this.send(from, this.withBoot({ type: 'append_resp', term: this.term, reject: true, index: m.prevLogIndex, hint: this.log.lastIndex() }));
      return;
    }
    this.log.commitTo(Math.min(m.commit, last));
    this.checkRepaired();
    this.send(from, this.withBoot({ type: 'append_resp', term: this.term, reject: false, index: last, hint: this.log.lastIndex() }));
  }

  /** An answer to a leader, signed with this start of the node when it has a name (RaftConfig.boot). */
  private withBoot<M extends Extract<Message, { type: 'append_resp' | 'heartbeat_resp' }>>(m: M): M {
    if (this.cfg.boot !== undefined) m.boot = this.cfg.boot;
    return m;
  }

  /** Forget what a follower acknowledged and probe it again from our last index (as a new leader does). */
  private resetProgress(id: NodeId, pr: Progress): void {
    pr.match = 0;
    pr.next = this.log.lastIndex() + 1;
    pr.state = 'probe';
    pr.probeSent = false;
    pr.inflight = [];
    pr.snapshotSending = undefined;
    this.sendAppend(id);
  }

  /**
   * The current snapshot as a snapshot file's bytes (storage.ts). Those the host offers are read
   * from its file as each chunk goes; only a snapshot without them is encoded, once, whole: at 100k
   * keys that is a pause of some 200 ms and 12 MB held, which the host's offer avoids.
   */
  private encodeSnapshot(): SnapshotBytes {
    const snap = this.snapshot!;
    if (this.encodedSnapshot?.index !== snap.index) {
      assert(snap.data !== undefined, () => `snapshot ${snap.index} is held as a file only, whose bytes the host did not offer`);
      const whole = encodeSnapshotFile(snap);
      this.encodedSnapshot = { index: snap.index, bytes: whole.length, crc: crc32c(whole), read: (offset, length) => whole.subarray(offset, offset + length) };
    }
    return this.encodedSnapshot!;
  }

  /**
   * The host holds the snapshot at `index` (the one compact() was given, or received) as a snapshot
   * file of `file.bytes` bytes whose crc32c is `file.crc`, and reads them on demand: chunked
   * InstallSnapshot sends them rather than encoding the snapshot again. Bytes of another snapshot
   * than the current one are of no use and are dropped.
   */
  offerSnapshotBytes(file: SnapshotBytes): void {
    if (this.snapshot?.index !== file.index) return;
    this.encodedSnapshot = file;
  }

  /**
   * A chunk of a snapshot: handed to the host to append to the snapshot's file when it continues the
   * bytes held of the same snapshot (same index, term and CRC), else the answer says where to go on
   * from. Once they are all there and their CRC is the leader's, the file is the snapshot: the host
   * installs it as it is and loads the state machine from it (Ready.snapshotReceived).
   */
  private handleSnapshotChunk(from: NodeId, m: Extract<Message, { type: 'snapshot_chunk' }>): void {
    if (m.index <= this.log.committed) {
      this.incoming = undefined;
      this.send(from, this.withBoot({ type: 'append_resp', term: this.term, reject: false, index: this.log.committed, hint: this.log.lastIndex() }));
      return;
    }
    let inc = this.incoming;
    if (inc === undefined || inc.index !== m.index || inc.term !== m.snapTerm || inc.crc !== m.crc) {
      // Another snapshot than the one held in part: start it over (from its first chunk).
      inc = this.incoming = { index: m.index, term: m.snapTerm, crc: m.crc, total: m.total, conf: m.conf, received: 0, receivedCrc: 0 };
    }
    if (m.offset === inc.received && m.bytes.length > 0 && m.bytes.length <= snapshotChunkBytesMax && inc.received + m.bytes.length <= inc.total) {
      // A copy: the bytes may be a view of the transport's buffer (Buffer.slice copies nothing).
      const bytes = new Uint8Array(m.bytes);
      this.snapshotChunks.push({ index: inc.index, term: inc.term, crc: inc.crc, total: inc.total, conf: inc.conf, offset: inc.received, bytes });
      inc.received += bytes.length;
      inc.receivedCrc = crc32c(bytes, inc.receivedCrc);
    }
    if (inc.received < inc.total) {
      this.send(from, { type: 'snapshot_chunk_resp', term: this.term, index: inc.index, crc: inc.crc, received: inc.received });
      return;
    }
    this.incoming = undefined;
    if (inc.receivedCrc !== inc.crc) {
      // Damaged on the way (or a leader's file that does not match its CRC): ask for it from the start.
      this.send(from, { type: 'snapshot_chunk_resp', term: this.term, index: inc.index, crc: inc.crc, received: 0 });
      return;
    }
    const head: ReceivedSnapshotHead = { index: inc.index, term: inc.term, crc: inc.crc, total: inc.total, conf: inc.conf };
    this.handleSnapshot(from, { index: inc.index, term: inc.term, data: undefined, conf: inc.conf }, head);
  }

  /** `received`: the snapshot is the file its chunks made (its data is undefined: the host loads it from the file). */
  private handleSnapshot(from: NodeId, snap: Snapshot, received?: ReceivedSnapshotHead): void {
    if (snap.index <= this.log.committed) {
      this.send(from, this.withBoot({ type: 'append_resp', term: this.term, reject: false, index: this.log.committed, hint: this.log.lastIndex() }));
      return;
    }
    if (this.log.matchTerm(snap.index, snap.term)) {
      // We hold the entries it covers; they are committed, nothing to restore.
      this.log.commitTo(snap.index);
    } else {
      this.log.restoreSnapshot(snap.index, snap.term);
      if (snap.conf !== undefined) {
        this.voters = new Set(snap.conf.voters);
        this.learners = new Set(snap.conf.learners);
        this.addresses = new Map(Object.entries(snap.conf.addresses ?? {}));
      }
      this.snapshot = snap;
      this.pendingSnapshot = snap;
      this.pendingSnapshotReceived = received;
    }
    this.checkRepaired();
    this.send(from, this.withBoot({ type: 'append_resp', term: this.term, reject: false, index: snap.index, hint: this.log.lastIndex() }));
  }

  /**
   * The host saved the state machine as of `index` (already applied) in `data`: entries up to it can
   * go. Followers that need them later get the snapshot instead. `conf` is the membership as of
   * `index` (a snapshot taken in slices finishes after later changes may have applied).
   */
  compact(index: number, data: unknown, keepEntries = 0, conf: ConfState = this.confState()): void {
    const term = this.log.term(index);
    assert(term >= 0, () => `compact at ${index}, which is not in the log`);
    // Entries kept behind the snapshot let a follower a little behind catch up from the log instead
    // of receiving the whole state machine (etcd's SnapshotCatchUpEntries).
    this.log.compact(Math.max(0, index - keepEntries));
    this.snapshot = { index, term, data, conf };
  }

  // --- the leader's replication ---------------------------------------------------------------

  private appendEntries(data: unknown[]): { index: number; term: number } {
    // §5.3: a leader never overwrites its log and appends entries of its own term only (Leader Append-Only).
    assert(this.role === 'leader', () => `a ${this.role} appended entries of its own`);
    assert(this.log.lastTerm() <= this.term, () => `leader of term ${this.term} holds an entry of the later term ${this.log.lastTerm()}`);
    let index = this.log.lastIndex();
    this.log.append(data.map((d) => ({ term: this.term, index: ++index, data: d })));
    return { index, term: this.term };
  }

  private sendAppend(to: NodeId): void {
    const pr = this.prs.get(to)!;
    if (pr.state === 'probe' && pr.probeSent) return;
    if (pr.state === 'replicate' && pr.inflight.length >= this.cfg.maxInflightMsgs) return;
    // Chunks go on until the follower has the whole snapshot (entries kept behind it, snapshotCatchUpEntries, do not help it).
    const sendingSnapshot = pr.snapshotSending !== undefined && pr.snapshotSending.index === this.snapshot?.index;
    if (pr.next <= this.log.snapshotIndex() || sendingSnapshot) {
      // The entries it needs are compacted: send the snapshot, then wait for its answer.
      const chunkBytes = this.cfg.snapshotChunkBytes ?? 0;
      if (chunkBytes === 0) {
        assert(this.snapshot!.data !== undefined, () => `snapshot ${this.snapshot!.index} is held as a file only: it goes in chunks`);
        this.send(to, { type: 'snapshot', term: this.term, snapshot: this.snapshot! });
      } else {
        assert(chunkBytes <= snapshotChunkBytesMax, () => `snapshotChunkBytes ${chunkBytes} above snapshotChunkBytesMax (${snapshotChunkBytesMax})`);
        const snap = this.encodeSnapshot();
        if (!sendingSnapshot) pr.snapshotSending = { index: snap.index, sent: 0 };
        const offset = pr.snapshotSending!.sent;
        const bytes = snap.read(offset, Math.min(chunkBytes, snap.bytes - offset));
        this.send(to, { type: 'snapshot_chunk', term: this.term, index: snap.index, snapTerm: this.snapshot!.term, crc: snap.crc, total: snap.bytes, offset, bytes, conf: this.snapshot!.conf });
      }
      pr.state = 'probe';
      pr.probeSent = true;
      pr.next = this.snapshot!.index + 1;
      return;
    }
    const prevLogIndex = pr.next - 1;
    const entries = this.log.slice(pr.next, this.cfg.maxEntriesPerMsg);
    this.send(to, { type: 'append', term: this.term, prevLogIndex, prevLogTerm: this.log.term(prevLogIndex), entries, commit: this.log.committed });
    if (pr.state === 'probe') {
      pr.probeSent = true;
    } else if (entries.length > 0) {
      // Pipelining: assume success and move on; a refusal sends us back to probing.
      const last = entries[entries.length - 1].index;
      pr.next = last + 1;
      pr.inflight.push(last);
    }
  }

  private bcastAppend(): void {
    for (const v of this.prs.keys()) if (v !== this.id) this.sendAppend(v);
  }

  /** The commit index moved: tell the followers, in an append of its own unless it rides along (commitRidesAlong). */
  private bcastCommit(): void {
    const last = this.log.lastIndex();
    for (const [v, pr] of this.prs) {
      if (v === this.id) continue;
      // A follower in replicate state with nothing new to receive learns the commit index with the next append or heartbeat.
      if (this.cfg.commitRidesAlong === true && pr.state === 'replicate' && pr.next > last) continue;
      this.sendAppend(v);
    }
  }

  private bcastHeartbeat(context: number): void {
    for (const [v, pr] of this.prs) {
      if (v === this.id) continue;
      // A follower must not learn a commit index beyond what it is known to hold.
      this.send(v, { type: 'heartbeat', term: this.term, commit: Math.min(pr.match, this.log.committed), context });
    }
  }

  /** §5.3, §5.4.2: commit the highest index a quorum has stored, if it is of the current term. */
  private maybeCommit(): boolean {
    const matches = [...this.voters].map((v) => this.prs.get(v)?.match ?? 0).sort((a, b) => b - a);
    const index = matches[this.quorum - 1];
    if (index <= this.log.committed) return false;
    if (this.log.term(index) !== this.term && !this.cfg.unsafeCommitPreviousTerms) return false;
    this.log.commitTo(index);
    if (this.log.term(this.log.committed) === this.term) this.releaseReadsAwaitingCommit();
    return true;
  }

  // --- client requests ------------------------------------------------------------------------

  /** Append a command to the log if this node leads. It is committed later (see Ready.committed). */
  propose(data: unknown): ProposeResult {
    // During a transfer new entries would only delay the target catching up (thesis §3.10).
    if (this.role !== 'leader' || this.transfer !== undefined) return { ok: false, leader: this.transfer?.to ?? this.leader };
    const r = this.appendEntries([data]);
    if (this.voters.size === 1) this.maybeCommitSelf();
    this.bcastAppend();
    this.checkInvariants();
    return { ok: true, ...r };
  }

  /**
   * Propose a membership change. One at a time: refused while an earlier change is not yet applied
   * (thesis §4.1, single-server changes; as etcd's PendingConfIndex).
   */
  proposeConfChange(cc: ConfChange): ProposeResult {
    if (this.role !== 'leader' || (this.pendingConfIndex > this.log.applied && this.cfg.unsafeConcurrentConfChanges !== true)) return { ok: false, leader: this.leader };
    const r = this.propose({ confChange: cc });
    if (r.ok) this.pendingConfIndex = r.index;
    return r;
  }

  /**
   * The host applies a committed membership change (as etcd's ApplyConfChange): from now on quorums,
   * elections and replication use the new membership. A leader that removed itself steps down.
   */
  applyConfChange(cc: ConfChange): void {
    if (cc.address !== undefined && cc.type !== 'remove-voter') this.addresses.set(cc.node, cc.address);
    switch (cc.type) {
      case 'add-voter':
        this.learners.delete(cc.node);
        this.voters.add(cc.node);
        break;
      case 'add-learner':
        if (!this.voters.has(cc.node)) this.learners.add(cc.node);
        break;
      case 'remove-voter':
        this.voters.delete(cc.node);
        this.learners.delete(cc.node);
        this.addresses.delete(cc.node);
        break;
    }
    if (this.role !== 'leader') return;
    if (!this.voters.has(this.id)) {
      this.becomeFollower(this.term, undefined);
      return;
    }
    for (const id of [...this.voters, ...this.learners]) if (!this.prs.has(id)) this.addProgress(id);
    for (const id of [...this.prs.keys()]) if (!this.voters.has(id) && !this.learners.has(id)) this.prs.delete(id);
    // The quorum may have shrunk: entries may commit now; new members need the log.
    this.maybeCommit();
    this.bcastAppend();
  }

  /**
   * Hand leadership to `to` (thesis §3.10): bring it up to date, then tell it to campaign at once.
   * Proposals are refused meanwhile; the transfer is abandoned after an election timeout.
   */
  transferLeadership(to: NodeId): boolean {
    if (this.role !== 'leader' || to === this.id || !this.voters.has(to)) return false;
    this.transfer = { to, deadlineTick: this.ticks + this.cfg.electionTicks };
    if (this.prs.get(to)!.match === this.log.lastIndex()) this.send(to, { type: 'timeout_now', term: this.term });
    else this.sendAppend(to);
    return true;
  }

  /**
   * Whether this node heard from a working cluster within one election timeout: a leader from a
   * quorum of voters (itself included), a follower from its leader. What an operator's readiness
   * check asks: a node out of contact can serve no write and no linearizable read, and says so
   * before check-quorum or its election timer (up to twice as long) changes its role.
   */
  inContact(): boolean {
    if (this.role === 'leader') {
      const elected = this.electedByAtTick !== undefined && this.ticks - this.electedByAtTick.tick < this.cfg.electionTicks ? this.electedByAtTick.voters : undefined;
      let fresh = 0;
      for (const [id, pr] of this.prs) if (this.voters.has(id) && (id === this.id || this.ticks - pr.lastAckTick < this.cfg.electionTicks || elected?.has(id) === true)) fresh++;
      return fresh >= this.quorum;
    }
    return this.role === 'follower' && this.leader !== undefined && this.electionElapsed < this.cfg.electionTicks;
  }

  /** Lease reads: has a quorum (this leader included) answered within the lease? */
  private leaseValid(): boolean {
    const lease = this.cfg.electionTicks - (this.cfg.leaseMarginTicks ?? defaultRaftConfig.leaseMarginTicks);
    let fresh = 0;
    for (const [id, pr] of this.prs) if (this.voters.has(id) && (id === this.id || this.ticks - pr.lastAckTick < lease)) fresh++;
    return fresh >= this.quorum;
  }

  /**
   * A linearizable read (ReadIndex, thesis §6.4): remember the commit index, confirm leadership with
   * a round of heartbeats, then the read may be served once that index is applied. Returns false if
   * this node does not lead.
   */
  readIndex(context: number): boolean {
    if (this.role !== 'leader') return false;
    if (this.log.term(this.log.committed) !== this.term) {
      this.readsAwaitingCommit.push(context);
      return true;
    }
    this.startRead(context);
    return true;
  }

  private startRead(context: number): void {
    if (this.quorum === 1 || (this.cfg.readMode === 'lease' && this.cfg.checkQuorum && this.leaseValid())) {
      this.readStates.push({ context, index: this.log.committed });
      return;
    }
    this.pendingReads.push({ context, index: this.log.committed, acks: new Set([this.id]) });
    this.bcastHeartbeat(context);
  }

  private releaseReadsAwaitingCommit(): void {
    const waiting = this.readsAwaitingCommit;
    this.readsAwaitingCommit = [];
    for (const c of waiting) this.startRead(c);
  }

  /** A heartbeat answer for `context` confirms every read issued up to it. */
  private ackReads(from: NodeId, context: number): void {
    if (!this.voters.has(from)) return;
    for (const r of this.pendingReads) if (r.context <= context) r.acks.add(from);
    while (this.pendingReads.length > 0 && this.pendingReads[0].acks.size >= this.quorum) {
      const r = this.pendingReads.shift()!;
      this.readStates.push({ context: r.context, index: r.index });
    }
  }

  // --- Ready / Advance --------------------------------------------------------------------

  private send(to: NodeId, msg: Message): void {
    this.msgs.push({ to, msg });
  }

  /**
   * Whether there is work for the host. While its storage is busy with an earlier Ready
   * (`storageBusy`), only the work that needs no storage counts: see ready().
   */
  hasReady(opts: ReadyOptions = {}): boolean {
    if (this.readStates.length > 0 || ((opts.applyEntriesMax ?? Infinity) > 0 && this.log.hasToApply())) return true;
    if (opts.storageBusy === true) return this.msgs.some((o) => this.sendableBeforeStorage(o.msg));
    const hs = this.hardState();
    return (
      this.pendingSnapshot !== undefined ||
      this.snapshotChunks.length > 0 ||
      this.msgs.length > 0 ||
      this.log.stable < this.log.lastIndex() ||
      hs.term !== this.prevHardState.term ||
      hs.vote !== this.prevHardState.vote ||
      hs.commit !== this.prevHardState.commit
    );
  }

  /**
   * The storage protocol, in the spirit of etcd's AsyncStorageWrites. A Ready hands out each piece
   * of work once. Its storage part (snapshot, hard state, entries) is written and made durable, and
   * then the host calls persisted(rd); its messages are sent after that (those for which
   * sendableBeforeStorage() holds may go at once); its committed entries, all of them already on this
   * disk, are applied in order and reported with applied(index) before the next ready().
   *
   * With `storageBusy` the host's storage is still writing an earlier Ready: this one has no storage
   * part, and carries only what is safe meanwhile (committed stable entries, confirmed reads, and the
   * messages that promise nothing about this node's log or vote). The rest waits for a later Ready.
   */
  ready(opts: ReadyOptions = {}): Ready {
    assert(this.log.applied >= this.handedToApply, () => `ready() before applied(${this.handedToApply}): the host has not reported the entries it was given`);
    const committed = this.log.toApply(opts.applyEntriesMax);
    if (committed.length > 0) this.handedToApply = committed[committed.length - 1].index;
    const readStates = this.readStates;
    this.readStates = [];
    if (opts.storageBusy === true) {
      const now: Outbound[] = [];
      const later: Outbound[] = [];
      for (const o of this.msgs) (this.sendableBeforeStorage(o.msg) ? now : later).push(o);
      this.msgs = later;
      return { snapshot: undefined, snapshotChunks: [], snapshotReceived: undefined, hardState: undefined, entries: [], messages: now, committed, readStates };
    }
    const hs = this.hardState();
    const changed = hs.term !== this.prevHardState.term || hs.vote !== this.prevHardState.vote || hs.commit !== this.prevHardState.commit;
    const rd: Ready = {
      snapshot: this.pendingSnapshot,
      snapshotChunks: this.snapshotChunks,
      snapshotReceived: this.pendingSnapshotReceived,
      hardState: changed ? hs : undefined,
      entries: this.log.unstable(),
      messages: this.msgs,
      committed,
      readStates,
    };
    this.msgs = [];
    this.snapshotChunks = [];
    return rd;
  }

  /**
   * Whether a message may leave before this node's pending writes are durable. A heartbeat's answer
   * promises nothing about the log. A leader's appends, heartbeats, snapshots and transfer orders
   * ask nothing on its behalf: it counts itself toward a commit only once its own entries are stable
   * (thesis §10.2.1). Votes and append answers promise what is on disk: they wait.
   */
  sendableBeforeStorage(msg: Message): boolean {
    if (msg.type === 'heartbeat_resp') return true;
    return this.role === 'leader' && (msg.type === 'append' || msg.type === 'heartbeat' || msg.type === 'snapshot' || msg.type === 'snapshot_chunk' || msg.type === 'timeout_now');
  }

  /**
   * The storage part of `rd` is durable: entries become stable, and a leader counts itself.
   * `markPending`: they are on disk, but what the host must also make durable before anything is
   * promised on their strength (RaftHost's durable mark) is not yet: the next Ready may go to storage
   * meanwhile, and the leader counts itself for these entries only at marked(rd).
   */
  persisted(rd: Ready, opts: { markPending?: boolean } = {}): void {
    if (rd.snapshot !== undefined && rd.snapshot === this.pendingSnapshot) {
      this.pendingSnapshot = undefined;
      this.pendingSnapshotReceived = undefined;
    }
    if (rd.hardState !== undefined) this.prevHardState = rd.hardState;
    if (rd.entries.length > 0) {
      const last = rd.entries[rd.entries.length - 1];
      this.log.stableTo(last.index, last.term);
      // Whatever was countable from the first of these entries on was replaced by them.
      if (opts.markPending === true) this.markedTo = Math.min(this.markedTo, rd.entries[0].index - 1);
      else this.markedTo = Math.max(this.markedTo, last.index);
    }
    if (rd.snapshot !== undefined && opts.markPending !== true) this.markedTo = Math.max(this.markedTo, rd.snapshot.index);
    if (this.role === 'leader') this.maybeCommitSelf();
    this.checkInvariants();
  }

  /**
   * The mark of a Ready persisted with `markPending` is durable too (marks become durable in the
   * order of their Readies): the leader may count itself for its entries, if its log still holds them.
   */
  marked(rd: Ready): void {
    if (rd.entries.length === 0) return;
    const last = rd.entries[rd.entries.length - 1];
    // A later Ready replaced them (a new leader's entries): only its own mark covers what is there now.
    if (this.log.term(last.index) !== last.term) return;
    this.markedTo = Math.max(this.markedTo, last.index);
    if (this.role === 'leader') this.maybeCommitSelf();
    this.checkInvariants();
  }

  /** What this node may count of its own log toward a commit: stable, and covered by a durable mark. */
  private selfCountable(): number {
    return Math.min(this.log.stable, this.markedTo);
  }

  /** The host applied every committed entry up to `index` to its state machine. */
  applied(index: number): void {
    assert(index <= this.log.committed && index <= this.log.stable, () => `applied ${index} beyond what was committed (${this.log.committed}) and stable (${this.log.stable})`);
    this.log.appliedTo(index);
  }

  /** The host persisted, sent and applied all that `rd` asked: persisted(rd), then applied(). */
  advance(rd: Ready): void {
    if (rd.committed.length > 0) this.applied(rd.committed[rd.committed.length - 1].index);
    this.persisted(rd);
  }

  /**
   * The invariants every input must leave true (Raft paper, Figure 3, and the log's own bounds).
   * They are checked after each input, apart from the expected refusals the protocol answers with.
   */
  private checkInvariants(): void {
    const log = this.log;
    const seen = this.seen;
    assert(this.term >= seen.term, () => `term went back from ${seen.term} to ${this.term}`);
    // Election Safety rests on one vote per term (§5.2): once given, it never changes in that term.
    assert(this.term !== seen.term || seen.vote === undefined || this.vote === seen.vote, () => `vote of term ${this.term} changed from ${seen.vote} to ${this.vote}`);
    assert(log.committed >= seen.commit, () => `commit went back from ${seen.commit} to ${log.committed}`);
    assert(log.committed <= log.lastIndex(), () => `commit ${log.committed} beyond the last index ${log.lastIndex()}`);
    assert(log.applied <= log.committed, () => `applied ${log.applied} beyond commit ${log.committed}`);
    assert(log.stable <= log.lastIndex(), () => `stable ${log.stable} beyond the last index ${log.lastIndex()}`);
    assert(log.snapshotIndex() >= seen.snapshotIndex, () => `snapshot went back from ${seen.snapshotIndex} to ${log.snapshotIndex()}`);
    assert(log.lastTerm() <= this.term, () => `an entry of term ${log.lastTerm()} is in the log at term ${this.term}`);
    assert(this.role !== 'leader' || this.leader === this.id, () => `leader ${this.id} names ${this.leader} as leader`);
    seen.term = this.term;
    seen.vote = this.vote;
    seen.commit = log.committed;
    seen.snapshotIndex = log.snapshotIndex();
  }

  /** The leader's own entries count toward a quorum once they are on its disk. */
  private maybeCommitSelf(): void {
    const self = this.prs.get(this.id)!;
    const countable = this.selfCountable();
    if (countable > self.match) {
      self.match = countable;
      if (this.maybeCommit()) this.bcastCommit();
    }
  }
}
