/**
 * Membership changes under faults: replace every member of a three-node Raft cluster, one at a
 * time, while clients write and the nemesis partitions and crashes.
 *
 * The servers are the first members and the joiners that replace them, all running the project's
 * RaftKv; the joiners start knowing only the first membership, so they are nobody's voter until the
 * cluster adds them. An operator on a node of its own drives the change, in one of two ways:
 *
 * - through-the-log (Raft thesis §4.1-4.2): each change is a log entry, one at a time, committed by
 *   the membership it changes. A joiner first comes in as a learner, is promoted once it has caught
 *   up, and only then is an old member removed. Any two majorities of consecutive memberships meet.
 * - direct-switch (the thesis's Figure 4.1, "switching directly is unsafe"): the operator tells every
 *   server the new membership, one after the other, and each switches when told. For a while the
 *   joiners, already switched, are a majority of the new membership on their own, and the old
 *   members a majority of the old: two leaders, two histories.
 */
import { z } from 'zod';
import type { Context, Description, NodeId, Process } from '../../runtime/context.js';
import { nodeRef } from '../../runtime/node-ref.js';
import { RaftKv, raftKvConfigSchema } from '../../truth/raft/host.js';
import type { ConfChange } from '../../truth/raft/types.js';

export const membershipConfigSchema = z
  .object({
    /** The cluster's Raft settings (its first voters are `members`). */
    raft: raftKvConfigSchema.prefault({}),
    /** The first voters. */
    members: z.array(nodeRef()).min(1),
    /** The servers that replace them, in order: joiners[i] replaces members[i]. */
    joiners: z.array(nodeRef()).min(1),
    /** The node the operator runs on (a node of its own, not a server). */
    operator: nodeRef(),
    /** How the operator changes the membership (see the file's comment). */
    plan: z.enum(['through-the-log', 'direct-switch']).default('through-the-log'),
    /** When the operator begins, in ms of its clock. */
    startMs: z.number().nonnegative().default(3_000),
    /** How often the operator looks at the cluster and takes its next step. */
    stepEveryMs: z.number().positive().default(300),
    /** A learner is promoted once its log is within this many entries of the leader's commit index. */
    catchUpLagEntries: z.number().int().nonnegative().default(20),
  })
  .strict()
  .refine((c) => c.members.length === c.joiners.length, { message: 'as many joiners as members: joiners[i] replaces members[i]', path: ['joiners'] });
export type MembershipConfig = z.infer<typeof membershipConfigSchema>;

/** What the operator asks a server, and what it hears back. */
type MemberRequest =
  | { type: 'member_status'; id: number }
  | { type: 'member_change'; id: number; change: ConfChange }
  /** direct-switch: adopt these voters now, without the log. */
  | { type: 'member_switch'; id: number; voters: NodeId[] };
interface MemberStatus {
  type: 'member_status_resp';
  id: number;
  leader: NodeId | undefined;
  /** Only the leader's view counts: its membership and how far each member's log matches. */
  isLeader: boolean;
  voters: NodeId[];
  learners: NodeId[];
  commit: number;
  match: Record<NodeId, number>;
}
interface MemberChangeResp {
  type: 'member_change_resp';
  id: number;
  ok: boolean;
  leader: NodeId | undefined;
}
type OperatorMessage = MemberStatus | MemberChangeResp;

const isMemberRequest = (m: unknown): m is MemberRequest => {
  const t = (m as { type?: unknown } | null)?.type;
  return t === 'member_status' || t === 'member_change' || t === 'member_switch';
};

/** A server: the RaftKv store, answering the operator besides its clients and peers. */
class MemberServer implements Process {
  private readonly kv: RaftKv;

  constructor(
    private readonly ctx: Context,
    config: MembershipConfig,
  ) {
    this.kv = new RaftKv(ctx, { ...config.raft, voters: [...config.members].sort() });
  }

  start(): void {
    this.kv.start();
  }

  describe(): Description {
    return this.kv.describe();
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (!isMemberRequest(msg)) return this.kv.onMessage(from, msg);
    const raft = this.kv.raft;
    switch (msg.type) {
      case 'member_status': {
        const conf = raft.confState();
        const match: Record<NodeId, number> = {};
        if (raft.role === 'leader') for (const [id, m] of raft.matchIndexes()) match[id] = m;
        this.ctx.send(from, { type: 'member_status_resp', id: msg.id, leader: raft.leader, isLeader: raft.role === 'leader', voters: conf.voters, learners: conf.learners, commit: raft.log.committed, match } satisfies MemberStatus);
        return;
      }
      case 'member_change': {
        const reply = (ok: boolean) => this.ctx.send(from, { type: 'member_change_resp', id: msg.id, ok, leader: raft.leader } satisfies MemberChangeResp);
        if (!this.kv.host.proposeConfChange(msg.change, reply)) reply(false);
        return;
      }
      case 'member_switch': {
        // Deliberately unsafe: the membership changes here and now, outside the log.
        const conf = raft.confState();
        this.kv.host.input(() => {
          for (const v of msg.voters) if (!conf.voters.includes(v)) raft.applyConfChange({ type: 'add-voter', node: v });
          for (const v of conf.voters) if (!msg.voters.includes(v)) raft.applyConfChange({ type: 'remove-voter', node: v });
        });
        this.ctx.send(from, { type: 'member_change_resp', id: msg.id, ok: true, leader: raft.leader } satisfies MemberChangeResp);
        return;
      }
    }
  }
}

