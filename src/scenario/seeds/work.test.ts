/**
 * The work stories on more than their shipped seed: every variant meets its expectation on every seed
 * of the range (a naive design breaks as its story says, a fixed one keeps every promise), and the
 * numbers its checks bound are printed as ranges over those seeds.
 */
import { storySeedTests } from '../../testing/story-seed-tests.js';

storySeedTests('work');
