/**
 * The replicated key-value state machine: get, put, delete, compare-and-set, incr, and a multi-key
 * transfer for the bank. Client sessions (client id + sequence number) make a retried command apply
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
  private readonly sessions = new Map<string, Session>();
  /** Commands applied for real (not answered from a session), e.g. to count duplicate payments. */
  applied = 0;

  apply(cmd: KvCommand): KvResult {
    const s = cmd.session;
    if (s === undefined) {
      this.applied++;
      return this.execute(cmd.op);
    }
    const session = this.session(s.client);
    if (s.ackedBelow !== undefined && s.ackedBelow > session.ackedBelow) forgetBelow(session, s.ackedBelow);
    if (s.seq < session.ackedBelow) return { ok: false, error: `stale request ${s.seq}: the client has moved past it` };
    const known = session.results.get(s.seq);
    if (known !== undefined) return known;
    const result = this.execute(cmd.op);
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
    };
  }

  restore(s: KvSnapshot): void {
    this.data.clear();
    for (const [k, v] of s.data) this.data.set(k, v);
    this.sessions.clear();
    for (const [client, { ackedBelow, results }] of s.sessions) this.sessions.set(client, { ackedBelow, results: new Map(results) });
    this.applied = s.applied;
  }

  /** The value of a key, null when absent (reads served outside the log, after ReadIndex). */
  get(key: string | undefined): unknown {
    return key === undefined ? null : (this.data.get(key) ?? null);
  }

  private execute(op: Operation): KvResult {
    const key = op.key ?? '';
    switch (op.f) {
      case 'read':
        return { ok: true, value: this.get(op.key) };
      case 'write':
        this.data.set(key, op.value);
        return { ok: true };
      case 'delete':
        this.data.delete(key);
        return { ok: true };
      case 'cas': {
        const [expected, next] = op.value as [unknown, unknown];
        const current = this.data.get(key) ?? null;
        if (current !== expected) return { ok: false, error: `expected ${JSON.stringify(expected)}, found ${JSON.stringify(current)}` };
        this.data.set(key, next);
        return { ok: true };
      }
      case 'incr': {
        const next = Number(this.data.get(key) ?? 0) + Number(op.value ?? 1);
        this.data.set(key, next);
        return { ok: true, value: next };
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
