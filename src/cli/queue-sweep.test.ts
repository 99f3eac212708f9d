/**
 * `pillars sweep --queue` and `pillars worker` as real processes on a real redis-server: a
 * distributed sweep prints what a local one prints (digest included), a worker killed with SIGKILL
 * mid-job loses no seed, a second sweep is answered from stored results, bad URLs fail fast, and a
 * worker of another build never takes the jobs. Every process and the redis-server are stopped even
 * when an assertion fails. Skipped, naming the package, where redis-server is not installed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { startRedisServer, type RedisServer } from '../testing/redis-server.js';
import { skipUnlessInstalled } from '../testing/test-tools.js';
import { eventually, tempDir } from '../testing/real-nodes.js';
import { sha256Hex } from './queue-sweep.js';

const main = fileURLToPath(new URL('./main.js', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));
const scenario = (name: string) => join(root, 'scenarios', name);
const tmp = tempDir('pillars-queue-');

/** Short timings so that a stall is noticed in seconds: locks of 2 s, a stalled check every second. */
const fastEnv: NodeJS.ProcessEnv = {
  ...process.env,
  NO_COLOR: '1',
  PILLARS_QUEUE_LOCK_MS: '2000',
  PILLARS_QUEUE_STALLED_CHECK_MS: '1000',
  PILLARS_QUEUE_NO_WORKER_MS: '1500',
  PILLARS_WORKER_REPORT_MS: '300',
  PILLARS_WORKER_STOP_GRACE_MS: '3000',
};
delete fastEnv.PILLARS_CODE_VERSION;

/** No sweep here should take longer; past it the process is killed and the test fails. */
const sweepTimeoutMs = 60_000;

let redis: RedisServer;
const children = new Set<ChildProcess>();
const skip = skipUnlessInstalled('redis-server');

before(async () => {
  if (skip === false) redis = await startRedisServer();
});

after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await redis?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

interface Finished {
  code: number | null;
  out: string;
  err: string;
  ms: number;
}

/** `pillars ...` as a child process; resolves when it exits (killed, and failing, after timeoutMs). */
function pillars(args: string[], env: NodeJS.ProcessEnv = fastEnv, timeoutMs = sweepTimeoutMs): Promise<Finished> & { child: ChildProcess; stderr: () => string } {
  const started = Date.now();
  // A sweep keeps a results folder unless told not to: these compare printed output, and keep none in the repository.
  const store = args[0] === 'sweep' ? ['--no-store'] : [];
  const child = spawn(process.execPath, [main, ...args, ...store], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const done = new Promise<Finished>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pillars ${args.join(' ')} did not finish within ${timeoutMs} ms; stderr: ${err}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, out, err, ms: Date.now() - started });
    });
  });
  return Object.assign(done, { child, stderr: () => err });
}

interface WorkerProcess {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  /** The queue it consumes, from its first line. */
  queue: string;
  /** Its latest "N runs done" count. */
  runsDone: () => number;
  stop: () => Promise<void>;
}

