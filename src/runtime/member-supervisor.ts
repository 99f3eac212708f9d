/**
 * The supervisor of a node's member: what a node does when its disk fails under the member it runs,
 * one piece of code for the simulator (every simulated node's Process runs under one, src/sim/world.ts)
 * and for `pillars node` (src/node/kv-node.ts), so the simulator breaks the very policy production runs.
 *
 * - A disk error (DiskError: EIO, ENOSPC) thrown by member code, or a failed fsync the disk reports
 *   later (diskFailed), stops the member at once: its timers die, it sends nothing more, and the fsync
 *   completions still due call nothing back. Nothing it had not fsynced was acknowledged, so nothing
 *   acknowledged is lost; what waits on it (the node's client requests) hears that the outcome is
 *   unknown (the `stopped` hook).
 * - Every `restartCheckMs` the supervisor asks whether the disk has room again (`mayRestart`: the
 *   real node reads its free space) and then builds a new member from what the disk holds, as after a
 *   crash. A restart that fails is tried again at the next check.
 * - A member that refuses to start (a log it cannot trust: StartRefusedError) is not the disk's
 *   fault to wait out: at the first start the refusal goes to the caller (the real node exits naming
 *   the file and offset; the simulator keeps that node down).
 */
import type { Context, Description, Disk, NodeId, Process, TimerId } from './context.js';
import { isDiskError, type DiskError } from './disk-error.js';
import { withFsyncCompletion } from './scoped-context.js';
import { IdTable } from './id-table.js';

/** A member cannot start from what its disk holds, and waiting will not change that (a corrupt log). */
export class StartRefusedError extends Error {
  override name = 'StartRefusedError';
}

export function isStartRefusal(e: unknown): e is StartRefusedError {
  return e instanceof StartRefusedError;
}

export interface SupervisorHooks<M extends Process> {
  /** Build a member on its own Context: it restores from the disk there. */
  build(ctx: Context): M;
  /**
   * A disk for each new member, closed when the member stops (the real node opens a new FileDisk:
   * one whose fsync failed is never trusted again); `fail` is for failures it reports later. Default:
   * the supervisor's Context's own disk.
   */
  openDisk?(fail: (e: DiskError) => void): { disk: Disk; close(): Promise<void> | void };
  /**
   * Whether a stopped member may restart now (the real node waits for free space). Default: when the
   * disk accepts changes again (Disk.acceptsChanges).
   */
  mayRestart?(): boolean;
  /** The member stopped for `reason`: what waited on it will not hear from it. */
  stopped?(reason: string): void;
}

export interface SupervisorLimits {
  /** How often a stopped member is looked at for a restart. */
  restartCheckMs: number;
}

export const supervisorDefaults: SupervisorLimits = { restartCheckMs: 200 };

/** The Context of one member's life: everything it set up dies with it, and its callbacks run guarded. */
class MemberContext implements Context {
  readonly id: NodeId;
  readonly peers: readonly NodeId[];
  readonly disk: Disk;
  readonly metrics: Context['metrics'];
  stopped = false;
  /** This life's timers not yet fired or cleared (the value is unused: a set of ids). */
  private readonly timers = new IdTable<true>();

  constructor(
    private readonly ctx: Context,
    disk: Disk,
    private readonly guard: (fn: () => void) => void,
  ) {
    this.id = ctx.id;
    this.peers = ctx.peers;
    this.metrics = ctx.metrics;
    // An fsync that completes after the member stopped calls nothing back, as after a crash: the work
    // after it (acknowledgements, the durable mark) belongs to a member that is gone.
    this.disk = withFsyncCompletion(disk, (done) => {
      if (!this.stopped) this.guard(done);
    });
  }

  now(): number {
    return this.ctx.now();
  }

  random(): number {
    return this.ctx.random();
  }

  send(to: NodeId, msg: unknown): void {
    if (!this.stopped) this.ctx.send(to, msg);
  }

  setTimer(ms: number, fn: () => void): TimerId {
    const id = this.ctx.setTimer(ms, () => {
      this.timers.delete(id);
      if (!this.stopped) this.guard(fn);
    });
    if (this.stopped) this.ctx.clearTimer(id);
    else this.timers.set(id, true);
    return id;
  }

  clearTimer(id: TimerId): void {
    if (this.timers.delete(id)) this.ctx.clearTimer(id);
  }

  log(event: string, fields?: Record<string, unknown>): void {
    this.ctx.log(event, fields);
  }

  stop(): void {
    this.stopped = true;
    for (const id of this.timers.idsInAnyOrder()) this.ctx.clearTimer(id);
    this.timers.clear();
  }
}

