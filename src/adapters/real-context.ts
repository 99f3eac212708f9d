/**
 * The real Context: the door a Process uses, opened on the real world. The clock is the machine's
 * (monotonic within the process, aligned with the wall clock at start, so two nodes on one host read
 * the same time); timers are Node's; randomness is Math.random; the network and the disk are
 * whatever the node wires in (src/adapters/tcp-transport.ts and src/adapters/file-disk.ts).
 *
 * The same Process classes run on this and on the simulator's Context: what differs is only what
 * is behind the door.
 */
import type { Context, Disk, Metrics, NodeId, TimerId } from '../runtime/context.js';
import { withFsyncCompletion } from '../runtime/scoped-context.js';

export interface RealContextOptions {
  id: NodeId;
  peers: readonly NodeId[];
  /**
   * Absent for a context whose members open disks of their own (a node's supervisor gives each life
   * of its member a new FileDisk): then any use of this one is a programming error.
   */
  disk?: Disk;
  metrics: Metrics;
  /** Deliver a message: to a peer over the network, or to whatever else `to` names (a client). */
  send: (to: NodeId, msg: unknown) => void;
  log: (event: string, fields: Record<string, unknown>) => void;
  /**
   * Runs every callback the context calls later, timers and fsync completions alike (a node catches
   * the disk's failures there: the work after an fsync may append, and a full disk throws); default:
   * call it.
   */
  guard?: (fn: () => void) => void;
}

export class RealContext implements Context {
  readonly id: NodeId;
  readonly peers: readonly NodeId[];
  readonly disk: Disk;
  readonly metrics: Metrics;
  private readonly timers = new Map<TimerId, ReturnType<typeof setTimeout>>();
  private nextTimer = 1;
  private stopped = false;

  constructor(private readonly opts: RealContextOptions) {
    this.id = opts.id;
    this.peers = opts.peers;
    const disk = opts.disk ?? noDisk(opts.id);
    // An fsync that completes after the node stopped calls nothing back, as a crash in the simulator:
    // the work after it (the durable mark, acknowledgements) belongs to a member that is gone, and
    // its disk may already be closed.
    const guard = opts.guard ?? ((fn: () => void) => fn());
    this.disk = withFsyncCompletion(disk, (done) => {
      if (!this.stopped) guard(done);
    });
    this.metrics = opts.metrics;
  }

  now(): number {
    return performance.timeOrigin + performance.now();
  }

  random(): number {
    return Math.random();
  }

  send(to: NodeId, msg: unknown): void {
    if (!this.stopped) this.opts.send(to, msg);
  }

  setTimer(ms: number, fn: () => void): TimerId {
    const id = this.nextTimer++;
    if (this.stopped) return id;
    const guard = this.opts.guard;
    const h = setTimeout(() => {
      this.timers.delete(id);
      if (this.stopped) return;
      if (guard === undefined) fn();
      else guard(fn);
    }, Math.max(0, ms));
    this.timers.set(id, h);
    return id;
  }

  clearTimer(id: TimerId): void {
    const h = this.timers.get(id);
    if (h === undefined) return;
    clearTimeout(h);
    this.timers.delete(id);
  }

  log(event: string, fields: Record<string, unknown> = {}): void {
    this.opts.log(event, fields);
  }

  /** The node stops: timers die with it and nothing more is sent (as a crash in the simulator). */
  stop(): void {
    this.stopped = true;
    for (const h of this.timers.values()) clearTimeout(h);
    this.timers.clear();
  }
}

/** The disk of a context that has none: every use throws, naming the node. */
function noDisk(id: NodeId): Disk {
  const refuse = (): never => {
    throw new Error(`node ${id}: this context has no disk (its member's supervisor opens one per life)`);
  };
  return { write: refuse, append: refuse, read: refuse, truncate: refuse, remove: refuse, list: refuse, fsync: refuse };
}
