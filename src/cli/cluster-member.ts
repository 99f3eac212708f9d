/**
 * What `pillars cluster member add|remove|list` does, loaded when one runs (cluster-member-command.ts
 * declares them).
 */
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

/** The actions of cluster-member-command.ts. */
export const memberActions = { add: asCliError(add), remove: asCliError(remove), list: asCliError(list) };
