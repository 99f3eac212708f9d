/**
 * Byzantine nodes, scheduled in the scenario like a nemesis, but from inside the node: a per-node
 * setting of the system config, e.g.
 *
 *     byzantine:
 *       n1:
 *         - { behaviour: [lie, equivocate], fromMs: 2000, toMs: 12000 }
 *         - { behaviour: silent, fromMs: 12000 }
 *
 * A Byzantine node runs the honest code, and a filter at its boundary rewrites what it sends (and,
 * when silent, what it hears). The filter holds only the node's own Keyring: it can sign its lies,
 * but it cannot produce another node's MAC or signature, which is exactly the power the PBFT paper
 * grants a faulty replica (§2). The behaviours:
 *
 *   equivocate  say different things to different nodes about the same decision. As PBFT primary:
 *               for each sequence number, the first half of the backups get the true pre-prepare,
 *               the others one for the null request (a client's request cannot be invented: its MAC
 *               would not check). As PBFT backup: its prepares and commits to the second half carry
 *               another digest. As Raft leader: the second half of the followers receive entries
 *               whose written values are forged; at the end of the window it hands leadership to one
 *               of them (a timeout_now), so the forged log is what clients read next.
 *   lie         claim what is not. PBFT: its view-change claims a prepared certificate it does not
 *               have (prepares it cannot sign for others), as new primary its new-view drops the
 *               requests V says were prepared, its checkpoints carry a wrong state digest, and its
 *               replies to clients a wrong result. Raft: its vote requests claim a longer log and a
 *               leadership handover (so voters skip their leader lease), and at the start of the
 *               window it campaigns.
 *   silent      drop everything, in and out (a crash that keeps its state).
 *
 * Windows are [fromMs, toMs) on the node's clock; behaviours of overlapping windows add up.
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import type { NodeId } from '../../runtime/context.js';
import type { KvResult } from '../kv.js';
import { digestOf, type Keyring } from './crypto.js';
import {
  checkpointDigest,
  commitDigest,
  newViewDigest,
  nullDigest,
  prePrepareDigest,
  prepareDigest,
  replyDigest,
  viewChangeDigest,
  type NewView,
  type PbftMessage,
  type PreparedCert,
  type ViewChange,
} from './messages.js';

export const byzantineBehaviours = ['equivocate', 'lie', 'silent'] as const;
export type ByzantineBehaviour = (typeof byzantineBehaviours)[number];

const behaviourSchema = z.enum(byzantineBehaviours);

export const byzantineWindowSchema = z
  .object({
    /** One behaviour or several at once. */
    behaviour: z.union([behaviourSchema, z.array(behaviourSchema).min(1)]),
    fromMs: z.number().nonnegative().default(0),
    /** Without it the behaviour lasts to the end of the run. */
    toMs: z.number().positive().optional(),
  })
  .strict()
  .superRefine((w, ctx) => {
    if (w.toMs !== undefined && w.toMs <= w.fromMs) ctx.addIssue({ code: 'custom', path: ['toMs'], message: `a time after fromMs (${w.fromMs})` });
  });

/** Node name -> one window or a list of them. */
export const byzantineConfigSchema = z.record(nodeRef(), z.union([byzantineWindowSchema, z.array(byzantineWindowSchema).min(1)]));
export type ByzantineConfig = z.infer<typeof byzantineConfigSchema>;

export interface ByzantineWindow {
  behaviours: readonly ByzantineBehaviour[];
  fromMs: number;
  toMs: number;
}

/** When a node misbehaves, and how. */
export class ByzantineSchedule {
  readonly windows: readonly ByzantineWindow[];

  constructor(windows: readonly ByzantineWindow[]) {
    this.windows = windows;
  }

  static of(config: ByzantineConfig | undefined, id: NodeId): ByzantineSchedule {
    const raw = config?.[id];
    const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    return new ByzantineSchedule(
      list.map((w) => ({ behaviours: Array.isArray(w.behaviour) ? w.behaviour : [w.behaviour], fromMs: w.fromMs ?? 0, toMs: w.toMs ?? Infinity })),
    );
  }

  /** Configured to misbehave at some time: a faulty node, whose own state proves nothing. */
  get faulty(): boolean {
    return this.windows.length > 0;
  }

  is(behaviour: ByzantineBehaviour, nowMs: number): boolean {
    return this.windows.some((w) => nowMs >= w.fromMs && nowMs < w.toMs && w.behaviours.includes(behaviour));
  }
}

/** The second half of the other nodes (in the given order): those an equivocator tells the other story. */
export function misledGroup(self: NodeId, nodes: readonly NodeId[]): NodeId[] {
  const others = nodes.filter((x) => x !== self);
  return others.slice(Math.floor(others.length / 2));
}

/** A value no client wrote (workloads write non-negative numbers): what a liar puts in their place. */
export function forgedValue(v: unknown): unknown {
  return typeof v === 'number' ? -1 - v : `forged:${JSON.stringify(v)}`;
}

/** A reply that says something else than r. */
function lieAbout(r: KvResult): KvResult {
  if (r.ok && r.value !== undefined && r.value !== null) return { ok: true, value: forgedValue(r.value) };
  if (r.ok) return { ok: true, value: 'forged' };
  return { ok: true };
}

