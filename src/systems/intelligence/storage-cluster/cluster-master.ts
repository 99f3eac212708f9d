/**
 * The master of the self-healing story's storage cluster (the part GFS and HDFS call the master or
 * NameNode): it routes client requests to replicas, hears the storage nodes' heartbeats, declares
 * the silent ones dead, and hosts the Supervisor, carrying out what it decides.
 *
 * - A read goes to one live replica (round robin, draining nodes last); a write goes to every
 *   replica of its shard, copies in progress included, with a version from the master, and is
 *   acknowledged once `writeQuorum` replicas have it. No answer within `requestTimeoutMs`: fail.
 * - Failure detection is a HeartbeatDetector (a node is dead after heartbeatTimeoutMs of silence);
 *   a node declared dead is told so, so that a live one can count the detector's mistake. A
 *   heartbeat with a new incarnation means the process restarted empty: its replicas are lost.
 * - Optionally, per-node reply latencies feed an OutlierEjection detector that reports gray nodes.
 * - Every tickMs: detect, ask the supervisor, act, and publish the story's numbers: time to full
 *   replication (from the first shard seen short of replicas to the last time all had them again),
 *   shards short of replicas or without any, copies, failed requests, and `maturity_level`
 *   (4 when the supervisor acts, 1 when it only pages a person).
 */
import type { Context, NodeId, Process, TimerId } from '../../../runtime/context.js';
import { fromContext } from '../../../runtime/clock.js';
import { clientReply, isClientRequest, type ClientRequest } from '../../../runtime/client-protocol.js';
import { HeartbeatDetector, OutlierEjection } from '../../../control/index.js';
import { Supervisor, type HealingAction } from '../../../intelligence/healing/supervisor.js';
import { initialPlacement, shardOf, type ClusterMsg, type StorageClusterConfig } from './cluster-config.js';

interface PendingOp {
  client: NodeId;
  req: ClientRequest;
  /** Acknowledgements a write still needs (reads: 1). */
  need: number;
  sentMs: number;
  timer: TimerId;
}

interface CopyUnderWay {
  from: NodeId;
  to: NodeId;
  replaces: NodeId | undefined;
  timer: TimerId;
}

export class ClusterMaster implements Process {
  private readonly storage: NodeId[];
  private readonly sup: Supervisor;
  private readonly detector: HeartbeatDetector;
  private readonly outliers: OutlierEjection | undefined;
  private readonly grayReported = new Set<NodeId>();
  private readonly incarnations = new Map<NodeId, number>();
  private readonly declarations = new Map<NodeId, number>();
  private readonly pending = new Map<number, PendingOp>();
  private readonly copies = new Map<number, CopyUnderWay>();
  private ridNext = 1;
  private versionNext = 1;
  private readNext = 0;
  private logSeen = 0;
  private firstUnderMs: number | undefined;
  private fullAgainMs: number | undefined;
  private firstAlertMs: number | undefined;
  private underMax = 0;
  private copiesInFlightMax = 0;

  constructor(
    private readonly ctx: Context,
    private readonly config: StorageClusterConfig,
  ) {
    this.storage = ctx.peers.filter((p) => p !== config.master).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    const s = config.supervisor;
    this.sup = new Supervisor(
      {
        nodes: this.storage,
        placement: initialPlacement(this.storage, config.shards, config.replicationFactor),
        replicationFactor: config.replicationFactor,
        mode: s.mode,
        replaceAfterMs: s.replaceAfterMs,
        restart: s.restart,
        actionsPerSec: s.actionsPerSec,
        actionBurst: s.actionBurst,
        repairsInFlightMax: s.repairsInFlightMax,
        copiesPerNodeMax: s.copiesPerNodeMax,
        downFractionMax: s.downFractionMax,
        flap: s.flap,
      },
      fromContext(ctx).clock,
    );
    this.detector = new HeartbeatDetector(config.heartbeatTimeoutMs);
    if (config.grayLatencyFactor !== undefined) {
      this.outliers = new OutlierEjection(this.storage, ctx.now(), { latencyFactor: config.grayLatencyFactor, intervalMs: 2000, minimumCalls: 20, baseEjectionMs: 3_600_000, maxEjectedFraction: 0.2 });
    }
  }

