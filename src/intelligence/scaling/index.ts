export * from './autoscaler.js';
export * from './threshold-scaler.js';
export * from './hpa.js';
export * from './guards.js';
export * from './predictive-scaler.js';
