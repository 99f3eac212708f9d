/**
 * A transactional-consistency checker after Jepsen's Elle (Kingsbury & Alvaro, "Elle: Inferring
 * Isolation Anomalies from Experimental Observations", VLDB 2020), for two workloads:
 *
 * - list-append (Maelstrom's txn-list-append): micro-ops ['append', k, x] and ['r', k, list]. Every
 *   appended element is unique per key, so a read names its writers ("recoverability"), and a read
 *   list shows the order of all the versions before it ("traceability"): the longest read of a key
 *   is a prefix of the key's version order, and from it come ww, wr and rw dependencies (the paper's
 *   §4, inferring an Adya-style direct serialization graph from observations).
 * - rw-register: micro-ops ['w', k, v] and ['r', k, v | null] with unique written values per key.
 *   Registers are recoverable but not traceable: a read tells who wrote it (wr), not the version
 *   order. See "What registers do not reveal" below.
 *
 * Outcomes as Jepsen defines them: ok transactions committed; fail ones certainly did not (an
 * element of theirs seen by a read is an aborted read, G1a); info ones may or may not have. An info
 * transaction's reads are unknown and ignored; its writes make edges only where a read proved they
 * happened (an element of its appears in a read), since edges are only drawn from observed versions
 * (the paper's treatment of indeterminate transactions).
 *
 * Anomalies, named as Adya's "Weak Consistency" (2000) and Elle name them: non-cycle ones found
 * while indexing (G1a aborted read, G1b intermediate read, internal inconsistency, duplicate
 * elements, incompatible orders, garbage reads), and cycles in the dependency graph, found per
 * strongly connected component (Tarjan, iterative) by breadth-first searches restricted by edge
 * kinds: G0 (ww only), G1c (ww and wr, at least one wr), G-single (exactly one rw), G2-item (two or
 * more rw). With process or real-time order edges added (Elle's "strong session" and "strict"
 * models), cycles that need them are reported as G0-process ... G2-item-realtime.
 *
 * What registers do not reveal: the order of two writes of a key nobody read in between, so rw
 * edges are inferred for registers only from reads of the initial state (which every committed
 * write of the key overwrote), and ww edges only where a transaction read v1 and then wrote k
 * (v1's writer precedes it: write-follows-read, Elle's wfr-keys assumption). Lost updates (two
 * transactions read v1 and both overwrite it) and write skew on registers are therefore not found.
 *
 * Not inferred for either workload: the place of a committed write no read saw (a lost append is
 * only caught through real-time edges it would have made); the order between a read that is not a
 * prefix of the longest one and the versions after it (no rw edge from it); Elle's G-nonadjacent
 * (cycles whose rw edges are never adjacent, which Cerone's SI also forbids): snapshot isolation is
 * judged by G0, G1, G-single and internal consistency only, as Adya's PL-SI without start edges.
 */
import type { HistoryEvent } from './history.js';
import { IntBuffer } from './int-buffer.js';

export type Key = string | number;
export type AppendMicro = readonly ['append', Key, unknown];
export type WriteMicro = readonly ['w', Key, unknown];
/** For list-append: the list at the key (null when absent, read as empty); for registers: the value. */
export type ReadMicro = readonly ['r', Key, unknown];
export type Micro = AppendMicro | WriteMicro | ReadMicro;

/** One completed transaction. For ok ones, reads carry what they returned. */
export interface Txn {
  process: number;
  type: 'ok' | 'fail' | 'info';
  value: readonly Micro[];
  /** Virtual nanoseconds, as in history.ts. */
  invokeTime: number;
  /** Infinity when never answered. An info completion time bounds nothing: it may take effect later. */
  completeTime: number;
}

/** A Jepsen event of a transaction; history.ts's OperationName has no 'txn', so it is declared here. */
export type TxnEvent = Omit<HistoryEvent, 'f' | 'value'> & { f: 'txn'; value?: readonly Micro[] | null };

export type Workload = 'list-append' | 'rw-register';
export type EdgeKind = 'ww' | 'wr' | 'rw' | 'process' | 'realtime';

type CycleBase = 'G0' | 'G1c' | 'G-single' | 'G2-item';
export type CycleAnomalyKind = CycleBase | `${CycleBase}-process` | `${CycleBase}-realtime`;
export type TxnAnomalyKind = CycleAnomalyKind | 'G1a' | 'G1b' | 'internal' | 'duplicate-elements' | 'incompatible-order' | 'garbage-read';

export type ConsistencyModel = 'read-uncommitted' | 'read-committed' | 'snapshot-isolation' | 'serializable' | 'strong-session-serializable' | 'strict-serializable';

/** A transaction as anomalies name it: its position in the checked array, and itself. */
export interface TxnRef {
  index: number;
  txn: Txn;
}

/**
 * One dependency from -> to (indices). For ww: to's element came right after from's `prior` in the
 * version order (registers: to read `prior`, from's write, then wrote `element`); for wr: to read
 * `element`, from's write, as the last element (registers: the value); for rw: from read a list
 * ending in `prior` (undefined: empty) and to appended `element`, the next one.
 */
export interface DependencyEdge {
  from: number;
  to: number;
  kind: EdgeKind;
  key?: Key;
  element?: unknown;
  prior?: unknown;
  why: string;
}

export interface CycleAnomaly {
  kind: CycleAnomalyKind;
  /** Rotated to start at the lowest index; edges[i] goes from cycle[i] to cycle[(i + 1) % n]. */
  cycle: TxnRef[];
  edges: DependencyEdge[];
}

export type TxnAnomaly =
  | CycleAnomaly
  | { kind: 'G1a'; reader: TxnRef; writer: TxnRef; key: Key; element: unknown }
  | { kind: 'G1b'; reader: TxnRef; writer: TxnRef; key: Key; element: unknown; final: unknown }
  | { kind: 'garbage-read'; reader: TxnRef; key: Key; element: unknown }
  | { kind: 'internal'; txn: TxnRef; key: Key; micro: number; expected: string; read: unknown }
  | { kind: 'duplicate-elements'; reader: TxnRef; key: Key; read: unknown[]; duplicates: unknown[] }
  | { kind: 'incompatible-order'; key: Key; readers: [TxnRef, TxnRef]; a: unknown[]; b: unknown[]; incompatibleReads: number };

