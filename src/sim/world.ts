/**
 * The simulated world: nodes running Processes on virtual time, joined by a faulty network, each with
 * its own disk and its own skewed, drifting clock; plus the fault operations a nemesis uses.
 *
 * Everything that happens goes through the scheduler and into the trace, so a run is a pure function of
 * (scenario, seed).
 */
import type { Context, Disk, Metrics, NodeId, Process, ProcessFactory, TimerId } from '../runtime/context.js';
import { sample, type Distribution } from '../runtime/distribution.js';
import { decodePeerMessage, encodePeerMessage } from '../runtime/peer-codec.js';
import { isStartRefusal, MemberSupervisor } from '../runtime/member-supervisor.js';
import { IdTable } from '../runtime/id-table.js';
import { SimDisk, type CrashMode, type DiskFaultKind } from './disk.js';
import { MetricsRegistry } from './metrics.js';
import { Network, defaultNetwork, type NetworkConfig, type PartitionHandle, type SlowLinkHandle } from './network.js';
import { RandomStreams, type RandomStream } from './rng.js';
import { Scheduler, type SimEvent } from './scheduler.js';
import { Trace, TraceKind, messageTag, type TraceObserver, type TraceSink } from './trace.js';

export type NodeKind = 'server' | 'client';

export interface ClockSpec {
  offsetMs?: number;
  driftPpm?: number;
}

export interface NodeOptions<Config = unknown> {
  id: NodeId;
  kind?: NodeKind;
  region?: string;
  factory: ProcessFactory<Config>;
  config?: Config;
  clock?: ClockSpec;
  /** CPU time to handle one message (ms); messages queue behind each other. Multiplied by slowness. */
  cpuMsPerMessage?: number;
}

export interface DiskConfig {
  fsyncMs: Distribution;
}

export interface WorldOptions {
  seed: number;
  nodes: NodeOptions<any>[];
  network?: Partial<NetworkConfig>;
  disk?: Partial<DiskConfig>;
  /** Receives every trace record as a JSON line. */
  trace?: TraceSink;
  /** Receives every trace record as an object (a live view draws from it without a JSON round trip). */
  traceObserver?: TraceObserver;
  /** Shared metrics registry (one is created when absent). */
  metrics?: MetricsRegistry;
}

export type NodeStatus = 'up' | 'down' | 'paused';

export const defaultDisk: DiskConfig = { fsyncMs: { dist: 'uniform', min: 0.5, max: 2 } };

class SimNode {
  status: NodeStatus = 'down';
  /** Incremented on each crash; callbacks of an older incarnation are dropped. */
  epoch = 0;
  /** The node's Process runs under the supervisor a real node's member runs under (member-supervisor.ts). */
  process: MemberSupervisor | undefined;
  ctx: SimContext | undefined;
  slow = 1;
  busyUntil = 0;
  /** Work deferred while paused (deliveries and timers), run in order on resume. */
  deferred: (() => void)[] = [];
  /** Timers set and not yet fired or cleared, by id. */
  readonly timers = new IdTable<SimEvent>();
  timerIdNext = 1;
  // Clock: local = l0 + rate * (t - t0)
  clockL0 = 0;
  clockT0 = 0;
  clockRate = 1;
  readonly disk: SimDisk;
  readonly random: RandomStream;
  readonly diskRandom: RandomStream;
  /** Draws of the disk faults a nemesis gives this node (which bytes, which writes). */
  readonly diskFaultRandom: RandomStream;
  readonly kind: NodeKind;
  readonly cpuMsPerMessage: number;
  readonly id: NodeId;

