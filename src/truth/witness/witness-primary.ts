/**
 * Two-data-centre replication with a witness (split-brain's cure "add an external arbitrator"). One
 * node per data centre may be primary (`pair`); the primary replicates every write to every other
 * data node in sequence, and acknowledges it once the standby (the other of the pair) has it, or,
 * when the standby has not answered within standbyTimeoutMs, once the witness has recorded the
 * standby as stale. The primary acts only on a lease from the witness. The standby, hearing no primary
 * for failoverMs, asks the witness for the role; the witness grants it only when the primary's lease
 * ran out and the standby is not stale (src/truth/witness/witness.ts). The witness (`witness`) keeps
 * no data and serves no client.
 *
 * What the design promises: no acknowledged write is lost (each one is on the standby, or the standby
 * can never be promoted), and the side of a partition that has the witness stays available. The side
 * without it refuses, as a majority quorum's minority does; with two data centres alone neither side
 * could tell a dead peer from a cut link.
 *
 * Operations: read, write, incr (incr answers the new value). Reads are served by the primary from
 * acknowledged writes only, under its lease.
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientRequest, type ClientRequest } from '../../runtime/client-protocol.js';
import { registerOp } from '../register-op.js';
import { Witness, type WitnessAnswer } from './witness.js';

export const witnessPrimaryConfigSchema = z
  .object({
    /** The two data nodes that may be primary, one per data centre; the first is primary at start. */
    pair: z.tuple([nodeRef(), nodeRef()]),
    /** The arbitrator at a third site: no data, only the lease and which of the pair is stale. */
    witness: nodeRef(),
    heartbeatMs: z.number().positive().default(200),
    /** The standby asks for the role after hearing no primary for this long. */
    failoverMs: z.number().positive().default(2000),
    leaseMs: z.number().positive().default(1000),
    /** A write the standby has not acknowledged for this long makes the primary ask to go on alone. */
    standbyTimeoutMs: z.number().positive().default(500),
    /** Out-of-order replicated writes a replica holds before it gives up and asks for a snapshot. */
    reorderBufferWritesMax: z.number().int().positive().default(10_000),
  })
  .strict()
  .refine((c) => c.pair[0] !== c.pair[1] && !c.pair.includes(c.witness), { message: 'two different data nodes in pair, and a witness that is neither' });
export type WitnessPrimaryConfig = z.infer<typeof witnessPrimaryConfigSchema>;

/** The share of the lease the primary counts on, from when it asked: the margin covers clock drift. */
const leaseShareTrusted = 0.9;

type WitnessRequest = 'renew' | 'promote' | 'stale' | 'in_sync';

type Msg =
  | { type: 'wp_heartbeat'; epoch: number; seq: number }
  | { type: 'wp_replicate'; epoch: number; seq: number; key: string; value: unknown }
  | { type: 'wp_ack'; epoch: number; seq: number }
  | { type: 'wp_sync_request' }
  | { type: 'wp_sync'; epoch: number; seq: number; data: [string, unknown][] }
  | { type: 'wp_forward'; client: NodeId; req: ClientRequest }
  | { type: 'w_ask'; request: WitnessRequest; epoch: number; sentMs: number }
  | { type: 'w_answer'; request: WitnessRequest; sentMs: number; answer: WitnessAnswer };

interface PendingWrite {
  seq: number;
  key: string;
  value: unknown;
  atMs: number;
  client: NodeId;
  req: ClientRequest;
}