/** `pillars worker --queue URL --concurrency 1`, once it says it is consuming. */
async function startWorker(env: NodeJS.ProcessEnv = fastEnv): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [main, 'worker', '--queue', redis.url, '--concurrency', '1'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => {
    children.delete(child);
    r();
  }));
  const queue = await eventually(`the worker to start (stdout: ${out}, stderr: ${err})`, () => / on (pillars-sweep-\S+) at /.exec(out)?.[1] ?? (child.exitCode !== null ? `exited ${child.exitCode}: ${err}` : undefined), 15_000);
  assert.match(queue, /^pillars-sweep-/, queue);
  return {
    child,
    out: () => out,
    err: () => err,
    queue,
    runsDone: () => Number([...out.matchAll(/worker: (?:stopped; )?(\d+) runs done/g)].at(-1)?.[1] ?? 0),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Stdout of a sweep without its first line (which says how long it took). */
const summaryOf = (out: string) => out.split('\n').slice(1).join('\n');

const digestOf = (out: string) => /^traceHash digest ([0-9a-f]{16})$/m.exec(out)?.[1];

test('a distributed sweep of broadcast 1..8 on two workers prints what a local sweep prints, the traceHash digest too', { skip }, async () => {
  const workers: WorkerProcess[] = [];
  try {
    workers.push(await startWorker(), await startWorker());
    const localJson = join(tmp, 'local.json');
    const queueJson = join(tmp, 'queue.json');
    // 40 runs, one job each: enough for both workers to take part; more seeds prove nothing more.
    const local = await pillars(['sweep', scenario('broadcast.yaml'), '--seeds', '1..8', '--json', localJson]);
    const distributed = await pillars(['sweep', scenario('broadcast.yaml'), '--seeds', '1..8', '--queue', redis.url, '--json', queueJson]);
    assert.equal(local.code, 0, local.err);
    assert.equal(distributed.code, 0, distributed.err);
    assert.match(distributed.out, /^broadcast: 40 runs \(seeds 1\.\.8, 5 variants\) in [\d.]+ s$/m);
    assert.ok(digestOf(local.out) !== undefined, local.out);
    assert.equal(digestOf(distributed.out), digestOf(local.out));
    assert.equal(summaryOf(distributed.out), summaryOf(local.out), 'the same lines: verdicts, failing seeds, replay commands, digest');
    assert.match(distributed.err, /0 of 40 runs already stored, 40 enqueued/);
    const l = JSON.parse(readFileSync(localJson, 'utf8'));
    const d = JSON.parse(readFileSync(queueJson, 'utf8'));
    assert.equal(d.runs.length, 40);
    assert.deepEqual(Object.keys(d.runs[0]), ['variant', 'seed', 'met', 'traceHash']);
    assert.deepEqual(d.runs, l.runs);
    assert.deepEqual(d.variants, l.variants);
    assert.equal(d.traceHashDigest, digestOf(local.out));
    // Both workers took part (one job at a time each); at least 40 runs, more only if a lock expired under load.
    await eventually('both workers to report', () => workers.every((w) => w.runsDone() > 0) && workers.reduce((s, w) => s + w.runsDone(), 0) >= 40, 5_000);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
});

test('a worker killed with SIGKILL while it holds a job loses no seed: another worker takes the job over, every seed is reported once', { skip }, async () => {
  const workers: WorkerProcess[] = [];
  let queue: Queue | undefined;
  try {
    const doomed = await startWorker();
    workers.push(doomed);
    queue = new Queue(doomed.queue, { connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null } });
    const json = join(tmp, 'raft.json');
    const sweep = pillars(['sweep', scenario('raft-chaos.yaml'), '--variant', 'fixed', '--seeds', '1..6', '--queue', redis.url, '--json', json]);
    const q = queue;
    const held = await eventually('the first worker to hold a job', async () => (await q.getActive())[0], 20_000);
    doomed.child.kill('SIGKILL');
    workers.push(await startWorker());
    const r = await sweep;
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^fixed \(expect pass\): 6\/6 as expected$/m);
    const runs = JSON.parse(readFileSync(json, 'utf8')).runs as { variant: string; seed: number }[];
    assert.deepEqual(runs.map((x) => x.seed), [1, 2, 3, 4, 5, 6], 'every seed exactly once');
    const job = await queue.getJob(held.id!);
    assert.equal(await job?.getState(), 'completed');
    assert.ok((job?.stalledCounter ?? 0) >= 1, `the job held by the killed worker came back through the stalled check (stalledCounter ${job?.stalledCounter})`);
    assert.equal(job?.attemptsMade, 1, 'a crash is a stall, not a failed attempt');
  } finally {
    await queue?.close();
    await Promise.all(workers.map((w) => w.stop()));
  }
});

test('a second sweep of the same range is answered from stored results: fast, and no job is run again; an overlapping range runs only the new seeds', { skip }, async () => {
  const workers: WorkerProcess[] = [];
  let queue: Queue | undefined;
  try {
    const worker = await startWorker();
    workers.push(worker);
    queue = new Queue(worker.queue, { connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null } });
    const args = (seeds: string) => ['sweep', scenario('broadcast.yaml'), '--variant', 'naive', '--seeds', seeds, '--queue', redis.url];
    const first = await pillars(args('31..40'));
    assert.equal(first.code, 0, first.err);
    assert.match(first.err, /0 of 10 runs already stored, 10 enqueued/);
    await eventually('the worker to report its 10 runs', () => worker.runsDone() >= 10, 5_000);
    const countsBefore = await queue.getJobCounts();
    const runsBefore = worker.runsDone();

    const second = await pillars(args('31..40'));
    assert.equal(second.code, 0, second.err);
    assert.match(second.err, /10 of 10 runs already stored, 0 enqueued/);
    assert.equal(summaryOf(second.out), summaryOf(first.out));
    assert.ok(second.ms < 5_000, `answered from the store in ${second.ms} ms`);
    assert.deepEqual(await queue.getJobCounts(), countsBefore, 'no job was added');
    await new Promise((r) => setTimeout(r, 600)); // two report intervals of the worker
    assert.equal(worker.runsDone(), runsBefore, 'the worker ran nothing more');

    const overlapping = await pillars(args('36..45'));
    assert.equal(overlapping.code, 0, overlapping.err);
    assert.match(overlapping.err, /5 of 10 runs already stored, 5 enqueued/);
    await eventually('the worker to report 5 more runs', () => worker.runsDone() >= runsBefore + 5, 5_000);
  } finally {
    await queue?.close();
    await Promise.all(workers.map((w) => w.stop()));
  }
});

