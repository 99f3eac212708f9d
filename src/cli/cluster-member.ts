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
 * Every change needs the cluster secret (the cluster directory holds it).
 */
import { Command } from 'commander';
import { ScenarioError } from '../scenario/error.js';
import { askLauncher } from '../node/launcher.js';
import { parseHostPort } from '../node/kv-node.js';
import { addMember, changeMember, isMemberOpError, leaderOf, readClusterDir, type Members } from '../node/members.js';

const cli = '(command line)';

/** The CLI's own errors are one line and exit 2; so are the changes the cluster refused. */
const asCliError = <A extends unknown[]>(f: (...a: A) => Promise<number>) => async (...a: A): Promise<number> => {
  try {
    return await f(...a);
  } catch (e) {
    if (isMemberOpError(e)) throw new ScenarioError(cli, e.option, e.message);
    throw e;
  }
};

async function add(id: string | undefined, o: { data: string; peer?: string }): Promise<number> {
  let c = readClusterDir(o.data);
  let address = o.peer;
  if (address !== undefined) {
    if (id === undefined) throw new ScenarioError(cli, '<id>', 'the id of the node started with pillars node --join, with --peer');
    if (parseHostPort(address) === undefined) throw new ScenarioError(cli, '--peer', `host:port of the new node's peer port (got "${address}")`);
  } else {
    // The launcher starts the next node of its layout, joining.
    let answer: { ok: boolean; message: string };
    try {
      answer = await askLauncher(o.data, 'add-node', id ?? '');
    } catch (e) {
      throw new ScenarioError(cli, '--data', `${(e as Error).message}; or start the node yourself with pillars node --join and give --peer`);
    }
    if (!answer.ok) throw new ScenarioError(cli, '--data', answer.message);
    const started = JSON.parse(answer.message) as { id: string; peer: string; pid: number };
    if (id !== undefined && id !== started.id) process.stderr.write(`the launcher names the new node ${started.id} (the next of its port layout), not ${id}\n`);
    id = started.id;
    address = started.peer;
    process.stdout.write(`${id} started (pid ${started.pid}), peer ${address}\n`);
    c = readClusterDir(o.data);
  }
  await addMember(c, id, address, (line) => process.stdout.write(line + '\n'));
  return 0;
}

async function remove(id: string, o: { data: string }): Promise<number> {
  const c = readClusterDir(o.data);
  const m = await changeMember(c, 'remove-voter', id);
  process.stdout.write(`${id} removed: voters ${m.voters.join(' ')}${m.learners.length > 0 ? `, learners ${m.learners.join(' ')}` : ''}\n`);
  if (c.layout.nodes.some((n) => n.id === id)) {
    const stopped = await askLauncher(o.data, 'forget', id).catch(() => undefined);
    if (stopped?.ok === true) process.stdout.write(`${stopped.message}\n`);
  }
  return 0;
}

async function list(o: { data: string; json?: boolean }): Promise<number> {
  const c = readClusterDir(o.data);
  const leader = await leaderOf(c);
  const res = await fetch(`http://${leader.host}:${leader.http}/members`, { signal: AbortSignal.timeout(5_000) });
  const m = (await res.json()) as Members;
  const addressOf = (id: string) => {
    const n = c.layout.nodes.find((x) => x.id === id);
    return m.addresses[id] ?? (n === undefined ? '?' : `${n.host}:${n.peer}`);
  };
  const rows = [...m.voters.map((id) => ({ id, role: 'voter' })), ...m.learners.map((id) => ({ id, role: 'learner' }))].map((r) => ({ ...r, leader: r.id === m.leader, peer: addressOf(r.id) }));
  if (o.json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  else for (const r of rows) process.stdout.write(`${r.id.padEnd(6)}${(r.role + (r.leader ? ', leader' : '')).padEnd(17)}${r.peer}\n`);
  return 0;
}

export function memberCommand(): Command {
  const m = new Command('member').description('Change the membership of a running cluster one server at a time, through the log (add, remove), or list it.');
  m.command('add [id]')
    .description("Add a node: it joins as a learner, gets the log, and becomes a voter once it has caught up. Without --peer the launcher running on --data starts the next node of its layout.")
    .requiredOption('--data <dir>', 'the cluster directory given to cluster up (its secret authorises the change)')
    .option('--peer <host:port>', 'the peer address of a node you started with pillars node --join --id <id>')
    .addHelpText('after', '\nExit code: 0 added, 2 on bad input or when the change could not be made.\nExample: pillars cluster member add --data /tmp/kv\n         pillars cluster member add n7 --peer 10.0.0.7:7579 --data /tmp/kv')
    .action(async (id: string | undefined, o: { data: string; peer?: string }) => {
      process.exitCode = await asCliError(add)(id, o);
    });
  m.command('remove <id>')
    .description('Remove a voter or learner; removing the leader hands leadership to another voter first. The launcher then stops the node.')
    .requiredOption('--data <dir>', 'the cluster directory given to cluster up')
    .addHelpText('after', '\nExit code: 0 removed, 2 on bad input or when the change could not be made.\nExample: pillars cluster member remove n1 --data /tmp/kv')
    .action(async (id: string, o: { data: string }) => {
      process.exitCode = await asCliError(remove)(id, o);
    });
  m.command('list')
    .description('The membership as the leader applied it: voters, learners, their peer addresses.')
    .requiredOption('--data <dir>', 'the cluster directory given to cluster up')
    .option('--json', 'print it as JSON')
    .addHelpText('after', '\nExample: pillars cluster member list --data /tmp/kv')
    .action(async (o: { data: string; json?: boolean }) => {
      process.exitCode = await asCliError(list)(o);
    });
  return m;
}