export interface TxnCheckOptions {
  /** Force a workload; by default 'append' micro-ops mean list-append and 'w' ones rw-register. */
  workload?: Workload;
  /** Add per-process order edges: checks strong-session-serializable too. */
  process?: boolean;
  /** Add real-time order edges (and process ones): checks strict-serializable too. */
  realtime?: boolean;
  /** The model `valid` answers for; by default the strongest one checked. */
  model?: ConsistencyModel;
  /** Budget of the cycle searches; beyond it, classes not yet searched are left undetermined. */
  cycleSearchEdgeVisitsMax?: number;
}

export interface TxnCheckResult {
  /** Consistent with `model`. */
  valid: boolean;
  model: ConsistencyModel;
  workload: Workload;
  /** Distinct anomaly kinds found, sorted. */
  anomalyTypes: TxnAnomalyKind[];
  /** At most anomaliesPerKindMax of each kind; anomalyCounts has them all. */
  anomalies: TxnAnomaly[];
  anomalyCounts: Partial<Record<TxnAnomalyKind, number>>;
  /** Of the models checked (the four Adya ones, plus the session and strict ones when asked for). */
  violated: ConsistencyModel[];
  consistentWith: ConsistencyModel[];
  /** Not violated by what was found, but a cycle search they depend on ran out of budget. */
  undetermined: ConsistencyModel[];
  txns: number;
  edges: Record<EdgeKind, number>;
  /** Cycle classes whose search stopped at the budget. */
  incompleteSearches: CycleAnomalyKind[];
}

/** Kept per anomaly kind in `anomalies` (all are counted). */
export const anomaliesPerKindMax = 32;
/** Edges looked at by all cycle searches of one check before the rest is given up. */
export const cycleSearchEdgeVisitsMax = 50_000_000;
/** After a component's first cycle, how many more start points are tried for a shorter one. */
export const shorterCycleTriesMax = 16;
/** A list longer than this is shown with its tail only. */
export const renderedElementsMax = 8;

// ---------------------------------------------------------------------------------------------
// Consistency models: Adya's hierarchy, related as Elle's consistency-model namespace does

export const consistencyModels: readonly ConsistencyModel[] = ['read-uncommitted', 'read-committed', 'snapshot-isolation', 'serializable', 'strong-session-serializable', 'strict-serializable'];

const cycleBases: readonly CycleBase[] = ['G0', 'G1c', 'G-single', 'G2-item'];
// Each model forbids what the weaker ones do, plus its own. Duplicates and incompatible orders
// break the total version order every model assumes; internal inconsistency is forbidden from SI
// up (Cerone et al.'s INT axiom), as Elle does.
const forbiddenRU: TxnAnomalyKind[] = ['G0', 'duplicate-elements', 'incompatible-order', 'garbage-read'];
const forbiddenRC: TxnAnomalyKind[] = [...forbiddenRU, 'G1a', 'G1b', 'G1c'];
const forbiddenSI: TxnAnomalyKind[] = [...forbiddenRC, 'G-single', 'internal'];
const forbiddenSER: TxnAnomalyKind[] = [...forbiddenSI, 'G2-item'];
const forbiddenSSS: TxnAnomalyKind[] = [...forbiddenSER, ...cycleBases.map((b) => `${b}-process` as const)];
const forbiddenSTRICT: TxnAnomalyKind[] = [...forbiddenSSS, ...cycleBases.map((b) => `${b}-realtime` as const)];
const forbidden: Record<ConsistencyModel, ReadonlySet<TxnAnomalyKind>> = {
  'read-uncommitted': new Set(forbiddenRU),
  'read-committed': new Set(forbiddenRC),
  'snapshot-isolation': new Set(forbiddenSI),
  serializable: new Set(forbiddenSER),
  'strong-session-serializable': new Set(forbiddenSSS),
  'strict-serializable': new Set(forbiddenSTRICT),
};

/** The anomalies a model forbids (snapshot isolation allows G2-item: write skew). */
export function anomaliesForbiddenBy(model: ConsistencyModel): TxnAnomalyKind[] {
  return [...forbidden[model]];
}

/** The models, among `checked`, that some of these anomalies rule out. */
export function modelsViolatedBy(kinds: Iterable<TxnAnomalyKind>, checked: readonly ConsistencyModel[] = consistencyModels): ConsistencyModel[] {
  const ks = [...kinds];
  return checked.filter((m) => ks.some((k) => forbidden[m].has(k)));
}

/** The models, among `checked`, that none of these anomalies rules out. */
export function modelsConsistentWith(kinds: Iterable<TxnAnomalyKind>, checked: readonly ConsistencyModel[] = consistencyModels): ConsistencyModel[] {
  const bad = new Set(modelsViolatedBy(kinds, checked));
  return checked.filter((m) => !bad.has(m));
}

// ---------------------------------------------------------------------------------------------
// Input

/**
 * Pair invocations with completions (per process, as in history.ts) into transactions, in
 * invocation order. Ok completions carry the reads' results; fail and info ones keep the invoked
 * micro-ops with reads unknown (null). Invocations never answered are info. Events of other `f`
 * are skipped.
 */
