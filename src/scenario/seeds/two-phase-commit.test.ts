/**
 * two-phase-commit, the heaviest truth story, on more than its shipped seed (in a file of its own so
 * that it runs beside the other truth stories).
 */
import { storySeedTests } from '../../testing/story-seed-tests.js';

storySeedTests('truth', {}, 'two-phase-commit');
