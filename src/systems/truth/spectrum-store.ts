/**
 * The truth spectrum story as a system: one key-value store, one workload, at four of the seed's
 * five levels of truth (the fifth, consensus, is truth/raft-kv on the same servers):
 *
 * - local: each node keeps its own truth. A write is applied where it lands and goes nowhere, so a key
 *   written at k nodes has k versions for good ("split brain city").
 * - eventual: a write is applied and acknowledged where it lands, then shipped to every peer (each
 *   origin's writes in order, resent until applied). Concurrent writes to a key are kept as siblings
 *   (dotted version vectors, as Riak): `writeContext: none` is a client that writes blind, without
 *   the context of a read, so no write supersedes anything and siblings pile up ("sibling
 *   explosion"); `replica` writes with what the accepting replica has seen, so only writes
 *   concurrent across replicas become siblings.
 * - causal: the same shipping, and a write is delivered elsewhere only after everything its origin
 *   had delivered before it (its dependencies: a vector with an entry per origin, "vector
 *   overflow"); conflicting writes to a key settle by Lamport timestamp (COPS's causal+).
 * - total-order: a sequencer numbers every write and sends it to every node; a node applies them in
 *   that order, and the write is acknowledged once every node has applied it: one timeline, and
 *   when any node is cut off, every write everywhere waits ("global stop").
 *
 * Every node describes each key's version (describe().replicas), so a check can count how many
 * versions exist at the end. Operations: read, write.
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import { hashString } from '../../runtime/hash.js';
import { compareOrdinal } from '../../runtime/ordinal.js';
import type { Context, Description, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientRequest, type ClientRequest } from '../../runtime/client-protocol.js';
import { CausalStore, dvvMerge, dvvRead, dvvWrite, emptyDvvSet, OriginLog, type CausalWrite, type DvvSet, type LogEntry, type VersionVector } from '../../state/index.js';

export const spectrumLevels = ['local', 'eventual', 'causal', 'total-order'] as const;
export type SpectrumLevel = (typeof spectrumLevels)[number];

export const spectrumStoreConfigSchema = z
  .object({
    level: z.enum(spectrumLevels),
    /** eventual: the context a write carries: none (a blind write) or what the accepting replica has seen. */
    writeContext: z.enum(['none', 'replica']).default('replica'),
    /** total-order: the node that numbers the writes. */
    sequencer: nodeRef().default('n1'),
    /** Each node tells every peer what it has applied this often (and resends what a peer missed). */
    statusEveryMs: z.number().positive().default(200),
    /** A write not yet applied by a peer is sent again after this long. */
    resendAfterMs: z.number().positive().default(500),
  })
  .strict();
export type SpectrumStoreConfig = z.infer<typeof spectrumStoreConfigSchema>;

type Shipped = { key: string; state: DvvSet<unknown> };
type Sequenced = { seq: number; key: string; value: unknown; client: NodeId; req: ClientRequest; atMs: number };

type Msg =
  | { type: 'sp_entries'; entries: LogEntry<Shipped>[] }
  | { type: 'sp_causal'; entries: LogEntry<CausalWrite<unknown>>[] }
  | { type: 'sp_status'; delivered: VersionVector }
  | { type: 'to_submit'; client: NodeId; req: ClientRequest }
  | { type: 'to_deliver'; entries: Sequenced[] }
  | { type: 'to_applied'; seq: number };

export class SpectrumStore implements Process {
  private readonly local = new Map<string, { value: unknown; version: string }>();
  private readonly siblings = new Map<string, DvvSet<unknown>>();
  private readonly log: OriginLog<Shipped>;
  private readonly causal: CausalStore<unknown>;
  private writesLocal = 0;
  // total order
  private readonly sequenced = new Map<string, { value: unknown; seq: number }>();
  private seqApplied = 0;
  private readonly seqHeld = new Map<number, Sequenced>();
  /** On the sequencer: the last number handed out, what each node applied, and the writes not yet applied everywhere. */
  private seqLast = 0;
  private readonly appliedBy = new Map<NodeId, number>();
  private unapplied: Sequenced[] = [];

  constructor(
    private readonly ctx: Context,
    private readonly config: SpectrumStoreConfig,
  ) {
    this.log = new OriginLog(ctx.id, ctx.peers);
    this.causal = new CausalStore(ctx.id, ctx.peers);
  }

