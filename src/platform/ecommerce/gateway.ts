/**
 * A region's API gateway: routes by service (browse to the catalog, checkout to the app servers),
 * scores every checkout for fraud at the edge, balances checkouts over the app servers, and, with
 * server breakers on, ejects a server whose requests fail and rolls its release back.
 *
 * The home region's gateway also opens the store (loads the stock of every SKU into its warehouse)
 * and, at the end, audits the inventory against the orders every gateway acknowledged: units sold
 * beyond the stock (oversold) and acknowledged orders the warehouse no longer has (lost).
 */
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientReply, isClientRequest, type ClientRequest } from '../../runtime/client-protocol.js';
import { fromContext } from '../../runtime/clock.js';
import { CircuitBreaker, CountWindow, type Permit } from '../../control/index.js';
import { MlCircuitBreaker, type MlTicket } from '../../intelligence/index.js';
import { Caller, type CallResult } from './caller.js';
import { skuOf, warehouseOf, type PlatformConfig } from './config.js';
import { drawCheckout, fraudModel, fraudRules, type CheckoutFeatures } from './fraud.js';
import type { AppMsg } from './app-server.js';

type GatewayMsg = { type: 'acked_counts'; counts: number[] };

const within = (w: { atMs: number; forMs: number } | undefined, t: number) => w !== undefined && t >= w.atMs && t < w.atMs + w.forMs;

export class Gateway implements Process {
  private readonly caller: Caller;
  private readonly region: string;
  /** The fraud guard has tripped since the drift. */
  private reacted = false;
  private readonly home: boolean;
  private readonly catalog: NodeId;
  private readonly outstanding = new Map<NodeId, number>();
  private readonly breakers = new Map<NodeId, CircuitBreaker>();
  private readonly fraudGuard: MlCircuitBreaker<CheckoutFeatures> | undefined;
  private roundRobin = 0;
  /** Orders this gateway acknowledged, per SKU (the home gateway adds the others' at the audit). */
  private readonly acked: number[];
  private readonly reported = new Set<NodeId>();

  constructor(
    private readonly ctx: Context,
    private readonly c: PlatformConfig,
  ) {
    this.caller = new Caller(ctx);
    this.region = Object.entries(c.regions).find(([, r]) => r.gateway === ctx.id)![0];
    this.home = this.region === c.homeRegion;
    this.catalog = c.catalogReplicated ? c.regions[this.region].catalog : c.regions[c.homeRegion].catalog;
    this.acked = new Array(c.skus).fill(0);
    const env = fromContext(ctx);
    for (const s of c.appServers) {
      this.outstanding.set(s, 0);
      if (!c.serverBreakers) continue;
      const b = new CircuitBreaker({ strategy: new CountWindow({ size: 20, failureRate: 0.2, minimumCalls: 10 }), openMs: 5_000, clock: env.clock, random: env.random });
      b.events.add((e) => {
        if (e.type !== 'state') return;
        ctx.metrics.gauge(`breakers_open_${this.region}`, [...this.breakers.values()].filter((x) => x.state.kind !== 'closed').length);
        if (e.to !== 'open') return;
        // The release on this server fails: stop sending it traffic and roll it back.
        ctx.metrics.count('server_ejections');
        ctx.log('server_ejected', { server: s, reason: e.reason });
        ctx.send(s, { type: 'rollback' } satisfies AppMsg);
      });
      this.breakers.set(s, b);
    }
    if (c.fraud.guard === 'ml-circuit-breaker') {
      this.fraudGuard = new MlCircuitBreaker<CheckoutFeatures>({
        model: fraudModel,
        fallback: fraudRules,
        correct: (p, outcome) => p >= 0.5 === outcome >= 0.5,
        accuracyMin: 0.8,
        windowMs: 10_000,
        minimumScored: 20,
        openMs: 30_000,
        clock: env.clock,
        random: env.random,
        onTransition: (t) => {
          ctx.metrics.count(`fraud_model_${t.to.replace('-', '_')}`);
          // Open or probing in the shadow, the rules answer; closed, the model does.
          ctx.metrics.gauge(`fraud_rules_in_charge_${this.region}`, t.to === 'closed' ? 0 : 1);
          if (t.to === 'open') ctx.metrics.gauge('fraud_fallback_at_ms', Math.round(ctx.now()));
          // How long this gateway's guard took to see the drift (its first trip after it).
          const drift = c.fraud.driftAtMs;
          if (t.to === 'open' && drift !== undefined && ctx.now() >= drift && !this.reacted) {
            this.reacted = true;
            ctx.metrics.gauge(`fraud_guard_reacted_after_ms_${this.region}`, Math.round(ctx.now() - drift));
          }
        },
      });
    }
  }

