/**
 * Probability distributions for latencies and service times, sampled from an injected uniform stream
 * so the same code serves the simulator (seeded) and real services (any source).
 */

import { z } from 'zod';

const positive = z.number().positive();
const nonNegative = z.number().nonnegative();

/** The schema of a distribution as scenario files and configs write it, e.g. `{ dist: exponential, mean: 10 }`. */
export const distributionSchema = z.discriminatedUnion('dist', [
  z.object({ dist: z.literal('constant'), value: nonNegative }).strict(),
  z.object({ dist: z.literal('uniform'), min: nonNegative, max: nonNegative }).strict(),
  z.object({ dist: z.literal('normal'), mean: nonNegative, stddev: nonNegative, min: nonNegative.optional() }).strict(),
  z.object({ dist: z.literal('exponential'), mean: positive }).strict(),
  z.object({ dist: z.literal('lognormal'), median: positive, sigma: nonNegative }).strict(),
]);

export type Distribution = z.infer<typeof distributionSchema>;

export type Uniform = () => number;

/** Draw one value; results are clamped at `min` (0 unless given) since latencies cannot be negative. */
export function sample(d: Distribution, random: Uniform): number {
  switch (d.dist) {
    case 'constant':
      return d.value;
    case 'uniform':
      return d.min + (d.max - d.min) * random();
    case 'exponential':
      // Inverse transform; 1 - u lies in (0, 1] so the log is finite.
      return -d.mean * Math.log(1 - random());
    case 'normal':
      return Math.max(d.min ?? 0, d.mean + d.stddev * standardNormal(random));
    case 'lognormal':
      return d.median * Math.exp(d.sigma * standardNormal(random));
  }
}

/** The mean of a distribution (before clamping), used by checks that compare against theory. */
export function mean(d: Distribution): number {
  switch (d.dist) {
    case 'constant':
      return d.value;
    case 'uniform':
      return (d.min + d.max) / 2;
    case 'exponential':
      return d.mean;
    case 'normal':
      return d.mean;
    case 'lognormal':
      return d.median * Math.exp((d.sigma * d.sigma) / 2);
  }
}

/** Box-Muller, one draw per call (the second value is discarded to keep each call independent). */
function standardNormal(random: Uniform): number {
  const u1 = 1 - random();
  const u2 = random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