  start(): void {
    const m = this.ctx.metrics;
    for (const c of ['requests_failed', 'requests_timed_out', 'copies_started', 'copies_made', 'copies_failed', 'nodes_declared_dead', 'restarts_sent', 'give_ups', 'drains', 'supervisor_holds', 'alerts_raised']) m.count(c, 0);
    m.gauge('maturity_level', this.config.supervisor.mode === 'act' ? 4 : 1);
    this.publish();
    // Nodes are trusted until the detector has had time to hear from them.
    for (const n of this.storage) this.detector.heartbeat(n, this.ctx.now());
    const stopAt = this.config.supervisor.stopAtMs;
    if (stopAt !== undefined) this.ctx.setTimer(Math.max(0, stopAt - this.ctx.now()), () => this.killSwitch());
    const tick = () => {
      this.tick();
      this.ctx.setTimer(this.config.tickMs, tick);
    };
    this.ctx.setTimer(this.config.tickMs, tick);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.route(from, msg);
    const m = msg as ClusterMsg;
    switch (m.type) {
      case 'heartbeat':
        return this.onHeartbeat(from, m.incarnation);
      case 'read_reply': {
        this.noteLatency(from, m.rid);
        const p = this.pending.get(m.rid);
        if (p === undefined) return;
        if (!m.held) return this.fail(m.rid, `${from} no longer holds the shard`);
        this.finish(m.rid, clientReply(p.req, 'ok', m.found ? m.value : null));
        return;
      }
      case 'write_ack': {
        this.noteLatency(from, m.rid);
        const p = this.pending.get(m.rid);
        if (p === undefined || !m.held) return;
        if (--p.need === 0) this.finish(m.rid, clientReply(p.req, 'ok'));
        return;
      }
      case 'copy_done':
        return this.endCopy(m.id, true, 'copied');
      case 'copy_failed':
        return this.endCopy(m.id, false, m.reason);
      default:
        return;
    }
  }

  // --- client requests --------------------------------------------------------------------------

  private route(client: NodeId, req: ClientRequest): void {
    const key = req.op.key ?? '';
    const shard = shardOf(key, this.config.shards);
    const replicas = this.sup.replicas(shard);
    if (req.op.f === 'read') {
      const live = replicas.filter(([n, st]) => st === 'ok' && this.sup.status(n) === 'up').map(([n]) => n);
      const preferred = live.filter((n) => !this.sup.draining(n));
      const choices = preferred.length > 0 ? preferred : live;
      if (choices.length === 0) return this.refuse(client, req, `${shard} has no live replica`);
      const rid = this.track(client, req, 1);
      this.ctx.send(choices[this.readNext++ % choices.length], { type: 'read', rid, shard, key } satisfies ClusterMsg);
      return;
    }
    if (req.op.f !== 'write') return this.ctx.send(client, clientReply(req, 'fail', undefined, `this store serves read and write, not ${req.op.f}`));
    const up = replicas.filter(([n]) => this.sup.status(n) === 'up').length;
    if (up < this.config.writeQuorum) return this.refuse(client, req, `${shard} has ${up} live replicas, a write needs ${this.config.writeQuorum}`);
    const rid = this.track(client, req, this.config.writeQuorum);
    const version = this.versionNext++;
    for (const [n] of replicas) this.ctx.send(n, { type: 'write', rid, shard, key, value: req.op.value, version } satisfies ClusterMsg);
  }

  private track(client: NodeId, req: ClientRequest, need: number): number {
    const rid = this.ridNext++;
    const timer = this.ctx.setTimer(this.config.requestTimeoutMs, () => {
      if (!this.pending.has(rid)) return;
      this.ctx.metrics.count('requests_timed_out');
      this.fail(rid, 'replicas did not answer in time');
    });
    this.pending.set(rid, { client, req, need, sentMs: this.ctx.now(), timer });
    return rid;
  }

