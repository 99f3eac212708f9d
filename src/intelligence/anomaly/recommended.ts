/**
 * The detector to start with on an unknown metric, and the one that scores best here on the Numenta
 * Anomaly Benchmark (npm run bench:nab: 64.4 standard, above Twitter's ADVec at 47.1 and Amazon's random
 * cut forest at 51.7, below Numenta's HTM at 70.1):
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
 * One configuration for every stream; nothing is tuned per metric.
 */
import type { AnomalyDetector } from './detector.js';
import { AnomalyEnsemble } from './ensemble.js';
import { AnomalyLikelihood } from './anomaly-likelihood.js';
import { RangeBreak } from './range-break.js';
import { RepeatSuppression } from './repeat-suppression.js';
import { SeasonalEsd, type SeasonalEsdOptions } from './seasonal-esd.js';

export interface RecommendedDetectorOptions extends SeasonalEsdOptions {
  /** Points held back after an alarm (default 200). */
  quietPoints?: number;
}

export function recommendedDetector(opts: RecommendedDetectorOptions = {}): AnomalyDetector {
  const { quietPoints, ...esd } = opts;
  const seasonal = new RepeatSuppression({ quietPoints: quietPoints ?? 200, inner: new AnomalyLikelihood({ inner: new SeasonalEsd(esd) }) });
  return new AnomalyEnsemble({ name: 'recommended', members: [seasonal, new RangeBreak()], combine: 'max' });
}