export class WitnessPrimaryKv implements Process {
  /** Every write applied here, in sequence (on the primary: acknowledged or not). */
  private readonly data = new Map<string, unknown>();
  /** On the primary: the acknowledged writes only, which reads see. */
  private committed = new Map<string, unknown>();
  private seq = 0;
  private epoch = 1;
  private primary: NodeId;
  private lastHeardMs = 0;
  private leaseUntilMs = 0;
  /** On the primary: sync waits for the standby; alone acknowledges on its own (the witness marked the standby stale). */
  private mode: 'sync' | 'alone' = 'sync';
  private pending: PendingWrite[] = [];
  private askedAtMs = new Map<WitnessRequest, number>();
  /** On the primary, back from alone: the standby must acknowledge this far before the witness hears it is in sync. */
  private catchUpSeq: number | undefined;
  /** On the primary: when it last told the witness the standby is in sync; a stale grant asked before that is void. */
  private inSyncSentMs = -Infinity;
  /** On a replica: writes that arrived ahead of a gap. */
  private readonly reordered = new Map<number, { key: string; value: unknown }>();
  /** On a replica: the primary's sequence at the last heartbeat while this replica was behind it. */
  private behindTargetSeq: number | undefined;
  private readonly witness: Witness | undefined;

  constructor(
    private readonly ctx: Context,
    private readonly config: WitnessPrimaryConfig,
  ) {
    this.primary = config.pair[0];
    if (ctx.id === config.witness) this.witness = new Witness(config.pair, config.pair[0], config.leaseMs, ctx.now());
  }

  private get standby(): NodeId {
    return this.config.pair[0] === this.primary ? this.config.pair[1] : this.config.pair[0];
  }

  private get isPrimary(): boolean {
    return this.primary === this.ctx.id && this.ctx.now() < this.leaseUntilMs;
  }

  private replicas(): NodeId[] {
    return this.ctx.peers.filter((p) => p !== this.config.witness && p !== this.ctx.id);
  }

  describe(): { role: string } {
    return { role: this.witness !== undefined ? 'witness' : this.primary === this.ctx.id ? 'leader' : 'follower' };
  }

  start(): void {
    this.lastHeardMs = this.ctx.now();
    if (this.primary === this.ctx.id) this.leaseUntilMs = this.ctx.now() + this.config.leaseMs * leaseShareTrusted;
    this.ctx.setTimer(this.config.heartbeatMs, () => this.tick());
  }

  private tick(): void {
    this.ctx.setTimer(this.config.heartbeatMs, () => this.tick());
    if (this.witness !== undefined) return;
    const now = this.ctx.now();
    if (this.primary === this.ctx.id) {
      for (const r of this.replicas()) this.ctx.send(r, { type: 'wp_heartbeat', epoch: this.epoch, seq: this.seq } satisfies Msg);
      // A lapsed lease cannot be renewed: the primary asks for the role again, as the standby would.
      this.askWitness(now < this.leaseUntilMs ? 'renew' : 'promote');
      if (this.mode === 'sync' && this.pending.length > 0 && now - this.pending[0].atMs >= this.config.standbyTimeoutMs) this.askWitness('stale');
      return;
    }
    if (this.ctx.id === this.standby && now - this.lastHeardMs >= this.config.failoverMs) this.askWitness('promote');
  }

  /** One request of each kind in flight, asked again after a lease's time without an answer. */
  private askWitness(request: WitnessRequest): void {
    const now = this.ctx.now();
    const asked = this.askedAtMs.get(request);
    if (request !== 'renew' && asked !== undefined && now - asked < this.config.leaseMs) return;
    this.askedAtMs.set(request, now);
    this.ctx.send(this.config.witness, { type: 'w_ask', request, epoch: this.epoch, sentMs: now } satisfies Msg);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.onClient(from, msg);
    const m = msg as Msg;
    switch (m.type) {
      case 'wp_heartbeat':
        return this.onHeartbeat(from, m.epoch, m.seq);
      case 'wp_replicate':
        if (m.epoch !== this.epoch || from !== this.primary || m.seq <= this.seq) return;
        this.reordered.set(m.seq, { key: m.key, value: m.value });
        if (this.reordered.size > this.config.reorderBufferWritesMax) {
          this.reordered.clear();
          this.ctx.send(this.primary, { type: 'wp_sync_request' } satisfies Msg);
          return;
        }
        this.applyInOrder();
        return;
      case 'wp_ack':
        return this.onAck(from, m.epoch, m.seq);
      case 'wp_sync_request':
        if (this.primary === this.ctx.id) this.ctx.send(from, { type: 'wp_sync', epoch: this.epoch, seq: this.seq, data: [...this.data] } satisfies Msg);
        return;
      case 'wp_sync':
        if (m.epoch !== this.epoch || from !== this.primary || m.seq < this.seq) return;
        this.data.clear();
        for (const [k, v] of m.data) this.data.set(k, v);
        this.seq = m.seq;
        for (const s of [...this.reordered.keys()]) if (s <= this.seq) this.reordered.delete(s);
        this.applyInOrder();
        return;
      case 'wp_forward':
        return this.onClient(m.client, m.req);
      case 'w_ask':
        return this.onWitnessAsk(from, m);
      case 'w_answer':
        return this.onWitnessAnswer(m);
    }
  }