export function txnsFromEvents(events: readonly (TxnEvent | HistoryEvent)[]): Txn[] {
  const open = new Map<number, { invoke: TxnEvent | HistoryEvent; index: number }>();
  const txns: Txn[] = [];
  const unread = (v: readonly Micro[]) => v.map((m): Micro => (m[0] === 'r' ? ['r', m[1], null] : m));
  for (const e of events) {
    if (e.f !== 'txn') continue;
    if (e.type === 'invoke') {
      open.set(e.process, { invoke: e, index: txns.length });
      txns.push({ process: e.process, type: 'info', value: unread(microsOf(e.value)), invokeTime: e.time, completeTime: Infinity });
      continue;
    }
    const o = open.get(e.process);
    if (o === undefined) continue;
    open.delete(e.process);
    const t = txns[o.index];
    t.type = e.type;
    t.completeTime = e.time;
    if (e.type === 'ok') t.value = e.value === undefined || e.value === null ? microsOf(o.invoke.value) : microsOf(e.value);
  }
  return txns;
}

function microsOf(v: unknown): readonly Micro[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new TypeError(`a transaction's value must be a list of micro-ops, not ${JSON.stringify(v)}`);
  return v as Micro[];
}

/** Elements and values are compared as primitives; anything else by its JSON text. */
const norm = (v: unknown): unknown => (v !== null && typeof v === 'object' ? JSON.stringify(v) : v === undefined ? null : v);

function normList(v: unknown, at: string): unknown[] {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) throw new TypeError(`${at}: a list-append read must return a list or null, not ${JSON.stringify(v)}`);
  for (const x of v) if (x !== null && typeof x === 'object') return v.map(norm);
  return v;
}

function detectWorkload(txns: readonly Txn[]): Workload {
  let append = false;
  let write = false;
  let listRead = false;
  for (const t of txns)
    for (const m of t.value) {
      if (m[0] === 'append') append = true;
      else if (m[0] === 'w') write = true;
      else if (m[0] === 'r' && Array.isArray(m[2])) listRead = true;
    }
  if (append && write) throw new TypeError('a history mixes appends and register writes; pass options.workload');
  return append ? 'list-append' : write ? 'rw-register' : listRead ? 'list-append' : 'rw-register';
}

// ---------------------------------------------------------------------------------------------
// Shared state of one check

const OK = 0;
const INFO = 1;
const FAIL = 2;

const WW = 1;
const WR = 2;
const RW = 4;
const PROCESS = 8;
const REALTIME = 16;
const DATA = WW | WR | RW;
const kindName: Record<number, EdgeKind> = { [WW]: 'ww', [WR]: 'wr', [RW]: 'rw', [PROCESS]: 'process', [REALTIME]: 'realtime' };

/** Who appended or wrote an element/value of a key. */
interface WriteRec {
  t: number;
  /** The txn's last append/write to this key. */
  final: boolean;
  /** First position in the key's version order; -1 when no read saw it. */
  pos: number;
}

class Check {
  readonly status: Uint8Array;
  readonly counts: Partial<Record<TxnAnomalyKind, number>> = {};
  readonly anomalies: TxnAnomaly[] = [];
  // Edges as parallel arrays: there may be millions of them. Only data edges (which all come
  // before the order ones) carry a key, element and prior.
  readonly eFrom = new IntBuffer();
  readonly eTo = new IntBuffer();
  readonly eKind = new IntBuffer();
  readonly eKey: (Key | undefined)[] = [];
  readonly eElement: unknown[] = [];
  readonly ePrior: unknown[] = [];

  constructor(readonly txns: readonly Txn[], readonly workload: Workload) {
    this.status = new Uint8Array(txns.length);
    txns.forEach((t, i) => (this.status[i] = t.type === 'ok' ? OK : t.type === 'info' ? INFO : FAIL));
  }

  ref(i: number): TxnRef {
    return { index: i, txn: this.txns[i] };
  }

  add(a: TxnAnomaly): void {
    const n = (this.counts[a.kind] ?? 0) + 1;
    this.counts[a.kind] = n;
    if (n <= anomaliesPerKindMax) this.anomalies.push(a);
  }

  edge(from: number, to: number, kind: number, key?: Key, element?: unknown, prior?: unknown): void {
    this.eFrom.push(from);
    this.eTo.push(to);
    this.eKind.push(kind);
    if (kind & DATA) {
      this.eKey.push(key);
      this.eElement.push(element);
      this.ePrior.push(prior);
    }
  }

  /** A graph node: committed, or maybe committed (its edges come only from observed versions). */
  node(t: number): boolean {
    return this.status[t] !== FAIL;
  }
}

function indexWrites(c: Check, op: 'append' | 'w'): Map<Key, Map<unknown, WriteRec>> {
  const writers = new Map<Key, Map<unknown, WriteRec>>();
  c.txns.forEach((txn, t) => {
    let last: Map<Key, WriteRec> | undefined;
    txn.value.forEach((m, i) => {
      if (!Array.isArray(m) || m.length !== 3) throw new TypeError(`T${t}: micro-op ${i} is not [f, key, value]: ${JSON.stringify(m)}`);
      if (m[0] !== op) return;
      const k = m[1];
      const e = norm(m[2]);
      let km = writers.get(k);
      if (km === undefined) writers.set(k, (km = new Map()));
      // Elements are unique per key by the workload's contract: a repeat keeps the first writer.
      if (km.has(e)) return;
      const rec: WriteRec = { t, final: true, pos: -1 };
      km.set(e, rec);
      last ??= new Map();
      const prev = last.get(k);
      if (prev !== undefined) prev.final = false;
      last.set(k, rec);
    });
  });
  return writers;
}

// ---------------------------------------------------------------------------------------------
// List-append: version orders from reads, then ww, wr and rw edges

interface ReadRec {
  t: number;
  m: number;
  list: unknown[];
  /** The txn's first access to the key: what others wrote, not its own appends. */
  external: boolean;
  /** For an external read: the elements the txn appended to the key after it. */
  later: unknown[] | undefined;
}

