/**
 * Fraud scoring at the edge: the checkouts' features, a model trained on last year's fraud, a rules
 * fallback, and the drift. Before the drift, fraudsters use new accounts, large baskets and a
 * shipping address that does not match the card; the model learnt exactly that. After it (a fraud
 * ring changes tactics, as COVID changed everyone's), they use aged, bought accounts and modest
 * baskets, but many orders an hour: the model, which never needed the order velocity, waves them
 * through. The rules (velocity, or a new account with a mismatch) are cruder but do not depend on
 * last year's pattern.
 */
export interface CheckoutFeatures {
  amountUsd: number;
  accountAgeDays: number;
  ordersLastHour: number;
  addressMismatch: boolean;
}

export interface DrawnCheckout {
  features: CheckoutFeatures;
  fraud: boolean;
}

/** A lognormal draw by Box-Muller from two uniforms. */
function lognormal(random: () => number, median: number, sigma: number): number {
  const u = 1 - random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  return median * Math.exp(sigma * z);
}

/** One checkout of era 1 (before the drift) or 2 (after). */
export function drawCheckout(random: () => number, fraudRate: number, era: 1 | 2): DrawnCheckout {
  const fraud = random() < fraudRate;
  if (!fraud) {
    return {
      fraud,
      features: {
        amountUsd: Math.round(lognormal(random, 60, 0.8) * 100) / 100,
        accountAgeDays: Math.floor(lognormal(random, 400, 1.2)),
        ordersLastHour: random() < 0.9 ? 1 : 2,
        addressMismatch: random() < 0.05,
      },
    };
  }
  if (era === 1) {
    return {
      fraud,
      features: {
        amountUsd: Math.round(lognormal(random, 600, 0.4) * 100) / 100,
        accountAgeDays: Math.floor(random() * 7),
        ordersLastHour: 1 + Math.floor(random() * 2),
        addressMismatch: random() < 0.9,
      },
    };
  }
  return {
    fraud,
    features: {
      amountUsd: Math.round(lognormal(random, 90, 0.5) * 100) / 100,
      accountAgeDays: 200 + Math.floor(random() * 800),
      ordersLastHour: 3 + Math.floor(random() * 6),
      addressMismatch: random() < 0.2,
    },
  };
}

/** Last year's model: a logistic score on amount, account age and address mismatch. */
export function fraudModel(f: CheckoutFeatures): number {
  const z = -6 + 1.6 * Math.log10(Math.max(1, f.amountUsd)) + (f.accountAgeDays < 14 ? 2.2 : 0) + (f.addressMismatch ? 2.4 : 0);
  return 1 / (1 + Math.exp(-z));
}

/** The heuristic fallback: velocity, or a brand-new account shipping elsewhere. */
export function fraudRules(f: CheckoutFeatures): number {
  if (f.ordersLastHour >= 3) return 0.9;
  if (f.accountAgeDays < 14 && f.addressMismatch) return 0.8;
  return 0.05;
}
