/**
 * A key-value store replicated by Paxos, as a Process: every server is acceptor, proposer and learner
 * of a log of slots, and applies the chosen commands in slot order (reads go through the log too, so
 * every answer is linearizable).
 *
 * Two ways to fill the log:
 * - `single-decree`: the server a client reached runs a whole Paxos instance for that command in the
 *   first slot it does not know chosen: phase 1 (prepare, promise), then phase 2 (accept, accepted),
 *   the seed's "2 round trips minimum" per write. Any server proposes at any time, so proposers meet
 *   in the same slot; the one that learns of a higher ballot (a nack, or its own acceptor promising
 *   another proposer) gives up its round and retries after its retry policy's wait.
 * - `multi-paxos`: a stable leader (Chubby, Spanner's Paxos groups) runs phase 1 once for every slot
 *   from the first it does not know chosen, then only phase 2 per command: one round trip per write.
 *   It renews its lease with heartbeats; a server that hears none for a randomised election timeout
 *   runs phase 1 itself. Followers forward clients' commands to the leader.
 *
 * Acceptors answer only after their promise or accepted value is on disk (fsync).
 */
import { z } from 'zod';
import type { Context, Description, NodeId, Process, TimerId } from '../../runtime/context.js';
import { clientReply, isClientRequest, type ClientRequest, type Operation } from '../../runtime/client-protocol.js';
import { Acceptor, type Accepted, type AcceptorRecord } from './acceptor.js';
import { type Ballot, ballotAbove, ballotText, compareBallots, zeroBallot } from './ballot.js';
import { retryDelayMs, retryPolicySchema } from './retry-policy.js';

export const paxosKvConfigSchema = z
  .object({
    mode: z.enum(['single-decree', 'multi-paxos']).default('multi-paxos'),
    /** single-decree: the wait of a preempted proposer before its next ballot. */
    retry: retryPolicySchema.default({ kind: 'random-backoff', baseMs: 5, maxMs: 200 }),
    /** A round with no answer from a majority within this long is given up as preempted (lost messages, a dead peer). */
    roundTimeoutMs: z.number().positive().default(100),
    /** multi-paxos: the leader's heartbeat period. */
    heartbeatMs: z.number().positive().default(20),
    /** multi-paxos: a follower that hears no leader for this long, plus a random part of it again, runs phase 1. */
    leaseMs: z.number().positive().default(100),
  })
  .strict();
export type PaxosKvConfig = z.infer<typeof paxosKvConfigSchema>;

/** A command of the replicated log: a client's operation under a unique id, or a gap filler. */
export interface Command {
  id: string;
  op?: Operation;
}
const noop = (slot: number): Command => ({ id: `noop/${slot}` });

type Msg =
  | { type: 'px_prepare'; ballot: Ballot; slot: number }
  | { type: 'px_promise'; ballot: Ballot; slot: number; accepted: [number, Accepted<Command>][] }
  | { type: 'px_accept'; ballot: Ballot; slot: number; value: Command }
  | { type: 'px_accepted'; ballot: Ballot; slot: number }
  | { type: 'px_nack'; ballot: Ballot; promised: Ballot }
  | { type: 'px_chosen'; slot: number; value: Command }
  | { type: 'px_heartbeat'; ballot: Ballot }
  | { type: 'px_forward'; client: NodeId; req: ClientRequest };

const isPaxosMessage = (m: unknown): m is Msg => typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string' && (m as { type: string }).type.startsWith('px_');

/** The acceptor's durable records, one JSON line each. */
const acceptorFile = 'paxos.acceptor';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A client's command this node proposes, and what it has cost so far. */
interface Pending {
  cmd: Command;
  client: NodeId;
  req: ClientRequest;
  roundTrips: number;
}

/** A single-decree round for one slot, or a leader's phase 1 (slot: the first slot it covers). */
interface Round {
  ballot: Ballot;
  slot: number;
  phase: 1 | 2;
  promises: Map<NodeId, [number, Accepted<Command>][]>;
  acks: Set<NodeId>;
  value?: Command;
  timer: TimerId;
}

