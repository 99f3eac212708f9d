/**
 * `pillars cluster member add|remove|list`: membership changes of a running cluster, as etcd's
 * `etcdctl member` makes them, one server at a time through the log (Raft thesis §4.1):
 *
 * - add: the new node (started by the launcher, or by the operator with `pillars node --join` and
 *   named by --peer) comes in as a learner, gets the log, and is promoted to voter once it has
 *   caught up, so that it never holds up a commit (thesis §4.2.1);
 * - remove: the leader takes it out; removing the leader itself hands leadership over first;
 * - list: the membership as the leader applied it.
 *
 * Every change needs the cluster secret (the cluster directory holds it). This module declares the
 * commands; what they do (cluster-member.ts) is loaded when one runs.
 */
import { Command } from 'commander';

export function memberCommand(): Command {
  const m = new Command('member').description('Change the membership of a running cluster one server at a time, through the log (add, remove), or list it.');
  m.command('add [id]')
    .description("Add a node: it joins as a learner, gets the log, and becomes a voter once it has caught up. Without --peer the launcher running on --data starts the next node of its layout.")
    .requiredOption('--data <dir>', 'the cluster directory given to cluster up (its secret authorises the change)')
    .option('--peer <host:port>', 'the peer address of a node you started with pillars node --join --id <id>')
    .addHelpText('after', '\nExit code: 0 added, 2 on bad input or when the change could not be made.\nExample: pillars cluster member add --data /tmp/kv\n         pillars cluster member add n7 --peer 10.0.0.7:7579 --data /tmp/kv')
    .action(async (id: string | undefined, o: { data: string; peer?: string }) => {
      process.exitCode = await (await import('./cluster-member.js')).memberActions.add(id, o);
    });
  m.command('remove <id>')
    .description('Remove a voter or learner; removing the leader hands leadership to another voter first. The launcher then stops the node.')
    .requiredOption('--data <dir>', 'the cluster directory given to cluster up')
    .addHelpText('after', '\nExit code: 0 removed, 2 on bad input or when the change could not be made.\nExample: pillars cluster member remove n1 --data /tmp/kv')
    .action(async (id: string, o: { data: string }) => {
      process.exitCode = await (await import('./cluster-member.js')).memberActions.remove(id, o);
    });
  m.command('list')
    .description('The membership as the leader applied it: voters, learners, their peer addresses.')
    .requiredOption('--data <dir>', 'the cluster directory given to cluster up')
    .option('--json', 'print it as JSON')
    .addHelpText('after', '\nExample: pillars cluster member list --data /tmp/kv')
    .action(async (o: { data: string; json?: boolean }) => {
      process.exitCode = await (await import('./cluster-member.js')).memberActions.list(o);
    });
  return m;
}
