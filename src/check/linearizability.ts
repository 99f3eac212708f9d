/**
 * A linearizability checker: Wing & Gong's search with Lowe's memoisation (as in Porcupine and
 * Knossos), split per key (P-compositionality, Herlihy & Wing §3.3) for key-value models.
 *
 * Outcomes as Jepsen defines them:
 * - ok: the operation took effect between its invocation and its completion;
 * - fail: it certainly did not take effect, so it is left out;
 * - info: unknown. It may have taken effect at any time after its invocation, or never: it never
 *   completes, and the model may apply it or not. An info read constrains nothing and is left out.
 */
import type { HistoryEvent } from './history.js';
import { compareOrdinal } from '../runtime/ordinal.js';
import { canonical } from '../runtime/canonical.js';
import { ExploredMemo, LinearizedSet } from './linearized-set.js';
import { checkDistinctValueRegister, isDistinctValueRegister } from './register-order.js';

/** One operation as the checker sees it. */
export interface Op {
  id: number;
  process: number;
  f: string;
  key: string | undefined;
  /** For writes and cas: the input; for reads and incr: the observed output (ok) or null (info). */
  value: unknown;
  /** For incr: the amount added (the invocation's value; 1 when it gave none). */
  amount?: number;
  call: number;
  /** Infinity for info operations. */
  ret: number;
  info: boolean;
}

/**
 * A sequential model. `steps` gives the states the operation may lead to from `state`: none when the
 * operation cannot happen there with what it returned; several when the outcome is unknown.
 */
export interface Model<S> {
  name: string;
  init(): S;
  steps(state: S, op: Op): S[];
  /** A stable string for the memo (states are compared by it). */
  key(state: S): string;
  /** Operations are checked independently per key when true. */
  perKey: boolean;
  /**
   * The operations (history `f`) the model gives a meaning to. A history with another is not one this
   * model can judge: refused as bad input, not reported as a violation it never was.
   */
  operations: readonly string[];
  /**
   * True for an operation that never changes the state wherever it can happen (a read): the search
   * places it as soon as it fits and never tries it later.
   */
  observes?(op: Op): boolean;
}

/**
 * Values are equal when they hold the same content: objects compare by their fields, whatever the
 * order the fields were written in (a JSON store may hand them back reordered); absent is null.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  a ??= null;
  b ??= null;
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return canonical(a) === canonical(b);
}

/** A register per key: read, write, delete, cas [expected, new], incr. */
export const registerModel: Model<unknown> = {
  name: 'register',
  perKey: true,
  operations: ['read', 'write', 'delete', 'cas', 'incr'],
  observes: (op) => op.f === 'read',
  init: () => null,
  key: (s) => canonical(s ?? null),
  steps(state, op) {
    let next: unknown;
    switch (op.f) {
      case 'read':
        return sameValue(op.value, state) ? [state] : [];
      case 'write':
        next = op.value;
        break;
      case 'delete':
        next = null;
        break;
      case 'cas': {
        const [expected, value] = op.value as [unknown, unknown];
        if (!sameValue(expected, state)) return op.info ? [state] : [];
        next = value;
        break;
      }
      case 'incr': {
        const sum = Number(state ?? 0) + (op.amount ?? 1);
        if (!op.info && op.value !== null && op.value !== undefined && Number(op.value) !== sum) return [];
        next = sum;
        break;
      }
      default:
        return [];
    }
    return op.info ? [next, state] : [next];
  },
};

/** kv is the register model applied to every key independently. */
export const kvModel: Model<unknown> = { ...registerModel, name: 'kv' };

