/**
 * A self-healing supervisor: the seeds' intelligence level 4 ("fixes problems without waking you";
 * Netflix reports 1000+ automatic recoveries a day), with the brakes their control part asks of any
 * automation ("auto-scaling that creates more load, which triggers more scaling": runaway
 * automation, and the cascade of doom).
 *
 * A pure core on an injected clock. The host feeds it observations (a node down or up, a replica
 * lost, a shard hot, a node gray: slow but alive) and calls `decide()` now and then; it answers with
 * actions for the host to carry out, and hears back with `completed()`:
 *
 * - restart a down node at once, then again with exponential backoff, giving up after
 *   `restart.attemptsMax` tries (Kubernetes' CrashLoopBackOff: 10 s, 20 s, 40 s... capped at five
 *   minutes). A restart is cheap for a dead process, and costly for a live one the detector got wrong;
 * - re-replicate a shard that lost a replica: copy it from a surviving replica to a healthy node,
 *   the shards with the fewest live replicas first (HDFS's NameNode orders its replication queue so);
 *   a replica on a node down for less than `replaceAfterMs` still counts, because most nodes come
 *   back (HDFS waits 10.5 minutes before it declares a DataNode dead, Kubernetes five before it
 *   evicts pods), and copying a node's worth of data is itself a load;
 * - drain a gray node (reads avoid it, its replicas are copied away and then dropped);
 * - split a hot shard (as Bigtable and CockroachDB split a busy range; a cooldown stops a shard from
 *   being split again at once).
 *
 * The brakes, each optional so that a story can show what happens without it:
 * - a token bucket for every action (`actionsPerSec`, `actionBurst`), and a cap on repairs in flight
 *   cluster-wide and per node (HDFS: `dfs.namenode.replication.work.multiplier.per.iteration` and
 *   `dfs.namenode.replication.max-streams`, 2 copies per DataNode by default). A refused action is not
 *   dropped: it waits for the next decide();
 * - a fleet guard: when more than `downFractionMax` of the fleet looks down at once, it is likelier
 *   that the detector or the network is wrong than that so many nodes failed together, so the
 *   supervisor holds all actions and says so (Kubernetes' node controller stops evicting when a
 *   whole zone looks unhealthy, and slows down past `--unhealthy-zone-threshold`, 55%);
 * - flap damping: a node that went down more than `flap.downsMax` times within `flap.windowMs` is
 *   no longer restarted but drained (route flap damping, RFC 2439);
 * - a kill switch (the control pillar's KillSwitch): `stop(reason)` halts every action until a person
 *   resets it, and cancels the repairs under way (it returns them, for the host to abort): stopping
 *   the automation must stop what it started, or its backlog keeps doing the damage.
 *
 * In `mode: 'alert'` (maturity level 1) it decides the same things but only raises alerts, once per
 * problem, for a person to act on. Every action, refusal of the guards, alert and outcome goes into
 * `log` with its time, target and reason.
 */
import type { Clock } from '../../runtime/clock.js';
import { KillSwitch, RateKillSwitch, TokenBucket, exponentialBackoff, type Backoff } from '../../control/index.js';
import { ConfigError, fraction, nonNegative, positive, positiveInt } from '../../runtime/config-error.js';

export type HealingObservation =
  | { type: 'node-down'; node: string }
  | { type: 'node-up'; node: string }
  /** The replica's data is gone (a disk lost, a process that restarted empty). */
  | { type: 'replica-lost'; shard: string; node: string }
  | { type: 'shard-hot'; shard: string }
  /** Alive but slow: answers heartbeats, serves requests far slower than its peers. */
  | { type: 'node-gray'; node: string };

export type HealingAction =
  | { id: number; type: 'restart'; node: string; attempt: number }
  /** Copy `shard` from `from` to `to`; on success the replica on `replaces` (if any) is dropped. */
  | { id: number; type: 're-replicate'; shard: string; from: string; to: string; replaces?: string }
  | { id: number; type: 'drain'; node: string }
  /** Split `shard`, the upper half becoming `newShard` on the same replicas. */
  | { id: number; type: 'split'; shard: string; newShard: string };

export type HealingLogKind = HealingAction['type'] | 'give-up' | 'done' | 'failed' | 'alert' | 'hold' | 'resume' | 'halt' | 'flapping' | 'mode';

export interface HealingLogEntry {
  atMs: number;
  action: HealingLogKind;
  target: string;
  reason: string;
}

