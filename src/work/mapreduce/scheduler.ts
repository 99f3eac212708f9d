/**
 * The MapReduce master's bookkeeping (Dean and Ghemawat, OSDI 2004, section 3), as a pure state
 * machine: which task runs where, what is done, what a lost worker takes with it. The host (a
 * Process, cluster.ts) feeds it events with the time and carries out the assignments it returns.
 *
 * - Every worker has a map slot and a reduce slot (as Hadoop's task trackers do). Map tasks go to
 *   idle map slots; reduce tasks to idle reduce slots once every map task is done (a reduce reads a
 *   partition of every map's output). With one slot for both, reduce tasks waiting for the output
 *   of a dead worker's maps would hold every worker, and the maps could never run again.
 * - A failed worker's in-progress tasks go back to idle, and so do its completed map tasks: their
 *   output sat on its local disk. Its completed reduce tasks stay done (their output is in the
 *   global file system).
 * - Backup tasks (section 3.6): when a phase has no idle task left, an idle slot gets a second
 *   attempt of the in-progress task that has run longest. Whichever attempt finishes first completes
 *   the task; the other is cancelled, and a late completion is ignored, so each task's output is
 *   counted once.
 */
import { invariant } from '../../runtime/invariant.js';
import type { NodeId } from '../../runtime/context.js';

export type Phase = 'map' | 'reduce';

export interface Attempt {
  worker: NodeId;
  startedMs: number;
  backup: boolean;
}

interface Task {
  phase: Phase;
  index: number;
  state: 'idle' | 'in-progress' | 'done';
  attempts: Attempt[];
  /** The worker that completed it (for a map task: where its output lives). */
  doneBy?: NodeId;
}

export interface Assignment {
  worker: NodeId;
  phase: Phase;
  index: number;
  backup: boolean;
}

export interface SchedulerOptions {
  mapTasks: number;
  reduceTasks: number;
  /** Launch backup attempts of in-progress tasks once a phase has no idle task left. */
  backupTasks: boolean;
  /** At most this many attempts run at once per task (the primary and its backups). */
  attemptsPerTaskMax?: number;
}

export interface Completion {
  /** false: the task was already done (a backup or a re-execution lost the race); ignore its output. */
  accepted: boolean;
  /** The other attempts still running, to be cancelled. */
  cancel: NodeId[];
}

export class MapReduceScheduler {
  private readonly tasks: Task[] = [];
  private readonly idle: Record<Phase, NodeId[]> = { map: [], reduce: [] };
  private readonly failed = new Set<NodeId>();
  private readonly running: Record<Phase, Map<NodeId, Task>> = { map: new Map(), reduce: new Map() };
  /** Attempts started, of them backups, and map tasks re-executed after their worker failed. */
  attemptsStarted = 0;
  backupsStarted = 0;
  mapsReexecuted = 0;

  constructor(
    private readonly options: SchedulerOptions,
    workers: readonly NodeId[],
  ) {
    invariant('mapreduce', options.mapTasks >= 1 && options.reduceTasks >= 1, () => `at least one map and one reduce task (got ${options.mapTasks}, ${options.reduceTasks})`);
    for (let i = 0; i < options.mapTasks; i++) this.tasks.push({ phase: 'map', index: i, state: 'idle', attempts: [] });
    for (let i = 0; i < options.reduceTasks; i++) this.tasks.push({ phase: 'reduce', index: i, state: 'idle', attempts: [] });
    this.idle.map.push(...workers);
    this.idle.reduce.push(...workers);
  }

  get done(): boolean {
    return this.tasks.every((t) => t.state === 'done');
  }

  get mapsDone(): boolean {
    return this.tasks.every((t) => t.phase === 'reduce' || t.state === 'done');
  }

  /** Where each map task's output lives (undefined while it is not done). */
  mapOutputLocations(): (NodeId | undefined)[] {
    return this.tasks.filter((t) => t.phase === 'map').map((t) => t.doneBy);
  }

