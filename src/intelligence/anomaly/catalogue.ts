/**
 * One configuration per detector, used everywhere they are compared (the labelled series' table,
 * bench:nab, bench:intelligence): a fresh detector per series, never tuned to one.
 */
import type { AnomalyDetector } from './detector.js';
import { AnomalyEnsemble } from './ensemble.js';
import { Cusum } from './cusum.js';
import { EwmaZScore } from './ewma-zscore.js';
import { HoltWintersResidual } from './holt-winters-residual.js';
import { MedianMad } from './median-mad.js';
import { recommendedDetector } from './recommended.js';
import { SeasonalEsd } from './seasonal-esd.js';

export const detectorCatalogue: Readonly<Record<string, () => AnomalyDetector>> = {
  'ewma-z': () => new EwmaZScore(),
  // The median of the last five points: one wild value under heavy tails moves nothing.
  'median-mad': () => new MedianMad({ smoothPoints: 5 }),
  'holt-winters': () => new HoltWintersResidual(),
  'seasonal-esd': () => new SeasonalEsd(),
  cusum: () => new Cusum(),
  // Two of three forecasters must agree: a spike or a broken season, not one model's blind spot.
  ensemble: () => new AnomalyEnsemble({ name: 'ensemble', combine: 'median', members: [new EwmaZScore(), new HoltWintersResidual(), new SeasonalEsd()] }),
  recommended: () => recommendedDetector(),
};
