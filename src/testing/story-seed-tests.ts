/**
 * The test body behind src/scenario/seeds/<pillar>.test.ts: one test per story of the pillar.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundedMetrics, rangeLines, storiesByPillar, sweepStory, testSeeds, testSeedsDefault, unmet } from './story-seeds.js';

export function storySeedTests(pillar: string): void {
  for (const name of storiesByPillar[pillar]) {
    const file = `${name}.yaml`;
    const n = testSeeds[file] ?? testSeedsDefault;
    test(`${file}: every variant meets its expectation on seeds 1..${n}`, (t) => {
      const sweep = sweepStory(file, 1, n);
      for (const line of rangeLines(sweep, boundedMetrics(file))) t.diagnostic(line);
      assert.deepEqual(unmet(sweep), [], `${file} over seeds 1..${n}`);
    });
  }
}
