/**
 * The Numenta Anomaly Benchmark's scoring (Lavin & Ahmad 2015, "Evaluating Real-time Anomaly Detection
 * Algorithms -- the Numenta Anomaly Benchmark"), written to give the numbers NAB's own code gives
 * (nab/sweeper.py and nab/scorer.py at NAB 1.x; nab/runner.py's normalize()):
 *
 * - The first min(floor(15% of rows), 15% of 5000) rows of a file are probationary: nothing there counts.
 * - A labelled window is worth -A_FN until detected; its earliest detection scores
 *   A_TP * sigma(y) / sigma(-1), y = -(end - i + 1) / width (rows), sigma(y) = 2 / (1 + e^(5y)) - 1.
 *   Later detections in the same window add nothing.
 * - A detection outside every window costs A_FP * sigma(y), y = |i - end of the previous window| /
 *   (that window's width - 1) (so nearly -A_FP far from it, sigma(y > 3) = -1); before any window, -A_FP.
 * - A row is a detection when its anomaly score >= the threshold. The raw score of a detector is the sum
 *   over files; NAB picks, per profile, the threshold that maximises that sum over the whole corpus
 *   (sweeping every distinct score from the highest down), and reports
 *   100 * (S - S_null) / (S_perfect - S_null), S_null = the score of no detection at all,
 *   S_perfect = A_TP * the number of windows.
 *
 * Pure: series and scores in, numbers out (a loader for NAB's files lives with the benchmark).
 */
import { ConfigError, nonNegative } from '../../runtime/config-error.js';

export interface NabCostMatrix {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
}

/** NAB's three application profiles (config/profiles.json). */
export const nabProfiles = {
  standard: { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 },
  reward_low_FP_rate: { tpWeight: 1, fpWeight: 0.22, fnWeight: 1 },
  reward_low_FN_rate: { tpWeight: 1, fpWeight: 0.11, fnWeight: 2 },
} as const satisfies Record<string, NabCostMatrix>;

export type NabProfileName = keyof typeof nabProfiles;

/** NAB's probationary fraction of each file. */
export const nabProbationPercent = 0.15;
/** The probationary period never exceeds this fraction of 5000 rows (nab/sweeper.py). */
const probationRowsCap = 5000;

/** One data file: its rows' timestamps (in order) and its labelled windows [start, end], inclusive. */
export interface NabSeries {
  name: string;
  timestampsMs: ArrayLike<number>;
  windows: readonly (readonly [number, number])[];
}

/** A series with a detector's anomaly score for each row. */
export interface NabScoredSeries {
  series: NabSeries;
  scores: ArrayLike<number>;
}

/** A row is outside every window (and after the probationary period). */
const OUTSIDE = -1;
/** A row in the probationary period: never counted. */
const PROBATION = -2;

/**
 * sigma(y) = 2 / (1 + e^(5y)) - 1: +0.987 at a window's start (y = -1), 0 at its end, -0.987 one
 * window-width after it, and -1 from three widths on.
 */
export function scaledSigmoid(relativePosition: number): number {
  if (relativePosition > 3) return -1;
  return 2 / (1 + Math.exp(5 * relativePosition)) - 1;
}

const maxTp = scaledSigmoid(-1);

export function nabProbationaryLength(rows: number, probationPercent = nabProbationPercent): number {
  return Math.min(Math.floor(probationPercent * rows), probationPercent * probationRowsCap);
}

/**
 * What each row would be worth if detected: the window it belongs to (a file-local index, or OUTSIDE /
 * PROBATION) and its weighted score (nab/sweeper.py calcSweepScore).
 */
export interface NabRowValues {
  window: Int32Array;
  value: Float64Array;
}

