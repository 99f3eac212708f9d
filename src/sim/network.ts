/**
 * The simulated network: per-link latency distributions, loss, duplication, reordering, and
 * partitions (by groups, one-way, or whole nodes), healed independently of one another.
 *
 * Every link (ordered pair of nodes) draws from its own random stream, `link/<from>-><to>`, so adding a
 * node or a link never changes the draws of the others.
 */
import { sample, type Distribution } from '../runtime/distribution.js';
import type { RandomStreams, RandomStream } from './rng.js';

const CONSTANT = 0, UNIFORM = 1, EXPONENTIAL = 2, OTHER = 3;

/** One direction of a link: its stream and its latency distribution, unpacked for the hot path. */
class Link {
  readonly kind: number;
  readonly p1: number;
  readonly p2: number;
  readonly uniform: () => number;
  constructor(
    readonly stream: RandomStream,
    readonly dist: Distribution,
  ) {
    this.uniform = () => stream.next();
    if (dist.dist === 'constant') [this.kind, this.p1, this.p2] = [CONSTANT, dist.value, 0];
    else if (dist.dist === 'uniform') [this.kind, this.p1, this.p2] = [UNIFORM, dist.min, dist.max - dist.min];
    else if (dist.dist === 'exponential') [this.kind, this.p1, this.p2] = [EXPONENTIAL, dist.mean, 0];
    else [this.kind, this.p1, this.p2] = [OTHER, 0, 0];
  }

  latency(): number {
    switch (this.kind) {
      case CONSTANT:
        return this.p1;
      case UNIFORM:
        return this.p1 + this.p2 * this.stream.next();
      case EXPONENTIAL:
        return -this.p1 * Math.log(1 - this.stream.next());
      default:
        return sample(this.dist, this.uniform);
    }
  }
}

export interface LinkOverride {
  from: string;
  to: string;
  latency: Distribution;
  /** Apply to both directions (default true). */
  both?: boolean;
}

export interface NetworkConfig {
  /** Latency of every link unless a region matrix or a link override says otherwise. */
  latency: Distribution;
  /** Probability that a message is lost. */
  loss: number;
  /** Probability that a message is delivered twice (the copy with its own latency draw). */
  duplicate: number;
  /** Probability that a message is held back by an extra uniform(0, reorderDelayMs) delay. */
  reorder: number;
  reorderDelayMs: number;
  /**
   * `any`: each message takes its own delay, so a later one may overtake an earlier one (datagrams, or
   * connections that come and go). `fifo`: a message never arrives before one sent earlier on the same
   * directed link, as on one TCP connection, which is what the real node's peers and clients use; a
   * held-back message (`reorder`) then holds back the ones behind it, as a retransmission does.
   */
  ordering: LinkOrdering;
  /** Latency between regions: regionLatency[a][b]; missing entries fall back to `latency`. */
  regionLatency?: Record<string, Record<string, Distribution>>;
  links?: LinkOverride[];
  /**
   * How a message crosses a link. `peer`: encoded by the real transport's codec at send and decoded
   * afresh at each delivery, so the receiver holds its own copy, exactly what a real peer would decode.
   * `none`: the sender's object itself, by reference (faster; hides aliasing and what the codec drops).
   */
  codec: MessageCodec;
}

export type MessageCodec = 'peer' | 'none';
export type LinkOrdering = 'any' | 'fifo';

export const defaultNetwork: NetworkConfig = {
  latency: { dist: 'constant', value: 1 },
  loss: 0,
  duplicate: 0,
  reorder: 0,
  reorderDelayMs: 10,
  ordering: 'any',
  codec: 'peer',
};

export interface NetworkNode {
  index: number;
  id: string;
  region?: string;
}

/** Added latency on some directed links, in force until ended: a slow link, not a cut one. */
export interface SlowLinkHandle {
  readonly id: number;
  readonly pairs: ReadonlyArray<readonly [number, number]>;
  readonly addedMs: number;
  readonly description: string;
}

/** A partition that is in force until healed: a set of blocked directed pairs. */
export interface PartitionHandle {
  readonly id: number;
  readonly pairs: ReadonlyArray<readonly [number, number]>;
  readonly description: string;
}

export class Network {
  private readonly n: number;
  private readonly latency: Distribution[];
  /** Per directed link, built on first use. */
  private readonly links: (Link | undefined)[];
  /** blocked[from * n + to] counts the partitions that cut that direction. */
  private readonly blocked: Int32Array;
  private readonly active = new Map<number, PartitionHandle>();
  private partitionIdNext = 1;
  /** addedMs[from * n + to]: the latency slow links add to that direction (0 on most). */
  private readonly addedMs: Float64Array;
  private readonly slowed = new Map<number, SlowLinkHandle>();
  private slowLinkIdNext = 1;
  /** Extra loss probability from faults (added to the configured one). */
  extraLoss = 0;
  /** dueLast[from * n + to]: when the last message sent on that link arrives (fifo ordering only). */
  private readonly dueLast: Float64Array | undefined;

  constructor(
    private readonly nodes: readonly NetworkNode[],
    readonly config: NetworkConfig,
    private readonly rng: RandomStreams,
  ) {
    const n = (this.n = nodes.length);
    this.latency = new Array(n * n);
    this.links = new Array(n * n).fill(undefined);
    this.blocked = new Int32Array(n * n);
    this.addedMs = new Float64Array(n * n);
    this.dueLast = config.ordering === 'fifo' ? new Float64Array(n * n) : undefined;
    for (const a of nodes) {
      for (const b of nodes) {
        const ra = a.region, rb = b.region;
        const regional = ra !== undefined && rb !== undefined ? (config.regionLatency?.[ra]?.[rb] ?? config.regionLatency?.[rb]?.[ra]) : undefined;
        this.latency[a.index * n + b.index] = regional ?? config.latency;
      }
    }
    const byId = new Map(nodes.map((x) => [x.id, x.index]));
    for (const l of config.links ?? []) {
      const f = byId.get(l.from), t = byId.get(l.to);
      if (f === undefined || t === undefined) throw new Error(`link ${l.from}->${l.to} names an unknown node`);
      this.latency[f * n + t] = l.latency;
      if (l.both !== false) this.latency[t * n + f] = l.latency;
    }
  }

