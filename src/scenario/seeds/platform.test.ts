/**
 * The platform stories on more than their shipped seed: every variant meets its expectation on every seed
 * of the range (a naive design breaks as its story says, a fixed one keeps every promise), and the
 * numbers its checks bound are printed as ranges over those seeds.
 */
import { storySeedTests } from '../../testing/story-seed-tests.js';

storySeedTests('platform');

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { storiesByPillar, storiesInTheirOwnFile } from '../../testing/story-seeds.js';

test('every story in scenarios/ runs over seeds in exactly one pillar\'s test file', () => {
  const files = readdirSync(fileURLToPath(new URL('../../../../scenarios/', import.meta.url))).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();
  const listed = Object.values(storiesByPillar).flat();
  assert.deepEqual([...listed].sort(), files);
  assert.equal(new Set(listed).size, listed.length);
});

test('a story taken out of its pillar\'s file has a test file of its own', () => {
  const here = readdirSync(fileURLToPath(new URL('./', import.meta.url)));
  for (const story of storiesInTheirOwnFile) assert.ok(here.includes(`${story}.test.js`), `seeds/${story}.test.ts is missing: ${story} would run on no seed`);
});
