/**
 * The card-payments world the fraud screen guards. A transaction has five features; legitimate
 * ones, the old fraud tactic and the new one differ as a fraud analyst would expect:
 *
 * | feature        | legitimate           | old tactic (stolen card) | new tactic (account takeover) |
 * |----------------|----------------------|--------------------------|-------------------------------|
 * | amount         | ~$50 (log-normal)    | ~$400                    | ~$50, like the owner's        |
 * | device age     | ~300 days            | ~3 days (a new device)   | ~300 days (the owner's)       |
 * | merchant risk  | 0..0.5               | 0.3..1                   | 0..0.5                        |
 * | card velocity  | ~1.5 an hour         | ~4 an hour               | ~9 an hour (drained fast)     |
 * | distance home  | ~20 km               | ~300 km                  | ~1,500 km                     |
 *
 * The old tactic shows on every feature; the new one only on velocity and distance. Models
 * that learnt the old tactic from amount, device and merchant (the "standard" features every team
 * copies) share one blind spot: the new tactic sits where none of their training data ever was.
 */
export type Tactic = 'legit' | 'old' | 'new';

export const featureNames = ['amount', 'deviceAgeDays', 'merchantRisk', 'velocityPerHour', 'distanceKm'] as const;
export type FeatureName = (typeof featureNames)[number];
export type Transaction = Readonly<Record<FeatureName, number>>;

/** The features a model sees: amounts, ages and distances on a log scale, as a pipeline would. */
export function modelInput(t: Transaction, features: readonly FeatureName[]): number[] {
  return features.map((f) => (f === 'merchantRisk' || f === 'velocityPerHour' ? t[f] : Math.log1p(t[f])));
}

export function drawTransaction(tactic: Tactic, random: () => number): Transaction {
  const owner = tactic !== 'old';
  return {
    amount: Math.exp((tactic === 'old' ? Math.log(400) : Math.log(50)) + (tactic === 'old' ? 0.6 : 0.8) * gaussian(random)),
    deviceAgeDays: exponential(owner ? 300 : 3, random),
    merchantRisk: owner ? 0.5 * random() : 0.3 + 0.7 * random(),
    velocityPerHour: poisson(tactic === 'legit' ? 1.5 : tactic === 'old' ? 4 : 9, random),
    distanceKm: exponential(tactic === 'legit' ? 20 : tactic === 'old' ? 300 : 1500, random),
  };
}

/** A standard normal draw (Box-Muller). */
function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function exponential(mean: number, random: () => number): number {
  return -mean * Math.log(1 - random());
}

/** Knuth's method: fine for the small means here. */
function poisson(mean: number, random: () => number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}
