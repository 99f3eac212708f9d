/**
 * Given to a child node with `--import`, records the URL of every module it loads, one a line, in the
 * file PILLARS_RECORD_LOADS names: a test can then say what a command loaded, and what it did not.
 */
import { register } from 'node:module';

register('./record-loads-hooks.js', import.meta.url, { data: { file: process.env.PILLARS_RECORD_LOADS } });
