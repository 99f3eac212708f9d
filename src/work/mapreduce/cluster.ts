/**
 * MapReduce on the simulated cluster (Dean and Ghemawat, OSDI 2004): a word count over generated
 * text. One node is the master, every other node a worker.
 *
 * - The master cuts the input into `mapTasks` splits and hands tasks to idle workers
 *   (scheduler.ts). A map task counts the words of its split (the combiner of the paper's word
 *   count) and keeps `reduceTasks` partitions of that output, by hash of the word, on the worker's
 *   local disk. A reduce task fetches its partition from every map output's worker (the shuffle),
 *   sums the counts and reports them to the master, which stands in for the output files.
 * - A task takes records x ms-per-record x the machine's slowness x a random jitter of a few
 *   percent. A slow machine (`slowMachines`, the paper's disk that read at a thirtieth of its speed)
 *   takes `factor` times as long for everything it runs.
 * - Worker failures: the master pings every worker; one silent for `failAfterMs` is dead. Its
 *   running tasks and its completed map tasks run again elsewhere, and the reduce tasks still
 *   fetching learn the new location of the map output.
 * - Backup tasks: near the end of each phase the remaining in-progress tasks get a second attempt
 *   on an idle worker; the first to finish wins.
 *
 * At the end the master compares every word's count with the count it made of the input itself:
 * a task whose output was counted twice (a backup and its primary both accepted) or lost (a map
 * output on a dead worker) shows up as a wrong word.
 */
import { z } from 'zod';
import type { Context, NodeId, Process, TimerId } from '../../runtime/context.js';
import { nodeRef } from '../../runtime/node-ref.js';
import { hashString } from '../../runtime/hash.js';
import { compareOrdinal } from '../../runtime/ordinal.js';
import { MapReduceScheduler, type Assignment, type Phase } from './scheduler.js';

export const mapReduceConfigSchema = z
  .object({
    master: nodeRef({ reserved: 'the master schedules tasks and runs none' }).default('n1'),
    mapTasks: z.number().int().positive(),
    reduceTasks: z.number().int().positive(),
    recordsPerSplit: z.number().int().positive(),
    /** Distinct words of the generated text (drawn with a skew: low-numbered words are common). */
    vocabulary: z.number().int().positive().default(1000),
    mapMsPerRecord: z.number().positive(),
    /** Per (word, count) pair a reduce task reads. */
    reduceMsPerRecord: z.number().positive(),
    /** Every task's time is multiplied by a uniform draw in [1 - jitter, 1 + jitter]. */
    taskJitter: z.number().min(0).max(0.9).default(0.1),
    /** Machines on which every task takes `factor` times as long (a bad disk, a noisy neighbour). */
    slowMachines: z.record(nodeRef(), z.number().min(1)).default({}),
    backupTasks: z.boolean().default(false),
    /** Detect dead workers by heartbeat and run their tasks again; false: wait for them forever. */
    reexecute: z.boolean().default(true),
    pingMs: z.number().positive().default(500),
    failAfterMs: z.number().positive().default(2000),
    fetchRetryMs: z.number().positive().default(500),
  })
  .strict();
export type MapReduceConfig = z.infer<typeof mapReduceConfigSchema>;

type Pairs = [string, number][];

type Msg =
  | { type: 'mr_task'; attempt: number; phase: Phase; index: number; split?: string[]; locations?: (NodeId | undefined)[] }
  | { type: 'mr_cancel'; attempt: number }
  | { type: 'mr_locations'; attempt: number; locations: (NodeId | undefined)[] }
  | { type: 'mr_done'; attempt: number; phase: Phase; index: number; output?: Pairs }
  | { type: 'mr_ping' }
  | { type: 'mr_pong' }
  | { type: 'mr_fetch'; map: number; partition: number }
  | { type: 'mr_partition'; map: number; partition: number; pairs: Pairs };

const isMsg = (m: unknown): m is Msg => typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string' && (m as { type: string }).type.startsWith('mr_');

/** The reduce partition of a word: the paper's default, hash(key) mod R. */
export const partitionOf = (word: string, reduceTasks: number) => hashString(word) % reduceTasks;

