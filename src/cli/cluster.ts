/**
 * What `pillars cluster` does, loaded when one of its commands runs (cluster-command.ts declares
 * them): `up` starts a local cluster of node processes, prints their PIDs and where to connect, and
 * stops them all on Ctrl-C at any moment; `status` asks every node of a cluster directory how it
 * is; `stop|start|restart|kill <node>` asks the running launcher to act on one of its nodes
 * (src/node/launcher.ts, the control socket); `backup` and `restore` save and seed a cluster's store.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { readSecret } from './node-command.js';
import { join, resolve } from 'node:path';
import { ScenarioError } from '../scenario/error.js';
import { isStorageCorruptError } from '../truth/index.js';
import { backupCluster, isBackupError, restoreCluster } from '../node/backup.js';
import { isMemberOpError } from '../node/members.js';
import { askLauncher, clusterFileName, fetchStatus, isPortInUseError, launcherFileName, LocalCluster, runningPid, serveControl, type ClusterFile, type LauncherOp } from '../node/launcher.js';

const cli = '(command line)';

function port(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) throw new ScenarioError(cli, option, `a port number from 1 to 65535 (got "${text}")`);
  return n;
}

export interface UpFlags {
  nodes: string;
  data: string;
  host: string;
  respBase: string;
  httpBase: string;
  peerBase: string;
  readMode?: string;
  recovery?: string;
  requirepassFile?: string;
}

const portOption = { redis: '--resp-base', http: '--http-base', peer: '--peer-base' } as const;

/** A launcher already running on this directory owns its nodes: a second one would fight it. */
function refuseSecondLauncher(dataDir: string): void {
  let pid: number | undefined;
  try {
    pid = (JSON.parse(readFileSync(join(dataDir, launcherFileName), 'utf8')) as { pid?: number }).pid;
  } catch {
    return;
  }
  if (pid === undefined || pid === process.pid) return;
  try {
    process.kill(pid, 0);
  } catch {
    return;
  }
  throw new ScenarioError(cli, '--data', `a directory no launcher runs: pid ${pid} already runs the cluster in ${dataDir} (stop it with Ctrl-C, or use pillars cluster stop|start|restart|kill)`);
}

