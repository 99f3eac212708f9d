/**
 * Work: the API gateway (Zuul). A play runs through its filters (`filterMs`), then goes to a playback
 * API server the balancer picks (peak EWMA by default: a server that turns slow is avoided at its
 * first slow answer), and the answer goes back to the member.
 *
 * The edge is where click-to-play is measured: play_ms, from the play's arrival to its answer, against
 * the budget (plays_within_budget_pct), overall and for plays that arrived during the personalisation
 * service's slowdown (incident_...) or outside it (calm_...). The API says how long its dependencies
 * took; the rest of the play's time is the work pillar's (work_ms: the gateway, the API's own
 * handling, the hops between them).
 */
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { clientReply, isClientReply, isClientRequest, type ClientRequest } from '../../runtime/client-protocol.js';
import { sample } from '../../runtime/distribution.js';
import { makeBalancer, type Balancer } from '../../work/index.js';
import { Caller } from '../ecommerce/caller.js';
import { socketTimeoutMs, type NetflixPlayConfig } from './config.js';
import { refusedPrefix, type PlayAnswer } from './playback-api.js';

/** Plays answered and plays started within the budget, over one stretch of the run. */
class BudgetTally {
  plays = 0;
  within = 0;
  constructor(
    private readonly ctx: Context,
    private readonly prefix: string,
  ) {}
  add(within: boolean): void {
    this.plays++;
    if (within) this.within++;
    this.ctx.metrics.gauge(`${this.prefix}plays_within_budget_pct`, Number(((100 * this.within) / this.plays).toFixed(2)));
  }
}

export class Gateway implements Process {
  private readonly caller: Caller;
  private readonly balancer: Balancer;
  private readonly all: BudgetTally;
  private readonly incident: BudgetTally;
  private readonly calm: BudgetTally;
  private started = 0;
  private personalised = 0;

  constructor(
    private readonly ctx: Context,
    private readonly c: NetflixPlayConfig,
  ) {
    this.caller = new Caller(ctx);
    // The hashing balancers' parameters (epsilon, vnodes) do not apply to the three offered here.
    this.balancer = makeBalancer(c.gateway.balancer, c.apiServers, ctx, { epsilon: 0.25, vnodes: 100 });
    this.all = new BudgetTally(ctx, '');
    this.incident = new BudgetTally(ctx, 'incident_');
    this.calm = new BudgetTally(ctx, 'calm_');
  }

  start(): void {
    const m = this.ctx.metrics;
    for (const k of ['plays', 'plays_started', 'plays_failed', 'plays_refused', 'plays_within_budget', 'plays_default_artwork', 'plays_from_start_history_unavailable']) m.count(k, 0);
    m.gauge('budget_ms', this.c.budgetMs);
    // The seeds' share of each pillar, printed beside the time it measures (work_budget_ms by work_ms_p99, ...).
    for (const [pillar, ms] of Object.entries(this.c.pillarBudgetsMs)) m.gauge(`${pillar}_budget_ms`, ms);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (isClientReply(msg)) return void this.caller.onReply(msg);
    if (!isClientRequest(msg)) return;
    const arrivedMs = this.ctx.now();
    this.ctx.setTimer(sample(this.c.gateway.filterMs, () => this.ctx.random()), () => this.route(from, msg, arrivedMs));
  }

  private route(member: NodeId, req: ClientRequest, arrivedMs: number): void {
    const api = this.balancer.pick(req.op.key);
    this.balancer.onStart?.(api);
    const sentMs = this.ctx.now();
    this.caller.call(api, req.op, socketTimeoutMs, (r) => {
      const nowMs = this.ctx.now();
      this.balancer.onEnd?.(api, nowMs - sentMs, r.status === 'ok');
      if (r.status === 'ok') this.recordStarted(arrivedMs, nowMs, r.value as PlayAnswer);
      else if (r.status === 'fail' && r.error.startsWith(refusedPrefix)) this.ctx.metrics.count('plays_refused');
      else this.recordFailed(arrivedMs);
      this.ctx.send(member, r.status === 'ok' ? clientReply(req, 'ok', r.value) : clientReply(req, r.status, undefined, r.error));
    });
  }

  private recordStarted(arrivedMs: number, nowMs: number, answer: PlayAnswer): void {
    const m = this.ctx.metrics;
    const playMs = nowMs - arrivedMs;
    const within = playMs <= this.c.budgetMs;
    m.count('plays');
    m.count('plays_started');
    if (within) m.count('plays_within_budget');
    m.observe('play_ms', playMs);
    m.observe('work_ms', playMs - answer.dependencyMs);
    if (answer.artwork === 'default') m.count('plays_default_artwork');
    if (answer.resumeFrom === 'start (history unavailable)') m.count('plays_from_start_history_unavailable');
    this.started++;
    if (answer.artwork === 'personalised') this.personalised++;
    m.gauge('artwork_personalised_pct', Number(((100 * this.personalised) / this.started).toFixed(2)));
    this.tally(arrivedMs, within);
    if (this.inIncident(arrivedMs)) m.observe('incident_play_ms', playMs);
  }

  private recordFailed(arrivedMs: number): void {
    this.ctx.metrics.count('plays');
    this.ctx.metrics.count('plays_failed');
    this.tally(arrivedMs, false);
  }

  private tally(arrivedMs: number, within: boolean): void {
    this.all.add(within);
    (this.inIncident(arrivedMs) ? this.incident : this.calm).add(within);
  }

  private inIncident(t: number): boolean {
    const s = this.c.personalisation.slowdown;
    return s !== undefined && t >= s.atMs && t < s.atMs + s.forMs;
  }
}
