/** Forecasting: exponentially weighted moving statistics and additive Holt-Winters. */
export { Ewma, ewmaAlpha } from './ewma.js';
export { HoltWinters, holtWintersSmoothing, type HoltWintersOptions } from './holt-winters.js';
