/**
 * The replicated key-value state machine: get, put, delete, compare-and-set, incr, and a multi-key
 * transfer for the bank; and what a Redis client asks of a server: SET with NX, XX and a time to
 * live, DEL and EXISTS of several keys, MGET, MSET (atomic), INCRBY on integer strings.
 *
 * Time to live is deterministic: a command carries the proposing leader's clock (`nowMs`), every
 * replica computes the same deadline from it, and a key whose deadline passed is absent to every
 * command; reads served outside the log (ReadIndex) judge by the leader's clock. Expired keys are
 * removed for good by an `expire-sweep` command the leader proposes, so memory does not keep them. Client sessions (client id + sequence number) make a retried command apply
 * exactly once (Raft thesis §6.3): the session remembers the result of every request the client may
 * still retry and answers a retry with it instead of applying again. Each request also says which of
 * the client's requests were answered (all below `ackedBelow`); their results are forgotten, and a
 * late copy of one of them is refused rather than applied a second time.
 */
import type { Operation } from '../runtime/client-protocol.js';
import { invariant } from '../runtime/invariant.js';
import { byteRange, globMatch, Keyspace, overwriteAt, parseInt64, scanStep } from './kv-keyspace.js';
export { parseInt64 } from './kv-keyspace.js';
import { collectionOperations, collectionReads, collectionSize, collectionTooLargeError, collectionType, combineSets, combineSortedSets, decodeCollection, emptyCollection, encodeCollection, membersAdded, queryCollection, RedisSet, writeCollection, type Collection, type ZStoreArgs } from './kv-collections.js';

export type KvResult = { ok: true; value?: unknown } | { ok: false; error: string };

export interface KvCommand {
  /** Who asked, for sessions; absent for commands without a session. */
  session?: { client: string; seq: number; ackedBelow?: number };
  op: Operation;
  /** The proposing leader's clock: the time every replica judges expiry by for this command. */
  nowMs?: number;
  /**
   * A 32-bit number the proposing leader drew through its Context, for the commands that pick at
   * random (SPOP): every replica picks the same members from it. Drawn only for those commands.
   */
  random?: number;
}

/** Whether a command picks at random, so that its proposer must draw `random` for it. */
export function needsRandom(op: Operation): boolean {
  return op.f === 'spop' || (op.f === 'multi' && (op.value as TransactionArgs).ops.some(needsRandom));
}

/** The value of a `set` operation: Redis's SET with its conditions and time to live. */
export interface SetArgs {
  v: unknown;
  /** Only if the key does not exist (NX) / only if it does (XX). */
  nx?: boolean;
  xx?: boolean;
  /** Expire this many ms after the command's nowMs (EX, PX); without it (or atMs) the key's TTL is cleared. */
  ttlMs?: number;
  /** Expire at this absolute time in ms on the leaders' clocks (EXAT, PXAT); a past time removes the key. */
  atMs?: number;
  /** Keep the key's time to live (KEEPTTL). */
  keepTtl?: boolean;
  /** Answer with the value the key held before, or null (GET): the result is then that value, written or not. */
  get?: boolean;
}

/** Operations that read only: served after ReadIndex (or a lease) without going through the log. */
export const readOnlyOperations: ReadonlySet<string> = new Set(['read', 'mget', 'exists', 'ttl', 'type', 'keys', 'scan', 'dbsize', 'strlen', 'getrange', 'versions', 'hget', 'hmget', 'hgetall', 'hlen', 'hexists', 'hkeys', 'hvals', 'hscan', ...collectionReads]);

/** Redis's error for a command on a key of another type (a string command on a hash, or the reverse). */
export const wrongTypeError = 'WRONGTYPE Operation against a key holding the wrong kind of value';

/** What a read answers instead of a value when the key holds another type (a read's answer is a value, not an error). */
export const WRONG_TYPE = Object.freeze({ wrongType: true });
export const isWrongType = (v: unknown): boolean => typeof v === 'object' && v !== null && (v as { wrongType?: unknown }).wrongType === true;

/** A hash is kept as a Map of its fields (insertion order, as a small Redis hash answers); anything else is a string. */
type Hash = Map<string, string>;
const isHash = (v: unknown): v is Hash => v instanceof Map;
/** A string (or what a string command reads as one: INCR's numbers, the simulator's plain values); not a hash, list, set or sorted set. */
const isString = (v: unknown): boolean => !isHash(v) && collectionType(v) === undefined;

