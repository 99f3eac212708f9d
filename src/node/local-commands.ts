/**
 * The commands a node answers itself, without the store: the connection's own state (AUTH, HELLO,
 * SELECT, CLIENT), liveness (PING, ECHO, TIME), and what clients and tools ask about the server
 * (INFO, CONFIG GET, COMMAND, DBSIZE). Their replies are shaped as Redis shapes them, because tools
 * read them: ioredis waits for `loading:0` in INFO, redis-benchmark reads CONFIG GET save/appendonly,
 * redis-cli asks COMMAND DOCS for its hints.
 */
import type { AuthThrottle } from './auth-throttle.js';
import type { ClientConnection } from './client-connection.js';
import { parseInt64, type RaftKvStatus } from '../truth/index.js';
import { array, bulk, EMPTY_ARRAY, errorReply, integer, map, OK, PONG, type RespProtocol } from './resp.js';
import { collectionCommands } from './collection-commands.js';
import { parseWait } from './wait-command.js';

/** The Redis version tools are told: the command set and reply shapes follow Redis 7. */
export const redisCompatibleVersion = '7.2.0';
export const pillarsVersion = '0.1.0';

/**
 * What these commands read of the node that serves them (kv-node.ts's KvNode, which calls them):
 * named here so that the node's module and this one do not import each other.
 */
export interface LocalNode {
  readonly id: string;
  readonly metrics: { count(name: string): void };
  readonly addresses: { resp?: { port: number } };
  readonly clientCount: number;
  /** The client connections open now, oldest first (CLIENT LIST). */
  clientConnections(): Iterable<ClientConnection>;
  readonly uptimeMs: number;
  readonly passwordRequired: boolean;
  passwordMatches(given: string): boolean;
  readonly authThrottle: Pick<AuthThrottle, 'failed' | 'succeeded'>;
  /** Replicas other than the leader that hold every acknowledged write (WAIT). */
  replicasHoldingAcknowledged(): number;
  status(): RaftKvStatus & { expiringKeys: number };
}

const text = (b: Buffer) => b.toString('latin1');
const wrongArgs = (name: string) => errorReply(`ERR wrong number of arguments for '${name}' command`);

export function localCommand(node: LocalNode, name: string, args: Buffer[], conn: ClientConnection): Buffer {
  const n = args.length;
  const proto = conn.proto;
  switch (name) {
    case 'ping':
      if (n > 2) return wrongArgs(name);
      return n === 2 ? bulk(args[1], proto) : PONG;
    case 'echo':
      return n === 2 ? bulk(args[1], proto) : wrongArgs(name);
    case 'quit':
      return OK;
    case 'unwatch':
      // Inside MULTI it is queued and answers OK in EXEC's reply (the connection forgets its watches then).
      return OK;
    case 'auth':
      return auth(node, conn, n === 2 ? undefined : args[1], args[n - 1], n);
    case 'hello':
      return hello(node, conn, args);
    case 'select':
      if (n !== 2) return wrongArgs(name);
      // One database: 0 is it; any other integer is out of range, as past `databases` in Redis.
      if (parseInt64(text(args[1])) === undefined) return errorReply('ERR value is not an integer or out of range');
      return text(args[1]) === '0' ? OK : errorReply('ERR DB index is out of range');
    case 'client':
      return client(node, conn, args);
    case 'time': {
      if (n !== 1) return wrongArgs(name);
      const us = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
      return array([bulk(String(us / 1_000_000n), proto), bulk(String(us % 1_000_000n), proto)], proto);
    }
    case 'wait':
      return wait(node, args);
    case 'info':
      return bulk(info(node, n > 1 ? text(args[1]).toLowerCase() : 'default'), proto);
    case 'config':
      return config(args, proto);
    case 'command': {
      const sub = n > 1 ? text(args[1]).toLowerCase() : '';
      if (sub === 'count') return n === 2 ? integer(supportedCommands.length) : wrongArgs('command|count');
      // The commands' documentation is not kept here: tools that ask (redis-cli's hints) get none.
      if (sub === '' || sub === 'docs' || sub === 'info' || sub === 'list') return EMPTY_ARRAY;
      return errorReply(`ERR unknown subcommand '${text(args[1]).slice(0, 128)}'. Try COMMAND HELP.`);
    }
    default: {
      const shown = args
        .slice(1, 6)
        .map((a) => `'${text(a).slice(0, 64)}'`)
        .join(' ');
      return errorReply(`ERR unknown command '${text(args[0]).slice(0, 128)}', with args beginning with: ${shown}`);
    }
  }
}

