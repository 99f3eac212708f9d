/**
 * A PBFT replica (Castro & Liskov, "Practical Byzantine Fault Tolerance", OSDI 1999) as a synchronous,
 * sans-I/O core: messages and timer expiries in, effects (sends, timers, metrics) out through a small
 * interface the host implements on a Context. It never reads a clock or draws a random number.
 *
 * n = 3f + 1 replicas tolerate f Byzantine ones. The parts, by section of the paper:
 *   §4.2 normal case: the primary of view v (replica v mod n) assigns sequence number n to a request
 *        and multicasts PRE-PREPARE; each backup that accepts it multicasts PREPARE. A replica has
 *        *prepared* (m, v, n) with the pre-prepare and 2f matching prepares from different backups;
 *        it then multicasts COMMIT, and has *committed-local* with 2f + 1 matching commits. Requests
 *        execute in sequence-number order; each replica replies to the client, which waits for f + 1
 *        matching replies (client.ts).
 *   §4.3 garbage collection: every K requests a replica multicasts CHECKPOINT with the digest of its
 *        state; 2f + 1 matching ones make the checkpoint *stable* (the proof), the log up to it is
 *        discarded, and the window of acceptable sequence numbers moves: h = last stable checkpoint,
 *        H = h + L. A replica that learns of a stable checkpoint it has not reached fetches that state
 *        from a replica of the proof and checks it against the certified digest (state transfer).
 *   §4.4 view changes: a backup waiting for a request it knows of starts a timer; on expiry it stops
 *        taking part in view v and multicasts VIEW-CHANGE for v + 1 with its stable checkpoint proof
 *        and a prepared certificate for each request prepared above it. The new primary collects 2f + 1
 *        and multicasts NEW-VIEW with them (V) and the pre-prepares they imply (O): for each sequence
 *        number between the latest stable checkpoint and the highest prepared one, the request of the
 *        prepared certificate of the highest view, or the null request. Backups recompute O from V and
 *        refuse a new-view that does not match. A replica that hears f + 1 view-changes for higher
 *        views joins the smallest (liveness), and each unsuccessful view change doubles the timeout.
 *
 * Safety rests on quorum intersection: two sets of 2f + 1 among 3f + 1 share f + 1 replicas, at least
 * one of them correct, so two different requests can never both prepare at the same (v, n), and a
 * request committed in one view is in the prepared certificate of some member of any new-view's V.
 *
 * Authentication (crypto.ts, messages.ts): statements that travel inside proofs are signed, commits
 * and replies carry MACs, requests carry their client's authenticator. Anything that fails
 * verification is dropped and counted (bft_auth_failures); a replica never trusts the network's
 * sender field, only the tags.
 *
 * Two kinds of "impossible": internalError() for what this code guarantees by itself (executing out
 * of order); bft_safety_violations for what holds only while at most f replicas are faulty (two
 * different requests committed at one sequence number): counted and logged, never thrown, so a run
 * with too many liars reports the violation instead of crashing.
 */
import type { NodeId } from '../../runtime/context.js';
import { KvStateMachine, sessionRequestsMax, sessionsMax, type KvResult } from '../kv.js';
import type { Digest, Keyring } from './crypto.js';
import {
  checkpointDigest,
  clientNode,
  commitDigest,
  fetchDigest,
  newViewDigest,
  nullDigest,
  prePrepareDigest,
  prepareDigest,
  replyDigest,
  requestDigest,
  requestKey,
  stateDigest,
  stateMessageDigest,
  viewChangeDigest,
  type AuthRequest,
  type Checkpoint,
  type NewView,
  type PbftMessage,
  type PbftRequest,
  type PrePrepare,
  type Prepare,
  type PreparedCert,
  type ProposedSlot,
  type ServiceState,
  type ViewChange,
} from './messages.js';

export interface PbftReplicaConfig {
  id: NodeId;
  /** All replicas in the same order everywhere: the primary of view v is replicas[v mod n]. */
  replicas: readonly NodeId[];
  /** Byzantine replicas tolerated; replicas.length >= 3f + 1. */
  f: number;
  /** K: a checkpoint every this many sequence numbers (§4.3). */
  checkpointIntervalRequests: number;
  /** L: sequence numbers accepted above the last stable checkpoint (H = h + L). */
  logWindowRequests: number;
  /** T: how long a backup waits for a request it knows of before it suspects the primary (§4.4). */
  viewChangeTimeoutMs: number;
  /** How long to wait for a state transfer answer before asking another replica. */
  stateFetchRetryMs: number;
}

export type ReplicaTimer = 'view' | 'fetch';

/** The effects a replica asks of its host. */
export interface ReplicaEffects {
  send(to: NodeId, msg: PbftMessage): void;
  /** Start (or restart) the named timer; the host calls timeout(name) when it fires. */
  setTimer(timer: ReplicaTimer, ms: number): void;
  clearTimer(timer: ReplicaTimer): void;
  count(metric: string, by?: number): void;
  log(event: string, fields?: Record<string, unknown>): void;
}

