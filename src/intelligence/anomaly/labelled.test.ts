/**
 * The shipped labelled series are the generator's output, and on each series every detector it was
 * built for beats a static threshold (mean +- 3 sigma of the quiet first three days) on F1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RandomStreams } from '../../sim/rng.js';
import { detectorCatalogue } from './catalogue.js';
import { evaluateDetector, evaluateScores, labelWindows, type Evaluation } from './evaluate.js';
import { generateLabelledSeries, labelledCsv, labelledSeed, type LabelledSeries } from './labelled-series.js';
import { StaticThreshold } from './static-threshold.js';

const dataDir = new URL('../../../../data/labelled/', import.meta.url);
const series = generateLabelledSeries((name) => new RandomStreams(labelledSeed).stream(name));

test('data/labelled/*.csv are exactly what the generator writes (node dist/bench/labelled-data.js rewrites them)', () => {
  assert.deepEqual(series.map((s) => s.name), ['spike-in-noise', 'level-shift', 'season-break', 'slow-drift', 'heavy-tailed']);
  for (const s of series) {
    const shipped = readFileSync(new URL(`${s.name}.csv`, dataDir), 'utf8');
    assert.ok(shipped === labelledCsv(s), `data/labelled/${s.name}.csv differs from the generator's output`);
    assert.ok(labelWindows(s.labels).every(([start]) => start >= s.quietPoints), `${s.name}: an anomaly in the quiet period`);
  }
  // Same seed, same series; another seed, other values.
  const again = generateLabelledSeries((name) => new RandomStreams(labelledSeed).stream(name));
  assert.deepEqual(again[0].values, series[0].values);
  const other = generateLabelledSeries((name) => new RandomStreams(labelledSeed + 1).stream(name));
  assert.notDeepEqual(other[0].values, series[0].values);
});

test('the evaluator: alarms are runs, precision over alarms, recall over windows, delay from the window start', () => {
  const s: LabelledSeries = {
    name: 'toy',
    designedFor: [],
    stepMs: 1000,
    timestampsMs: Float64Array.from({ length: 20 }, (_, i) => i * 1000),
    values: new Float64Array(20),
    labels: Uint8Array.from({ length: 20 }, (_, i) => (i >= 5 && i <= 7) || (i >= 12 && i <= 14) ? 1 : 0),
    quietPoints: 2,
  };
  const scores = Array.from({ length: 20 }, (_, i) => ([1, 3, 6, 7, 8, 17].includes(i) ? 0.9 : 0.1));
  const e = evaluateScores('x', s, scores);
  // Point 1 is in the quiet period; runs {3}, {6, 7, 8}, {17}: one touches a window.
  assert.deepEqual([e.alarms, e.trueAlarms, e.windows, e.detected], [3, 1, 2, 1]);
  assert.equal(e.precision, 1 / 3);
  assert.equal(e.recall, 1 / 2);
  assert.equal(e.delayPoints, 1);
  assert.equal(e.delayMs, 1000);
  assert.ok(Math.abs(e.f1 - 0.4) < 1e-12);
  assert.deepEqual(evaluateScores('none', s, new Array(20).fill(0)).precision, 0);
});

function fmt(e: Evaluation): string {
  const delay = Number.isNaN(e.delayPoints) ? '     -' : `${e.delayPoints.toFixed(1).padStart(6)} (${(e.delayMs / 60_000).toFixed(0)} min)`;
  return `${e.detector.padEnd(17)} precision ${e.precision.toFixed(2)}  recall ${e.recall.toFixed(2)} (${e.detected}/${e.windows})  F1 ${e.f1.toFixed(2)}  alarms ${String(e.alarms).padStart(3)}  delay ${delay}`;
}

test('each detector beats the static threshold on F1 on the series built for it (table below)', (t) => {
  const lines: string[] = [];
  const failures: string[] = [];
  for (const s of series) {
    const baseline = evaluateDetector(s, StaticThreshold.fromQuietPeriod(s.values.subarray(0, s.quietPoints)));
    lines.push(`${s.name} (built for ${s.designedFor.join(', ')})`, `  ${fmt(baseline)}`);
    for (const [name, make] of Object.entries(detectorCatalogue)) {
      const e = { ...evaluateDetector(s, make()), detector: name };
      const designed = s.designedFor.includes(name);
      lines.push(`${designed ? '* ' : '  '}${fmt(e)}`);
      if (designed && !(e.f1 > baseline.f1)) failures.push(`${name} on ${s.name}: F1 ${e.f1.toFixed(2)} <= static ${baseline.f1.toFixed(2)}`);
      if (designed && !(e.recall >= baseline.recall)) failures.push(`${name} on ${s.name}: recall ${e.recall.toFixed(2)} < static ${baseline.recall.toFixed(2)}`);
    }
  }
  for (const l of lines) t.diagnostic(l);
  // Every detector in the catalogue but the recommended one has a series built for it.
  for (const name of Object.keys(detectorCatalogue)) {
    if (name !== 'recommended') assert.ok(series.some((s) => s.designedFor.includes(name)), `no series built for ${name}`);
  }
  assert.deepEqual(failures, []);
});