test('an unreachable Redis exits 2 within 5 s with one line naming the URL; a malformed URL is bad input', { skip }, async () => {
  for (const args of [
    ['sweep', scenario('broadcast.yaml'), '--seeds', '1..2', '--queue', 'redis://127.0.0.1:1'],
    ['worker', '--queue', 'redis://127.0.0.1:1'],
  ]) {
    const r = await pillars(args, fastEnv, 10_000);
    assert.equal(r.code, 2, `${args[0]}: ${r.err}`);
    assert.ok(r.ms < 5_000, `${args[0]} gave up in ${r.ms} ms`);
    assert.equal(r.err, 'pillars: redis://127.0.0.1:1: cannot reach Redis (ECONNREFUSED)\n');
  }
  for (const args of [
    ['sweep', scenario('broadcast.yaml'), '--seeds', '1..2', '--queue', 'localhost:6379'],
    ['worker', '--queue', 'redis://host:99999'],
  ]) {
    const r = await pillars(args, fastEnv, 10_000);
    assert.equal(r.code, 2, r.err);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.match(r.err, /--queue: a URL redis:\/\/HOST:PORT/);
  }
  const concurrency = await pillars(['worker', '--queue', redis.url, '--concurrency', '0'], fastEnv, 10_000);
  assert.equal(concurrency.code, 2);
  assert.match(concurrency.err, /--concurrency: a positive integer/);
});

test('a worker of another code version never sees the jobs, and refuses a job of another version put on its own queue', { skip }, async () => {
  const workers: WorkerProcess[] = [];
  let foreignQueue: Queue | undefined;
  let realQueue: Queue | undefined;
  try {
    const stranger = await startWorker({ ...fastEnv, PILLARS_CODE_VERSION: '0.0.0+other-build' });
    workers.push(stranger);
    assert.equal(stranger.queue, 'pillars-sweep-0.0.0-other-build');
    const json = join(tmp, 'versions.json');
    const sweep = pillars(['sweep', scenario('broadcast.yaml'), '--variant', 'fixed', '--seeds', '51..53', '--queue', redis.url, '--json', json]);
    const warning = await eventually('the no-worker warning', () => /no worker of version (\S+) is consuming (\S+): start one with pillars worker --queue (\S+)/.exec(sweep.stderr()) ?? undefined, 10_000);
    assert.notEqual(warning[1], '0.0.0+other-build');
    assert.equal(warning[3], redis.url);
    realQueue = new Queue(warning[2], { connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null } });
    const counts = await realQueue.getJobCounts('waiting', 'active');
    assert.deepEqual(counts, { waiting: 3, active: 0 }, 'the stranger took nothing');
    assert.equal(stranger.runsDone(), 0);

    // A worker of this build finishes the sweep.
    workers.push(await startWorker());
    const r = await sweep;
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^fixed \(expect pass\): 3\/3 as expected$/m);

    // Put by hand on the stranger's queue: a job of this build, and one whose text does not match its hash.
    foreignQueue = new Queue(stranger.queue, { connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null } });
    const text = readFileSync(scenario('broadcast.yaml'), 'utf8');
    const data = { scenarioText: text, scenarioFile: 'broadcast.yaml', scenarioHash: sha256Hex(text), variant: 'fixed', seed: 1 };
    const wrongVersion = await foreignQueue.add('run', { ...data, codeVersion: warning[1] }, { jobId: 'wrong-version', attempts: 3 });
    const wrongHash = await foreignQueue.add('run', { ...data, codeVersion: '0.0.0+other-build', scenarioText: text + '\n# edited\n' }, { jobId: 'wrong-hash', attempts: 3 });
    const fq = foreignQueue;
    for (const [job, reason] of [[wrongVersion, /refused: the job is for code version \S+, this worker runs 0\.0\.0\+other-build/], [wrongHash, /refused: the scenario text does not hash to/]] as const) {
      const failed = await eventually(`job ${job.id} to fail`, async () => {
        // The state first, then the job: a job read before it failed would carry no failedReason.
        if ((await fq.getJobState(job.id!)) !== 'failed') return undefined;
        return await fq.getJob(job.id!);
      }, 10_000);
      assert.match(failed!.failedReason, reason);
      assert.equal(failed!.attemptsMade, 1, 'refused for good (UnrecoverableError), not retried');
    }
    assert.equal(stranger.runsDone(), 0);
  } finally {
    await foreignQueue?.close();
    await realQueue?.close();
    await Promise.all(workers.map((w) => w.stop()));
  }
});
