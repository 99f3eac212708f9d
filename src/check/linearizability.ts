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
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** A register per key: read, write, delete, cas [expected, new], incr. */
export const registerModel: Model<unknown> = {
  name: 'register',
  perKey: true,
  init: () => null,
  key: (s) => JSON.stringify(s ?? null),
  steps(state, op) {
    let next: unknown;
    switch (op.f) {
      case 'read':
        return same(op.value, state) ? [state] : [];
      case 'write':
        next = op.value;
        break;
      case 'delete':
        next = null;
        break;
      case 'cas': {
        const [expected, value] = op.value as [unknown, unknown];
        if (!same(expected, state)) return op.info ? [state] : [];
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
  init: () => ({}),
  key: (s) => JSON.stringify(Object.keys(s).sort().map((k) => [k, s[k]])),
  steps(state, op) {
    const key = op.key ?? '';
    switch (op.f) {
      case 'read':
        return same(op.value, state[key] ?? null) ? [state] : [];
      case 'write': {
        const next = { ...state, [key]: Number(op.value) };
        return op.info ? [next, state] : [next];
      }
      case 'transfer': {
        const { to, amount } = op.value as { to: string; amount: number };
        const from = state[key] ?? 0;
        if (from < amount) return op.info ? [state] : [];
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
    s.add(JSON.stringify(v ?? null));
  };
  const written = new Map<string, number>();
  const derived = new Set<string | undefined>();
  for (const op of ops) {
    if (op.f === 'read' && !op.info) see(op.key, op.value);
    if (op.f === 'cas') see(op.key, (op.value as [unknown, unknown])[0]);
    if (op.f === 'incr') derived.add(op.key);
    const w = op.f === 'write' ? op.value : op.f === 'cas' ? (op.value as [unknown, unknown])[1] : undefined;
    if (w !== undefined) written.set(`${op.key}|${JSON.stringify(w)}`, (written.get(`${op.key}|${JSON.stringify(w)}`) ?? 0) + 1);
  }
  const kept = ops.filter((op) => {
    if (!op.info || (op.f !== 'write' && op.f !== 'cas') || derived.has(op.key)) return true;
    const w = op.f === 'write' ? op.value : (op.value as [unknown, unknown])[1];
    const unique = written.get(`${op.key}|${JSON.stringify(w)}`) === 1;
    return !unique || observed.get(op.key)?.has(JSON.stringify(w ?? null)) === true;
  });
  return kept.map((op, id) => ({ ...op, id }));
}

/** Search steps per independent group before the checker gives up and answers "unknown". */
export const searchStepsMax = 2_000_000;

export function checkLinearizable(events: readonly HistoryEvent[], model: Model<any>, stepsMax = searchStepsMax): LinearizabilityResult {
  const ops = pruneUnobservedInfo(operationsOf(events), model);
  const groups = new Map<string | undefined, Op[]>();
  for (const op of ops) {
    const k = model.perKey ? op.key : undefined;
    let g = groups.get(k);
    if (g === undefined) groups.set(k, (g = []));
    g.push(op);
  }
  let steps = 0;
  for (const [key, group] of [...groups].sort(([a], [b]) => String(a).localeCompare(String(b)))) {
    const r = checkGroup(group, model, stepsMax);
    steps += r.steps;
    if (r.unknown) return { ok: false, unknown: true, operations: ops.length, keys: groups.size, steps, unknownKey: key };
    if (r.violation !== undefined) return { ok: false, operations: ops.length, keys: groups.size, violation: { key, ...r.violation }, steps };
  }
  return { ok: true, operations: ops.length, keys: groups.size, steps };
}

interface Node {
  op: Op;
  isCall: boolean;
  match: Node | undefined; // a call's return
  prev: Node | undefined;
  next: Node | undefined;
}

/** Lowe's just-in-time linearization search over one independent group of operations. */
function checkGroup(ops: Op[], model: Model<any>, stepsMax: number): { steps: number; unknown?: boolean; violation?: Omit<Violation, 'key'> } {
  // Events in time order; at equal times calls come first, so touching operations count as concurrent.
  const events: { t: number; isCall: boolean; op: Op }[] = [];
  for (const op of ops) {
    events.push({ t: op.call, isCall: true, op });
    events.push({ t: op.ret, isCall: false, op });
  }
  events.sort((a, b) => a.t - b.t || (a.isCall === b.isCall ? a.op.id - b.op.id : a.isCall ? -1 : 1));
  const head: Node = { op: undefined as unknown as Op, isCall: false, match: undefined, prev: undefined, next: undefined };
  const callNode = new Map<number, Node>();
  let tail = head;
  for (const e of events) {
    const n: Node = { op: e.op, isCall: e.isCall, match: undefined, prev: tail, next: undefined };
    tail.next = n;
    tail = n;
    if (e.isCall) callNode.set(e.op.id, n);
    else callNode.get(e.op.id)!.match = n;
  }
  const lift = (n: Node) => {
    // Remove the call and its return from the list.
    n.prev!.next = n.next;
    if (n.next) n.next.prev = n.prev;
    const r = n.match!;
    r.prev!.next = r.next;
    if (r.next) r.next.prev = r.prev;
  };
  const unlift = (n: Node) => {
    const r = n.match!;
    r.prev!.next = r;
    if (r.next) r.next.prev = r;
    n.prev!.next = n;
    if (n.next) n.next.prev = n;
  };

  const linearized = new Uint8Array(ops.length);
  const bitsKey = () => {
    let s = '';
    for (let i = 0; i < linearized.length; i += 8) {
      let b = 0;
      for (let j = 0; j < 8 && i + j < linearized.length; j++) b |= linearized[i + j] << j;
      s += String.fromCharCode(b);
    }
    return s;
  };
  const indexOf = new Map(ops.map((op, i) => [op.id, i]));
  const cache = new Set<string>();
  const stack: { node: Node; state: unknown; rest: unknown[] }[] = [];
  let state: unknown = model.init();
  let entry = head.next;
  let steps = 0;
  let best: { order: Op[]; stuck: Op; state: unknown } | undefined;

  /** Try the candidate states of a call in turn; true when one was taken. */
  const tryCandidates = (node: Node, from: unknown, candidates: unknown[]): boolean => {
    while (candidates.length > 0) {
      const next = candidates.shift();
      linearized[indexOf.get(node.op.id)!] = 1;
      const k = bitsKey() + '|' + model.key(next);
      if (!cache.has(k)) {
        cache.add(k);
        stack.push({ node, state: from, rest: candidates });
        state = next;
        lift(node);
        return true;
      }
      linearized[indexOf.get(node.op.id)!] = 0;
    }
    return false;
  };

  while (head.next !== undefined) {
    if (++steps > stepsMax) return { steps, unknown: true };
    const node: Node = entry!;
    if (node.isCall) {
      entry = tryCandidates(node, state, model.steps(state, node.op)) ? head.next : node.next;
      continue;
    }
    // A return reached while its call is still unplaced: the last choice was wrong; undo it.
    if (best === undefined || stack.length > best.order.length) best = { order: stack.map((s) => s.node.op), stuck: node.op, state };
    const top = stack.pop();
    if (top === undefined) break;
    state = top.state;
    linearized[indexOf.get(top.node.op.id)!] = 0;
    unlift(top.node);
    entry = tryCandidates(top.node, top.state, top.rest) ? head.next : top.node.next;
  }
  if (head.next === undefined) return { steps };
  const b = best ?? { order: [], stuck: head.next.op, state };
  const concurrent = ops.filter((o) => o.id !== b.stuck.id && o.call <= b.stuck.ret && o.ret >= b.stuck.call && !b.order.includes(o));
  return { steps, violation: { stuck: b.stuck, concurrent, linearized: b.order, state: model.key(b.state) } };
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
