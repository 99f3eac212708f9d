/**
 * `pillars cluster up` starts a local cluster of node processes, prints where to connect, and stops
 * it cleanly on Ctrl-C; `pillars cluster status` asks every node of a cluster directory how it is.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { ScenarioError } from '../scenario/index.js';
import { clusterFileName, fetchStatus, layoutDefaults, LocalCluster, type ClusterFile } from '../node/launcher.js';

const cli = '(command line)';

function port(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) throw new ScenarioError(cli, option, `a port number from 1 to 65535 (got "${text}")`);
  return n;
}

interface UpFlags {
  nodes: string;
  data: string;
  host: string;
  respBase: string;
  httpBase: string;
  peerBase: string;
  readMode?: string;
}

async function up(o: UpFlags): Promise<void> {
  const nodes = Number(o.nodes);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 99) throw new ScenarioError(cli, '--nodes', `a number of nodes from 1 to 99 (got "${o.nodes}")`);
  const cluster = new LocalCluster({
    nodes,
    dataDir: o.data,
    host: o.host,
    respBase: port(o.respBase, '--resp-base'),
    httpBase: port(o.httpBase, '--http-base'),
    peerBase: port(o.peerBase, '--peer-base'),
    nodeArgs: o.readMode !== undefined ? ['--read-mode', o.readMode] : [],
  });
  let stopping = false;
  cluster.onExit = (n, code, signal) => {
    if (stopping) return;
    process.stderr.write(`${n.id} exited (${signal ?? `code ${code}`}); its last lines (${n.logFile}):\n${cluster.tail(n.id, 10)}\n`);
  };
  cluster.startAll();
  process.stdout.write(`${nodes}-node cluster in ${o.data} (secret: ${cluster.secretFile})\n`);
  for (const n of cluster.nodes) process.stdout.write(`  ${n.id}  redis ${cluster.host}:${n.resp}  http http://${cluster.host}:${n.http}  peer ${cluster.host}:${n.peer}  log ${n.logFile}\n`);
  try {
    const leader = await cluster.waitForLeader(20_000);
    const l = cluster.node(leader);
    process.stdout.write(`leader: ${leader}. Try: redis-cli -p ${l.resp} set hello world   (any node answers; followers forward to the leader)\n`);
    process.stdout.write(`        pillars cluster status --data ${o.data}    Ctrl-C stops the cluster\n`);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
  }
  await new Promise<void>((resolve) => {
    const stop = () => {
      if (stopping) return;
      stopping = true;
      process.stdout.write('\nstopping the cluster...\n');
      cluster.stopAll().then(resolve, resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stdout.write('stopped\n');
}

async function status(o: { data: string; json?: boolean }): Promise<boolean> {
  const file = join(o.data, clusterFileName);
  let layout: ClusterFile;
  try {
    layout = JSON.parse(readFileSync(file, 'utf8')) as ClusterFile;
  } catch (e) {
    throw new ScenarioError(file, '', `a cluster file written by pillars cluster up (${(e as NodeJS.ErrnoException).code ?? 'not JSON'})`);
  }
  const all = await Promise.all(layout.nodes.map(async (n) => ({ n, s: await fetchStatus(n.host, n.http) })));
  if (o.json) {
    process.stdout.write(JSON.stringify(all.map(({ n, s }) => ({ id: n.id, reachable: s !== undefined, ...s })), null, 2) + '\n');
  } else {
    const rows = [['node', 'role', 'term', 'leader', 'commit', 'applied', 'lag', 'keys', 'clients', 'redis']];
    for (const { n, s } of all) {
      const lag = s?.followers === undefined ? '' : Object.values(s.followers).map((f) => f.lag).join('/');
      rows.push(s === undefined ? [n.id, 'unreachable', '', '', '', '', '', '', '', `${n.host}:${n.resp}`] : [n.id, !s.up ? `stopped: ${s.failure ?? ''}` : s.repairing ? `${s.role}, repairing to ${s.repairUntil}` : s.role, String(s.term), s.leader ?? '-', String(s.commit), String(s.applied), lag, String(s.keys), String(s.clients), `${n.host}:${n.resp}`]);
    }
    const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    for (const r of rows) process.stdout.write(r.map((x, c) => x.padEnd(w[c])).join('  ').trimEnd() + '\n');
  }
  const leaders = all.filter(({ s }) => s?.role === 'leader');
  return leaders.length === 1 && all.every(({ s }) => s !== undefined);
}

export function clusterCommand(): Command {
  const c = new Command('cluster').description('A local cluster of real node processes: start one (up), or ask how one is (status).');
  c.command('up')
    .description('Start N nodes on this machine, print their endpoints, and stop them all on Ctrl-C.')
    .option('--nodes <n>', 'how many nodes', '3')
    .requiredOption('--data <dir>', 'the cluster directory: n1/, n2/... data, logs, cluster.json and the secret')
    .option('--host <addr>', 'the address every port binds to', layoutDefaults.host)
    .option('--resp-base <port>', 'Redis port of n1 (n2 the next, ...)', String(layoutDefaults.respBase))
    .option('--http-base <port>', 'HTTP admin port of n1', String(layoutDefaults.httpBase))
    .option('--peer-base <port>', 'peer port of n1', String(layoutDefaults.peerBase))
    .option('--read-mode <mode>', 'read-index (default) or lease')
    .addHelpText('after', '\nExample: pillars cluster up --nodes 3 --data /tmp/kv   then: redis-cli -p 7379 set a 1')
    .action(up);
  c.command('status')
    .description("Ask every node of a cluster directory for its role, term, commit index and lag (GET /status).")
    .requiredOption('--data <dir>', 'the cluster directory given to cluster up')
    .option('--json', 'print the statuses as JSON')
    .addHelpText('after', '\nExit code: 0 when every node answers and one leads, 1 otherwise, 2 on bad input.')
    .action(async (o: { data: string; json?: boolean }) => {
      process.exitCode = (await status(o)) ? 0 : 1;
    });
  return c;
}