/** Messages of views this replica has not entered yet, kept to be handled when it does. */
export const futureMessagesMax = 10_000;
/** Checkpoint sequence numbers above the stable one whose votes are tracked (the lowest are dropped past it). */
export const checkpointsTrackedMax = 64;
/** The view-change timeout doubles with each consecutive unsuccessful view change, up to 2^this times T. */
export const viewChangeBackoffMax = 6;
/**
 * View-changes for views further ahead than this are ignored: a liar cannot fill memory with them,
 * and a correct replica never needs them (f + 1 replicas move a view at a time).
 */
export const viewChangesAheadMax = 64;

/** An error in this code, never an expected outcome (those are counted). */
function internalError(message: string): never {
  throw new Error(`pbft invariant violated: ${message}`);
}

/** What a replica knows of one (view, sequence number). */
interface Round {
  v: number;
  n: number;
  pp: PrePrepare | undefined;
  m: AuthRequest | null;
  prepares: Map<NodeId, Prepare>;
  commits: Map<NodeId, Digest>;
  prepared: boolean;
  committed: boolean;
}

interface CheckpointVotes {
  own: { d: Digest; state: ServiceState } | undefined;
  msgs: Map<NodeId, Checkpoint>;
}

interface StableCheckpoint {
  n: number;
  d: Digest;
  proof: Checkpoint[];
  /** Our own state at n, to serve state transfers; absent when we have not been at n ourselves. */
  state: ServiceState | undefined;
}

const viewOf = (msg: PbftMessage): number | undefined => {
  switch (msg.type) {
    case 'pbft_pre_prepare':
      return msg.pp.v;
    case 'pbft_prepare':
      return msg.p.v;
    case 'pbft_commit':
      return msg.v;
    default:
      return undefined;
  }
};

export class PbftReplica {
  readonly id: NodeId;
  readonly kv = new KvStateMachine();
  /** The view this replica is in, or is changing to when !active. */
  view = 0;
  /** False between sending VIEW-CHANGE for `view` and accepting its NEW-VIEW. */
  active = true;
  lastExecuted = 0;
  /**
   * Audit trail for the end-of-run checks: the digest executed at each sequence number (null
   * requests included). Not protocol state: the protocol's own log is truncated at checkpoints.
   */
  readonly executed = new Map<number, Digest>();

  private readonly cfg: PbftReplicaConfig;
  private readonly n: number;
  private readonly f: number;
  private stable: StableCheckpoint;
  private readonly rounds = new Map<string, Round>();
  /** The prepared certificate of the highest view for each sequence number above h (for VIEW-CHANGE). */
  private readonly preparedCerts = new Map<number, PreparedCert>();
  /** Committed-local, not yet executed (a gap before them). */
  private readonly decided = new Map<number, { d: Digest; m: AuthRequest | null }>();
  private readonly checkpoints = new Map<number, CheckpointVotes>();
  private readonly viewChanges = new Map<number, Map<NodeId, ViewChange>>();
  /** Signatures of view-change messages already verified (a new-view repeats them). */
  private readonly validViewChanges = new Set<string>();
  private future: { from: NodeId; msg: PbftMessage }[] = [];
  /** Requests known and not executed: what a backup waits for (§4.4). */
  private readonly waiting = new Map<string, AuthRequest>();
  /** Requests with a sequence number in the current view, not executed yet. */
  private readonly inFlight = new Map<string, number>();
  /** The primary's requests waiting for room in the window. */
  private readonly queue = new Map<string, AuthRequest>();
  /** Each client's answered requests (the reply cache PBFT keeps with the state), mirroring the KV sessions. */
  private readonly replies = new Map<string, { ackedBelow: number; results: Map<number, KvResult> }>();
  private seqNext = 1;
  private viewTimerRunning = false;
  private viewChangeAttempts = 0;
  private fetching: { n: number; d: Digest; from: NodeId[]; asked: number } | undefined;

  constructor(
    cfg: PbftReplicaConfig,
    private readonly keys: Keyring,
    private readonly io: ReplicaEffects,
  ) {
    if (cfg.replicas.length < 3 * cfg.f + 1) internalError(`${cfg.replicas.length} replicas cannot tolerate f = ${cfg.f}`);
    if (keys.id !== cfg.id) internalError(`keyring of ${keys.id} given to ${cfg.id}`);
    this.cfg = cfg;
    this.id = cfg.id;
    this.n = cfg.replicas.length;
    this.f = cfg.f;
    const initial: ServiceState = { kv: this.kv.snapshot() };
    this.stable = { n: 0, d: stateDigest(initial), proof: [], state: initial };
  }

  // --- small helpers ------------------------------------------------------------------------

  primaryOf(v: number): NodeId {
    return this.cfg.replicas[v % this.n];
  }

  get isPrimary(): boolean {
    return this.primaryOf(this.view) === this.id;
  }

  /** The last stable checkpoint's sequence number: the low watermark h. */
  get lowWatermark(): number {
    return this.stable.n;
  }

  /** How many protocol log entries (rounds) this replica holds: bounded by the window. */
  get logSize(): number {
    return this.rounds.size;
  }

  private get others(): NodeId[] {
    return this.cfg.replicas.filter((r) => r !== this.id);
  }

  private multicast(msg: PbftMessage): void {
    for (const r of this.others) this.io.send(r, msg);
  }

