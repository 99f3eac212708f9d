/**
 * A fleet of servers behind a thin router, with a poison request: from `poison.atMs` on, the
 * requests of one customer crash whichever server handles them (a query that hits a parser bug, a
 * payload too large for memory). A crashed server is restarted by its supervisor after `restartMs`.
 *
 * The router sends each request to one of the customer's servers (placement.ts) and, when no reply
 * comes within `attemptTimeoutMs`, retries it on the next of them, up to `attempts` tries: what
 * every client library does, and what carries the poison from server to server.
 *
 * The router keeps, per customer, how many of its requests since the poison arrived were answered.
 * customers_down: customers other than the poisoner with less than half answered; customers_affected:
 * less than 99%. For shuffle sharding it also measures how the customers' shards overlap, against
 * the hypergeometric expectation.
 */
import { z } from 'zod';
import type { Context, NodeId, Process, TimerId } from '../../runtime/context.js';
import { nodeRef } from '../../runtime/node-ref.js';
import { clientReply, isClientRequest, type ClientRequest } from '../../runtime/client-protocol.js';
import { choose, overlapCounts, overlapProbability, place } from './placement.js';

export const fleetConfigSchema = z
  .object({
    router: nodeRef().default('n1'),
    placement: z.enum(['shared', 'cells', 'shuffle-sharding']),
    /** Servers per cell (cells) or per customer's shard (shuffle-sharding). */
    size: z.number().int().positive().default(2),
    serviceMs: z.number().positive().default(1),
    attemptTimeoutMs: z.number().positive().default(50),
    /** Tries per request, each on the customer's next server. */
    attempts: z.number().int().positive().default(3),
    poison: z.object({ customer: z.string(), atMs: z.number().nonnegative() }).strict(),
    restartMs: z.number().positive().default(2000),
    /** How often the per-customer gauges are brought up to date. */
    reportEveryMs: z.number().positive().default(500),
  })
  .strict();
export type FleetConfig = z.infer<typeof fleetConfigSchema>;

type Msg =
  | { type: 'fleet_request'; id: number; customer: string }
  | { type: 'fleet_reply'; id: number };

interface Pending {
  from: NodeId;
  req: ClientRequest;
  customer: string;
  servers: string[];
  tried: number;
  /** Where in the customer's servers its first try went. */
  first: number;
  id: number;
  timer?: TimerId;
  sinceMs: number;
}

class Router implements Process {
  private readonly servers: string[];
  private readonly shards = new Map<string, string[]>();
  private readonly next = new Map<string, number>();
  private readonly pending = new Map<number, Pending>();
  /** Per customer, requests since the poison arrived: answered and not. */
  private readonly since = new Map<string, { ok: number; failed: number }>();
  private nextId = 1;

  constructor(
    private readonly ctx: Context,
    private readonly config: FleetConfig,
  ) {
    this.servers = ctx.peers.filter((p) => p !== config.router);
  }

  start(): void {
    const report = () => {
      this.report();
      this.ctx.setTimer(this.config.reportEveryMs, report);
    };
    this.ctx.setTimer(this.config.reportEveryMs, report);
  }

