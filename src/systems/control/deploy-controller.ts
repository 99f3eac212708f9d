/**
 * Safe deploys in the simulator: a platform node that routes client traffic to app servers and
 * rolls new versions out to them, with an SLO check that rolls back and a version-drift check that
 * finds nodes not on the version they should run (Knight Capital's eighth server).
 *
 * Strategies:
 * - all-at-once: every node at once, no check (the naive deploy);
 * - rolling: `batchSize` nodes at a time; after each batch, bake for `bakeMs` and check the SLO on
 *   the nodes already upgraded; a failed check rolls every upgraded node back and stops;
 * - canary: one node first, baked and checked, then the rest in rolling batches;
 * - blue-green: the nodes are two pools; the new version goes to the idle pool, traffic flips to it
 *   at once, and a failed check flips it back at once.
 *
 * A node being redeployed restarts: it leaves rotation for `restartMs`. Its version is on its disk
 * (written and fsynced when the restart completes), so a node that was down when its upgrade was
 * sent, or crashed in the middle of it, comes back on the old version; after `upgradeTimeoutMs` the
 * platform gives up waiting and carries on, believing it upgraded. Every reply says which version
 * served it, so the platform counts requests served off the version it believes a node runs. With
 * `driftCheckMs`, it also asks every node for its version that often and redeploys the ones that
 * differ (the check Knight Capital did not have).
 *
 * Roles by name: `platform` routes and deploys; every other server is an app server.
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientReply, isClientRequest, type ClientReply, type ClientRequest } from '../../runtime/client-protocol.js';
import { Relay } from '../../runtime/relay.js';

const versionBehaviourSchema = z.object({ errorRate: z.number().min(0).max(1).default(0), workMs: z.number().nonnegative().default(5) }).strict();

export const deployConfigSchema = z
  .object({
    platform: nodeRef().default('n1'),
    initialVersion: z.string().default('v1'),
    /** How each version behaves: the fraction of requests it fails, and its work per request. */
    versions: z.record(z.string(), versionBehaviourSchema).default({ v1: { errorRate: 0, workMs: 5 } }),
    restartMs: z.number().nonnegative().default(1000),
    /**
     * A node that has not reported its upgrade after this long is given up on: it rejoins rotation
     * and the deploy carries on, believing it upgraded (what a deploy script that times out does).
     */
    upgradeTimeoutMs: z.number().positive().default(5000),
    deploy: z
      .object({
        atMs: z.number().nonnegative(),
        version: z.string(),
        strategy: z.enum(['all-at-once', 'rolling', 'canary', 'blue-green']),
        batchSize: z.number().int().positive().default(1),
        bakeMs: z.number().positive().default(5000),
        /** The SLO: the new version's error rate over the bake may not pass this ... */
        maxErrorRate: z.number().min(0).max(1).default(0.01),
        /** ... judged once it served at least this many requests. */
        minRequests: z.number().int().positive().default(50),
      })
      .strict()
      .optional(),
    /** Ask every node for its version this often and repair drift (none: never). */
    driftCheckMs: z.number().positive().optional(),
  })
  .strict();
export type DeployConfig = z.infer<typeof deployConfigSchema>;

type Msg =
  | { type: 'deploy'; version: string }
  | { type: 'deployed'; version: string }
  | { type: 'version_query' }
  | { type: 'version'; version: string };

const versionFile = 'app.version';

class AppServer implements Process {
  private version: string;
  private restartingUntilMs = -Infinity;

  constructor(
    private readonly ctx: Context,
    private readonly config: DeployConfig,
  ) {
    const saved = ctx.disk.read(versionFile);
    this.version = saved === undefined ? config.initialVersion : new TextDecoder().decode(saved);
  }

  start(): void {
    this.ctx.metrics.count(`nodes_started_on_${this.version}`);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.serve(from, msg);
    const m = msg as Msg;
    if (m.type === 'version_query') return this.ctx.send(from, { type: 'version', version: this.version } satisfies Msg);
    if (m.type !== 'deploy') return;
    this.restartingUntilMs = this.ctx.now() + this.config.restartMs;
    this.ctx.setTimer(this.config.restartMs, () => {
      this.ctx.disk.write(versionFile, new TextEncoder().encode(m.version));
      this.ctx.disk.fsync(versionFile, () => {
        this.version = m.version;
        this.ctx.send(from, { type: 'deployed', version: m.version } satisfies Msg);
      });
    });
  }