/** The commands this node serves (COMMAND COUNT); kept with planCommand's and the cases above. */
export const supportedCommands = [
  'get', 'set', 'setex', 'psetex', 'setnx', 'del', 'unlink', 'exists', 'incr', 'decr', 'incrby', 'decrby', 'mget', 'mset', 'cas',
  'ttl', 'pttl', 'expire', 'pexpire', 'expireat', 'pexpireat', 'persist', 'type', 'keys', 'scan', 'getset', 'getdel', 'getex',
  'append', 'strlen', 'setrange', 'getrange', 'rename', 'renamenx', 'flushdb', 'flushall', 'multi', 'exec', 'discard', 'watch', 'unwatch',
  'hset', 'hmset', 'hget', 'hmget', 'hdel', 'hgetall', 'hincrby', 'hlen', 'hexists', 'hkeys', 'hvals', 'hscan',
  ...collectionCommands,
  'wait', 'ping', 'echo', 'quit', 'auth', 'hello', 'select', 'client', 'time', 'dbsize', 'info', 'config', 'command',
];

/**
 * WAIT inside MULTI: answered at once, as Redis does there, with the replicas holding every write
 * acknowledged so far. Outside a transaction the connection blocks on it (ConnectionHost.waitForReplicas).
 */
function wait(node: LocalNode, args: Buffer[]): Buffer {
  const parsed = parseWait(args);
  return Buffer.isBuffer(parsed) ? parsed : integer(node.replicasHoldingAcknowledged());
}

function auth(node: LocalNode, conn: ClientConnection, user: Buffer | undefined, password: Buffer, n: number): Buffer {
  if (n < 2) return wrongArgs('auth');
  if (n > 3) return errorReply('ERR syntax error');
  // Without a password the default user takes any (Redis's "nopass"); AUTH <password> alone is a mistake it names.
  if (node.passwordRequired === false && user === undefined) return errorReply('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?');
  const defaultUser = user === undefined || text(user) === 'default';
  if (!defaultUser || (node.passwordRequired && !node.passwordMatches(text(password)))) {
    node.metrics.count('auth_failures');
    conn.authFailures++;
    node.authThrottle.failed(conn.address);
    return errorReply('WRONGPASS invalid username-password pair or user is disabled.');
  }
  conn.authenticated = true;
  node.authThrottle.succeeded(conn.address);
  return OK;
}

function hello(node: LocalNode, conn: ClientConnection, args: Buffer[]): Buffer {
  let proto: RespProtocol = conn.proto;
  let i = 1;
  if (args.length > 1) {
    const v = text(args[1]);
    if (parseInt64(v) === undefined) return errorReply('ERR Protocol version is not an integer or out of range');
    if (v !== '2' && v !== '3') return errorReply('NOPROTO unsupported protocol version');
    proto = Number(v) as RespProtocol;
    i = 2;
  }
  for (; i < args.length; i++) {
    const opt = text(args[i]).toLowerCase();
    if (opt === 'auth' && i + 2 < args.length) {
      const r = auth(node, conn, args[i + 1], args[i + 2], 3);
      if (r !== OK) return r;
      i += 2;
    } else if (opt === 'setname' && i + 1 < args.length) {
      if (!/^[!-~]*$/.test(text(args[i + 1]))) return errorReply('ERR Client names cannot contain spaces, newlines or special characters.');
      conn.name = text(args[++i]);
    } else return errorReply(`ERR Syntax error in HELLO option '${opt}'`);
  }
  if (!conn.authenticated) return errorReply('NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time');
  conn.proto = proto;
  const s = node.status();
  const b = (x: string) => bulk(x, proto);
  return map(
    [
      [b('server'), b('redis')],
      [b('version'), b(redisCompatibleVersion)],
      [b('proto'), integer(proto)],
      [b('id'), integer(conn.serial)],
      [b('mode'), b('standalone')],
      [b('role'), b(s.role === 'leader' ? 'master' : 'replica')],
      [b('modules'), array([], proto)],
    ],
    proto,
  );
}

function client(node: LocalNode, conn: ClientConnection, args: Buffer[]): Buffer {
  const sub = args.length > 1 ? text(args[1]).toLowerCase() : '';
  switch (sub) {
    case 'info':
      if (args.length !== 2) return wrongArgs('client|info');
      return bulk(clientInfoLine(conn), conn.proto);
    case 'list': {
      if (args.length !== 2) return errorReply('ERR syntax error');
      let lines = '';
      for (const c of node.clientConnections()) lines += clientInfoLine(c);
      return bulk(lines, conn.proto);
    }
    case 'setname':
      if (args.length !== 3) return wrongArgs('client|setname');
      // CLIENT LIST separates its fields by spaces: Redis refuses a name that would break its line.
      if (!/^[!-~]*$/.test(text(args[2]))) return errorReply('ERR Client names cannot contain spaces, newlines or special characters.');
      conn.name = text(args[2]);
      return OK;
    case 'getname':
      if (args.length !== 2) return wrongArgs('client|getname');
      return bulk(conn.name === '' ? null : conn.name, conn.proto);
    case 'id':
      if (args.length !== 2) return wrongArgs('client|id');
      return integer(conn.serial);
    case 'setinfo': {
      if (args.length !== 4) return wrongArgs('client|setinfo');
      const attr = text(args[2]).toLowerCase();
      if (attr === 'lib-name') conn.libName = text(args[3]);
      else if (attr === 'lib-ver') conn.libVersion = text(args[3]);
      else return errorReply(`ERR Unrecognized option '${text(args[2])}'`);
      return OK;
    }
    default:
      return errorReply(`ERR unknown subcommand '${sub}'. Try CLIENT HELP.`);
  }
}