  private inWindow(n: number): boolean {
    return n > this.stable.n && n <= this.stable.n + this.cfg.logWindowRequests;
  }

  private round(v: number, n: number): Round {
    const key = `${v}:${n}`;
    let r = this.rounds.get(key);
    if (r === undefined) {
      r = { v, n, pp: undefined, m: null, prepares: new Map(), commits: new Map(), prepared: false, committed: false };
      this.rounds.set(key, r);
    }
    return r;
  }

  private isReplica(id: NodeId): boolean {
    return this.cfg.replicas.includes(id);
  }

  private authFailure(what: string, fields: Record<string, unknown>): void {
    this.io.count('bft_auth_failures');
    this.io.log('pbft_auth_failure', { what, ...fields });
  }

  /** A request is valid when its client's MAC for this replica checks. */
  private validRequest(m: AuthRequest): boolean {
    const req = m.req;
    if (typeof req?.c !== 'string' || typeof req.t !== 'number' || typeof req.op !== 'object' || req.op === null) return false;
    return this.keys.checkMac(clientNode(req.c), requestDigest(m), m.auth?.[this.id]);
  }

  private timeoutMs(): number {
    return this.cfg.viewChangeTimeoutMs * 2 ** Math.min(this.viewChangeAttempts, viewChangeBackoffMax);
  }

  // --- inputs -------------------------------------------------------------------------------

  receive(from: NodeId, msg: PbftMessage): void {
    switch (msg.type) {
      case 'pbft_request':
        return this.onRequest(msg.m);
      case 'pbft_pre_prepare':
        return this.onPrePrepare(from, msg.pp, msg.m);
      case 'pbft_prepare':
        return this.onPrepare(from, msg.p);
      case 'pbft_commit':
        return this.onCommit(from, msg);
      case 'pbft_checkpoint':
        return this.onCheckpoint(msg.c);
      case 'pbft_view_change':
        return this.onViewChange(msg.vc);
      case 'pbft_new_view':
        return this.onNewView(msg.nv);
      case 'pbft_fetch_state':
        return this.onFetchState(msg);
      case 'pbft_state':
        return this.onState(msg);
      default:
        return; // replies are for clients
    }
  }

  timeout(timer: ReplicaTimer): void {
    if (timer === 'fetch') {
      if (this.fetching !== undefined) this.askState();
      return;
    }
    this.viewTimerRunning = false;
    // Waiting for a request (or for the new view) too long: suspect the primary (§4.4).
    if (this.waiting.size === 0 && this.active) return;
    this.io.log('pbft_view_timeout', { view: this.view, waiting: this.waiting.size, active: this.active });
    this.startViewChange(this.view + 1);
  }

  // --- §4.1/4.2: requests and the normal case ------------------------------------------------

  private answered(req: PbftRequest): KvResult | undefined {
    return this.replies.get(req.c)?.results.get(req.t);
  }

  /** Executed here, or below what its client says was answered (its reply may be forgotten). */
  private done(req: PbftRequest): boolean {
    return this.answered(req) !== undefined || req.t < (this.replies.get(req.c)?.ackedBelow ?? 0);
  }

  /** Forget waiting requests that are done (after an execution or a state transfer). */
  private pruneWaiting(client: string | undefined): void {
    for (const [key, m] of this.waiting) {
      if ((client === undefined || m.req.c === client) && this.done(m.req)) {
        this.waiting.delete(key);
        this.inFlight.delete(key);
      }
    }
  }

  private onRequest(m: AuthRequest): void {
    if (!this.validRequest(m)) return this.authFailure('request', { c: m?.req?.c, t: m?.req?.t });
    const req = m.req;
    const result = this.answered(req);
    // Executed already: the reply may have been lost; send it again (§4.1).
    if (result !== undefined) return this.sendReply(req, result);
    if (this.done(req)) return; // the client has moved past it
    const key = requestKey(req);
    if (this.active && this.isPrimary) {
      this.waiting.set(key, m);
      return this.propose(m);
    }
    const known = this.waiting.has(key);
    if (!known) this.waiting.set(key, m);
    this.startViewTimerIfIdle();
    // A backup relays to the primary (§4.1: a client that broadcasts after a timeout reaches it this way).
    if (this.active && !this.inFlight.has(key)) this.io.send(this.primaryOf(this.view), { type: 'pbft_request', m });
  }

  /** The primary assigns the next sequence number within the window, or queues until a checkpoint frees room. */
  private propose(m: AuthRequest): void {
    const key = requestKey(m.req);
    if (this.inFlight.has(key)) return;
    if (this.seqNext > this.stable.n + this.cfg.logWindowRequests) {
      if (!this.queue.has(key)) this.queue.set(key, m);
      return;
    }
    this.queue.delete(key);
    const n = this.seqNext++;
    const d = requestDigest(m);
    const pp: PrePrepare = { v: this.view, n, d, sig: this.keys.sign(prePrepareDigest({ v: this.view, n, d })) };
    this.inFlight.set(key, n);
    const r = this.round(this.view, n);
    r.pp = pp;
    r.m = m;
    this.multicast({ type: 'pbft_pre_prepare', pp, m });
    this.checkPrepared(r);
  }