/** A bank: a map of balances; transfer {to, amount} from op.key; read of one account. Never split per key. */
export const bankModel: Model<Record<string, number>> = {
  name: 'bank',
  perKey: false,
  operations: ['read', 'write', 'transfer'],
  observes: (op) => op.f === 'read',
  init: () => ({}),
  key: (s) => JSON.stringify(Object.keys(s).sort().map((k) => [k, s[k]])),
  steps(state, op) {
    const key = op.key ?? '';
    switch (op.f) {
      case 'read':
        return sameValue(op.value, state[key] ?? null) ? [state] : [];
      case 'write': {
        const next = { ...state, [key]: Number(op.value) };
        return op.info ? [next, state] : [next];
      }
      case 'transfer': {
        const { to, amount } = op.value as { to: string; amount: number };
        const from = state[key] ?? 0;
        if (from < amount) return op.info ? [state] : [];
        // A transfer to the same account moves nothing (the debit and the credit cancel out).
        if (to === key) return [state];
        const next = { ...state, [key]: from - amount, [to]: (state[to] ?? 0) + amount };
        return op.info ? [next, state] : [next];
      }
      default:
        return [];
    }
  },
};

export const models: Record<string, Model<any>> = { register: registerModel, kv: kvModel, bank: bankModel };

export interface Violation {
  key: string | undefined;
  /** The operation that could not be placed, and those concurrent with it that were tried before it. */
  stuck: Op;
  concurrent: Op[];
  /** The longest order found that respects the model, and the state it ends in. */
  linearized: Op[];
  state: string;
}

export interface LinearizabilityResult {
  ok: boolean;
  operations: number;
  keys: number;
  violation?: Violation;
  /** Search steps taken, summed over keys. */
  steps: number;
  /** The search gave up (searchStepsMax) on this group: neither proven nor refuted. */
  unknown?: boolean;
  unknownKey?: string;
}

/** Pair invocations with completions into operations; fail ops and info reads are dropped. */
export function operationsOf(events: readonly HistoryEvent[]): Op[] {
  const open = new Map<number, HistoryEvent>();
  const ops: Op[] = [];
  for (const e of events) {
    if (e.type === 'invoke') {
      open.set(e.process, e);
      continue;
    }
    const call = open.get(e.process);
    if (call === undefined) continue;
    open.delete(e.process);
    if (e.type === 'fail') continue;
    const info = e.type === 'info';
    if (info && call.f === 'read') continue;
    const value = call.f === 'read' || call.f === 'incr' ? (info ? null : e.value) : call.value;
    const op: Op = { id: ops.length, process: call.process, f: call.f, key: call.key, value, call: call.time, ret: info ? Infinity : e.time, info };
    if (call.f === 'incr') op.amount = incrAmount(call.value);
    ops.push(op);
  }
  // Invocations never completed are info operations too (an unanswered read constrains nothing).
  for (const call of open.values()) {
    if (call.f === 'read') continue;
    const op: Op = { id: ops.length, process: call.process, f: call.f, key: call.key, value: call.f === 'incr' ? null : call.value, call: call.time, ret: Infinity, info: true };
    if (call.f === 'incr') op.amount = incrAmount(call.value);
    ops.push(op);
  }
  return ops;
}

/** An incr's invocation carries the amount to add (INCRBY, DECR); histories that give none mean 1. */
function incrAmount(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 1;
}

/**
 * Drop info writes and cas whose written value nobody ever observed (no read returned it, no cas
 * expected it, on that key). Keys that see an incr keep every operation: an incr makes new values
 * out of the one before it, so "info write x=5; ok incr x -> 6" shows the write happened although
 * nothing ever returned 5. "It never happened" is always a possible outcome of an info operation,
 * and with unique written values any order that applies such an operation stays valid without it,
 * so dropping it keeps the verdict and spares the search 2^n choices after crashes.
 */