  private finish(rid: number, reply: ReturnType<typeof clientReply>): void {
    const p = this.pending.get(rid)!;
    this.pending.delete(rid);
    this.ctx.clearTimer(p.timer);
    this.ctx.send(p.client, reply);
  }

  private fail(rid: number, why: string): void {
    const p = this.pending.get(rid);
    if (p === undefined) return;
    this.ctx.metrics.count('requests_failed');
    this.finish(rid, clientReply(p.req, 'fail', undefined, why));
  }

  private refuse(client: NodeId, req: ClientRequest, why: string): void {
    this.ctx.metrics.count('requests_failed');
    this.ctx.send(client, clientReply(req, 'fail', undefined, why));
  }

  private noteLatency(from: NodeId, rid: number): void {
    const p = this.pending.get(rid);
    if (p !== undefined && this.outliers !== undefined) this.outliers.record(from, true, this.ctx.now() - p.sentMs, this.ctx.now());
  }

  // --- failure detection --------------------------------------------------------------------------

  private onHeartbeat(from: NodeId, incarnation: number): void {
    if (!this.storage.includes(from)) return;
    this.detector.heartbeat(from, this.ctx.now());
    const before = this.incarnations.get(from);
    this.incarnations.set(from, incarnation);
    if (before !== undefined && before !== incarnation) {
      // The process restarted with nothing: none of its replicas can be trusted.
      this.ctx.log('restarted-empty', { node: from });
      this.failCopiesOf(from, `${from} restarted`);
      for (const shard of this.sup.shardNames()) if (this.sup.replicas(shard).some(([n, st]) => n === from && st === 'ok')) this.sup.observe({ type: 'replica-lost', shard, node: from });
    }
    if (this.sup.status(from) !== 'up') {
      this.sup.observe({ type: 'node-up', node: from });
      this.ctx.log('node-back', { node: from });
      this.assign(from);
    }
  }

  private detect(now: number): void {
    for (const n of this.storage) {
      if (this.sup.status(n) === 'up' && this.detector.suspected(n, now)) {
        this.sup.observe({ type: 'node-down', node: n });
        this.ctx.metrics.count('nodes_declared_dead');
        this.ctx.log('declared-dead', { node: n });
        const declaration = (this.declarations.get(n) ?? 0) + 1;
        this.declarations.set(n, declaration);
        this.ctx.send(n, { type: 'declared_dead', declaration } satisfies ClusterMsg);
        this.failCopiesOf(n, `${n} declared dead`);
      }
      if (this.outliers !== undefined && !this.grayReported.has(n) && this.outliers.ejected(n, now)) {
        this.grayReported.add(n);
        this.sup.observe({ type: 'node-gray', node: n });
        this.ctx.log('gray', { node: n });
      }
    }
  }

  /** Tell a node which shards it should hold; it drops the others. */
  private assign(node: NodeId): void {
    const shards = this.sup.shardNames().filter((s) => this.sup.replicas(s).some(([n]) => n === node));
    this.ctx.send(node, { type: 'assign', shards } satisfies ClusterMsg);
  }

  // --- the supervisor's actions ---------------------------------------------------------------

  private tick(): void {
    const now = this.ctx.now();
    this.detect(now);
    this.maybeHandOver(now);
    for (const a of this.sup.decide()) this.carryOut(a);
    this.publish();
  }

  /** In alert mode, the person paged first starts the repairs operatorActsAfterMs later. */
  private maybeHandOver(now: number): void {
    const after = this.config.supervisor.operatorActsAfterMs;
    if (this.sup.mode !== 'alert' || after === undefined || this.firstAlertMs === undefined) return;
    if (now >= this.firstAlertMs + after) this.sup.setMode('act', `a person answered the page after ${Math.round((now - this.firstAlertMs) / 1000)} s and started the repairs`);
  }