export async function up(o: UpFlags): Promise<number> {
  const nodes = Number(o.nodes);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 99) throw new ScenarioError(cli, '--nodes', `a number of nodes from 1 to 99 (got "${o.nodes}")`);
  const respBase = port(o.respBase, '--resp-base');
  const httpBase = port(o.httpBase, '--http-base');
  const peerBase = port(o.peerBase, '--peer-base');
  if (o.recovery !== undefined && o.recovery !== 'repair' && o.recovery !== 'refuse') throw new ScenarioError(cli, '--recovery', `repair or refuse (got "${o.recovery}")`);
  const nodeArgs = [...(o.readMode !== undefined ? ['--read-mode', o.readMode] : []), ...(o.recovery !== undefined ? ['--recovery', o.recovery] : [])];
  if (o.requirepassFile !== undefined) {
    const file = resolve(o.requirepassFile);
    // Asked for a password file that is not there: make one as the cluster secret is made (owner-only, 32 random bytes).
    if (!existsSync(file)) {
      writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
      process.stdout.write(`client password written to ${file} (mode 0600)\n`);
    }
    readSecret(file, 'PILLARS_REQUIREPASS', '--requirepass-file', false);
    nodeArgs.push('--requirepass-file', file);
  }
  // From the first instant, Ctrl-C and SIGTERM stop whatever was started: no node is left behind.
  let stopping = false;
  let cluster: LocalCluster | undefined;
  let control: { close(): void } | undefined;
  let stopped!: () => void;
  const done = new Promise<void>((r) => (stopped = r));
  let exitCode = 0;
  const stop = (code = 0) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    if (cluster?.nodes.some((n) => n.process !== undefined)) process.stdout.write('\nstopping the cluster...\n');
    control?.close();
    (cluster?.stopAll() ?? Promise.resolve()).then(stopped, stopped);
  };
  const onSignal = () => stop(0);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    refuseSecondLauncher(o.data);
    cluster = new LocalCluster({ nodes, dataDir: o.data, host: o.host, respBase, httpBase, peerBase, nodeArgs });
    try {
      await cluster.checkPorts();
    } catch (e) {
      if (isPortInUseError(e)) throw new ScenarioError(cli, portOption[e.what as keyof typeof portOption], e.message);
      throw e;
    }
    if (stopping) return (await done, exitCode);
    control = await serveControl(cluster, o.data);
    // A Ctrl-C while the control socket was being opened found no socket to close and no node to stop.
    if (stopping) {
      control.close();
      return (await done, exitCode);
    }
    const c = cluster;
    c.onExit = (n, code, signal) => {
      if (stopping) return;
      process.stderr.write(`${n.id} exited (${signal ?? `code ${code}`}); its last lines (${n.logFile}):\n${c.tail(n.id, 10)}\n`);
      if (c.nodes.every((x) => x.process === undefined)) {
        process.stderr.write('every node has exited: the launcher stops\n');
        stop(1);
      }
    };
    c.startAll();
    process.stdout.write(`${c.nodes.length}-node cluster in ${o.data} (secret: ${c.secretFile}; launcher pid ${process.pid})\n`);
    if (c.resumed) process.stdout.write(`  members from ${join(o.data, clusterFileName)}: ${c.nodes.map((n) => n.id).join(' ')} (a directory a cluster ran in keeps its members and their ports; --nodes and the port bases are for a new one)\n`);
    for (const n of c.nodes) process.stdout.write(`  ${n.id}  pid ${n.process?.pid ?? '-'}  redis ${c.host}:${n.resp}  http http://${c.host}:${n.http}  peer ${c.host}:${n.peer}  log ${n.logFile}\n`);
    const leader = await Promise.race([c.waitForLeader(20_000).catch((e: Error) => e), done.then(() => undefined)]);
    if (leader instanceof Error) process.stderr.write(`${leader.message}\n`);
    else if (leader !== undefined) {
      const l = c.node(leader);
      process.stdout.write(`leader: ${leader}. Try: redis-cli -p ${l.resp} set hello world   (any node answers; followers forward to the leader)\n`);
      process.stdout.write(`        pillars cluster status --data ${o.data}    pillars cluster kill ${leader} --data ${o.data}    Ctrl-C stops the cluster\n`);
    }
    await done;
    process.stdout.write('stopped\n');
    return exitCode;
  } catch (e) {
    // Whatever failed, nothing started stays running.
    stop(2);
    await done;
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** `pillars cluster stop|start|restart|kill <node>`: the running launcher does it to its own child. */
export async function controlNode(op: LauncherOp, node: string, o: { data: string }): Promise<number> {
  let answer: { ok: boolean; message: string };
  try {
    answer = await askLauncher(o.data, op, node);
  } catch (e) {
    throw new ScenarioError(cli, '--data', (e as Error).message);
  }
  (answer.ok ? process.stdout : process.stderr).write(answer.message + '\n');
  return answer.ok ? 0 : 2;
}

/** Where an operator reaches a node: what `cluster up` printed for it. */
function endpointsOf(n: ClusterFile['nodes'][number]): { redis: string; http: string; peer: string } {
  return { redis: `${n.host}:${n.resp}`, http: `http://${n.host}:${n.http}`, peer: `${n.host}:${n.peer}` };
}

export async function status(o: { data: string; json?: boolean }): Promise<boolean> {
  const file = join(o.data, clusterFileName);
  let layout: ClusterFile;
  try {
    layout = JSON.parse(readFileSync(file, 'utf8')) as ClusterFile;
  } catch (e) {
    throw new ScenarioError(file, '', `a cluster file written by pillars cluster up (${(e as NodeJS.ErrnoException).code ?? 'not JSON'})`);
  }
  const all = await Promise.all(layout.nodes.map(async (n) => {
    const s = await fetchStatus(n.host, n.http);
    return { n, s, pid: s?.pid ?? runningPid(n.data) };
  }));
  if (o.json) {
    process.stdout.write(JSON.stringify(all.map(({ n, s, pid }) => ({ id: n.id, reachable: s !== undefined, ...s, pid, ...endpointsOf(n) })), null, 2) + '\n');
  } else {
    const rows = [['node', 'pid', 'role', 'term', 'leader', 'commit', 'applied', 'lag', 'keys', 'clients', 'redis', 'http', 'peer']];
    for (const { n, s, pid } of all) {
      const lag = s?.followers === undefined ? '' : Object.values(s.followers).map((f) => f.lag).join('/');
      const p = pid === undefined ? '-' : String(pid);
      const e = endpointsOf(n);
      const where = [e.redis, e.http, e.peer];
      rows.push(s === undefined ? [n.id, p, pid === undefined ? 'not running' : 'unreachable', '', '', '', '', '', '', '', ...where] : [n.id, p, !s.up ? `stopped: ${s.failure ?? ''}` : s.repairing ? `${s.role}, repairing to ${s.repairUntil}` : s.role, String(s.term), s.leader ?? '-', String(s.commit), String(s.applied), lag, String(s.keys), String(s.clients), ...where]);
    }
    const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    for (const r of rows) process.stdout.write(r.map((x, c) => x.padEnd(w[c])).join('  ').trimEnd() + '\n');
  }
  const leaders = all.filter(({ s }) => s?.role === 'leader');
  return leaders.length === 1 && all.every(({ s }) => s !== undefined);
}

export async function backup(dir: string, o: { data: string }): Promise<number> {
  try {
    const info = await backupCluster(o.data, dir);
    process.stdout.write(`backup of index ${info.index} (term ${info.term}, ${info.keys} key${info.keys === 1 ? '' : 's'}, ${info.bytes} bytes) taken by ${info.from} into ${dir}\n`);
    return 0;
  } catch (e) {
    if (isBackupError(e) || isMemberOpError(e)) throw new ScenarioError(cli, e.option, e.message);
    if (isStorageCorruptError(e)) throw new ScenarioError(cli, '--data', e.message);
    throw e;
  }
}

export async function restore(dir: string, o: { data: string; nodes: string }): Promise<number> {
  const nodes = Number(o.nodes);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 99) throw new ScenarioError(cli, '--nodes', `a number of nodes from 1 to 99 (got "${o.nodes}")`);
  try {
    const info = await restoreCluster(dir, o.data, nodes);
    process.stdout.write(`restored index ${info.index} (term ${info.term}, ${info.keys} key${info.keys === 1 ? '' : 's'}) into ${nodes} nodes in ${o.data}; start them: pillars cluster up --nodes ${nodes} --data ${o.data}\n`);
    return 0;
  } catch (e) {
    if (isBackupError(e)) throw new ScenarioError(cli, e.option, e.message);
    throw e;
  }
}
