/**
 * A thread of `pillars worker`: runs one (scenario, variant, seed) at a time for the worker's main
 * thread, which keeps talking to Redis (renewing job locks) while the simulation runs here. Unlike a
 * local sweep's thread, jobs may come from any scenario, so each scenario text is parsed once and
 * kept by its hash.
 */
import { parentPort } from 'node:worker_threads';
import { isScenarioError, parseScenario, runVariants, type Scenario } from '../scenario/index.js';
import { sweepResultOf, type SweepResult } from './sweep.js';
import { registerCatalog } from './catalog.js';

registerCatalog();

export interface ThreadTask {
  id: number;
  scenarioHash: string;
  scenarioText: string;
  scenarioFile: string;
  variant: string;
  seed: number;
}

export type ThreadReply =
  | { id: number; result: SweepResult }
  /** `unrecoverable`: running it again cannot help (the scenario does not parse, no such variant). */
  | { id: number; error: string; unrecoverable: boolean };

/** Parsed scenarios kept; the oldest is dropped beyond this (a worker may serve many sweeps). */
const cachedScenariosMax = 16;
const scenarios = new Map<string, Scenario>();

function scenarioFor(task: ThreadTask): Scenario {
  const cached = scenarios.get(task.scenarioHash);
  if (cached !== undefined) return cached;
  const scenario = parseScenario(task.scenarioText, task.scenarioFile);
  scenarios.set(task.scenarioHash, scenario);
  if (scenarios.size > cachedScenariosMax) scenarios.delete(scenarios.keys().next().value!);
  return scenario;
}

parentPort!.on('message', (task: ThreadTask) => {
  let reply: ThreadReply;
  try {
    const scenario = scenarioFor(task);
    const v = scenario.variants.find((x) => x.name === task.variant);
    if (v === undefined) {
      reply = { id: task.id, error: `${task.scenarioFile} has no variant "${task.variant}"`, unrecoverable: true };
    } else {
      // A variant that compares with others runs them here too, on the same seed.
      const { report } = runVariants(scenario, [v.name], () => ({ seed: task.seed })).get(v.name)!;
      reply = { id: task.id, result: sweepResultOf(task, report) };
    }
  } catch (e) {
    reply = { id: task.id, error: (e as Error).message ?? String(e), unrecoverable: isScenarioError(e) };
  }
  parentPort!.postMessage(reply);
});