/** A multi-paxos leader's phase 2 of one slot. */
interface Accepting {
  value: Command;
  acks: Set<NodeId>;
}

export class PaxosKv implements Process {
  private readonly acceptor = new Acceptor<Command>();
  private readonly all: readonly NodeId[];
  private readonly majority: number;
  /** Chosen commands by slot; applied in order up to `applied`. */
  private readonly chosen = new Map<number, Command>();
  private applied = 0;
  private readonly appliedIds = new Set<string>();
  private readonly data = new Map<string, unknown>();
  /** Commands this node proposes, oldest first. */
  private readonly pending: Pending[] = [];
  /** Commands this node proposed, by id, until they are applied and answered. */
  private readonly waiting = new Map<string, Pending>();
  /** The highest ballot this node has heard of (promised, proposed, refused with). */
  private highest: Ballot = zeroBallot;
  private round: Round | undefined;
  private retryTimer: TimerId | undefined;
  private retries = 0;
  // multi-paxos
  private leading: Ballot | undefined;
  private readonly accepting = new Map<number, Accepting>();
  private nextSlot = 1;
  private leader: NodeId | undefined;
  private lastHeardMs = 0;
  private electionDelayMs = 0;

  constructor(
    private readonly ctx: Context,
    private readonly config: PaxosKvConfig,
  ) {
    this.all = [ctx.id, ...ctx.peers];
    this.majority = Math.floor(this.all.length / 2) + 1;
  }

  start(): void {
    // Reported even when nothing is ever decided: a livelock shows as 0, not as a missing number.
    for (const counter of ['paxos_rounds', 'paxos_preemptions', 'paxos_decisions']) this.ctx.metrics.count(counter, 0);
    const bytes = this.ctx.disk.read(acceptorFile);
    if (bytes !== undefined) {
      const lines = decoder.decode(bytes).split('\n').filter((l) => l !== '');
      this.acceptor.restore(lines.map((l) => JSON.parse(l) as AcceptorRecord<Command>));
      this.highest = this.acceptor.promised;
    }
    if (this.config.mode === 'multi-paxos') {
      this.lastHeardMs = this.ctx.now();
      this.electionDelayMs = this.drawElectionDelay();
      this.ctx.setTimer(this.config.heartbeatMs, () => this.tick());
    }
  }

  describe(): Description {
    const replicas: Record<string, { version: string; holders: string[] }> = {};
    for (const [slot, cmd] of this.chosen) replicas[`slot ${slot}`] = { version: cmd.id, holders: [this.ctx.id] };
    const role = this.config.mode === 'single-decree' ? 'proposer' : this.leading !== undefined ? 'leader' : 'follower';
    return { role, replicas };
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.onClient(from, msg);
    if (!isPaxosMessage(msg)) return;
    switch (msg.type) {
      case 'px_prepare':
      case 'px_accept':
        return this.onAcceptorMessage(from, msg);
      case 'px_promise':
        return this.onPromise(from, msg);
      case 'px_accepted':
        return this.onAccepted(from, msg);
      case 'px_nack':
        return this.onNack(msg);
      case 'px_chosen':
        return this.learn(msg.slot, msg.value);
      case 'px_heartbeat':
        return this.onHeartbeat(from, msg.ballot);
      case 'px_forward':
        return this.onClient(msg.client, msg.req, false);
    }
  }

  // --- clients --------------------------------------------------------------------------------

  /** `forward`: false for a command a follower forwarded already, so two nodes that each believe the other leads never pass it back and forth. */
  private onClient(client: NodeId, req: ClientRequest, forward = true): void {
    const cmd: Command = { id: `${client}/${req.id}`, op: req.op };
    if (this.appliedIds.has(cmd.id) || this.waiting.has(cmd.id)) return; // a resend of a command under way
    if (this.config.mode === 'multi-paxos' && this.leading === undefined) {
      if (forward && this.leader !== undefined && this.leader !== this.ctx.id) this.ctx.send(this.leader, { type: 'px_forward', client, req } satisfies Msg);
      else this.ctx.send(client, clientReply(req, 'fail', undefined, 'no leader'));
      return;
    }
    const p: Pending = { cmd, client, req, roundTrips: 0 };
    this.waiting.set(cmd.id, p);
    if (this.config.mode === 'multi-paxos') return this.acceptAt(this.nextSlot++, p);
    this.pending.push(p);
    this.propose();
  }

