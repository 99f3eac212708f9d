/**
 * The flp story's system: binary consensus (ben-or.ts) on `nodes`, every message of which, with
 * `adversary` set, crosses that node: the asynchronous network as FLP's scheduler, which sees every
 * message and picks the order of delivery. It never loses one (every message arrives, as asynchrony
 * allows, only late): of the n reports bound for a node in a step it hands over the n - f that keep
 * the node undecided (no strict majority in phase 1; no proposal of a value in phase 2; never the
 * round's coordinator's report) and holds the rest back for `lateMs`, by when the node has moved on.
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import type { Context, Description, NodeId, Process } from '../../runtime/context.js';
import { BenOr, type BenOrMessage, type Proposal } from './ben-or.js';

const bit = z.union([z.literal(0), z.literal(1)]);

export const flpConsensusConfigSchema = z
  .object({
    /** Each protocol node and its input bit; the order names round r's coordinator (r mod n). */
    inputs: z.record(nodeRef(), bit).refine((r) => Object.keys(r).length >= 3, { message: 'at least 3 nodes, each with its input bit' }),
    /** Crashes tolerated: each step waits for n - f reports (n > 2f). */
    f: z.number().int().min(1).default(1),
    tieBreak: z.enum(['keep', 'coin', 'coordinator']),
    /** The node that schedules every delivery (none: the simulator's network alone). */
    adversary: nodeRef().optional(),
    /** How long the adversary holds back the reports it keeps from a node. */
    lateMs: z.number().positive().default(20),
    /** tieBreak coordinator: the failure detector suspects a coordinator not heard from in this long. */
    suspectAfterMs: z.number().positive().default(50),
  })
  .strict()
  .superRefine((c, ctx) => {
    const n = Object.keys(c.inputs).length;
    if (n <= 2 * c.f) ctx.addIssue({ code: 'custom', path: ['f'], message: `at most ${Math.floor((n - 1) / 2)} for ${n} nodes (n > 2f; got ${c.f})` });
    if (c.adversary !== undefined && c.adversary in c.inputs) ctx.addIssue({ code: 'custom', path: ['adversary'], message: `a node that is not one of inputs' nodes (got ${c.adversary})` });
  });
export type FlpConsensusConfig = z.infer<typeof flpConsensusConfigSchema>;

/** A message handed to the adversary (`to`), or delivered by it (`from`: its real sender). */
type Via = { type: 'flp_via'; to: NodeId; from?: NodeId; msg: BenOrMessage };
const isVia = (m: unknown): m is Via => (m as { type?: unknown })?.type === 'flp_via';
const isBenOr = (m: unknown): m is BenOrMessage => typeof (m as { type?: unknown })?.type === 'string' && (m as { type: string }).type.startsWith('bo_');

class FlpNode implements Process {
  private readonly core: BenOr;

  constructor(
    private readonly ctx: Context,
    readonly config: FlpConsensusConfig,
  ) {
    const nodes = Object.keys(config.inputs);
    this.core = new BenOr(ctx.id, nodes, config.f, config.inputs[ctx.id], config.tieBreak, {
      broadcast: (msg) => {
        for (const to of nodes) {
          if (config.adversary !== undefined) ctx.send(config.adversary, { type: 'flp_via', to, msg } satisfies Via);
          else if (to === ctx.id) ctx.setTimer(0, () => this.core.onMessage(to, msg));
          else ctx.send(to, msg);
        }
      },
      random: () => ctx.random(),
      enteredRound: (round) => {
        ctx.metrics.count('flp_rounds');
        if (config.tieBreak === 'coordinator') ctx.setTimer(config.suspectAfterMs, () => this.core.suspectCoordinator(round));
      },
      decided: (value, round) => {
        ctx.metrics.count('flp_decided_nodes');
        ctx.metrics.observe('flp_decision_round', round);
        ctx.log('flp_decided', { value, round });
      },
    });
  }

  start(): void {
    for (const counter of ['flp_rounds', 'flp_decided_nodes']) this.ctx.metrics.count(counter, 0);
    this.core.start();
  }

  describe(): Description {
    const d = this.core.decided;
    return { role: d === undefined ? 'undecided' : 'decided', replicas: d === undefined ? {} : { decision: { version: String(d), holders: [this.ctx.id] } } };
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isVia(msg)) return this.core.onMessage(msg.from ?? from, msg.msg);
    if (isBenOr(msg)) this.core.onMessage(from, msg);
  }
}