/** Operations on strings: against a hash they are WRONGTYPE. */
const stringOperations: ReadonlySet<string> = new Set(['incr', 'getset', 'getdel', 'getex', 'append', 'setrange', 'cas']);
const hashOperations: ReadonlySet<string> = new Set(['hset', 'hdel', 'hincrby', ...['hget', 'hmget', 'hgetall', 'hlen', 'hexists', 'hkeys', 'hvals', 'hscan']]);

/** EXPIRE and friends: a deadline relative to the command's clock or absolute, under a condition. */
export interface ExpireArgs {
  ms: number;
  relative: boolean;
  /** NX: only without a deadline; XX: only with one; GT/LT: only later/earlier than the current one (none counts as never). */
  nx?: boolean;
  xx?: boolean;
  gt?: boolean;
  lt?: boolean;
}

/** GETEX's change to the deadline: a new one (relative or absolute), or none (PERSIST). */
export interface GetExArgs {
  ttlMs?: number;
  atMs?: number;
  persist?: boolean;
}

/** The queued commands of one MULTI/EXEC, applied as one entry unless a watched key changed. */
export interface TransactionArgs {
  ops: Operation[];
  /** Keys and the versions WATCH saw (0: absent); any other version now aborts the whole transaction. */
  watch?: [string, number][];
}

/** Redis's words for a string that would grow past the largest value (APPEND, SETRANGE). */
export const stringTooLongError = 'string exceeds maximum allowed size (proto-max-bulk-len)';

/** Redis's words for INCR on a value that is not an integer. */
export const notAnIntegerError = 'value is not an integer or out of range';
/** Redis's words for an INCR whose result leaves the signed 64-bit range. */
export const incrOverflowError = 'increment or decrement would overflow';

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

/** A 64-bit integer as stored and answered: a number while exact in a double, else its decimal digits. */
function int64Value(n: bigint): number | string {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : String(n);
}

interface Session {
  /** Every request of this client below this sequence number was answered (or given up). */
  ackedBelow: number;
  /** Results of requests not yet known to be answered, by sequence number, oldest first. */
  results: Map<number, KvResult>;
}

/** The plain-data form of the state machine, for a Raft snapshot. */
export interface KvSnapshot {
  data: [string, unknown][];
  sessions: [string, { ackedBelow: number; results: [number, KvResult][] }][];
  applied: number;
  /** Keys with a deadline (absolute ms on the leaders' clocks). */
  expires?: [string, number][];
  /** Key versions for WATCH, and the change counter they come from. */
  versions?: [string, number][];
  changes?: number;
}

/**
 * Clients remembered, least recently active evicted first. A client evicted while a request of its
 * is still being retried would see that request apply twice: the bound is far above the number of
 * clients a scenario runs.
 */
export const sessionsMax = 10_000;

/**
 * Unanswered requests remembered per client. Past it the oldest is forgotten and its sequence number
 * joins the answered ones: a late retry of it is refused, never applied again.
 */
export const sessionRequestsMax = 1_000;

export class KvStateMachine {
  /** Every key's value, and the keys in SCAN's order. */
  readonly data = new Keyspace();
  /** Deadlines of the keys that have one. */
  readonly expires = new Map<string, number>();
  /** For WATCH: each live key's version, the count of changes (to it or any key) when it last changed. */
  private readonly versions = new Map<string, number>();
  private changes = 0;
  private readonly sessions = new Map<string, Session>();
  /** Commands applied for real (not answered from a session), e.g. to count duplicate payments. */
  applied = 0;
  /** The snapshot being taken in slices, if any: its keys' values as of its start (copy-on-write). */
  private frozen: FrozenView | undefined;
  /** The random draw of the command being applied (KvCommand.random). */
  private random = 0;

  apply(cmd: KvCommand): KvResult {
    const s = cmd.session;
    const now = cmd.nowMs ?? -Infinity;
    this.random = cmd.random ?? 0;
    if (s === undefined) {
      this.applied++;
      return this.execute(cmd.op, now);
    }
    const session = this.session(s.client);
    if (s.ackedBelow !== undefined && s.ackedBelow > session.ackedBelow) forgetBelow(session, s.ackedBelow);
    if (s.seq < session.ackedBelow) return { ok: false, error: `stale request ${s.seq}: the client has moved past it` };
    const known = session.results.get(s.seq);
    if (known !== undefined) return known;
    const result = this.execute(cmd.op, now);
    this.applied++;
    session.results.set(s.seq, result);
    if (session.results.size > sessionRequestsMax) forgetBelow(session, session.results.keys().next().value! + 1);
    return result;
  }

