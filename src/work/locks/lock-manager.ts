/**
 * A lock manager with a wait-for graph: exclusive locks on named resources, FIFO waiting, deadlock
 * detection and lock timeouts. A pure core: every call takes the time and returns what happened
 * (grants, victims), and the host tells the owners.
 *
 * Deadlock: when an owner starts waiting, the wait-for graph (owner -> the owner holding what it
 * waits for) is searched from it; a cycle is a deadlock. The victim is the youngest owner in the
 * cycle (the one that started last, so the least work is lost, as in wait-die); its waiting request
 * is refused and everything it holds is released, which lets the others go on.
 */
import { positive } from '../../runtime/config-error.js';

export type LockEvent =
  | { type: 'granted'; owner: string; resource: string }
  | { type: 'deadlock'; victim: string; resource: string; cycle: string[] }
  | { type: 'timeout'; owner: string; resource: string };

interface Resource {
  holder: string | undefined;
  /** Owners waiting, in arrival order. */
  queue: string[];
}

export interface LockManagerOptions {
  /** Find deadlocks when an owner starts waiting (default true). */
  detectDeadlocks?: boolean;
  /** A wait longer than this ends with a timeout (default: none). */
  lockTimeoutMs?: number;
}

export class LockManager {
  private readonly resources = new Map<string, Resource>();
  /** What each owner holds, and what it waits for (at most one resource at a time). */
  private readonly holding = new Map<string, Set<string>>();
  private readonly waiting = new Map<string, { resource: string; sinceMs: number }>();
  /** When each owner first asked for a lock: its age, for choosing victims. */
  private readonly born = new Map<string, number>();
  private readonly detect: boolean;
  private readonly lockTimeoutMs: number;
  deadlocks = 0;
  timeouts = 0;

  constructor(opts: LockManagerOptions = {}) {
    this.detect = opts.detectDeadlocks ?? true;
    this.lockTimeoutMs = opts.lockTimeoutMs === undefined ? Infinity : positive('lockTimeoutMs', opts.lockTimeoutMs);
  }

  /** Ask for a resource: granted at once, queued, or (with detection) a deadlock broken. */
  acquire(owner: string, resource: string, nowMs: number): LockEvent[] {
    if (this.waiting.has(owner)) throw new Error(`${owner} is already waiting for ${this.waiting.get(owner)!.resource}`);
    if (!this.born.has(owner)) this.born.set(owner, nowMs);
    const r = this.resource(resource);
    if (r.holder === owner) return [{ type: 'granted', owner, resource }];
    if (r.holder === undefined) {
      this.grant(owner, resource, r);
      return [{ type: 'granted', owner, resource }];
    }
    r.queue.push(owner);
    this.waiting.set(owner, { resource, sinceMs: nowMs });
    if (!this.detect) return [];
    const cycle = this.cycleFrom(owner);
    if (cycle === undefined) return [];
    this.deadlocks++;
    const victim = cycle.reduce((a, b) => (this.born.get(b)! > this.born.get(a)! || (this.born.get(b) === this.born.get(a) && b > a) ? b : a));
    const victimResource = this.waiting.get(victim)!.resource;
    return [{ type: 'deadlock', victim, resource: victimResource, cycle }, ...this.abort(victim)];
  }

  /** Give a resource back; returns the grant it makes to the next waiter, if any. */
  release(owner: string, resource: string): LockEvent[] {
    const r = this.resources.get(resource);
    if (r === undefined || r.holder !== owner) return [];
    this.holding.get(owner)?.delete(resource);
    r.holder = undefined;
    const next = r.queue.shift();
    if (next === undefined) return [];
    this.waiting.delete(next);
    this.grant(next, resource, r);
    return [{ type: 'granted', owner: next, resource }];
  }

  /** The owner is done (or gave up): stop its wait and release all it holds. */
  abort(owner: string): LockEvent[] {
    const w = this.waiting.get(owner);
    if (w !== undefined) {
      this.waiting.delete(owner);
      const q = this.resources.get(w.resource)!.queue;
      q.splice(q.indexOf(owner), 1);
    }
    const events: LockEvent[] = [];
    for (const res of [...(this.holding.get(owner) ?? [])]) events.push(...this.release(owner, res));
    this.born.delete(owner);
    return events;
  }

  /** Waits that have lasted past lockTimeoutMs end: each owner told, and released. */
  expire(nowMs: number): LockEvent[] {
    const events: LockEvent[] = [];
    for (const [owner, w] of [...this.waiting]) {
      if (nowMs - w.sinceMs < this.lockTimeoutMs || !this.waiting.has(owner)) continue;
      this.timeouts++;
      events.push({ type: 'timeout', owner, resource: w.resource }, ...this.abort(owner));
    }
    return events;
  }

  holderOf(resource: string): string | undefined {
    return this.resources.get(resource)?.holder;
  }

  private resource(name: string): Resource {
    let r = this.resources.get(name);
    if (r === undefined) this.resources.set(name, (r = { holder: undefined, queue: [] }));
    return r;
  }

  private grant(owner: string, resource: string, r: Resource): void {
    r.holder = owner;
    let h = this.holding.get(owner);
    if (h === undefined) this.holding.set(owner, (h = new Set()));
    h.add(resource);
  }

  /** The cycle of the wait-for graph through `start`, if there is one (each owner waits on one holder). */
  private cycleFrom(start: string): string[] | undefined {
    const path: string[] = [start];
    let at = start;
    for (;;) {
      const w = this.waiting.get(at);
      if (w === undefined) return undefined;
      const holder = this.resources.get(w.resource)!.holder;
      if (holder === undefined) return undefined;
      if (holder === start) return path;
      if (path.includes(holder)) return undefined; // a cycle that does not pass through start
      path.push(holder);
      at = holder;
    }
  }
}