export function nabRowValues(series: NabSeries, cost: NabCostMatrix, probationPercent = nabProbationPercent): NabRowValues {
  const ts = series.timestampsMs;
  const n = ts.length;
  const firstIndex = new Map<number, number>();
  for (let i = n - 1; i >= 0; i--) firstIndex.set(ts[i], i);
  const indexOf = (t: number, edge: string, w: number): number => {
    const i = firstIndex.get(t);
    if (i === undefined) throw new RangeError(`${series.name}: window ${w} ${edge} ${t} is not the timestamp of any row`);
    return i;
  };
  const window = new Int32Array(n);
  const value = new Float64Array(n);
  const probation = nabProbationaryLength(n, probationPercent);
  let next = 0;
  let current = -1;
  let currentEnd = -1;
  let currentWidth = 0;
  let previousEnd = -1;
  let previousWidth = 0;
  for (let i = 0; i < n; i++) {
    if (next < series.windows.length && ts[i] === series.windows[next][0]) {
      current = next;
      currentEnd = indexOf(series.windows[next][1], 'end', next);
      currentWidth = currentEnd - indexOf(series.windows[next][0], 'start', next) + 1;
      next++;
    }
    if (current >= 0) {
      value[i] = (scaledSigmoid(-(currentEnd - i + 1) / currentWidth) * cost.tpWeight) / maxTp;
    } else if (previousEnd < 0) {
      value[i] = -cost.fpWeight;
    } else {
      value[i] = scaledSigmoid(Math.abs(previousEnd - i) / (previousWidth - 1)) * cost.fpWeight;
    }
    window[i] = i < probation ? PROBATION : current >= 0 ? current : OUTSIDE;
    if (current >= 0 && i === currentEnd) {
      previousEnd = i;
      previousWidth = currentWidth;
      current = -1;
    }
  }
  if (next < series.windows.length) {
    throw new RangeError(`${series.name}: window ${next} start ${series.windows[next][0]} is not the timestamp of any row`);
  }
  return { window, value };
}

export interface NabFileScore {
  score: number;
  /** Rows (after probation) by kind, as NAB's results tables count them. */
  tp: number;
  tn: number;
  fp: number;
  fn: number;
  /**
   * Each row's share of the score as NAB's results files write it (column S(t)_<profile>): a window's
   * worth (its earliest detection, or -A_FN) on the window's first row, each false positive on its row.
   */
  perRow: Float64Array;
}

/** The score of one file at one threshold (nab/scorer.py scoreDataSet). */
export function nabScoreFile(scored: NabScoredSeries, cost: NabCostMatrix, threshold: number, probationPercent = nabProbationPercent): NabFileScore {
  const { series, scores } = scored;
  checkLengths(scored);
  const rows = nabRowValues(series, cost, probationPercent);
  const n = scores.length;
  const perRow = new Float64Array(n);
  const windowStart = new Int32Array(series.windows.length).fill(-1);
  const windowWorth = new Float64Array(series.windows.length).fill(Number.NaN);
  let tp = 0;
  let tn = 0;
  let fp = 0;
  let fn = 0;
  let score = 0;
  for (let i = 0; i < n; i++) {
    const w = rows.window[i];
    if (w === PROBATION) continue;
    const detected = scores[i] >= threshold;
    if (w === OUTSIDE) {
      if (detected) {
        fp++;
        perRow[i] = rows.value[i];
        score += rows.value[i];
      } else tn++;
      continue;
    }
    if (windowStart[w] < 0) {
      windowStart[w] = i;
      windowWorth[w] = -cost.fnWeight;
    }
    if (detected) {
      tp++;
      // Values fall through a window, so the largest is the earliest detection's.
      if (rows.value[i] > windowWorth[w]) windowWorth[w] = rows.value[i];
    } else fn++;
  }
  for (let w = 0; w < windowStart.length; w++) {
    if (windowStart[w] < 0) continue;
    perRow[windowStart[w]] = windowWorth[w];
    score += windowWorth[w];
  }
  return { score, tp, tn, fp, fn, perRow };
}

export interface NabThresholdScore {
  threshold: number;
  score: number;
}

