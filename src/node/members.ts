/**
 * A client of a running cluster's directory and admin API: its cluster file and secret, its leader
 * (what `pillars cluster backup` asks too), and membership changes one server at a time through
 * the log (Raft thesis §4.1): what `pillars cluster member` runs, and the chaos test too.
 * A new member comes in as a learner and is promoted to voter once it has caught up, so that it
 * never holds up a commit (thesis §4.2.1). Every change needs the cluster secret.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterFileName, fetchStatus, type ClusterFile } from './launcher.js';

/** A change that could not be made, naming the option it is about; the CLI exits 2 with it. */
export class MemberOpError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(message);
  }
}

export function isMemberOpError(e: unknown): e is MemberOpError {
  return e instanceof MemberOpError;
}

/** A learner is promoted once its log is within this many entries of the leader's. */
export const promoteLagEntriesMax = 100;
const catchUpTimeoutMs = 120_000;

export interface Members {
  voters: string[];
  learners: string[];
  addresses: Record<string, string>;
  leader: string | null;
}

export interface ClusterDir {
  dir: string;
  layout: ClusterFile;
  secret: string;
}

export function readClusterDir(dir: string): ClusterDir {
  const file = join(dir, clusterFileName);
  let layout: ClusterFile;
  try {
    layout = JSON.parse(readFileSync(file, 'utf8')) as ClusterFile;
  } catch (e) {
    throw new MemberOpError('--data', `${file}: a cluster file written by pillars cluster up (${(e as NodeJS.ErrnoException).code ?? 'not JSON'})`);
  }
  return { dir, layout, secret: readFileSync(layout.secretFile, 'utf8').trim() };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The node that leads now, as the nodes of the cluster file say (waits a little through an election). */
export async function leaderOf(c: ClusterDir, timeoutMs = 10_000): Promise<ClusterFile['nodes'][number]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = await Promise.all(c.layout.nodes.map(async (n) => ({ n, s: await fetchStatus(n.host, n.http) })));
    const leader = all.find(({ s }) => s?.role === 'leader');
    if (leader !== undefined) return leader.n;
    if (Date.now() > deadline) throw new MemberOpError('--data', `a cluster with a leader: none of ${c.layout.nodes.map((n) => n.id).join(', ')} leads (pillars cluster status --data ${c.dir})`);
    await sleep(200);
  }
}

/**
 * One change through the leader: asked again while another change is in flight (a new leader's own
 * no-op included), and of the next leader when this one hands over.
 */
export async function changeMember(c: ClusterDir, op: 'add-learner' | 'add-voter' | 'remove-voter', id: string, address?: string): Promise<Members> {
  const deadline = Date.now() + 30_000;
  let target = await leaderOf(c);
  for (;;) {
    const q = new URLSearchParams({ op, id, ...(address !== undefined ? { address } : {}) });
    let res: Response;
    let body: Members & { error?: string };
    try {
      res = await fetch(`http://${target.host}:${target.http}/admin/members?${q}`, { method: 'POST', headers: { authorization: `Bearer ${c.secret}` }, signal: AbortSignal.timeout(15_000) });
      body = (await res.json()) as typeof body;
    } catch (e) {
      // The leader went away mid-request (a crash, a restart): the next leader is asked. A change
      // it had applied is found applied again: adding a member twice, or removing it twice, is a no-op.
      if (Date.now() > deadline) throw new MemberOpError('<id>', `${op} ${id}: ${(e as Error).message}`);
      await sleep(200);
      target = await leaderOf(c);
      continue;
    }
    if (res.status === 200) return body;
    if (res.status !== 409 || Date.now() > deadline) throw new MemberOpError('<id>', `${op} ${id}: ${body.error ?? res.status}`);
    await sleep(100);
    const next = c.layout.nodes.find((n) => n.id === body.leader);
    target = next !== undefined && (await fetchStatus(next.host, next.http))?.role === 'leader' ? next : await leaderOf(c);
  }
}

/** Add a node as a learner, wait until it has caught up, promote it; `say` hears each step. */
export async function addMember(c: ClusterDir, id: string, address: string, say: (line: string) => void = () => {}): Promise<Members> {
  await changeMember(c, 'add-learner', id, address);
  say(`${id} is a learner: it gets the log and has no vote yet`);
  const deadline = Date.now() + catchUpTimeoutMs;
  for (;;) {
    const leader = await leaderOf(c);
    const lag = (await fetchStatus(leader.host, leader.http))?.followers?.[id]?.lag;
    if (lag !== undefined && lag <= promoteLagEntriesMax) break;
    if (Date.now() > deadline) throw new MemberOpError('<id>', `${id} to catch up within ${catchUpTimeoutMs / 1000} s (lag ${lag ?? 'unknown'}); it stays a learner: pillars cluster member remove ${id}`);
    await sleep(200);
  }
  const m = await changeMember(c, 'add-voter', id);
  say(`${id} is a voter: voters ${m.voters.join(' ')}`);
  return m;
}
