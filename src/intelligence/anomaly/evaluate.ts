/**
 * How well a detector does on a labelled series, in the terms an operator uses:
 * - an alarm is a run of consecutive points scoring at or above the threshold (one page per run);
 * - precision: the fraction of alarms that touch a labelled window (0 when there is no alarm);
 * - recall: the fraction of labelled windows with at least one alarming point inside;
 * - delay: from a detected window's first point to its first alarming point, in points and in ms.
 * Points before `fromIndex` (the series' quiet, learning period by default) are not judged.
 */
import { alarmScore, type AnomalyDetector } from './detector.js';
import type { LabelledSeries } from './labelled-series.js';

export interface Evaluation {
  detector: string;
  series: string;
  windows: number;
  detected: number;
  recall: number;
  alarms: number;
  trueAlarms: number;
  precision: number;
  f1: number;
  /** Mean over detected windows (NaN when none was). */
  delayPoints: number;
  delayMs: number;
}

/** The labelled windows as [first, last] point indices. */
export function labelWindows(labels: ArrayLike<number>): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 1) continue;
    const start = i;
    while (i + 1 < labels.length && labels[i + 1] === 1) i++;
    out.push([start, i]);
  }
  return out;
}

export function evaluateScores(detector: string, series: LabelledSeries, scores: ArrayLike<number>, fromIndex = series.quietPoints, threshold = alarmScore): Evaluation {
  const windows = labelWindows(series.labels).filter(([, end]) => end >= fromIndex);
  let alarms = 0;
  let trueAlarms = 0;
  for (let i = fromIndex; i < scores.length; i++) {
    if (scores[i] < threshold) continue;
    let touches = false;
    for (; i < scores.length && scores[i] >= threshold; i++) if (series.labels[i] === 1) touches = true;
    alarms++;
    if (touches) trueAlarms++;
  }
  let detected = 0;
  let delayPoints = 0;
  let delayMs = 0;
  for (const [start, end] of windows) {
    for (let i = Math.max(start, fromIndex); i <= end; i++) {
      if (scores[i] >= threshold) {
        detected++;
        delayPoints += i - start;
        delayMs += series.timestampsMs[i] - series.timestampsMs[start];
        break;
      }
    }
  }
  const recall = windows.length === 0 ? 0 : detected / windows.length;
  const precision = alarms === 0 ? 0 : trueAlarms / alarms;
  return {
    detector,
    series: series.name,
    windows: windows.length,
    detected,
    recall,
    alarms,
    trueAlarms,
    precision,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    delayPoints: detected === 0 ? Number.NaN : delayPoints / detected,
    delayMs: detected === 0 ? Number.NaN : delayMs / detected,
  };
}

/** Runs a fresh detector over the whole series and evaluates it. */
export function evaluateDetector(series: LabelledSeries, detector: AnomalyDetector): Evaluation {
  const scores = new Float64Array(series.values.length);
  for (let i = 0; i < scores.length; i++) scores[i] = detector.update(series.values[i], series.timestampsMs[i]);
  return evaluateScores(detector.name, series, scores);
}
