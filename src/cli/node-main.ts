/**
 * `pillars node` alone: the command line of a node process, without the other commands. A node
 * loads the server and the Raft it runs (when the command runs, node.ts), not the definitions of
 * every other command main.ts declares: `--help` through bin.ts takes about 0.19 s of CPU with
 * main.ts and 0.16 s with this (bare Node.js: 0.10 s; 2-core machine), paid on every start and
 * restart of every node of a cluster.
 *
 * The same contract as main.ts for this command: --help exits 0, a bad option or a data directory
 * that cannot be trusted is one line and exit 2, anything else an internal error, exit 3.
 */
import { Command, CommanderError } from 'commander';
import { isNodeStartError } from '../node/start-error.js';
import { nodeCommand } from './node-command.js';

const program = new Command('pillars').exitOverride().showHelpAfterError('(run with --help for usage)');
program.addCommand(nodeCommand().exitOverride());
try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exitCode = e.exitCode === 0 ? 0 : 2;
  else if (isNodeStartError(e)) {
    process.stderr.write(`pillars: ${e.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`pillars: internal error: ${(e as Error).message ?? String(e)}\n`);
    if (process.env.PILLARS_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    process.exitCode = 3;
  }
}