  private drainQueue(): void {
    if (!this.active || !this.isPrimary) return;
    for (const m of [...this.queue.values()]) {
      if (this.seqNext > this.stable.n + this.cfg.logWindowRequests) return;
      this.queue.delete(requestKey(m.req));
      if (!this.done(m.req)) this.propose(m);
    }
  }

  /** Hold a message of a view not entered yet; drop one of a view left behind. Returns true when the message is for now. */
  private current(from: NodeId, msg: PbftMessage, v: number): boolean {
    if (v < this.view) return false;
    if (v > this.view || !this.active) {
      if (this.future.length < futureMessagesMax) this.future.push({ from, msg });
      else this.io.count('bft_future_dropped');
      return false;
    }
    return true;
  }

  private onPrePrepare(from: NodeId, pp: PrePrepare, m: AuthRequest | null): void {
    if (!this.keys.checkSignature(this.primaryOf(pp.v), prePrepareDigest(pp), pp.sig)) return this.authFailure('pre-prepare', { v: pp.v, n: pp.n, from });
    if (requestDigest(m) !== pp.d || (m !== null && !this.validRequest(m))) return this.authFailure('pre-prepare request', { v: pp.v, n: pp.n, from });
    if (!this.current(from, { type: 'pbft_pre_prepare', pp, m }, pp.v)) return;
    if (this.isPrimary || !this.inWindow(pp.n)) return;
    const r = this.round(pp.v, pp.n);
    if (r.pp !== undefined) {
      // §4.2: a backup accepts one pre-prepare per (v, n). A second with another digest is the primary equivocating.
      if (r.pp.d !== pp.d) {
        this.io.count('bft_equivocations_seen');
        this.io.log('pbft_conflicting_pre_prepare', { v: pp.v, n: pp.n, had: r.pp.d, got: pp.d });
      }
      return;
    }
    r.pp = pp;
    r.m = m;
    if (m !== null && !this.done(m.req)) {
      const key = requestKey(m.req);
      this.waiting.set(key, m);
      this.inFlight.set(key, pp.n);
      this.startViewTimerIfIdle();
    }
    const p: Prepare = { v: pp.v, n: pp.n, d: pp.d, i: this.id, sig: this.keys.sign(prepareDigest({ v: pp.v, n: pp.n, d: pp.d, i: this.id })) };
    r.prepares.set(this.id, p);
    this.multicast({ type: 'pbft_prepare', p });
    this.checkPrepared(r);
  }

  private onPrepare(from: NodeId, p: Prepare): void {
    if (!this.isReplica(p.i) || !this.keys.checkSignature(p.i, prepareDigest(p), p.sig)) return this.authFailure('prepare', { v: p.v, n: p.n, claimed: p.i, from });
    // The primary does not prepare: its pre-prepare is its vote.
    if (p.i === this.primaryOf(p.v)) return;
    if (!this.current(from, { type: 'pbft_prepare', p }, p.v) || !this.inWindow(p.n)) return;
    const r = this.round(p.v, p.n);
    const had = r.prepares.get(p.i);
    if (had !== undefined) {
      if (had.d !== p.d) this.io.count('bft_equivocations_seen');
      return;
    }
    r.prepares.set(p.i, p);
    this.checkPrepared(r);
  }

  /** prepared(m, v, n, i): the pre-prepare and 2f prepares from different backups that match it. */
  private checkPrepared(r: Round): void {
    if (r.prepared || r.pp === undefined) return;
    const pp = r.pp;
    const matching = this.cfg.replicas.map((id) => r.prepares.get(id)).filter((p): p is Prepare => p !== undefined && p.d === pp.d);
    if (matching.length < 2 * this.f) return;
    r.prepared = true;
    this.preparedCerts.set(r.n, { pp, m: r.m, prepares: matching.slice(0, 2 * this.f) });
    r.commits.set(this.id, pp.d);
    for (const to of this.others) {
      const body = { v: r.v, n: r.n, d: pp.d, i: this.id };
      this.io.send(to, { type: 'pbft_commit', ...body, mac: this.keys.mac(to, commitDigest(body)) });
    }
    this.checkCommitted(r);
  }

  private onCommit(from: NodeId, c: Extract<PbftMessage, { type: 'pbft_commit' }>): void {
    if (!this.isReplica(c.i) || !this.keys.checkMac(c.i, commitDigest(c), c.mac)) return this.authFailure('commit', { v: c.v, n: c.n, claimed: c.i, from });
    if (!this.current(from, c, c.v) || !this.inWindow(c.n)) return;
    const r = this.round(c.v, c.n);
    const had = r.commits.get(c.i);
    if (had !== undefined) {
      if (had !== c.d) this.io.count('bft_equivocations_seen');
      return;
    }
    r.commits.set(c.i, c.d);
    this.checkCommitted(r);
  }