interface Life<M> {
  member: M;
  ctx: MemberContext;
  close: () => Promise<void> | void;
}

export class MemberSupervisor<M extends Process = Process> implements Process {
  private life: Life<M> | undefined;
  private reason: string | undefined;
  private restartTimer: TimerId | undefined;
  private closed = false;

  constructor(
    private readonly ctx: Context,
    private readonly hooks: SupervisorHooks<M>,
    private readonly limits: SupervisorLimits = supervisorDefaults,
  ) {}

  /** The running member; undefined while it is stopped. */
  get member(): M | undefined {
    return this.life?.member;
  }

  /** Why the member is stopped, while it is. */
  get failure(): string | undefined {
    return this.reason;
  }

  /** Start the first member. A refusal to start is thrown to the caller; a disk error stops it like any other. */
  start(): void {
    this.launch(true);
  }

  onMessage(from: NodeId, msg: unknown): void {
    const life = this.life;
    // A stopped member hears nothing, as a crashed node: its peers retry, its clients time out.
    if (life === undefined) return;
    // runIn without the closure it takes: this runs for every message a node receives.
    try {
      life.member.onMessage(from, msg);
    } catch (e) {
      this.caught(life, e);
    }
  }

  /** Run member code (an operator's command); a disk error in it stops the member. */
  run(fn: (member: M) => void): void {
    const life = this.life;
    if (life !== undefined) this.runIn(life, () => fn(life.member));
  }

  /** The disk reports a failure outside any call of the member (a failed fsync). */
  diskFailed(e: DiskError): void {
    const member = this.life?.member;
    // A member with a supervisor of its own inside (a node with a client layer) hears it first.
    if (member?.diskFailed !== undefined) member.diskFailed(e);
    else this.fail(e);
  }

  describe(): Description {
    return this.life?.member.describe?.() ?? {};
  }

  /** The node shuts down: the member stops and no restart follows; resolves once its disk is closed. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.restartTimer !== undefined) this.ctx.clearTimer(this.restartTimer);
    this.restartTimer = undefined;
    await this.halt();
  }

  private launch(first: boolean): void {
    const opened = this.hooks.openDisk?.((e) => this.fail(e));
    const mctx: MemberContext = new MemberContext(this.ctx, opened?.disk ?? this.ctx.disk, (fn) => this.runIn(life, fn));
    const life: Life<M> = { member: undefined as unknown as M, ctx: mctx, close: () => opened?.close() };
    try {
      life.member = this.hooks.build(mctx);
    } catch (e) {
      mctx.stop();
      void life.close();
      if (isDiskError(e)) return this.stoppedBy(e);
      if (first) throw e;
      this.reason = `restart failed: ${(e as Error).message}`;
      this.ctx.log('member_restart_failed', { reason: this.reason });
      this.scheduleRestart();
      return;
    }
    this.life = life;
    this.reason = undefined;
    this.runIn(life, () => life.member.start?.());
  }

  /** Run code of one member's life: a disk error in it stops that member (not a later one). */
  private runIn(life: Life<M>, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.caught(life, e);
    }
  }

  /** What member code threw: a disk error stops that life's member; anything else goes on up. */
  private caught(life: Life<M>, e: unknown): void {
    if (!isDiskError(e)) throw e;
    if (this.life === life) this.fail(e);
  }

  private fail(e: DiskError): void {
    if (this.life === undefined) return;
    // The disk of a failed life closes in the background; the next life opens a new one.
    void this.halt();
    this.stoppedBy(e);
  }

  private halt(): Promise<void> | void {
    const life = this.life;
    if (life === undefined) return;
    this.life = undefined;
    life.ctx.stop();
    return life.close();
  }

  private stoppedBy(e: DiskError): void {
    this.reason = `${e.code === 'ENOSPC' ? 'disk full' : 'disk failure'}: ${e.op} ${e.file} (${e.code})`;
    this.ctx.log('member_stopped', { reason: this.reason });
    this.ctx.metrics.count('disk_failures');
    // Nothing unsynced was acknowledged; what the waiting requests did is unknown now.
    this.hooks.stopped?.(this.reason);
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    if (this.closed || this.restartTimer !== undefined) return;
    this.restartTimer = this.ctx.setTimer(this.limits.restartCheckMs, () => {
      this.restartTimer = undefined;
      if (this.closed || this.life !== undefined) return;
      // Restarting onto a disk that is still full would fail again at once.
      const ready = this.hooks.mayRestart?.() ?? this.ctx.disk.acceptsChanges?.() ?? true;
      if (!ready) return this.scheduleRestart();
      this.ctx.log('member_restarting', { after: this.reason });
      this.launch(false);
    });
  }
}
