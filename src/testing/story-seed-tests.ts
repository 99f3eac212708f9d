/**
 * The test body behind src/scenario/seeds/<pillar>.test.ts: one test per story of the pillar.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundedMetrics, rangeLines, storiesByPillar, storiesInTheirOwnFile, sweepStory, testSeedCount, testSeedCountOf, unmet, type StorySweep } from './story-seeds.js';

/** Assertions of a story's own numbers on every seed of the range, run after the expectations hold. */
export type SeedAssertions = Readonly<Record<string, (sweep: StorySweep) => void>>;

/**
 * The pillar's stories, except those run by a test file of their own; or, with `only`, that one story
 * of the pillar (from its own file, seeds/<story>.test.ts).
 */
export function storySeedTests(pillar: string, numbers: SeedAssertions = {}, only?: string): void {
  const stories = storiesByPillar[pillar];
  if (only !== undefined && !(stories.includes(only) && storiesInTheirOwnFile.includes(only))) throw new Error(`${only} is not a ${pillar} story listed in storiesInTheirOwnFile`);
  for (const name of only !== undefined ? [only] : stories.filter((n) => !storiesInTheirOwnFile.includes(n))) {
    const file = `${name}.yaml`;
    const n = testSeedCountOf[name] ?? testSeedCount;
    test(`${file}: every variant meets its expectation on seeds 1..${n}`, (t) => {
      const sweep = sweepStory(file, 1, n);
      for (const line of rangeLines(sweep, boundedMetrics(file))) t.diagnostic(line);
      assert.deepEqual(unmet(sweep), [], `${file} over seeds 1..${n}`);
      numbers[name]?.(sweep);
    });
  }
}