export type ReplicaState = 'ok' | 'incoming';
export type NodeStatus = 'up' | 'down' | 'dead';

export interface SupervisorOptions {
  /** Every node of the fleet. */
  nodes: readonly string[];
  /** Each shard's replicas at the start. */
  placement: Readonly<Record<string, readonly string[]>>;
  replicationFactor: number;
  /** act (level 4, the default) or alert (level 1: tell a person, do nothing). */
  mode?: 'act' | 'alert';
  /** A down node's replicas still count this long before they are copied elsewhere (default 60 s). */
  replaceAfterMs?: number;
  restart?: { initialMs?: number; maxMs?: number; factor?: number; attemptsMax?: number };
  /** Token bucket over all actions; none: unlimited. */
  actionsPerSec?: number;
  actionBurst?: number;
  /** Copies and splits under way at once, cluster-wide; none: unlimited. */
  repairsInFlightMax?: number;
  /** Copies a node takes part in at once (as source or target); none: unlimited. */
  copiesPerNodeMax?: number;
  /** Hold every action when more than this fraction of the fleet looks down or gray; none: never hold. */
  downFractionMax?: number;
  flap?: { downsMax: number; windowMs: number };
  splitCooldownMs?: number;
  /** Log entries kept (the oldest go first; default 10 000). */
  logEntriesMax?: number;
}

interface NodeRecord {
  /** Its place in the fleet's list: ties between nodes go to the first. */
  rank: number;
  status: NodeStatus;
  downSinceMs: number;
  restartAttempts: number;
  nextRestartMs: number;
  lastDelayMs: number;
  gray: boolean;
  draining: boolean;
  drainAsked: boolean;
  flapping: boolean;
  /** Trips on the down that makes it a flapper (flap damping). */
  downs: RateKillSwitch | undefined;
}

interface ShardRecord {
  replicas: Map<string, ReplicaState>;
  hot: boolean;
  lastSplitMs: number;
  splits: number;
}

export class Supervisor {
  private currentMode: 'act' | 'alert';
  readonly replicationFactor: number;
  /** The latest entries (at most logEntriesMax); `logged` counts all there ever were. */
  readonly log: HealingLogEntry[] = [];
  logged = 0;
  /** The global stop: tripped, it halts every action. */
  readonly killSwitch: KillSwitch;
  /** Actions issued so far, by type. */
  readonly issued = { restart: 0, 're-replicate': 0, drain: 0, split: 0 };
  /** Actions that had to wait for the rate limit or a concurrency cap. */
  deferred = 0;
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly shards = new Map<string, ShardRecord>();
  private readonly inFlight = new Map<number, Extract<HealingAction, { type: 're-replicate' | 'split' }>>();
  private readonly bucket: TokenBucket | undefined;
  private readonly backoff: Backoff;
  private readonly attemptsMax: number;
  private readonly replaceAfterMs: number;
  private readonly repairsInFlightMax: number;
  private readonly copiesPerNodeMax: number;
  private readonly downFractionMax: number;
  private readonly splitCooldownMs: number;
  private readonly logEntriesMax: number;
  private readonly flap: { downsMax: number; windowMs: number } | undefined;
  private idNext = 1;
  private holding = false;
  private halted = false;
  /** Problems already alerted on (alert mode), so each is raised once until it clears. */
  private readonly alerted = new Set<string>();