  private carryOut(a: HealingAction): void {
    switch (a.type) {
      case 'restart':
        this.ctx.metrics.count('restarts_sent');
        this.ctx.send(a.node, { type: 'restart', declaration: this.declarations.get(a.node) ?? 0 } satisfies ClusterMsg);
        return;
      case 're-replicate': {
        this.ctx.metrics.count('copies_started');
        const timer = this.ctx.setTimer(this.config.copy.timeoutMs, () => {
          if (!this.copies.has(a.id)) return;
          this.ctx.send(a.to, { type: 'copy_abort', id: a.id } satisfies ClusterMsg);
          this.endCopy(a.id, false, 'timed out');
        });
        this.copies.set(a.id, { from: a.from, to: a.to, replaces: a.replaces, timer });
        this.copiesInFlightMax = Math.max(this.copiesInFlightMax, this.copies.size);
        this.ctx.send(a.to, { type: 'copy', id: a.id, shard: a.shard, from: a.from } satisfies ClusterMsg);
        return;
      }
      case 'drain':
        // The supervisor marks the node draining: reads avoid it and its replicas are copied away.
        this.ctx.metrics.count('drains');
        return;
      case 'split':
        // This cluster reports no hot shards, so the supervisor never asks; refuse rather than pretend.
        this.sup.completed(a.id, false, 'this cluster does not split shards');
        return;
    }
  }

  /** The operators stop the supervisor, and with it the copies it started. */
  private killSwitch(): void {
    for (const a of this.sup.stop('the operators threw the kill switch')) {
      const c = this.copies.get(a.id);
      if (c === undefined) continue;
      this.copies.delete(a.id);
      this.ctx.clearTimer(c.timer);
      this.ctx.send(c.to, { type: 'copy_abort', id: a.id } satisfies ClusterMsg);
      this.ctx.metrics.count('copies_failed');
    }
    this.publish();
  }

  private endCopy(id: number, ok: boolean, reason: string): void {
    const c = this.copies.get(id);
    if (c === undefined) return;
    this.copies.delete(id);
    this.ctx.clearTimer(c.timer);
    this.sup.completed(id, ok, reason);
    this.ctx.metrics.count(ok ? 'copies_made' : 'copies_failed');
    if (ok && c.replaces !== undefined) this.assign(c.replaces);
  }

  private failCopiesOf(node: NodeId, reason: string): void {
    for (const [id, c] of [...this.copies]) {
      if (c.from !== node && c.to !== node) continue;
      this.ctx.send(c.to, { type: 'copy_abort', id } satisfies ClusterMsg);
      this.endCopy(id, false, reason);
    }
  }

  // --- the story's numbers ----------------------------------------------------------------------

  private publish(): void {
    const now = this.ctx.now();
    const m = this.ctx.metrics;
    const under = this.sup.underReplicated().length;
    if (under > 0) {
      this.firstUnderMs ??= now;
      this.fullAgainMs = undefined;
    } else if (this.firstUnderMs !== undefined) {
      this.fullAgainMs ??= now;
    }
    this.underMax = Math.max(this.underMax, under);
    const ttr = this.firstUnderMs === undefined ? 0 : (this.fullAgainMs ?? now) - this.firstUnderMs;
    m.gauge('time_to_full_replication_ms', Math.round(ttr));
    m.gauge('replication_restored', under === 0 ? 1 : 0);
    m.gauge('under_replicated_shards', under);
    m.gauge('under_replicated_shards_max', this.underMax);
    m.gauge('unavailable_shards', this.sup.unavailable().length);
    m.gauge('shards_lost', this.sup.shardNames().filter((s) => !this.sup.replicas(s).some(([, st]) => st === 'ok')).length);
    m.gauge('copies_in_flight_max', this.copiesInFlightMax);
    m.gauge('supervisor_deferred', this.sup.deferred);
    const fresh = this.sup.log.slice(Math.max(0, this.sup.log.length - (this.sup.logged - this.logSeen)));
    this.logSeen = this.sup.logged;
    for (const e of fresh) {
      this.ctx.log('healing', { ...e });
      if (e.action === 'give-up') m.count('give_ups');
      if (e.action === 'hold') m.count('supervisor_holds');
      if (e.action === 'alert') {
        m.count('alerts_raised');
        this.firstAlertMs ??= e.atMs;
      }
    }
  }
}
