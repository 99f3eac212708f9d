/**
 * The deadlock story as a system: workers that each need two locks, taken in their own order, from
 * a lock server. With the default orders worker i takes resource R(i) then R(i+1), so three
 * workers hold A, B, C and wait on B, C, A: a cycle. Without detection (and without lock timeouts)
 * they wait forever. With detection, the lock server finds the cycle when the last of them starts
 * to wait, refuses the youngest, and releases what it holds; the others finish, and the victim's
 * client is told to try again.
 *
 * Roles by name: `lockServer` runs the LockManager; every other server is a worker taking client
 * jobs one at a time, each job a transaction that owns its locks.
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientRequest, type ClientRequest } from '../../runtime/client-protocol.js';
import { LockManager, type LockEvent } from '../../work/locks/lock-manager.js';

export const lockWorkersConfigSchema = z
  .object({
    lockServer: nodeRef({ reserved: 'the lock server takes no jobs; clients talk to the workers' }).default('n1'),
    /** The resources each worker locks, in order (default: a ring, worker i takes R(i) then R(i+1)). */
    orders: z.record(nodeRef(), z.array(z.string()).min(1)).optional(),
    /** Work done after each lock is taken. */
    workMs: z.number().nonnegative().default(5),
    detectDeadlocks: z.boolean().default(false),
    lockTimeoutMs: z.number().positive().optional(),
  })
  .strict();
export type LockWorkersConfig = z.infer<typeof lockWorkersConfigSchema>;

/**
 * Locks belong to jobs (transactions), named worker#job: a job's releases and the next job's
 * acquires may cross in the network without one undoing the other.
 */
type Msg =
  | { type: 'lock_acquire'; owner: string; resource: string }
  | { type: 'lock_release'; owner: string; resource: string }
  | { type: 'lock_granted'; owner: string; resource: string }
  | { type: 'lock_refused'; owner: string; resource: string; reason: string };

/** The worker that runs a job. */
const workerOf = (owner: string) => owner.slice(0, owner.lastIndexOf('#'));

class LockServer implements Process {
  private readonly locks: LockManager;
  constructor(
    private readonly ctx: Context,
    private readonly config: LockWorkersConfig,
  ) {
    this.locks = new LockManager({ detectDeadlocks: config.detectDeadlocks, lockTimeoutMs: config.lockTimeoutMs });
  }

  start(): void {
    const t = this.config.lockTimeoutMs;
    if (t === undefined) return;
    const sweep = () => {
      this.tell(this.locks.expire(this.ctx.now()));
      this.ctx.setTimer(Math.max(1, t / 10), sweep);
    };
    this.ctx.setTimer(Math.max(1, t / 10), sweep);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.ctx.send(from, clientReply(msg, 'fail', undefined, 'the lock server takes no jobs'));
    const m = msg as Msg;
    if (m.type === 'lock_acquire') this.tell(this.locks.acquire(m.owner, m.resource, this.ctx.now()));
    else if (m.type === 'lock_release') this.tell(this.locks.release(m.owner, m.resource));
  }

  private tell(events: LockEvent[]): void {
    for (const e of events) {
      if (e.type === 'granted') this.ctx.send(workerOf(e.owner), { type: 'lock_granted', owner: e.owner, resource: e.resource } satisfies Msg);
      else if (e.type === 'deadlock') {
        this.ctx.metrics.count('deadlocks_broken');
        this.ctx.log('deadlock', { cycle: e.cycle.join(' -> '), victim: e.victim });
        this.ctx.send(workerOf(e.victim), { type: 'lock_refused', owner: e.victim, resource: e.resource, reason: `deadlock victim (cycle ${e.cycle.join(' -> ')})` } satisfies Msg);
      } else {
        this.ctx.metrics.count('lock_timeouts');
        this.ctx.send(workerOf(e.owner), { type: 'lock_refused', owner: e.owner, resource: e.resource, reason: 'lock timeout' } satisfies Msg);
      }
    }
  }
}

class Worker implements Process {
  private readonly order: string[];
  private job: { owner: string; client: NodeId; req: ClientRequest; next: number } | undefined;
  private jobNext = 1;
  private readonly queue: { client: NodeId; req: ClientRequest }[] = [];

  constructor(
    private readonly ctx: Context,
    private readonly config: LockWorkersConfig,
  ) {
    const workers = [...ctx.peers, ctx.id].filter((p) => p !== config.lockServer).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    const i = workers.indexOf(ctx.id);
    const name = (k: number) => String.fromCharCode(65 + (k % workers.length));
    this.order = config.orders?.[ctx.id] ?? [name(i), name(i + 1)];
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) {
      this.queue.push({ client: from, req: msg });
      return this.startNext();
    }
    const m = msg as Msg;
    const job = this.job;
    if (job === undefined || (m.type !== 'lock_granted' && m.type !== 'lock_refused') || m.owner !== job.owner) return;
    if (m.type === 'lock_granted' && m.resource === this.order[job.next]) {
      job.next++;
      this.ctx.setTimer(this.config.workMs, () => this.step());
    } else if (m.type === 'lock_refused') {
      // The lock server released everything we held: the job failed, the client may try again.
      this.job = undefined;
      this.ctx.metrics.count('jobs_aborted');
      this.ctx.send(job.client, clientReply(job.req, 'fail', undefined, m.reason));
      this.startNext();
    }
  }

  private startNext(): void {
    if (this.job !== undefined) return;
    const next = this.queue.shift();
    if (next === undefined) return;
    this.job = { ...next, owner: `${this.ctx.id}#${this.jobNext++}`, next: 0 };
    this.step();
  }

  /** Take the next lock, or, holding them all, finish: release and answer. */
  private step(): void {
    const job = this.job!;
    if (job.next < this.order.length) {
      this.ctx.send(this.config.lockServer, { type: 'lock_acquire', owner: job.owner, resource: this.order[job.next] } satisfies Msg);
      return;
    }
    for (const r of this.order) this.ctx.send(this.config.lockServer, { type: 'lock_release', owner: job.owner, resource: r } satisfies Msg);
    this.ctx.metrics.count('jobs_done');
    this.job = undefined;
    this.ctx.send(job.client, clientReply(job.req, 'ok'));
    this.startNext();
  }
}

export const lockWorkers = (ctx: Context, config: LockWorkersConfig): Process => (ctx.id === config.lockServer ? new LockServer(ctx, config) : new Worker(ctx, config));
