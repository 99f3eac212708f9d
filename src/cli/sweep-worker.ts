/** A sweep worker thread: runs (variant, seed) tasks of one scenario and posts back their verdicts. */
import { parentPort, workerData } from 'node:worker_threads';
import { parseScenario, runVariant } from '../scenario/index.js';
import { sweepResultOf, type WorkerTask } from './sweep.js';
import { registerCatalog } from './catalog.js';

registerCatalog();

const { text, file, set } = workerData as { text: string; file: string; set: string[] };
const scenario = parseScenario(text, file, { set });

parentPort!.on('message', (task: WorkerTask) => {
  const v = scenario.variants.find((x) => x.name === task.variant)!;
  const { report } = runVariant(v, { seed: task.seed, scenario: scenario.name, peers: new Map(task.peers) });
  parentPort!.postMessage({ result: sweepResultOf(task, report), metrics: report.metrics });
});
