/**
 * `pillars node`: one real node of the replicated KV (src/node/kv-node.ts) as a process. Its
 * options name what it needs: who it is, where it listens for peers and clients, who its peers are,
 * where its data lives, and the secret its peers share. Bad options exit 2 with the option named.
 *
 * The command, its help and the reading of its flags; the node itself (node.ts) is loaded when it
 * runs, so that --help, and the commands that only read a secret, start without Raft and the server.
 */
import { readFileSync, statSync } from 'node:fs';
import { Command } from 'commander';
import { NodeStartError } from '../node/start-error.js';
import { nodeDefaults } from '../node/limits-defaults.js';
import type { KvNodeOptions } from '../node/kv-node.js';
import type { PeerAddress } from '../adapters/tcp-transport.js';

const cli = '(command line)';

/** "host:port", "[v6]:port" or a bare port (on 127.0.0.1: nothing listens beyond loopback unless told). */
/**
 * Bad input to `pillars node`, in the one-line form of every bad input (`<file>: <field>: <expected>`,
 * exit 2). A NodeStartError rather than the scenario layer's error: a node process loads only what it
 * runs (node-main.ts), and the scenario layer is a third of its start.
 */
function badOption(file: string, field: string, expected: string): NodeStartError {
  return new NodeStartError(`${file}: ${field}: ${expected}`);
}

export function parseAddress(text: string, option: string): PeerAddress {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(text) ?? /^()()(\d+)$/.exec(text);
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || !Number.isInteger(port) || port < 0 || port > 65_535) throw badOption(cli, option, `host:port or a port number from 0 to 65535 (got "${text}")`);
  return { host: m[1] || m[2] || '127.0.0.1', port };
}

/** "n2=127.0.0.1:7580,n3=127.0.0.1:7581" */
export function parsePeers(text: string | undefined): Map<string, PeerAddress> {
  const peers = new Map<string, PeerAddress>();
  if (text === undefined || text.trim() === '') return peers;
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const id = part.slice(0, eq).trim();
    if (eq <= 0 || !/^[A-Za-z0-9_.-]+$/.test(id)) throw badOption(cli, '--peers', `id=host:port,... with ids of letters, digits, "_", "." or "-" (got "${part}")`);
    if (peers.has(id)) throw badOption(cli, '--peers', `each peer once (${id} is named twice)`);
    peers.set(id, parseAddress(part.slice(eq + 1).trim(), `--peers ${id}`));
  }
  return peers;
}

function positiveNumber(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw badOption(cli, option, `a positive number (got "${text}")`);
  return n;
}

/** The limits one client may reach (named after Redis's settings where Redis has one). */
function clientLimitsFromFlags(o: NodeFlags): KvNodeOptions['limits'] {
  const limits: KvNodeOptions['limits'] = {};
  const set = <K extends 'bulkBytesMax' | 'queryBufferBytesMax' | 'clientsMax' | 'writeKeysMax' | 'writeBytesMax' | 'collectionMembersMax'>(key: K, text: string | undefined, option: string) => {
    const n = positiveNumber(text, option);
    if (n === undefined) return;
    if (!Number.isSafeInteger(n)) throw badOption(cli, option, `a positive integer (got "${text}")`);
    limits[key] = n;
  };
  set('bulkBytesMax', o.protoMaxBulkLen, '--proto-max-bulk-len');
  set('queryBufferBytesMax', o.clientQueryBufferLimit, '--client-query-buffer-limit');
  set('clientsMax', o.maxclients, '--maxclients');
  set('writeKeysMax', o.writeKeysMax, '--write-keys-max');
  set('writeBytesMax', o.writeBytesMax, '--write-bytes-max');
  set('collectionMembersMax', o.collectionMembersMax, '--collection-members-max');
  if (o.clientOutputBufferLimit !== undefined) {
    // Redis's form for one class: hard bytes, soft bytes, soft seconds.
    const parts = o.clientOutputBufferLimit.trim().split(/\s+/).map(Number);
    if (parts.length !== 3 || !parts.every((n) => Number.isSafeInteger(n) && n > 0)) throw badOption(cli, '--client-output-buffer-limit', `"<hard bytes> <soft bytes> <soft seconds>", three positive integers (got "${o.clientOutputBufferLimit}")`);
    [limits.outputBufferHardBytes, limits.outputBufferSoftBytes, limits.outputBufferSoftSeconds] = parts;
  }
  return limits;
}

/** The cluster secret's shortest length in bytes: 32 random bytes is what `pillars cluster up` makes (256 bits). */
export const clusterSecretBytesMin = 32;

/**
 * A secret from a file (its trimmed text) or an environment variable; never from the command line, where `ps` shows it.
 * As ssh does with a private key, a file that group or others may read (or write) is refused: whoever
 * could read it could join the cluster or log in as any client.
 */
