/** The flash-crash market story system: an exchange with optional feedback-loop and market-wide halts, trading agents, a large seller. */
export { market, marketConfigSchema, type MarketConfig } from './market.js';
