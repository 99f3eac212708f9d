/**
 * The test body behind src/scenario/seeds/<pillar>.test.ts: one test per story of the pillar.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { assertQuotesHold } from './readme-quotes.js';
import { quotesOfStory } from './readme-story-quotes.js';
import { boundedMetrics, rangeLines, storiesByPillar, storiesInTheirOwnFile, sweepStory, testSeedCount, testSeedCountOf, unmet, type StorySweep } from './story-seeds.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

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
    // The README's numbers for the story, read from the runs on its own seed the sweep has just made.
    const quotes = quotesOfStory(file);
    if (quotes.length > 0) {
      test(`${file}: the ${quotes.length} numbers the README quotes from it are what it measures, and a changed one is caught`, () => {
        assertQuotesHold(readme, quotes);
      });
    }
  }
}
