/**
 * The flash-crash market as a system (May 6, 2010): an exchange, algorithmic trading agents and one
 * large seller. Roles by name: `exchange` clears, `bigSeller` places the large order, every other
 * server is an agent. See exchange.ts and traders.ts.
 */
import type { Context, Process } from '../../../runtime/context.js';
import { Exchange } from './exchange.js';
import { marketConfigSchema, type MarketConfig } from './market-config.js';
import { BigSeller, TradingAgent } from './traders.js';

export { marketConfigSchema, type MarketConfig };

export const market = (ctx: Context, config: MarketConfig): Process =>
  ctx.id === config.exchange ? new Exchange(ctx, config) : ctx.id === config.bigSeller ? new BigSeller(ctx, config) : new TradingAgent(ctx, config);