  /** The session of a client, made the most recently active. */
  private session(client: string): Session {
    let session = this.sessions.get(client);
    if (session !== undefined) {
      this.sessions.delete(client);
    } else {
      session = { ackedBelow: 0, results: new Map() };
      if (this.sessions.size >= sessionsMax) this.sessions.delete(this.sessions.keys().next().value!);
    }
    this.sessions.set(client, session);
    return session;
  }

  /** How many results the sessions hold (bounded by the acknowledgements clients send). */
  sessionResults(): number {
    let n = 0;
    for (const s of this.sessions.values()) n += s.results.size;
    return n;
  }

  /** The whole state (data and sessions) as plain data, for a Raft snapshot. */
  snapshot(): KvSnapshot {
    return {
      // Hashes change in place: the snapshot takes a copy, as plain data.
      data: [...this.data].map(([k, v]) => [k, plainValue(v)]),
      sessions: [...this.sessions].map(([client, s]) => [client, { ackedBelow: s.ackedBelow, results: [...s.results] }]),
      applied: this.applied,
      expires: [...this.expires],
      versions: [...this.versions],
      changes: this.changes,
    };
  }

  /**
   * Start a snapshot of the state as it is now, copied in slices while commands keep applying
   * (RaftHost takes one so, not to stop the node for the whole copy and encode). The start costs a
   * copy of the key lists only; from then on the first change to a key records its value before
   * (preserve), so every slice reads the state as of the start.
   */
  beginSnapshot(): KvSnapshotSlicer {
    this.frozen?.cancel();
    const frozen = new FrozenView(this.data, this.expires, this.versions, {
      data: [],
      sessions: [...this.sessions].map(([client, s]) => [client, { ackedBelow: s.ackedBelow, results: [...s.results] }]),
      applied: this.applied,
      expires: [],
      versions: [],
      changes: this.changes,
    }, () => {
      if (this.frozen === frozen) this.frozen = undefined;
    });
    this.frozen = frozen;
    return frozen;
  }

  /** Called before any change to a key: a snapshot in progress keeps the key's value as of its start. */
  private preserve(key: string): void {
    this.frozen?.preserve(key);
  }

  restore(s: KvSnapshot): void {
    this.beginRestore(s);
  }

  /**
   * Replace the state with a snapshot's, `head` first (sessions, counters, and whatever its lists
   * hold), then each part (KvSnapshotSlicer.next's) as add() gets it: a follower loads a snapshot
   * of 100k keys in slices. Until the last part the state is partial: nothing may read it.
   */
  beginRestore(head: KvSnapshot): { add(part: Partial<KvSnapshotPart>): void; finish(): void } {
    // The state a snapshot in progress was reading is gone.
    this.frozen?.cancel();
    this.data.clear();
    this.expires.clear();
    this.versions.clear();
    this.sessions.clear();
    for (const [client, { ackedBelow, results }] of head.sessions) this.sessions.set(client, { ackedBelow, results: new Map(results) });
    this.applied = head.applied;
    this.changes = head.changes ?? 0;
    const add = (part: Partial<KvSnapshotPart>) => {
      for (const [k, v] of part.data ?? []) this.data.set(k, isSnapshotHash(v) ? new Map(v.hash) : (decodeCollection(v) ?? v));
      for (const [k, at] of part.expires ?? []) this.expires.set(k, at);
      for (const [k, v] of part.versions ?? []) this.versions.set(k, v);
    };
    add(head);
    return { add, finish: () => {} };
  }

  /** The value of a key, null when absent or expired at `nowMs` (reads served outside the log, after ReadIndex). */
  get(key: string | undefined, nowMs = -Infinity): unknown {
    if (key === undefined) return null;
    const at = this.expires.get(key);
    if (at !== undefined && at <= nowMs) return null;
    return this.data.get(key) ?? null;
  }

