/**
 * `pillars review <system.yaml>`: the seeds' 5-minute architecture review of a system spec (see
 * examples/ecommerce.yaml and src/platform/spec.ts), pillar by pillar. Its command line is
 * review-command.ts, which loads this module when the command runs.
 */
import { readFileSync } from 'node:fs';
import { ScenarioError } from '../scenario/error.js';
import { parseSystemSpec, type SystemSpec } from '../platform/spec.js';
import { formatReview, reviewSystem, type Review } from '../platform/review.js';
import { writeJson } from './io.js';

export function loadSystemSpecFile(file: string): SystemSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ScenarioError(file, '', `a readable system spec (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? (e as Error).message)})`);
  }
  return parseSystemSpec(text, file);
}

/** `pillars review`: prints the review (unless quiet), writes --json, and returns it for the exit code. */
export function reviewFile(file: string, o: { json?: string; quiet?: boolean }, out: { color: boolean }): Review {
  const review = reviewSystem(loadSystemSpecFile(file));
  if (!o.quiet) process.stdout.write(formatReview(review, { color: out.color }) + '\n');
  if (o.json !== undefined) writeJson(o.json, review);
  return review;
}