function analyzeListAppend(c: Check): void {
  const { txns, status } = c;
  const writers = indexWrites(c, 'append');
  const readsByKey = new Map<Key, ReadRec[]>();

  // Internal consistency, and the reads of committed txns (info reads returned nothing we know).
  txns.forEach((txn, t) => {
    if (status[t] !== OK) return;
    const st = new Map<Key, { base: unknown[] | undefined; since: unknown[]; ext: ReadRec | undefined }>();
    txn.value.forEach((m, i) => {
      const k = m[1];
      let s = st.get(k);
      if (m[0] === 'append') {
        const e = norm(m[2]);
        if (s === undefined) st.set(k, (s = { base: undefined, since: [], ext: undefined }));
        s.since.push(e);
        if (s.ext !== undefined) (s.ext.later ??= []).push(e);
        return;
      }
      if (m[0] !== 'r') return;
      const list = normList(m[2], `T${t} micro-op ${i}`);
      const rec: ReadRec = { t, m: i, list, external: s === undefined, later: undefined };
      if (s === undefined) st.set(k, { base: list, since: [], ext: rec });
      else {
        if (internalMismatch(s.base, s.since, list)) {
          const expected = s.base !== undefined ? render([...s.base, ...s.since]) : `a list ending in ${render(s.since)}`;
          c.add({ kind: 'internal', txn: c.ref(t), key: k, micro: i, expected, read: list });
        }
        s.base = list;
        s.since = [];
      }
      let rs = readsByKey.get(k);
      if (rs === undefined) readsByKey.set(k, (rs = []));
      rs.push(rec);
    });
  });

  for (const [k, reads] of readsByKey) {
    const km = writers.get(k) ?? new Map<unknown, WriteRec>();
    // The longest read is the version order as far as anyone saw it (traceability).
    let L = reads[0].list;
    let longest = reads[0];
    for (const r of reads)
      if (r.list.length > L.length) {
        L = r.list;
        longest = r;
      }
    const n = L.length;
    const recs: (WriteRec | undefined)[] = new Array(n);
    const dup = new Uint8Array(n);
    const seen = new Set<unknown>();
    let firstDup = n;
    const bad: number[] = []; // positions of elements nobody committed: aborted or never written
    for (let p = 0; p < n; p++) {
      const e = L[p];
      if (seen.has(e)) {
        dup[p] = 1;
        if (firstDup === n) firstDup = p;
      } else seen.add(e);
      const rec = km.get(e);
      recs[p] = rec;
      if (rec !== undefined && rec.pos < 0) rec.pos = p;
      if (rec === undefined || status[rec.t] === FAIL) bad.push(p);
    }
    const usable = (p: number) => dup[p] === 0 && recs[p] !== undefined && status[recs[p]!.t] !== FAIL;
    // ww: consecutive committed versions by different txns. Versions of failed txns (reported as
    // G1a) are stepped over so the committed ones around them stay ordered.
    let prevP = -1;
    for (let p = 0; p < n; p++) {
      if (!usable(p)) continue;
      if (prevP >= 0 && recs[prevP]!.t !== recs[p]!.t) c.edge(recs[prevP]!.t, recs[p]!.t, WW, k, L[p], L[prevP]);
      prevP = p;
    }
    // nextUsable[p]: the first usable position at or after p (n if none): what overwrites a read of length p.
    const nextUsable = new Int32Array(n + 1);
    nextUsable[n] = n;
    for (let p = n - 1; p >= 0; p--) nextUsable[p] = usable(p) ? p : nextUsable[p + 1];

    let incompatible: ReadRec | undefined;
    let incompatibleReads = 0;
    for (const r of reads) {
      const R = r.list;
      const len = R.length;
      let prefix = len <= n;
      if (prefix && R !== L)
        for (let i = 0; i < len; i++)
          if (R[i] !== L[i]) {
            prefix = false;
            break;
          }
      if (prefix) {
        // A prefix holds exactly the bad elements and duplicates of L before its length.
        for (const p of bad) {
          if (p >= len) break;
          reportBadElement(c, r.t, k, L[p], recs[p]);
        }
        if (firstDup < len) {
          const ds = new Set<unknown>();
          for (let p = firstDup; p < len; p++) if (dup[p]) ds.add(L[p]);
          c.add({ kind: 'duplicate-elements', reader: c.ref(r.t), key: k, read: R, duplicates: [...ds] });
        }
      } else {
        incompatibleReads++;
        incompatible ??= r;
        const s = new Set<unknown>();
        const ds = new Set<unknown>();
        for (const e of R) {
          if (s.has(e)) ds.add(e);
          else {
            s.add(e);
            const rec = km.get(e);
            if (rec === undefined || status[rec.t] === FAIL) reportBadElement(c, r.t, k, e, rec);
          }
        }
        if (ds.size > 0) c.add({ kind: 'duplicate-elements', reader: c.ref(r.t), key: k, read: R, duplicates: [...ds] });
      }
      const last = len > 0 ? R[len - 1] : undefined;
      const lastRec = len > 0 ? km.get(last) : undefined;
      // G1b: the read ends on a state another txn passed through but did not commit.
      if (lastRec !== undefined && lastRec.t !== r.t && status[lastRec.t] !== FAIL && !lastRec.final) {
        const final = txns[lastRec.t].value.filter((m) => m[0] === 'append' && m[1] === k).at(-1)![2];
        c.add({ kind: 'G1b', reader: c.ref(r.t), writer: c.ref(lastRec.t), key: k, element: last, final });
      }
      if (!r.external) continue;
      // A read before the txn's own appends must not contain them.
      if (r.later !== undefined)
        for (const e of r.later) {
          const rec = km.get(e);
          const inside = prefix ? rec !== undefined && rec.t === r.t && rec.pos >= 0 && rec.pos < len : R.includes(e);
          if (inside) c.add({ kind: 'internal', txn: c.ref(r.t), key: k, micro: r.m, expected: `a list without ${render([e])}, which this transaction appends later`, read: R });
        }
      if (lastRec !== undefined && lastRec.t !== r.t && status[lastRec.t] !== FAIL) c.edge(lastRec.t, r.t, WR, k, last);
      if (!prefix) continue; // where it sits in the version order is unknown
      const p = nextUsable[len];
      if (p < n) {
        const w = recs[p]!.t;
        // A read of w's own intermediate state (G1b) says nothing about w's order against the reader.
        if (w !== r.t && !(lastRec !== undefined && lastRec.t === w)) c.edge(r.t, w, RW, k, L[p], last);
      }
    }
    if (incompatible !== undefined)
      c.add({ kind: 'incompatible-order', key: k, readers: [c.ref(longest.t), c.ref(incompatible.t)], a: L, b: incompatible.list, incompatibleReads });
  }
}

