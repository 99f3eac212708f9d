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

export type KvResult = { ok: true; value?: unknown } | { ok: false; error: string };

export interface KvCommand {
  /** Who asked, for sessions; absent for commands without a session. */
  session?: { client: string; seq: number; ackedBelow?: number };
  op: Operation;
  /** The proposing leader's clock: the time every replica judges expiry by for this command. */
  nowMs?: number;
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
export const readOnlyOperations: ReadonlySet<string> = new Set(['read', 'mget', 'exists']);

/** Redis's words for INCR on a value that is not an integer. */
export const notAnIntegerError = 'value is not an integer or out of range';
/** Redis's words for an INCR whose result leaves the signed 64-bit range. */
export const incrOverflowError = 'increment or decrement would overflow';

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

/**
 * A decimal integer as Redis's string2ll accepts it: no sign but a minus, no leading zeros, no "-0",
 * no spaces, within signed 64 bits. Redis stores what INCR can read by these rules alone, so
 * `SET k -0; INCR k` is an error there, and here.
 */
export function parseInt64(s: string): bigint | undefined {
  if (s.length > 20 || !/^(0|-?[1-9][0-9]*)$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < int64Min || n > int64Max ? undefined : n;
}

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
  readonly data = new Map<string, unknown>();
  /** Deadlines of the keys that have one. */
  readonly expires = new Map<string, number>();
  private readonly sessions = new Map<string, Session>();
  /** Commands applied for real (not answered from a session), e.g. to count duplicate payments. */
  applied = 0;

  apply(cmd: KvCommand): KvResult {
    const s = cmd.session;
    const now = cmd.nowMs ?? -Infinity;
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
      data: [...this.data],
      sessions: [...this.sessions].map(([client, s]) => [client, { ackedBelow: s.ackedBelow, results: [...s.results] }]),
      applied: this.applied,
      expires: [...this.expires],
    };
  }

  restore(s: KvSnapshot): void {
    this.data.clear();
    for (const [k, v] of s.data) this.data.set(k, v);
    this.sessions.clear();
    for (const [client, { ackedBelow, results }] of s.sessions) this.sessions.set(client, { ackedBelow, results: new Map(results) });
    this.applied = s.applied;
    this.expires.clear();
    for (const [k, at] of s.expires ?? []) this.expires.set(k, at);
  }

  /** The value of a key, null when absent or expired at `nowMs` (reads served outside the log, after ReadIndex). */
  get(key: string | undefined, nowMs = -Infinity): unknown {
    if (key === undefined) return null;
    const at = this.expires.get(key);
    if (at !== undefined && at <= nowMs) return null;
    return this.data.get(key) ?? null;
  }

  /** A read-only operation (read, mget, exists) against the state at `nowMs`. */
  query(op: Operation, nowMs = -Infinity): unknown {
    switch (op.f) {
      case 'mget':
        return (op.value as string[]).map((k) => this.get(k, nowMs));
      case 'exists':
        return (op.value as string[]).reduce((n, k) => n + (this.get(k, nowMs) === null ? 0 : 1), 0);
      default:
        return this.get(op.key, nowMs);
    }
  }

  /** The earliest deadline of any key (Infinity when none): the leader sweeps once it has passed. */
  nextExpiryMs(): number {
    let min = Infinity;
    for (const at of this.expires.values()) if (at < min) min = at;
    return min;
  }

  private put(key: string, value: unknown, ttlMs: number | undefined, now: number): void {
    this.data.set(key, value);
    if (ttlMs === undefined) this.expires.delete(key);
    else this.expires.set(key, now + ttlMs);
  }

  /** SET with its options; the result is whether it wrote, or with GET the value before. */
  private set(key: string, a: SetArgs, now: number): KvResult {
    const before = this.get(key, now);
    // Redis answers a SET whose condition fails with nil: not an error, nothing written.
    if ((a.nx && before !== null) || (a.xx && before === null)) return { ok: true, value: a.get ? before : false };
    if (a.keepTtl && this.expires.has(key) && before !== null) this.data.set(key, a.v);
    else if (a.atMs !== undefined) {
      this.data.set(key, a.v);
      this.expires.set(key, a.atMs);
    } else this.put(key, a.v, a.ttlMs, now);
    return { ok: true, value: a.get ? before : true };
  }

  /** Remove a key (and its deadline); says whether it was there, expired keys not counted. */
  private remove(key: string, now: number): boolean {
    const live = this.get(key, now) !== null;
    this.data.delete(key);
    this.expires.delete(key);
    return live;
  }

  private execute(op: Operation, now: number): KvResult {
    const key = op.key ?? '';
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
          this.data.delete(k);
          this.expires.delete(k);
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
        this.data.set(key, next);
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
        this.data.set(key, value);
        return { ok: true, value };
      }
      case 'transfer': {
        const { to, amount } = op.value as { to: string; amount: number };
        const from = Number(this.data.get(key) ?? 0);
        if (from < amount) return { ok: false, error: `insufficient funds: ${from} < ${amount}` };
        this.data.set(key, from - amount);
        this.data.set(to, Number(this.data.get(to) ?? 0) + amount);
        return { ok: true };
      }
      default:
        return { ok: false, error: `unsupported operation ${op.f}` };
    }
  }
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
