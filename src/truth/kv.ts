/**
 * The replicated key-value state machine: get, put, delete, compare-and-set, incr, and a multi-key
 * transfer for the bank. Client sessions (client id + sequence number) make a retried command apply
 * exactly once: a command whose sequence number the session has seen returns the remembered result
 * instead of applying again (Raft thesis §6.3).
 */
import type { Operation } from '../runtime/client-protocol.js';

export type KvResult = { ok: true; value?: unknown } | { ok: false; error: string };

export interface KvCommand {
  /** Who asked, for sessions; absent for commands without a session. */
  session?: { client: string; seq: number };
  op: Operation;
}

interface Session {
  seq: number;
  result: KvResult;
}

/**
 * Sessions remembered, most recent last. A retry older than the last sessionsMax requests would apply
 * again: the bound trades memory (and snapshot size) for how late a retry may come.
 */
export const sessionsMax = 1000;

export class KvStateMachine {
  readonly data = new Map<string, unknown>();
  private readonly sessions = new Map<string, Session>();
  /** Commands applied for real (not answered from a session), e.g. to count duplicate payments. */
  applied = 0;

  apply(cmd: KvCommand): KvResult {
    const s = cmd.session;
    if (s !== undefined) {
      const known = this.sessions.get(s.client);
      if (known !== undefined && s.seq <= known.seq) {
        return s.seq === known.seq ? known.result : { ok: false, error: 'stale sequence number' };
      }
    }
    const result = this.execute(cmd.op);
    this.applied++;
    if (s !== undefined) {
      this.sessions.delete(s.client);
      this.sessions.set(s.client, { seq: s.seq, result });
      if (this.sessions.size > sessionsMax) this.sessions.delete(this.sessions.keys().next().value!);
    }
    return result;
  }

  /** The whole state (data and sessions) as plain data, for a Raft snapshot. */
  snapshot(): { data: [string, unknown][]; sessions: [string, Session][]; applied: number } {
    return { data: [...this.data], sessions: [...this.sessions], applied: this.applied };
  }

  restore(s: { data: [string, unknown][]; sessions: [string, Session][]; applied: number }): void {
    this.data.clear();
    for (const [k, v] of s.data) this.data.set(k, v);
    this.sessions.clear();
    for (const [k, v] of s.sessions) this.sessions.set(k, v);
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
