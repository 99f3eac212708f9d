/**
 * The traders of the flash-crash market: algorithmic agents and the one large seller.
 *
 * An agent reads each tick's market data and sends one order: market-making noise (a normal draw,
 * as likely to buy as to sell), plus, when triggered, `sellContracts` from its position until the
 * position is gone. Two triggers, the algorithms of May 6, 2010 in miniature:
 * - momentum: the price fell more than its threshold over the last `lookbackTicks` ticks;
 * - herding: the market sold more than its threshold in the last tick (others are selling: they
 *   must know something).
 * Thresholds are spread over the agents from the most nervous to the calmest, so one agent's
 * selling is what pushes the next one over its threshold: "algo sells -> others detect -> all algos
 * sell". Nobody is reckless on their own; the loop is in how they read each other.
 *
 * The large seller sells `bigOrder.contracts` from `bigOrder.atMs` at `perTickContracts` a tick,
 * without regard to price (as the sell algorithm of 2010 did); orders refused in a halt are sold
 * after it.
 */
import type { Context, NodeId, Process } from '../../../runtime/context.js';
import type { MarketConfig, MarketMsg } from './market-config.js';

/** Nodes named n2, n10: by length, then by name, so n10 comes after n9. */
const byNodeOrder = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/** A standard normal draw (Box-Muller, one per call). */
export function standardNormal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

type Tick = Extract<MarketMsg, { type: 'tick' }>;

/**
 * What both kinds of trader share: a position to sell, at most one order a tick, and the contracts
 * taken from the position for an order given back if the exchange refuses it (a halt).
 */
abstract class Trader implements Process {
  /** Contracts taken from the position for the order of each tick, until the exchange has cleared it. */
  private readonly committedAt = new Map<number, number>();

  constructor(
    protected readonly ctx: Context,
    protected readonly config: MarketConfig,
    /** Contracts still to sell. */
    protected position: number,
  ) {}

  abstract describe(): { role: string };
  protected abstract onTick(m: Tick): void;

  onMessage(_from: NodeId, msg: unknown): void {
    const m = msg as MarketMsg;
    if (m.type === 'refused') {
      this.position += this.committedAt.get(m.tick) ?? 0;
      this.committedAt.delete(m.tick);
      return;
    }
    if (m.type !== 'tick') return;
    this.committedAt.delete(m.tick - 1);
    this.onTick(m);
  }

  /** Take up to `contracts` from the position for this tick's order; what was taken. */
  protected take(tick: number, contracts: number): number {
    const sell = Math.min(contracts, this.position);
    this.position -= sell;
    if (sell > 0) this.committedAt.set(tick, sell);
    return sell;
  }

  protected order(tick: number, contracts: number): void {
    if (contracts !== 0) this.ctx.send(this.config.exchange, { type: 'order', tick, contracts } satisfies MarketMsg);
  }
}

export class TradingAgent extends Trader {
  private readonly prices: number[] = [];
  private readonly momentumPct: number;
  private readonly herdContracts: number;

  constructor(ctx: Context, config: MarketConfig) {
    super(ctx, config, config.agents.inventoryContracts);
    const agents = [ctx.id, ...ctx.peers].filter((n) => n !== config.exchange && n !== config.bigSeller).sort(byNodeOrder);
    const a = config.agents;
    const share = agents.length === 1 ? 0 : agents.indexOf(ctx.id) / (agents.length - 1);
    this.momentumPct = a.momentumPct.min + share * (a.momentumPct.max - a.momentumPct.min);
    this.herdContracts = a.herdContracts.min + share * (a.herdContracts.max - a.herdContracts.min);
  }

  describe(): { role: string } {
    return { role: 'agent' };
  }

  protected onTick(m: Tick): void {
    const a = this.config.agents;
    this.prices.push(m.price);
    if (this.prices.length > a.lookbackTicks + 1) this.prices.shift();
    if (m.halted) return;
    const noise = Math.round(a.noiseContracts * standardNormal(() => this.ctx.random()));
    const fellPct = (100 * (this.prices[0] - m.price)) / this.prices[0];
    const triggered = fellPct >= this.momentumPct || m.soldContracts >= this.herdContracts;
    const sell = triggered ? this.take(m.tick, a.sellContracts) : 0;
    if (sell > 0) this.ctx.metrics.count('agent_stop_sells', sell);
    this.order(m.tick, noise - sell);
  }
}

export class BigSeller extends Trader {
  private started = false;

  constructor(ctx: Context, config: MarketConfig) {
    super(ctx, config, config.bigOrder.contracts);
  }

  describe(): { role: string } {
    return { role: 'big-seller' };
  }

  protected onTick(m: Tick): void {
    if (m.halted || this.position === 0 || this.ctx.now() < this.config.bigOrder.atMs) return;
    if (!this.started) {
      this.started = true;
      this.ctx.log('big-order', { contracts: this.position });
    }
    this.order(m.tick, -this.take(m.tick, this.config.bigOrder.perTickContracts));
  }
}