  /** committed-local(m, v, n, i): prepared, and 2f + 1 matching commits (its own included). */
  private checkCommitted(r: Round): void {
    if (r.committed || !r.prepared || r.pp === undefined) return;
    const d = r.pp.d;
    let matching = 0;
    for (const x of r.commits.values()) if (x === d) matching++;
    if (matching < 2 * this.f + 1) return;
    r.committed = true;
    this.io.count('bft_committed_local');
    if (r.n <= this.lastExecuted) {
      // Re-run after a view change for a request executed before: it must be the same one.
      this.checkSame(r.n, d);
      return;
    }
    const had = this.decided.get(r.n);
    if (had !== undefined) {
      if (had.d !== d) this.safetyViolation(r.n, had.d, d);
      return;
    }
    this.decided.set(r.n, { d, m: r.m });
    this.executeReady();
  }

  private checkSame(n: number, d: Digest): void {
    const had = this.executed.get(n);
    if (had !== undefined && had !== d) this.safetyViolation(n, had, d);
  }

  private safetyViolation(n: number, had: Digest, got: Digest): void {
    this.io.count('bft_safety_violations');
    this.io.log('pbft_safety_violation', { n, had, got });
  }

  private executeReady(): void {
    // A replica behind a stable checkpoint waits for the state transfer.
    if (this.lastExecuted < this.stable.n) return;
    for (;;) {
      const next = this.lastExecuted + 1;
      const dec = this.decided.get(next);
      if (dec === undefined) return;
      this.decided.delete(next);
      this.execute(next, dec.d, dec.m);
    }
  }

  private execute(n: number, d: Digest, m: AuthRequest | null): void {
    if (n !== this.lastExecuted + 1) internalError(`execute ${n} after ${this.lastExecuted}`);
    this.lastExecuted = n;
    this.checkSame(n, d);
    this.executed.set(n, d);
    this.io.count('bft_executed');
    if (m !== null) {
      const req = m.req;
      // The KV's sessions apply a request once even if the log holds it twice (two views proposed it).
      const result = this.kv.apply({ op: req.op, session: { client: req.c, seq: req.t, ackedBelow: req.ackedBelow } });
      this.remember(req, result);
      this.sendReply(req, result);
      const key = requestKey(req);
      this.waiting.delete(key);
      this.inFlight.delete(key);
      this.queue.delete(key);
      this.pruneWaiting(req.c);
    }
    // Progress in this view: the next suspicion starts from T again; keep waiting for what is left.
    this.viewChangeAttempts = 0;
    this.io.clearTimer('view');
    this.viewTimerRunning = false;
    this.startViewTimerIfIdle();
    if (n % this.cfg.checkpointIntervalRequests === 0) this.takeCheckpoint(n);
  }

  /** Mirror of the KV session's results, for answering retransmissions without touching the state. */
  private remember(req: PbftRequest, result: KvResult): void {
    let s = this.replies.get(req.c);
    if (s === undefined) {
      if (this.replies.size >= sessionsMax) this.replies.delete(this.replies.keys().next().value!);
      s = { ackedBelow: 0, results: new Map() };
      this.replies.set(req.c, s);
    }
    const below = req.ackedBelow ?? 0;
    if (below > s.ackedBelow) {
      s.ackedBelow = below;
      for (const t of s.results.keys()) if (t < below) s.results.delete(t);
    }
    if (req.t >= s.ackedBelow && !s.results.has(req.t)) {
      s.results.set(req.t, result);
      if (s.results.size > sessionRequestsMax) s.results.delete(s.results.keys().next().value!);
    }
  }

  private sendReply(req: PbftRequest, r: KvResult): void {
    const to = clientNode(req.c);
    const body = { v: this.view, t: req.t, c: req.c, i: this.id, r };
    this.io.send(to, { type: 'pbft_reply', ...body, mac: this.keys.mac(to, replyDigest(body)) });
  }

  private startViewTimerIfIdle(): void {
    if (this.viewTimerRunning || this.waiting.size === 0) return;
    if (this.active && this.isPrimary) return;
    this.viewTimerRunning = true;
    this.io.setTimer('view', this.timeoutMs());
  }

  // --- §4.3: checkpoints, garbage collection, state transfer ---------------------------------

  private takeCheckpoint(n: number): void {
    const state: ServiceState = { kv: this.kv.snapshot() };
    const d = stateDigest(state);
    const votes = this.votesAt(n);
    votes.own = { d, state };
    const c: Checkpoint = { n, d, i: this.id, sig: this.keys.sign(checkpointDigest({ n, d, i: this.id })) };
    votes.msgs.set(this.id, c);
    this.multicast({ type: 'pbft_checkpoint', c });
    this.checkStable(n);
  }

  private votesAt(n: number): CheckpointVotes {
    let v = this.checkpoints.get(n);
    if (v === undefined) {
      v = { own: undefined, msgs: new Map() };
      this.checkpoints.set(n, v);
      if (this.checkpoints.size > checkpointsTrackedMax) {
        const lowest = Math.min(...this.checkpoints.keys());
        this.checkpoints.delete(lowest);
      }
    }
    return v;
  }

  private onCheckpoint(c: Checkpoint): void {
    if (!this.isReplica(c.i) || !this.keys.checkSignature(c.i, checkpointDigest(c), c.sig)) return this.authFailure('checkpoint', { n: c.n, claimed: c.i });
    if (c.n <= this.stable.n || c.n % this.cfg.checkpointIntervalRequests !== 0) return;
    const votes = this.votesAt(c.n);
    if (votes.msgs.has(c.i)) return;
    votes.msgs.set(c.i, c);
    this.checkStable(c.n);
  }

