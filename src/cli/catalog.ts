/**
 * Every Process and check this program offers to scenarios, assembled from the tables their own
 * folders keep: the pillars' mechanisms, the story systems and the platforms. A program that loads
 * scenarios (the CLI, its worker threads, a test, a benchmark) calls registerCatalog() first.
 */
import { registerChecks, registerProcesses } from '../scenario/index.js';
import { processes as work } from '../work/index.js';
import { processes as state } from '../state/index.js';
import { processes as truth } from '../truth/index.js';
import { processes as workStories } from '../systems/work/processes.js';
import { processes as stateStories } from '../systems/state/processes.js';
import { processes as truthStories, checks as truthStoryChecks } from '../systems/truth/processes.js';
import { processes as controlStories } from '../systems/control/processes.js';
import { processes as intelligenceStories } from '../systems/intelligence/processes.js';
import { processes as platforms, checks as platformChecks } from '../platform/processes.js';

export const processTables = [work, workStories, state, stateStories, truth, truthStories, controlStories, intelligenceStories, platforms];
export const checkTables = [truthStoryChecks, platformChecks];

export function registerCatalog(): void {
  registerProcesses(...processTables);
  registerChecks(...checkTables);
}
