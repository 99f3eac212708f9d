/**
 * The intelligence pillar: systems that watch themselves and act. Forecasts and anomaly detectors on
 * metric streams, autoscalers with runaway guards, guards around models (circuit breaker, ensembles,
 * drift and feedback-loop detection) and a self-healing supervisor.
 */
export * from './forecast/index.js';
export * from './anomaly/index.js';
export * from './scaling/index.js';
export * from './guards/index.js';
export * from './healing/index.js';
export * from './maturity.js';