  constructor(
    opts: SupervisorOptions,
    private readonly clock: Clock,
  ) {
    if (opts.nodes.length === 0 || new Set(opts.nodes).size !== opts.nodes.length) throw new ConfigError('nodes', 'a non-empty list of distinct node names', opts.nodes);
    this.replicationFactor = positiveInt('replicationFactor', opts.replicationFactor);
    if (this.replicationFactor > opts.nodes.length) throw new ConfigError('replicationFactor', `at most the number of nodes (${opts.nodes.length})`, opts.replicationFactor);
    this.currentMode = opts.mode ?? 'act';
    if (this.currentMode !== 'act' && this.currentMode !== 'alert') throw new ConfigError('mode', 'act or alert', opts.mode);
    this.replaceAfterMs = nonNegative('replaceAfterMs', opts.replaceAfterMs ?? 60_000);
    const r = opts.restart ?? {};
    this.backoff = exponentialBackoff({ initialMs: r.initialMs ?? 10_000, maxMs: r.maxMs ?? 300_000, factor: r.factor ?? 2, jitter: 'none' });
    this.attemptsMax = nonNegative('restart.attemptsMax', r.attemptsMax ?? 3);
    if (!Number.isInteger(this.attemptsMax)) throw new ConfigError('restart.attemptsMax', 'a whole number >= 0', r.attemptsMax);
    if (opts.actionsPerSec !== undefined) this.bucket = new TokenBucket(opts.actionsPerSec, opts.actionBurst ?? Math.max(1, opts.actionsPerSec), clock);
    else if (opts.actionBurst !== undefined) throw new ConfigError('actionBurst', 'actionsPerSec as well (a burst needs a rate)', opts.actionBurst);
    this.repairsInFlightMax = opts.repairsInFlightMax === undefined ? Infinity : positiveInt('repairsInFlightMax', opts.repairsInFlightMax);
    this.copiesPerNodeMax = opts.copiesPerNodeMax === undefined ? Infinity : positiveInt('copiesPerNodeMax', opts.copiesPerNodeMax);
    this.downFractionMax = opts.downFractionMax === undefined ? 1 : fraction('downFractionMax', opts.downFractionMax);
    this.splitCooldownMs = nonNegative('splitCooldownMs', opts.splitCooldownMs ?? 60_000);
    this.logEntriesMax = positiveInt('logEntriesMax', opts.logEntriesMax ?? 10_000);
    if (opts.flap !== undefined) {
      this.flap = { downsMax: positiveInt('flap.downsMax', opts.flap.downsMax), windowMs: positive('flap.windowMs', opts.flap.windowMs) };
    }
    this.killSwitch = new KillSwitch(clock);
    for (const [rank, n] of opts.nodes.entries()) {
      this.nodes.set(n, {
        rank,
        status: 'up',
        downSinceMs: 0,
        restartAttempts: 0,
        nextRestartMs: 0,
        lastDelayMs: 0,
        gray: false,
        draining: false,
        drainAsked: false,
        flapping: false,
        downs: this.flap === undefined ? undefined : new RateKillSwitch({ maxOps: this.flap.downsMax, windowMs: this.flap.windowMs, clock }),
      });
    }
    for (const [shard, replicas] of Object.entries(opts.placement)) {
      if (new Set(replicas).size !== replicas.length || replicas.some((n) => !this.nodes.has(n))) {
        throw new ConfigError(`placement.${shard}`, 'distinct nodes of the fleet', replicas);
      }
      this.shards.set(shard, { replicas: new Map(replicas.map((n) => [n, 'ok' as const])), hot: false, lastSplitMs: -Infinity, splits: 0 });
    }
  }

  // --- what the host tells the supervisor -----------------------------------------------------

  observe(o: HealingObservation): void {
    const now = this.clock.now();
    switch (o.type) {
      case 'node-down': {
        const n = this.node(o.node);
        if (n.status !== 'up') return;
        n.status = 'down';
        n.downSinceMs = now;
        n.restartAttempts = 0;
        // The first restart at once, as Kubernetes restarts a failed container; the backoff is between tries.
        n.lastDelayMs = 0;
        n.nextRestartMs = now;
        if (n.downs !== undefined && !n.flapping && !n.downs.allow()) {
          n.flapping = true;
          this.record('flapping', o.node, `down more than ${this.flap!.downsMax} times within ${this.flap!.windowMs} ms: no more restarts, drain it`);
        }
        return;
      }
      case 'node-up': {
        const n = this.node(o.node);
        if (n.status === 'up') return;
        n.status = 'up';
        n.restartAttempts = 0;
        this.alerted.delete(`down:${o.node}`);
        return;
      }
      case 'replica-lost': {
        const s = this.shard(o.shard);
        if (s.replicas.get(o.node) === 'ok') s.replicas.delete(o.node);
        return;
      }
      case 'shard-hot':
        this.shard(o.shard).hot = true;
        return;
      case 'node-gray':
        this.node(o.node).gray = true;
        return;
    }
  }

  /** The outcome of a re-replicate or split action. */
  completed(id: number, ok: boolean, reason = ok ? 'completed' : 'failed'): void {
    const a = this.inFlight.get(id);
    if (a === undefined) return;
    this.inFlight.delete(id);
    const s = this.shards.get(a.shard);
    if (a.type === 're-replicate') {
      if (s === undefined) return;
      if (ok && s.replicas.get(a.to) === 'incoming') {
        s.replicas.set(a.to, 'ok');
        if (a.replaces !== undefined) s.replicas.delete(a.replaces);
        this.record('done', `${a.shard}@${a.to}`, reason);
      } else {
        if (s.replicas.get(a.to) === 'incoming') s.replicas.delete(a.to);
        this.record('failed', `${a.shard}@${a.to}`, reason);
      }
      return;
    }
    if (s !== undefined && ok) {
      s.hot = false;
      s.lastSplitMs = this.clock.now();
      this.shards.set(a.newShard, { replicas: new Map([...s.replicas].filter(([, st]) => st === 'ok')), hot: false, lastSplitMs: this.clock.now(), splits: 0 });
    }
    this.record(ok ? 'done' : 'failed', a.shard, reason);
  }