/** Map: the words of a split counted (with the combiner), cut into R partitions sorted by word. */
export function mapSplit(split: readonly string[], reduceTasks: number): Pairs[] {
  const counts = new Map<string, number>();
  for (const w of split) counts.set(w, (counts.get(w) ?? 0) + 1);
  const parts: Pairs[] = Array.from({ length: reduceTasks }, () => []);
  for (const [w, c] of counts) parts[partitionOf(w, reduceTasks)].push([w, c]);
  for (const p of parts) p.sort((a, b) => compareOrdinal(a[0], b[0]));
  return parts;
}

/** Reduce: the counts of one partition from every map, summed per word. */
export function reducePartition(inputs: readonly Pairs[]): Pairs {
  const sums = new Map<string, number>();
  for (const pairs of inputs) for (const [w, c] of pairs) sums.set(w, (sums.get(w) ?? 0) + c);
  return [...sums].sort((a, b) => compareOrdinal(a[0], b[0]));
}

const slot = (worker: NodeId, phase: Phase) => `${worker}/${phase}`;

interface AttemptRecord {
  assignment: Assignment;
  startedMs: number;
}

class Master implements Process {
  private readonly scheduler: MapReduceScheduler;
  private readonly workers: NodeId[];
  private splits: string[][] = [];
  private readonly expected = new Map<string, number>();
  private readonly output = new Map<string, number>();
  private readonly attempts = new Map<number, AttemptRecord>();
  /** The attempt each worker's slot runs, by slot (worker/phase). */
  private readonly attemptOf = new Map<string, number>();
  private readonly lastHeard = new Map<NodeId, number>();
  private nextAttempt = 1;
  private startedMs = 0;
  private finished = false;
  private taskMsUseful = 0;
  private taskMsWasted = 0;

  constructor(
    private readonly ctx: Context,
    private readonly config: MapReduceConfig,
  ) {
    this.workers = ctx.peers.filter((p) => p !== config.master);
    this.scheduler = new MapReduceScheduler({ mapTasks: config.mapTasks, reduceTasks: config.reduceTasks, backupTasks: config.backupTasks }, this.workers);
  }

  start(): void {
    const { mapTasks, recordsPerSplit, vocabulary } = this.config;
    for (let m = 0; m < mapTasks; m++) {
      const split: string[] = [];
      for (let i = 0; i < recordsPerSplit; i++) {
        const r = this.ctx.random();
        const w = `w${Math.floor(vocabulary * r * r)}`;
        split.push(w);
        this.expected.set(w, (this.expected.get(w) ?? 0) + 1);
      }
      this.splits.push(split);
    }
    this.startedMs = this.ctx.now();
    for (const w of this.workers) this.lastHeard.set(w, this.startedMs);
    this.ctx.metrics.gauge('job_done', 0);
    this.tick();
    this.dispatch();
  }

  /** Heartbeats, failure detection, and the job's running time so far. */
  private tick(): void {
    if (this.finished) return;
    const now = this.ctx.now();
    this.ctx.metrics.gauge('job_ms', Math.round(now - this.startedMs));
    if (this.config.reexecute) {
      for (const w of this.workers) {
        if (now - this.lastHeard.get(w)! > this.config.failAfterMs && !this.dead.has(w)) this.workerFailed(w);
        if (!this.dead.has(w)) this.send(w, { type: 'mr_ping' });
      }
      this.dispatch();
    }
    this.ctx.setTimer(this.config.pingMs, () => this.tick());
  }

  private readonly dead = new Set<NodeId>();

  private workerFailed(w: NodeId): void {
    this.dead.add(w);
    this.ctx.metrics.count('workers_failed');
    const before = this.scheduler.mapsReexecuted;
    this.scheduler.workerFailed(w);
    this.ctx.metrics.count('maps_reexecuted', this.scheduler.mapsReexecuted - before);
    for (const phase of ['map', 'reduce'] as const) {
      const a = this.attemptOf.get(slot(w, phase));
      if (a !== undefined) this.endAttempt(a, false);
    }
  }

