/**
 * The limits of a node and their defaults: what a Redis command (commands.ts), a client's connection
 * (client-connection.ts), AUTH (auth-throttle.ts), the protocol parser (resp.ts) and the node
 * (kv-node.ts) allow. Here, importing nothing, so that `pillars node --help` can quote the defaults
 * without loading the node; each of those modules re-exports its own.
 */

/** What one Redis command may carry (commands.ts). */
export interface CommandLimits {
  /** A value (SET, MSET, CAS) above this is refused with an error reply; the connection stays. */
  valueBytesMax: number;
  /** A key above this is refused likewise. */
  keyBytesMax: number;
  /**
   * One write is one Raft entry, replicated, fsynced and applied as a whole: past these (keys, bytes of
   * its arguments) it is refused, never proposed, so it cannot outlast the request timeout while it
   * applies. The client splits it; each part is atomic on its own.
   */
  writeKeysMax: number;
  writeBytesMax: number;
  /**
   * Members of one hash, list, set or sorted set at most: a write that would grow one past it is
   * refused whole, so no single key can take a node's memory (Redis sets no such limit).
   */
  collectionMembersMax: number;
}

export const commandDefaults: CommandLimits = {
  valueBytesMax: 1024 * 1024,
  keyBytesMax: 64 * 1024,
  writeKeysMax: 10_000,
  writeBytesMax: 8 * 1024 * 1024,
  collectionMembersMax: 1_000_000,
};

/**
 * How much a client may make a node hold, after Redis's client-query-buffer-limit and
 * client-output-buffer-limit. Redis sets no output limit for normal clients; here a client that
 * does not read its replies is cut off, since it could otherwise fill the node's memory.
 */
export interface ClientLimits {
  /** Commands read and not yet answered, in bytes: past it the socket stops being read until they are. */
  queryBufferBytesMax: number;
  /** Replies not yet taken by the client, in bytes: past it the client is disconnected at once. */
  outputBufferHardBytes: number;
  /** Past this for outputBufferSoftSeconds, the client is disconnected; meanwhile its commands are not read. */
  outputBufferSoftBytes: number;
  outputBufferSoftSeconds: number;
}

export const clientDefaults: ClientLimits = {
  queryBufferBytesMax: 32 * 1024 * 1024,
  outputBufferHardBytes: 64 * 1024 * 1024,
  outputBufferSoftBytes: 16 * 1024 * 1024,
  outputBufferSoftSeconds: 60,
};

/** How AUTH is slowed after failures (auth-throttle.ts). */
export interface AuthThrottleLimits {
  /** The wait after the first failure; it doubles with each further one. */
  authDelayBaseMs: number;
  /** The wait never grows past this. */
  authDelayMaxMs: number;
  /** A connection that fails this many AUTHs is closed after the last answer. */
  authFailuresPerConnectionMax: number;
  /** An address's failures are forgotten after this long without a new one. */
  authAddressMemoryMs: number;
  /** Addresses remembered at most (the oldest is forgotten first), so a scan of many addresses cannot fill memory. */
  authAddressesMax: number;
}

export const authThrottleDefaults: AuthThrottleLimits = {
  authDelayBaseMs: 100,
  authDelayMaxMs: 5_000,
  authFailuresPerConnectionMax: 10,
  authAddressMemoryMs: 60_000,
  authAddressesMax: 10_000,
};

/** What a request may declare; anything above is refused from its header alone. */
export interface RespLimits {
  /** Largest `$<len>` of one bulk string (Redis's proto-max-bulk-len, 512 MiB there; 16 MiB suits us). */
  bulkBytesMax: number;
  /** Largest `*<count>` of one request array (older Redis's limit; Redis 7 allows up to INT_MAX). */
  arrayItemsMax: number;
  /** Longest inline command or `*`/`$` header line, not counting its line end (Redis's PROTO_INLINE_MAX_SIZE). */
  inlineBytesMax: number;
  /**
   * Largest sum of the `$<len>` of one command (Redis's client-query-buffer-limit, 1 GiB there): checked
   * on each bulk's header, so the bytes are refused before they are buffered.
   */
  commandBytesMax: number;
}

export const defaultRespLimits: Readonly<RespLimits> = Object.freeze({
  bulkBytesMax: 16 * 1024 * 1024,
  arrayItemsMax: 1024 * 1024,
  inlineBytesMax: 64 * 1024,
  commandBytesMax: 1024 * 1024 * 1024,
});

/** Every limit of a node (kv-node.ts). */
export interface NodeLimits extends CommandLimits, ClientLimits, AuthThrottleLimits {
  /** Largest bulk argument a client may declare (Redis's proto-max-bulk-len, 512 MiB there). */
  bulkBytesMax: number;
  /** Client connections at most (Redis's maxclients); one more is told so and closed. */
  clientsMax: number;
  /** A request not answered within this is sent again (its forward may have been lost with a leader). */
  replyWaitMs: number;
  /** First pause before resending a request refused as not applied (no leader yet); doubles up to replyWaitMs. */
  notAppliedBackoffMs: number;
  /** The client hears "outcome unknown" after this. */
  requestTimeoutMs: number;
  /** Out of contact with a working cluster this long, the node answers CLUSTERDOWN at once (ClientGateway). */
  clusterDownAfterMs: number;
  /** Writes are refused while the data directory's file system has less free than this. */
  diskReserveBytes: number;
  /** How often free space is read, and a stopped member tries to restart. */
  diskCheckEveryMs: number;
}

export const nodeDefaults: NodeLimits = {
  ...commandDefaults,
  ...clientDefaults,
  ...authThrottleDefaults,
  bulkBytesMax: defaultRespLimits.bulkBytesMax,
  clientsMax: 10_000,
  replyWaitMs: 1_000,
  notAppliedBackoffMs: 20,
  requestTimeoutMs: 10_000,
  clusterDownAfterMs: 2_000,
  diskReserveBytes: 16 * 1024 * 1024,
  diskCheckEveryMs: 500,
};
