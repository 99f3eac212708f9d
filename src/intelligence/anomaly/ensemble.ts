/**
 * An ensemble: every member sees every point; the score is the max, the median or the mean of theirs.
 * Max alarms when any member does (recall of the best member for each kind of anomaly, false alarms of
 * all of them); median alarms when most do (fewer false alarms, fewer detections); mean in between.
 */
import { ConfigError } from '../../runtime/config-error.js';
import type { AnomalyDetector } from './detector.js';

export type Combine = 'max' | 'median' | 'mean';

export interface AnomalyEnsembleOptions {
  members: readonly AnomalyDetector[];
  /** How the members' scores become one (default max). */
  combine?: Combine;
  name?: string;
}

export class AnomalyEnsemble implements AnomalyDetector {
  readonly name: string;
  private readonly members: readonly AnomalyDetector[];
  private readonly combine: Combine;
  private readonly scores: Float64Array;

  constructor(opts: AnomalyEnsembleOptions) {
    if (!Array.isArray(opts.members) || opts.members.length === 0) {
      throw new ConfigError('members', 'at least one detector', opts.members?.length ?? opts.members);
    }
    const combine = opts.combine ?? 'max';
    if (combine !== 'max' && combine !== 'median' && combine !== 'mean') throw new ConfigError('combine', 'max, median or mean', combine);
    this.members = [...opts.members];
    this.combine = combine;
    this.scores = new Float64Array(this.members.length);
    this.name = opts.name ?? `ensemble-${combine}(${this.members.map((m) => m.name).join(',')})`;
  }

  update(value: number, timeMs: number): number {
    const s = this.scores;
    for (let i = 0; i < this.members.length; i++) s[i] = this.members[i].update(value, timeMs);
    switch (this.combine) {
      case 'max': {
        let m = 0;
        for (let i = 0; i < s.length; i++) if (s[i] > m) m = s[i];
        return m;
      }
      case 'mean': {
        let sum = 0;
        for (let i = 0; i < s.length; i++) sum += s[i];
        return sum / s.length;
      }
      case 'median': {
        s.sort();
        const mid = s.length >> 1;
        return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
      }
    }
  }
}