  // --- the acceptor ---------------------------------------------------------------------------

  private onAcceptorMessage(from: NodeId, msg: Extract<Msg, { type: 'px_prepare' | 'px_accept' }>): void {
    const records: AcceptorRecord<Command>[] = [];
    const record = (r: AcceptorRecord<Command>) => records.push(r);
    const reply: Msg =
      msg.type === 'px_prepare'
        ? ((a) => (a.ok ? { type: 'px_promise', ballot: msg.ballot, slot: msg.slot, accepted: a.accepted } : { type: 'px_nack', ballot: msg.ballot, promised: a.promised }))(this.acceptor.prepare(msg.ballot, msg.slot, record))
        : ((a) => (a.ok ? { type: 'px_accepted', ballot: msg.ballot, slot: msg.slot } : { type: 'px_nack', ballot: msg.ballot, promised: a.promised }))(this.acceptor.accept(msg.ballot, msg.slot, msg.value, record));
    for (const r of records) this.ctx.disk.append(acceptorFile, encoder.encode(`${JSON.stringify(r)}\n`));
    // The answer leaves once everything this acceptor said before it is durable.
    this.ctx.disk.fsync(acceptorFile, () => this.sendTo(from, reply));
    // A proposer whose own acceptor has just promised someone else's higher ballot gives up its round.
    this.heard(this.acceptor.promised, from);
  }

  // --- proposers ------------------------------------------------------------------------------

  /** single-decree: start a round for the oldest pending command, unless one runs or a retry waits. */
  private propose(): void {
    if (this.round !== undefined || this.retryTimer !== undefined || this.pending.length === 0) return;
    this.startRound(this.firstUnchosen());
  }

  private startRound(slot: number): void {
    const ballot = ballotAbove(this.highest, this.ctx.id);
    this.highest = ballot;
    const timer = this.ctx.setTimer(this.config.roundTimeoutMs, () => this.preempted('timeout'));
    this.round = { ballot, slot, phase: 1, promises: new Map(), acks: new Set(), timer };
    this.ctx.metrics.count('paxos_rounds');
    if (this.pending.length > 0) this.pending[0].roundTrips++;
    this.broadcast({ type: 'px_prepare', ballot, slot });
  }

  private onPromise(from: NodeId, msg: Extract<Msg, { type: 'px_promise' }>): void {
    const r = this.round;
    if (r === undefined || r.phase !== 1 || compareBallots(r.ballot, msg.ballot) !== 0) return;
    r.promises.set(from, msg.accepted);
    if (r.promises.size < this.majority) return;
    // Phase 1 done: in each slot the value accepted under the highest ballot must be proposed again.
    const highestAccepted = new Map<number, Accepted<Command>>();
    for (const accepted of r.promises.values()) {
      for (const [slot, a] of accepted) {
        const seen = highestAccepted.get(slot);
        if (seen === undefined || compareBallots(a.ballot, seen.ballot) > 0) highestAccepted.set(slot, a);
      }
    }
    if (this.config.mode === 'multi-paxos') return this.lead(r, highestAccepted);
    const value = highestAccepted.get(r.slot)?.value ?? this.pending[0]?.cmd;
    if (value === undefined) return this.endRound();
    r.phase = 2;
    r.value = value;
    if (this.pending.length > 0) this.pending[0].roundTrips++;
    this.broadcast({ type: 'px_accept', ballot: r.ballot, slot: r.slot, value });
  }

