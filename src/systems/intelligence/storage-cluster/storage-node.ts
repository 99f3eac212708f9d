/**
 * A storage node of the self-healing story: it holds replicas of shards in memory and does all its
 * work on one worker, first come first served: client reads and writes, both ends of shard copies
 * (reading a chunk on the source, writing it on the target) and its own heartbeats. That single
 * queue is the point: a node busy copying answers requests late, and its heartbeats leave late, so a
 * failure detector may take a live node for a dead one (HDFS DataNodes whose heartbeats queue behind
 * block transfers, Cassandra's gossip stage backed up behind streaming).
 *
 * Commands from the master (restart, copy, abort, assign, "you were declared dead") take no work and
 * are handled at once. A restart drops the queue and the data (writes sent while it is down are
 * missed, so its replicas are no longer to be trusted) and takes `restartMs`; the node then comes
 * back empty under a new incarnation, which its heartbeats carry.
 */
import type { Context, NodeId, Process } from '../../../runtime/context.js';
import { SingleThread } from '../../../runtime/single-thread.js';
import { clientReply, isClientRequest } from '../../../runtime/client-protocol.js';
import { chunkOf, initialPlacement, type ClusterMsg, type StorageClusterConfig, type Versioned } from './cluster-config.js';
import { compareNumbered } from '../../../runtime/ordinal.js';

interface IncomingCopy {
  shard: string;
  from: NodeId;
  /** The next chunk to ask for, and how many have been written. */
  nextChunk: number;
  written: number;
}

const formattedFile = 'formatted';

export class StorageNode implements Process {
  private readonly data = new Map<string, Map<string, Versioned>>();
  private readonly incoming = new Map<number, IncomingCopy>();
  /** The node's one worker: requests, copies and heartbeats wait their turn on it. */
  private readonly thread: SingleThread;
  /** Bumped by a restart: timers of the old process are dropped. */
  private generation = 0;
  private restarting = false;
  private incarnation = 0;
  /** The master's declarations of this node's death counted so far (the notice and a restart may both come). */
  private declarationsCounted = 0;

  constructor(
    private readonly ctx: Context,
    private readonly config: StorageClusterConfig,
  ) {
    this.thread = new SingleThread(ctx, () => this.slowness());
  }

  start(): void {
    this.incarnation = this.ctx.now();
    for (const c of ['nodes_wrongly_declared_dead', 'restarts_of_live_nodes']) this.ctx.metrics.count(c, 0);
    // The first boot holds the initial placement; a process rebuilt after a crash comes back empty
    // (its replicas lived in memory).
    if (this.ctx.disk.read(formattedFile) === undefined) {
      const storage = [this.ctx.id, ...this.ctx.peers].filter((p) => p !== this.config.master).sort(compareNumbered);
      for (const [shard, holders] of Object.entries(initialPlacement(storage, this.config.shards, this.config.replicationFactor))) {
        if (holders.includes(this.ctx.id)) this.data.set(shard, new Map());
      }
      this.ctx.disk.write(formattedFile, new Uint8Array([1]));
      this.ctx.disk.fsync(formattedFile, () => {});
    }
    this.beat();
  }

  private beat(): void {
    const g = this.generation;
    this.ctx.setTimer(this.config.heartbeatMs, () => {
      if (g !== this.generation) return;
      // The heartbeat waits its turn on the worker, like everything else this node does.
      this.enqueue(0, () => this.ctx.send(this.config.master, { type: 'heartbeat', incarnation: this.incarnation } satisfies ClusterMsg));
      this.beat();
    });
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (this.restarting) return;
    if (isClientRequest(msg)) return this.ctx.send(from, clientReply(msg, 'fail', undefined, `storage nodes serve the master; send requests to ${this.config.master}`));
    const m = msg as ClusterMsg;
    switch (m.type) {
      case 'read':
        return this.enqueue(this.config.readMs, () => {
          const shard = this.data.get(m.shard);
          const v = shard?.get(m.key);
          this.ctx.send(from, { type: 'read_reply', rid: m.rid, held: shard !== undefined, found: v !== undefined, value: v?.value } satisfies ClusterMsg);
        });
      case 'write':
        return this.enqueue(this.config.writeMs, () => {
          const shard = this.data.get(m.shard);
          if (shard !== undefined) merge(shard, m.key, { value: m.value, version: m.version });
          this.ctx.send(from, { type: 'write_ack', rid: m.rid, held: shard !== undefined } satisfies ClusterMsg);
        });
      case 'fetch':
        return this.enqueue(this.config.copy.chunkMs, () => {
          const shard = this.data.get(m.shard);
          const entries = shard === undefined ? [] : [...shard].filter(([k]) => chunkOf(k, this.config.copy.chunks) === m.chunk);
          this.ctx.send(from, { type: 'chunk', id: m.id, chunk: m.chunk, held: shard !== undefined, entries } satisfies ClusterMsg);
        });
      case 'chunk':
        return this.onChunk(m);
      case 'copy':
        return this.startCopy(m.id, m.shard, m.from);
      case 'copy_abort':
        return this.endCopy(m.id);
      case 'assign': {
        const keep = new Set(m.shards);
        for (const shard of [...this.data.keys()]) if (!keep.has(shard) && ![...this.incoming.values()].some((c) => c.shard === shard)) this.data.delete(shard);
        return;
      }
      case 'declared_dead':
        return this.declaredDead(m.declaration);
      case 'restart':
        // The master restarts only nodes it has declared dead.
        this.declaredDead(m.declaration);
        return this.restart();
      default:
        return;
    }
  }

