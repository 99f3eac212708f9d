/**
 * Alarm once, then hold back: after a score at or above alarmScore, the next `quietPoints` scores are
 * multiplied by `quietFactor` (below 0.5, so none of them alarms at the standard threshold; their order
 * is kept for anyone sweeping thresholds). An operator wants one page per incident, not one per
 * point, and NAB agrees: only the first detection in a window earns anything, each later one outside
 * a window costs (Lavin & Ahmad 2015). nupic's anomaly likelihood does a one-step version of this; here
 * the hold lasts as long as an incident usually does.
 */
import { ConfigError } from '../../runtime/config-error.js';
import { alarmScore, pointCount, type AnomalyDetector } from './detector.js';

export interface RepeatSuppressionOptions {
  inner: AnomalyDetector;
  /** Points held back after an alarm (default 200). */
  quietPoints?: number;
  /** What a held-back score is multiplied by, in [0, 0.5) (default 0.49). */
  quietFactor?: number;
  name?: string;
}

export class RepeatSuppression implements AnomalyDetector {
  readonly name: string;
  private readonly inner: AnomalyDetector;
  private readonly quietPoints: number;
  private readonly quietFactor: number;
  private quietLeft = 0;

  constructor(opts: RepeatSuppressionOptions) {
    this.inner = opts.inner;
    this.quietPoints = pointCount('quietPoints', opts.quietPoints ?? 200, 0);
    const f = opts.quietFactor ?? 0.49;
    if (!(typeof f === 'number' && f >= 0 && f < alarmScore)) throw new ConfigError('quietFactor', `a number in [0, ${alarmScore})`, f);
    this.quietFactor = f;
    this.name = opts.name ?? `quiet(${opts.inner.name})`;
  }

  update(value: number, timeMs: number): number {
    const score = this.inner.update(value, timeMs);
    if (this.quietLeft > 0) {
      this.quietLeft--;
      return score * this.quietFactor;
    }
    if (score >= alarmScore) this.quietLeft = this.quietPoints;
    return score;
  }
}