  /** Throw the kill switch: nothing more is done until `resume()`; the repairs under way are cancelled and returned. */
  stop(reason: string): HealingAction[] {
    this.killSwitch.trip(reason);
    const cancelled = [...this.inFlight.values()];
    for (const a of cancelled) this.completed(a.id, false, `cancelled by the kill switch: ${reason}`);
    return cancelled;
  }

  resume(): void {
    this.killSwitch.reset();
    this.halted = false;
  }

  get mode(): 'act' | 'alert' {
    return this.currentMode;
  }

  /** Switch between acting and only alerting (a person takes over, or hands back). */
  setMode(mode: 'act' | 'alert', reason: string): void {
    if (mode !== 'act' && mode !== 'alert') throw new ConfigError('mode', 'act or alert', mode);
    if (mode === this.currentMode) return;
    this.currentMode = mode;
    this.record('mode', mode, reason);
  }

  // --- what the supervisor decides ------------------------------------------------------------

  /** The actions to carry out now (none while stopped, holding, or only alerting). */
  decide(): HealingAction[] {
    const now = this.clock.now();
    if (!this.killSwitch.allow()) {
      if (!this.halted) this.record('halt', 'all', this.killSwitch.tripped!.reason);
      this.halted = true;
      return [];
    }
    const looksDown = [...this.nodes.values()].filter((n) => n.status !== 'up' || n.gray).length;
    if (looksDown / this.nodes.size > this.downFractionMax) {
      if (!this.holding) {
        const pct = Math.round((100 * looksDown) / this.nodes.size);
        this.record('hold', 'all', `${looksDown} of ${this.nodes.size} nodes look down or gray (${pct}% > ${Math.round(100 * this.downFractionMax)}%): a detector or network fault is likelier than ${looksDown} failures at once; waiting for a person`);
      }
      this.holding = true;
      return [];
    }
    if (this.holding) this.record('resume', 'all', `${looksDown} of ${this.nodes.size} nodes look down or gray`);
    this.holding = false;
    if (this.currentMode === 'alert') {
      this.raiseAlerts(now);
      return [];
    }
    const out: HealingAction[] = [];
    const issue = (a: HealingAction, reason: string): boolean => {
      if (this.bucket !== undefined && this.bucket.tryTake(1) > 0) {
        this.deferred++;
        return false;
      }
      out.push(a);
      this.issued[a.type]++;
      if (a.type === 're-replicate' || a.type === 'split') this.inFlight.set(a.id, a);
      const target = a.type === 're-replicate' ? `${a.shard}@${a.to}` : a.type === 'split' ? a.shard : a.node;
      this.record(a.type, target, reason);
      return true;
    };
    if (!this.restartOrGiveUp(now, issue)) return out;
    if (!this.drain(issue)) return out;
    if (!this.reReplicate(now, issue)) return out;
    this.split(now, issue);
    return out;
  }

  /** Restarts that are due, and give-ups; false when the rate limit stopped the round. */
  private restartOrGiveUp(now: number, issue: (a: HealingAction, reason: string) => boolean): boolean {
    for (const [name, n] of this.nodes) {
      if (n.status !== 'down' || n.flapping || now < n.nextRestartMs) continue;
      if (n.restartAttempts >= this.attemptsMax) {
        n.status = 'dead';
        this.record('give-up', name, `still down after ${n.restartAttempts} restarts: its replicas are copied elsewhere; a person should look at it`);
        continue;
      }
      const attempt = n.restartAttempts + 1;
      if (!issue({ id: this.idNext++, type: 'restart', node: name, attempt }, `down since ${Math.round(n.downSinceMs)} ms, attempt ${attempt} of ${this.attemptsMax}`)) return false;
      n.restartAttempts = attempt;
      n.lastDelayMs = this.backoff.delayMs(attempt - 1, n.lastDelayMs, () => 0);
      n.nextRestartMs = now + n.lastDelayMs;
    }
    return true;
  }