  private dispatch(): void {
    for (const as of this.scheduler.dispatch(this.ctx.now())) {
      const attempt = this.nextAttempt++;
      this.attempts.set(attempt, { assignment: as, startedMs: this.ctx.now() });
      this.attemptOf.set(slot(as.worker, as.phase), attempt);
      this.ctx.metrics.count(as.backup ? 'backup_tasks' : 'tasks_started');
      this.send(as.worker, {
        type: 'mr_task',
        attempt,
        phase: as.phase,
        index: as.index,
        ...(as.phase === 'map' ? { split: this.splits[as.index] } : { locations: this.scheduler.mapOutputLocations() }),
      });
    }
  }

  private endAttempt(attempt: number, useful: boolean): void {
    const rec = this.attempts.get(attempt);
    if (rec === undefined) return;
    this.attempts.delete(attempt);
    const key = slot(rec.assignment.worker, rec.assignment.phase);
    if (this.attemptOf.get(key) === attempt) this.attemptOf.delete(key);
    const ms = this.ctx.now() - rec.startedMs;
    if (useful) this.taskMsUseful += ms;
    else this.taskMsWasted += ms;
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (!isMsg(msg)) return;
    this.lastHeard.set(from, this.ctx.now());
    if (msg.type !== 'mr_done' || this.attemptOf.get(slot(from, msg.phase)) !== msg.attempt) return;
    const c = this.scheduler.completed(from, msg.phase, msg.index);
    this.endAttempt(msg.attempt, c.accepted);
    if (!c.accepted) return;
    for (const w of c.cancel) {
      const a = this.attemptOf.get(slot(w, msg.phase));
      if (a === undefined) continue;
      this.endAttempt(a, false);
      this.send(w, { type: 'mr_cancel', attempt: a });
    }
    if (msg.phase === 'map') this.tellReducers();
    else for (const [w, n] of msg.output ?? []) this.output.set(w, (this.output.get(w) ?? 0) + n);
    if (this.scheduler.done) this.finish();
    else this.dispatch();
  }

  /** A map output moved (it ran again after its worker died): reduce tasks still fetching hear where. */
  private tellReducers(): void {
    const locations = this.scheduler.mapOutputLocations();
    for (const [attempt, rec] of this.attempts) if (rec.assignment.phase === 'reduce') this.send(rec.assignment.worker, { type: 'mr_locations', attempt, locations });
  }

  private finish(): void {
    this.finished = true;
    let wrong = 0;
    for (const [w, n] of this.expected) if (this.output.get(w) !== n) wrong++;
    for (const w of this.output.keys()) if (!this.expected.has(w)) wrong++;
    const m = this.ctx.metrics;
    m.gauge('job_done', 1);
    m.gauge('job_ms', Math.round(this.ctx.now() - this.startedMs));
    m.gauge('output_words_wrong', wrong);
    m.gauge('output_words', this.output.size);
    // What backups and lost attempts cost, as the paper reports it: extra machine time over the work itself.
    m.gauge('extra_work_pct', Math.round((1000 * this.taskMsWasted) / Math.max(1, this.taskMsUseful)) / 10);
  }

  private send(to: NodeId, msg: Msg): void {
    this.ctx.send(to, msg);
  }

  describe() {
    return { role: 'master' };
  }
}

interface Running {
  attempt: number;
  phase: Phase;
  index: number;
  timer?: TimerId;
  /** A reduce task: where each map output is, what has come, the timer that asks again. */
  locations?: (NodeId | undefined)[];
  received?: Map<number, Pairs>;
  retry?: TimerId;
}

class Worker implements Process {
  private readonly slowness: number;
  /** Map outputs on this machine's local disk, by map task: one list of pairs per reduce partition. */
  private readonly mapOutputs = new Map<number, Pairs[]>();
  private readonly slots: Record<Phase, Running | undefined> = { map: undefined, reduce: undefined };

  constructor(
    private readonly ctx: Context,
    private readonly config: MapReduceConfig,
  ) {
    this.slowness = config.slowMachines[ctx.id] ?? 1;
  }