/**
 * The corpus score at every threshold worth trying, highest threshold first (nab/sweeper.py
 * calcScoreByThreshold over all files at once): 1.1 (no detection), then each distinct anomaly score.
 */
export function nabSweep(corpus: readonly NabScoredSeries[], cost: NabCostMatrix, probationPercent = nabProbationPercent): NabThresholdScore[] {
  let total = 0;
  for (const s of corpus) total += s.scores.length;
  const score = new Float64Array(total);
  const value = new Float64Array(total);
  const window = new Int32Array(total);
  let at = 0;
  let windowBase = 0;
  const worth: number[] = [];
  for (const s of corpus) {
    checkLengths(s);
    const rows = nabRowValues(s.series, cost, probationPercent);
    for (let i = 0; i < s.scores.length; i++, at++) {
      score[at] = s.scores[i];
      value[at] = rows.value[i];
      const w = rows.window[i];
      window[at] = w >= 0 ? windowBase + w : w;
      // A window counts once any of its rows is past probation.
      if (w >= 0) worth[windowBase + w] = -cost.fnWeight;
    }
    windowBase += s.series.windows.length;
  }
  const scorable: number[] = [];
  for (let i = 0; i < total; i++) if (window[i] !== PROBATION) scorable.push(i);
  // Highest score first; equal scores keep their order (Python's stable sort).
  scorable.sort((a, b) => score[b] - score[a] || a - b);
  let sum = 0;
  for (const v of worth) if (v !== undefined) sum += v;
  const out: NabThresholdScore[] = [];
  let threshold = 1.1;
  for (const i of scorable) {
    if (score[i] !== threshold) {
      out.push({ threshold, score: sum });
      threshold = score[i];
    }
    const w = window[i];
    if (w === OUTSIDE) sum += value[i];
    else if (value[i] > worth[w]) {
      sum += value[i] - worth[w];
      worth[w] = value[i];
    }
  }
  out.push({ threshold, score: sum });
  return out;
}

/** The threshold with the best corpus score; on a tie, the highest such threshold (as NAB's sort keeps). */
export function nabOptimizeThreshold(corpus: readonly NabScoredSeries[], cost: NabCostMatrix, probationPercent = nabProbationPercent): NabThresholdScore {
  const sweep = nabSweep(corpus, cost, probationPercent);
  let best = sweep[0];
  for (const s of sweep) if (s.score > best.score) best = s;
  return best;
}

/** The raw score of the whole corpus at one threshold: the sum of the files' scores. */
export function nabCorpusScore(corpus: readonly NabScoredSeries[], cost: NabCostMatrix, threshold: number, probationPercent = nabProbationPercent): number {
  let sum = 0;
  for (const s of corpus) sum += nabScoreFile(s, cost, threshold, probationPercent).score;
  return sum;
}

/** The raw score of a detector that never fires: every window missed. */
export function nabNullScore(series: readonly NabSeries[], cost: NabCostMatrix, probationPercent = nabProbationPercent): number {
  return nabCorpusScore(
    series.map((s) => ({ series: s, scores: new Float64Array(s.timestampsMs.length) })),
    cost,
    Number.POSITIVE_INFINITY,
    probationPercent,
  );
}

/** NAB's normalised score: 0 for the null detector, 100 for a detection at the start of every window. */
export function nabNormalize(raw: number, nullScore: number, windowCount: number, cost: NabCostMatrix): number {
  nonNegative('windowCount', windowCount);
  const perfect = windowCount * cost.tpWeight;
  if (!(perfect > nullScore)) throw new ConfigError('windowCount', 'a perfect score above the null score', { perfect, nullScore });
  return (100 * (raw - nullScore)) / (perfect - nullScore);
}

function checkLengths(s: NabScoredSeries): void {
  if (s.scores.length !== s.series.timestampsMs.length) {
    throw new ConfigError(`${s.series.name}: scores`, `one score per row (${s.series.timestampsMs.length})`, s.scores.length);
  }
}