  /** A read-only operation (readOnlyOperations) against the state at `nowMs`. */
  query(op: Operation, nowMs = -Infinity): unknown {
    const key = op.key ?? '';
    const value = this.get(key, nowMs);
    if ((op.f === 'read' || op.f === 'strlen' || op.f === 'getrange') && !isString(value)) return WRONG_TYPE;
    if (hashOperations.has(op.f)) return isHash(value) || value === null ? queryHash(op, value ?? new Map()) : WRONG_TYPE;
    const collection = collectionOperations.get(op.f);
    if (collection !== undefined) {
      if (value !== null && collectionType(value) !== collection) return WRONG_TYPE;
      const lookup = (k: string) => {
        const v = this.get(k, nowMs);
        return v === null ? undefined : v instanceof RedisSet ? v : null;
      };
      const answer = queryCollection(op.f, op.value, (value as Collection | null) ?? emptyCollection(collection), lookup);
      return answer === undefined ? WRONG_TYPE : answer;
    }
    switch (op.f) {
      case 'mget':
        // MGET answers nil for a key of another type, as Redis does.
        return (op.value as string[]).map((k) => {
          const v = this.get(k, nowMs);
          return isString(v) ? v : null;
        });
      case 'exists':
        return (op.value as string[]).reduce((n, k) => n + (this.get(k, nowMs) === null ? 0 : 1), 0);
      case 'ttl': {
        // Redis: -2 without the key, -1 without a deadline; seconds are rounded to the nearest.
        if (this.get(key, nowMs) === null) return -2;
        const at = this.expires.get(key);
        if (at === undefined) return -1;
        // Whole milliseconds, as Redis answers: a real leader's clock has fractions.
        const ms = Math.max(0, Math.round(at - nowMs));
        return op.value === 'ms' ? ms : Math.floor((ms + 500) / 1000);
      }
      case 'type':
        return typeName(value);
      case 'keys': {
        const pattern = op.value as string;
        return this.liveKeys(nowMs).filter((k) => globMatch(pattern, k));
      }
      case 'scan': {
        const a = op.value as { cursor: number; count: number; match?: string; type?: string };
        const live = (k: string) => this.get(k, nowMs) !== null;
        const [next, keys] = scanStep(this.data.scanOrder, a.cursor, a.count, live, (k) => (a.match === undefined || globMatch(a.match, k)) && (a.type === undefined || a.type === typeName(this.data.get(k))));
        return [String(next), keys];
      }
      case 'dbsize':
        // Keys whose time has passed count until swept, as Redis counts them until it evicts them.
        return this.data.size;
      case 'strlen':
        return stringOf(this.get(key, nowMs))?.length ?? 0;
      case 'getrange': {
        const [start, end] = op.value as [number, number];
        return byteRange(stringOf(this.get(key, nowMs)) ?? '', start, end);
      }
      case 'versions':
        return (op.value as string[]).map((k) => this.version(k, nowMs));
      default:
        return this.get(op.key, nowMs);
    }
  }

  /** The keys not expired at `nowMs`, in the order they were first written (the same on every replica). */
  private liveKeys(nowMs: number): string[] {
    const out: string[] = [];
    for (const k of this.data.keys()) if (this.get(k, nowMs) !== null) out.push(k);
    return out;
  }

  /** A key's version for WATCH: 0 while it is absent (expired counts as absent). */
  private version(key: string, nowMs: number): number {
    return this.get(key, nowMs) === null ? 0 : (this.versions.get(key) ?? 0);
  }

  /** Record that a key changed, for WATCH. */
  private touch(key: string): void {
    this.preserve(key);
    this.versions.set(key, ++this.changes);
  }

  /** The earliest deadline of any key (Infinity when none): the leader sweeps once it has passed. */
  nextExpiryMs(): number {
    let min = Infinity;
    for (const at of this.expires.values()) if (at < min) min = at;
    return min;
  }

  private put(key: string, value: unknown, ttlMs: number | undefined, now: number): void {
    this.preserve(key);
    this.data.set(key, value);
    this.touch(key);
    if (ttlMs === undefined) this.expires.delete(key);
    else this.expires.set(key, now + ttlMs);
  }

  /** A new value, the key's deadline kept (INCR, APPEND, SETRANGE, CAS, KEEPTTL). */
  private replace(key: string, value: unknown): void {
    this.preserve(key);
    this.data.set(key, value);
    this.touch(key);
  }

  /** A deadline set (a past one removes the key, as Redis does) or cleared (undefined). */
  private setDeadline(key: string, atMs: number | undefined, now: number): void {
    this.touch(key);
    if (atMs === undefined) this.expires.delete(key);
    else if (atMs <= now) this.remove(key, now);
    else this.expires.set(key, atMs);
  }

  /** SET with its options; the result is whether it wrote, or with GET the value before. */
  private set(key: string, a: SetArgs, now: number): KvResult {
    const before = this.get(key, now);
    // Redis answers a SET whose condition fails with nil: not an error, nothing written.
    if ((a.nx && before !== null) || (a.xx && before === null)) return { ok: true, value: a.get ? before : false };
    if (a.keepTtl && this.expires.has(key) && before !== null) this.replace(key, a.v);
    else if (a.atMs !== undefined) {
      this.replace(key, a.v);
      this.setDeadline(key, a.atMs, now);
    } else this.put(key, a.v, a.ttlMs, now);
    return { ok: true, value: a.get ? before : true };
  }