  private onAccepted(from: NodeId, msg: Extract<Msg, { type: 'px_accepted' }>): void {
    if (this.config.mode === 'multi-paxos') {
      const a = this.accepting.get(msg.slot);
      if (a === undefined || this.leading === undefined || compareBallots(this.leading, msg.ballot) !== 0) return;
      a.acks.add(from);
      if (a.acks.size < this.majority) return;
      this.accepting.delete(msg.slot);
      return this.decide(msg.slot, a.value);
    }
    const r = this.round;
    if (r === undefined || r.phase !== 2 || r.slot !== msg.slot || compareBallots(r.ballot, msg.ballot) !== 0) return;
    r.acks.add(from);
    if (r.acks.size < this.majority) return;
    this.endRound();
    this.retries = 0;
    this.decide(msg.slot, r.value!);
    this.propose();
  }

  private onNack(msg: Extract<Msg, { type: 'px_nack' }>): void {
    this.heard(msg.promised, undefined);
  }

  /** A ballot above ours exists: the round (or the leadership) it beats is over. */
  private heard(ballot: Ballot, from: NodeId | undefined): void {
    if (compareBallots(ballot, this.highest) > 0) this.highest = ballot;
    if (this.round !== undefined && compareBallots(ballot, this.round.ballot) > 0) this.preempted('higher ballot');
    if (this.leading !== undefined && compareBallots(ballot, this.leading) > 0) this.stepDown();
    if (from !== undefined && this.config.mode === 'multi-paxos' && this.leading === undefined && compareBallots(ballot, this.acceptor.promised) >= 0 && ballot.node === from) {
      this.leader = from;
      this.lastHeardMs = this.ctx.now();
    }
  }

  private preempted(why: string): void {
    if (this.round === undefined) return;
    this.ctx.metrics.count('paxos_preemptions');
    this.ctx.log('paxos_preempted', { ballot: ballotText(this.round.ballot), slot: this.round.slot, why });
    this.endRound();
    if (this.config.mode === 'multi-paxos') return; // the election timer tries again
    this.retries++;
    this.retryTimer = this.ctx.setTimer(retryDelayMs(this.config.retry, this.retries, () => this.ctx.random()), () => {
      this.retryTimer = undefined;
      this.propose();
    });
  }

  private endRound(): void {
    if (this.round !== undefined) this.ctx.clearTimer(this.round.timer);
    this.round = undefined;
  }

  /** A value is chosen in `slot` (a majority accepted it): tell every learner. */
  private decide(slot: number, value: Command): void {
    this.ctx.metrics.count('paxos_decisions');
    for (const p of this.ctx.peers) this.ctx.send(p, { type: 'px_chosen', slot, value } satisfies Msg);
    this.learn(slot, value);
  }

  // --- multi-paxos leadership -----------------------------------------------------------------

  private drawElectionDelay(): number {
    return this.config.leaseMs * (1 + this.ctx.random());
  }

  private tick(): void {
    this.ctx.setTimer(this.config.heartbeatMs, () => this.tick());
    if (this.leading !== undefined) {
      for (const p of this.ctx.peers) this.ctx.send(p, { type: 'px_heartbeat', ballot: this.leading } satisfies Msg);
      return;
    }
    if (this.round !== undefined || this.ctx.now() - this.lastHeardMs < this.electionDelayMs) return;
    this.lastHeardMs = this.ctx.now();
    this.electionDelayMs = this.drawElectionDelay();
    this.startRound(this.firstUnchosen());
  }

  private onHeartbeat(from: NodeId, ballot: Ballot): void {
    if (compareBallots(ballot, this.highest) < 0) return;
    this.heard(ballot, undefined);
    this.leader = from;
    this.lastHeardMs = this.ctx.now();
  }

