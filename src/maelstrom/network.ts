/**
 * The network of a Maelstrom test, in real time: every message between nodes, clients and services
 * goes through it. Between nodes, and between nodes and services, a message arrives after a latency
 * drawn from the chosen distribution (seeded); to and from clients it arrives at once, as in
 * Maelstrom. A fault may cut or drop a message between nodes; duplication delivers some twice. Faults act between nodes (clients and the
 * built-in services stay reachable, as in Maelstrom): partitions into groups, one-way cuts, loss and
 * duplication. Counts are kept apart for node-to-node, client and service messages, so a result can
 * say how many messages an operation cost the servers.
 */
import type { RandomStream } from '../sim/rng.js';
import type { Message } from './protocol.js';

export type LatencyDist = 'constant' | 'uniform' | 'exponential';

export interface NetworkOptions {
  /** Mean one-way latency in ms. */
  latencyMs: number;
  dist: LatencyDist;
  random: RandomStream;
  isNode: (id: string) => boolean;
  isClient: (id: string) => boolean;
  deliver: (msg: Message) => void;
  /** Every message as it enters the network (Maelstrom's --log-net-send), dropped ones too. */
  onSend?: (msg: Message) => void;
  /** Every message as it is delivered (Maelstrom's --log-net-recv); `again` for a duplicate's second delivery. */
  onReceive?: (msg: Message, again: boolean) => void;
  /** A message a fault cut (partition, one-way) or lost (loss). */
  onDrop?: (msg: Message, reason: 'partition' | 'loss') => void;
}

export interface NetworkStats {
  /** Messages sent from one node to another (what the algorithm costs). */
  serverMessages: number;
  /** Messages between clients and nodes. */
  clientMessages: number;
  /** Messages between nodes and the built-in services. */
  serviceMessages: number;
  dropped: number;
  duplicated: number;
}

export class Network {
  readonly stats: NetworkStats = { serverMessages: 0, clientMessages: 0, serviceMessages: 0, dropped: 0, duplicated: 0 };
  /** "a>b": node a cannot reach node b. */
  private readonly cut = new Set<string>();
  private loss = 0;
  private duplication = 0;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private closed = false;
  /** Messages delivered once: a second delivery is a duplicate's. */
  private readonly delivered = new WeakSet<Message>();

  constructor(private readonly o: NetworkOptions) {}

  send(msg: Message): void {
    if (this.closed) return;
    this.o.onSend?.(msg);
    const fromNode = this.o.isNode(msg.src);
    const toNode = this.o.isNode(msg.dest);
    if (fromNode && toNode) this.stats.serverMessages++;
    else if (this.o.isClient(msg.src) || this.o.isClient(msg.dest)) this.stats.clientMessages++;
    else this.stats.serviceMessages++;
    if (fromNode && toNode) {
      const reason = this.cut.has(`${msg.src}>${msg.dest}`) ? 'partition' : this.loss > 0 && this.o.random.next() < this.loss ? 'loss' : undefined;
      if (reason !== undefined) {
        this.stats.dropped++;
        this.o.onDrop?.(msg, reason);
        return;
      }
      if (this.duplication > 0 && this.o.random.next() < this.duplication) {
        this.stats.duplicated++;
        this.later(msg);
      }
    }
    this.later(msg);
  }

  /** Deliver at once, ahead of everything on the wire (a client's init to a process just started). */
  sendNow(msg: Message): void {
    if (this.closed) return;
    this.o.onSend?.(msg);
    this.stats.clientMessages++;
    this.receive(msg);
  }

  private later(msg: Message): void {
    // Maelstrom gives messages to and from clients no latency: a client's view of latency is the system's.
    const ms = this.o.isClient(msg.src) || this.o.isClient(msg.dest) ? 0 : this.latency();
    const arrive = () => {
      // A partition that began while the message was on the wire cuts it too.
      if (this.closed) return;
      if (this.o.isNode(msg.src) && this.o.isNode(msg.dest) && this.cut.has(`${msg.src}>${msg.dest}`)) {
        this.stats.dropped++;
        this.o.onDrop?.(msg, 'partition');
        return;
      }
      this.receive(msg);
    };
    // No latency: the next turn of the event loop, not a timer's millisecond.
    if (ms <= 0) return void setImmediate(arrive);
    const t = setTimeout(() => {
      this.timers.delete(t);
      arrive();
    }, ms);
    this.timers.add(t);
  }

  private receive(msg: Message): void {
    const again = this.delivered.has(msg);
    this.delivered.add(msg);
    this.o.onReceive?.(msg, again);
    this.o.deliver(msg);
  }

  private latency(): number {
    const mean = this.o.latencyMs;
    if (mean <= 0) return 0;
    switch (this.o.dist) {
      case 'constant':
        return mean;
      case 'uniform':
        return this.o.random.next() * 2 * mean;
      case 'exponential':
        return -Math.log(1 - this.o.random.next()) * mean;
    }
  }

  /** Each pair's nodes cannot reach each other, either way; returns the undo. */
  cutBothWays(pairs: readonly (readonly [string, string])[]): () => void {
    return this.cutLinks(pairs.flatMap(([a, b]) => [`${a}>${b}`, `${b}>${a}`]));
  }

  /** `from` cannot reach `to` (the other way works); returns the undo. */
  oneWay(from: string[], to: string[]): () => void {
    return this.cutLinks(from.flatMap((x) => to.map((y) => `${x}>${y}`)));
  }

  /** Cut "a>b" links; the undo restores only those this call cut (another fault may hold the rest). */
  private cutLinks(links: string[]): () => void {
    const added = links.filter((k) => !this.cut.has(k));
    for (const k of added) this.cut.add(k);
    return () => added.forEach((k) => this.cut.delete(k));
  }

  setLoss(p: number): () => void {
    const before = this.loss;
    this.loss = p;
    return () => (this.loss = before);
  }

  setDuplication(p: number): () => void {
    const before = this.duplication;
    this.duplication = p;
    return () => (this.duplication = before);
  }

  healAll(): void {
    this.cut.clear();
    this.loss = 0;
    this.duplication = 0;
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
