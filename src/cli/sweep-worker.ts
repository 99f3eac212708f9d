/** A sweep worker thread: runs (variant, seed) tasks of one scenario and posts back their verdicts. */
import { parentPort, workerData } from 'node:worker_threads';
import { parseScenario, runVariant } from '../scenario/index.js';
import type { SweepTask, SweepResult } from './sweep.js';

const { text, file } = workerData as { text: string; file: string };
const scenario = parseScenario(text, file);

parentPort!.on('message', (task: SweepTask) => {
  const v = scenario.variants.find((x) => x.name === task.variant)!;
  const { report } = runVariant(v, { seed: task.seed, scenario: scenario.name });
  const result: SweepResult = {
    variant: task.variant,
    seed: task.seed,
    met: report.met,
    traceHash: report.traceHash,
    failedChecks: report.checks.filter((c) => !c.ok && c.unknown !== true).map((c) => c.name),
    undecidedChecks: report.checks.filter((c) => c.unknown === true).map((c) => c.name),
    events: report.events,
  };
  parentPort!.postMessage(result);
});
