/**
 * A service with `workers` parallel servers and one FIFO queue: the "c" of M/M/c, and the simplest
 * executor with controlled concurrency. Each job holds a worker for a service time drawn from a
 * distribution; jobs that find every worker busy wait in the queue (up to `queueLimit`, beyond which
 * they are rejected with a definite failure).
 *
 * With `priorities` the queue is a PriorityQueue: each operation name has a class (0 = most urgent),
 * strict, or with `agingMs` so that waiting raises an item's priority.
 *
 * Metrics: wait_ms (time in queue; also wait_ms_<op> per operation), service_ms, jobs_started,
 * jobs_started_waited and wait_ms_total (the same waits as counters, for batch means over time),
 * jobs_waited (jobs that found all workers busy), jobs_done, jobs_rejected, jobs_shed (past their
 * deadline when a worker got to them).
 */
import { z } from 'zod';
import type { Context, NodeId, Process } from '../runtime/context.js';
import { clientReply, isClientRequest, type ClientRequest } from '../runtime/client-protocol.js';
import { distributionSchema, sample } from '../runtime/distribution.js';
import { PriorityQueue } from './queues/priority-queue.js';

export const queueServerConfigSchema = z
  .object({
    workers: z.number().int().positive(),
    service: distributionSchema,
    queueLimit: z.number().int().nonnegative().optional(),
    /**
     * Load shedding: a job that waited longer than this is dropped when it reaches a worker, with a
     * definite failure, instead of being served for a client that has most likely given up.
     */
    deadlineMs: z.number().positive().optional(),
    /** Priority classes by operation name, 0 the most urgent (default: one FIFO queue). */
    priorities: z.record(z.string(), z.number().int().min(0).max(15)).optional(),
    /** With priorities: a job that waited this long counts as one class more urgent (none: strict). */
    agingMs: z.number().positive().optional(),
  })
  .strict();
export type QueueServerConfig = z.infer<typeof queueServerConfigSchema>;

interface Job {
  from: NodeId;
  req: ClientRequest;
  arrivedAt: number;
}

export class QueueServer implements Process {
  private busy = 0;
  private readonly queue: PriorityQueue<Job>;
  private readonly waitMetrics = new Map<string, string>();

  /**
   * work: what a job does when its service time ends (a store applies a write, answers a scan); its
   * result is the reply's value. Without it the server only spends the time.
   */
  constructor(
    private readonly ctx: Context,
    private readonly config: QueueServerConfig,
    private readonly work?: (req: ClientRequest) => unknown,
  ) {
    const classes = config.priorities === undefined ? 1 : Math.max(0, ...Object.values(config.priorities)) + 1;
    this.queue = new PriorityQueue(classes, config.agingMs);
  }

  private priorityOf(job: Job): number {
    return this.config.priorities?.[job.req.op.f] ?? (this.config.priorities === undefined ? 0 : this.queue.classCount - 1);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (!isClientRequest(msg)) return;
    const job: Job = { from, req: msg, arrivedAt: this.ctx.now() };
    if (this.busy < this.config.workers) return this.serve(job);
    if (this.config.queueLimit !== undefined && this.queue.size >= this.config.queueLimit) {
      this.ctx.metrics.count('jobs_rejected');
      this.ctx.send(from, clientReply(msg, 'fail', undefined, 'queue full'));
      return;
    }
    this.ctx.metrics.count('jobs_waited');
    this.queue.push(job, this.priorityOf(job), job.arrivedAt);
    this.ctx.metrics.gauge('queue_depth', this.queue.size);
  }

  /** wait_ms_<op>, named once per operation name: built per job, it was a string to build and hash each time. */
  private waitMetric(op: string): string {
    let name = this.waitMetrics.get(op);
    if (name === undefined) this.waitMetrics.set(op, (name = `wait_ms_${op}`));
    return name;
  }

  private serve(job: Job): void {
    this.busy++;
    const now = this.ctx.now();
    this.ctx.metrics.observe('wait_ms', now - job.arrivedAt);
    this.ctx.metrics.observe(this.waitMetric(job.req.op.f), now - job.arrivedAt);
    // The same as counters, so that samples over time cut the run into batches (erlang-c's batch means).
    this.ctx.metrics.count('jobs_started');
    if (now > job.arrivedAt) this.ctx.metrics.count('jobs_started_waited');
    this.ctx.metrics.count('wait_ms_total', now - job.arrivedAt);
    const service = sample(this.config.service, () => this.ctx.random());
    this.ctx.setTimer(service, () => {
      this.busy--;
      this.ctx.metrics.observe('service_ms', service);
      this.ctx.metrics.count('jobs_done');
      this.ctx.send(job.from, clientReply(job.req, 'ok', this.work?.(job.req)));
      this.next();
    });
  }

  private next(): void {
    const now = this.ctx.now();
    for (;;) {
      const e = this.queue.pop(now);
      this.ctx.metrics.gauge('queue_depth', this.queue.size);
      if (e === undefined) return;
      const deadline = this.config.deadlineMs;
      if (deadline === undefined || now - e.item.arrivedAt <= deadline) return this.serve(e.item);
      this.ctx.metrics.count('jobs_shed');
      this.ctx.send(e.item.from, clientReply(e.item.req, 'fail', undefined, 'shed: waited past its deadline'));
    }
  }
}

export const queueServer = (ctx: Context, config: QueueServerConfig): Process => new QueueServer(ctx, config);
