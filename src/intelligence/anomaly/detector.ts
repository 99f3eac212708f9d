/**
 * The one small interface every anomaly detector here has: feed it the next point of a metric stream,
 * get back how anomalous that point looks, as a score in [0, 1]. A detector sees each point once, in
 * order, and never the future (so it runs on a live stream as well as on a recorded one).
 *
 * Scores share one convention so that detectors compose (ensembles, post-processing, one threshold for
 * all): 0 means "nothing to see" (and is what every detector says while it is still learning), and a
 * detector's own test statistic at its configured threshold maps to exactly `alarmScore` (0.5), via
 * s / (s + threshold). Above 0.5 is an alarm; the score keeps growing with the evidence, which lets a
 * benchmark sweep the threshold (NAB does) without the scores bunching up at 1.
 */
import { ConfigError } from '../../runtime/config-error.js';

export interface AnomalyDetector {
  /** A short name for tables and reports, e.g. "ewma-z". */
  readonly name: string;
  /** The next point (value, and its time in ms); returns its anomaly score in [0, 1]. A value that is not a finite number is skipped (score 0). */
  update(value: number, timeMs: number): number;
}

/** The score at which a detector's statistic reaches its threshold: at or above it is an alarm. */
export const alarmScore = 0.5;

/** Maps a non-negative statistic onto [0, 1), with statistic = threshold at exactly alarmScore. */
export function ratioScore(statistic: number, threshold: number): number {
  if (!(statistic > 0)) return 0;
  if (statistic === Number.POSITIVE_INFINITY) return 1;
  return statistic / (statistic + threshold);
}

/** A window or count of points: an integer of at least `min`. */
export function pointCount(option: string, v: number, min = 1): number {
  if (!(Number.isInteger(v) && v >= min)) throw new ConfigError(option, `an integer >= ${min}`, v);
  return v;
}
