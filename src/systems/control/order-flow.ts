/**
 * The Knight Capital story as a system: eight order routers and one market-access gateway.
 *
 * Clients send parent orders (op `job`) to the routers. A router on the current release sends one
 * child order for the parent's shares to the gateway and answers the client when it is filled. A
 * router left on the old release runs the retired "Power Peg" code: it no longer learns that a parent
 * was filled, so from its first parent on it sends child orders at `runawayOrdersPerSec`, forever.
 * Every share filled beyond what a parent asked for is a position nobody wanted, unwound at a loss
 * of `lossPerShareUsd`.
 *
 * The gateway fills orders and keeps the books (unintended shares, loss, time from the first
 * unintended fill to the last). Its guards, each optional, are the control pillar's primitives on
 * the gateway's clock: a release check (orders from a router on another release are refused, and
 * that router is halted), a RateKillSwitch and a BudgetKillSwitch per router (notional per window),
 * and the people: a manual KillSwitch the operators throw at `operatorStopMs`.
 *
 * Roles by name: `gateway` is the gateway; every other server is a router, on `release` unless
 * `versions` names another release for it.
 */
import { z } from 'zod';
import { nodeRef } from '../../runtime/node-ref.js';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { fromContext } from '../../runtime/clock.js';
import { clientReply, isClientRequest, type ClientRequest } from '../../runtime/client-protocol.js';
import { BudgetKillSwitch, KillSwitch, RateKillSwitch } from '../../control/kill-switch.js';

export const orderFlowConfigSchema = z
  .object({
    gateway: nodeRef({ reserved: 'the gateway takes orders from routers only' }).default('n9'),
    /** The release every router should run. */
    release: z.string().default('v2'),
    /** Routers on another release, e.g. { n8: v1 }: a deploy that missed them. */
    versions: z.record(nodeRef(), z.string()).default({}),
    /** The release whose routers run the runaway code. */
    runawayRelease: z.string().default('v1'),
    parentShares: z.number().int().positive().default(1000),
    priceUsd: z.number().positive().default(20),
    runawayOrdersPerSec: z.number().positive().default(400),
    runawayShares: z.number().int().positive().default(368),
    lossPerShareUsd: z.number().nonnegative().default(1.11),
    guards: z
      .object({
        /** Refuse orders from routers whose release is not `release`. */
        releaseCheck: z.boolean().default(false),
        /** Halt a router that sends more than maxOps orders within windowMs. */
        rateKillSwitch: z.object({ maxOps: z.number().int().positive(), windowMs: z.number().positive() }).strict().optional(),
        /** Halt a router whose notional within windowMs would pass capUsd. */
        budgetKillSwitch: z.object({ capUsd: z.number().positive(), windowMs: z.number().positive() }).strict().optional(),
        /** When the operators finally throw the manual switch for everything (none: never). */
        operatorStopMs: z.number().nonnegative().optional(),
      })
      .strict()
      .default({ releaseCheck: false }),
  })
  .strict();
export type OrderFlowConfig = z.infer<typeof orderFlowConfigSchema>;

type Msg =
  | { type: 'child_order'; id: number; parent: string; parentShares: number; shares: number; release: string }
  | { type: 'fill'; id: number; parent: string; shares: number }
  | { type: 'refused'; id: number; parent: string; reason: string; halted: boolean };

/** The routers' side. */
class Router implements Process {
  private readonly release: string;
  private idNext = 1;
  private readonly waiting = new Map<string, { client: NodeId; req: ClientRequest }>();
  private runaway: { parent: string } | undefined;
  private halted = false;

  constructor(
    private readonly ctx: Context,
    private readonly config: OrderFlowConfig,
  ) {
    this.release = config.versions[ctx.id] ?? config.release;
  }

  describe(): { role: string } {
    return { role: `router-${this.release}` };
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.onParent(from, msg);
    const m = msg as Msg;
    const w = this.waiting.get(m.parent);
    if (m.type === 'refused') {
      if (m.halted && !this.halted) {
        this.halted = true;
        this.ctx.log('halted', { reason: m.reason });
      }
      if (w !== undefined) {
        this.waiting.delete(m.parent);
        this.ctx.send(w.client, clientReply(w.req, 'fail', undefined, m.reason));
      }
      return;
    }
    if (m.type === 'fill' && w !== undefined) {
      this.waiting.delete(m.parent);
      this.ctx.send(w.client, clientReply(w.req, 'ok', m.shares));
    }
  }

  private onParent(client: NodeId, req: ClientRequest): void {
    const parent = `${this.ctx.id}/${req.id}`;
    if (this.halted) return this.ctx.send(client, clientReply(req, 'fail', undefined, 'router halted'));
    this.waiting.set(parent, { client, req });
    if (this.release !== this.config.runawayRelease) {
      this.send(parent, this.config.parentShares);
      return;
    }
    // The old code: child orders for the newest parent, on a timer, with no idea how much was filled.
    const first = this.runaway === undefined;
    this.runaway = { parent };
    if (first) this.runawayTick();
  }

