/**
 * The configuration of the flash-crash market (market.ts) and the messages its nodes exchange.
 */
import { z } from 'zod';
import { nodeRef } from '../../../runtime/node-ref.js';

const positive = z.number().positive();
const nonNegative = z.number().nonnegative();
const range = z.object({ min: nonNegative, max: nonNegative }).strict().refine((r) => r.min <= r.max, 'min <= max');

export const marketConfigSchema = z
  .object({
    exchange: nodeRef().default('n1'),
    /** The node that places the one large sell order (Waddell & Reed's 75,000 E-mini contracts in 2010). */
    bigSeller: nodeRef().default('n12'),
    /** The exchange clears and publishes prices once per tick. */
    tickMs: positive.default(100),
    /** Index points at the start (the Dow stood near 10,650 at 14:40 on May 6, 2010). */
    priceStart: positive.default(10_650),
    /** The fundamental value's random walk: standard deviation per tick, in percent. */
    fundamentalSdPct: nonNegative.default(0.01),
    /** Net contracts that move the price by 1% when market makers quote in full. */
    depthContracts: positive.default(10_000),
    /**
     * Market makers quote this share of full depth before the crash (E-mini buy-side depth on the
     * afternoon of May 6, 2010 was down to about a quarter to a half of the morning's); after a halt,
     * the full depth.
     */
    liquidityPct: z.number().gt(0).lte(100).default(50),
    /** Market makers pull quotes as volatility rises: depth / (1 + volatility / volatilityRefPct). */
    volatilityRefPct: positive.default(0.3),
    /** Volatility is the standard deviation of the last this many ticks' returns. */
    volatilityTicks: z.number().int().min(2).default(20),
    /** Value investors buy this many contracts per tick for each 1% the price is below the fundamental (and sell above it). */
    valueContractsPerPct: nonNegative.default(100),
    agents: z
      .object({
        /** Each agent's market-making noise: a normal order of this standard deviation every tick. */
        noiseContracts: nonNegative.default(40),
        /** Momentum: sell when the price fell by more than a threshold over this many ticks. */
        lookbackTicks: z.number().int().positive().default(10),
        /** Thresholds spread evenly over the agents, most nervous first. */
        momentumPct: range.default({ min: 0.6, max: 1.5 }),
        /** Herding: sell when the market's sells of the last tick reached a threshold (contracts). */
        herdContracts: range.default({ min: 1_500, max: 4_000 }),
        /** Contracts an agent sells in a tick when triggered ... */
        sellContracts: z.number().int().positive().default(150),
        /** ... until its position is gone. */
        inventoryContracts: z.number().int().nonnegative().default(3_000),
      })
      .strict()
      .default({ noiseContracts: 40, lookbackTicks: 10, momentumPct: { min: 0.6, max: 1.5 }, herdContracts: { min: 1_500, max: 4_000 }, sellContracts: 150, inventoryContracts: 3_000 }),
    bigOrder: z
      .object({ atMs: nonNegative.default(20_000), contracts: z.number().int().positive().default(15_000), perTickContracts: z.number().int().positive().default(500) })
      .strict()
      .default({ atMs: 20_000, contracts: 15_000, perTickContracts: 500 }),
    guards: z
      .object({
        /**
         * Halt the market when the agents' orders predict the next tick's return far better than they
         * predict the fundamental's (the feedback-loop detector), for haltMs (CME's Stop Logic paused
         * the E-mini for 5 s at 14:45:28).
         */
        feedbackHalt: z
          .object({ windowTicks: z.number().int().min(4).default(30), correlationMin: z.number().gt(0).lte(1).default(0.5), zMin: positive.default(3), haltMs: positive.default(5_000) })
          .strict()
          .optional(),
        /** A market-wide circuit breaker: halt for haltMs once the price is levelPct below the start (Level 1: 7%). */
        marketBreaker: z.object({ levelPct: z.number().gt(0).lt(100).default(7), haltMs: positive.default(15_000) }).strict().optional(),
      })
      .strict()
      .default({}),
  })
  .strict();
export type MarketConfig = z.infer<typeof marketConfigSchema>;

export type MarketMsg =
  /** The exchange's market data after a tick: the price and the contracts sold in it. */
  | { type: 'tick'; tick: number; price: number; soldContracts: number; halted: boolean }
  /** An order for the current tick: contracts, positive to buy, negative to sell. */
  | { type: 'order'; tick: number; contracts: number }
  /** The exchange refused an order (halted). */
  | { type: 'refused'; tick: number; contracts: number };