/**
 * One client as Redis's CLIENT LIST describes it, field for field; buffers and memory that have no
 * counterpart here (argv-mem, rbs, tot-mem...) are 0. Ends in a newline, as each line of the list does.
 */
function clientInfoLine(c: ClientConnection): string {
  const now = Date.now();
  const s = c.socket;
  const queued = c.transaction.queued;
  const fields: [string, string | number][] = [
    ['id', c.serial],
    ['addr', `${s.remoteAddress ?? ''}:${s.remotePort ?? 0}`],
    ['laddr', `${s.localAddress ?? ''}:${s.localPort ?? 0}`],
    ['fd', -1],
    ['name', c.name],
    ['age', Math.floor((now - c.createdAtMs) / 1000)],
    ['idle', Math.floor((now - c.lastCommandAtMs) / 1000)],
    ['flags', queued === undefined ? 'N' : 'x'],
    ['db', 0],
    ['sub', 0],
    ['psub', 0],
    ['ssub', 0],
    ['multi', queued === undefined ? -1 : queued.length],
    ['qbuf', c.queryBytes],
    ['qbuf-free', 0],
    ['argv-mem', 0],
    ['multi-mem', 0],
    ['rbs', 0],
    ['rbp', 0],
    ['obl', 0],
    ['oll', 0],
    ['omem', s.writableLength],
    ['tot-mem', 0],
    ['events', 'r'],
    ['cmd', c.lastCommand],
    ['user', 'default'],
    ['redir', -1],
    ['resp', c.proto],
    ['lib-name', c.libName],
    ['lib-ver', c.libVersion],
  ];
  return fields.map(([k, v]) => `${k}=${v}`).join(' ') + '\n';
}

/** CONFIG GET answers the settings tools ask about; nothing can be set at run time. */
const configValues: Record<string, string> = {
  save: '',
  appendonly: 'yes',
  // Every acknowledged write was fsynced on a majority: the durability of appendfsync always.
  appendfsync: 'always',
  databases: '1',
  maxmemory: '0',
};

function config(args: Buffer[], proto: RespProtocol): Buffer {
  const sub = args.length > 1 ? text(args[1]).toLowerCase() : '';
  if (args.length < 2) return wrongArgs('config');
  if (sub !== 'get') return errorReply(sub === 'set' ? 'ERR CONFIG SET is not supported: start the node with the option instead' : `ERR unknown subcommand '${sub}'. Try CONFIG HELP.`);
  if (args.length < 3) return wrongArgs('config|get');
  const out: Buffer[] = [];
  for (const a of args.slice(2)) {
    const pattern = text(a).toLowerCase();
    for (const [k, v] of Object.entries(configValues)) if (pattern === '*' || pattern === k) out.push(bulk(k, proto), bulk(v, proto));
  }
  return proto === 3 ? map(pairs(out), 3) : array(out, proto);
}

function pairs(flat: Buffer[]): [Buffer, Buffer][] {
  const out: [Buffer, Buffer][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

function info(node: LocalNode, section: string): string {
  const s = node.status();
  const sections: Record<string, string[]> = {
    server: [`redis_version:${redisCompatibleVersion}`, `pillars_version:${pillarsVersion}`, 'redis_mode:standalone', `process_id:${process.pid}`, `tcp_port:${node.addresses.resp?.port ?? 0}`, `uptime_in_seconds:${Math.floor(node.uptimeMs / 1000)}`, `run_id:${node.id}`],
    clients: [`connected_clients:${node.clientCount}`],
    persistence: ['loading:0', 'aof_enabled:1', 'rdb_changes_since_last_save:0', `raft_snapshot_index:${s.snapshotIndex}`],
    replication: [`role:${s.role === 'leader' ? 'master' : 'slave'}`, `raft_role:${s.role}`, `raft_term:${s.term}`, `raft_leader:${s.leader ?? ''}`, `raft_commit_index:${s.commit}`, `raft_applied_index:${s.applied}`],
    keyspace: s.keys > 0 ? [`db0:keys=${s.keys},expires=${s.expiringKeys},avg_ttl=0`] : [],
  };
  const names = section === 'default' || section === 'all' || section === 'everything' ? Object.keys(sections) : Object.keys(sections).filter((k) => k === section);
  return names.map((k) => `# ${k[0].toUpperCase()}${k.slice(1)}\r\n${sections[k].map((l) => `${l}\r\n`).join('')}`).join('\r\n');
}