  /** Remove a key (and its deadline); says whether it was there, expired keys not counted. */
  private remove(key: string, now: number): boolean {
    const live = this.get(key, now) !== null;
    this.preserve(key);
    this.data.delete(key);
    this.expires.delete(key);
    this.versions.delete(key);
    return live;
  }

  private execute(op: Operation, now: number): KvResult {
    const key = op.key ?? '';
    const current = this.get(key, now);
    const stringCommand = stringOperations.has(op.f) || (op.f === 'set' && (op.value as SetArgs).get === true);
    if ((stringCommand && !isString(current)) || (hashOperations.has(op.f) && current !== null && !isHash(current))) return { ok: false, error: wrongTypeError };
    if (op.f === 'hset' || op.f === 'hdel' || op.f === 'hincrby') return this.writeHash(op, key, (current as Hash | null) ?? new Map(), now);
    const collection = collectionOperations.get(op.f);
    if (collection !== undefined && !readOnlyOperations.has(op.f)) return this.writeCollection(op, key, collection, current, now);
    switch (op.f) {
      case 'read':
      case 'mget':
      case 'exists':
        return { ok: true, value: this.query(op, now) };
      case 'write':
        this.put(key, op.value, undefined, now);
        return { ok: true };
      case 'delete':
        this.remove(key, now);
        return { ok: true };
      case 'set':
        return this.set(key, op.value as SetArgs, now);
      case 'mset': {
        for (const [k, v] of op.value as [string, unknown][]) this.put(k, v, undefined, now);
        return { ok: true };
      }
      case 'del': {
        let n = 0;
        for (const k of op.value as string[]) if (this.remove(k, now)) n++;
        return { ok: true, value: n };
      }
      case 'expire-sweep': {
        let n = 0;
        for (const [k, at] of this.expires) {
          if (at > now) continue;
          this.preserve(k);
          this.data.delete(k);
          this.expires.delete(k);
          this.versions.delete(k);
          n++;
        }
        return { ok: true, value: n };
      }
      case 'cas': {
        const [expected, next] = op.value as [unknown, unknown];
        const current = this.get(key, now);
        // A counter INCR made is a number; a Redis client compares it by its digits.
        const same = current === expected || (typeof current === 'number' && typeof expected === 'string' && String(current) === expected);
        if (!same) return { ok: false, error: `expected ${JSON.stringify(expected)}, found ${JSON.stringify(current)}` };
        // A compare-and-set keeps the key's time to live, as Redis's SET KEEPTTL would.
        this.replace(key, next);
        return { ok: true };
      }
      case 'incr': {
        const current = toInteger(this.get(key, now));
        if (current === undefined) return { ok: false, error: notAnIntegerError };
        // The delta is a number, or decimal digits where a double would not hold it exactly.
        const next = current + BigInt(op.value as number | string | undefined ?? 1);
        if (next < int64Min || next > int64Max) return { ok: false, error: incrOverflowError };
        // INCR keeps a key's time to live (Redis does the same).
        const value = int64Value(next);
        this.replace(key, value);
        return { ok: true, value };
      }
      case 'transfer': {
        const { to, amount } = op.value as { to: string; amount: number };
        const from = Number(this.data.get(key) ?? 0);
        if (from < amount) return { ok: false, error: `insufficient funds: ${from} < ${amount}` };
        this.replace(key, from - amount);
        this.replace(to, Number(this.data.get(to) ?? 0) + amount);
        return { ok: true };
      }
      default:
        return this.executeKeyspace(op, key, now);
    }
  }

  /** HSET, HDEL, HINCRBY: the hash changes in place; an emptied hash is removed, as in Redis. */
  private writeHash(op: Operation, key: string, hash: Hash, now: number): KvResult {
    // The hash changes in place: a snapshot in progress copies it first.
    this.preserve(key);
    let value: number | string;
    if (op.f === 'hset') {
      const max = op.membersMax;
      if (max !== undefined) {
        const fields = hash.size + new Set((op.value as [string, string][]).map(([f]) => f).filter((f) => !hash.has(f))).size;
        if (fields > max) return { ok: false, error: collectionTooLargeError(fields, max) };
      }
      let added = 0;
      for (const [f, v] of op.value as [string, string][]) {
        if (!hash.has(f)) added++;
        hash.set(f, v);
      }
      value = added;
    } else if (op.f === 'hdel') {
      value = (op.value as string[]).reduce((n, f) => n + (hash.delete(f) ? 1 : 0), 0);
      if (value === 0) return { ok: true, value };
    } else {
      const [field, delta] = op.value as [string, number | string];
      const before = hash.has(field) ? parseInt64(hash.get(field)!) : 0n;
      if (before === undefined) return { ok: false, error: hashNotAnIntegerError };
      const after = before + BigInt(delta);
      if (after < int64Min || after > int64Max) return { ok: false, error: incrOverflowError };
      hash.set(field, String(after));
      value = int64Value(after);
    }
    if (hash.size === 0) this.remove(key, now);
    else if (this.data.get(key) !== hash) this.put(key, hash, undefined, now);
    else this.touch(key);
    return { ok: true, value };
  }