  constructor(
    readonly world: World,
    readonly index: number,
    readonly opts: NodeOptions,
    readonly peers: readonly NodeId[],
  ) {
    this.kind = opts.kind ?? 'server';
    this.id = opts.id;
    this.cpuMsPerMessage = opts.cpuMsPerMessage ?? 0;
    this.random = world.rng.stream(`node/${opts.id}`);
    this.diskRandom = world.rng.stream(`disk/${opts.id}`);
    this.diskFaultRandom = world.rng.stream(`disk-fault/${opts.id}`);
    this.clockL0 = opts.clock?.offsetMs ?? 0;
    this.clockRate = 1 + (opts.clock?.driftPpm ?? 0) / 1e6;
    this.disk = new SimDisk({
      now: () => world.now,
      fsyncDelayMs: () => sample(world.diskConfig.fsyncMs, () => this.diskRandom.next()) * this.slow,
      scheduleSync: (at, file, complete) => {
        const epoch = this.epoch;
        world.scheduler.at(at, () => {
          if (this.epoch !== epoch) return;
          world.trace.record(TraceKind.fsync, world.now, this.index, 0, 0, file);
          if (world.trace.exporting) world.trace.emit({ t: world.now, kind: 'fsync', node: this.id, file });
          this.runOrDefer(complete);
        });
      },
      syncFailed: (error) => this.process?.diskFailed(error),
    });
  }

  localNow(t: number): number {
    return this.clockL0 + this.clockRate * (t - this.clockT0);
  }

  /** Run a callback of this node now, or after resume when paused. */
  runOrDefer(fn: () => void): void {
    if (this.status === 'up') fn();
    else if (this.status === 'paused') this.deferred.push(fn);
  }
}

/** A message in flight: its bytes, or the sender's object when the network carries no codec. Recycled through World.spareDeliveries once handled (the hot path allocates none). */
class Delivery implements SimEvent {
  time = 0;
  seq = 0;
  cancelled = false;
  from = 0;
  to = 0;
  msgId = 0;
  payload: unknown = undefined;
  constructor(private readonly world: World) {}
  run(): void {
    this.world.deliver(this);
  }
}

/** A timer of a node's Context: one object per timer, no closures around it. */
class Timer implements SimEvent {
  time = 0;
  seq = 0;
  cancelled = false;
  constructor(
    private readonly node: SimNode,
    private readonly epoch: number,
    private readonly id: TimerId,
    private readonly fn: () => void,
  ) {}
  run(): void {
    const node = this.node;
    if (node.epoch !== this.epoch) return;
    const world = node.world;
    world.trace.record(TraceKind.timer, world.now, node.index, this.id, 0, undefined);
    if (world.trace.exporting) world.trace.emit({ t: world.now, kind: 'timer', node: node.id, timer: this.id });
    if (node.status === 'up') this.fire();
    // A timer that fires while the node is paused stays cancellable until it runs on resume:
    // work deferred before it (a reply that arrived first) may still clear it.
    else if (node.status === 'paused') node.deferred.push(() => this.fire());
  }
  private fire(): void {
    if (this.node.timers.delete(this.id)) this.fn();
  }
}

class SimContext implements Context {
  readonly metrics: Metrics;
  readonly id: NodeId;
  readonly peers: readonly NodeId[];
  readonly disk: Disk;
  constructor(
    private readonly node: SimNode,
    private readonly epoch: number,
  ) {
    this.metrics = node.world.metrics;
    this.id = node.id;
    this.peers = node.peers;
    this.disk = node.disk;
  }
  private get alive(): boolean {
    return this.node.epoch === this.epoch && this.node.status !== 'down';
  }
  now(): number {
    return this.node.localNow(this.node.world.now);
  }
  random(): number {
    return this.node.random.next();
  }
  send(to: NodeId, msg: unknown): void {
    if (this.alive) this.node.world.send(this.node, to, msg);
  }
  setTimer(ms: number, fn: () => void): TimerId {
    const node = this.node;
    const id = node.timerIdNext++;
    if (!this.alive) return id;
    const ev = new Timer(node, this.epoch, id, fn);
    // The node's clock runs at clockRate, so `ms` of local time is ms / rate of virtual time.
    const world = node.world;
    ev.time = world.now + (ms > 0 ? ms / node.clockRate : 0);
    world.scheduler.push(ev);
    node.timers.set(id, ev);
    return id;
  }
  clearTimer(id: TimerId): void {
    const ev = this.node.timers.get(id);
    if (ev !== undefined) {
      this.node.world.scheduler.cancel(ev);
      this.node.timers.delete(id);
    }
  }
  log(event: string, fields?: Record<string, unknown>): void {
    const world = this.node.world;
    world.trace.record(TraceKind.log, world.now, this.node.index, 0, 0, event);
    if (fields !== undefined) world.trace.json(fields);
    if (world.trace.exporting) world.trace.emit({ t: world.now, kind: 'log', node: this.node.id, event, ...fields });
  }
}

