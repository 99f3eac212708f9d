/** Anomaly detection on metric streams, and the scoring that says how good a detector is. */
export { alarmScore, ratioScore, type AnomalyDetector } from './detector.js';
export { EwmaZScore, type EwmaZScoreOptions } from './ewma-zscore.js';
export { MedianMad, type MedianMadOptions } from './median-mad.js';
export { HoltWintersResidual, type HoltWintersResidualOptions } from './holt-winters-residual.js';
export { SeasonalEsd, esdCriticalValues, type SeasonalEsdOptions } from './seasonal-esd.js';
export { Cusum, type CusumOptions } from './cusum.js';
export { AnomalyEnsemble, type AnomalyEnsembleOptions, type Combine } from './ensemble.js';
export { StaticThreshold, type StaticThresholdOptions } from './static-threshold.js';
export { AnomalyLikelihood, type AnomalyLikelihoodOptions } from './anomaly-likelihood.js';
export { RangeBreak, type RangeBreakOptions } from './range-break.js';
export { RelativeEntropy, type RelativeEntropyOptions } from './relative-entropy.js';
export { AdaptiveResonance, type AdaptiveResonanceOptions } from './adaptive-resonance.js';
export { FuzzyArt, type FuzzyArtOptions, type ArtOutcome } from './fuzzy-art.js';
export { RepeatSuppression, type RepeatSuppressionOptions } from './repeat-suppression.js';
export { recommendedDetector, type RecommendedDetectorOptions } from './recommended.js';
export { detectorCatalogue } from './catalogue.js';
export { generateLabelledSeries, labelledCsv, labelledSeed, type LabelledSeries, type UniformSource } from './labelled-series.js';
export { evaluateDetector, evaluateScores, labelWindows, type Evaluation } from './evaluate.js';
export { SortedWindow } from './sorted-window.js';
export { studentTCdf, studentTQuantile } from './student-t.js';
export { SeasonLength, type SeasonOptions } from './season.js';
export {
  nabProfiles,
  nabProbationPercent,
  scaledSigmoid,
  nabProbationaryLength,
  nabRowValues,
  nabScoreFile,
  nabSweep,
  nabOptimizeThreshold,
  nabCorpusScore,
  nabNullScore,
  nabNormalize,
  type NabCostMatrix,
  type NabProfileName,
  type NabSeries,
  type NabScoredSeries,
  type NabRowValues,
  type NabFileScore,
  type NabThresholdScore,
} from './nab-scorer.js';
export { runOnNab, nabResults, nabScoreAt, type NabDataSeries, type NabProfileResult, type NabResults } from './nab-run.js';