/**
 * The filter at a Byzantine PBFT replica's boundary. outgoing() returns the message to send instead
 * (the same object when nothing changes) or undefined to drop it; incoming() says whether to hear one.
 */
export class PbftByzantineFilter {
  private readonly misled: ReadonlySet<NodeId>;

  constructor(
    private readonly id: NodeId,
    private readonly replicas: readonly NodeId[],
    private readonly keys: Keyring,
    private readonly schedule: ByzantineSchedule,
    private readonly count: (metric: string) => void,
  ) {
    this.misled = new Set(misledGroup(id, replicas));
  }

  incoming(nowMs: number): boolean {
    if (!this.schedule.is('silent', nowMs)) return true;
    this.count('byzantine_dropped');
    return false;
  }

  outgoing(to: NodeId, msg: PbftMessage, nowMs: number): PbftMessage | undefined {
    const s = this.schedule;
    if (s.is('silent', nowMs)) {
      this.count('byzantine_dropped');
      return undefined;
    }
    let out = msg;
    if (s.is('equivocate', nowMs) && this.misled.has(to)) out = this.equivocate(to, out);
    if (s.is('lie', nowMs)) out = this.lie(to, out);
    return out;
  }

  private alternative(d: string): string {
    return d === nullDigest ? digestOf({ equivocation: d }) : nullDigest;
  }

  private equivocate(to: NodeId, msg: PbftMessage): PbftMessage {
    switch (msg.type) {
      case 'pbft_pre_prepare': {
        // Only the primary sends pre-prepares: it signs the other story with its own key.
        const { v, n } = msg.pp;
        this.count('byzantine_equivocations');
        return { type: 'pbft_pre_prepare', pp: { v, n, d: nullDigest, sig: this.keys.sign(prePrepareDigest({ v, n, d: nullDigest })) }, m: null };
      }
      case 'pbft_prepare': {
        const p = { v: msg.p.v, n: msg.p.n, d: this.alternative(msg.p.d), i: this.id };
        this.count('byzantine_equivocations');
        return { type: 'pbft_prepare', p: { ...p, sig: this.keys.sign(prepareDigest(p)) } };
      }
      case 'pbft_commit': {
        const c = { v: msg.v, n: msg.n, d: this.alternative(msg.d), i: this.id };
        this.count('byzantine_equivocations');
        return { type: 'pbft_commit', ...c, mac: this.keys.mac(to, commitDigest(c)) };
      }
      default:
        return msg;
    }
  }

  private lie(to: NodeId, msg: PbftMessage): PbftMessage {
    switch (msg.type) {
      case 'pbft_view_change': {
        this.count('byzantine_lies');
        return { type: 'pbft_view_change', vc: this.forgeViewChange(msg.vc) };
      }
      case 'pbft_new_view': {
        this.count('byzantine_lies');
        return { type: 'pbft_new_view', nv: this.forgeNewView(msg.nv) };
      }
      case 'pbft_checkpoint': {
        const c = { n: msg.c.n, d: digestOf({ lie: msg.c.d }), i: this.id };
        this.count('byzantine_lies');
        return { type: 'pbft_checkpoint', c: { ...c, sig: this.keys.sign(checkpointDigest(c)) } };
      }
      case 'pbft_reply': {
        const body = { v: msg.v, t: msg.t, c: msg.c, i: this.id, r: lieAbout(msg.r) };
        this.count('byzantine_lies');
        return { type: 'pbft_reply', ...body, mac: this.keys.mac(to, replyDigest(body)) };
      }
      default:
        return msg;
    }
  }

  /**
   * Claim a prepared certificate for the first sequence number above the checkpoint: a pre-prepare
   * for a null request in the previous view, and 2f prepares "from" the others, whose signatures it
   * cannot compute. Its own signature on the view-change is genuine; the proof inside is not.
   */
  private forgeViewChange(vc: ViewChange): ViewChange {
    const n = vc.n + 1;
    const v = Math.max(0, vc.v - 1);
    const primary = this.replicas[v % this.replicas.length];
    const d = nullDigest;
    const pp = { v, n, d, sig: primary === this.id ? this.keys.sign(prePrepareDigest({ v, n, d })) : 'forged' };
    const f = Math.floor((this.replicas.length - 1) / 3);
    const prepares = this.replicas
      .filter((r) => r !== primary)
      .slice(0, 2 * f)
      .map((i) => ({ v, n, d, i, sig: i === this.id ? this.keys.sign(prepareDigest({ v, n, d, i })) : 'forged' }));
    const fake: PreparedCert = { pp, m: null, prepares };
    const body = { v: vc.v, n: vc.n, C: vc.C, P: [fake, ...vc.P.filter((c) => c.pp.n !== n)], i: this.id };
    return { ...body, sig: this.keys.sign(viewChangeDigest(body)) };
  }

  /** As new primary: "nothing was prepared": O with the null request everywhere, properly signed. */
  private forgeNewView(nv: NewView): NewView {
    const O = nv.O.map((slot) => {
      const { v, n } = slot.pp;
      return { pp: { v, n, d: nullDigest, sig: this.keys.sign(prePrepareDigest({ v, n, d: nullDigest })) }, m: null };
    });
    const body = { v: nv.v, V: nv.V, O };
    return { ...body, sig: this.keys.sign(newViewDigest(body)) };
  }
}
