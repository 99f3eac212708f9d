/**
 * The world the model-serving stories predict: hourly orders of a grocery delivery service, from two
 * features, store footfall (visits to the shops, an index) and online sessions (visits to the site).
 * An era is how the features are distributed and how orders follow from them:
 *
 *     orders = intercept + footfallCoef * footfall + onlineCoef * online + noise
 *
 * The defaults tell March 2020. In 2019 people shop in stores and order online now and then
 * (footfall ~ 50, online ~ 20, about 165 orders). Then the lockdown: footfall collapses to ~12,
 * online sessions triple, and each session now ends in an order far more often (onlineCoef 2 -> 5):
 * about 370 orders. A model fitted on 2019 predicts ~190 for the new world, half the demand, and it
 * is confident about it (the seeds' drift tsunami: "all models trained on 2019 data fail at once").
 */
import { z } from 'zod';
import { distributionSchema, sample, type Uniform } from '../../../runtime/distribution.js';

export const featureNames = ['footfall', 'online'] as const;
export type FeatureName = (typeof featureNames)[number];
/** Feature values in the order of featureNames. */
export type Features = readonly number[];

export const eraSchema = z
  .object({
    footfall: distributionSchema,
    online: distributionSchema,
    intercept: z.number(),
    footfallCoef: z.number(),
    onlineCoef: z.number(),
    /** Standard deviation of the orders around the formula. */
    noiseSd: z.number().nonnegative(),
  })
  .strict();
export type Era = z.infer<typeof eraSchema>;

export const era2019: Era = {
  footfall: { dist: 'normal', mean: 50, stddev: 10 },
  online: { dist: 'normal', mean: 20, stddev: 5 },
  intercept: 50,
  footfallCoef: 1.5,
  onlineCoef: 2,
  noiseSd: 8,
};

export const era2020: Era = {
  footfall: { dist: 'normal', mean: 12, stddev: 4 },
  online: { dist: 'normal', mean: 60, stddev: 8 },
  intercept: 50,
  footfallCoef: 1.5,
  onlineCoef: 5,
  noiseSd: 8,
};

export function drawFeatures(era: Era, random: Uniform): number[] {
  return [sample(era.footfall, random), sample(era.online, random)];
}

/** The orders that follow from these features in this era (never below 1: an hour always has an order). */
export function drawOrders(era: Era, features: Features, random: Uniform): number {
  const mean = era.intercept + era.footfallCoef * features[0] + era.onlineCoef * features[1];
  return Math.max(1, sample({ dist: 'normal', mean: Math.max(0, mean), stddev: era.noiseSd }, random));
}
