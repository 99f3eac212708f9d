/**
 * Writes data/labelled/<series>.csv from the generator (src/intelligence/anomaly/labelled-series.ts)
 * with the project's seed. The test labelled.test.ts fails when the shipped files and the generator
 * disagree; run this after changing the generator on purpose:
 *
 *     npx tsc -p . && node dist/bench/labelled-data.js
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateLabelledSeries, labelledCsv, labelledSeed } from '../src/intelligence/anomaly/index.js';
import { RandomStreams } from '../src/sim/rng.js';

const dir = new URL('../../data/labelled/', import.meta.url).pathname;
mkdirSync(dir, { recursive: true });
for (const s of generateLabelledSeries((name) => new RandomStreams(labelledSeed).stream(name))) {
  const path = join(dir, `${s.name}.csv`);
  writeFileSync(path, labelledCsv(s));
  process.stdout.write(`${path}: ${s.values.length} points, ${s.labels.reduce((n, l) => n + l, 0)} labelled, for ${s.designedFor.join(', ')}\n`);
}