  /** A list, set or sorted-set write: in place, as hashes; an emptied collection is removed, as in Redis. */
  private writeCollection(op: Operation, key: string, type: 'list' | 'set' | 'zset', current: unknown, now: number): KvResult {
    if (current !== null && collectionType(current) !== type) return { ok: false, error: wrongTypeError };
    const first = Array.isArray(op.value) ? (op.value as unknown[])[0] : undefined;
    const c = (current as Collection | null) ?? emptyCollection(type, typeof first === 'string' ? first : undefined);
    // The collection changes in place: a snapshot in progress copies it first.
    if (current !== null) this.preserve(key);
    const max = op.membersMax;
    if (max !== undefined) {
      const members = collectionSize(c) + membersAdded(op.f, op.value, c);
      if (members > max) return { ok: false, error: collectionTooLargeError(members, max) };
    }
    const { result, changed } = writeCollection(op.f, op.value, c, this.random);
    if (!changed) return result;
    if (collectionSize(c) === 0) this.remove(key, now);
    else if (current === null) this.put(key, c, undefined, now);
    else this.touch(key);
    return result;
  }

  /**
   * SUNIONSTORE, SINTERSTORE, SDIFFSTORE, ZUNIONSTORE, ZINTERSTORE: the combination of the sources
   * replaces whatever `key` held (removed when empty, as in Redis); the result is its size.
   */
  private store(op: Operation, key: string, now: number): KvResult {
    const lookup = (k: string) => this.get(k, now) ?? undefined;
    let combined: Collection | undefined;
    if (op.f === 'zunionstore' || op.f === 'zinterstore') combined = combineSortedSets(op.f, op.value as ZStoreArgs, lookup);
    else {
      const f = op.f === 'sunionstore' ? 'sunion' : op.f === 'sinterstore' ? 'sinter' : 'sdiff';
      const members = combineSets(f, op.value as string[], (k) => {
        const v = lookup(k);
        return v === undefined ? undefined : v instanceof RedisSet ? v : null;
      });
      if (members !== undefined) {
        combined = new RedisSet();
        for (const m of members) (combined as RedisSet).add(m);
      }
    }
    if (combined === undefined) return { ok: false, error: wrongTypeError };
    const size = collectionSize(combined);
    if (op.membersMax !== undefined && size > op.membersMax) return { ok: false, error: collectionTooLargeError(size, op.membersMax) };
    this.remove(key, now);
    if (size > 0) this.put(key, combined, undefined, now);
    return { ok: true, value: size };
  }

