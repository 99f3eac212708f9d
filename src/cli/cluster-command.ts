/**
 * `pillars cluster`, as the command line declares it: a local cluster of real node processes (up),
 * how one is (status), its launcher acting on one node (stop|start|restart|kill), its membership
 * (member), its backup and restore. What each does (cluster.ts, cluster-member.ts) is loaded when it
 * runs, so that the help loads no node, launcher or Raft.
 */
import { Command } from 'commander';
import { launcherOps, layoutDefaults } from '../node/cluster-defaults.js';
import { memberCommand } from './cluster-member-command.js';
import type { UpFlags } from './cluster.js';

export function clusterCommand(): Command {
  const c = new Command('cluster').description('A local cluster of real node processes: start one (up), ask how one is (status), stop, start, restart or kill one of its nodes, back it up and restore a new one from the backup.');
  c.command('up')
    .description('Start N nodes on this machine, print their endpoints, and stop them all on Ctrl-C.')
    .option('--nodes <n>', 'how many nodes', '3')
    .requiredOption('--data <dir>', 'the cluster directory: n1/, n2/... data, logs, cluster.json and the secret')
    .option('--host <addr>', 'the address every port binds to', layoutDefaults.host)
    .option('--resp-base <port>', 'Redis port of n1 (n2 the next, ...)', String(layoutDefaults.respBase))
    .option('--http-base <port>', 'HTTP admin port of n1', String(layoutDefaults.httpBase))
    .option('--peer-base <port>', 'peer port of n1', String(layoutDefaults.peerBase))
    .option('--read-mode <mode>', 'read-index (default) or lease')
    .option('--recovery <mode>', 'a log damaged beyond a torn tail: repair (default; catch up from the peers) or refuse (exit, as etcd does; one fsync per write instead of two)')
    .option('--requirepass-file <file>', 'clients of every node must AUTH with the password in this file (made, mode 0600, if absent)')
    .addHelpText('after', '\nEvery port is checked before anything starts (a port in use: exit 2, naming it). Ctrl-C or SIGTERM at any moment stops every node.\nExample: pillars cluster up --nodes 3 --data /tmp/kv   then: redis-cli -p 7379 set a 1')
    .action(async (o: UpFlags) => {
      process.exitCode = await (await import('./cluster.js')).up(o);
    });
  const verbs: Record<(typeof launcherOps)[number], string> = {
    stop: 'Stop one node politely (SIGTERM; SIGKILL after 5 s).',
    start: 'Start a node that is not running.',
    restart: 'Stop one node (SIGTERM) and start it again on its data.',
    kill: 'Kill one node with SIGKILL: a real crash, nothing flushed.',
  };
  c.command('backup <backup-dir>')
    .description("Save a consistent copy of a running cluster's store: the leader confirms it leads (ReadIndex), so the copy holds every acknowledged write.")
    .requiredOption('--data <dir>', 'the cluster directory given to cluster up (its secret authorises the backup)')
    .addHelpText('after', '\nWrites <backup-dir>/snapshot.pillars and backup.json (index, term, keys, SHA-256).\nExit code: 0 saved, 2 on bad input or when no leader gave a backup.\nExample: pillars cluster backup /tmp/kv-backup --data /tmp/kv')
    .action(async (dir: string, o: { data: string }) => {
      process.exitCode = await (await import('./cluster.js')).backup(dir, o);
    });
  c.command('restore <backup-dir>')
    .description('Seed the data directories of a new cluster from a backup; then start it with cluster up.')
    .requiredOption('--data <dir>', 'the new cluster directory (empty or new)')
    .option('--nodes <n>', 'how many nodes the new cluster has', '3')
    .addHelpText('after', '\nThe new cluster gets a new secret: nothing of the old one can talk to it.\nExit code: 0 restored, 2 on bad input (a backup whose bytes do not match backup.json, a directory that holds files).\nExample: pillars cluster restore /tmp/kv-backup --data /tmp/kv2 && pillars cluster up --data /tmp/kv2')
    .action(async (dir: string, o: { data: string; nodes: string }) => {
      process.exitCode = await (await import('./cluster.js')).restore(dir, o);
    });
  c.addCommand(memberCommand());
  for (const op of launcherOps) {
    c.command(`${op} <node>`)
      .description(`${verbs[op]} Asks the launcher (pillars cluster up) running on --data.`)
      .requiredOption('--data <dir>', 'the cluster directory given to cluster up')
      .addHelpText('after', `\nExit code: 0 done, 2 when no launcher runs on --data or there is no such node.\nExample: pillars cluster ${op} n2 --data /tmp/kv`)
      .action(async (node: string, o: { data: string }) => {
        process.exitCode = await (await import('./cluster.js')).controlNode(op, node, o);
      });
  }
  c.command('status')
    .description("Ask every node of a cluster directory for its role, term, commit index and lag (GET /status).")
    .requiredOption('--data <dir>', 'the cluster directory given to cluster up')
    .option('--json', 'print the statuses as JSON')
    .addHelpText('after', '\nExit code: 0 when every node answers and one leads, 1 otherwise, 2 on bad input.')
    .action(async (o: { data: string; json?: boolean }) => {
      process.exitCode = (await (await import('./cluster.js')).status(o)) ? 0 : 1;
    });
  return c;
}
