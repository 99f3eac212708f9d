/**
 * The detector to start with on an unknown metric, and the one that scores best here on the Numenta
 * Anomaly Benchmark (npm run bench:nab: 66.3 standard, above Twitter's ADVec at 47.1 and Amazon's random
 * cut forest at 51.7, below Numenta's HTM at 70.1; 66.2 and 65.6 on one half of NAB's files when its
 * settings are picked on the other half):
 *
 *     max( quiet(likelihood(seasonal ESD)), range break )
 *
 * - seasonal ESD finds points that break the daily pattern, robustly (seasonal-esd.ts);
 * - the anomaly likelihood turns its raw scores into "unusual for this stream", so one setting serves
 *   quiet and noisy metrics alike (anomaly-likelihood.ts);
 * - a range break catches a level never seen before, which a seasonal model learns to expect within
 *   a day or two (range-break.ts);
 * - repeat suppression reports an incident once (repeat-suppression.ts); a range break needs no such
 *   hold, since each one raises the bar for the next.
 *
 * One configuration for every stream; nothing is tuned per metric. The defaults (a 100-point hold, a 3%
 * range break) are the ones bench:nab picks on either half of NAB's files from a small grid; a new
 * extreme scoring well there is NAB rewarding it more than an operator would (README, "Measured").
 */
import type { AnomalyDetector } from './detector.js';
import { AnomalyEnsemble } from './ensemble.js';
import { AnomalyLikelihood } from './anomaly-likelihood.js';
import { RangeBreak } from './range-break.js';
import { RepeatSuppression } from './repeat-suppression.js';
import { SeasonalEsd, type SeasonalEsdOptions } from './seasonal-esd.js';

export interface RecommendedDetectorOptions extends SeasonalEsdOptions {
  /** Points held back after an alarm (default 100). */
  quietPoints?: number;
  /** How far past the range seen so far, as a fraction of it, is a range break (default 0.03). */
  rangeTolerance?: number;
}

export function recommendedDetector(opts: RecommendedDetectorOptions = {}): AnomalyDetector {
  const { quietPoints, rangeTolerance, ...esd } = opts;
  const seasonal = new RepeatSuppression({ quietPoints: quietPoints ?? 100, inner: new AnomalyLikelihood({ inner: new SeasonalEsd(esd) }) });
  return new AnomalyEnsemble({ name: 'recommended', members: [seasonal, new RangeBreak({ tolerance: rangeTolerance ?? 0.03 })], combine: 'max' });
}