  /** The assignments for every idle slot that can be given something now. */
  dispatch(nowMs: number): Assignment[] {
    const out: Assignment[] = [];
    for (const phase of ['map', 'reduce'] as const) {
      if (phase === 'reduce' && !this.mapsDone) break;
      const idle = this.idle[phase];
      while (idle.length > 0) {
        const pick = this.nextTask(phase, idle[0]);
        if (pick === undefined) break;
        const worker = idle.shift()!;
        pick.task.state = 'in-progress';
        pick.task.attempts.push({ worker, startedMs: nowMs, backup: pick.backup });
        this.running[phase].set(worker, pick.task);
        this.attemptsStarted++;
        if (pick.backup) this.backupsStarted++;
        out.push({ worker, phase, index: pick.task.index, backup: pick.backup });
      }
    }
    return out;
  }

  private nextTask(phase: Phase, worker: NodeId): { task: Task; backup: boolean } | undefined {
    const inPhase = this.tasks.filter((t) => t.phase === phase);
    const fresh = inPhase.find((t) => t.state === 'idle');
    if (fresh !== undefined) return { task: fresh, backup: false };
    if (!this.options.backupTasks) return undefined;
    // The straggler most worth a second attempt: the in-progress task whose attempts started longest ago.
    const limit = this.options.attemptsPerTaskMax ?? 2;
    let best: Task | undefined;
    for (const t of inPhase) {
      if (t.state !== 'in-progress' || t.attempts.length >= limit || t.attempts.some((a) => a.worker === worker)) continue;
      if (best === undefined || t.attempts[0].startedMs < best.attempts[0].startedMs) best = t;
    }
    return best === undefined ? undefined : { task: best, backup: true };
  }

  /** `worker` finished its attempt of a task. */
  completed(worker: NodeId, phase: Phase, index: number): Completion {
    const task = this.task(phase, index);
    const running = this.running[phase];
    if (running.get(worker) !== task) return { accepted: false, cancel: [] }; // an attempt already cancelled, or from before a failure
    invariant('mapreduce', task.state === 'in-progress', () => `${phase} task ${index} completed by ${worker} while ${task.state}`);
    running.delete(worker);
    task.attempts = task.attempts.filter((a) => a.worker !== worker);
    if (!this.failed.has(worker)) this.idle[phase].push(worker);
    task.state = 'done';
    task.doneBy = worker;
    const cancel = task.attempts.map((a) => a.worker);
    for (const w of cancel) {
      running.delete(w);
      if (!this.failed.has(w)) this.idle[phase].push(w);
    }
    task.attempts = [];
    return { accepted: true, cancel };
  }

  /**
   * `worker` is considered dead. Its attempts are dropped (a task with no attempt left is idle again)
   * and the map output on its disk is lost: those map tasks run again, unless every reduce task is
   * already done and nobody will read them.
   */
  workerFailed(worker: NodeId): void {
    if (this.failed.has(worker)) return;
    this.failed.add(worker);
    for (const phase of ['map', 'reduce'] as const) {
      const i = this.idle[phase].indexOf(worker);
      if (i >= 0) this.idle[phase].splice(i, 1);
      const t = this.running[phase].get(worker);
      this.running[phase].delete(worker);
      if (t !== undefined) {
        t.attempts = t.attempts.filter((a) => a.worker !== worker);
        if (t.attempts.length === 0) t.state = 'idle';
      }
    }
    const reducesLeft = this.tasks.some((x) => x.phase === 'reduce' && x.state !== 'done');
    if (!reducesLeft) return;
    for (const m of this.tasks) {
      if (m.phase === 'map' && m.state === 'done' && m.doneBy === worker) {
        m.state = 'idle';
        m.doneBy = undefined;
        this.mapsReexecuted++;
      }
    }
  }

  /** The attempts running now, by task. */
  inProgress(): { phase: Phase; index: number; attempts: readonly Attempt[] }[] {
    return this.tasks.filter((t) => t.state === 'in-progress').map((t) => ({ phase: t.phase, index: t.index, attempts: t.attempts }));
  }

  private task(phase: Phase, index: number): Task {
    const t = this.tasks[phase === 'map' ? index : this.options.mapTasks + index];
    invariant('mapreduce', t !== undefined && t.phase === phase, () => `no ${phase} task ${index}`);
    return t;
  }
}
