/**
 * The lease-pause story as a system: workers increment counters kept in a shared storage, and a lock
 * service makes the read-modify-write exclusive. Each increment takes the key's lock (a lease with a
 * fencing token), reads the value, checks the lease is still valid, computes for `workMs`, writes the
 * new value and releases the lock.
 *
 * The check and the write are separated by the computation. A worker paused there (a stop-the-world
 * GC, a VM migration) wakes up after its lease ran out and another worker took the lock and counted
 * on: its write, computed from the old value, throws those increments away. With `fencing`, the
 * storage refuses that write, because its token is older than the one the next worker used; the
 * paused worker's increment fails cleanly and nothing is lost.
 *
 * Roles by node name: `lockService` runs the LeaseLock (its last token on disk, fsynced before a
 * grant, so a restart never hands out a smaller one), `storage` runs the FencedStore, every other
 * node is a worker serving clients' incr and read operations.
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientRequest, type ClientRequest } from '../../runtime/client-protocol.js';
import { LeaseLock, type LockAnswer } from '../../truth/fencing/lease-lock.js';
import { FencedStore } from '../../truth/fencing/fenced-store.js';

export const lockedCounterConfigSchema = z
  .object({
    lockService: nodeRef({ reserved: 'the lock service serves no data; clients talk to the workers' }).default('n1'),
    storage: nodeRef({ reserved: 'the storage serves the workers; clients talk to the workers' }).default('n2'),
    /** The storage checks tokens; false is the naive design. */
    fencing: z.boolean().default(true),
    leaseMs: z.number().positive().default(1000),
    /** A worker stops trusting its lease this long before it ends by its own clock (drift, delays). */
    leaseMarginMs: z.number().nonnegative().default(100),
    /** The computation between reading and writing. */
    workMs: z.number().nonnegative().default(20),
    /** A refused worker asks for the lock again after this long ... */
    lockRetryMs: z.number().positive().default(20),
    /** ... and gives the client a failure after waiting this long in all. */
    lockWaitMsMax: z.number().positive().default(3000),
    /** No answer from the lock service or the storage within this long: the step failed. */
    stepTimeoutMs: z.number().positive().default(1000),
    /**
     * Stop-the-world pauses placed where they hurt: the first increment that passes its lease check
     * on `node` at or after `atMs` stalls `forMs` before it computes and writes (a GC right after the
     * check). A nemesis pause lands anywhere and only sometimes there; these land there every time.
     */
    pausesAfterCheck: z.array(z.object({ node: z.string(), atMs: z.number().nonnegative(), forMs: z.number().positive() }).strict()).default([]),
  })
  .strict();
export type LockedCounterConfig = z.infer<typeof lockedCounterConfigSchema>;

type Msg =
  | { type: 'lock_acquire'; id: number; resource: string }
  | { type: 'lock_release'; resource: string; token: number }
  | { type: 'lock_answer'; id: number; answer: LockAnswer }
  | { type: 'store_read'; id: number; key: string; token: number }
  | { type: 'store_write'; id: number; key: string; value: number; token: number }
  | { type: 'store_reply'; id: number; ok: boolean; value?: number | null; error?: string };

const tokenFile = 'lock.token';

/** The lock service: a LeaseLock whose last token is durable before any grant leaves the node. */
class LockServiceNode implements Process {
  private readonly lock: LeaseLock;
  /** After a restart, leases granted before the crash may still run: grant nothing until they cannot. */
  private grantsFromMs = 0;

  constructor(
    private readonly ctx: Context,
    config: LockedCounterConfig,
  ) {
    const saved = ctx.disk.read(tokenFile);
    const tokenLast = saved === undefined ? 0 : Number(new TextDecoder().decode(saved));
    this.lock = new LeaseLock(config.leaseMs, tokenLast);
    if (saved !== undefined) this.grantsFromMs = ctx.now() + config.leaseMs;
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.ctx.send(from, clientReply(msg, 'fail', undefined, 'the lock service serves no data'));
    const m = msg as Msg;
    if (m.type === 'lock_release') {
      this.lock.release(m.resource, from, m.token);
      return;
    }
    if (m.type !== 'lock_acquire') return;
    const now = this.ctx.now();
    if (now < this.grantsFromMs) {
      this.ctx.send(from, { type: 'lock_answer', id: m.id, answer: { granted: false, resource: m.resource, holder: '', expiresMs: this.grantsFromMs } } satisfies Msg);
      return;
    }
    const answer = this.lock.acquire(m.resource, from, now);
    if (!answer.granted) {
      this.ctx.send(from, { type: 'lock_answer', id: m.id, answer } satisfies Msg);
      return;
    }
    this.ctx.metrics.count('lock_grants');
    this.ctx.disk.write(tokenFile, new TextEncoder().encode(String(this.lock.lastToken)));
    this.ctx.disk.fsync(tokenFile, () => this.ctx.send(from, { type: 'lock_answer', id: m.id, answer } satisfies Msg));
  }
}

/** The shared storage, checking tokens (or not). */
class StorageNode implements Process {
  private readonly store: FencedStore<number>;

  constructor(
    private readonly ctx: Context,
    config: LockedCounterConfig,
  ) {
    this.store = new FencedStore(config.fencing);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.ctx.send(from, clientReply(msg, 'fail', undefined, 'clients talk to workers'));
    const m = msg as Msg;
    if (m.type === 'store_read') {
      const r = this.store.read(m.key, m.token);
      this.ctx.send(from, (r.ok ? { type: 'store_reply', id: m.id, ok: true, value: r.value ?? null } : { type: 'store_reply', id: m.id, ok: false, error: r.error.message }) satisfies Msg);
    } else if (m.type === 'store_write') {
      const r = this.store.write(m.key, m.value, m.token);
      if (!r.ok) {
        this.ctx.metrics.count('writes_fenced');
        this.ctx.log('fenced', { key: m.key, token: m.token, seen: r.error.tokenSeen });
      }
      this.ctx.send(from, (r.ok ? { type: 'store_reply', id: m.id, ok: true } : { type: 'store_reply', id: m.id, ok: false, error: r.error.message }) satisfies Msg);
    }
  }
}