  private shardOf(customer: string): string[] {
    let s = this.shards.get(customer);
    if (s === undefined) {
      s = place(this.config.placement, this.servers, this.shards.size, this.config.size, () => this.ctx.random());
      this.shards.set(customer, s);
    }
    return s;
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) {
      const servers = this.shardOf(from);
      const p: Pending = { from, req: msg, customer: from, servers, tried: 0, first: 0, id: this.nextId++, sinceMs: this.ctx.now() };
      this.pending.set(p.id, p);
      return this.attempt(p);
    }
    const m = msg as Msg;
    if (m?.type !== 'fleet_reply') return;
    const p = this.pending.get(m.id);
    if (p === undefined) return;
    this.ctx.clearTimer(p.timer!);
    this.finish(p, true);
  }

  private attempt(p: Pending): void {
    if (p.tried >= this.config.attempts) return this.finish(p, false);
    // Each customer's requests take its servers in turn; a retry takes the one after the last tried.
    if (p.tried === 0) {
      p.first = this.next.get(p.customer) ?? 0;
      this.next.set(p.customer, p.first + 1);
    }
    const server = p.servers[(p.first + p.tried) % p.servers.length];
    p.tried++;
    if (p.tried > 1) this.ctx.metrics.count('retries');
    this.ctx.send(server, { type: 'fleet_request', id: p.id, customer: p.customer } satisfies Msg);
    p.timer = this.ctx.setTimer(this.config.attemptTimeoutMs, () => this.attempt(p));
  }

  private finish(p: Pending, ok: boolean): void {
    this.pending.delete(p.id);
    this.ctx.send(p.from, clientReply(p.req, ok ? 'ok' : 'fail'));
    if (p.sinceMs < this.config.poison.atMs) return;
    const s = this.since.get(p.customer) ?? { ok: 0, failed: 0 };
    if (ok) s.ok++;
    else s.failed++;
    this.since.set(p.customer, s);
  }

  private report(): void {
    const m = this.ctx.metrics;
    let down = 0;
    let affected = 0;
    let others = 0;
    for (const [customer, s] of this.since) {
      if (customer === this.config.poison.customer) continue;
      others++;
      const answered = s.ok / Math.max(1, s.ok + s.failed);
      if (answered < 0.5) down++;
      if (answered < 0.99) affected++;
    }
    m.gauge('customers', others);
    m.gauge('customers_down', down);
    m.gauge('customers_affected', affected);
    m.gauge('customers_down_pct', others === 0 ? 0 : Math.round((1000 * down) / others) / 10);
    const poisoned = this.shards.get(this.config.poison.customer);
    if (poisoned !== undefined) {
      // Customers whose every server the poisoner can reach: they go down with it.
      const set = new Set(poisoned);
      let sharing = 0;
      for (const [c, s] of this.shards) if (c !== this.config.poison.customer && s.every((x) => set.has(x))) sharing++;
      m.gauge('customers_sharing_all_servers', sharing);
    }
    if (this.config.placement !== 'shuffle-sharding') return;
    const n = this.servers.length;
    const k = this.config.size;
    const counts = overlapCounts([...this.shards.values()], k);
    const pairs = counts.reduce((a, b) => a + b, 0);
    m.gauge('shard_pairs_same_pct', pairs === 0 ? 0 : Math.round((10000 * counts[k]) / pairs) / 100);
    m.gauge('shard_pairs_disjoint_pct', pairs === 0 ? 0 : Math.round((10000 * counts[0]) / pairs) / 100);
    m.gauge('expected_same_pct', Math.round(10000 / choose(n, k)) / 100);
    m.gauge('expected_disjoint_pct', Math.round(10000 * overlapProbability(n, k, 0)) / 100);
    m.gauge('expected_customers_sharing_all_servers', Math.round((100 * (this.shards.size - 1)) / choose(n, k)) / 100);
  }
}

class Server implements Process {
  private downUntilMs = -1;
  /** Incremented on each crash: replies of a previous life are never sent. */
  private life = 0;

  constructor(
    private readonly ctx: Context,
    private readonly config: FleetConfig,
  ) {}

  onMessage(from: NodeId, msg: unknown): void {
    const m = msg as Msg;
    if (m?.type !== 'fleet_request') return;
    const now = this.ctx.now();
    if (now < this.downUntilMs) return; // crashed: nothing listens until the supervisor restarts it
    if (m.customer === this.config.poison.customer && now >= this.config.poison.atMs) {
      this.life++;
      this.downUntilMs = now + this.config.restartMs;
      this.ctx.metrics.count('server_crashes');
      this.ctx.log('poison_crash', { customer: m.customer });
      return;
    }
    const life = this.life;
    this.ctx.setTimer(this.config.serviceMs, () => {
      if (life === this.life) this.ctx.send(from, { type: 'fleet_reply', id: m.id } satisfies Msg);
    });
  }
}

export const fleet = (ctx: Context, config: FleetConfig): Process => (ctx.id === config.router ? new Router(ctx, config) : new Server(ctx, config));

export function fleetMetrics(config: FleetConfig): string[] {
  const base = ['customers', 'customers_down', 'customers_affected', 'customers_down_pct', 'customers_sharing_all_servers', 'retries', 'server_crashes'];
  return config.placement === 'shuffle-sharding' ? [...base, 'shard_pairs_same_pct', 'shard_pairs_disjoint_pct', 'expected_same_pct', 'expected_disjoint_pct', 'expected_customers_sharing_all_servers'] : base;
}