export class World {
  readonly rng: RandomStreams;
  readonly scheduler = new Scheduler();
  readonly trace: Trace;
  readonly metrics: MetricsRegistry;
  readonly network: Network;
  readonly diskConfig: DiskConfig;
  private readonly nodes: SimNode[] = [];
  /** Node by id; a null-prototype object, a little faster than a Map on the send path. */
  private readonly byId: Record<NodeId, SimNode | undefined> = Object.create(null);
  private msgIdNext = 1;
  private started = false;
  /** Server-to-server message counts, published as the net_* counters. */
  private readonly net = { sent: 0, dropped: 0, duplicated: 0 };
  private readonly spareDeliveries: Delivery[] = [];
  /** Messages cross the links as the real peer codec's bytes (network.codec 'peer'). */
  private readonly encodes: boolean;

  constructor(opts: WorldOptions) {
    this.rng = new RandomStreams(opts.seed);
    this.trace = new Trace(opts.trace, opts.traceObserver);
    this.metrics = opts.metrics ?? new MetricsRegistry();
    this.diskConfig = { ...defaultDisk, ...opts.disk };
    const ids = new Set<string>();
    for (const o of opts.nodes) {
      if (ids.has(o.id)) throw new Error(`duplicate node id ${o.id}`);
      ids.add(o.id);
    }
    const servers = opts.nodes.filter((o) => (o.kind ?? 'server') === 'server').map((o) => o.id);
    opts.nodes.forEach((o, i) => {
      const peers = (o.kind ?? 'server') === 'server' ? servers.filter((s) => s !== o.id) : servers;
      const node = new SimNode(this, i, o, Object.freeze(peers));
      this.nodes.push(node);
      this.byId[o.id] = node;
    });
    this.metrics.addCollector(() => ({ net_sent: this.net.sent, net_dropped: this.net.dropped, net_duplicated: this.net.duplicated }));
    this.network = new Network(
      this.nodes.map((n) => ({ index: n.index, id: n.id, region: n.opts.region })),
      { ...defaultNetwork, ...opts.network },
      this.rng,
    );
    this.encodes = this.network.config.codec === 'peer';
  }

  /** Virtual time in ms. */
  get now(): number {
    return this.scheduler.now;
  }

  get events(): number {
    return this.scheduler.executed;
  }

  nodeIds(kind?: NodeKind): NodeId[] {
    return this.nodes.filter((n) => kind === undefined || n.kind === kind).map((n) => n.id);
  }