  /** Redis's string and keyspace writes beyond SET and INCR, and transactions. */
  private executeKeyspace(op: Operation, key: string, now: number): KvResult {
    // A read inside a transaction: answered from the state the transaction has made so far.
    if (readOnlyOperations.has(op.f)) return { ok: true, value: this.query(op, now) };
    switch (op.f) {
      case 'expire': {
        const a = op.value as ExpireArgs;
        if (this.get(key, now) === null) return { ok: true, value: 0 };
        const at = a.relative ? now + a.ms : a.ms;
        const current = this.expires.get(key);
        const refused = (a.nx && current !== undefined) || (a.xx && current === undefined) || (a.gt && (current === undefined || at <= current)) || (a.lt && current !== undefined && at >= current);
        if (refused) return { ok: true, value: 0 };
        this.setDeadline(key, at, now);
        return { ok: true, value: 1 };
      }
      case 'persist': {
        if (this.get(key, now) === null || !this.expires.has(key)) return { ok: true, value: 0 };
        this.setDeadline(key, undefined, now);
        return { ok: true, value: 1 };
      }
      case 'getset': {
        const before = this.get(key, now);
        this.put(key, op.value, undefined, now);
        return { ok: true, value: before };
      }
      case 'getdel': {
        const before = this.get(key, now);
        this.remove(key, now);
        return { ok: true, value: before };
      }
      case 'getex': {
        const value = this.get(key, now);
        const a = op.value as GetExArgs;
        if (value !== null) {
          if (a.persist) this.setDeadline(key, undefined, now);
          else if (a.atMs !== undefined) this.setDeadline(key, a.atMs, now);
          else if (a.ttlMs !== undefined) this.setDeadline(key, now + a.ttlMs, now);
        }
        return { ok: true, value };
      }
      case 'append': {
        const { v, max } = op.value as { v: string; max: number };
        const before = stringOf(this.get(key, now));
        const after = (before ?? '') + v;
        if (after.length > max) return { ok: false, error: stringTooLongError };
        if (before === null) this.put(key, after, undefined, now);
        else this.replace(key, after);
        return { ok: true, value: after.length };
      }
      case 'setrange': {
        const { offset, v, max } = op.value as { offset: number; v: string; max: number };
        const before = stringOf(this.get(key, now));
        // An empty value changes nothing, and does not create the key.
        if (v.length === 0) return { ok: true, value: before?.length ?? 0 };
        if (offset + v.length > max) return { ok: false, error: stringTooLongError };
        const after = overwriteAt(before ?? '', offset, v);
        if (before === null) this.put(key, after, undefined, now);
        else this.replace(key, after);
        return { ok: true, value: after.length };
      }
      case 'rename': {
        const { to, nx } = op.value as { to: string; nx?: boolean };
        const value = this.get(key, now);
        if (value === null) return { ok: false, error: noSuchKeyError };
        if (nx && this.get(to, now) !== null) return { ok: true, value: 0 };
        if (to === key) return { ok: true, value: nx ? 0 : 1 };
        const at = this.expires.get(key);
        this.remove(key, now);
        this.remove(to, now);
        this.replace(to, value);
        this.preserve(to);
        if (at !== undefined) this.expires.set(to, at);
        return { ok: true, value: 1 };
      }
      case 'sunionstore':
      case 'sinterstore':
      case 'sdiffstore':
      case 'zunionstore':
      case 'zinterstore':
        return this.store(op, key, now);
      case 'flush': {
        const n = this.data.size;
        for (const k of [...this.data.keys()]) this.remove(k, now);
        return { ok: true, value: n };
      }
      case 'multi': {
        const a = op.value as TransactionArgs;
        // EXEC after WATCH: any watched key changed (or expired) since, and nothing applies.
        if (a.watch?.some(([k, v]) => this.version(k, now) !== v)) return { ok: true, value: null };
        // Each command of the transaction draws from its own number, so two SPOPs in one EXEC pick independently.
        const random = this.random;
        const results: KvResult[] = [];
        a.ops.forEach((o, i) => {
          this.random = (random + Math.imul(i, 0x9e3779b9)) >>> 0;
          results.push(this.execute(o, now));
        });
        return { ok: true, value: results };
      }
      default:
        return { ok: false, error: `unsupported operation ${op.f}` };
    }
  }
}

/** Redis's words for HINCRBY on a field that is not an integer. */
export const hashNotAnIntegerError = 'hash value is not an integer';

function typeName(v: unknown): string {
  return v === null || v === undefined ? 'none' : isHash(v) ? 'hash' : (collectionType(v) ?? 'string');
}

function isSnapshotHash(v: unknown): v is { hash: [string, string][] } {
  return typeof v === 'object' && v !== null && Array.isArray((v as { hash?: unknown }).hash);
}

/** The hash reads; `hash` is empty for an absent key. */
function queryHash(op: Operation, hash: Hash): unknown {
  switch (op.f) {
    case 'hget':
      return hash.get(op.value as string) ?? null;
    case 'hmget':
      return (op.value as string[]).map((f) => hash.get(f) ?? null);
    case 'hgetall':
      return [...hash];
    case 'hlen':
      return hash.size;
    case 'hexists':
      return hash.has(op.value as string) ? 1 : 0;
    case 'hkeys':
      return [...hash.keys()];
    case 'hvals':
      return [...hash.values()];
    default: {
      // HSCAN: a small hash is answered whole in one call, cursor 0, as Redis answers one (listpack).
      const a = op.value as { match?: string };
      const pairs = [...hash].filter(([f]) => a.match === undefined || globMatch(a.match, f));
      return ['0', pairs.flat()];
    }
  }
}

/** Redis's words for RENAME of a key that does not exist. */
export const noSuchKeyError = 'no such key';