export function pruneUnobservedInfo(ops: Op[], model: Model<any>): Op[] {
  if (model !== registerModel && model !== kvModel) return ops;
  const observed = new Map<string | undefined, Set<string>>();
  const see = (key: string | undefined, v: unknown) => {
    let s = observed.get(key);
    if (s === undefined) observed.set(key, (s = new Set()));
    s.add(canonical(v ?? null));
  };
  const written = new Map<string, number>();
  const derived = new Set<string | undefined>();
  for (const op of ops) {
    if (op.f === 'read' && !op.info) see(op.key, op.value);
    if (op.f === 'cas') see(op.key, (op.value as [unknown, unknown])[0]);
    if (op.f === 'incr') derived.add(op.key);
    const w = op.f === 'write' ? op.value : op.f === 'cas' ? (op.value as [unknown, unknown])[1] : undefined;
    if (w !== undefined) written.set(`${op.key}|${canonical(w)}`, (written.get(`${op.key}|${canonical(w)}`) ?? 0) + 1);
  }
  const kept = ops.filter((op) => {
    if (!op.info || (op.f !== 'write' && op.f !== 'cas') || derived.has(op.key)) return true;
    const w = op.f === 'write' ? op.value : (op.value as [unknown, unknown])[1];
    const unique = written.get(`${op.key}|${canonical(w)}`) === 1;
    return !unique || observed.get(op.key)?.has(canonical(w ?? null)) === true;
  });
  return kept.map((op, id) => ({ ...op, id }));
}

/**
 * Search steps per independent group before the checker gives up and answers "unknown": a few
 * seconds of search (a step costs 0.1-0.3 µs; one key, 16 processes and 10,000 operations need 3.5
 * million), and a memo of a few hundred MB at most.
 */
export const searchStepsMax = 20_000_000;

export interface CheckOptions {
  /**
   * Decide registers of reads and writes of distinct values by ordering their blocks (O(n log n),
   * register-order.ts) instead of searching. On by default; off to measure the search alone.
   */
  distinctValueOrder?: boolean;
}

export function checkLinearizable(events: readonly HistoryEvent[], model: Model<any>, stepsMax = searchStepsMax, options: CheckOptions = {}): LinearizabilityResult {
  const ops = pruneUnobservedInfo(operationsOf(events), model);
  const groups = new Map<string | undefined, Op[]>();
  for (const op of ops) {
    const k = model.perKey ? op.key : undefined;
    let g = groups.get(k);
    if (g === undefined) groups.set(k, (g = []));
    g.push(op);
  }
  let steps = 0;
  for (const [key, group] of [...groups].sort(([a], [b]) => compareOrdinal(String(a), String(b)))) {
    const byOrder = options.distinctValueOrder !== false && (model === registerModel || model === kvModel) && isDistinctValueRegister(group, valueKey);
    const r = byOrder ? checkByOrder(group) : checkGroup(group, model, stepsMax);
    steps += r.steps;
    if (r.unknown) return { ok: false, unknown: true, operations: ops.length, keys: groups.size, steps, unknownKey: key };
    if (r.violation !== undefined) return { ok: false, operations: ops.length, keys: groups.size, violation: { key, ...r.violation }, steps };
  }
  return { ok: true, operations: ops.length, keys: groups.size, steps };
}

const valueKey = (v: unknown) => canonical(v ?? null);

/** A distinct-value register decided by block order; one step per operation. */
function checkByOrder(ops: Op[]): { steps: number; unknown?: boolean; violation?: Omit<Violation, 'key'> } {
  const v = checkDistinctValueRegister(ops, valueKey);
  if (v === undefined) return { steps: ops.length };
  const onPath = new Set(v.linearized);
  const concurrent = ops.filter((o) => o !== v.stuck && o.call <= v.stuck.ret && o.ret >= v.stuck.call && !onPath.has(o));
  return { steps: ops.length, violation: { ...v, concurrent } };
}

/**
 * One choice on the search path: the operation placed, the state before it, its other outcomes, and
 * the reads placed right after it (they follow from the choice, see `placeFittingReads`).
 */
interface Placement {
  op: number;
  from: number;
  outcomes: readonly number[];
  /** The next outcome to try when the search comes back here. */
  nextOutcome: number;
  reads: number[];
  below: Placement | undefined;
}

const noReads: number[] = [];

/**
 * Lowe's just-in-time linearization search over one independent group of operations, as in
 * Porcupine: walk the invocations and completions in time order; place an operation at its
 * invocation when the model allows it and (linearized set, state) is new; at a completion whose
 * operation is still unplaced, undo the last choice and try its next outcome, or the next operation.
 */