interface Job {
  client: NodeId;
  req: ClientRequest;
  startedMs: number;
}

/** A worker: one client operation at a time, each under the lock of its key. */
class WorkerNode implements Process {
  private readonly queue: Job[] = [];
  private busy = false;
  private idNext = 1;
  private readonly waiting = new Map<number, { done: (m: Msg | undefined) => void; timer: number }>();
  /** This worker's pauses after the lease check still to come, earliest first. */
  private readonly pauses: { atMs: number; forMs: number }[];

  constructor(
    private readonly ctx: Context,
    private readonly config: LockedCounterConfig,
  ) {
    this.pauses = config.pausesAfterCheck.filter((p) => p.node === ctx.id).sort((a, b) => a.atMs - b.atMs);
  }

  /** How long to stall after a lease check passed now: a due pause, taken once. */
  private pauseDue(): number {
    if (this.pauses.length === 0 || this.ctx.now() < this.pauses[0].atMs) return 0;
    this.ctx.metrics.count('pauses_after_check');
    return this.pauses.shift()!.forMs;
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) {
      this.queue.push({ client: from, req: msg, startedMs: this.ctx.now() });
      this.next();
      return;
    }
    const m = msg as Msg;
    if (m.type !== 'lock_answer' && m.type !== 'store_reply') return;
    const w = this.waiting.get(m.id);
    if (w === undefined) return; // an answer after its step timed out
    this.waiting.delete(m.id);
    this.ctx.clearTimer(w.timer);
    w.done(m);
  }

  /** Send a request and continue with its answer, or with undefined after stepTimeoutMs. */
  private ask(to: NodeId, make: (id: number) => Msg, done: (m: Msg | undefined) => void): void {
    const id = this.idNext++;
    const timer = this.ctx.setTimer(this.config.stepTimeoutMs, () => {
      this.waiting.delete(id);
      done(undefined);
    });
    this.waiting.set(id, { done, timer });
    this.ctx.send(to, make(id));
  }

  private next(): void {
    if (this.busy) return;
    const job = this.queue.shift();
    if (job === undefined) return;
    this.busy = true;
    const op = job.req.op;
    if (op.f !== 'incr' && op.f !== 'read') return this.finish(job, 'fail', undefined, `unsupported operation ${op.f}`);
    this.acquire(job, op.key ?? '');
  }

  private finish(job: Job, status: 'ok' | 'fail' | 'info', value?: unknown, error?: string, release?: { key: string; token: number }): void {
    if (release !== undefined) this.ctx.send(this.config.lockService, { type: 'lock_release', resource: release.key, token: release.token } satisfies Msg);
    this.ctx.send(job.client, clientReply(job.req, status, value, error));
    this.busy = false;
    this.next();
  }

  private acquire(job: Job, key: string): void {
    const askedMs = this.ctx.now();
    this.ask(this.config.lockService, (id) => ({ type: 'lock_acquire', id, resource: key }), (m) => {
      const answer = m?.type === 'lock_answer' ? m.answer : undefined;
      if (answer?.granted) {
        // The lease runs from the service's clock; measured on ours from when we asked, minus a margin.
        const leaseUntilMs = askedMs + this.config.leaseMs - this.config.leaseMarginMs;
        return this.read(job, key, answer.token, leaseUntilMs);
      }
      if (this.ctx.now() - job.startedMs >= this.config.lockWaitMsMax) return this.finish(job, 'fail', undefined, 'lock busy');
      this.ctx.setTimer(this.config.lockRetryMs, () => this.acquire(job, key));
    });
  }

  private read(job: Job, key: string, token: number, leaseUntilMs: number): void {
    const release = { key, token };
    this.ask(this.config.storage, (id) => ({ type: 'store_read', id, key, token }), (m) => {
      if (m?.type !== 'store_reply') return this.finish(job, 'fail', undefined, 'storage did not answer', release);
      if (!m.ok) return this.finish(job, 'fail', undefined, m.error, release);
      // An absent key reads as null, like the KV model; an increment counts from 0.
      const current = m.value ?? null;
      if (job.req.op.f === 'read') return this.finish(job, 'ok', current, undefined, release);
      // The check every lock tutorial shows; a pause after it is what it cannot see.
      if (this.ctx.now() >= leaseUntilMs) return this.finish(job, 'fail', undefined, 'lease expired', release);
      this.ctx.setTimer(this.pauseDue() + this.config.workMs, () => this.write(job, key, token, (current ?? 0) + Number(job.req.op.value ?? 1)));
    });
  }

  private write(job: Job, key: string, token: number, value: number): void {
    const release = { key, token };
    this.ask(this.config.storage, (id) => ({ type: 'store_write', id, key, value, token }), (m) => {
      // No answer: the write may or may not have landed.
      if (m?.type !== 'store_reply') return this.finish(job, 'info', undefined, 'storage did not answer', release);
      if (!m.ok) return this.finish(job, 'fail', undefined, m.error, release);
      this.finish(job, 'ok', value, undefined, release);
    });
  }
}

export const lockedCounter = (ctx: Context, config: LockedCounterConfig): Process => {
  if (ctx.id === config.lockService) return new LockServiceNode(ctx, config);
  if (ctx.id === config.storage) return new StorageNode(ctx, config);
  return new WorkerNode(ctx, config);
};
