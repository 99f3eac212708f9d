/**
 * The exchange of the flash-crash market: it collects orders for a tick, clears them, moves the
 * price and publishes the market data every agent reacts to.
 *
 * Price formation, per tick: the net of every order plus the value investors' flow moves the price
 * by net / depth percent (a linear price impact, Kyle 1985). Value investors buy in proportion to how
 * far the price is below the fundamental value and sell above it; the fundamental itself is a small
 * random walk nobody trades on. Market makers quote less as volatility rises: depth shrinks with the
 * realised volatility of the last ticks (in May 2010 liquidity in the E-mini fell by more than half
 * in the minutes before the crash, and the market makers that stayed passed contracts back and forth).
 *
 * Guards, each optional, halt the market with the control pillar's KillSwitch (orders arriving while
 * it is off are refused; value investors' interest waits and clears when trading reopens, as in a
 * reopening auction, and market makers come back):
 * - feedbackHalt: a FeedbackLoopDetector pairs the agents' net orders of each tick (their collective
 *   prediction: selling means they expect a fall) with the next tick's return (acted on: the market
 *   they trade in) and with the next tick's move of the fundamental value (held out: what they claim
 *   to predict, but do not trade). When the market follows the agents' orders far more than the
 *   fundamental does, the agents are making the fall, not foreseeing it: halt for haltMs.
 * - marketBreaker: the market-wide circuit breaker adopted after 2010 (Level 1: 7% below the
 *   reference), once.
 */
import type { Context, NodeId, Process } from '../../../runtime/context.js';
import { fromContext } from '../../../runtime/clock.js';
import { KillSwitch } from '../../../control/index.js';
import { FeedbackLoopDetector, type FeedbackAssessment } from '../../../intelligence/guards/index.js';
import type { MarketConfig, MarketMsg } from './market-config.js';
import { standardNormal } from './traders.js';