  private drain(issue: (a: HealingAction, reason: string) => boolean): boolean {
    for (const [name, n] of this.nodes) {
      if (n.drainAsked || !(n.gray || n.flapping)) continue;
      if (!issue({ id: this.idNext++, type: 'drain', node: name }, n.gray ? 'gray: alive but far slower than its peers' : 'flapping')) return false;
      n.drainAsked = true;
      n.draining = true;
    }
    return true;
  }

  private reReplicate(now: number, issue: (a: HealingAction, reason: string) => boolean): boolean {
    // The shards with the fewest live replicas first: they are one failure from being lost.
    // A stable sort: ties keep the shards' order.
    const order = [...this.shards].map(([name, s]) => ({ name, s, live: this.liveReplicas(s).length })).sort((a, b) => a.live - b.live);
    const load = this.replicasPerNode();
    for (const { name, s } of order) {
      for (let need = this.copiesNeeded(s, now); need > 0; need--) {
        if (this.inFlight.size >= this.repairsInFlightMax) {
          this.deferred++;
          return true;
        }
        const from = this.pickSource(s);
        const to = this.pickTarget(s, load);
        if (from === undefined || to === undefined) {
          if (from === undefined && this.liveReplicas(s).length === 0) this.alertOnce(`unavailable:${name}`, name, 'no live replica to copy from');
          else this.deferred++;
          break;
        }
        const replaces = this.replaceable(name, s, now);
        const a: HealingAction = { id: this.idNext++, type: 're-replicate', shard: name, from, to };
        if (replaces !== undefined) a.replaces = replaces;
        const why = replaces === undefined ? `${this.countingReplicas(s, now)} of ${this.replicationFactor} replicas` : `replaces ${replaces} (${this.node(replaces).status === 'up' ? 'draining' : this.node(replaces).status})`;
        if (!issue(a, why)) return false;
        s.replicas.set(to, 'incoming');
        load.set(to, (load.get(to) ?? 0) + 1);
      }
    }
    return true;
  }

  private split(now: number, issue: (a: HealingAction, reason: string) => boolean): void {
    for (const [name, s] of this.shards) {
      if (!s.hot || now - s.lastSplitMs < this.splitCooldownMs || [...this.inFlight.values()].some((a) => a.shard === name)) continue;
      if (this.inFlight.size >= this.repairsInFlightMax) {
        this.deferred++;
        return;
      }
      const newShard = `${name}.${s.splits + 1}`;
      if (!issue({ id: this.idNext++, type: 'split', shard: name, newShard }, 'hot: more load than one shard should carry')) return;
      s.splits++;
    }
  }

  /** Alert mode: say once what would be done about each problem. */
  private raiseAlerts(now: number): void {
    for (const [name, n] of this.nodes) if (n.status !== 'up') this.alertOnce(`down:${name}`, name, 'down: would restart it with backoff');
    for (const [name, n] of this.nodes) if (n.gray || n.flapping) this.alertOnce(`gray:${name}`, name, `${n.gray ? 'gray' : 'flapping'}: would drain it`);
    for (const [name, s] of this.shards) {
      const missing = this.copiesNeeded(s, now);
      if (missing > 0) this.alertOnce(`under:${name}`, name, `${this.replicationFactor - missing} of ${this.replicationFactor} replicas: would copy ${missing}`);
      else this.alerted.delete(`under:${name}`);
      if (s.hot) this.alertOnce(`hot:${name}`, name, 'hot: would split it');
    }
  }

  private alertOnce(key: string, target: string, reason: string): void {
    if (this.alerted.has(key)) return;
    this.alerted.add(key);
    this.record('alert', target, reason);
  }

  // --- the view the decisions rest on -----------------------------------------------------------

  /** Replicas that hold the data and can serve it now. */
  private liveReplicas(s: ShardRecord): string[] {
    return [...s.replicas].filter(([n, st]) => st === 'ok' && this.node(n).status === 'up').map(([n]) => n);
  }

  /** Does this replica count towards the replication factor (a short absence is forgiven)? */
  private counts(node: string, now: number): boolean {
    const n = this.node(node);
    if (n.status === 'up') return !n.draining;
    return n.status === 'down' && now - n.downSinceMs < this.replaceAfterMs && !n.flapping;
  }

  private countingReplicas(s: ShardRecord, now: number): number {
    let c = 0;
    for (const [n, st] of s.replicas) if (st === 'ok' && this.counts(n, now)) c++;
    return c;
  }

