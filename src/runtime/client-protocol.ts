/**
 * The messages between clients and a system under test. Any Process that serves clients answers a
 * ClientRequest with exactly one ClientReply carrying the same id.
 *
 * status: ok (the operation took effect), fail (it certainly did not), info (unknown, e.g. a timeout
 * inside the system). These are the outcomes of a Jepsen history.
 */

/** Operation names of histories; cas values are [expected, new]. */
export const operationNames = ['read', 'write', 'delete', 'cas', 'incr', 'transfer', 'broadcast', 'job', 'set', 'mset', 'del', 'mget', 'exists', 'expire-sweep', 'ttl', 'type', 'keys', 'scan', 'dbsize', 'strlen', 'getrange', 'versions', 'expire', 'persist', 'getset', 'getdel', 'getex', 'append', 'setrange', 'rename', 'flush', 'multi', 'hset', 'hdel', 'hincrby', 'hget', 'hmget', 'hgetall', 'hlen', 'hexists', 'hkeys', 'hvals', 'hscan', 'lpush', 'rpush', 'lpop', 'rpop', 'lset', 'lrem', 'ltrim', 'lrange', 'llen', 'lindex', 'sadd', 'srem', 'smembers', 'sismember', 'scard', 'sinter', 'sunion', 'sdiff', 'zadd', 'zrem', 'zincrby', 'zscore', 'zcard', 'zrank', 'zrange', 'zcount', 'spop', 'sunionstore', 'sinterstore', 'sdiffstore', 'zunionstore', 'zinterstore', 'sscan', 'zscan', 'zremrange', 'zpopmin', 'zpopmax'] as const;
export type OperationName = (typeof operationNames)[number];

/** How many replicas an operation waits for, where the system lets the client choose (Dynamo, Cassandra). */
export type ConsistencyLevel = 'ONE' | 'QUORUM' | 'ALL' | number;

export interface Operation {
  f: OperationName;
  key?: string;
  value?: unknown;
  /** For systems with tunable consistency: this operation's R (reads) or W (writes). */
  consistency?: ConsistencyLevel;
  /**
   * For a write that grows a collection (a hash, list, set or sorted set): the most members it may
   * leave in it. Carried in the log, so every replica refuses the same writes.
   */
  membersMax?: number;
}

export interface ClientRequest {
  type: 'client_request';
  /** Unique per client and increasing; a retry carries the same id. */
  id: number;
  op: Operation;
  /** 1 for the first send, then 2, 3... for retries (a duplicate made by the network repeats it). */
  attempt?: number;
  /**
   * Every request of this client with a smaller id has been answered or given up on: a server
   * keeping results for retries (sessions) may forget them.
   */
  ackedBelow?: number;
}

export type ReplyStatus = 'ok' | 'fail' | 'info';

export interface ClientReply {
  type: 'client_reply';
  id: number;
  status: ReplyStatus;
  value?: unknown;
  error?: string;
  /** The attempt of the request this answers (copied from it), so a client can tell late answers apart. */
  attempt?: number;
}

export function isClientRequest(msg: unknown): msg is ClientRequest {
  return typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === 'client_request';
}

export function isClientReply(msg: unknown): msg is ClientReply {
  return typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === 'client_reply';
}

export function clientReply(req: ClientRequest, status: ReplyStatus, value?: unknown, error?: string): ClientReply {
  const r: ClientReply = { type: 'client_reply', id: req.id, status };
  if (value !== undefined) r.value = value;
  if (error !== undefined) r.error = error;
  if (req.attempt !== undefined) r.attempt = req.attempt;
  return r;
}
