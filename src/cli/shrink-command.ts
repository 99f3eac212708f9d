/**
 * `pillars shrink`, as the command line declares it; what it does (shrink.ts) is loaded when it runs.
 */
import { Command } from 'commander';
import { shrinkRunsMaxDefault } from '../scenario/shrink-defaults.js';
import type { ShrinkFlags } from './shrink.js';

export function shrinkCommand(): Command {
  return new Command('shrink')
    .description('Shrink a failing run: delta debugging over its faults (the random nemesis drawn out), then its workload length, while the same check still fails; prints the minimal schedule as a scenario file.')
    .argument('<scenario.yaml>', 'the scenario file')
    .requiredOption('--seed <n>', 'the seed of the failing run')
    .option('--variant <name>', 'the variant (default: the first on which a check fails with this seed)')
    .option('--check <name>', 'the check that must keep failing (default: the first that fails)')
    .option('--out <file>', 'write the shrunk scenario here instead of standard output')
    .option('--runs-max <n>', `stop after this many candidate runs (default ${shrinkRunsMaxDefault})`)
    .addHelpText('after', '\nExit code: 0 when shrunk, 2 on bad input or a run that does not fail.\nExample: pillars shrink scenarios/raft-chaos.yaml --variant naive --seed 59 --out minimal.yaml && pillars run minimal.yaml')
    .action(async (file: string, o: ShrinkFlags) => (await import('./shrink.js')).shrinkFile(file, o));
}