  /** 2f + 1 checkpoint messages with the same digest: the checkpoint is stable, with them as its proof. */
  private checkStable(n: number): void {
    const votes = this.checkpoints.get(n);
    if (votes === undefined || n <= this.stable.n) return;
    const byDigest = new Map<Digest, Checkpoint[]>();
    for (const id of this.cfg.replicas) {
      const c = votes.msgs.get(id);
      if (c === undefined) continue;
      const list = byDigest.get(c.d) ?? [];
      list.push(c);
      byDigest.set(c.d, list);
    }
    for (const [d, proof] of byDigest) {
      if (proof.length < 2 * this.f + 1) continue;
      if (votes.own !== undefined && votes.own.d !== d) this.safetyViolation(n, votes.own.d, d);
      this.makeStable(n, d, proof.slice(0, 2 * this.f + 1));
      return;
    }
  }

  private makeStable(n: number, d: Digest, proof: Checkpoint[]): void {
    if (n <= this.stable.n) return;
    const own = this.checkpoints.get(n)?.own;
    this.stable = { n, d, proof, state: own !== undefined && own.d === d ? own.state : undefined };
    this.io.count('bft_stable_checkpoints');
    this.io.log('pbft_stable_checkpoint', { n, d });
    // Garbage collection (§4.3): everything at or below the stable checkpoint is settled.
    for (const [key, r] of this.rounds) if (r.n <= n) this.rounds.delete(key);
    for (const s of this.preparedCerts.keys()) if (s <= n) this.preparedCerts.delete(s);
    for (const s of this.decided.keys()) if (s <= n) this.decided.delete(s);
    for (const s of this.checkpoints.keys()) if (s <= n) this.checkpoints.delete(s);
    if (this.lastExecuted < n) this.startFetch(n, d, proof.map((c) => c.i));
    else this.drainQueue();
  }

  private startFetch(n: number, d: Digest, from: NodeId[]): void {
    if (this.fetching !== undefined && this.fetching.n >= n) return;
    this.fetching = { n, d, from: from.filter((x) => x !== this.id), asked: 0 };
    this.io.log('pbft_state_fetch', { n, lastExecuted: this.lastExecuted });
    this.askState();
  }

  private askState(): void {
    const f = this.fetching!;
    const to = f.from[f.asked++ % f.from.length];
    const body = { n: f.n, i: this.id };
    this.io.send(to, { type: 'pbft_fetch_state', ...body, mac: this.keys.mac(to, fetchDigest(body)) });
    this.io.setTimer('fetch', this.cfg.stateFetchRetryMs);
  }

  private onFetchState(msg: Extract<PbftMessage, { type: 'pbft_fetch_state' }>): void {
    if (!this.isReplica(msg.i) || !this.keys.checkMac(msg.i, fetchDigest(msg), msg.mac)) return this.authFailure('fetch-state', { claimed: msg.i });
    const state = this.stable.n === msg.n ? this.stable.state : this.checkpoints.get(msg.n)?.own?.state;
    if (state === undefined) return;
    const body = { n: msg.n, state, i: this.id };
    this.io.send(msg.i, { type: 'pbft_state', ...body, mac: this.keys.mac(msg.i, stateMessageDigest(body)) });
  }

  private onState(msg: Extract<PbftMessage, { type: 'pbft_state' }>): void {
    if (!this.isReplica(msg.i) || !this.keys.checkMac(msg.i, stateMessageDigest(msg), msg.mac)) return this.authFailure('state', { claimed: msg.i });
    const f = this.fetching;
    if (f === undefined || msg.n !== f.n || msg.n <= this.lastExecuted) return;
    // The state must be the one 2f + 1 replicas certified: a liar's state fails here.
    if (stateDigest(msg.state) !== f.d) {
      this.io.count('bft_bad_state_transfers');
      return;
    }
    this.fetching = undefined;
    this.io.clearTimer('fetch');
    this.kv.restore(msg.state.kv);
    this.replies.clear();
    for (const [client, s] of msg.state.kv.sessions) this.replies.set(client, { ackedBelow: s.ackedBelow, results: new Map(s.results) });
    this.lastExecuted = msg.n;
    if (this.stable.n === msg.n) this.stable.state = msg.state;
    for (const s of this.decided.keys()) if (s <= msg.n) this.decided.delete(s);
    this.pruneWaiting(undefined);
    this.io.count('bft_state_transfers');
    this.io.log('pbft_state_installed', { n: msg.n });
    this.executeReady();
    this.drainQueue();
  }

  // --- §4.4: view changes -------------------------------------------------------------------