  start(): void {
    const m = this.ctx.metrics;
    for (const k of ['orders_acked', 'checkouts_failed', 'declined', 'false_declines', 'server_errors', 'browse_ok', 'browse_fail', 'partition_browse_fail', 'partition_browse_ok', 'spike_checkouts_ok', 'spike_checkouts_failed', 'sold_out']) m.count(k, 0);
    for (const k of ['fraud_approved', 'fraud_loss_usd', 'fraud_loss_after_drift_usd', 'fraud_loss_after_reaction_usd', 'fraud_scored_by_fallback', 'server_ejections']) m.count(k, 0);
    if (this.c.serverBreakers) m.gauge(`breakers_open_${this.region}`, 0);
    if (this.fraudGuard !== undefined) m.gauge(`fraud_rules_in_charge_${this.region}`, 0);
    if (this.home) this.openStore();
    const others = Object.values(this.c.regions).map((r) => r.gateway).filter((g) => g !== this.ctx.id);
    if (!this.home) this.ctx.setTimer(Math.max(0, this.c.auditAtMs - 500 - this.ctx.now()), () => this.ctx.send(this.c.regions[this.c.homeRegion].gateway, { type: 'acked_counts', counts: this.acked } satisfies GatewayMsg));
    else this.ctx.setTimer(Math.max(0, this.c.auditAtMs - this.ctx.now()), () => this.audit(others));
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientReply(msg)) return void this.caller.onReply(msg);
    if (isClientRequest(msg)) {
      if (msg.op.f === 'read') return this.browse(from, msg);
      if (msg.op.f === 'write') return this.checkout(from, msg);
      return this.ctx.send(from, clientReply(msg, 'fail', undefined, `the gateway routes read (browse) and write (checkout), not ${msg.op.f}`));
    }
    const m = msg as GatewayMsg;
    if (m.type === 'acked_counts' && this.home && !this.reported.has(from)) {
      this.reported.add(from);
      m.counts.forEach((n, i) => (this.acked[i] += n));
    }
  }

  private browse(client: NodeId, req: ClientRequest): void {
    const startMs = this.ctx.now();
    this.caller.call(this.catalog, { f: 'read', key: req.op.key ?? 'home' }, this.c.callTimeoutMs, (r) => {
      const ok = r.status === 'ok';
      const m = this.ctx.metrics;
      m.count(ok ? 'browse_ok' : 'browse_fail');
      m.count(`browse_${ok ? 'ok' : 'fail'}_${this.region}`);
      if (within(this.c.windows.partition, startMs)) m.count(ok ? 'partition_browse_ok' : 'partition_browse_fail');
      this.ctx.send(client, ok ? clientReply(req, 'ok', r.value) : clientReply(req, r.status, undefined, r.error));
    });
  }

  private checkout(client: NodeId, req: ClientRequest): void {
    const startMs = this.ctx.now();
    const m = this.ctx.metrics;
    const era = this.c.fraud.driftAtMs !== undefined && startMs >= this.c.fraud.driftAtMs ? 2 : 1;
    const drawn = drawCheckout(() => this.ctx.random(), this.c.fraud.rate, era);
    let score: number;
    let ticket: MlTicket | undefined;
    if (this.fraudGuard !== undefined) {
      ticket = this.fraudGuard.predict(drawn.features);
      score = ticket.value;
      if (ticket.by === 'fallback') m.count('fraud_scored_by_fallback');
    } else score = fraudModel(drawn.features);
    // The truth arrives later (chargebacks, manual review). Legitimate orders are sampled down to
    // the fraud rate so the guard's accuracy weighs both kinds of mistake alike.
    if (ticket !== undefined && (drawn.fraud || this.ctx.random() < this.c.fraud.rate / (1 - this.c.fraud.rate))) {
      const t = ticket;
      this.ctx.setTimer(this.c.fraud.chargebackDelayMs, () => this.fraudGuard!.observe(t, drawn.fraud ? 1 : 0));
    }
    if (score >= 0.5) {
      m.count('declined');
      if (!drawn.fraud) m.count('false_declines');
      return this.ctx.send(client, clientReply(req, 'fail', undefined, 'declined: fraud score'));
    }
    const server = this.pickServer();
    const reply = (r: CallResult) => {
      const ok = r.status === 'ok';
      // Sold out is the shop's answer, not the platform failing.
      if (r.status === 'fail' && r.error === 'sold out') {
        m.count('sold_out');
        return this.ctx.send(client, clientReply(req, 'fail', undefined, r.error));
      }
      if (within(this.c.windows.spike, startMs)) {
        m.count(ok ? 'spike_checkouts_ok' : 'spike_checkouts_failed');
        m.observe('spike_checkout_ms', this.ctx.now() - startMs);
      }
      if (ok) {
        const sku = skuOf(this.c, req.op.key);
        this.acked[sku]++;
        m.count('orders_acked');
        if (drawn.fraud) {
          m.count('fraud_approved');
          m.count('fraud_loss_usd', drawn.features.amountUsd);
          if (era === 2) m.count('fraud_loss_after_drift_usd', drawn.features.amountUsd);
          if (era === 2 && startMs >= this.c.fraud.driftAtMs! + this.c.fraud.reactWithinMs) m.count('fraud_loss_after_reaction_usd', drawn.features.amountUsd);
        }
      } else m.count('checkouts_failed');
      this.ctx.send(client, ok ? clientReply(req, 'ok', r.value) : clientReply(req, r.status, undefined, r.error));
    };
    if (server === undefined) return reply({ status: 'fail', error: 'no app server available' });
    const breaker = this.breakers.get(server.id);
    this.outstanding.set(server.id, this.outstanding.get(server.id)! + 1);
    // Longer than the server's own budget for the warehouse (three attempts), so a slow warehouse
    // shows as the warehouse's failure, not as this server's silence.
    this.caller.call(server.id, req.op, this.c.callTimeoutMs * 4, (r) => {
      this.outstanding.set(server.id, this.outstanding.get(server.id)! - 1);
      // Only the server's own failures count against it: its release's errors, or no answer from it at
      // all. A warehouse that is down is not this server's fault, and ejecting servers for it would
      // turn one failure into two.
      const serverFault = (r.status === 'fail' && /server error/.test(r.error)) || (r.status === 'info' && r.error.startsWith(`no answer from ${server.id} `));
      if (r.status === 'fail' && /server error/.test(r.error)) m.count('server_errors');
      if (breaker !== undefined && server.permit !== undefined) breaker.complete(server.permit, !serverFault, this.ctx.now());
      reply(r);
    });
  }

  /** Round robin or the less loaded of two random servers, among those whose breaker lets a call through. */
  private pickServer(): { id: NodeId; permit?: Permit } | undefined {
    const servers = this.c.appServers;
    const now = this.ctx.now();
    const admit = (id: NodeId): { id: NodeId; permit?: Permit } | undefined => {
      const b = this.breakers.get(id);
      if (b === undefined) return { id };
      const p = b.tryAcquire(now);
      return 'admission' in p ? { id, permit: p } : undefined;
    };
    const order: NodeId[] = [];
    if (this.c.balancer === 'power-of-two-choices' && servers.length > 1) {
      const a = servers[Math.floor(this.ctx.random() * servers.length)];
      let b = servers[Math.floor(this.ctx.random() * (servers.length - 1))];
      if (b === a) b = servers[servers.length - 1];
      order.push(this.outstanding.get(a)! <= this.outstanding.get(b)! ? a : b, this.outstanding.get(a)! <= this.outstanding.get(b)! ? b : a);
    }
    for (let i = 0; i < servers.length; i++) order.push(servers[(this.roundRobin + i) % servers.length]);
    this.roundRobin = (this.roundRobin + 1) % servers.length;
    for (const id of order) {
      const chosen = admit(id);
      if (chosen !== undefined) return chosen;
    }
    return undefined;
  }

  /** Load every SKU's stock into its warehouse before the doors open (retrying while groups elect leaders). */
  private openStore(): void {
    const load = (sku: number, round: number) => {
      const group = this.c.warehouses[warehouseOf(this.c, sku)];
      this.caller.callGroup(group, { f: 'write', key: `stock:${sku}`, value: this.c.stockPerSku }, this.c.callTimeoutMs, 3, (r) => {
        if (r.status === 'ok') return;
        if (round >= 20) return this.ctx.metrics.count('stock_load_failed');
        this.ctx.setTimer(100, () => load(sku, round + 1));
      });
    };
    for (let sku = 0; sku < this.c.skus; sku++) load(sku, 1);
  }

  /** Stock and sold per SKU, read from the warehouses, against the acknowledged orders. */
  private audit(others: NodeId[]): void {
    const m = this.ctx.metrics;
    let left = this.c.skus;
    let oversold = 0;
    let lost = 0;
    let soldTotal = 0;
    let unreadable = 0;
    const missing = others.filter((g) => !this.reported.has(g)).length;
    for (let sku = 0; sku < this.c.skus; sku++) {
      const group = this.c.warehouses[warehouseOf(this.c, sku)];
      this.caller.callGroup(group, { f: 'read', key: `sold:${sku}` }, this.c.callTimeoutMs, 10, (r) => {
        if (r.status !== 'ok') unreadable++;
        else {
          const sold = Number(r.value ?? 0);
          soldTotal += sold;
          oversold += Math.max(0, this.acked[sku] - this.c.stockPerSku);
          lost += Math.max(0, this.acked[sku] - sold);
        }
        if (--left > 0) return;
        m.gauge('oversold_units', oversold);
        m.gauge('acked_orders_lost', lost);
        m.gauge('units_sold_recorded', soldTotal);
        m.gauge('orders_acked_total', this.acked.reduce((a, b) => a + b, 0));
        m.gauge('audit_incomplete', unreadable + missing);
      });
    }
  }
}
