/**
 * Guards around models: a circuit breaker that falls back to a heuristic when a model's accuracy
 * drops, robust ensembles, drift detection on inputs (PSI, Kolmogorov-Smirnov) and a feedback-loop
 * detector with a hold-out group.
 */
export { pearson, spearman, ranks, fisherZDifference } from './correlation.js';
export { combiners } from './combiners.js';
export { ModelEnsemble, NoPredictionError, type EnsembleMember, type EnsembleCombiner, type ModelEnsembleOptions, type ModelEnsemblePrediction } from './ensemble.js';
export { PopulationStability, psi, psiBand, PSI_MODERATE, PSI_SIGNIFICANT, EMPTY_BIN_FRACTION, type PsiBand, type PsiResult } from './population-stability.js';
export { ksTwoSample, ksStatistic, ksExactPValue, ksAsymptoticPValue, kolmogorovSurvival, EXACT_PAIRS_MAX, type KsResult } from './kolmogorov-smirnov.js';
export { InputDriftMonitor, type InputDriftMonitorOptions, type DriftCheck } from './input-drift-monitor.js';
export { MlCircuitBreaker, withinRelative, type MlBreakerState, type MlTransition, type MlTicket, type MlCircuitBreakerOptions } from './ml-circuit-breaker.js';
export { FeedbackLoopDetector, type Group, type FeedbackVerdict, type FeedbackAssessment, type FeedbackLoopDetectorOptions } from './feedback-loop-detector.js';
export { ObjectiveGuard, type ObjectiveGuardOptions, type ObjectiveGroup, type ObjectiveVerdict, type WatchedMetric, type MetricComparison } from './objective-guard.js';