  private taskMs(records: number, msPerRecord: number): number {
    const j = this.config.taskJitter;
    return records * msPerRecord * this.slowness * (1 - j + 2 * j * this.ctx.random());
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (!isMsg(msg)) return;
    const reduce = this.slots.reduce;
    switch (msg.type) {
      case 'mr_ping':
        return this.ctx.send(from, { type: 'mr_pong' } satisfies Msg);
      case 'mr_task':
        return this.startTask(msg);
      case 'mr_cancel':
        for (const phase of ['map', 'reduce'] as const) if (this.slots[phase]?.attempt === msg.attempt) this.stop(phase);
        return;
      case 'mr_locations':
        if (reduce?.attempt !== msg.attempt) return;
        reduce.locations = msg.locations;
        return this.fetchMissing(reduce);
      case 'mr_fetch': {
        const out = this.mapOutputs.get(msg.map);
        if (out !== undefined) this.ctx.send(from, { type: 'mr_partition', map: msg.map, partition: msg.partition, pairs: out[msg.partition] } satisfies Msg);
        return;
      }
      case 'mr_partition':
        return this.received(msg.map, msg.partition, msg.pairs);
      default:
        return;
    }
  }

  private startTask(t: Extract<Msg, { type: 'mr_task' }>): void {
    this.stop(t.phase);
    const cur: Running = { attempt: t.attempt, phase: t.phase, index: t.index };
    this.slots[t.phase] = cur;
    if (t.phase === 'map') {
      const split = t.split!;
      cur.timer = this.ctx.setTimer(this.taskMs(split.length, this.config.mapMsPerRecord), () => {
        this.mapOutputs.set(t.index, mapSplit(split, this.config.reduceTasks));
        this.done(cur);
      });
      return;
    }
    cur.locations = t.locations;
    cur.received = new Map();
    this.fetchMissing(cur);
  }

  /** Ask each map output's worker for this reduce task's partition; again every fetchRetryMs for what has not come. */
  private fetchMissing(cur: Running): void {
    if (cur.timer !== undefined) return;
    cur.locations!.forEach((loc, m) => {
      if (loc !== undefined && !cur.received!.has(m)) this.ctx.send(loc, { type: 'mr_fetch', map: m, partition: cur.index } satisfies Msg);
    });
    if (cur.retry !== undefined) this.ctx.clearTimer(cur.retry);
    cur.retry = this.ctx.setTimer(this.config.fetchRetryMs, () => {
      cur.retry = undefined;
      if (this.slots.reduce === cur) this.fetchMissing(cur);
    });
  }

  private received(map: number, partition: number, pairs: Pairs): void {
    const cur = this.slots.reduce;
    if (cur === undefined || cur.index !== partition || cur.received!.has(map) || cur.timer !== undefined) return;
    cur.received!.set(map, pairs);
    if (cur.received!.size < this.config.mapTasks) return;
    if (cur.retry !== undefined) this.ctx.clearTimer(cur.retry);
    cur.retry = undefined;
    const inputs = [...cur.received!.values()];
    const records = inputs.reduce((n, p) => n + p.length, 0);
    cur.timer = this.ctx.setTimer(this.taskMs(records, this.config.reduceMsPerRecord), () => this.done(cur, reducePartition(inputs)));
  }

  private done(cur: Running, output?: Pairs): void {
    this.slots[cur.phase] = undefined;
    this.ctx.send(this.config.master, { type: 'mr_done', attempt: cur.attempt, phase: cur.phase, index: cur.index, ...(output === undefined ? {} : { output }) } satisfies Msg);
  }

  private stop(phase: Phase): void {
    const cur = this.slots[phase];
    if (cur === undefined) return;
    if (cur.timer !== undefined) this.ctx.clearTimer(cur.timer);
    if (cur.retry !== undefined) this.ctx.clearTimer(cur.retry);
    this.slots[phase] = undefined;
  }

  describe() {
    return { role: 'worker' };
  }
}

export const mapReduce = (ctx: Context, config: MapReduceConfig): Process => (ctx.id === config.master ? new Master(ctx, config) : new Worker(ctx, config));

export const mapReduceMetrics = ['job_done', 'job_ms', 'output_words_wrong', 'output_words', 'extra_work_pct', 'tasks_started', 'backup_tasks', 'workers_failed', 'maps_reexecuted'];
