/**
 * The NAB scorer gives NAB's numbers: windowedGaussian's published raw scores in, its published
 * per-row contributions, row counts and normalised scores (39.6 standard) out. NAB's files are in the
 * repository (data/nab); NAB_DATA points the tests at another copy, e.g. a checkout of NAB itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultNabDir, loadNabCorpus, loadNabFinalResults, loadNabResults, loadNabScoreTable, loadNabThresholds, nabDataPresent } from '../../../bench/nab-data.js';
import { nabResults, runOnNab } from './nab-run.js';
import { recommendedDetector } from './recommended.js';
import { nabCorpusScore, nabNormalize, nabNullScore, nabOptimizeThreshold, nabProbationaryLength, nabProfiles, nabScoreFile, scaledSigmoid, type NabSeries } from './nab-scorer.js';

const dir = process.env.NAB_DATA ?? defaultNabDir;

test("NAB's files are where the tests read them: the scores below are never skipped", () => {
  assert.ok(nabDataPresent(dir), `no NAB data in ${dir}: expected data/ and labels/combined_windows.json there (data/nab in the repository, or NAB_DATA)`);
});

test('scaled sigmoid: +0.987 at a window start, 0 at its end, -1 three widths after', () => {
  assert.ok(Math.abs(scaledSigmoid(-1) - 0.98661) < 1e-5);
  assert.ok(Math.abs(scaledSigmoid(-0.5) - 0.84828) < 1e-5);
  assert.equal(scaledSigmoid(0), 0);
  assert.equal(scaledSigmoid(3.5), -1);
  assert.equal(nabProbationaryLength(1000), 150);
  assert.equal(nabProbationaryLength(22695), 750);
});

test('a small file scored by hand: earliest detection in a window, FP after it, FP before any window', () => {
  // 100 rows (probation 15), one window over rows 40..59 (width 20).
  const series: NabSeries = { name: 'toy', timestampsMs: Array.from({ length: 100 }, (_, i) => i * 1000), windows: [[40_000, 59_000]] };
  const scores = new Float64Array(100);
  scores[5] = 1; // probationary: ignored
  scores[20] = 1; // before any window: -A_FP
  scores[45] = 1; // in the window: sigma(-(59 - 45 + 1) / 20) / sigma(-1)
  scores[50] = 1; // later in the same window: nothing more
  scores[69] = 1; // after the window: A_FP * sigma(|59 - 69| / 19)
  const cost = nabProfiles.standard;
  const r = nabScoreFile({ series, scores }, cost, 0.5);
  const expected = -0.11 + scaledSigmoid(-15 / 20) / scaledSigmoid(-1) + 0.11 * scaledSigmoid(10 / 19);
  assert.ok(Math.abs(r.score - expected) < 1e-12, `${r.score} vs ${expected}`);
  assert.deepEqual([r.tp, r.fp, r.fn, r.tn], [2, 2, 18, 63]);
  // The optimiser over this one file: 0.5 beats no detection (-1).
  const best = nabOptimizeThreshold([{ series, scores }], cost);
  assert.equal(best.threshold, 1);
  assert.ok(Math.abs(best.score - expected) < 1e-12);
  assert.equal(nabNullScore([series], cost), -1);
  assert.throws(() => nabScoreFile({ series, scores: [1, 2] }, cost, 0.5), /toy: scores: expected one score per row \(100\)/);
  assert.throws(() => nabScoreFile({ series: { ...series, windows: [[40_500, 59_000]] }, scores }, cost, 0.5), /toy: window 0 start 40500 is not the timestamp of any row/);
});

test('windowedGaussian: per-row contributions, counts and the published 39.6 from its raw scores', (t) => {
  const files = loadNabCorpus(dir);
  assert.equal(files.length, 58);
  const windowCount = files.reduce((n, f) => n + f.windows.length, 0);
  assert.equal(windowCount, 116);
  const results = loadNabResults(dir, 'windowedGaussian', files);
  const thresholds = loadNabThresholds(dir).windowedGaussian;
  const published = loadNabFinalResults(dir).windowedGaussian;
  const corpus = files.map((series, i) => ({ series, scores: results[i].scores }));
  const lines: string[] = [];
  for (const [profile, cost] of Object.entries(nabProfiles) as [keyof typeof nabProfiles, (typeof nabProfiles)[keyof typeof nabProfiles]][]) {
    const threshold = thresholds[profile].threshold;
    const table = loadNabScoreTable(dir, 'windowedGaussian', profile);
    let tp = 0;
    let fp = 0;
    for (let f = 0; f < files.length; f++) {
      const r = nabScoreFile(corpus[f], cost, threshold);
      tp += r.tp;
      fp += r.fp;
      const row = table.get(files[f].name)!;
      assert.ok(Math.abs(r.score - row.score) < 1e-9, `${files[f].name} ${profile}: ${r.score} vs ${row.score}`);
      assert.deepEqual([r.tp, r.fp], [row.tp, row.fp], files[f].name);
      const column = results[f].perRow.get(profile)!;
      for (let i = 0; i < column.length; i++) {
        assert.ok(Math.abs(r.perRow[i] - column[i]) < 1e-9, `${files[f].name} row ${i} ${profile}: ${r.perRow[i]} vs ${column[i]}`);
      }
    }
    const raw = nabCorpusScore(corpus, cost, threshold);
    assert.ok(Math.abs(raw - table.get('Totals')!.score) < 1e-6, `${profile}: raw ${raw} vs ${table.get('Totals')!.score}`);
    const nullScore = nabNullScore(files, cost);
    const score = nabNormalize(raw, nullScore, windowCount, cost);
    assert.ok(Math.abs(score - published[profile]) < 0.1, `${profile}: ${score} vs published ${published[profile]}`);
    // The optimiser finds that threshold's score (or a better one) by itself.
    const best = nabOptimizeThreshold(corpus, cost);
    assert.ok(best.score >= raw - 1e-9, `${profile}: optimiser ${best.score} at ${best.threshold} < ${raw}`);
    assert.equal(best.threshold, threshold);
    lines.push(`${profile}: ${score.toFixed(2)} (published ${published[profile].toFixed(2)}), raw ${raw.toFixed(3)}, null ${nullScore}; optimiser: threshold ${best.threshold}, ${nabNormalize(best.score, nullScore, windowCount, cost).toFixed(2)}; TP rows ${tp}, FP rows ${fp}`);
    assert.deepEqual([tp, fp], [table.get('Totals')!.tp, table.get('Totals')!.fp]);
  }
  for (const l of lines) t.diagnostic(l);
});

test('our recommended detector scores above twitterADVec (47.1) on NAB, standard profile', (t) => {
  const files = loadNabCorpus(dir);
  const results = nabResults(runOnNab(files, () => recommendedDetector()));
  t.diagnostic(`recommended: standard ${results.standard.score.toFixed(1)}, low FP ${results.reward_low_FP_rate.score.toFixed(1)}, low FN ${results.reward_low_FN_rate.score.toFixed(1)}`);
  assert.ok(results.standard.score > 47.1, `standard ${results.standard.score}`);
});