/** A stored value as Redis's string (INCR's numbers are their digits); null when absent. */
function stringOf(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

function forgetBelow(session: Session, ackedBelow: number): void {
  session.ackedBelow = ackedBelow;
  for (const seq of session.results.keys()) if (seq < ackedBelow) session.results.delete(seq);
}

/** A stored value read as an integer for INCR: a number, a decimal integer string, or absent (0). */
function toInteger(v: unknown): bigint | undefined {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : undefined;
  if (typeof v === 'string') return parseInt64(v);
  return undefined;
}

/** A key as a snapshot in progress saw it at its start (undefined: absent from that map). */
interface KeyBefore {
  value: unknown;
  expires: number | undefined;
  version: number | undefined;
}

/** The fields of a KvSnapshot a sliced snapshot hands out in parts (RaftHost's SnapshotSlicer). */
export type KvSnapshotPart = Pick<Required<KvSnapshot>, 'data' | 'expires' | 'versions'>;

export interface KvSnapshotSlicer {
  /** The next part (up to `itemsMax` entries), or undefined once every entry was handed out. */
  next(itemsMax: number): KvSnapshotPart | undefined;
  /** What is not split in parts (sessions, counters), with empty lists where the parts go. */
  head(): KvSnapshot;
  /** The whole snapshot, once next() returned undefined. */
  whole(): KvSnapshot;
  /** Stop: the state machine records nothing more for it. */
  cancel(): void;
}

/** Plain data of a value: a hash is copied, since hashes change in place. */
/** A value as a snapshot holds it: hashes and collections (changed in place) as plain copies. */
const plainValue = (v: unknown): unknown => (isHash(v) ? { hash: [...v] } : (encodeCollection(v) ?? v));

/**
 * The state as of a snapshot's start, read in slices. The key lists are copied at the start (pointers
 * only); a key changed since has its earlier value in `before`, so a slice reads `before` first and
 * the live maps otherwise (which then still hold the start's value).
 */
class FrozenView implements KvSnapshotSlicer {
  private readonly before = new Map<string, KeyBefore>();
  private readonly dataKeys: string[];
  private readonly expiresKeys: string[];
  private readonly versionsKeys: string[];
  private readonly result: Required<KvSnapshot>;
  /** Entries handed out so far, across the three lists in turn. */
  private done = 0;
  private cancelled = false;

  constructor(
    private readonly data: ReadonlyMap<string, unknown>,
    private readonly expires: ReadonlyMap<string, number>,
    private readonly versions: ReadonlyMap<string, number>,
    private readonly headData: Required<KvSnapshot>,
    private readonly onCancel: () => void,
  ) {
    this.dataKeys = [...data.keys()];
    this.expiresKeys = [...expires.keys()];
    this.versionsKeys = [...versions.keys()];
    this.result = { ...headData, data: [], expires: [], versions: [] };
  }

  preserve(key: string): void {
    if (this.before.has(key)) return;
    this.before.set(key, { value: plainValue(this.data.get(key)), expires: this.expires.get(key), version: this.versions.get(key) });
  }

  next(itemsMax: number): KvSnapshotPart | undefined {
    const total = this.dataKeys.length + this.expiresKeys.length + this.versionsKeys.length;
    if (this.done === total) return undefined;
    invariant('kv', !this.cancelled, () => 'a cancelled snapshot was read on');
    invariant('kv', Number.isInteger(itemsMax) && itemsMax > 0, () => `a slice of ${itemsMax} items`);
    const part: KvSnapshotPart = { data: [], expires: [], versions: [] };
    const end = Math.min(total, this.done + itemsMax);
    for (; this.done < end; this.done++) {
      let i = this.done;
      if (i < this.dataKeys.length) {
        const k = this.dataKeys[i];
        const b = this.before.get(k);
        // A key in the list existed at the start: the value is `before`'s if it changed since.
        part.data.push([k, b !== undefined ? b.value : plainValue(this.data.get(k))]);
        continue;
      }
      i -= this.dataKeys.length;
      if (i < this.expiresKeys.length) {
        const k = this.expiresKeys[i];
        const b = this.before.get(k);
        part.expires.push([k, b !== undefined ? b.expires! : this.expires.get(k)!]);
        continue;
      }
      const k = this.versionsKeys[i - this.expiresKeys.length];
      const b = this.before.get(k);
      part.versions.push([k, b !== undefined ? b.version! : this.versions.get(k)!]);
    }
    for (const e of part.data) this.result.data.push(e);
    for (const e of part.expires) this.result.expires.push(e);
    for (const e of part.versions) this.result.versions.push(e);
    if (this.done === total) this.cancel();
    return part;
  }

  head(): KvSnapshot {
    return this.headData;
  }

  whole(): KvSnapshot {
    invariant('kv', this.done === this.dataKeys.length + this.expiresKeys.length + this.versionsKeys.length, () => `whole snapshot asked after ${this.done} entries`);
    return this.result;
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.before.clear();
    this.onCancel();
  }
}