/** The operator: replaces members[i] by joiners[i], in order, as its plan says. */
class MembershipOperator implements Process {
  private nextId = 1;
  /** The request waiting for an answer, and when it was sent. */
  private waiting: { id: number; sentMs: number } | undefined;
  private leaderHint: NodeId | undefined;
  private ask = 0;
  private switched = 0;
  private done = false;
  private readonly servers: NodeId[];

  constructor(
    private readonly ctx: Context,
    private readonly config: MembershipConfig,
  ) {
    this.servers = [...config.members, ...config.joiners];
  }

  start(): void {
    this.ctx.metrics.gauge('members_replaced', 0);
    const step = () => {
      this.step();
      if (!this.done) this.ctx.setTimer(this.config.stepEveryMs, step);
    };
    this.ctx.setTimer(Math.max(0, this.config.startMs - this.ctx.now()), step);
  }

  describe(): Description {
    return { role: 'operator' };
  }

  private send(to: NodeId, msg: MemberRequest): void {
    this.waiting = { id: msg.id, sentMs: this.ctx.now() };
    this.ctx.send(to, msg);
  }

  private step(): void {
    if (this.config.plan === 'direct-switch') return this.switchNext();
    // An answer lost to a partition or a crash is given up on after a few steps.
    if (this.waiting !== undefined && this.ctx.now() - this.waiting.sentMs < 3 * this.config.stepEveryMs) return;
    const to = this.leaderHint ?? this.servers[this.ask++ % this.servers.length];
    this.leaderHint = undefined;
    this.send(to, { type: 'member_status', id: this.nextId++ });
  }

  /** direct-switch: tell the next server the new membership; the joiners first, then the old members. */
  private switchNext(): void {
    const order = [...this.config.joiners, ...this.config.members];
    const to = order[this.switched++];
    this.ctx.send(to, { type: 'member_switch', id: this.nextId++, voters: [...this.config.joiners].sort() } satisfies MemberRequest);
    this.ctx.metrics.count('membership_changes');
    if (this.switched === order.length) {
      this.done = true;
      this.ctx.metrics.gauge('members_replaced', this.config.members.length);
    }
  }

  onMessage(from: NodeId, msg: unknown): void {
    const m = msg as OperatorMessage;
    if (this.waiting === undefined || m.id !== this.waiting.id) return;
    this.waiting = undefined;
    if (m.type === 'member_change_resp') {
      if (m.ok) this.ctx.metrics.count('membership_changes');
      this.leaderHint = m.ok ? from : m.leader;
      return;
    }
    if (!m.isLeader) {
      this.leaderHint = m.leader;
      return;
    }
    const change = this.nextChange(m);
    if (change === undefined) return;
    this.ctx.log('membership_step', { change: change.type, member: change.node });
    this.send(from, { type: 'member_change', id: this.nextId++, change });
  }

  /**
   * The next single-server change toward the target, from the leader's view (thesis §4.2.1: a new
   * server joins as a learner and votes only once it has caught up), or undefined to wait.
   */
  private nextChange(s: MemberStatus): ConfChange | undefined {
    const { members, joiners } = this.config;
    for (let i = 0; i < members.length; i++) {
      const old = members[i];
      const joiner = joiners[i];
      if (!s.voters.includes(joiner)) {
        if (!s.learners.includes(joiner)) return { type: 'add-learner', node: joiner };
        if ((s.match[joiner] ?? 0) + this.config.catchUpLagEntries >= s.commit) return { type: 'add-voter', node: joiner };
        return undefined;
      }
      if (s.voters.includes(old)) return { type: 'remove-voter', node: old };
    }
    if (!this.done) {
      this.done = true;
      this.ctx.metrics.gauge('members_replaced', members.length);
      this.ctx.log('membership_replaced', { voters: s.voters });
    }
    return undefined;
  }
}

export const membership = (ctx: Context, config: MembershipConfig): Process => (ctx.id === config.operator ? new MembershipOperator(ctx, config) : new MemberServer(ctx, config));