/** A step's reports to one node, as the adversary holds them. */
interface Bucket {
  msgs: { from: NodeId; msg: Extract<BenOrMessage, { type: 'bo_report' }> }[];
  released: boolean;
}

class Adversary implements Process {
  private readonly buckets = new Map<string, Bucket>();
  private readonly nodes: string[];

  constructor(
    private readonly ctx: Context,
    private readonly config: FlpConsensusConfig,
  ) {
    this.nodes = Object.keys(config.inputs);
  }

  start(): void {
    for (const counter of ['adversary_held', 'adversary_steps_split', 'adversary_steps_lost']) this.ctx.metrics.count(counter, 0);
  }

  onMessage(from: NodeId, m: unknown): void {
    if (!isVia(m)) return;
    if (m.msg.type !== 'bo_report') return this.deliver(from, m.to, m.msg); // a decision: nothing to gain by holding it
    const key = `${m.to}|${m.msg.round}|${m.msg.phase}`;
    let b = this.buckets.get(key);
    if (b === undefined) {
      this.buckets.set(key, (b = { msgs: [], released: false }));
      // Fairness: whatever has come by then goes through, so a crashed sender cannot stall the node.
      this.ctx.setTimer(this.config.lateMs, () => this.release(key, m.to));
    }
    if (b.released) return this.deliver(from, m.to, m.msg);
    b.msgs.push({ from, msg: m.msg });
    if (b.msgs.length === this.nodes.length) this.release(key, m.to);
  }

  private release(key: string, to: NodeId): void {
    const b = this.buckets.get(key);
    if (b === undefined || b.released) return;
    b.released = true;
    const quorum = this.nodes.length - this.config.f;
    const { now, later, split } = this.choose(b.msgs, quorum);
    this.ctx.metrics.count(split ? 'adversary_steps_split' : 'adversary_steps_lost');
    for (const x of now) this.deliver(x.from, to, x.msg);
    this.ctx.metrics.count('adversary_held', later.length);
    for (const x of later) this.ctx.setTimer(this.config.lateMs, () => this.deliver(x.from, to, x.msg));
    this.buckets.delete(key);
  }

  /**
   * The n - f reports that leave the receiver no majority (phase 1) and no proposal (phase 2), the
   * round's coordinator's last; `split` when that worked.
   */
  private choose(msgs: Bucket['msgs'], quorum: number) {
    if (msgs.length <= quorum) return { now: msgs, later: [], split: false };
    const round = msgs[0].msg.round;
    const coordinator = this.nodes[round % this.nodes.length];
    const byValue = new Map<Proposal, Bucket['msgs']>();
    for (const x of [...msgs].sort((a, b) => Number(a.from === coordinator) - Number(b.from === coordinator))) {
      const list = byValue.get(x.msg.value) ?? [];
      list.push(x);
      byValue.set(x.msg.value, list);
    }
    const now: Bucket['msgs'] = [];
    // Phase 2: '?' first. Phase 1 (and the rest of phase 2): take from the values in turn, so none leads.
    now.push(...(byValue.get('?') ?? []).slice(0, quorum));
    const lists = [byValue.get(0) ?? [], byValue.get(1) ?? []];
    for (let i = 0; now.length < quorum; i++) {
      const list = lists[i % 2].length > 0 ? lists[i % 2] : lists[(i + 1) % 2];
      now.push(list.shift()!);
    }
    const later = msgs.filter((x) => !now.includes(x));
    const count = (v: Proposal) => now.filter((x) => x.msg.value === v).length;
    const split = msgs[0].msg.phase === 1 ? count(0) * 2 <= this.nodes.length && count(1) * 2 <= this.nodes.length : count(0) === 0 && count(1) === 0;
    return { now, later, split };
  }

  private deliver(from: NodeId, to: NodeId, msg: BenOrMessage): void {
    // The receiver reads it as from its sender: the adversary is the network, not a party.
    this.ctx.send(to, { type: 'flp_via', to, from, msg } satisfies Via);
  }

  describe(): Description {
    return { role: 'adversary' };
  }
}

export const flpConsensus = (ctx: Context, config: FlpConsensusConfig): Process => (ctx.id === config.adversary ? new Adversary(ctx, config) : new FlpNode(ctx, config));