  private runawayTick(): void {
    if (this.halted || this.runaway === undefined) return;
    this.send(this.runaway.parent, this.config.runawayShares);
    this.ctx.setTimer(1000 / this.config.runawayOrdersPerSec, () => this.runawayTick());
  }

  private send(parent: string, shares: number): void {
    this.ctx.send(this.config.gateway, { type: 'child_order', id: this.idNext++, parent, parentShares: this.config.parentShares, shares, release: this.release } satisfies Msg);
  }
}

/** The gateway: fills, books and guards. */
class Gateway implements Process {
  private readonly filled = new Map<string, number>();
  private readonly halted = new Map<NodeId, string>();
  private readonly rate = new Map<NodeId, RateKillSwitch>();
  private readonly budget = new Map<NodeId, BudgetKillSwitch>();
  private readonly operators: KillSwitch;
  private unintendedShares = 0;
  private firstUnintendedMs: number | undefined;

  constructor(
    private readonly ctx: Context,
    private readonly config: OrderFlowConfig,
  ) {
    this.operators = new KillSwitch(fromContext(ctx).clock);
  }

  start(): void {
    // The books start at zero, so a run without a runaway reports zeros, not nothing.
    for (const g of ['unintended_shares', 'loss_usd', 'time_to_stop_ms', 'loss_per_minute_usd']) this.ctx.metrics.gauge(g, 0);
    const stopMs = this.config.guards.operatorStopMs;
    if (stopMs !== undefined) this.ctx.setTimer(stopMs, () => this.operators.trip('operators stopped all trading'));
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientRequest(msg)) return this.ctx.send(from, clientReply(msg, 'fail', undefined, 'the gateway takes orders from routers only'));
    const m = msg as Msg;
    if (m.type !== 'child_order') return;
    const refusal = this.guard(from, m);
    if (refusal !== undefined) {
      this.ctx.metrics.count('orders_refused');
      this.ctx.send(from, { type: 'refused', id: m.id, parent: m.parent, reason: refusal, halted: true } satisfies Msg);
      return;
    }
    const before = this.filled.get(m.parent) ?? 0;
    this.filled.set(m.parent, before + m.shares);
    this.ctx.metrics.count('orders_filled');
    const unintended = Math.min(m.shares, Math.max(0, before + m.shares - m.parentShares));
    if (unintended > 0) this.book(unintended);
    this.ctx.send(from, { type: 'fill', id: m.id, parent: m.parent, shares: m.shares } satisfies Msg);
  }

  /** Why this order may not pass, or undefined. A refusal halts the router. */
  private guard(from: NodeId, m: Extract<Msg, { type: 'child_order' }>): string | undefined {
    const halted = this.halted.get(from);
    if (halted !== undefined) return halted;
    let why: string | undefined;
    const g = this.config.guards;
    if (!this.operators.allow()) why = this.operators.tripped!.reason;
    else if (g.releaseCheck && m.release !== this.config.release) why = `release drift: ${from} runs ${m.release}, the release is ${this.config.release}`;
    else if (g.rateKillSwitch !== undefined && !this.switchFor(this.rate, from, () => new RateKillSwitch({ ...g.rateKillSwitch!, clock: fromContext(this.ctx).clock })).allow()) {
      why = `rate kill switch: ${this.rate.get(from)!.tripped!.reason}`;
    } else if (g.budgetKillSwitch !== undefined) {
      const b = this.switchFor(this.budget, from, () => new BudgetKillSwitch({ cap: g.budgetKillSwitch!.capUsd, windowMs: g.budgetKillSwitch!.windowMs, clock: fromContext(this.ctx).clock }));
      if (!b.allow(m.shares * this.config.priceUsd)) why = `budget kill switch: ${b.tripped!.reason}`;
    }
    if (why !== undefined) {
      this.halted.set(from, why);
      this.ctx.log('halt', { router: from, reason: why });
      this.ctx.metrics.gauge('stopped_at_ms', this.ctx.now());
    }
    return why;
  }

  private switchFor<S>(map: Map<NodeId, S>, router: NodeId, make: () => S): S {
    let s = map.get(router);
    if (s === undefined) map.set(router, (s = make()));
    return s;
  }

  private book(shares: number): void {
    const now = this.ctx.now();
    this.firstUnintendedMs ??= now;
    this.unintendedShares += shares;
    const loss = this.unintendedShares * this.config.lossPerShareUsd;
    const m = this.ctx.metrics;
    m.gauge('unintended_shares', this.unintendedShares);
    m.gauge('loss_usd', Math.round(loss));
    m.gauge('time_to_stop_ms', Math.round(now - this.firstUnintendedMs));
    m.gauge('loss_per_minute_usd', Math.round(now > this.firstUnintendedMs ? (loss / (now - this.firstUnintendedMs)) * 60_000 : 0));
  }
}

export const orderFlow = (ctx: Context, config: OrderFlowConfig): Process => (ctx.id === config.gateway ? new Gateway(ctx, config) : new Router(ctx, config));
