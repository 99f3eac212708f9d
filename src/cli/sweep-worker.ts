/** A sweep worker thread: runs (variant, seed) tasks of one scenario and posts back their verdicts. */
import { parentPort, workerData } from 'node:worker_threads';
import { parseScenario, runVariant } from '../scenario/index.js';
import { sweepResultOf, type SweepTask } from './sweep.js';

const { text, file } = workerData as { text: string; file: string };
const scenario = parseScenario(text, file);

parentPort!.on('message', (task: SweepTask) => {
  const v = scenario.variants.find((x) => x.name === task.variant)!;
  const { report } = runVariant(v, { seed: task.seed, scenario: scenario.name });
  parentPort!.postMessage(sweepResultOf(task, report));
});