function internalMismatch(base: unknown[] | undefined, since: unknown[], list: unknown[]): boolean {
  if (base !== undefined) {
    if (list.length !== base.length + since.length) return true;
    for (let i = 0; i < base.length; i++) if (list[i] !== base[i]) return true;
    for (let j = 0; j < since.length; j++) if (list[base.length + j] !== since[j]) return true;
    return false;
  }
  // Only appends before: the read must end with them, whatever came before.
  if (list.length < since.length) return true;
  const off = list.length - since.length;
  for (let j = 0; j < since.length; j++) if (list[off + j] !== since[j]) return true;
  return false;
}

function reportBadElement(c: Check, reader: number, k: Key, e: unknown, rec: WriteRec | undefined): void {
  if (rec === undefined) c.add({ kind: 'garbage-read', reader: c.ref(reader), key: k, element: e });
  else c.add({ kind: 'G1a', reader: c.ref(reader), writer: c.ref(rec.t), key: k, element: e });
}

// ---------------------------------------------------------------------------------------------
// Registers: wr edges, and ww from write-follows-read

function analyzeRegisters(c: Check): void {
  const { txns, status } = c;
  const writers = indexWrites(c, 'w');
  txns.forEach((txn, t) => {
    if (status[t] !== OK) return;
    const st = new Map<Key, { known: unknown; ext: { value: unknown; rec: WriteRec | undefined } | undefined; wrote: boolean }>();
    txn.value.forEach((m, i) => {
      const k = m[1];
      const v = norm(m[2]);
      let s = st.get(k);
      if (m[0] === 'w') {
        if (s === undefined) st.set(k, (s = { known: v, ext: undefined, wrote: false }));
        // It read ext.value, then wrote: the version it read comes before its own.
        if (!s.wrote && s.ext?.rec !== undefined && s.ext.rec.t !== t && status[s.ext.rec.t] !== FAIL) c.edge(s.ext.rec.t, t, WW, k, v, s.ext.value);
        s.wrote = true;
        s.known = v;
        return;
      }
      if (m[0] !== 'r') return;
      if (s !== undefined) {
        if (v !== s.known) c.add({ kind: 'internal', txn: c.ref(t), key: k, micro: i, expected: JSON.stringify(s.known), read: m[2] ?? null });
        s.known = v;
        return;
      }
      const rec = v === null ? undefined : writers.get(k)?.get(v);
      st.set(k, { known: v, ext: { value: v, rec }, wrote: false });
      if (v === null) {
        // The initial state: no writer, and it precedes every version, so each committed writer of k
        // overwrote what this read saw (rw). A read-only transaction answered from a stale copy that
        // misses a write acknowledged before it began is caught this way (G-single-realtime).
        for (const [value, w] of writers.get(k) ?? []) if (w.final && w.t !== t && status[w.t] === OK) c.edge(t, w.t, RW, k, value, null);
        return;
      }
      if (rec === undefined) c.add({ kind: 'garbage-read', reader: c.ref(t), key: k, element: m[2] });
      else if (status[rec.t] === FAIL) c.add({ kind: 'G1a', reader: c.ref(t), writer: c.ref(rec.t), key: k, element: m[2] });
      else if (rec.t === t) c.add({ kind: 'internal', txn: c.ref(t), key: k, micro: i, expected: `not ${JSON.stringify(m[2])}, which this transaction writes later`, read: m[2] });
      else {
        c.edge(rec.t, t, WR, k, v);
        if (!rec.final) {
          const final = txns[rec.t].value.filter((w) => w[0] === 'w' && w[1] === k).at(-1)![2];
          c.add({ kind: 'G1b', reader: c.ref(t), writer: c.ref(rec.t), key: k, element: m[2], final });
        }
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Order edges: per process (sessions) and real time

function addProcessEdges(c: Check): void {
  const byProcess = new Map<number, number[]>();
  c.txns.forEach((t, i) => {
    if (!c.node(i)) return;
    let l = byProcess.get(t.process);
    if (l === undefined) byProcess.set(t.process, (l = []));
    l.push(i);
  });
  for (const l of byProcess.values()) {
    l.sort((a, b) => c.txns[a].invokeTime - c.txns[b].invokeTime || a - b);
    // After an info txn, its effects may land any time later: nothing follows it for sure.
    for (let j = 1; j < l.length; j++) if (c.status[l[j - 1]] === OK) c.edge(l[j - 1], l[j], PROCESS);
  }
}

/**
 * T1 -> T2 when T1 (ok) completed before T2 was invoked; only a covering subset is added, as Elle
 * does: each invocation links from the "frontier", the completed txns no later completed txn
 * follows. Every other real-time pair is implied by a path, and the edges number about
 * transactions x concurrency instead of transactions squared.
 */
function addRealtimeEdges(c: Check): void {
  const { txns, status } = c;
  const ev: number[] = []; // i * 2 for invocations, i * 2 + 1 for completions
  for (let i = 0; i < txns.length; i++) {
    if (!c.node(i)) continue;
    ev.push(i * 2);
    if (status[i] === OK && Number.isFinite(txns[i].completeTime)) ev.push(i * 2 + 1);
  }
  const time = (x: number) => ((x & 1) === 0 ? txns[x >> 1].invokeTime : txns[x >> 1].completeTime);
  // At equal times invocations first: touching transactions count as concurrent.
  ev.sort((a, b) => time(a) - time(b) || (a & 1) - (b & 1) || a - b);
  let frontier: number[] = [];
  for (const x of ev) {
    const i = x >> 1;
    if ((x & 1) === 0) {
      for (const f of frontier) c.edge(f, i, REALTIME);
      continue;
    }
    // Those that completed before i began now reach everything after i through i.
    const start = txns[i].invokeTime;
    frontier = frontier.filter((f) => txns[f].completeTime >= start);
    frontier.push(i);
  }
}

// ---------------------------------------------------------------------------------------------
// The graph and its cycles

class Graph {
  readonly off: Int32Array;
  readonly src: Int32Array;
  readonly tgt: Int32Array;
  readonly kind: Uint8Array;
  /** Position -> index in Check's edge arrays. */
  readonly id: Int32Array;
  private readonly sccs = new Map<number, { comp: Int32Array; size: Int32Array }>();
  // Scratch for searches, reused.
  private readonly seen: Int32Array;
  private readonly tail: Int32Array;
  private readonly tailEdge: Int32Array;
  private readonly parent: Int32Array;
  private readonly queue: Int32Array;
  private epoch = 0;
  visitsLeft: number;

  constructor(readonly n: number, c: Check, visitsMax: number) {
    const m = c.eFrom.length;
    const from = c.eFrom.data;
    const to = c.eTo.data;
    const kinds = c.eKind.data;
    this.off = new Int32Array(n + 1);
    for (let e = 0; e < m; e++) this.off[from[e] + 1]++;
    for (let v = 0; v < n; v++) this.off[v + 1] += this.off[v];
    const fill = this.off.slice(0, n);
    this.src = new Int32Array(m);
    this.tgt = new Int32Array(m);
    this.kind = new Uint8Array(m);
    this.id = new Int32Array(m);
    for (let e = 0; e < m; e++) {
      const p = fill[from[e]]++;
      this.src[p] = from[e];
      this.tgt[p] = to[e];
      this.kind[p] = kinds[e];
      this.id[p] = e;
    }
    this.seen = new Int32Array(n);
    this.tail = new Int32Array(n);
    this.tailEdge = new Int32Array(n);
    this.parent = new Int32Array(n);
    this.queue = new Int32Array(n);
    this.visitsLeft = visitsMax;
  }

  /** Strongly connected components over the edges of `mask` (Tarjan, with an explicit stack). */
  scc(mask: number): { comp: Int32Array; size: Int32Array } {
    const cached = this.sccs.get(mask);
    if (cached !== undefined) return cached;
    const { n, off, tgt, kind } = this;
    const index = new Int32Array(n).fill(-1);
    const low = new Int32Array(n);
    const onStack = new Uint8Array(n);
    const stack = new Int32Array(n);
    const callNode = new Int32Array(n);
    const callEdge = new Int32Array(n);
    const comp = new Int32Array(n);
    const sizes: number[] = [];
    let sp = 0;
    let next = 0;
    for (let s = 0; s < n; s++) {
      if (index[s] !== -1) continue;
      let csp = 0;
      index[s] = low[s] = next++;
      stack[sp++] = s;
      onStack[s] = 1;
      callNode[csp] = s;
      callEdge[csp++] = off[s];
      while (csp > 0) {
        const v = callNode[csp - 1];
        let e = callEdge[csp - 1];
        let descended = false;
        while (e < off[v + 1]) {
          const p = e++;
          if ((kind[p] & mask) === 0) continue;
          const w = tgt[p];
          if (index[w] === -1) {
            callEdge[csp - 1] = e;
            index[w] = low[w] = next++;
            stack[sp++] = w;
            onStack[w] = 1;
            callNode[csp] = w;
            callEdge[csp++] = off[w];
            descended = true;
            break;
          }
          if (onStack[w] && index[w] < low[v]) low[v] = index[w];
        }
        if (descended) continue;
        if (low[v] === index[v]) {
          const id = sizes.length;
          let size = 0;
          let w: number;
          do {
            w = stack[--sp];
            onStack[w] = 0;
            comp[w] = id;
            size++;
          } while (w !== v);
          sizes.push(size);
        }
        csp--;
        if (csp > 0) {
          const u = callNode[csp - 1];
          if (low[v] < low[u]) low[u] = low[v];
        }
      }
    }
    const r = { comp, size: Int32Array.from(sizes) };
    this.sccs.set(mask, r);
    return r;
  }

  /**
   * In each component of `compMask` (skipping those `skip` names), the shortest cycle found that
   * uses an edge of `reqMask` and otherwise edges of `pathMask`: for each such edge u -> v, a BFS
   * from v back to u inside the component. Edges into the same v share one BFS. Returns the cycles
   * (as edge positions, starting with a required edge's head) and whether the budget held.
   */
  cycles(compMask: number, pathMask: number, reqMask: number, skip?: (comp: number) => boolean): { found: Map<number, number[]>; complete: boolean } {
    const { comp, size } = this.scc(compMask);
    const { off, src, tgt, kind } = this;
    // Candidate edges per component, then per head.
    const byComp = new Map<number, Map<number, number[]>>();
    for (let p = 0; p < src.length; p++) {
      if ((kind[p] & reqMask) === 0) continue;
      const cu = comp[src[p]];
      if (cu !== comp[tgt[p]] || size[cu] < 2 || skip?.(cu)) continue;
      let heads = byComp.get(cu);
      if (heads === undefined) byComp.set(cu, (heads = new Map()));
      const v = tgt[p];
      let l = heads.get(v);
      if (l === undefined) heads.set(v, (l = []));
      l.push(p);
    }
    const found = new Map<number, number[]>();
    for (const [cid, heads] of byComp) {
      let best: number[] | undefined;
      let triesAfter = 0;
      for (const [v, into] of heads) {
        if (this.visitsLeft <= 0) return { found, complete: false };
        const ep = ++this.epoch;
        for (const p of into) {
          this.tail[src[p]] = ep;
          this.tailEdge[src[p]] = p;
        }
        // BFS from v; the first tail reached closes the shortest cycle through v.
        this.seen[v] = ep;
        this.queue[0] = v;
        let qh = 0;
        let qt = 1;
        let hit = -1;
        bfs: while (qh < qt) {
          const x = this.queue[qh++];
          this.visitsLeft -= off[x + 1] - off[x];
          for (let p = off[x]; p < off[x + 1]; p++) {
            if ((kind[p] & pathMask) === 0) continue;
            const y = tgt[p];
            if (comp[y] !== cid || this.seen[y] === ep) continue;
            this.seen[y] = ep;
            this.parent[y] = p;
            if (this.tail[y] === ep) {
              hit = y;
              break bfs;
            }
            this.queue[qt++] = y;
          }
        }
        if (hit >= 0) {
          const path: number[] = [this.tailEdge[hit]];
          for (let y = hit; y !== v; y = src[this.parent[y]]) path.push(this.parent[y]);
          path.reverse(); // v -> ... -> hit, then hit -> v
          if (best === undefined || path.length < best.length) best = path;
        }
        if (best !== undefined && (best.length === 2 || ++triesAfter > shorterCycleTriesMax)) break;
      }
      if (best !== undefined) found.set(cid, best);
    }
    return { found, complete: true };
  }
}

function classify(kinds: number[]): CycleAnomalyKind {
  let rw = 0;
  let wr = 0;
  let order = 0;
  for (const k of kinds) {
    if (k === RW) rw++;
    else if (k === WR) wr++;
    order |= k & (PROCESS | REALTIME);
  }
  const base: CycleBase = rw === 0 ? (wr === 0 ? 'G0' : 'G1c') : rw === 1 ? 'G-single' : 'G2-item';
  return order & REALTIME ? `${base}-realtime` : order & PROCESS ? `${base}-process` : base;
}

function findCycles(c: Check, g: Graph, order: number): CycleAnomalyKind[] {
  const incomplete: CycleAnomalyKind[] = [];
  const reported = new Set<string>();
  const report = (positions: number[]) => {
    const ids = positions.map((p) => g.id[p]);
    // Rotate to the lowest transaction so equal cycles compare equal.
    let start = 0;
    const from = c.eFrom.data;
    const kinds = c.eKind.data;
    for (let i = 1; i < ids.length; i++) if (from[ids[i]] < from[ids[start]]) start = i;
    const rot = [...ids.slice(start), ...ids.slice(0, start)];
    const sig = rot.map((e) => `${from[e]}:${kinds[e]}`).join(' ');
    if (reported.has(sig)) return;
    reported.add(sig);
    c.add({ kind: classify(rot.map((e) => kinds[e])), cycle: rot.map((e) => c.ref(from[e])), edges: rot.map((e) => explainEdge(c, e)) });
  };
  const stage = (compMask: number, pathMask: number, reqMask: number, classes: CycleAnomalyKind[], skip?: (comp: number) => boolean) => {
    const r = g.cycles(compMask, pathMask, reqMask, skip);
    for (const cyc of r.found.values()) report(cyc);
    if (!r.complete) incomplete.push(...classes);
    return r.found;
  };
  stage(WW, WW, WW, ['G0']);
  stage(WW | WR, WW | WR, WR, ['G1c']);
  // Exactly one rw: the way back from its head uses ww and wr only.
  const single = stage(DATA, WW | WR, RW, ['G-single']);
  stage(DATA, DATA, RW, ['G2-item'], (cid) => single.has(cid));
  if (order !== 0) {
    const suffixes = order & REALTIME ? (['process', 'realtime'] as const) : (['process'] as const);
    const classes = suffixes.flatMap((s) => cycleBases.map((b) => `${b}-${s}` as CycleAnomalyKind));
    // Weakest first, so a cycle is named by the least it needs.
    stage(WW | order, WW | order, order, classes);
    stage(WW | WR | order, WW | WR | order, order, classes);
    stage(DATA | order, DATA | order, order, classes);
  }
  return [...new Set(incomplete)];
}

// ---------------------------------------------------------------------------------------------
// Checking

/** Check a history of transactions; the workload is detected unless given. */
export function checkTxns(txns: readonly Txn[], opts: TxnCheckOptions = {}): TxnCheckResult {
  const workload = opts.workload ?? detectWorkload(txns);
  const c = new Check(txns, workload);
  if (workload === 'list-append') analyzeListAppend(c);
  else analyzeRegisters(c);
  const realtime = opts.realtime === true;
  const processOrder = realtime || opts.process === true;
  if (processOrder) addProcessEdges(c);
  if (realtime) addRealtimeEdges(c);
  const g = new Graph(txns.length, c, opts.cycleSearchEdgeVisitsMax ?? cycleSearchEdgeVisitsMax);
  const incompleteSearches = findCycles(c, g, (processOrder ? PROCESS : 0) | (realtime ? REALTIME : 0));

  const checked = consistencyModels.filter((m) => (m === 'strict-serializable' ? realtime : m === 'strong-session-serializable' ? processOrder : true));
  const anomalyTypes = (Object.keys(c.counts) as TxnAnomalyKind[]).sort();
  const violated = modelsViolatedBy(anomalyTypes, checked);
  const undetermined = checked.filter((m) => !violated.includes(m) && incompleteSearches.some((k) => forbidden[m].has(k)));
  const consistentWith = checked.filter((m) => !violated.includes(m) && !undetermined.includes(m));
  const model = opts.model ?? checked[checked.length - 1];
  const edges: Record<EdgeKind, number> = { ww: 0, wr: 0, rw: 0, process: 0, realtime: 0 };
  const byKind = new Int32Array(REALTIME + 1);
  for (let e = 0; e < c.eKind.length; e++) byKind[c.eKind.data[e]]++;
  for (const k of [WW, WR, RW, PROCESS, REALTIME]) edges[kindName[k]] = byKind[k];
  return {
    valid: consistentWith.includes(model),
    model,
    workload,
    anomalyTypes,
    anomalies: c.anomalies,
    anomalyCounts: c.counts,
    violated,
    consistentWith,
    undetermined,
    txns: txns.length,
    edges,
    incompleteSearches,
  };
}

export function checkListAppend(txns: readonly Txn[], opts: Omit<TxnCheckOptions, 'workload'> = {}): TxnCheckResult {
  return checkTxns(txns, { ...opts, workload: 'list-append' });
}

export function checkRwRegister(txns: readonly Txn[], opts: Omit<TxnCheckOptions, 'workload'> = {}): TxnCheckResult {
  return checkTxns(txns, { ...opts, workload: 'rw-register' });
}

// ---------------------------------------------------------------------------------------------
// Text

const ms = (t: number) => (Number.isFinite(t) ? `${(t / 1e6).toFixed(3)} ms` : 'never');

function render(v: unknown): string {
  if (!Array.isArray(v)) return JSON.stringify(v ?? null);
  if (v.length <= renderedElementsMax) return `[${v.map((x) => JSON.stringify(x)).join(' ')}]`;
  const tail = v.slice(-(renderedElementsMax - 2));
  return `[… ${v.length - tail.length} earlier, ${tail.map((x) => JSON.stringify(x)).join(' ')}]`;
}

function renderTxn(r: TxnRef): string {
  const ops = r.txn.value.map((m) => `[${m[0]} ${JSON.stringify(m[1])} ${render(m[2])}]`).join(' ');
  return `T${r.index} (process ${r.txn.process}, ${r.txn.type}, ${ms(r.txn.invokeTime)} to ${ms(r.txn.completeTime)}): ${ops}`;
}

function explainEdge(c: Check, e: number): DependencyEdge {
  const from = c.eFrom.data[e];
  const to = c.eTo.data[e];
  const kind = kindName[c.eKind.data[e]];
  const key = c.eKey[e];
  const element = c.eElement[e];
  const prior = c.ePrior[e];
  const a = `T${from}`;
  const b = `T${to}`;
  const k = JSON.stringify(key);
  const x = JSON.stringify(element);
  const list = c.workload === 'list-append';
  let why: string;
  switch (kind) {
    case 'ww':
      why = list ? `${b} appended ${x} to ${k} right after ${a}'s ${JSON.stringify(prior)}` : `${b} read ${k} = ${JSON.stringify(prior)}, which ${a} wrote, then overwrote it with ${x}`;
      break;
    case 'wr':
      why = list ? `${b} read ${k} ending in ${x}, which ${a} appended` : `${b} read ${k} = ${x}, which ${a} wrote`;
      break;
    case 'rw':
      why = `${a} read ${k} ${prior === undefined ? 'empty' : `ending in ${JSON.stringify(prior)}`}, and ${b} appended ${x}, the next element`;
      break;
    case 'process':
      why = `process ${c.txns[from].process} ran ${a} before ${b}`;
      break;
    default:
      why = `${a} completed at ${ms(c.txns[from].completeTime)}, before ${b} was invoked at ${ms(c.txns[to].invokeTime)}`;
  }
  const d: DependencyEdge = { from, to, kind, why };
  if (key !== undefined) {
    d.key = key;
    d.element = element;
    if (kind !== 'wr') d.prior = prior;
  }
  return d;
}

const cycleNames: Record<CycleBase, string> = {
  G0: 'write cycle (ww edges only)',
  G1c: 'circular information flow (ww and wr edges)',
  'G-single': 'read skew (exactly one rw anti-dependency)',
  'G2-item': 'anti-dependency cycle (two or more rw edges)',
};

/** A human account of an anomaly: the transactions involved and why each edge holds. */
export function describeTxnAnomaly(a: TxnAnomaly): string {
  switch (a.kind) {
    case 'G1a':
      return `G1a (aborted read): T${a.reader.index} read ${render(a.element)} on ${JSON.stringify(a.key)}, written by T${a.writer.index}, which failed\n  ${renderTxn(a.reader)}\n  ${renderTxn(a.writer)}`;
    case 'G1b':
      return `G1b (intermediate read): T${a.reader.index} read ${JSON.stringify(a.key)} at ${render(a.element)}, which T${a.writer.index} later replaced with ${render(a.final)} in the same transaction\n  ${renderTxn(a.reader)}\n  ${renderTxn(a.writer)}`;
    case 'garbage-read':
      return `garbage read: T${a.reader.index} read ${render(a.element)} on ${JSON.stringify(a.key)}, which no transaction wrote\n  ${renderTxn(a.reader)}`;
    case 'internal':
      return `internal inconsistency: T${a.txn.index}'s micro-op ${a.micro} read ${JSON.stringify(a.key)} = ${render(a.read)}, but its own earlier operations imply ${a.expected}\n  ${renderTxn(a.txn)}`;
    case 'duplicate-elements':
      return `duplicate elements: T${a.reader.index} read ${JSON.stringify(a.key)} = ${render(a.read)}, with ${render(a.duplicates)} more than once\n  ${renderTxn(a.reader)}`;
    case 'incompatible-order':
      return `incompatible orders on ${JSON.stringify(a.key)}: neither read is a prefix of the other (${a.incompatibleReads} read${a.incompatibleReads === 1 ? '' : 's'} disagree with the longest)\n  T${a.readers[0].index} read ${render(a.a)}\n  T${a.readers[1].index} read ${render(a.b)}`;
    default: {
      const base = a.kind.replace(/-(process|realtime)$/, '') as CycleBase;
      const extra = a.kind.endsWith('-realtime') ? ', with real-time order' : a.kind.endsWith('-process') ? ', with process order' : '';
      const names = a.cycle.map((r) => `T${r.index}`);
      return [
        `${a.kind}: ${cycleNames[base]}${extra}, a cycle of ${a.cycle.length} transactions:`,
        ...a.cycle.map((r) => `  ${renderTxn(r)}`),
        'because:',
        ...a.edges.map((e) => `  T${e.from} < T${e.to} (${e.kind}): ${e.why}`),
        `so ${[...names, names[0]].join(' < ')}: no order of them explains what they saw.`,
      ].join('\n');
    }
  }
}