  private startViewChange(w: number): void {
    if (w <= this.view) return;
    this.view = w;
    this.active = false;
    this.inFlight.clear();
    this.queue.clear();
    const P = [...this.preparedCerts.values()].filter((c) => c.pp.n > this.stable.n).sort((a, b) => a.pp.n - b.pp.n);
    const body: Omit<ViewChange, 'sig'> = { v: w, n: this.stable.n, C: this.stable.proof, P, i: this.id };
    const vc: ViewChange = { ...body, sig: this.keys.sign(viewChangeDigest(body)) };
    this.viewChangesFor(w).set(this.id, vc);
    this.validViewChanges.add(vc.sig);
    this.io.count('bft_view_changes_started');
    this.io.log('pbft_view_change', { to: w, h: this.stable.n, prepared: P.length });
    this.multicast({ type: 'pbft_view_change', vc });
    // Wait T for the new view; each consecutive failure doubles it.
    this.io.setTimer('view', this.timeoutMs());
    this.viewTimerRunning = true;
    this.viewChangeAttempts++;
    for (const v of this.viewChanges.keys()) if (v < w) this.viewChanges.delete(v);
    this.maybeNewView();
  }

  private viewChangesFor(v: number): Map<NodeId, ViewChange> {
    let m = this.viewChanges.get(v);
    if (m === undefined) {
      m = new Map();
      this.viewChanges.set(v, m);
    }
    return m;
  }

  private onViewChange(vc: ViewChange): void {
    if (!this.isReplica(vc.i) || vc.i === this.id) return;
    if (vc.v < this.view || (vc.v === this.view && this.active) || vc.v > this.view + viewChangesAheadMax) return;
    if (!this.validViewChange(vc)) {
      this.io.count('bft_view_changes_rejected');
      this.io.log('pbft_view_change_rejected', { from: vc.i, v: vc.v });
      return;
    }
    const set = this.viewChangesFor(vc.v);
    if (!set.has(vc.i)) set.set(vc.i, vc);
    // Liveness: f + 1 replicas want a higher view, so at least one correct one does: join the smallest.
    const senders = new Set<NodeId>();
    let smallest = Infinity;
    for (const [v, m] of this.viewChanges) {
      if (v <= this.view) continue;
      for (const id of m.keys()) senders.add(id);
      if (m.size > 0) smallest = Math.min(smallest, v);
    }
    if (senders.size >= this.f + 1) this.startViewChange(smallest);
    this.maybeNewView();
  }

  /** A view-change message is valid when its signature, its checkpoint proof and every prepared certificate check. */
  private validViewChange(vc: ViewChange): boolean {
    if (this.validViewChanges.has(vc.sig)) return true;
    if (!this.isReplica(vc.i) || !this.keys.checkSignature(vc.i, viewChangeDigest(vc), vc.sig)) return false;
    if (!this.validCheckpointProof(vc.n, vc.C)) return false;
    const seen = new Set<number>();
    for (const cert of vc.P) {
      const pp = cert.pp;
      if (pp.v >= vc.v || pp.n <= vc.n || pp.n > vc.n + this.cfg.logWindowRequests || seen.has(pp.n)) return false;
      seen.add(pp.n);
      if (!this.validPreparedCert(cert)) return false;
    }
    this.validViewChanges.add(vc.sig);
    return true;
  }

  private validCheckpointProof(n: number, C: readonly Checkpoint[]): boolean {
    if (n === 0) return C.length === 0;
    const signers = new Set<NodeId>();
    const d = C[0]?.d;
    for (const c of C) {
      if (c.n !== n || c.d !== d || signers.has(c.i) || !this.isReplica(c.i)) return false;
      if (!this.keys.checkSignature(c.i, checkpointDigest(c), c.sig)) return false;
      signers.add(c.i);
    }
    return signers.size >= 2 * this.f + 1;
  }

  private validPreparedCert(cert: PreparedCert): boolean {
    const pp = cert.pp;
    const primary = this.primaryOf(pp.v);
    if (!this.keys.checkSignature(primary, prePrepareDigest(pp), pp.sig)) return false;
    if (requestDigest(cert.m) !== pp.d || (cert.m !== null && !this.validRequest(cert.m))) return false;
    const signers = new Set<NodeId>();
    for (const p of cert.prepares) {
      if (p.v !== pp.v || p.n !== pp.n || p.d !== pp.d || p.i === primary || signers.has(p.i) || !this.isReplica(p.i)) return false;
      if (!this.keys.checkSignature(p.i, prepareDigest(p), p.sig)) return false;
      signers.add(p.i);
    }
    return signers.size >= 2 * this.f;
  }

  /**
   * O from V (§4.4): min-s is the latest stable checkpoint in V, max-s the highest sequence number
   * prepared in V; each number between gets the request prepared in the highest view, or null.
   */
  private computeO(V: readonly ViewChange[]): { n: number; d: Digest; m: AuthRequest | null }[] {
    const minS = Math.max(...V.map((vc) => vc.n));
    let maxS = minS;
    for (const vc of V) for (const c of vc.P) maxS = Math.max(maxS, c.pp.n);
    const out: { n: number; d: Digest; m: AuthRequest | null }[] = [];
    for (let s = minS + 1; s <= maxS; s++) {
      let best: PreparedCert | undefined;
      for (const vc of V) for (const c of vc.P) if (c.pp.n === s && (best === undefined || c.pp.v > best.pp.v)) best = c;
      out.push(best === undefined ? { n: s, d: nullDigest, m: null } : { n: s, d: best.pp.d, m: best.m });
    }
    return out;
  }

