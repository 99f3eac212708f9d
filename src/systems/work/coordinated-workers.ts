/**
 * The coordination law as a system: workers that must keep each other up to date. Each worker runs
 * tasks of `taskMs` one after another on a single thread and, after each, sends its new state to
 * every worker of its coordination group. Each worker keeps a version vector of its group (one
 * entry per member), so merging an update costs `mergeMsPerEntry` x the group's size, on the same
 * thread as the tasks.
 *
 * - all-to-all: the group is every active worker. Per task, N - 1 updates of N entries each:
 *   cluster throughput N / (taskMs + N (N - 1) mergeMsPerEntry), the USL with alpha 0 and
 *   beta = mergeMsPerEntry / taskMs. It peaks at N* = sqrt(1 / beta) and then falls.
 * - cells: groups of `cellSize` (workers 1-4, 5-8, ...): a worker coordinates with its cell only,
 *   the cost per task stops growing with N, and throughput grows linearly.
 *
 * The workers active rise in `phases` (the first n of them); each phase reports throughput_n<n>, in
 * tasks per second over its last `measureMs`, and messages_n<n>, the updates sent in that time.
 */
import { z } from 'zod';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { compareNumbered } from '../../runtime/ordinal.js';
import { SingleThread } from '../../runtime/single-thread.js';

export const coordinatedWorkersConfigSchema = z
  .object({
    layout: z.enum(['all-to-all', 'cells']),
    cellSize: z.number().int().positive().default(4),
    taskMs: z.number().positive(),
    mergeMsPerEntry: z.number().nonnegative(),
    phases: z.array(z.object({ workers: z.number().int().positive(), forMs: z.number().positive() }).strict()).min(1),
    /** Throughput is measured over the last this-many ms of each phase (before them, queues settle). */
    measureMs: z.number().positive().default(1000),
  })
  .strict();
export type CoordinatedWorkersConfig = z.infer<typeof coordinatedWorkersConfigSchema>;

interface Update {
  type: 'coord_update';
  from: number;
}

class CoordinatedWorker implements Process {
  private readonly index: number;
  private readonly all: NodeId[];
  /** Tasks and merges share it: a merge delays the next task. */
  private readonly thread: SingleThread;
  private phase = -1;
  private active = false;
  private taskQueued = false;
  private phaseStartedMs = 0;

  constructor(
    private readonly ctx: Context,
    private readonly config: CoordinatedWorkersConfig,
  ) {
    this.all = [ctx.id, ...ctx.peers].sort(compareNumbered);
    this.index = this.all.indexOf(ctx.id);
    this.thread = new SingleThread(ctx);
  }

  start(): void {
    let at = 0;
    this.config.phases.forEach((p, k) => {
      this.ctx.setTimer(at, () => this.enter(k));
      at += p.forMs;
    });
    this.ctx.setTimer(at, () => this.enter(this.config.phases.length));
  }

  private enter(k: number): void {
    this.phase = k;
    this.phaseStartedMs = this.ctx.now();
    this.active = k < this.config.phases.length && this.index < this.config.phases[k].workers;
    if (this.active && !this.taskQueued) this.queueTask();
  }

  /** The members of this worker's group in the current phase, itself excluded. */
  private group(): number[] {
    const n = this.config.phases[this.phase].workers;
    const [from, to] = this.config.layout === 'all-to-all' ? [0, n] : [Math.floor(this.index / this.config.cellSize) * this.config.cellSize, Math.min(n, (Math.floor(this.index / this.config.cellSize) + 1) * this.config.cellSize)];
    const out: number[] = [];
    for (let i = from; i < to; i++) if (i !== this.index) out.push(i);
    return out;
  }

  onMessage(_from: NodeId, msg: unknown): void {
    if ((msg as Update)?.type !== 'coord_update') return;
    // Merging the update into the version vector: one entry per member of the group.
    this.thread.run(this.config.mergeMsPerEntry * this.groupSize(), () => {});
  }

  private groupSize(): number {
    return this.phase < this.config.phases.length ? this.group().length + 1 : 1;
  }

  private queueTask(): void {
    this.taskQueued = true;
    this.thread.run(this.config.taskMs, () => this.taskDone());
  }

  private taskDone(): void {
    this.taskQueued = false;
    if (this.phase >= this.config.phases.length) return;
    const peers = this.group();
    for (const i of peers) this.ctx.send(this.all[i], { type: 'coord_update', from: this.index } satisfies Update);
    const p = this.config.phases[this.phase];
    const windowMs = Math.min(p.forMs, this.config.measureMs);
    if (this.ctx.now() >= this.phaseStartedMs + p.forMs - windowMs) {
      this.ctx.metrics.count(`throughput_n${p.workers}`, 1000 / windowMs);
      this.ctx.metrics.count(`messages_n${p.workers}`, peers.length);
    }
    if (this.active) this.queueTask();
  }
}

export const coordinatedWorkers = (ctx: Context, config: CoordinatedWorkersConfig): Process => new CoordinatedWorker(ctx, config);

export const coordinatedWorkersMetrics = (c: CoordinatedWorkersConfig): string[] => c.phases.flatMap((p) => [`throughput_n${p.workers}`, `messages_n${p.workers}`]);
