/**
 * `pillars worker --queue redis://HOST:PORT [--concurrency N]`: takes sweep jobs (queued by
 * `pillars sweep --queue`, see queue-sweep.ts) of this code version and runs them on N threads.
 *
 * The simulations run in worker threads (queue-thread.ts) so that this thread stays free to renew
 * BullMQ's job locks: a long run must not look like a dead worker. Every result is stored before its
 * job completes, so a completed job always has its answer. A job for other code, or whose scenario
 * text does not match its hash, is refused with UnrecoverableError rather than answered wrongly.
 *
 * Stopping: the first SIGINT/SIGTERM takes no new jobs and lets the runs in flight finish (for a
 * grace period); a second signal, or the end of the grace period, hands them back to the queue at
 * once, for another worker. A worker killed outright (kill -9) is covered by BullMQ's stalled-job
 * check: its locks expire and another worker takes the jobs.
 */
import { availableParallelism, hostname } from 'node:os';
import { Worker as Thread } from 'node:worker_threads';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { ScenarioError } from '../scenario/index.js';
import type { SweepResult } from './sweep.js';
import type { ThreadReply, ThreadTask } from './queue-thread.js';
import {
  bullConnection,
  checkRedisReachable,
  codeVersion,
  maxStalledCount,
  queueName,
  queueTimings,
  resultsKey,
  sha256Hex,
  storeResult,
  type RedisAddress,
  type SweepJobData,
  type SweepJobReturn,
} from './queue-sweep.js';

export interface QueueWorkerOptions {
  address: RedisAddress;
  /** Simulation threads, and jobs taken at once. */
  concurrency: number;
  /** Status lines (stdout by default). */
  log?: (line: string) => void;
  /** Failures and connection trouble (stderr by default). */
  warn?: (line: string) => void;
}

/** `--concurrency`: a positive integer, the cores of this machine when absent. */
export function parseConcurrency(text: string | undefined): number {
  if (text === undefined) return availableParallelism();
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new ScenarioError('(command line)', '--concurrency', `a positive integer (got "${text}")`);
  }
  return Number(text);
}

/** Connection errors are printed at most this often: Redis away for a minute is one line a while, not thousands. */
const connectionWarningIntervalMs = 5_000;

