/**
 * The time-traitors story as a system: replicas of a key-value store that accept writes anywhere,
 * answer at once and copy each write to the others, settling conflicts by a rule:
 *
 * - wall-clock: last write wins by the replica's wall clock. A replica whose clock is behind gives a
 *   write that came later a smaller timestamp, and the write loses: silently, it was acknowledged.
 * - hlc: last write wins by a hybrid logical clock; a replica that has received a write stamps its
 *   own next writes after it, whatever its wall clock says.
 * - version-vector: a multi-value register; a write that has seen the current value replaces it,
 *   concurrent writes are kept side by side (siblings) for the reader to resolve. Nothing is dropped.
 *
 * A write that a replica itself discards under its own rule (its timestamp is older than the value it
 * holds) is counted as newer_writes_dropped: with one writer that waits for each acknowledgement, as
 * in the story, every write is newer than the ones before it.
 */
import { z } from 'zod';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientRequest, type ClientRequest } from '../../runtime/client-protocol.js';
import { HybridLogicalClock } from '../../state/causality/hlc.js';
import { lwwRegister, mvRegister, type LwwRegister, type MvRegister } from '../../state/crdt/registers.js';

export const lwwReplicasConfigSchema = z.object({ resolution: z.enum(['wall-clock', 'hlc', 'version-vector']) }).strict();
export type LwwReplicasConfig = z.infer<typeof lwwReplicasConfigSchema>;

type Register = LwwRegister<unknown> | MvRegister<unknown>;
type Msg = { type: 'replicate'; key: string; state: Register };

export class LwwReplicas implements Process {
  private readonly data = new Map<string, Register>();
  private readonly hlc: HybridLogicalClock;

  constructor(
    private readonly ctx: Context,
    private readonly config: LwwReplicasConfig,
  ) {
    this.hlc = new HybridLogicalClock(() => ctx.now());
  }

  start(): void {
    this.ctx.metrics.count('newer_writes_dropped', 0);
  }

  private get vv(): boolean {
    return this.config.resolution === 'version-vector';
  }

  private empty(): Register {
    return this.vv ? mvRegister.empty() : lwwRegister.empty();
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.onClient(from, msg);
    const m = msg as Msg;
    if (m.type !== 'replicate') return;
    const current = this.data.get(m.key) ?? this.empty();
    if (this.vv) {
      this.data.set(m.key, mvRegister.merge(current as MvRegister<unknown>, m.state as MvRegister<unknown>));
      return;
    }
    const incoming = m.state as LwwRegister<unknown>;
    if (this.config.resolution === 'hlc' && incoming.ts[0] !== -Infinity) this.hlc.receive({ l: incoming.ts[0], c: incoming.ts[1] });
    this.data.set(m.key, lwwRegister.merge(current as LwwRegister<unknown>, incoming));
  }

  private onClient(client: NodeId, req: ClientRequest): void {
    const key = req.op.key ?? '';
    const current = this.data.get(key) ?? this.empty();
    if (req.op.f === 'read') {
      const value = this.vv ? mvRegister.value(current as MvRegister<unknown>) : lwwRegister.value(current as LwwRegister<unknown>);
      if (this.vv && (value as unknown[]).length > 1) this.ctx.metrics.count('siblings_returned');
      this.ctx.send(client, clientReply(req, 'ok', this.vv ? value : (value ?? null)));
      return;
    }
    if (req.op.f !== 'write') return this.ctx.send(client, clientReply(req, 'fail', undefined, `unsupported operation ${req.op.f}`));
    let next: Register;
    if (this.vv) {
      next = mvRegister.set(current as MvRegister<unknown>, req.op.value, this.ctx.id);
    } else {
      const ts: [number, number] = this.config.resolution === 'hlc' ? hlcPair(this.hlc) : [this.ctx.now(), 0];
      next = lwwRegister.set(current as LwwRegister<unknown>, req.op.value, ts, this.ctx.id);
      if (next === current) {
        this.ctx.metrics.count('newer_writes_dropped');
        this.ctx.log('dropped', { key, value: req.op.value as number, ts: ts[0] });
      }
    }
    this.data.set(key, next);
    this.ctx.metrics.count('writes_acked');
    // Acknowledged at once; the copies follow (asynchronous replication).
    this.ctx.send(client, clientReply(req, 'ok'));
    for (const p of this.ctx.peers) this.ctx.send(p, { type: 'replicate', key, state: next } satisfies Msg);
  }
}

function hlcPair(h: HybridLogicalClock): [number, number] {
  const t = h.now();
  return [t.l, t.c];
}

export const lwwReplicas = (ctx: Context, config: LwwReplicasConfig): Process => new LwwReplicas(ctx, config);
