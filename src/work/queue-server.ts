/**
 * A service with `workers` parallel servers and one FIFO queue: the "c" of M/M/c, and the simplest
 * executor with controlled concurrency. Each job holds a worker for a service time drawn from a
 * distribution; jobs that find every worker busy wait in the queue (up to `queueLimit`, beyond which
 * they are rejected with a definite failure).
 *
 * Metrics: wait_ms (time in queue), service_ms, jobs_waited (jobs that found all workers busy),
 * jobs_done, jobs_rejected, jobs_shed (past their deadline when a worker got to them).
 */
import { z } from 'zod';
import type { Context, NodeId, Process } from '../runtime/context.js';
import { clientReply, isClientRequest, type ClientRequest } from '../runtime/client-protocol.js';
import { distributionSchema, sample } from '../runtime/distribution.js';

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
  private readonly queue: Job[] = [];
  private head = 0;

  constructor(
    private readonly ctx: Context,
    private readonly config: QueueServerConfig,
  ) {}

  onMessage(from: NodeId, msg: unknown): void {
    if (!isClientRequest(msg)) return;
    const job: Job = { from, req: msg, arrivedAt: this.ctx.now() };
    if (this.busy < this.config.workers) return this.serve(job);
    if (this.config.queueLimit !== undefined && this.queue.length - this.head >= this.config.queueLimit) {
      this.ctx.metrics.count('jobs_rejected');
      this.ctx.send(from, clientReply(msg, 'fail', undefined, 'queue full'));
      return;
    }
    this.ctx.metrics.count('jobs_waited');
    this.queue.push(job);
  }

  private serve(job: Job): void {
    this.busy++;
    const now = this.ctx.now();
    this.ctx.metrics.observe('wait_ms', now - job.arrivedAt);
    const service = sample(this.config.service, () => this.ctx.random());
    this.ctx.setTimer(service, () => {
      this.busy--;
      this.ctx.metrics.observe('service_ms', service);
      this.ctx.metrics.count('jobs_done');
      this.ctx.send(job.from, clientReply(job.req, 'ok'));
      this.next();
    });
  }

  private next(): void {
    let job: Job | undefined;
    while (this.head < this.queue.length) {
      const j = this.queue[this.head++];
      const deadline = this.config.deadlineMs;
      if (deadline === undefined || this.ctx.now() - j.arrivedAt <= deadline) {
        job = j;
        break;
      }
      this.ctx.metrics.count('jobs_shed');
      this.ctx.send(j.from, clientReply(j.req, 'fail', undefined, 'shed: waited past its deadline'));
    }
    if (job === undefined) return;
    // Compact the array now and then instead of shifting on every dequeue.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.serve(job);
  }
}

export const queueServer = (ctx: Context, config: QueueServerConfig): Process => new QueueServer(ctx, config);