  /** Only a live node hears that it was declared dead (or is told to restart): the detector was wrong. */
  private declaredDead(declaration: number): void {
    if (declaration <= this.declarationsCounted) return;
    this.declarationsCounted = declaration;
    this.ctx.metrics.count('nodes_wrongly_declared_dead');
    this.ctx.log('declared-dead-while-alive', { queued: this.thread.queued });
  }

  private startCopy(id: number, shard: string, source: NodeId): void {
    if (this.incoming.has(id)) return;
    // Writes to the shard land here from now on; the chunks bring what came before.
    if (!this.data.has(shard)) this.data.set(shard, new Map());
    const c: IncomingCopy = { shard, from: source, nextChunk: 0, written: 0 };
    this.incoming.set(id, c);
    while (c.nextChunk < Math.min(this.config.copy.windowChunks, this.config.copy.chunks)) this.fetch(id, c);
  }

  private fetch(id: number, c: IncomingCopy): void {
    this.ctx.send(c.from, { type: 'fetch', id, shard: c.shard, chunk: c.nextChunk++ } satisfies ClusterMsg);
  }

  private onChunk(m: Extract<ClusterMsg, { type: 'chunk' }>): void {
    const c = this.incoming.get(m.id);
    if (c === undefined) return;
    if (!m.held) {
      this.ctx.send(this.config.master, { type: 'copy_failed', id: m.id, reason: `${c.from} no longer holds ${c.shard}` } satisfies ClusterMsg);
      return this.endCopy(m.id);
    }
    this.enqueue(this.config.copy.chunkMs, () => {
      if (this.incoming.get(m.id) !== c) return;
      const shard = this.data.get(c.shard)!;
      for (const [k, v] of m.entries) merge(shard, k, v);
      c.written++;
      if (c.nextChunk < this.config.copy.chunks) this.fetch(m.id, c);
      if (c.written === this.config.copy.chunks) {
        this.incoming.delete(m.id);
        this.ctx.send(this.config.master, { type: 'copy_done', id: m.id } satisfies ClusterMsg);
      }
    });
  }

  /** Abandon a copy and what it had received. */
  private endCopy(id: number): void {
    const c = this.incoming.get(id);
    if (c === undefined) return;
    this.incoming.delete(id);
    // The target never held this shard before the copy (the supervisor picks nodes that lack it),
    // unless a later copy of the same shard has begun since (an abort may arrive late).
    if (![...this.incoming.values()].some((o) => o.shard === c.shard)) this.data.delete(c.shard);
  }

  private restart(): void {
    this.ctx.metrics.count('restarts_of_live_nodes');
    this.ctx.log('restarting', { queued: this.thread.queued, shards: this.data.size });
    this.generation++;
    this.restarting = true;
    this.thread.reset();
    this.data.clear();
    this.incoming.clear();
    this.ctx.setTimer(this.config.restartMs, () => {
      this.restarting = false;
      this.incarnation = this.ctx.now();
      this.beat();
    });
  }

  private enqueue(costMs: number, run: () => void): void {
    this.thread.run(costMs, run);
  }

  /** A gray failure multiplies the cost of this node's work. */
  private slowness(): number {
    let f = 1;
    for (const g of this.config.gray) if (g.node === this.ctx.id && this.ctx.now() >= g.atMs) f *= g.factor;
    return f;
  }
}

/** Keep the newer version of a key. */
function merge(shard: Map<string, Versioned>, key: string, v: Versioned): void {
  const old = shard.get(key);
  if (old === undefined || old.version < v.version) shard.set(key, v);
}