  /** Apply the replicated writes that follow on from this replica's sequence, and tell the primary. */
  private applyInOrder(): void {
    for (let next = this.reordered.get(this.seq + 1); next !== undefined; next = this.reordered.get(this.seq + 1)) {
      this.reordered.delete(this.seq + 1);
      this.data.set(next.key, next.value);
      this.seq++;
    }
    // Only the standby's acknowledgements count; the other replicas copy in the background.
    if (this.ctx.id === this.standby) this.ctx.send(this.primary, { type: 'wp_ack', epoch: this.epoch, seq: this.seq } satisfies Msg);
  }

  private onHeartbeat(from: NodeId, epoch: number, seq: number): void {
    if (epoch < this.epoch || from === this.ctx.id) return;
    const changed = epoch > this.epoch || this.primary !== from;
    if (this.primary === this.ctx.id && changed) this.stepDown();
    this.epoch = epoch;
    this.primary = from;
    this.lastHeardMs = this.ctx.now();
    if (changed) {
      // A new primary: take its state whole (writes this node applied and nobody acknowledged vanish).
      this.ctx.metrics.count('resyncs');
      this.reordered.clear();
      this.behindTargetSeq = undefined;
      this.ctx.send(from, { type: 'wp_sync_request' } satisfies Msg);
      return;
    }
    // Behind at the last heartbeat and still behind that mark now: a write was lost on the way.
    if (this.behindTargetSeq !== undefined && this.seq < this.behindTargetSeq) {
      this.behindTargetSeq = undefined;
      this.ctx.send(from, { type: 'wp_sync_request' } satisfies Msg);
      return;
    }
    this.behindTargetSeq = this.seq < seq ? seq : undefined;
  }

  /** A deposed primary: what it had not acknowledged is never answered (its clients time out: unknown). */
  private stepDown(): void {
    this.ctx.log('step_down', { epoch: this.epoch, unacknowledged: this.pending.length });
    this.pending = [];
    this.mode = 'sync';
    this.catchUpSeq = undefined;
    this.leaseUntilMs = 0;
  }

  private onAck(from: NodeId, epoch: number, seq: number): void {
    if (this.primary !== this.ctx.id || epoch !== this.epoch || from !== this.standby) return;
    if (this.mode === 'alone') {
      // The standby answers again: wait for it from now on, and once it holds what was acknowledged
      // alone, tell the witness it may be promoted again.
      this.mode = 'sync';
      this.catchUpSeq = this.seq;
    }
    this.commitThrough(seq);
    if (this.catchUpSeq !== undefined && seq >= this.catchUpSeq) {
      this.catchUpSeq = undefined;
      this.askedAtMs.delete('in_sync');
      this.inSyncSentMs = this.ctx.now();
      this.askWitness('in_sync');
    }
  }

  private commitThrough(seq: number): void {
    let n = 0;
    while (n < this.pending.length && this.pending[n].seq <= seq) {
      const w = this.pending[n++];
      this.committed.set(w.key, w.value);
      this.ctx.send(w.client, clientReply(w.req, 'ok', w.req.op.f === 'incr' ? w.value : undefined));
      if (this.mode === 'alone') this.ctx.metrics.count('writes_acked_alone');
    }
    this.pending = this.pending.slice(n);
  }

  private goAlone(): void {
    this.mode = 'alone';
    this.catchUpSeq = undefined;
    this.commitThrough(this.seq);
  }