  private link(from: number, to: number): Link {
    const k = from * this.n + to;
    let l = this.links[k];
    if (l === undefined) {
      l = new Link(this.rng.stream(`link/${this.nodes[from].id}->${this.nodes[to].id}`), this.latency[k]);
      this.links[k] = l;
    }
    return l;
  }

  isBlocked(from: number, to: number): boolean {
    return this.blocked[from * this.n + to] > 0;
  }

  /**
   * The delay (ms) of one message on a link, or -1 when it is lost. Partitions are checked by the
   * world, at send and at delivery.
   */
  delayOrLost(from: number, to: number, slowFactor: number, nowMs: number): number {
    const l = this.link(from, to);
    const loss = this.config.loss + this.extraLoss;
    if (loss > 0 && l.stream.next() < loss) return -1;
    return this.inOrder(from * this.n + to, this.delay(l, slowFactor) + this.addedMs[from * this.n + to], nowMs);
  }

  /** The delay of a duplicate copy of a message just sent, or -1 when it is not duplicated. */
  duplicateDelay(from: number, to: number, slowFactor: number, nowMs: number): number {
    if (this.config.duplicate === 0) return -1;
    const l = this.link(from, to);
    return l.stream.next() < this.config.duplicate ? this.inOrder(from * this.n + to, this.delay(l, slowFactor) + this.addedMs[from * this.n + to], nowMs) : -1;
  }

  /**
   * On a fifo link, a message waits for the one sent before it: its delay is stretched to arrive no
   * earlier (a tie is delivered in send order: the scheduler breaks ties by sequence). The draws are
   * the same either way, so `ordering` changes arrival times and nothing else.
   */
  private inOrder(k: number, delay: number, nowMs: number): number {
    const due = this.dueLast;
    if (due === undefined) return delay;
    let d = delay;
    if (nowMs + d < due[k]) {
      d = due[k] - nowMs;
      // The world adds the delay to now again: rounding must not land a hair before the earlier one.
      if (nowMs + d < due[k]) d += due[k] * Number.EPSILON;
    }
    due[k] = nowMs + d;
    return d;
  }

  private delay(l: Link, slowFactor: number): number {
    let d = l.latency() * slowFactor;
    if (this.config.reorder > 0 && l.stream.next() < this.config.reorder) d += l.stream.next() * this.config.reorderDelayMs;
    return d;
  }

  /** Cut every direction between nodes of different groups (nodes in no group are untouched). */
  partitionGroups(groups: number[][], description: string): PartitionHandle {
    const pairs: [number, number][] = [];
    for (let i = 0; i < groups.length; i++) {
      for (let j = 0; j < groups.length; j++) {
        if (i === j) continue;
        for (const a of groups[i]) for (const b of groups[j]) pairs.push([a, b]);
      }
    }
    return this.block(pairs, description);
  }

  /** Cut only the direction from -> to. */
  partitionOneWay(from: number[], to: number[], description: string): PartitionHandle {
    const pairs: [number, number][] = [];
    for (const a of from) for (const b of to) if (a !== b) pairs.push([a, b]);
    return this.block(pairs, description);
  }

  private block(pairs: [number, number][], description: string): PartitionHandle {
    for (const [a, b] of pairs) this.blocked[a * this.n + b]++;
    const h: PartitionHandle = { id: this.partitionIdNext++, pairs, description };
    this.active.set(h.id, h);
    return h;
  }

  heal(h: PartitionHandle): void {
    if (!this.active.delete(h.id)) return;
    for (const [a, b] of h.pairs) this.blocked[a * this.n + b]--;
  }

  healAll(): void {
    for (const h of [...this.active.values()]) this.heal(h);
  }

  get partitions(): PartitionHandle[] {
    return [...this.active.values()];
  }

  /**
   * Add `addedMs` to every message sent on these directed links from now on (messages already in
   * flight keep their delay). Slow links stack; the stream draws are the same as without them.
   */
  slowLinks(pairs: [number, number][], addedMs: number, description: string): SlowLinkHandle {
    const h: SlowLinkHandle = { id: this.slowLinkIdNext++, pairs, addedMs, description };
    this.slowed.set(h.id, h);
    this.sumAddedMs(pairs);
    return h;
  }

  endSlowLinks(h: SlowLinkHandle): void {
    if (this.slowed.delete(h.id)) this.sumAddedMs(h.pairs);
  }

  /** The latency added to from -> to now (ms). */
  addedLatencyMs(from: number, to: number): number {
    return this.addedMs[from * this.n + to];
  }

  get slowLinksInForce(): SlowLinkHandle[] {
    return [...this.slowed.values()];
  }

  /** Sum again, in the order struck, what the slow links in force add to these pairs: no rounding residue is left when one ends. */
  private sumAddedMs(pairs: ReadonlyArray<readonly [number, number]>): void {
    for (const [a, b] of pairs) this.addedMs[a * this.n + b] = 0;
    for (const h of this.slowed.values()) for (const [a, b] of h.pairs) if (pairs.some(([x, y]) => x === a && y === b)) this.addedMs[a * this.n + b] += h.addedMs;
  }
}
