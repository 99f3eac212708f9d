/**
 * The detector to start with on an unknown metric, and the one that scores best here on the Numenta
 * Anomaly Benchmark (npm run bench:nab: 67.9 standard, above Twitter's ADVec at 47.1 and Amazon's random
 * cut forest at 51.7, below Numenta's HTM at 70.1; bench:nab also prints what it scores on one half of
 * NAB's files with settings picked on the other):
 *
 *     max( quiet(max(likelihood(seasonal ESD), relative entropy)), range break )
 *
 * - seasonal ESD finds points that break the daily pattern, robustly (seasonal-esd.ts);
 * - the anomaly likelihood turns its raw scores into "unusual for this stream", so one setting serves
 *   quiet and noisy metrics alike (anomaly-likelihood.ts);
 * - relative entropy catches a window of values distributed as never before (a change of level or of
 *   spread that no single point gives away), scored 0.6 so that it alarms without outranking the
 *   likelihood's strongest alarms (relative-entropy.ts);
 * - a range break catches a level never seen before, which a seasonal model learns to expect within
 *   a day or two (range-break.ts);
 * - repeat suppression reports an incident once (repeat-suppression.ts); a range break needs no such
 *   hold, since each one raises the bar for the next.
 *
 * One configuration for every stream; nothing is tuned per metric. The defaults are a 100-point hold, a 3%
 * range break and relative entropy on; without it the detector trades 1.6 points of NAB's standard
 * score for 4 of its low-FP score. A new extreme scoring well there is NAB rewarding it more than an
 * operator would (README, "Measured").
 */
import type { AnomalyDetector } from './detector.js';
import { AnomalyEnsemble } from './ensemble.js';
import { AnomalyLikelihood } from './anomaly-likelihood.js';
import { RangeBreak } from './range-break.js';
import { RelativeEntropy } from './relative-entropy.js';
import { RepeatSuppression } from './repeat-suppression.js';
import { SeasonalEsd, type SeasonalEsdOptions } from './seasonal-esd.js';

export interface RecommendedDetectorOptions extends SeasonalEsdOptions {
  /** Points held back after an alarm (default 100). */
  quietPoints?: number;
  /** How far past the range seen so far, as a fraction of it, is a range break (default 0.03). */
  rangeTolerance?: number;
  /** Whether relative entropy joins the likelihood (default true). */
  relativeEntropy?: boolean;
}

export function recommendedDetector(opts: RecommendedDetectorOptions = {}): AnomalyDetector {
  const { quietPoints, rangeTolerance, relativeEntropy, ...esd } = opts;
  const likelihood = new AnomalyLikelihood({ inner: new SeasonalEsd(esd) });
  const inner = relativeEntropy === false ? likelihood : new AnomalyEnsemble({ members: [likelihood, new RelativeEntropy({ noveltyScore: 0.6 })], combine: 'max' });
  const seasonal = new RepeatSuppression({ quietPoints: quietPoints ?? 100, inner });
  return new AnomalyEnsemble({ name: 'recommended', members: [seasonal, new RangeBreak({ tolerance: rangeTolerance ?? 0.03 })], combine: 'max' });
}