  private get all(): NodeId[] {
    return [this.ctx.id, ...this.ctx.peers];
  }

  start(): void {
    this.ctx.setTimer(this.config.statusEveryMs, () => this.tick());
  }

  private tick(): void {
    this.ctx.setTimer(this.config.statusEveryMs, () => this.tick());
    const now = this.ctx.now();
    if (this.config.level === 'eventual' || this.config.level === 'causal') {
      const delivered = this.config.level === 'causal' ? this.causal.status() : { ...this.log.delivered };
      for (const p of this.ctx.peers) this.ctx.send(p, { type: 'sp_status', delivered } satisfies Msg);
    }
    if (this.config.level === 'total-order' && this.ctx.id === this.config.sequencer) {
      // What a node has not applied (a lost message, a partition) goes again until it has.
      for (const n of this.all) {
        const behind = this.unapplied.filter((w) => w.seq > (this.appliedBy.get(n) ?? 0) && now - w.atMs >= this.config.resendAfterMs);
        if (behind.length > 0) this.send(n, { type: 'to_deliver', entries: behind });
      }
    }
  }

  /** Protocol messages, counted apart from the clients' so a level's own cost per write shows. */
  private send(to: NodeId, msg: Msg): void {
    if (to === this.ctx.id) return this.onMessage(to, msg);
    this.ctx.metrics.count('spectrum_messages');
    this.ctx.send(to, msg);
  }

  describe(): Description {
    const holders = this.all.slice().sort();
    const replicas: Record<string, { version: string; holders: readonly string[] }> = {};
    const put = (key: string, version: string) => (replicas[key] = { version, holders });
    switch (this.config.level) {
      case 'local':
        for (const [k, v] of this.local) put(k, v.version);
        break;
      case 'eventual':
        // The set of siblings, whatever order they arrived in: how many, and a hash of their dots.
        for (const [k, s] of this.siblings) {
          const dots = s.siblings.map((x) => `${x.dot.replica}.${x.dot.counter}`).sort(compareOrdinal);
          put(k, `${dots.length} siblings #${hashString(dots.join(',')).toString(16)}`);
        }
        break;
      case 'causal':
        for (const k of this.causal.keys()) put(k, this.causal.version(k)!);
        break;
      case 'total-order':
        for (const [k, s] of this.sequenced) put(k, String(s.seq));
        break;
    }
    return { role: this.config.level === 'total-order' && this.ctx.id === this.config.sequencer ? 'leader' : 'replica', replicas };
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.onClient(from, msg);
    const m = msg as Msg;
    switch (m.type) {
      case 'sp_entries':
        for (const e of m.entries) this.log.receive(e);
        return this.deliver();
      case 'sp_causal': {
        const now = this.ctx.now();
        for (const e of this.causal.receive(m.entries)) this.ctx.metrics.observe('spectrum_visible_ms', now - e.atMs);
        this.ctx.metrics.gauge('spectrum_held_writes', this.causal.heldCount);
        return;
      }
      case 'sp_status': {
        const now = this.ctx.now();
        if (this.config.level === 'causal') {
          const missing = this.causal.peerStatus(from, m.delivered, now, this.config.resendAfterMs);
          if (missing.length > 0) this.send(from, { type: 'sp_causal', entries: missing });
          return;
        }
        this.log.peerStatus(from, m.delivered);
        const missing = this.log.missing(from, now, this.config.resendAfterMs);
        if (missing.length > 0) this.send(from, { type: 'sp_entries', entries: missing });
        return;
      }
      case 'to_submit':
        return this.sequence(m.client, m.req);
      case 'to_deliver':
        for (const w of m.entries) if (w.seq > this.seqApplied) this.seqHeld.set(w.seq, w);
        for (let w = this.seqHeld.get(this.seqApplied + 1); w !== undefined; w = this.seqHeld.get(this.seqApplied + 1)) {
          this.seqHeld.delete(w.seq);
          this.sequenced.set(w.key, { value: w.value, seq: w.seq });
          this.seqApplied = w.seq;
        }
        this.send(this.config.sequencer, { type: 'to_applied', seq: this.seqApplied });
        return;
      case 'to_applied':
        return this.onApplied(from, m.seq);
    }
  }