  private copiesNeeded(s: ShardRecord, now: number): number {
    let incoming = 0;
    for (const st of s.replicas.values()) if (st === 'incoming') incoming++;
    return Math.max(0, this.replicationFactor - this.countingReplicas(s, now) - incoming);
  }

  /** A replica that no longer counts and that no copy under way replaces yet. */
  private replaceable(shard: string, s: ShardRecord, now: number): string | undefined {
    const taken = new Set([...this.inFlight.values()].map((a) => (a.type === 're-replicate' && a.shard === shard ? a.replaces : undefined)));
    return [...s.replicas].find(([n, st]) => st === 'ok' && !this.counts(n, now) && !taken.has(n))?.[0];
  }

  private copiesOn(node: string): number {
    let c = 0;
    for (const a of this.inFlight.values()) if (a.type === 're-replicate' && (a.from === node || a.to === node)) c++;
    return c;
  }

  /**
   * The least busy live replica. A gray or draining one only when no healthy replica is left: a
   * healthy one that is busy is worth waiting for, since a copy from a slow node is slow, and its
   * work lands on the node least able to take it.
   */
  private pickSource(s: ShardRecord): string | undefined {
    const live = this.liveReplicas(s);
    const healthy = live.filter((n) => !this.node(n).gray && !this.node(n).draining);
    const candidates = (healthy.length > 0 ? healthy : live).filter((n) => this.copiesOn(n) < this.copiesPerNodeMax);
    return candidates.sort((a, b) => this.copiesOn(a) - this.copiesOn(b) || this.node(a).rank - this.node(b).rank)[0];
  }

  private replicasPerNode(): Map<string, number> {
    const load = new Map<string, number>();
    for (const s of this.shards.values()) for (const n of s.replicas.keys()) load.set(n, (load.get(n) ?? 0) + 1);
    return load;
  }

  /**
   * The healthy node with the fewest replicas (then the fewest copies under way) that lacks this
   * shard; ties go to the node listed first.
   */
  private pickTarget(s: ShardRecord, load: Map<string, number>): string | undefined {
    const candidates = [...this.nodes]
      .filter(([name, n]) => n.status === 'up' && !n.gray && !n.draining && !s.replicas.has(name) && this.copiesOn(name) < this.copiesPerNodeMax)
      .map(([name]) => ({ name, load: load.get(name) ?? 0, copies: this.copiesOn(name) }));
    candidates.sort((a, b) => a.load - b.load || a.copies - b.copies);
    return candidates[0]?.name;
  }

  private node(name: string): NodeRecord {
    const n = this.nodes.get(name);
    if (n === undefined) throw new ConfigError('node', `one of ${[...this.nodes.keys()].join(', ')}`, name);
    return n;
  }

  private shard(name: string): ShardRecord {
    const s = this.shards.get(name);
    if (s === undefined) throw new ConfigError('shard', 'a shard of the placement', name);
    return s;
  }

  private record(action: HealingLogKind, target: string, reason: string): void {
    this.log.push({ atMs: this.clock.now(), action, target, reason });
    this.logged++;
    if (this.log.length > this.logEntriesMax) this.log.splice(0, this.log.length - this.logEntriesMax);
  }

  // --- read access for the host ---------------------------------------------------------------

  status(node: string): NodeStatus {
    return this.node(node).status;
  }

  /** Draining nodes keep serving writes for their replicas until those are copied away; reads avoid them. */
  draining(node: string): boolean {
    return this.node(node).draining;
  }

  shardNames(): string[] {
    return [...this.shards.keys()];
  }

  /** A shard's replicas and their state (ok: holds the data; incoming: being copied to). */
  replicas(shard: string): [string, ReplicaState][] {
    return [...this.shard(shard).replicas];
  }

  /** Shards with fewer than replicationFactor replicas that hold the data on nodes that are up. */
  underReplicated(): string[] {
    return [...this.shards].filter(([, s]) => this.liveReplicas(s).length < this.replicationFactor).map(([n]) => n);
  }

  /** Shards with no replica on a node that is up. */
  unavailable(): string[] {
    return [...this.shards].filter(([, s]) => this.liveReplicas(s).length === 0).map(([n]) => n);
  }

  /** Copies and splits under way. */
  inFlightActions(): HealingAction[] {
    return [...this.inFlight.values()];
  }

  /** Whether the fleet guard holds every action now. */
  holdingAll(): boolean {
    return this.holding;
  }
}