  /** Start every node (at virtual time 0, in declaration order). */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const n of this.nodes) this.boot(n, TraceKind.start);
  }

  /** Run until virtual time `untilMs` (or until nothing is left to do). */
  run(untilMs: number): void {
    this.start();
    this.scheduler.runUntil(untilMs);
  }

  /** Schedule a harness action (workload, nemesis) at an absolute virtual time. */
  at(timeMs: number, fn: () => void): SimEvent {
    return this.scheduler.at(timeMs, fn);
  }

  status(id: NodeId): NodeStatus {
    return this.node(id).status;
  }

  /** A node's Process; undefined while the node is down or its supervisor has stopped it (a disk failure). */
  process(id: NodeId): Process | undefined {
    return this.node(id).process?.member;
  }

  /**
   * What holds back a message sent now from -> to beyond its link's own latency: the ms a slow link
   * adds, and the sender's slowness (a gray failure multiplies its send delays; 1 = healthy). Reads only.
   */
  holdBack(from: NodeId, to: NodeId): { addedMs: number; slowFactor: number } {
    const a = this.node(from);
    const b = this.byId[to];
    return { addedMs: b === undefined ? 0 : this.network.addedLatencyMs(a.index, b.index), slowFactor: a.slow };
  }

  /** Why a node's Process is stopped while the node runs (a disk failure), if it is. */
  stoppedFor(id: NodeId): string | undefined {
    return this.node(id).process?.failure;
  }

  disk(id: NodeId): SimDisk {
    return this.node(id).disk;
  }

  /** Servers that are up and whose process describes itself with this role, in declaration order. */
  nodesInRole(role: string): NodeId[] {
    return this.nodes.filter((n) => n.kind === 'server' && n.status === 'up' && n.process?.describe?.().role === role).map((n) => n.id);
  }

  /** The local clock of a node at the current virtual time. */
  clock(id: NodeId): number {
    return this.node(id).localNow(this.now);
  }

  private node(id: NodeId): SimNode {
    const n = this.byId[id];
    if (n === undefined) throw new Error(`unknown node ${id}`);
    return n;
  }

  private boot(n: SimNode, kind: number): void {
    n.status = 'up';
    n.busyUntil = this.now;
    n.ctx = new SimContext(n, n.epoch);
    this.trace.record(kind, this.now, n.index, n.epoch, 0, undefined);
    if (this.trace.exporting) this.trace.emit({ t: this.now, kind: kind === TraceKind.start ? 'start' : 'restart', node: n.id });
    const { factory, config } = n.opts;
    // The policy for a disk that fails under the node is the real node's own code: the supervisor
    // stops the Process, and restarts it from its disk once the disk works again.
    const process = new MemberSupervisor(n.ctx, { build: (ctx) => factory(ctx, config) });
    n.process = process;
    try {
      process.start();
    } catch (e) {
      if (!isStartRefusal(e)) throw e;
      // What `pillars node` does with a log it cannot trust: it does not start, and says why. No
      // operator comes in a run: the node stays down.
      this.fault(TraceKind.crash, 'refused-start', n.index, { node: n.id });
      this.halt(n, 'lose-unsynced');
      this.metrics.count('refused_starts');
      if (this.trace.exporting) this.trace.emit({ t: this.now, kind: 'log', node: n.id, event: 'start_refused', reason: (e as Error).message });
    }
  }

  // --- the network path -------------------------------------------------------------------

  /** Called by a Context. */
  send(from: SimNode, to: NodeId, msg: unknown): void {
    const dst = this.byId[to];
    const msgId = this.msgIdNext++;
    const between = from.kind === 'server' && dst?.kind === 'server';
    if (between) this.net.sent++;
    // Encoded at send, as the real transport does, whatever its fate: a message the codec cannot
    // carry fails here, in the sender's stack, and later changes to the object do not travel.
    const payload = this.encodes ? encodePeerMessage(msg) : msg;
    // A send is not a trace record of its own: its fate is (a delivery, a drop or a duplicate, each
    // carrying the message id), and the hash covers those. Its exported line says when it is due.
    const blocked = dst === undefined || this.network.isBlocked(from.index, dst.index);
    const delay = blocked ? -1 : this.network.delayOrLost(from.index, dst.index, from.slow, this.now);
    if (this.trace.exporting) this.emitSend(from, to, msgId, msg, payload, delay);
    if (blocked) {
      this.drop(from.index, dst?.index ?? -1, msgId, dst === undefined ? 'unknown-node' : 'partition', between);
      return;
    }
    if (delay < 0) {
      this.drop(from.index, dst.index, msgId, 'loss', between);
      return;
    }
    this.enqueue(from.index, dst.index, msgId, payload, delay);
    const copy = this.network.duplicateDelay(from.index, dst.index, from.slow, this.now);
    if (copy >= 0) {
      if (between) this.net.duplicated++;
      this.trace.record(TraceKind.duplicate, this.now, from.index, dst.index, msgId, undefined);
      if (this.trace.exporting) this.trace.emit({ t: this.now, kind: 'duplicate', from: from.id, to, id: msgId, due: this.now + copy });
      // The same bytes; each delivery decodes its own copy.
      this.enqueue(from.index, dst.index, msgId, payload, copy);
    }
  }

  /** The exported line of a send: `due` is when it arrives, absent for a message lost at once. */
  private emitSend(from: SimNode, to: NodeId, id: number, msg: unknown, payload: unknown, delay: number): void {
    const due = delay < 0 ? undefined : this.now + delay;
    this.trace.emit(this.encodes ? { t: this.now, kind: 'send', from: from.id, to, id, due, bytes: (payload as Uint8Array).length, msg } : { t: this.now, kind: 'send', from: from.id, to, id, due, msg });
  }

  private enqueue(from: number, to: number, msgId: number, payload: unknown, delay: number): void {
    const ev = this.spareDeliveries.pop() ?? new Delivery(this);
    ev.from = from;
    ev.to = to;
    ev.msgId = msgId;
    ev.payload = payload;
    ev.time = this.now + delay;
    this.scheduler.push(ev);
  }

  private drop(from: number, to: number, msgId: number, reason: string, between: boolean): void {
    if (between) this.net.dropped++;
    this.trace.record(TraceKind.drop, this.now, from, to, msgId, reason);
    if (this.trace.exporting) this.trace.emit({ t: this.now, kind: 'drop', from: this.nodes[from]?.id, to: this.nodes[to]?.id, id: msgId, reason });
  }

  /** Called by a Delivery event. */
  deliver(d: Delivery): void {
    const dst = this.nodes[d.to];
    // A partition that began while the message was in flight cuts it too: the link is down.
    if (this.network.isBlocked(d.from, d.to)) return this.drop(d.from, d.to, d.msgId, 'partition', dst.kind === 'server' && this.nodes[d.from].kind === 'server');
    if (dst.status === 'down') return this.drop(d.from, d.to, d.msgId, 'node-down', false);
    const cost = dst.cpuMsPerMessage * dst.slow;
    // The common case, a running node with no CPU model, is handled without allocating.
    if (dst.status === 'up' && cost === 0) {
      this.handle(d);
      d.payload = undefined;
      this.spareDeliveries.push(d);
      return;
    }
    const handle = () => this.handle(d);
    if (dst.status === 'paused') {
      dst.deferred.push(handle);
    } else {
      // A single-threaded node: the message waits for the CPU, then takes `cost` of it.
      const start = Math.max(this.now, dst.busyUntil);
      dst.busyUntil = start + cost;
      const epoch = dst.epoch;
      this.scheduler.at(dst.busyUntil, () => {
        if (dst.epoch === epoch) dst.runOrDefer(handle);
      });
    }
  }

  private handle(d: Delivery): void {
    const dst = this.nodes[d.to];
    const p = dst.process;
    if (p === undefined) return;
    const msg = this.encodes ? decodePeerMessage(d.payload as Uint8Array) : d.payload;
    this.trace.record(TraceKind.deliver, this.now, d.from, d.to, d.msgId, messageTag(msg));
    if (this.trace.exporting) this.trace.emit({ t: this.now, kind: 'deliver', from: this.nodes[d.from].id, to: dst.id, id: d.msgId });
    p.onMessage(this.nodes[d.from].id, msg);
  }

  // --- faults -------------------------------------------------------------------------------

  private fault(kind: number, name: string, node: number, fields: Record<string, unknown>): void {
    this.trace.record(kind, this.now, node, 0, 0, name);
    if (this.trace.exporting) this.trace.emit({ t: this.now, kind: 'fault', fault: name, ...fields });
  }

  /**
   * A disk fault (disk.ts). torn-write and crash-reorder crash the node with that damage to its
   * unsynced writes; bit-flip, zero-sector, misdirected-write, lost-write and cut-log crash it and
   * damage what was durable; all of these restart it when undone. eio-append and enospc-append make
   * its changes fail until undone; eio-fsync and enospc-fsync fail its next fsync. A Process a disk
   * error stops is restarted by its supervisor, as a real node's member (member-supervisor.ts).
   */
  diskFault(id: NodeId, kind: DiskFaultKind): () => void {
    const n = this.node(id);
    const end = () => this.endDiskFault(id, kind);
    switch (kind) {
      case 'eio-append':
      case 'enospc-append':
        this.fault(TraceKind.fault, `disk-${kind}`, n.index, { node: id });
        n.disk.failChanges(kind === 'eio-append' ? 'EIO' : 'ENOSPC');
        return end;
      case 'eio-fsync':
      case 'enospc-fsync':
        this.fault(TraceKind.fault, `disk-${kind}`, n.index, { node: id });
        n.disk.failNextSync(kind === 'eio-fsync' ? 'EIO' : 'ENOSPC');
        return end;
      case 'torn-write':
      case 'crash-reorder':
        if (n.status === 'down') return () => {};
        this.crash(id, kind, `disk-${kind}`);
        return end;
      default: {
        if (n.status === 'down') return () => {};
        this.crash(id);
        const detail = n.disk.damage(kind, n.diskFaultRandom);
        this.fault(TraceKind.fault, `disk-${kind}`, n.index, { node: id, ...detail });
        return end;
      }
    }
  }

  /**
   * What ends a disk fault that struck: changes succeed again (eio-append, enospc-append), the next
   * fsync is no longer doomed (eio-fsync, enospc-fsync), or the node crashed by it restarts (the rest).
   */
  endDiskFault(id: NodeId, kind: DiskFaultKind): void {
    const n = this.node(id);
    switch (kind) {
      case 'eio-append':
      case 'enospc-append':
        // The node's supervisor restarts a Process the failures stopped at its next check.
        return n.disk.failChanges(undefined);
      case 'eio-fsync':
      case 'enospc-fsync':
        return n.disk.failNextSync(undefined);
      default:
        return this.restart(id);
    }
  }

  /** Crash a node: its process and everything it had not fsynced are gone (or torn, or kept out of order). */
  crash(id: NodeId, mode: CrashMode = 'lose-unsynced', name = 'crash'): void {
    const n = this.node(id);
    if (n.status === 'down') return;
    this.fault(TraceKind.crash, name, n.index, { node: id });
    this.halt(n, mode);
    this.metrics.count('crashes');
  }

  /** The node stops where it stands: its timers, its deferred work and its unsynced writes are gone. */
  private halt(n: SimNode, mode: CrashMode): void {
    n.epoch++;
    n.status = 'down';
    n.process = undefined;
    n.ctx = undefined;
    for (const ev of n.timers.valuesInAnyOrder()) this.scheduler.cancel(ev);
    n.timers.clear();
    n.deferred = [];
    n.disk.crash(mode, n.diskFaultRandom);
  }

  /** Restart a crashed node: a new Process is built and reads what its disk kept. */
  restart(id: NodeId): void {
    const n = this.node(id);
    if (n.status !== 'down') return;
    this.boot(n, TraceKind.restart);
  }

  /** Stop a node's execution (SIGSTOP): messages and timers wait until resume. */
  pause(id: NodeId): void {
    const n = this.node(id);
    if (n.status !== 'up') return;
    this.fault(TraceKind.pause, 'pause', n.index, { node: id });
    n.status = 'paused';
  }

  resume(id: NodeId): void {
    const n = this.node(id);
    if (n.status !== 'paused') return;
    this.fault(TraceKind.resume, 'resume', n.index, { node: id });
    n.status = 'up';
    const work = n.deferred;
    n.deferred = [];
    for (const fn of work) {
      if (n.status !== 'up') {
        n.deferred.push(fn);
        continue;
      }
      fn();
    }
  }

  /** Gray failure: multiply the node's CPU, send and fsync delays by `factor` (1 = healthy). */
  setSlow(id: NodeId, factor: number): void {
    const n = this.node(id);
    this.fault(TraceKind.fault, 'slow', n.index, { node: id, factor });
    n.slow = factor;
  }

  /** The drift of a node's clock now, in parts per million. */
  clockDriftPpm(id: NodeId): number {
    return (this.node(id).clockRate - 1) * 1e6;
  }

  /** Jump a node's clock by `offsetMs` and/or set its drift rate (parts per million). */
  skewClock(id: NodeId, spec: ClockSpec): void {
    const n = this.node(id);
    this.fault(TraceKind.fault, 'clock', n.index, { node: id, ...spec });
    const local = n.localNow(this.now);
    n.clockL0 = local + (spec.offsetMs ?? 0);
    n.clockT0 = this.now;
    if (spec.driftPpm !== undefined) n.clockRate = 1 + spec.driftPpm / 1e6;
  }

  partition(groups: NodeId[][]): PartitionHandle {
    const desc = groups.map((g) => g.join(',')).join(' | ');
    this.fault(TraceKind.fault, 'partition', -1, { groups });
    return this.network.partitionGroups(groups.map((g) => g.map((id) => this.node(id).index)), desc);
  }

  partitionOneWay(from: NodeId[], to: NodeId[]): PartitionHandle {
    this.fault(TraceKind.fault, 'one-way', -1, { from, to });
    return this.network.partitionOneWay(from.map((id) => this.node(id).index), to.map((id) => this.node(id).index), `${from.join(',')} -/-> ${to.join(',')}`);
  }

  /** Add latency to the links from -> to (and back, unless oneWay): a slow link, not a cut one. */
  slowLinks(from: NodeId[], to: NodeId[], addedMs: number, oneWay: boolean): SlowLinkHandle {
    this.fault(TraceKind.fault, 'slow-link', -1, { from, to, addedMs, oneWay });
    const [a, b] = [from.map((id) => this.node(id).index), to.map((id) => this.node(id).index)];
    const pairs: [number, number][] = [];
    for (const x of a) {
      for (const y of b) {
        if (x === y) continue;
        pairs.push([x, y]);
        if (!oneWay) pairs.push([y, x]);
      }
    }
    return this.network.slowLinks(pairs, addedMs, slowLinkName(from, to, oneWay));
  }

  endSlowLinks(h: SlowLinkHandle): void {
    this.fault(TraceKind.heal, 'slow-link-end', -1, { link: h.description });
    this.network.endSlowLinks(h);
  }

  heal(h?: PartitionHandle): void {
    this.fault(TraceKind.heal, 'heal', -1, { partition: h?.description ?? 'all' });
    if (h === undefined) this.network.healAll();
    else this.network.heal(h);
  }

  /** Extra message loss on every link, on top of the configured loss. */
  setExtraLoss(p: number): void {
    this.fault(TraceKind.fault, 'loss', -1, { p });
    this.network.extraLoss = p;
  }
}

/** How a slow link is named in the trace (its start and its end): `n1 ~> n4` one way, `n1 <~> n4` both. */
export function slowLinkName(from: readonly NodeId[], to: readonly NodeId[], oneWay: boolean): string {
  return `${from.join(',')} ${oneWay ? '~>' : '<~>'} ${to.join(',')}`;
}
