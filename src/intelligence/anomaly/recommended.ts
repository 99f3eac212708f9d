/**
 * The detector to start with on an unknown metric, and the one that scores best here on the Numenta
 * Anomaly Benchmark (npm run bench:nab: 72.2 standard, above Numenta's HTM at 70.1, below ARTime at
 * 74.9; bench:nab also prints what it scores on one half of NAB's files with settings picked on the
 * other):
 *
 *     max( quiet(max(likelihood(seasonal ESD), relative entropy, adaptive resonance)), range break )
 *
 * - seasonal ESD finds points that break the daily pattern, robustly (seasonal-esd.ts);
 * - the anomaly likelihood turns its raw scores into "unusual for this stream", so one setting serves
 *   quiet and noisy metrics alike (anomaly-likelihood.ts);
 * - relative entropy catches a window of values distributed as never before (a change of level or of
 *   spread that no single point gives away), scored 0.6 so that it alarms without outranking the
 *   likelihood's strongest alarms (relative-entropy.ts);
 * - adaptive resonance catches a window shaped as never before (a spike, a dip, a flat stretch where
 *   the stream always moves), scored at most 0.7 so only its surer anomalies alarm
 *   (adaptive-resonance.ts);
 * - a range break catches a level never seen before, which a seasonal model learns to expect within
 *   a day or two (range-break.ts);
 * - repeat suppression reports an incident once (repeat-suppression.ts); a range break needs no such
 *   hold, since each one raises the bar for the next.
 *
 * One configuration for every stream; nothing is tuned per metric. The defaults are a 100-point hold, a
 * 5% range break, relative entropy on and adaptive resonance at 0.7 with a 4-point step. A new extreme
 * scoring well there is NAB rewarding it more than an operator would (README, "Measured").
 */
import type { AnomalyDetector } from './detector.js';
import { AnomalyEnsemble } from './ensemble.js';
import { AdaptiveResonance } from './adaptive-resonance.js';
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
  /** The score of adaptive resonance's surest anomaly, or 0 to leave it out (default 0.7). */
  adaptiveResonanceScore?: number;
  /** Adaptive resonance's points per downsampled value (default 4). */
  adaptiveResonanceStep?: number;
}

export function recommendedDetector(opts: RecommendedDetectorOptions = {}): AnomalyDetector {
  const { quietPoints, rangeTolerance, relativeEntropy, adaptiveResonanceScore, adaptiveResonanceStep, ...esd } = opts;
  const members: AnomalyDetector[] = [new AnomalyLikelihood({ inner: new SeasonalEsd(esd) })];
  if (relativeEntropy !== false) members.push(new RelativeEntropy({ noveltyScore: 0.6 }));
  const artScore = adaptiveResonanceScore ?? 0.7;
  if (artScore > 0) members.push(new AdaptiveResonance({ maxScore: artScore, stepPoints: adaptiveResonanceStep ?? 4 }));
  const inner = members.length === 1 ? members[0] : new AnomalyEnsemble({ members, combine: 'max' });
  const seasonal = new RepeatSuppression({ quietPoints: quietPoints ?? 100, inner });
  return new AnomalyEnsemble({ name: 'recommended', members: [seasonal, new RangeBreak({ tolerance: rangeTolerance ?? 0.05 })], combine: 'max' });
}