export function readSecret(file: string | undefined, env: string, option: string, required: boolean, bytesMin = 1): string | undefined {
  let text: string | undefined;
  let source = env;
  if (file !== undefined) {
    let mode: number;
    try {
      mode = statSync(file).mode & 0o777;
      text = readFileSync(file, 'utf8').trim();
    } catch (e) {
      throw badOption(file, option, `a readable file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if ((mode & 0o077) !== 0) throw badOption(file, option, `a file only its owner may read (mode 0600 or 0400; it is 0${mode.toString(8).padStart(3, '0')}): chmod 600 ${file}`);
    if (text === '') throw badOption(file, option, 'a file holding the secret (it is empty)');
    source = file;
  } else if (process.env[env] !== undefined && process.env[env]!.trim() !== '') text = process.env[env]!.trim();
  if (text === undefined && required) throw badOption(cli, option, `a cluster secret: ${option} FILE or the environment variable ${env} (pillars cluster up makes one)`);
  if (text !== undefined && Buffer.byteLength(text) < bytesMin) throw badOption(source, option, `a secret of at least ${bytesMin} bytes (it has ${Buffer.byteLength(text)}); make one with: openssl rand -hex 32`);
  return text;
}

interface NodeFlags {
  id: string;
  listen: string;
  peers?: string;
  data: string;
  resp: string;
  http: string;
  secretFile?: string;
  requirepassFile?: string;
  stopWhenStdinCloses?: boolean;
  readMode: string;
  recovery: string;
  valueBytesMax?: string;
  protoMaxBulkLen?: string;
  clientQueryBufferLimit?: string;
  clientOutputBufferLimit?: string;
  maxclients?: string;
  writeKeysMax?: string;
  writeBytesMax?: string;
  collectionMembersMax?: string;
  requestTimeoutMs?: string;
  clusterDownAfterMs?: string;
  diskReserveMb?: string;
  tickMs?: string;
  electionTicks?: string;
  join?: boolean;
}

export function nodeOptionsFromFlags(o: NodeFlags): KvNodeOptions {
  if (!/^[A-Za-z0-9_.-]+$/.test(o.id)) throw badOption(cli, '--id', `a node id of letters, digits, "_", "." or "-" (got "${o.id}")`);
  if (o.readMode !== 'read-index' && o.readMode !== 'lease') throw badOption(cli, '--read-mode', `read-index or lease (got "${o.readMode}")`);
  if (o.recovery !== 'repair' && o.recovery !== 'refuse') throw badOption(cli, '--recovery', `repair or refuse (got "${o.recovery}")`);
  const peers = parsePeers(o.peers);
  if (peers.has(o.id)) peers.delete(o.id);
  const secret = readSecret(o.secretFile, 'PILLARS_CLUSTER_SECRET', '--secret-file', true, clusterSecretBytesMin)!;
  const password = readSecret(o.requirepassFile, 'PILLARS_REQUIREPASS', '--requirepass-file', false);
  const limits: KvNodeOptions['limits'] = {};
  const vb = positiveNumber(o.valueBytesMax, '--value-bytes-max');
  if (vb !== undefined) limits.valueBytesMax = vb;
  Object.assign(limits, clientLimitsFromFlags(o));
  const rt = positiveNumber(o.requestTimeoutMs, '--request-timeout-ms');
  if (rt !== undefined) limits.requestTimeoutMs = rt;
  const down = positiveNumber(o.clusterDownAfterMs, '--cluster-down-after-ms');
  if (down !== undefined) limits.clusterDownAfterMs = down;
  const dr = o.diskReserveMb === undefined ? undefined : Number(o.diskReserveMb);
  if (dr !== undefined) {
    if (!Number.isFinite(dr) || dr < 0) throw badOption(cli, '--disk-reserve-mb', `a number of MiB, 0 or more (got "${o.diskReserveMb}")`);
    limits.diskReserveBytes = dr * 1024 * 1024;
  }
  const raft: KvNodeOptions['raft'] = { readMode: o.readMode, recovery: o.recovery };
  const tick = positiveNumber(o.tickMs, '--tick-ms');
  if (tick !== undefined) raft.tickMs = tick;
  const et = positiveNumber(o.electionTicks, '--election-ticks');
  if (et !== undefined) {
    if (!Number.isInteger(et) || et < 2) throw badOption(cli, '--election-ticks', `an integer of 2 or more (got "${o.electionTicks}")`);
    raft.electionTicks = et;
  }
  if (o.join === true && peers.size === 0) throw badOption(cli, '--join', 'the members of the cluster to join, in --peers id=host:port,...');
  return {
    id: o.id,
    join: o.join === true,
    listen: parseAddress(o.listen, '--listen'),
    peers,
    dataDir: o.data,
    resp: parseAddress(o.resp, '--resp'),
    http: parseAddress(o.http, '--http'),
    secret: Buffer.from(secret, 'utf8'),
    password,
    raft,
    limits,
  };
}

export function nodeCommand(): Command {
  return new Command('node')
    .description('Run one node of the replicated KV (Raft, fsync before acknowledging) with a Redis-protocol port and an HTTP admin port.')
    .requiredOption('--id <id>', 'this node\'s id, e.g. n1')
    .requiredOption('--listen <host:port>', 'where this node listens for its peers')
    .option('--peers <list>', 'the other members: id=host:port,id=host:port (none: a cluster of one)')
    .option('--join', 'join a running cluster whose members --peers names: this node is no voter until pillars cluster member add makes it a learner, then a voter')
    .requiredOption('--data <dir>', "this node's data directory (write-ahead log, snapshots); one directory per node")
    .option('--resp <[host:]port>', 'Redis-protocol port for clients', '127.0.0.1:7379')
    .option('--http <[host:]port>', 'HTTP admin port: /health /ready /status /metrics', '127.0.0.1:7479')
    .option('--secret-file <file>', 'the cluster secret peers must prove (or env PILLARS_CLUSTER_SECRET)')
    .option('--requirepass-file <file>', 'clients must AUTH with this password (or env PILLARS_REQUIREPASS); none by default')
    .option('--read-mode <mode>', 'read-index (linearizable, a heartbeat round per batch of reads) or lease (no round; assumes bounded clock drift)', 'read-index')
    .option('--recovery <mode>', 'a log damaged beyond a torn tail: repair (catch up from the peers before voting, which costs a second fsync per write for the record of what the log held) or refuse (exit 2, as etcd does; one fsync per write)', 'repair')
    .option('--value-bytes-max <n>', `largest value a client may write (default ${nodeDefaults.valueBytesMax})`)
    .option('--proto-max-bulk-len <bytes>', `largest bulk argument a client may declare (default ${nodeDefaults.bulkBytesMax})`)
    .option('--client-query-buffer-limit <bytes>', `largest command, and most command bytes one client may have waiting (default ${nodeDefaults.queryBufferBytesMax})`)
    .option('--client-output-buffer-limit <"hard soft seconds">', `a client whose unread replies pass hard bytes, or soft bytes for that many seconds, is disconnected (default "${nodeDefaults.outputBufferHardBytes} ${nodeDefaults.outputBufferSoftBytes} ${nodeDefaults.outputBufferSoftSeconds}")`)
    .option('--maxclients <n>', `client connections at most (default ${nodeDefaults.clientsMax})`)
    .option('--write-keys-max <n>', `keys in one write (one log entry, e.g. MSET) at most (default ${nodeDefaults.writeKeysMax})`)
    .option('--write-bytes-max <bytes>', `argument bytes of one write at most (default ${nodeDefaults.writeBytesMax})`)
    .option('--collection-members-max <n>', `members of one hash, list, set or sorted set at most: a write past it is refused (default ${nodeDefaults.collectionMembersMax})`)
    .option('--request-timeout-ms <ms>', `a client hears "outcome unknown" after this (default ${nodeDefaults.requestTimeoutMs})`)
    .option('--cluster-down-after-ms <ms>', `with no working leader for this long, requests fail at once with CLUSTERDOWN, or TRYAGAIN for a write that may have applied (default ${nodeDefaults.clusterDownAfterMs})`)
    .option('--disk-reserve-mb <mib>', `refuse writes when less is free on the data directory's disk (default ${nodeDefaults.diskReserveBytes / 1024 / 1024})`)
    .option('--tick-ms <ms>', 'Raft tick (default 50: heartbeats every tick)')
    .option('--election-ticks <n>', 'ticks of silence before an election (default 10: 0.5-1 s)')
    .option('--stop-when-stdin-closes', 'stop as on SIGTERM when standard input closes: pillars cluster up starts its nodes so, and a node never outlives its launcher')
    .addHelpText('after', '\nExit code: 0 after SIGINT/SIGTERM, 2 on bad options or a data directory that cannot be trusted (another node\'s, corrupt).\nExample: pillars node --id n1 --listen 127.0.0.1:7579 --peers n2=127.0.0.1:7580,n3=127.0.0.1:7581 --data /var/lib/pillars/n1 --secret-file cluster.secret')
    .action(async (o: NodeFlags) => {
      const options = nodeOptionsFromFlags(o);
      const { runNode, isStorageCorruptError } = await import('./node.js');
      try {
        await runNode(options, o.stopWhenStdinCloses === true);
      } catch (e) {
        if (isStorageCorruptError(e)) throw badOption(o.data, e.file, `a log this node can trust: corrupt at byte ${e.offset} (${e.reason}); refusing to start`);
        throw e;
      }
    });
}
