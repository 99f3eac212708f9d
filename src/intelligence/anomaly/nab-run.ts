/**
 * Runs a detector over NAB's files and scores it as NAB does: a fresh detector per file, every row
 * fed in order, then per profile the threshold that maximises the corpus score and the normalised
 * score at that threshold (see nab-scorer.ts). One configuration for every file: `make` takes no
 * argument, so it cannot be tuned to a file.
 */
import type { AnomalyDetector } from './detector.js';
import { nabCorpusScore, nabNormalize, nabNullScore, nabOptimizeThreshold, nabProfiles, type NabProfileName, type NabScoredSeries, type NabSeries } from './nab-scorer.js';

export interface NabDataSeries extends NabSeries {
  values: ArrayLike<number>;
}

export interface NabProfileResult {
  threshold: number;
  raw: number;
  /** 100 * (raw - null) / (perfect - null). */
  score: number;
}

export type NabResults = Record<NabProfileName, NabProfileResult>;

/** The detector's score for every row of every file. */
export function runOnNab(files: readonly NabDataSeries[], make: () => AnomalyDetector, onFile?: (index: number, file: NabDataSeries) => void): NabScoredSeries[] {
  return files.map((series, f) => {
    onFile?.(f, series);
    const d = make();
    const scores = new Float64Array(series.values.length);
    for (let i = 0; i < scores.length; i++) scores[i] = d.update(series.values[i], series.timestampsMs[i]);
    return { series, scores };
  });
}

/** Per profile: the best threshold, its raw score and the normalised score. */
export function nabResults(corpus: readonly NabScoredSeries[]): NabResults {
  const series = corpus.map((c) => c.series);
  const windowCount = series.reduce((n, s) => n + s.windows.length, 0);
  const out = {} as NabResults;
  for (const profile of Object.keys(nabProfiles) as NabProfileName[]) {
    const cost = nabProfiles[profile];
    const best = nabOptimizeThreshold(corpus, cost);
    out[profile] = { threshold: best.threshold, raw: best.score, score: nabNormalize(best.score, nabNullScore(series, cost), windowCount, cost) };
  }
  return out;
}

/** The normalised score of a profile at a given threshold: a threshold picked on other files, scored on these. */
export function nabScoreAt(corpus: readonly NabScoredSeries[], profile: NabProfileName, threshold: number): number {
  const series = corpus.map((c) => c.series);
  const windowCount = series.reduce((n, s) => n + s.windows.length, 0);
  const cost = nabProfiles[profile];
  return nabNormalize(nabCorpusScore(corpus, cost, threshold), nabNullScore(series, cost), windowCount, cost);
}
