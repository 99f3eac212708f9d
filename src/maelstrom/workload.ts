/**
 * What a Maelstrom workload is to the harness: the operations its clients send (and how a reply
 * becomes an ok, fail or info in the history), what it tells the nodes before the test (broadcast's
 * topology), the reads it makes once the faults are healed, and the checker that judges the history.
 */
import type { RandomStream } from '../sim/rng.js';
import type { Body } from './protocol.js';
import type { ServiceName } from './services.js';

/** One event of a test's history, in Jepsen's shape (time in ns since the test began). */
export interface HistoryEntry {
  process: number;
  type: 'invoke' | 'ok' | 'fail' | 'info';
  f: string;
  value?: unknown;
  time: number;
  node?: string;
  error?: string;
}

/** An operation a client sends: its request body (the harness adds msg_id) and what to record. */
export interface OpSpec {
  f: string;
  body: Body;
  /** The history's value at invoke (e.g. the element added); default: undefined. */
  value?: unknown;
}

export interface Completion {
  type: 'ok' | 'fail' | 'info';
  value?: unknown;
  error?: string;
}

export interface CheckResult {
  /** true: valid; false: invalid (witness says why); 'unknown': the checker could not decide. */
  valid: boolean | 'unknown';
  /** One line for the terminal. */
  summary: string;
  /** What makes it invalid (or unknown), in words a person reads. */
  witness?: string;
  /** Numbers of the checker (lost elements, duplicate ids...). */
  stats?: Record<string, number>;
}

export interface WorkloadOptions {
  nodes: readonly string[];
  random: RandomStream;
  /** broadcast: the topology to send (grid, line, tree (tree2), tree2..tree4, total, none). */
  topology?: string;
  /** Keys a KV workload spreads over (the txn workloads: keys active at a time). */
  keyCount: number;
  /** txn workloads: micro-operations per transaction, at most (Maelstrom's --max-txn-length). */
  maxTxnLength: number;
  /** txn workloads: writes a key takes before a fresh key replaces it (Maelstrom's --max-writes-per-key). */
  maxWritesPerKey: number;
  /**
   * The consistency models the history must satisfy, every one of them (Maelstrom's
   * --consistency-models); only a workload that declares `consistencyModels` reads it.
   */
  consistencyModels: readonly string[];
}

export interface WorkloadRun {
  /** Messages every node must answer before the test starts (after init), with the reply type expected. */
  setup?(): { node: string; body: Body; replyType: string }[];
  /** The next operation of a client process, or undefined to stay idle this turn. */
  next(process: number): OpSpec | undefined;
  /** Turn the node's reply (or an error body) into the history's completion. */
  complete(op: OpSpec, reply: Body): Completion;
  /** After the faults heal: an operation per node (reads), retried until answered. */
  final?(): { node: string; op: OpSpec }[];
  check(history: readonly HistoryEntry[]): CheckResult;
}

export interface WorkloadDefinition {
  name: string;
  description: string;
  /** The services its nodes are expected to call (started for every test anyway). */
  services?: ServiceName[];
  /** The consistency models its checker can hold a history to; absent: it has one notion of valid. */
  consistencyModels?: readonly string[];
  make(o: WorkloadOptions): WorkloadRun;
}

/** An error reply as a completion: definite errors fail, timeouts and crashes are info. */
export function errorCompletion(reply: Body, definite: (code: unknown) => boolean): Completion {
  const code = reply.code;
  const text = typeof reply.text === 'string' ? reply.text : `error ${String(code)}`;
  return { type: definite(code) ? 'fail' : 'info', error: `${String(code)}: ${text}` };
}

/** Pairs of invocations and completions, per process in order. */
export function operations(history: readonly HistoryEntry[]): { invoke: HistoryEntry; complete: HistoryEntry | undefined }[] {
  const open = new Map<number, number>();
  const out: { invoke: HistoryEntry; complete: HistoryEntry | undefined }[] = [];
  for (const e of history) {
    if (e.type === 'invoke') {
      open.set(e.process, out.length);
      out.push({ invoke: e, complete: undefined });
    } else {
      const i = open.get(e.process);
      if (i !== undefined) {
        out[i].complete = e;
        open.delete(e.process);
      }
    }
  }
  return out;
}
