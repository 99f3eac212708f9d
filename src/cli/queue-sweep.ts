/**
 * `pillars sweep --queue redis://HOST:PORT`: the same sweep as the local one, spread over any number
 * of machines running `pillars worker` (queue-worker.ts), with BullMQ on Redis between them.
 *
 * Also the pieces both sides share: the Redis URL and its reachability check, the code version and
 * the queue named after it, the job's data, and the store of finished runs.
 *
 * Why it can be trusted to print what a local sweep prints:
 * - A run is a pure function of (scenario text, variant, seed, simulator code). The job carries the
 *   text and its sha256; the code version (package version + hash of the compiled simulator) names
 *   the queue, so a worker running other code never sees the job, and refuses it if it somehow does.
 * - Results are stored per (code version, scenario hash) under `variant:seed`, written by the worker
 *   before it completes the job. The submitter reads them first and enqueues only what is missing,
 *   under a job id built from (scenario hash, variant, seed), which BullMQ will not add twice. A
 *   second sweep of an overlapping range, or the same sweep after a Ctrl-C, reuses finished runs.
 * - A worker that dies mid-run loses its job lock; BullMQ's stalled-job check hands the job to
 *   another worker. Runs are deterministic, so running one twice stores the same answer.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { ScenarioError } from '../scenario/index.js';
import { sweepProgress, sweepTasks, type SweepOptions, type SweepResult, type SweepTask } from './sweep.js';

// ---------------------------------------------------------------------------------------------
// Where Redis is, and whether it answers

export interface RedisAddress {
  /** As the user wrote it, for messages. */
  url: string;
  host: string;
  port: number;
}

const redisPortDefault = 6379;
const redisPortMax = 65_535;

/** `redis://HOST:PORT` (the port may be left out: 6379); anything else is bad input. */
export function parseQueueUrl(text: string): RedisAddress {
  const m = /^redis:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?\/?$/.exec(text);
  const port = m?.[2] === undefined ? redisPortDefault : Number(m[2]);
  if (m === null || port < 1 || port > redisPortMax) throw new ScenarioError('(command line)', '--queue', `a URL redis://HOST:PORT (got "${text}")`);
  return { url: text, host: m[1].replace(/^\[(.*)\]$/, '$1'), port };
}

/** Redis did not answer: one line naming the URL and why, exit code 2 like any bad input. */
export class RedisUnreachableError extends ScenarioError {
  constructor(url: string, why: string) {
    super(url, '', `cannot reach Redis (${why})`);
    this.message = `${url}: cannot reach Redis (${why})`;
  }
}

/** How long the reachability check waits for a PONG before giving up. */
const reachabilityTimeoutMs = 3_000;

/**
 * Fail in seconds, with the reason, when Redis is not there. BullMQ's own connections retry forever
 * (they must: `maxRetriesPerRequest: null`), which is right once running and a hang before; so a
 * separate short-lived client that never retries asks first.
 */
