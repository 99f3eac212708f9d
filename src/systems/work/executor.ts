/**
 * The head-of-line story as a system: one node with `workers` workers running clients' tasks
 * (`service`) and, at `longTasks[i].atMs`, a long internal task (a nightly report) submitted to the
 * same executor. How tasks reach workers:
 *
 * - shared: one FIFO for all workers (a long task takes one worker; the rest carry on);
 * - per-worker: each task is assigned to a worker's own queue by round robin, as partitioned
 *   executors and actor mailboxes do; the tasks queued behind the long one wait for it to finish;
 * - stealing: per-worker deques with work stealing: idle workers take the waiting tasks;
 * - stealing-2x: the seeds' rule: a worker steals whenever another deque is more than twice its own.
 *
 * Metrics: wait_ms (queueing) of client tasks, tasks_stolen.
 */
import { z } from 'zod';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientRequest, type ClientRequest } from '../../runtime/client-protocol.js';
import { distributionSchema, sample } from '../../runtime/distribution.js';
import { WorkStealingDeques } from '../../work/executors/work-stealing.js';
import { Fifo } from '../../runtime/fifo.js';

export const executorConfigSchema = z
  .object({
    workers: z.number().int().positive(),
    service: distributionSchema,
    queueing: z.enum(['shared', 'per-worker', 'stealing', 'stealing-2x']),
    longTasks: z.array(z.object({ atMs: z.number().nonnegative(), durationMs: z.number().positive() }).strict()).default([]),
  })
  .strict();
export type ExecutorConfig = z.infer<typeof executorConfigSchema>;

interface Task {
  client?: { from: NodeId; req: ClientRequest };
  durationMs: number;
  queuedMs: number;
}

export class Executor implements Process {
  private readonly deques: WorkStealingDeques<Task>;
  private readonly shared = new Fifo<Task>();
  private readonly busy: boolean[];

  constructor(
    private readonly ctx: Context,
    private readonly config: ExecutorConfig,
  ) {
    this.deques = new WorkStealingDeques(config.workers, config.queueing === 'stealing' ? 'when-empty' : config.queueing === 'stealing-2x' ? 'twice-own' : 'never');
    this.busy = new Array(config.workers).fill(false);
  }

  start(): void {
    for (const t of this.config.longTasks) this.ctx.setTimer(t.atMs, () => this.submit({ durationMs: t.durationMs, queuedMs: this.ctx.now() }));
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (!isClientRequest(msg)) return;
    this.submit({ client: { from, req: msg }, durationMs: sample(this.config.service, () => this.ctx.random()), queuedMs: this.ctx.now() });
  }

  private submit(task: Task): void {
    if (this.config.queueing === 'shared') this.shared.push(task);
    else this.deques.push(task);
    // Wake idle workers: every one of them may take it (stealing), or only its owner.
    for (let w = 0; w < this.config.workers; w++) if (!this.busy[w]) this.work(w);
  }

  private take(w: number): Task | undefined {
    return this.config.queueing === 'shared' ? this.shared.shift() : this.deques.take(w);
  }

  private work(w: number): void {
    const stolenBefore = this.deques.steals;
    const t = this.take(w);
    if (t === undefined) return;
    if (this.deques.steals > stolenBefore) this.ctx.metrics.count('tasks_stolen');
    this.busy[w] = true;
    if (t.client !== undefined) this.ctx.metrics.observe('wait_ms', this.ctx.now() - t.queuedMs);
    this.ctx.setTimer(t.durationMs, () => {
      this.busy[w] = false;
      if (t.client !== undefined) this.ctx.send(t.client.from, clientReply(t.client.req, 'ok'));
      else this.ctx.metrics.count('long_tasks_done');
      this.work(w);
    });
  }
}

export const executor = (ctx: Context, config: ExecutorConfig): Process => new Executor(ctx, config);