/** Maturity levels (src/intelligence/maturity.ts) of what the exchange does on its own. */
function maturityOf(c: MarketConfig): number {
  // Halting on the loop's signature, before the price reaches any band: predictive (3).
  if (c.guards.feedbackHalt !== undefined) return 3;
  // Halting when the price reaches a level: reactive (2).
  return c.guards.marketBreaker !== undefined ? 2 : 0;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export class Exchange implements Process {
  private price: number;
  private fundamental: number;
  private tick = 0;
  private agentNet = 0;
  private bigNet = 0;
  private sold = 0;
  /** The agents' net orders of the previous tick: the prediction paired with this tick's outcomes. */
  private agentNetBefore: number | undefined;
  private readonly returns: number[] = [];
  /** The share of full depth market makers quote at calm (thin before the crash; full after a pause). */
  private liquidity: number;
  private readonly halt: KillSwitch;
  private readonly detector: FeedbackLoopDetector | undefined;
  private breakerUsed = false;
  private haltedAfterOrder = false;
  private halts = 0;
  private haltedMs = 0;
  private priceAtOrder: number | undefined;
  private low = Infinity;
  private lowAtMs = 0;

  constructor(
    private readonly ctx: Context,
    private readonly config: MarketConfig,
  ) {
    this.price = config.priceStart;
    this.fundamental = config.priceStart;
    this.liquidity = config.liquidityPct / 100;
    this.halt = new KillSwitch(fromContext(ctx).clock);
    const f = config.guards.feedbackHalt;
    if (f !== undefined) this.detector = new FeedbackLoopDetector({ windowSize: f.windowTicks, correlationMin: f.correlationMin, zMin: f.zMin });
  }

  describe(): { role: string } {
    return { role: 'exchange' };
  }

  start(): void {
    const m = this.ctx.metrics;
    m.gauge('maturity_level', maturityOf(this.config));
    m.gauge('price_start', this.config.priceStart);
    for (const g of ['fall_pct', 'fall_points', 'fall_duration_ms', 'halts', 'halts_before_order', 'halted_ms']) m.gauge(g, 0);
    m.count('orders_refused', 0);
    this.ctx.setTimer(this.config.tickMs, () => this.clear());
  }

  onMessage(from: NodeId, msg: unknown): void {
    const m = msg as MarketMsg;
    if (m.type !== 'order') return;
    if (!this.halt.allow()) {
      this.ctx.metrics.count('orders_refused');
      this.ctx.send(from, { type: 'refused', tick: m.tick, contracts: m.contracts } satisfies MarketMsg);
      return;
    }
    if (from === this.config.bigSeller) this.bigNet += m.contracts;
    else this.agentNet += m.contracts;
    if (m.contracts < 0) this.sold -= m.contracts;
  }

  private clear(): void {
    const c = this.config;
    const now = this.ctx.now();
    this.tick++;
    this.ctx.setTimer(c.tickMs, () => this.clear());
    const fundamentalReturnPct = c.fundamentalSdPct * standardNormal(() => this.ctx.random());
    this.fundamental *= 1 + fundamentalReturnPct / 100;
    const valueFlow = (c.valueContractsPerPct * 100 * (this.fundamental - this.price)) / this.fundamental;
    if (now >= c.bigOrder.atMs) this.priceAtOrder ??= this.price;
    if (this.halt.tripped !== undefined) {
      this.publish(true);
      return;
    }
    const net = this.agentNet + this.bigNet + valueFlow;
    const depth = (c.depthContracts * this.liquidity) / (1 + volatility(this.returns) / c.volatilityRefPct);
    // Log-linear impact: the price stays positive however one-sided the tick.
    let next = this.price * Math.exp(net / depth / 100);
    const b = c.guards.marketBreaker;
    const floor = c.priceStart * (1 - (b?.levelPct ?? 0) / 100);
    const breakerTrips = b !== undefined && !this.breakerUsed && next <= floor;
    if (breakerTrips) next = floor;
    const returnPct = (100 * (next - this.price)) / this.price;
    this.price = next;
    this.returns.push(returnPct);
    if (this.returns.length > c.volatilityTicks) this.returns.shift();
    this.ctx.metrics.count('contracts_sold', this.sold);
    this.book(now);
    if (breakerTrips) {
      this.breakerUsed = true;
      this.stop(`market-wide circuit breaker: ${b!.levelPct}% below ${c.priceStart}`, b!.haltMs, now);
    } else this.watchForLoop(returnPct, fundamentalReturnPct, now);
    this.publish(this.halt.tripped !== undefined);
  }

  private watchForLoop(returnPct: number, fundamentalReturnPct: number, now: number): void {
    const d = this.detector;
    if (d === undefined) return;
    if (this.agentNetBefore !== undefined) {
      d.record('acted', this.agentNetBefore, returnPct);
      d.record('holdout', this.agentNetBefore, fundamentalReturnPct);
    }
    this.agentNetBefore = this.agentNet;
    const a = d.assess();
    if (a.verdict === 'feedback-loop') this.stop(`feedback loop: orders predict returns r = ${a.acted.toFixed(2)}, the fundamental r = ${a.holdout.toFixed(2)} (z = ${a.z.toFixed(1)})`, this.config.guards.feedbackHalt!.haltMs, now, a);
  }

  private stop(reason: string, haltMs: number, now: number, a?: FeedbackAssessment): void {
    this.halt.trip(reason);
    this.halts++;
    const m = this.ctx.metrics;
    m.gauge('halts', this.halts);
    this.ctx.log('halt', { reason, price: round2(this.price) });
    const orderAt = this.config.bigOrder.atMs;
    if (now < orderAt) m.gauge('halts_before_order', this.halts);
    else if (!this.haltedAfterOrder) {
      this.haltedAfterOrder = true;
      m.gauge('time_to_halt_ms', Math.round(now - orderAt));
      m.gauge('price_at_halt', round2(this.price));
    }
    if (a !== undefined && this.halts === 1) {
      m.gauge('acted_correlation_at_halt', round2(a.acted));
      m.gauge('holdout_correlation_at_halt', round2(a.holdout));
      m.gauge('z_at_halt', round2(a.z));
    }
    this.ctx.setTimer(haltMs, () => this.reopen());
  }

  private reopen(): void {
    this.haltedMs += this.ctx.now() - this.halt.tripped!.atMs;
    this.ctx.metrics.gauge('halted_ms', Math.round(this.haltedMs));
    this.halt.reset();
    // The pause let new liquidity arrive (the CFTC-SEC report on May 6, 2010): market makers quote in
    // full and the volatility they fled is history. The loop is judged on new evidence.
    this.liquidity = 1;
    this.returns.length = 0;
    this.detector?.reset();
    this.agentNetBefore = undefined;
    this.ctx.log('reopen', { price: round2(this.price) });
  }

  private book(now: number): void {
    const m = this.ctx.metrics;
    m.gauge('price', round2(this.price));
    if (this.priceAtOrder === undefined) return;
    if (this.price < this.low) {
      this.low = this.price;
      this.lowAtMs = now;
      m.gauge('price_low', round2(this.low));
      m.gauge('fall_pct', round2((100 * (this.priceAtOrder - this.low)) / this.priceAtOrder));
      m.gauge('fall_points', round2(this.priceAtOrder - this.low));
      m.gauge('fall_duration_ms', Math.round(this.lowAtMs - this.config.bigOrder.atMs));
    }
    m.gauge('price_end', round2(this.price));
    m.gauge('recovered_pct', this.priceAtOrder > this.low ? Math.round((100 * (this.price - this.low)) / (this.priceAtOrder - this.low)) : 100);
  }

  private publish(halted: boolean): void {
    const msg: MarketMsg = { type: 'tick', tick: this.tick, price: this.price, soldContracts: this.sold, halted };
    for (const p of this.ctx.peers) this.ctx.send(p, msg);
    this.agentNet = this.bigNet = this.sold = 0;
  }
}

function volatility(returns: readonly number[]): number {
  if (returns.length < 2) return 0;
  let mean = 0;
  for (const r of returns) mean += r;
  mean /= returns.length;
  let ss = 0;
  for (const r of returns) ss += (r - mean) ** 2;
  return Math.sqrt(ss / (returns.length - 1));
}