  /** The new primary, with 2f + 1 valid view-changes for its view (its own included), sends NEW-VIEW. */
  private maybeNewView(): void {
    const w = this.view;
    if (this.active || this.primaryOf(w) !== this.id) return;
    const set = this.viewChanges.get(w);
    if (set === undefined || !set.has(this.id) || set.size < 2 * this.f + 1) return;
    const V = [set.get(this.id)!, ...this.cfg.replicas.filter((r) => r !== this.id && set.has(r)).map((r) => set.get(r)!)].slice(0, 2 * this.f + 1);
    const O: ProposedSlot[] = this.computeO(V).map(({ n, d, m }) => ({ pp: { v: w, n, d, sig: this.keys.sign(prePrepareDigest({ v: w, n, d })) }, m }));
    const body: Omit<NewView, 'sig'> = { v: w, V, O };
    const nv: NewView = { ...body, sig: this.keys.sign(newViewDigest(body)) };
    this.io.count('bft_new_views_sent');
    this.multicast({ type: 'pbft_new_view', nv });
    this.enterView(nv);
  }

  private onNewView(nv: NewView): void {
    if (nv.v < this.view || (nv.v === this.view && this.active) || this.primaryOf(nv.v) === this.id) return;
    if (!this.validNewView(nv)) {
      this.io.count('bft_new_views_rejected');
      this.io.log('pbft_new_view_rejected', { v: nv.v, from: this.primaryOf(nv.v) });
      return;
    }
    this.enterView(nv);
  }

  /** A backup checks the new primary's work: V is 2f + 1 valid view-changes, and O is what V implies. */
  private validNewView(nv: NewView): boolean {
    const primary = this.primaryOf(nv.v);
    if (!this.keys.checkSignature(primary, newViewDigest(nv), nv.sig)) return false;
    const signers = new Set<NodeId>();
    for (const vc of nv.V) {
      if (vc.v !== nv.v || signers.has(vc.i) || !this.validViewChange(vc)) return false;
      signers.add(vc.i);
    }
    if (signers.size < 2 * this.f + 1) return false;
    const expected = this.computeO(nv.V);
    if (expected.length !== nv.O.length) return false;
    return expected.every((e, k) => {
      const slot = nv.O[k];
      return (
        slot.pp.v === nv.v &&
        slot.pp.n === e.n &&
        slot.pp.d === e.d &&
        requestDigest(slot.m) === e.d &&
        this.keys.checkSignature(primary, prePrepareDigest(slot.pp), slot.pp.sig) &&
        (slot.m === null || this.validRequest(slot.m))
      );
    });
  }

  private enterView(nv: NewView): void {
    const w = nv.v;
    this.view = w;
    this.active = true;
    // The latest stable checkpoint in V becomes ours if it is newer (fetching its state if we are behind).
    const latest = nv.V.reduce((a, b) => (b.n > a.n ? b : a));
    if (latest.n > this.stable.n) this.makeStable(latest.n, latest.C[0].d, latest.C);
    for (const [key, r] of this.rounds) if (r.v < w) this.rounds.delete(key);
    this.inFlight.clear();
    let maxS = this.stable.n;
    for (const slot of nv.O) {
      const n = slot.pp.n;
      maxS = Math.max(maxS, n);
      if (n <= this.stable.n) continue;
      const r = this.round(w, n);
      r.pp = slot.pp;
      r.m = slot.m;
      if (slot.m !== null && !this.done(slot.m.req)) {
        const key = requestKey(slot.m.req);
        this.waiting.set(key, slot.m);
        this.inFlight.set(key, n);
      }
      if (!this.isPrimary) {
        const p: Prepare = { v: w, n, d: slot.pp.d, i: this.id, sig: this.keys.sign(prepareDigest({ v: w, n, d: slot.pp.d, i: this.id })) };
        r.prepares.set(this.id, p);
        this.multicast({ type: 'pbft_prepare', p });
      }
    }
    this.seqNext = Math.max(maxS, this.lastExecuted) + 1;
    for (const v of this.viewChanges.keys()) if (v <= w) this.viewChanges.delete(v);
    this.validViewChanges.clear();
    this.io.count('bft_views_entered');
    this.io.log('pbft_new_view', { v: w, primary: this.primaryOf(w), O: nv.O.length, h: this.stable.n });
    this.io.clearTimer('view');
    this.viewTimerRunning = false;
    this.startViewTimerIfIdle();
    // Messages of this view that came early.
    const held = this.future;
    this.future = [];
    for (const { from, msg } of held) {
      const v = viewOf(msg)!;
      if (v === w) this.receive(from, msg);
      else if (v > w) this.future.push({ from, msg });
    }
    for (const slot of nv.O) {
      const r = this.rounds.get(`${w}:${slot.pp.n}`);
      if (r !== undefined) this.checkPrepared(r);
    }
    // Requests known and not ordered by O: the primary orders them, a backup hands them to it.
    for (const [key, m] of [...this.waiting]) {
      if (this.inFlight.has(key) || this.done(m.req)) continue;
      if (this.isPrimary) this.propose(m);
      else this.io.send(this.primaryOf(w), { type: 'pbft_request', m });
    }
  }
}