  private lead(r: Round, highestAccepted: Map<number, Accepted<Command>>): void {
    this.endRound();
    this.leading = r.ballot;
    this.leader = this.ctx.id;
    this.ctx.metrics.count('paxos_leaders_elected');
    this.ctx.log('paxos_leader', { ballot: ballotText(r.ballot), fromSlot: r.slot });
    const last = Math.max(r.slot - 1, ...highestAccepted.keys());
    // Slots a former leader left unfinished: its value where one was accepted, a no-op in the gaps.
    for (let slot = r.slot; slot <= last; slot++) {
      if (this.chosen.has(slot)) continue;
      const value = highestAccepted.get(slot)?.value ?? noop(slot);
      this.accepting.set(slot, { value, acks: new Set() });
      this.broadcast({ type: 'px_accept', ballot: r.ballot, slot, value });
    }
    this.nextSlot = last + 1;
    for (const p of this.ctx.peers) this.ctx.send(p, { type: 'px_heartbeat', ballot: r.ballot } satisfies Msg);
  }

  private acceptAt(slot: number, p: Pending): void {
    p.roundTrips++;
    this.accepting.set(slot, { value: p.cmd, acks: new Set() });
    this.broadcast({ type: 'px_accept', ballot: this.leading!, slot, value: p.cmd });
  }

  private stepDown(): void {
    this.ctx.log('paxos_step_down', { ballot: ballotText(this.leading!) });
    this.leading = undefined;
    this.leader = undefined;
    this.lastHeardMs = this.ctx.now();
    // What was in phase 2 may yet be chosen by the next leader: its clients cannot be told either way.
    for (const a of this.accepting.values()) {
      const p = this.waiting.get(a.value.id);
      if (p === undefined) continue;
      this.waiting.delete(a.value.id);
      this.ctx.send(p.client, clientReply(p.req, 'info', undefined, 'leader changed'));
    }
    this.accepting.clear();
  }

  // --- learners and the state machine ---------------------------------------------------------

  private firstUnchosen(): number {
    let slot = this.applied + 1;
    while (this.chosen.has(slot)) slot++;
    return slot;
  }

  private learn(slot: number, value: Command): void {
    const known = this.chosen.get(slot);
    if (known !== undefined) {
      if (known.id !== value.id) throw new Error(`paxos: slot ${slot} chosen twice: ${known.id} and ${value.id}`);
      return;
    }
    this.chosen.set(slot, value);
    while (this.chosen.has(this.applied + 1)) this.apply(this.chosen.get(++this.applied)!);
    // single-decree: a round for a slot now known chosen is moot; the command moves to the next slot.
    if (this.round !== undefined && this.config.mode === 'single-decree' && this.chosen.has(this.round.slot)) {
      this.endRound();
      this.propose();
    }
  }

  private apply(cmd: Command): void {
    if (cmd.op === undefined || this.appliedIds.has(cmd.id)) return;
    this.appliedIds.add(cmd.id);
    const { f, key = '', value } = cmd.op;
    let status: 'ok' | 'fail' = 'ok';
    let result: unknown;
    if (f === 'read') result = this.data.get(key) ?? null;
    else if (f === 'write') this.data.set(key, value);
    else if (f === 'cas') {
      const [expected, next] = value as [unknown, unknown];
      if ((this.data.get(key) ?? null) === expected) this.data.set(key, next);
      else status = 'fail';
    } else status = 'fail';
    const p = this.waiting.get(cmd.id);
    if (p === undefined) return;
    this.waiting.delete(cmd.id);
    const head = this.pending.indexOf(p);
    if (head >= 0) this.pending.splice(head, 1);
    this.ctx.metrics.observe('paxos_round_trips', p.roundTrips);
    this.ctx.send(p.client, clientReply(p.req, status, result, status === 'fail' && f !== 'cas' ? `unsupported operation ${f}` : undefined));
  }

  // --- messages -------------------------------------------------------------------------------

  private broadcast(msg: Msg): void {
    for (const n of this.all) this.sendTo(n, msg);
  }

  /** To a peer over the network; to itself on a zero timer, so no handler runs inside another. */
  private sendTo(to: NodeId, msg: Msg): void {
    if (to === this.ctx.id) this.ctx.setTimer(0, () => this.onMessage(to, msg));
    else this.ctx.send(to, msg);
  }
}

export const paxosKv = (ctx: Context, config: PaxosKvConfig): Process => new PaxosKv(ctx, config);