  private serve(from: NodeId, req: ClientRequest): void {
    if (this.ctx.now() < this.restartingUntilMs) return this.ctx.send(from, clientReply(req, 'fail', undefined, 'restarting'));
    const b = this.config.versions[this.version] ?? { errorRate: 0, workMs: 5 };
    const version = this.version;
    this.ctx.setTimer(b.workMs, () => {
      this.ctx.metrics.count(`requests_on_${version}`);
      if (this.ctx.random() < b.errorRate) this.ctx.send(from, clientReply(req, 'fail', version, `${version}: internal error`));
      else this.ctx.send(from, clientReply(req, 'ok', version));
    });
  }
}

type Phase = { kind: 'idle' } | { kind: 'rolling'; next: number } | { kind: 'baking'; next: number; untilMs: number } | { kind: 'done' } | { kind: 'rolled-back'; reason: string };

class Platform implements Process {
  private readonly nodes: NodeId[];
  /** What the platform believes each node runs (and is about to run while it restarts). */
  private readonly believed = new Map<NodeId, string>();
  private readonly inRotation = new Set<NodeId>();
  private rr = 0;
  private readonly relay: Relay;
  /** Outcomes of requests served by the new version since the last check. */
  private newOk = 0;
  private newFailed = 0;
  private phase: Phase = { kind: 'idle' };
  /** The order nodes are upgraded in (for blue-green: the idle pool). */
  private order: NodeId[] = [];
  private waitingFor = new Set<NodeId>();
  private oldVersion: string;
  /** Blue-green: the pool serving traffic. */
  private activePool: NodeId[] = [];
  private idlePool: NodeId[] = [];

  constructor(
    private readonly ctx: Context,
    private readonly config: DeployConfig,
  ) {
    this.nodes = ctx.peers.filter((p) => p !== config.platform);
    this.relay = new Relay(ctx);
    this.oldVersion = config.initialVersion;
    for (const n of this.nodes) this.believed.set(n, config.initialVersion);
    if (config.deploy?.strategy === 'blue-green') {
      const half = Math.ceil(this.nodes.length / 2);
      this.activePool = this.nodes.slice(0, half);
      this.idlePool = this.nodes.slice(half);
      for (const n of this.activePool) this.inRotation.add(n);
    } else {
      for (const n of this.nodes) this.inRotation.add(n);
    }
  }

  start(): void {
    const d = this.config.deploy;
    if (d !== undefined) this.ctx.setTimer(d.atMs, () => this.begin());
    const every = this.config.driftCheckMs;
    if (every !== undefined) {
      const check = () => {
        for (const n of this.nodes) this.ctx.send(n, { type: 'version_query' } satisfies Msg);
        this.ctx.setTimer(every, check);
      };
      this.ctx.setTimer(every, check);
    }
    this.ctx.metrics.gauge('rolled_back', 0);
    this.ctx.metrics.count('requests_served_off_version', 0);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.route(from, msg);
    if (isClientReply(msg)) return this.onReply(msg);
    const m = msg as Msg;
    if (m.type === 'deployed') return this.onDeployed(from, m.version);
    if (m.type === 'version') return this.onVersion(from, m.version);
  }

  // ---- traffic ----

  private route(client: NodeId, req: ClientRequest): void {
    const pool = this.nodes.filter((n) => this.inRotation.has(n));
    if (pool.length === 0) return this.ctx.send(client, clientReply(req, 'fail', undefined, 'no node in rotation'));
    const node = pool[this.rr++ % pool.length];
    this.relay.forward(client, req, node);
  }

  private onReply(reply: ClientReply): void {
    const f = this.relay.take(reply);
    if (f === undefined) return;
    if (reply.value !== undefined && reply.value !== this.believed.get(f.to) && !this.waitingFor.has(f.to)) this.ctx.metrics.count('requests_served_off_version');
    const newVersion = this.config.deploy?.version;
    if (newVersion !== undefined && reply.value === newVersion) {
      if (reply.status === 'ok') this.newOk++;
      else this.newFailed++;
    }
    // The client hears which version served it.
    this.relay.answer(f, reply);
  }

  // ---- deploys ----

  private begin(): void {
    const d = this.config.deploy!;
    this.ctx.log('deploy', { version: d.version, strategy: d.strategy });
    this.newOk = this.newFailed = 0;
    if (d.strategy === 'blue-green') {
      this.order = [...this.idlePool];
      this.upgrade(this.order, d.version);
      this.phase = { kind: 'rolling', next: this.order.length };
      return;
    }
    this.order = [...this.nodes];
    this.phase = { kind: 'rolling', next: 0 };
    this.nextBatch();
  }

