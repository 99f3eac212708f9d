/**
 * What `pillars check` does: read a history, judge it under a sequential model. main.ts loads this
 * module only when `check` runs; it loads the checker alone, no scenario or pillar.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { checkLinearizable, describeViolation, models } from '../check/linearizability.js';
import { HistoryFormatError, parseHistory } from '../check/history-file.js';
import { ScenarioError } from '../scenario/error.js';
import { EXIT_NOT_MET, EXIT_OK, EXIT_UNDECIDED } from './conventions.js';

/** `pillars check`. */
export function checkCommand(file: string, o: { model: string; maxSteps: string }): void {
  const model = models[o.model];
  if (model === undefined) throw new ScenarioError('(command line)', '--model', `one of ${Object.keys(models).join(', ')} (got "${o.model}")`);
  const stepsMax = Number(o.maxSteps);
  if (!Number.isSafeInteger(stepsMax) || stepsMax <= 0) throw new ScenarioError('(command line)', '--max-steps', `a positive integer (got "${o.maxSteps}")`);
  let text: string;
  try {
    // A results folder keeps its histories gzipped: read them as they are stored.
    const bytes = readFileSync(file);
    text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  } catch (e) {
    throw new ScenarioError(file, '', `a readable history file${file.endsWith('.gz') ? ', gzipped' : ''} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let events;
  try {
    events = parseHistory(text);
  } catch (e) {
    if (e instanceof HistoryFormatError) throw new ScenarioError(file, `line ${e.line}${e.field ? `, ${e.field}` : ''}`, e.expected);
    throw e;
  }
  // Nothing to judge, or operations the model has no meaning for: either would be a verdict on nothing.
  if (events.length === 0) throw new ScenarioError(file, '', 'a history with at least one operation (it has none)');
  const unknown = events.filter((e) => !model.operations.includes(e.f));
  if (unknown.length > 0) {
    const names = [...new Set(unknown.map((e) => e.f))];
    throw new ScenarioError(file, 'f', `operations the ${o.model} model knows: ${model.operations.join(', ')} (got ${names.map((n) => `"${n}"`).join(', ')} in ${unknown.length} events; ${Object.entries(models).filter(([, m]) => names.every((n) => m.operations.includes(n))).map(([k]) => `--model ${k}`).join(' or ') || 'no model here judges them: a scenario checks them (pillars run)'})`);
  }
  const r = checkLinearizable(events, model, stepsMax);
  if (r.unknown) {
    process.stdout.write(`unknown: the search gave up on key ${r.unknownKey} after ${r.steps} steps\n`);
    process.exitCode = EXIT_UNDECIDED;
    return;
  }
  process.stdout.write(r.ok ? `linearizable: ${r.operations} operations over ${r.keys} ${model.perKey ? 'keys' : 'group'} (${r.steps} search steps)\n` : describeViolation(r.violation!) + '\n');
  process.exitCode = r.ok ? EXIT_OK : EXIT_NOT_MET;
}