function checkGroup(groupOps: Op[], model: Model<any>, stepsMax: number): { steps: number; unknown?: boolean; violation?: Omit<Violation, 'key'> } {
  // Numbered in invocation order, so that a linearized set is a prefix plus a short window.
  const ops = [...groupOps].sort((a, b) => a.call - b.call || a.id - b.id);
  const n = ops.length;
  // The list of events as typed arrays: node 0 is the head; op i's call is node 2i+1, its return 2i+2.
  const order: number[] = [];
  for (let i = 0; i < n; i++) order.push(2 * i + 1, 2 * i + 2);
  const timeOf = (node: number) => (node & 1 ? ops[(node - 1) >> 1].call : ops[(node - 2) >> 1].ret);
  // At equal times calls come first, so touching operations count as concurrent.
  order.sort((a, b) => timeOf(a) - timeOf(b) || (b & 1) - (a & 1) || a - b);
  const next = new Int32Array(2 * n + 1).fill(-1);
  const prev = new Int32Array(2 * n + 1).fill(-1);
  let tail = 0;
  for (const node of order) {
    next[tail] = node;
    prev[node] = tail;
    tail = node;
  }
  const unlink = (node: number) => {
    next[prev[node]] = next[node];
    if (next[node] !== -1) prev[next[node]] = prev[node];
  };
  const relink = (node: number) => {
    next[prev[node]] = node;
    if (next[node] !== -1) prev[next[node]] = node;
  };
  // Dancing links: an operation is lifted out of the list and put back in the reverse order.
  const lift = (i: number) => {
    unlink(2 * i + 1);
    unlink(2 * i + 2);
  };
  const unlift = (i: number) => {
    relink(2 * i + 2);
    relink(2 * i + 1);
  };

  const states = new StateTable(model, n);
  const linearized = new LinearizedSet(n);
  // About one entry per operation on a history the search walks straight through.
  const explored = new ExploredMemo(n);
  const observer = new Uint8Array(n);
  for (let i = 0; i < n; i++) observer[i] = model.observes?.(ops[i]) === true ? 1 : 0;
  let state = states.initial;
  let top: Placement | undefined;
  let placed = 0;
  let steps = 0;
  let best: { top: Placement | undefined; placed: number; stuck: number; state: number } | undefined;

  /**
   * Place every read that may be placed now and fits the state. A read changes no state, so placing
   * it at once loses nothing (any order that places it later, where it fits the same state, stays
   * valid with it moved here), and the search never has to tell apart the sets that differ only by
   * such reads. Returns the reads placed, in order.
   */
  const placeFittingReads = (): number[] => {
    let reads = noReads;
    let cursor = 0;
    for (let node = next[0]; node !== -1 && node & 1; node = next[cursor]) {
      const i = (node - 1) >> 1;
      if (observer[i] === 0 || states.after(state, i, ops[i]).length === 0) {
        cursor = node;
        continue;
      }
      linearized.add(i);
      lift(i);
      if (reads === noReads) reads = [];
      reads.push(i);
      steps++;
    }
    placed += reads.length;
    return reads;
  };
  const unplaceReads = (reads: number[]) => {
    for (let k = reads.length - 1; k >= 0; k--) {
      unlift(reads[k]);
      linearized.delete(reads[k]);
    }
    placed -= reads.length;
  };

  /** Place op i with the first of its outcomes (from `first` on) that leads somewhere new. */
  const place = (i: number, from: number, outcomes: readonly number[], first: number): boolean => {
    linearized.add(i);
    for (let k = first; k < outcomes.length; k++) {
      // The memo keys the set before the fitting reads: they follow from it and the state.
      if (!explored.addIfNew(linearized, outcomes[k])) continue;
      state = outcomes[k];
      lift(i);
      placed++;
      top = { op: i, from, outcomes, nextOutcome: k + 1, reads: noReads, below: top };
      top.reads = placeFittingReads();
      return true;
    }
    linearized.delete(i);
    return false;
  };

  const initialReads = placeFittingReads();
  let entry = next[0];
  while (next[0] !== -1) {
    if (++steps > stepsMax) return { steps, unknown: true };
    if (entry & 1) {
      const i = (entry - 1) >> 1;
      entry = place(i, state, states.after(state, i, ops[i]), 0) ? next[0] : next[entry];
      continue;
    }
    // A completion reached while its operation is unplaced: the last choice was wrong; undo it.
    if (best === undefined || placed > best.placed) best = { top, placed, stuck: (entry - 2) >> 1, state };
    const undone = top;
    if (undone === undefined) break;
    top = undone.below;
    unplaceReads(undone.reads);
    placed--;
    state = undone.from;
    linearized.delete(undone.op);
    unlift(undone.op);
    entry = place(undone.op, undone.from, undone.outcomes, undone.nextOutcome) ? next[0] : next[2 * undone.op + 1];
  }
  if (next[0] === -1) return { steps };
  const b = best ?? { top: undefined, placed, stuck: (next[0] - 1) >> 1, state };
  const path: Op[] = [];
  for (let p = b.top; p !== undefined; p = p.below) {
    for (let k = p.reads.length - 1; k >= 0; k--) path.push(ops[p.reads[k]]);
    path.push(ops[p.op]);
  }
  for (let k = initialReads.length - 1; k >= 0; k--) path.push(ops[initialReads[k]]);
  path.reverse();
  const stuck = ops[b.stuck];
  const onPath = new Set(path);
  const concurrent = ops.filter((o) => o !== stuck && o.call <= stuck.ret && o.ret >= stuck.call && !onPath.has(o));
  return { steps, violation: { stuck, concurrent, linearized: path, state: model.key(states.value(b.state)) } };
}