  /** Send the next batch (canary: one node first). */
  private nextBatch(): void {
    const d = this.config.deploy!;
    const p = this.phase;
    if (p.kind !== 'rolling') return;
    const size = d.strategy === 'all-at-once' ? this.order.length : d.strategy === 'canary' && p.next === 0 ? 1 : d.batchSize;
    const batch = this.order.slice(p.next, p.next + size);
    this.phase = { kind: 'rolling', next: p.next + batch.length };
    this.upgrade(batch, d.version);
  }

  private upgrade(batch: NodeId[], version: string): void {
    for (const n of batch) {
      this.inRotation.delete(n);
      this.believed.set(n, version);
      this.waitingFor.add(n);
      this.ctx.send(n, { type: 'deploy', version } satisfies Msg);
      this.ctx.setTimer(this.config.upgradeTimeoutMs, () => {
        if (this.believed.get(n) !== version || !this.waitingFor.has(n)) return;
        this.ctx.metrics.count('upgrade_timeouts');
        this.ctx.log('upgrade timed out', { node: n, version });
        this.nodeDone(n);
      });
    }
  }

  private onDeployed(node: NodeId, version: string): void {
    if (this.believed.get(node) !== version || !this.waitingFor.has(node)) return;
    this.ctx.metrics.count('node_upgrades');
    this.nodeDone(node);
  }

  /** A node finished its upgrade (or was given up on): back into rotation, and on with the deploy. */
  private nodeDone(node: NodeId): void {
    this.waitingFor.delete(node);
    const d = this.config.deploy;
    // Blue-green nodes wait in the idle pool for the flip; the others rejoin rotation.
    if (d?.strategy !== 'blue-green' || this.activePool.includes(node)) this.inRotation.add(node);
    if (this.waitingFor.size > 0 || d === undefined) return;
    const p = this.phase;
    if (p.kind !== 'rolling') return;
    if (d.strategy === 'blue-green') {
      this.flip();
      this.bake(p.next);
    } else if (d.strategy === 'all-at-once') {
      this.finish();
    } else {
      this.bake(p.next);
    }
  }

  private flip(): void {
    [this.activePool, this.idlePool] = [this.idlePool, this.activePool];
    this.inRotation.clear();
    for (const n of this.activePool) this.inRotation.add(n);
    this.ctx.log('flip', { active: this.activePool.join(',') });
    this.ctx.metrics.count('traffic_flips');
  }

  private bake(next: number): void {
    const d = this.config.deploy!;
    this.newOk = this.newFailed = 0;
    this.phase = { kind: 'baking', next, untilMs: this.ctx.now() + d.bakeMs };
    this.ctx.setTimer(d.bakeMs, () => this.judge());
  }

  /** The SLO check at the end of a bake: go on, finish, or roll back. */
  private judge(): void {
    const d = this.config.deploy!;
    const p = this.phase;
    if (p.kind !== 'baking') return;
    const n = this.newOk + this.newFailed;
    const rate = n === 0 ? 0 : this.newFailed / n;
    this.ctx.log('slo', { requests: n, errorRate: rate });
    if (n >= d.minRequests && rate > d.maxErrorRate) return this.rollBack(`error rate ${rate.toFixed(3)} > ${d.maxErrorRate} over ${n} requests`);
    if (p.next >= this.order.length) return this.finish();
    this.phase = { kind: 'rolling', next: p.next };
    this.nextBatch();
  }

  private rollBack(reason: string): void {
    const d = this.config.deploy!;
    this.ctx.log('rollback', { reason });
    this.ctx.metrics.gauge('rolled_back', 1);
    this.ctx.metrics.gauge('rollback_at_ms', Math.round(this.ctx.now()));
    this.phase = { kind: 'rolled-back', reason };
    if (d.strategy === 'blue-green') {
      this.flip();
      return;
    }
    const upgraded = this.nodes.filter((n) => this.believed.get(n) === d.version);
    this.upgrade(upgraded, this.oldVersion);
  }

  private finish(): void {
    this.phase = { kind: 'done' };
    this.ctx.log('deployed', { version: this.config.deploy!.version });
    this.ctx.metrics.gauge('deploy_finished_at_ms', Math.round(this.ctx.now()));
  }

  // ---- drift ----

  private onVersion(node: NodeId, version: string): void {
    const want = this.believed.get(node);
    if (want === undefined || version === want || this.waitingFor.has(node)) return;
    this.ctx.metrics.count('version_drift_found');
    this.ctx.log('drift', { node, runs: version, should: want });
    this.upgrade([node], want);
  }
}

export const deployment = (ctx: Context, config: DeployConfig): Process => (ctx.id === config.platform ? new Platform(ctx, config) : new AppServer(ctx, config));