  private onClient(client: NodeId, req: ClientRequest): void {
    const key = req.op.key ?? '';
    if (req.op.f === 'read') return this.ctx.send(client, clientReply(req, 'ok', this.read(key)));
    if (req.op.f !== 'write') return this.ctx.send(client, clientReply(req, 'fail', undefined, `unsupported operation ${req.op.f}`));
    const value = req.op.value;
    const now = this.ctx.now();
    switch (this.config.level) {
      case 'local':
        this.local.set(key, { value, version: `${this.ctx.id}.${++this.writesLocal}` });
        break;
      case 'eventual': {
        const set = this.siblings.get(key) ?? emptyDvvSet<unknown>();
        const next = dvvWrite(set, this.ctx.id, this.config.writeContext === 'replica' ? set.context : {}, value);
        this.siblings.set(key, next);
        this.ctx.metrics.observe('spectrum_siblings', next.siblings.length);
        this.ctx.metrics.observe('spectrum_metadata_bytes', metadataBytes(next.context) + next.siblings.length * dotBytes);
        const entry = this.log.append({ key, state: next }, now);
        for (const p of this.ctx.peers) this.send(p, { type: 'sp_entries', entries: [entry] });
        break;
      }
      case 'causal': {
        // The write depends on everything delivered here before it: one entry per origin seen.
        const entry = this.causal.write(key, value, now);
        this.ctx.metrics.observe('spectrum_vector_entries', Object.keys(entry.payload.deps).length);
        this.ctx.metrics.observe('spectrum_metadata_bytes', metadataBytes(entry.payload.deps));
        for (const p of this.ctx.peers) this.send(p, { type: 'sp_causal', entries: [entry] });
        break;
      }
      case 'total-order':
        // Acknowledged by the sequencer, once every node has applied it.
        if (this.ctx.id === this.config.sequencer) this.sequence(client, req);
        else this.send(this.config.sequencer, { type: 'to_submit', client, req });
        return;
    }
    this.ctx.send(client, clientReply(req, 'ok'));
  }

  private read(key: string): unknown {
    switch (this.config.level) {
      case 'local':
        return this.local.get(key)?.value ?? null;
      case 'eventual': {
        const values = dvvRead(this.siblings.get(key) ?? emptyDvvSet<unknown>()).values;
        return values.length === 0 ? null : values.length === 1 ? values[0] : values;
      }
      case 'causal':
        return this.causal.read(key) ?? null;
      case 'total-order':
        return this.sequenced.get(key)?.value ?? null;
    }
  }

  /** Deliver what has arrived, each origin's writes in order, merging siblings. */
  private deliver(): void {
    const now = this.ctx.now();
    for (const e of this.log.deliverReady(() => true)) {
      this.ctx.metrics.observe('spectrum_visible_ms', now - e.atMs);
      const merged = dvvMerge(this.siblings.get(e.payload.key) ?? emptyDvvSet<unknown>(), e.payload.state);
      this.siblings.set(e.payload.key, merged);
      this.ctx.metrics.observe('spectrum_siblings', merged.siblings.length);
    }
  }

  private sequence(client: NodeId, req: ClientRequest): void {
    const w: Sequenced = { seq: ++this.seqLast, key: req.op.key ?? '', value: req.op.value, client, req, atMs: this.ctx.now() };
    this.unapplied.push(w);
    for (const n of this.all) this.send(n, { type: 'to_deliver', entries: [w] });
  }

  private onApplied(from: NodeId, seq: number): void {
    if (seq > (this.appliedBy.get(from) ?? 0)) this.appliedBy.set(from, seq);
    const everywhere = Math.min(...this.all.map((n) => this.appliedBy.get(n) ?? 0));
    while (this.unapplied.length > 0 && this.unapplied[0].seq <= everywhere) {
      const w = this.unapplied.shift()!;
      this.ctx.send(w.client, clientReply(w.req, 'ok'));
    }
  }
}

/** Bytes of a version vector on the wire: an origin's name and a 64-bit counter per entry. */
function metadataBytes(v: VersionVector): number {
  let n = 0;
  for (const k of Object.keys(v)) n += k.length + 8;
  return n;
}

/** A sibling's dot: a replica's name (about 2 bytes here) and a 64-bit counter. */
const dotBytes = 10;

export const spectrumStore = (ctx: Context, config: SpectrumStoreConfig): Process => new SpectrumStore(ctx, config);