/** Runs until SIGINT/SIGTERM, then stops cleanly; resolves once stopped. */
export async function runQueueWorker(o: QueueWorkerOptions): Promise<void> {
  const log = o.log ?? ((line: string) => process.stdout.write(line + '\n'));
  const warn = o.warn ?? ((line: string) => process.stderr.write(line + '\n'));
  await checkRedisReachable(o.address);
  const timings = queueTimings();
  const version = codeVersion();
  const name = queueName(version);

  let lastConnectionWarning = 0;
  const connectionTrouble = (what: string) => (e: Error) => {
    if (Date.now() - lastConnectionWarning < connectionWarningIntervalMs) return;
    lastConnectionWarning = Date.now();
    warn(`worker: ${what}: ${e.message}`);
  };

  // Waits out a Redis restart like BullMQ's connections, rather than failing the job's attempt.
  const store = new Redis(bullConnection(o.address));
  store.on('error', connectionTrouble('result store'));
  const threads = new SimulationThreads(o.concurrency);
  let done = 0;
  let failed = 0;

  const worker = new Worker<SweepJobData, SweepJobReturn>(
    name,
    async (job, token) => {
      const data = checkedJobData(job.data, version);
      const result = await threads.run(
        { scenarioHash: data.scenarioHash, scenarioText: data.scenarioText, scenarioFile: data.scenarioFile, variant: data.variant, seed: data.seed },
        { job, token },
      );
      await storeResult(store, resultsKey(version, data.scenarioHash), result);
      done++;
      return { met: result.met, traceHash: result.traceHash };
    },
    {
      connection: bullConnection(o.address),
      name: `${hostname()}-${process.pid}`,
      concurrency: o.concurrency,
      lockDuration: timings.lockDurationMs,
      stalledInterval: timings.stalledCheckIntervalMs,
      maxStalledCount,
    },
  );
  worker.on('error', connectionTrouble('queue'));
  worker.on('failed', (job, e) => {
    failed++;
    const what = job === undefined ? 'a job' : `${job.data.scenarioFile} --variant ${job.data.variant} --seed ${job.data.seed}`;
    const attempts = job === undefined ? '' : ` (attempt ${job.attemptsMade} of ${job.opts.attempts ?? 1})`;
    warn(`worker: ${what} failed${attempts}: ${e.message}`);
  });

  await worker.waitUntilReady();
  log(`worker: ${o.concurrency} thread${o.concurrency > 1 ? 's' : ''} on ${name} at ${o.address.url} (code version ${version})`);

  // Quiet but alive: a line when the counts moved since the last one.
  let reported = '';
  const counts = () => `${done} runs done, ${failed} failed`;
  const reporter = setInterval(() => {
    if (counts() === reported) return;
    reported = counts();
    log(`worker: ${reported}`);
  }, timings.workerReportIntervalMs);

  await new Promise<void>((resolve) => {
    let closing: Promise<void> | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    const handBack = (why: string) => {
      const n = threads.inFlight;
      if (n > 0) log(`worker: ${why}: handing ${n} run${n > 1 ? 's' : ''} in flight back to the queue`);
      void threads.handBack();
    };
    const onSignal = (signal: NodeJS.Signals) => {
      if (closing !== undefined) {
        handBack(signal);
        return;
      }
      const n = threads.inFlight;
      log(`worker: ${signal}: stopping${n > 0 ? `, finishing ${n} run${n > 1 ? 's' : ''} in flight (signal again to hand ${n > 1 ? 'them' : 'it'} back now)` : ''}`);
      graceTimer = setTimeout(() => handBack('grace period over'), timings.workerStopGraceMs);
      closing = worker
        .close()
        .catch((e: Error) => warn(`worker: closing: ${e.message}`))
        .then(async () => {
          clearTimeout(graceTimer);
          clearInterval(reporter);
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          await threads.terminate();
          store.disconnect();
          log(`worker: stopped; ${counts()}`);
          resolve();
        });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** A job's data as a sweep submitter of this very code writes it; anything else is refused for good. */
function checkedJobData(data: unknown, version: string): SweepJobData {
  const d = (data ?? {}) as Partial<SweepJobData>;
  if (typeof d.scenarioText !== 'string' || typeof d.scenarioFile !== 'string' || typeof d.scenarioHash !== 'string' || typeof d.variant !== 'string' || !Number.isSafeInteger(d.seed) || typeof d.codeVersion !== 'string') {
    throw new UnrecoverableError('refused: not a pillars sweep job (fields missing or of the wrong type)');
  }
  if (d.codeVersion !== version) throw new UnrecoverableError(`refused: the job is for code version ${d.codeVersion}, this worker runs ${version}`);
  if (sha256Hex(d.scenarioText) !== d.scenarioHash) throw new UnrecoverableError(`refused: the scenario text does not hash to ${d.scenarioHash}`);
  return d as SweepJobData;
}

/** The BullMQ job a run belongs to, so that it can be handed back to the queue. */
interface RunOwner {
  job: Job<SweepJobData, SweepJobReturn>;
  token: string | undefined;
}

interface PendingRun {
  task: ThreadTask;
  owner: RunOwner;
  resolve: (r: SweepResult) => void;
  reject: (e: Error) => void;
}

/** N simulation threads; a run goes to an idle one (BullMQ's concurrency keeps them from queueing). */
class SimulationThreads {
  private readonly all = new Set<Thread>();
  private readonly idle: Thread[] = [];
  private readonly queued: PendingRun[] = [];
  /** Runs on a thread, by task id. */
  private readonly running = new Map<number, PendingRun & { thread: Thread }>();
  private nextId = 1;
  private closed = false;

  constructor(count: number) {
    for (let i = 0; i < count; i++) this.idle.push(this.spawn());
  }

  get inFlight(): number {
    return this.running.size + this.queued.length;
  }

  run(task: Omit<ThreadTask, 'id'>, owner: RunOwner): Promise<SweepResult> {
    return new Promise((resolve, reject) => {
      const pending: PendingRun = { task: { ...task, id: this.nextId++ }, owner, resolve, reject };
      const thread = this.idle.pop();
      if (thread === undefined) this.queued.push(pending);
      else this.dispatch(thread, pending);
    });
  }

  /**
   * Every run in flight goes back to the queue's wait list now (BullMQ's moveToWait, under the job's
   * lock token), and its processor ends with WaitingError so BullMQ neither completes nor fails it.
   * The threads keep computing; their answers are dropped.
   */
  async handBack(): Promise<void> {
    const runs: PendingRun[] = [...this.running.values(), ...this.queued];
    this.running.clear();
    this.queued.length = 0;
    await Promise.all(
      runs.map(async (r) => {
        try {
          await r.owner.job.moveToWait(r.owner.token);
        } catch {
          // The lock is gone already: the stalled-job check will hand it on instead.
        }
        r.reject(new WaitingError('handed back to the queue: this worker is stopping'));
      }),
    );
  }

  async terminate(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.all].map((t) => t.terminate()));
  }

  private dispatch(thread: Thread, pending: PendingRun): void {
    this.running.set(pending.task.id, { ...pending, thread });
    thread.postMessage(pending.task);
  }

  private release(thread: Thread): void {
    const next = this.queued.shift();
    if (next === undefined) this.idle.push(thread);
    else this.dispatch(thread, next);
  }

  private spawn(): Thread {
    const thread = new Thread(new URL('./queue-thread.js', import.meta.url));
    this.all.add(thread);
    thread.on('message', (reply: ThreadReply) => {
      const run = this.running.get(reply.id);
      this.running.delete(reply.id);
      this.release(thread);
      if (run === undefined) return; // handed back meanwhile
      if ('result' in reply) run.resolve(reply.result);
      else run.reject(reply.unrecoverable ? new UnrecoverableError(reply.error) : new Error(reply.error));
    });
    // A thread that dies fails its run's attempt (BullMQ retries it) and is replaced.
    thread.on('error', (e) => {
      this.all.delete(thread);
      for (const [id, run] of this.running) {
        if (run.thread !== thread) continue;
        this.running.delete(id);
        run.reject(new Error(`the simulation thread died: ${e.message}`));
      }
      if (!this.closed) this.release(this.spawn());
    });
    return thread;
  }
}