  private onWitnessAsk(from: NodeId, m: Extract<Msg, { type: 'w_ask' }>): void {
    const w = this.witness;
    if (w === undefined) return;
    const now = this.ctx.now();
    const other = this.config.pair[0] === from ? this.config.pair[1] : this.config.pair[0];
    let answer: WitnessAnswer;
    switch (m.request) {
      case 'renew':
        answer = w.renew(from, m.epoch, now);
        break;
      case 'promote':
        answer = w.promote(from, now);
        break;
      case 'stale':
        answer = w.markStale(from, m.epoch, other, m.sentMs, now);
        break;
      case 'in_sync':
        answer = w.inSync(from, m.epoch, other, m.sentMs, now);
        break;
    }
    if (!answer.granted) this.ctx.metrics.count('witness_refusals');
    this.ctx.send(from, { type: 'w_answer', request: m.request, sentMs: m.sentMs, answer } satisfies Msg);
  }

  private onWitnessAnswer(m: Extract<Msg, { type: 'w_answer' }>): void {
    if (this.askedAtMs.get(m.request) === m.sentMs) this.askedAtMs.delete(m.request);
    const a = m.answer;
    if (!a.granted) return;
    // The witness started the lease when the request arrived, after sentMs: counting from sentMs is safe.
    const leaseUntilMs = m.sentMs + this.config.leaseMs * leaseShareTrusted;
    switch (m.request) {
      case 'renew':
        if (a.epoch === this.epoch && this.primary === this.ctx.id) this.leaseUntilMs = Math.max(this.leaseUntilMs, leaseUntilMs);
        return;
      case 'stale':
        if (a.epoch === this.epoch && this.primary === this.ctx.id && this.mode === 'sync' && m.sentMs > this.inSyncSentMs) {
          this.ctx.metrics.count('standby_marked_stale');
          this.goAlone();
        }
        return;
      case 'in_sync':
        return;
      case 'promote':
        if (a.epoch <= this.epoch) return;
        this.ctx.log('promote', { epoch: a.epoch });
        this.ctx.metrics.count('promotions');
        this.epoch = a.epoch;
        this.primary = this.ctx.id;
        this.leaseUntilMs = leaseUntilMs;
        this.lastHeardMs = this.ctx.now();
        // The witness marked the other of the pair stale; what this node holds is all that was acknowledged.
        this.goAlone();
        this.committed = new Map(this.data);
        this.reordered.clear();
        for (const r of this.replicas()) this.ctx.send(r, { type: 'wp_heartbeat', epoch: this.epoch, seq: this.seq } satisfies Msg);
        return;
    }
  }

  private onClient(client: NodeId, req: ClientRequest): void {
    if (this.witness !== undefined) {
      this.ctx.send(client, clientReply(req, 'fail', undefined, 'the witness serves no data'));
      return;
    }
    if (!this.isPrimary) {
      if (this.primary !== this.ctx.id) this.ctx.send(this.primary, { type: 'wp_forward', client, req } satisfies Msg);
      else this.ctx.send(client, clientReply(req, 'fail', undefined, 'no lease from the witness'));
      return;
    }
    const key = req.op.key ?? '';
    const op = registerOp(req, this.data.get(key));
    if (op.kind === 'read') return this.ctx.send(client, clientReply(req, 'ok', this.committed.get(key) ?? null));
    if (op.kind === 'unsupported') return this.ctx.send(client, clientReply(req, 'fail', undefined, op.error));
    const value = op.value;
    this.seq++;
    this.data.set(key, value);
    this.pending.push({ seq: this.seq, key, value, atMs: this.ctx.now(), client, req });
    for (const r of this.replicas()) this.ctx.send(r, { type: 'wp_replicate', epoch: this.epoch, seq: this.seq, key, value } satisfies Msg);
    if (this.mode === 'alone') this.commitThrough(this.seq);
  }
}

export const witnessPrimaryKv = (ctx: Context, config: WitnessPrimaryConfig): Process => new WitnessPrimaryKv(ctx, config);
