/**
 * The test body behind src/scenario/seeds/<pillar>.test.ts: one test per story of the pillar.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundedMetrics, rangeLines, storiesByPillar, sweepStory, testSeedCount, unmet, type StorySweep } from './story-seeds.js';

/** Assertions of a story's own numbers on every seed of the range, run after the expectations hold. */
export type SeedAssertions = Readonly<Record<string, (sweep: StorySweep) => void>>;

export function storySeedTests(pillar: string, numbers: SeedAssertions = {}): void {
  for (const name of storiesByPillar[pillar]) {
    const file = `${name}.yaml`;
    const n = testSeedCount;
    test(`${file}: every variant meets its expectation on seeds 1..${n}`, (t) => {
      const sweep = sweepStory(file, 1, n);
      for (const line of rangeLines(sweep, boundedMetrics(file))) t.diagnostic(line);
      assert.deepEqual(unmet(sweep), [], `${file} over seeds 1..${n}`);
      numbers[name]?.(sweep);
    });
  }
}