export async function checkRedisReachable(address: RedisAddress): Promise<void> {
  const client = new Redis({
    host: address.host,
    port: address.port,
    lazyConnect: true,
    connectTimeout: reachabilityTimeoutMs,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  let lastError: (Error & { code?: string }) | undefined;
  client.on('error', (e: Error) => (lastError = e));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${reachabilityTimeoutMs / 1000} s`)), reachabilityTimeoutMs);
  });
  try {
    await Promise.race([(async () => {
      await client.connect();
      await client.ping();
    })(), timeout]);
  } catch (e) {
    const why = lastError?.code ?? lastError?.message ?? (e as Error).message;
    throw new RedisUnreachableError(address.url, why);
  } finally {
    clearTimeout(timer);
    // Not on a connection that already ended: ioredis would arm a 2 s timer for a socket whose close
    // event has passed, and the process would linger that long before printing the error's exit.
    if (client.status !== 'end') client.disconnect();
  }
}

/** The options of BullMQ's own connections: they wait out a Redis restart rather than fail a job. */
export function bullConnection(address: RedisAddress) {
  return { host: address.host, port: address.port, maxRetriesPerRequest: null };
}

// ---------------------------------------------------------------------------------------------
// The code version, and the queue named after it

/** Hex digits of the compiled code's hash in the version. */
const codeHashHexDigits = 12;

let codeVersionCached: string | undefined;

/**
 * `<package.json version>+<12 hex of sha256 over every .js file under dist/src but tests>`, files in sorted
 * path order, each path hashed with its content. Any change to the simulator's compiled code gives
 * another version, so workers and submitters of different builds never mix. Computed once per
 * process. PILLARS_CODE_VERSION replaces it (for the test of a worker of another version only).
 */
export function codeVersion(): string {
  if (codeVersionCached !== undefined) return codeVersionCached;
  const override = process.env.PILLARS_CODE_VERSION;
  if (override !== undefined && override !== '') return (codeVersionCached = override);
  const distSrc = fileURLToPath(new URL('../', import.meta.url));
  const files: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const relPath = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(join(dir, entry.name), relPath);
      // Tests and test helpers do not change what a run computes: editing one must not split the fleet.
      else if (entry.isFile() && entry.name.endsWith('.js') && !entry.name.endsWith('.test.js') && !relPath.startsWith('testing/')) files.push(relPath);
    }
  };
  walk(distSrc, '');
  files.sort();
  const hash = createHash('sha256');
  for (const f of files) hash.update(f).update('\0').update(readFileSync(join(distSrc, f))).update('\0');
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return (codeVersionCached = `${pkg.version}+${hash.digest('hex').slice(0, codeHashHexDigits)}`);
}

/** BullMQ forbids `:` in queue names; keep to letters, digits and `._-`. */
export function queueName(version: string): string {
  return `pillars-sweep-${version.replace(/[^A-Za-z0-9._-]/g, '-')}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

// ---------------------------------------------------------------------------------------------
// Jobs and their timings

/** What a worker needs to run one (variant, seed) of a scenario, and to check it may. */
export interface SweepJobData {
  scenarioText: string;
  /** The scenario file as the submitter named it (for messages). */
  scenarioFile: string;
  /** sha256 hex of scenarioText. */
  scenarioHash: string;
  variant: string;
  seed: number;
  codeVersion: string;
}

/** What a completed job returns (the full result is in the store). */
export interface SweepJobReturn {
  met: boolean;
  traceHash: string;
}

export const sweepJobName = 'run';

/** The same (scenario, variant, seed) always gets the same id: BullMQ ignores adding it twice. */
export function sweepJobId(scenarioHash: string, task: SweepTask): string {
  return `${scenarioHash}-${task.variant}-${task.seed}`;
}

/** Attempts for ordinary exceptions (a crash of the worker is a stall, not an attempt). */
const jobAttempts = 3;
const jobBackoffFirstMs = 1_000;
/** Completed jobs are kept a while for inspection; the store holds the answers. */
const completedJobsKeepSeconds = 3_600;
const completedJobsKeepCount = 1_000;
const failedJobsKeepSeconds = 7 * 24 * 3_600;

const sweepJobOptions: JobsOptions = {
  attempts: jobAttempts,
  backoff: { type: 'exponential', delay: jobBackoffFirstMs },
  removeOnComplete: { age: completedJobsKeepSeconds, count: completedJobsKeepCount },
  removeOnFail: { age: failedJobsKeepSeconds },
};

/**
 * A job whose worker vanished (kill -9, a lost machine) is put back this many times before BullMQ
 * gives up on it: high, because a stall here says nothing against the job itself.
 */
export const maxStalledCount = 100;

export interface QueueTimings {
  /** How long a worker's lock on a job lasts without renewal (renewed every half of it). */
  lockDurationMs: number;
  /** How often workers look for jobs whose lock expired. */
  stalledCheckIntervalMs: number;
  /** How long the submitter waits for any sign of a worker before saying there is none. */
  noWorkerWarningMs: number;
  /** How often a busy worker prints its counts. */
  workerReportIntervalMs: number;
  /** How long a stopping worker lets its in-flight runs finish before handing them back. */
  workerStopGraceMs: number;
}

const timingDefaults: QueueTimings = {
  lockDurationMs: 30_000,
  stalledCheckIntervalMs: 30_000,
  noWorkerWarningMs: 10_000,
  workerReportIntervalMs: 10_000,
  workerStopGraceMs: 20_000,
};

/** The environment variables that override the timings: for tests, which cannot wait 30 s for a stall. */
const timingVariables: Record<keyof QueueTimings, string> = {
  lockDurationMs: 'PILLARS_QUEUE_LOCK_MS',
  stalledCheckIntervalMs: 'PILLARS_QUEUE_STALLED_CHECK_MS',
  noWorkerWarningMs: 'PILLARS_QUEUE_NO_WORKER_MS',
  workerReportIntervalMs: 'PILLARS_WORKER_REPORT_MS',
  workerStopGraceMs: 'PILLARS_WORKER_STOP_GRACE_MS',
};

export function queueTimings(env: NodeJS.ProcessEnv = process.env): QueueTimings {
  const t = { ...timingDefaults };
  for (const key of Object.keys(timingVariables) as (keyof QueueTimings)[]) {
    const text = env[timingVariables[key]];
    if (text === undefined || text === '') continue;
    if (!/^\d+$/.test(text) || Number(text) < 1) throw new ScenarioError('(environment)', timingVariables[key], `a positive integer of milliseconds (got "${text}")`);
    t[key] = Number(text);
  }
  return t;
}

// ---------------------------------------------------------------------------------------------
// The store of finished runs

/** Stored results expire a week after the last sweep wrote or read them, so Redis does not fill up. */
export const storedResultsTtlSeconds = 7 * 24 * 3_600;
/** Fields per HMGET, so that a sweep of many seeds does not build one huge command. */
const storeReadChunkFields = 1_000;

/** One Redis hash per (code version, scenario): a run of other code or another text is another key. */
export function resultsKey(version: string, scenarioHash: string): string {
  return `pillars-sweep:results:${version}:${scenarioHash}`;
}

export function resultField(task: SweepTask): string {
  return `${task.variant}:${task.seed}`;
}

/** Written by the worker before it completes the job: a completed job always has its answer stored. */
export async function storeResult(redis: Redis, key: string, result: SweepResult): Promise<void> {
  await redis.multi().hset(key, resultField(result), JSON.stringify(result)).expire(key, storedResultsTtlSeconds).exec();
}

/** The stored results of these tasks, by field; an unreadable entry counts as missing (it is run again). */
export async function readStoredResults(redis: Redis, key: string, tasks: SweepTask[]): Promise<Map<string, SweepResult>> {
  const found = new Map<string, SweepResult>();
  for (let i = 0; i < tasks.length; i += storeReadChunkFields) {
    const fields = tasks.slice(i, i + storeReadChunkFields).map(resultField);
    const values = await redis.hmget(key, ...fields);
    values.forEach((v, j) => {
      if (v === null) return;
      try {
        const r = JSON.parse(v) as SweepResult;
        if (typeof r.traceHash === 'string' && typeof r.met === 'boolean') found.set(fields[j], r);
      } catch {
        // Not JSON: run it again rather than trust it.
      }
    });
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// The submitter

/** A local sweep's options, but the threads are the workers' business: where their queue is instead. */
export interface QueueSweepOptions extends Omit<SweepOptions, 'workers'> {
  address: RedisAddress;
}

/** How often the submitter looks for newly stored results. */
const resultPollIntervalMs = 200;
/** How often it asks BullMQ about the jobs still missing a result (failed? vanished?). */
const jobStateCheckIntervalMs = 5_000;
/** Below this many missing runs, job states are checked even while results keep coming. */
const jobStateCheckEagerMax = 1_000;
/** Job-state queries in flight at once. */
const jobStateQueryChunk = 200;
/** Jobs per addBulk (one MULTI each): a sweep of thousands of runs is not one giant transaction. */
const addBulkChunkJobs = 500;
/** Failed runs named in the error before "and N more". */
const failuresShownMax = 3;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Every (variant, seed) of the range, from the store where already there, the rest run by workers.
 * Resolves once every run is stored; throws when a run failed on the workers for good.
 */
export async function queueSweep(o: QueueSweepOptions): Promise<SweepResult[]> {
  await checkRedisReachable(o.address);
  const timings = queueTimings();
  const version = codeVersion();
  const name = queueName(version);
  const scenarioHash = sha256Hex(o.text);
  const key = resultsKey(version, scenarioHash);
  const tasks = sweepTasks(o.variants, o.seedFirst, o.seedLast);

  // Like BullMQ's connections, the store's waits out a Redis restart (the workers keep going), and
  // says so once per outage rather than failing a long sweep.
  const redis = new Redis(bullConnection(o.address));
  let outage = false;
  redis.on('error', (e: Error & { code?: string }) => {
    if (outage) return;
    outage = true;
    process.stderr.write(`${o.progress === 'bar' ? '\n' : ''}sweep: lost Redis at ${o.address.url} (${e.code ?? e.message}); waiting for it to come back\n`);
  });
  redis.on('ready', () => {
    if (outage) process.stderr.write(`sweep: Redis at ${o.address.url} is back\n`);
    outage = false;
  });
  const queue = new Queue<SweepJobData, SweepJobReturn>(name, { connection: bullConnection(o.address) });
  queue.on('error', () => {
    // BullMQ reconnects on its own; the store's client above reports the outage.
  });
  let progress: ReturnType<typeof sweepProgress> | undefined;
  try {
    const results = await readStoredResults(redis, key, tasks);
    if (results.size > 0) await redis.expire(key, storedResultsTtlSeconds);
    let missing = tasks.filter((t) => !results.has(resultField(t)));
    const data = (t: SweepTask): SweepJobData => ({ scenarioText: o.text, scenarioFile: o.file, scenarioHash, variant: t.variant, seed: t.seed, codeVersion: version });
    const enqueued = await enqueueMissing(queue, redis, key, missing, scenarioHash, data, results);
    missing = tasks.filter((t) => !results.has(resultField(t)));
    process.stderr.write(`sweep: ${tasks.length - missing.length} of ${tasks.length} runs already stored, ${enqueued} enqueued on ${name} at ${o.address.url}\n`);

    progress = sweepProgress(tasks.length, o.progress, [...results.values()]);
    const started = Date.now();
    let lastStateCheck = started;
    let progressedSinceStateCheck = false;
    let workerSeen = false;
    let warnedNoWorker = false;
    while (missing.length > 0) {
      await sleep(resultPollIntervalMs);
      const fresh = await readStoredResults(redis, key, missing);
      for (const [field, r] of fresh) {
        results.set(field, r);
        progress.add(r);
      }
      if (fresh.size > 0) {
        workerSeen = true;
        missing = missing.filter((t) => !results.has(resultField(t)));
      }
      if (!workerSeen && !warnedNoWorker && Date.now() - started >= timings.noWorkerWarningMs) {
        if ((await queue.getActiveCount()) > 0) workerSeen = true;
        else {
          warnedNoWorker = true;
          process.stderr.write(`${o.progress === 'bar' ? '\n' : ''}no worker of version ${version} is consuming ${name}: start one with pillars worker --queue ${o.address.url}\n`);
        }
      }
      // The states of many jobs cost many queries: while results keep coming, look only when few are
      // left; a sweep held up (a failure, a vanished job) stops progressing and is looked at then.
      if (fresh.size > 0) progressedSinceStateCheck = true;
      const stateCheckDue = Date.now() - lastStateCheck >= jobStateCheckIntervalMs && (!progressedSinceStateCheck || missing.length <= jobStateCheckEagerMax);
      if (missing.length > 0 && stateCheckDue) {
        lastStateCheck = Date.now();
        progressedSinceStateCheck = false;
        await enqueueMissing(queue, redis, key, missing, scenarioHash, data, results, (r) => progress?.add(r));
        missing = missing.filter((t) => !results.has(resultField(t)));
      }
    }
    return tasks.map((t) => results.get(resultField(t))!);
  } finally {
    progress?.stop();
    await queue.close().catch(() => undefined);
    redis.disconnect();
  }
}

/**
 * Make sure every missing task has a live job: one that is waiting, delayed or being run is left
 * alone (another sweep may have added it); one that failed is reported, unless it is this sweep's
 * first look, when it is replaced (a failure of an earlier sweep, say while Redis was away, deserves
 * another chance); one that is gone, or completed without a stored result, is added again. States
 * are read before results, so a job that finished in between is seen finished, never re-added.
 * Returns how many jobs were added.
 */
async function enqueueMissing(
  queue: Queue<SweepJobData, SweepJobReturn>,
  redis: Redis,
  key: string,
  missing: SweepTask[],
  scenarioHash: string,
  data: (t: SweepTask) => SweepJobData,
  results: Map<string, SweepResult>,
  onLateResult?: (r: SweepResult) => void,
): Promise<number> {
  const firstLook = onLateResult === undefined;
  const states: string[] = [];
  for (let i = 0; i < missing.length; i += jobStateQueryChunk) {
    states.push(...(await Promise.all(missing.slice(i, i + jobStateQueryChunk).map((t) => queue.getJobState(sweepJobId(scenarioHash, t))))));
  }
  const late = await readStoredResults(redis, key, missing);
  for (const [field, r] of late) {
    results.set(field, r);
    onLateResult?.(r);
  }
  const toAdd: SweepTask[] = [];
  /** Finished jobs that must go before their id can be added again. */
  const toReplace: SweepTask[] = [];
  const failed: SweepTask[] = [];
  missing.forEach((t, i) => {
    if (late.has(resultField(t))) return;
    const state = states[i];
    if (state === 'unknown') toAdd.push(t);
    else if (state === 'completed' || (state === 'failed' && firstLook)) toReplace.push(t);
    else if (state === 'failed') failed.push(t);
  });
  if (failed.length > 0) throw await failureReport(queue, scenarioHash, failed);
  for (const t of toReplace) await queue.remove(sweepJobId(scenarioHash, t));
  toAdd.push(...toReplace);
  for (let i = 0; i < toAdd.length; i += addBulkChunkJobs) {
    await queue.addBulk(toAdd.slice(i, i + addBulkChunkJobs).map((t) => ({ name: sweepJobName, data: data(t), opts: { ...sweepJobOptions, jobId: sweepJobId(scenarioHash, t) } })));
  }
  return toAdd.length;
}

/** The runs that failed on the workers for good, with BullMQ's reason: a bug, never a verdict. */
async function failureReport(queue: Queue<SweepJobData, SweepJobReturn>, scenarioHash: string, failed: SweepTask[]): Promise<Error> {
  const lines: string[] = [];
  for (const t of failed.slice(0, failuresShownMax)) {
    const job = await queue.getJob(sweepJobId(scenarioHash, t));
    lines.push(`${t.variant} seed ${t.seed} failed on a worker after ${job?.attemptsMade ?? '?'} attempts: ${job?.failedReason ?? 'no reason recorded'}`);
  }
  const more = failed.length > failuresShownMax ? `; and ${failed.length - failuresShownMax} more` : '';
  return new Error(`${lines.join('; ')}${more} (run the same sweep again to retry them)`);
}