/**
 * Model states numbered once, so the memo compares integers. Most steps lead back to a state seen
 * before (a read keeps it; a write always writes the same value), which an identity check per
 * operation recognises without serialising it again.
 */
class StateTable {
  private readonly values: unknown[] = [];
  private readonly ids = new Map<string, number>();
  private readonly lastValue: unknown[];
  private readonly lastId: Int32Array;
  readonly initial: number;

  constructor(
    private readonly model: Model<any>,
    ops: number,
  ) {
    this.lastValue = new Array(ops);
    this.lastId = new Int32Array(ops).fill(-1);
    this.initial = this.intern(model.init());
  }

  value(id: number): unknown {
    return this.values[id];
  }

  /** The states op i may lead to from state `from` (none when it cannot happen there). */
  after(from: number, i: number, op: Op): number[] {
    const current = this.values[from];
    const outcomes = this.model.steps(current, op);
    const ids: number[] = new Array(outcomes.length);
    for (let k = 0; k < outcomes.length; k++) {
      const s = outcomes[k];
      if (s === current) ids[k] = from;
      else if (this.lastId[i] >= 0 && s === this.lastValue[i]) ids[k] = this.lastId[i];
      else {
        ids[k] = this.intern(s);
        this.lastValue[i] = s;
        this.lastId[i] = ids[k];
      }
    }
    return ids;
  }

  private intern(s: unknown): number {
    const key = this.model.key(s);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(s);
      this.ids.set(key, id);
    }
    return id;
  }
}

/** A human account of a violation: the operations that cannot be ordered. */
export function describeViolation(v: Violation): string {
  const fmt = (o: Op) => `  process ${o.process} ${o.f}${o.key !== undefined ? ` ${o.key}` : ''} ${JSON.stringify(o.value)} [${(o.call / 1e6).toFixed(3)} ms, ${o.ret === Infinity ? 'never answered' : `${(o.ret / 1e6).toFixed(3)} ms`}]${o.info ? ' (info)' : ''}`;
  const tail = v.linearized.slice(-5);
  return [
    `not linearizable${v.key !== undefined ? ` on key ${v.key}` : ''}: no order of the operations explains this one:`,
    fmt(v.stuck),
    `after the longest valid order found (${v.linearized.length} operations${tail.length < v.linearized.length ? ', last 5 shown' : ''}), which leaves the state at ${v.state}:`,
    ...tail.map(fmt),
    ...(v.concurrent.length > 0 ? ['and with these operations concurrent to it:', ...v.concurrent.slice(0, 10).map(fmt)] : []),
  ].join('\n');
}
