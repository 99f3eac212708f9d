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
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { ScenarioError } from '../scenario/index.js';
import { askLauncher, clusterFileName, fetchStatus, type ClusterFile } from '../node/launcher.js';
import { parseHostPort } from '../node/kv-node.js';

const cli = '(command line)';
/** A learner is promoted once its log is within this many entries of the leader's. */
const promoteLagEntriesMax = 100;
const catchUpTimeoutMs = 120_000;

interface Members {
  voters: string[];
  learners: string[];
  addresses: Record<string, string>;
  leader: string | null;
}

interface Cluster {
  dir: string;
  layout: ClusterFile;
  secret: string;
}

function readCluster(dir: string): Cluster {
  const file = join(dir, clusterFileName);
  let layout: ClusterFile;
  try {
    layout = JSON.parse(readFileSync(file, 'utf8')) as ClusterFile;
  } catch (e) {
    throw new ScenarioError(file, '', `a cluster file written by pillars cluster up (${(e as NodeJS.ErrnoException).code ?? 'not JSON'})`);
  }
  return { dir, layout, secret: readFileSync(layout.secretFile, 'utf8').trim() };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The node that leads now, as the nodes of the cluster file say (waits a little through an election). */
async function leaderOf(c: Cluster, timeoutMs = 10_000): Promise<ClusterFile['nodes'][number]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = await Promise.all(c.layout.nodes.map(async (n) => ({ n, s: await fetchStatus(n.host, n.http) })));
    const leader = all.find(({ s }) => s?.role === 'leader');
    if (leader !== undefined) return leader.n;
    if (Date.now() > deadline) throw new ScenarioError(cli, '--data', `a cluster with a leader: none of ${c.layout.nodes.map((n) => n.id).join(', ')} leads (pillars cluster status --data ${c.dir})`);
    await sleep(200);
  }
}

/**
 * One change through the leader: asked again while another change is in flight (a new leader's own
 * no-op included), and of the next leader when this one hands over.
 */
async function changeMember(c: Cluster, op: 'add-learner' | 'add-voter' | 'remove-voter', id: string, address?: string): Promise<Members> {
  const deadline = Date.now() + 30_000;
  let target = await leaderOf(c);
  for (;;) {
    const q = new URLSearchParams({ op, id, ...(address !== undefined ? { address } : {}) });
    const res = await fetch(`http://${target.host}:${target.http}/admin/members?${q}`, { method: 'POST', headers: { authorization: `Bearer ${c.secret}` }, signal: AbortSignal.timeout(15_000) });
    const body = (await res.json()) as Members & { error?: string };
    if (res.status === 200) return body;
    if (res.status !== 409 || Date.now() > deadline) throw new ScenarioError(cli, '<id>', `${op} ${id}: ${body.error ?? res.status}`);
    await sleep(100);
    const next = c.layout.nodes.find((n) => n.id === body.leader);
    target = next !== undefined && (await fetchStatus(next.host, next.http))?.role === 'leader' ? next : await leaderOf(c);
  }
}

async function add(id: string | undefined, o: { data: string; peer?: string }): Promise<number> {
  let c = readCluster(o.data);
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
    c = readCluster(o.data);
  }
  await changeMember(c, 'add-learner', id, address);
  process.stdout.write(`${id} is a learner: it gets the log and has no vote yet\n`);
  const deadline = Date.now() + catchUpTimeoutMs;
  for (;;) {
    const leader = await leaderOf(c);
    const lag = (await fetchStatus(leader.host, leader.http))?.followers?.[id]?.lag;
    if (lag !== undefined && lag <= promoteLagEntriesMax) break;
    if (Date.now() > deadline) throw new ScenarioError(cli, '<id>', `${id} to catch up within ${catchUpTimeoutMs / 1000} s (lag ${lag ?? 'unknown'}); it stays a learner: pillars cluster member remove ${id}`);
    await sleep(200);
  }
  const m = await changeMember(c, 'add-voter', id);
  process.stdout.write(`${id} is a voter: voters ${m.voters.join(' ')}\n`);
  return 0;
}

async function remove(id: string, o: { data: string }): Promise<number> {
  const c = readCluster(o.data);
  const m = await changeMember(c, 'remove-voter', id);
  process.stdout.write(`${id} removed: voters ${m.voters.join(' ')}${m.learners.length > 0 ? `, learners ${m.learners.join(' ')}` : ''}\n`);
  if (c.layout.nodes.some((n) => n.id === id)) {
    const stopped = await askLauncher(o.data, 'forget', id).catch(() => undefined);
    if (stopped?.ok === true) process.stdout.write(`${stopped.message}\n`);
  }
  return 0;
}

async function list(o: { data: string; json?: boolean }): Promise<number> {
  const c = readCluster(o.data);
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
      process.exitCode = await add(id, o);
    });
  m.command('remove <id>')
    .description('Remove a voter or learner; removing the leader hands leadership to another voter first. The launcher then stops the node.')
    .requiredOption('--data <dir>', 'the cluster directory given to cluster up')
    .addHelpText('after', '\nExit code: 0 removed, 2 on bad input or when the change could not be made.\nExample: pillars cluster member remove n1 --data /tmp/kv')
    .action(async (id: string, o: { data: string }) => {
      process.exitCode = await remove(id, o);
    });
  m.command('list')
    .description('The membership as the leader applied it: voters, learners, their peer addresses.')
    .requiredOption('--data <dir>', 'the cluster directory given to cluster up')
    .option('--json', 'print it as JSON')
    .addHelpText('after', '\nExample: pillars cluster member list --data /tmp/kv')
    .action(async (o: { data: string; json?: boolean }) => {
      process.exitCode = await list(o);
    });
  return m;
}
