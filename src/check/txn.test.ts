import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkListAppend,
  checkRwRegister,
  checkTxns,
  describeTxnAnomaly,
  modelsConsistentWith,
  txnsFromEvents,
  type CycleAnomaly,
  type Micro,
  type Txn,
  type TxnAnomaly,
  type TxnCheckResult,
  type TxnEvent,
} from './txn.js';

/** Transactions one after another in time, one process each unless given: [type, micro-ops, process?]. */
function history(rows: [Txn['type'], Micro[], number?][]): Txn[] {
  return rows.map(([type, value, process], i) => ({ process: process ?? i, type, value, invokeTime: i * 100, completeTime: i * 100 + 50 }));
}

const cycles = (r: TxnCheckResult) => r.anomalies.filter((a): a is CycleAnomaly => 'cycle' in a);
const only = (r: TxnCheckResult, kind: TxnAnomaly['kind']) => {
  const found = r.anomalies.filter((a) => a.kind === kind);
  assert.equal(found.length, 1, `one ${kind} in ${JSON.stringify(r.anomalyTypes)}`);
  return found[0];
};
const witness = (a: TxnAnomaly) => {
  const c = a as CycleAnomaly;
  return { txns: c.cycle.map((t) => t.index), kinds: c.edges.map((e) => e.kind) };
};

test('G0: two transactions whose appends are ordered both ways on two keys', () => {
  const r = checkListAppend(
    history([
      ['ok', [['append', 'x', 1], ['append', 'y', 1]]],
      ['ok', [['append', 'x', 2], ['append', 'y', 2]]],
      ['ok', [['r', 'x', [1, 2]], ['r', 'y', [2, 1]]]],
    ]),
  );
  assert.deepEqual(r.anomalyTypes, ['G0']);
  assert.deepEqual(witness(only(r, 'G0')), { txns: [0, 1], kinds: ['ww', 'ww'] });
  assert.deepEqual(r.violated, ['read-uncommitted', 'read-committed', 'snapshot-isolation', 'serializable']);
  assert.deepEqual(r.consistentWith, []);
  assert.equal(r.valid, false);
  const text = describeTxnAnomaly(only(r, 'G0'));
  assert.match(text, /^G0: write cycle/);
  assert.match(text, /T0 < T1 \(ww\): T1 appended 2 to "x" right after T0's 1/);
  assert.match(text, /T1 < T0 \(ww\): T0 appended 1 to "y" right after T1's 2/);
});

test('G1c: each transaction reads the other one\'s append', () => {
  const r = checkListAppend(
    history([
      ['ok', [['append', 'x', 1], ['r', 'y', [2]]]],
      ['ok', [['append', 'y', 2], ['r', 'x', [1]]]],
    ]),
  );
  assert.deepEqual(r.anomalyTypes, ['G1c']);
  assert.deepEqual(witness(only(r, 'G1c')), { txns: [0, 1], kinds: ['wr', 'wr'] });
  assert.deepEqual(r.violated, ['read-committed', 'snapshot-isolation', 'serializable']);
  assert.deepEqual(r.consistentWith, ['read-uncommitted']);
});

test('G-single: a read that sees one of a transaction\'s appends and misses the other', () => {
  const r = checkListAppend(
    history([
      ['ok', [['append', 'x', 1], ['append', 'y', 2]]],
      ['ok', [['r', 'x', []], ['r', 'y', [2]]]],
      ['ok', [['r', 'x', [1]]]],
    ]),
  );
  assert.deepEqual(r.anomalyTypes, ['G-single']);
  const a = only(r, 'G-single') as CycleAnomaly;
  assert.deepEqual(witness(a), { txns: [0, 1], kinds: ['wr', 'rw'] });
  assert.deepEqual({ key: a.edges[1].key, element: a.edges[1].element, prior: a.edges[1].prior }, { key: 'x', element: 1, prior: undefined });
  assert.deepEqual(r.violated, ['snapshot-isolation', 'serializable']);
  assert.deepEqual(r.consistentWith, ['read-uncommitted', 'read-committed']);
  assert.match(describeTxnAnomaly(a), /T1 < T0 \(rw\): T1 read "x" empty, and T0 appended 1, the next element/);
});

test('G2-item with two rw edges (write skew): allowed by snapshot isolation, not by serializability', () => {
  const r = checkListAppend(
    history([
      ['ok', [['r', 'x', []], ['append', 'y', 1]]],
      ['ok', [['r', 'y', []], ['append', 'x', 2]]],
      ['ok', [['r', 'x', [2]], ['r', 'y', [1]]]],
    ]),
  );
  assert.deepEqual(r.anomalyTypes, ['G2-item']);
  assert.deepEqual(witness(only(r, 'G2-item')), { txns: [0, 1], kinds: ['rw', 'rw'] });
  assert.deepEqual(r.violated, ['serializable']);
  assert.deepEqual(r.consistentWith, ['read-uncommitted', 'read-committed', 'snapshot-isolation']);
  assert.equal(r.valid, false);
  assert.equal(checkListAppend(
    history([
      ['ok', [['r', 'x', []], ['append', 'y', 1]]],
      ['ok', [['r', 'y', []], ['append', 'x', 2]]],
      ['ok', [['r', 'x', [2]], ['r', 'y', [1]]]],
    ]),
    { model: 'snapshot-isolation' },
  ).valid, true);
});

test('G1a: a read sees the append of a failed transaction', () => {
  const r = checkListAppend(
    history([
      ['fail', [['append', 'x', 1]]],
      ['ok', [['r', 'x', [1]]]],
    ]),
  );
  assert.deepEqual(r.anomalyTypes, ['G1a']);
  const a = only(r, 'G1a');
  assert.ok(a.kind === 'G1a' && a.reader.index === 1 && a.writer.index === 0 && a.element === 1);
  assert.deepEqual(r.violated, ['read-committed', 'snapshot-isolation', 'serializable']);
  assert.deepEqual(r.consistentWith, ['read-uncommitted']);
});

test('G1b: a read ends on a transaction\'s intermediate append', () => {
  const r = checkListAppend(
    history([
      ['ok', [['append', 'x', 1], ['append', 'x', 2]]],
      ['ok', [['r', 'x', [1]]]],
      ['ok', [['r', 'x', [1, 2]]]],
    ]),
  );
  // The read of [1] is not also a cycle T0 -wr-> T1 -rw-> T0: that rw comes from the same G1b.
  assert.deepEqual(r.anomalyTypes, ['G1b']);
  const a = only(r, 'G1b');
  assert.ok(a.kind === 'G1b' && a.reader.index === 1 && a.writer.index === 0 && a.element === 1 && a.final === 2);
  assert.deepEqual(r.consistentWith, ['read-uncommitted']);
});

test('duplicate elements in a read', () => {
  const r = checkListAppend(
    history([
      ['ok', [['append', 'x', 1]]],
      ['ok', [['append', 'x', 2]]],
      ['ok', [['r', 'x', [1, 2, 1]]]],
      ['ok', [['r', 'x', [1]]]],
    ]),
  );
  assert.deepEqual(r.anomalyTypes, ['duplicate-elements']);
  const a = only(r, 'duplicate-elements');
  assert.ok(a.kind === 'duplicate-elements' && a.reader.index === 2);
  assert.deepEqual(a.duplicates, [1]);
  assert.deepEqual(r.consistentWith, []);
});

test('incompatible orders: two reads neither of which is a prefix of the other', () => {
  const r = checkListAppend(
    history([
      ['ok', [['append', 'x', 1]]],
      ['ok', [['append', 'x', 2]]],
      ['ok', [['r', 'x', [1, 2]]]],
      ['ok', [['r', 'x', [2, 1]]]],
      ['ok', [['r', 'x', [1]]]],
    ]),
  );
  assert.deepEqual(r.anomalyTypes, ['incompatible-order']);
  const a = only(r, 'incompatible-order');
  assert.ok(a.kind === 'incompatible-order');
  assert.deepEqual([a.a, a.b, a.readers.map((t) => t.index), a.incompatibleReads], [[1, 2], [2, 1], [2, 3], 1]);
  assert.deepEqual(r.consistentWith, []);
  assert.match(describeTxnAnomaly(a), /T2 read \[1 2\]\n  T3 read \[2 1\]/);
});

test('internal inconsistency: a transaction does not read back its own append', () => {
  const r = checkListAppend(history([['ok', [['r', 'x', [5]], ['append', 'x', 6], ['r', 'x', [5]]]], ['fail', [['append', 'x', 5]]]]));
  // [5] also came from a failed transaction: G1a. The second read should have been [5 6].
  assert.deepEqual(r.anomalyTypes, ['G1a', 'internal']);
  const a = only(r, 'internal');
  assert.ok(a.kind === 'internal' && a.micro === 2 && a.expected === '[5 6]');
  const b = checkListAppend(history([['ok', [['append', 'x', 1], ['r', 'x', [2]]]], ['ok', [['append', 'x', 2]]]]));
  assert.deepEqual(b.anomalyTypes, ['internal']);
  assert.deepEqual(b.violated, ['snapshot-isolation', 'serializable']);
});

test('serializable histories, with info transactions whose effects show up or not, are valid', () => {
  const txns: Txn[] = [
    { process: 0, type: 'info', value: [['append', 'x', 1], ['append', 'y', 1]], invokeTime: 0, completeTime: 5 },
    { process: 1, type: 'info', value: [['append', 'x', 9]], invokeTime: 0, completeTime: Infinity },
    { process: 2, type: 'ok', value: [['r', 'x', [1]], ['append', 'x', 2]], invokeTime: 10, completeTime: 20 },
    { process: 3, type: 'fail', value: [['append', 'x', 7]], invokeTime: 10, completeTime: 20 },
    { process: 2, type: 'ok', value: [['r', 'x', [1, 2]], ['r', 'y', null]], invokeTime: 30, completeTime: 40 },
  ];
  for (const realtime of [false, true]) {
    const r = checkListAppend(txns, { realtime });
    assert.deepEqual(r.anomalies, [], describeAll(r));
    assert.equal(r.valid, true);
    assert.deepEqual(r.consistentWith, realtime ? ['read-uncommitted', 'read-committed', 'snapshot-isolation', 'serializable', 'strong-session-serializable', 'strict-serializable'] : ['read-uncommitted', 'read-committed', 'snapshot-isolation', 'serializable']);
  }
  // A later read of y = [1] places T0's (info) append of y: T4's read of y = [] then missed it,
  // while T4 saw T2, which saw T0. That cycle counts only because reads proved T0 happened.
  const seen = checkListAppend([...txns, { process: 5, type: 'ok', value: [['r', 'y', [1]]], invokeTime: 50, completeTime: 60 }]);
  assert.deepEqual(seen.anomalyTypes, ['G-single']);
  assert.deepEqual(witness(only(seen, 'G-single')), { txns: [0, 2, 4], kinds: ['ww', 'wr', 'rw'] });
});

test('a cycle search out of budget leaves the models it decides undetermined, not consistent', () => {
  const skew = history([
    ['ok', [['r', 'x', []], ['append', 'y', 1]]],
    ['ok', [['r', 'y', []], ['append', 'x', 2]]],
    ['ok', [['r', 'x', [2]], ['r', 'y', [1]]]],
  ]);
  const r = checkListAppend(skew, { cycleSearchEdgeVisitsMax: 1 });
  assert.deepEqual(r.anomalies, []);
  assert.deepEqual(r.incompleteSearches, ['G-single', 'G2-item']);
  assert.deepEqual(r.undetermined, ['snapshot-isolation', 'serializable']);
  assert.deepEqual(r.consistentWith, ['read-uncommitted', 'read-committed']);
  assert.equal(r.valid, false);
});

test('real-time and process order: a read that misses a write completed before it began', () => {
  const txns: Txn[] = [
    { process: 1, type: 'ok', value: [['append', 'x', 1]], invokeTime: 0, completeTime: 10e6 },
    { process: 2, type: 'ok', value: [['r', 'x', []]], invokeTime: 20e6, completeTime: 30e6 },
    { process: 3, type: 'ok', value: [['r', 'x', [1]]], invokeTime: 40e6, completeTime: 50e6 },
  ];
  assert.equal(checkListAppend(txns).valid, true, 'serializable: T1 before T0');
  const r = checkListAppend(txns, { realtime: true });
  assert.deepEqual(r.anomalyTypes, ['G-single-realtime']);
  assert.deepEqual(witness(only(r, 'G-single-realtime')), { txns: [0, 1], kinds: ['realtime', 'rw'] });
  assert.deepEqual(r.violated, ['strict-serializable']);
  assert.ok(r.consistentWith.includes('serializable') && r.consistentWith.includes('strong-session-serializable'));
  assert.equal(r.valid, false);
  assert.match(describeTxnAnomaly(r.anomalies[0]), /T0 completed at 10\.000 ms, before T1 was invoked at 20\.000 ms/);
  // Same process: the session order alone rules it out.
  const same = checkListAppend(txns.map((t) => ({ ...t, process: t.process === 2 ? 1 : t.process })), { process: true });
  assert.deepEqual(same.anomalyTypes, ['G-single-process']);
  assert.deepEqual(same.violated, ['strong-session-serializable']);
});

test('building transactions from Jepsen invoke/complete events', () => {
  const ev: TxnEvent[] = [
    { process: 0, type: 'invoke', f: 'txn', value: [['append', 'x', 1], ['r', 'x', null]], time: 0 },
    { process: 1, type: 'invoke', f: 'txn', value: [['append', 'x', 2], ['r', 'y', null]], time: 5 },
    { process: 0, type: 'ok', f: 'txn', value: [['append', 'x', 1], ['r', 'x', [1]]], time: 10 },
    { process: 1, type: 'info', f: 'txn', value: [['append', 'x', 2], ['r', 'y', [3]]], time: 15 },
    { process: 2, type: 'invoke', f: 'txn', value: [['append', 'y', 3]], time: 20 },
    { process: 3, type: 'invoke', f: 'txn', value: [['append', 'y', 4]], time: 21 },
    { process: 3, type: 'fail', f: 'txn', value: [['append', 'y', 4]], time: 22 },
  ];
  const txns = txnsFromEvents(ev);
  assert.deepEqual(txns, [
    { process: 0, type: 'ok', value: [['append', 'x', 1], ['r', 'x', [1]]], invokeTime: 0, completeTime: 10 },
    { process: 1, type: 'info', value: [['append', 'x', 2], ['r', 'y', null]], invokeTime: 5, completeTime: 15 },
    { process: 2, type: 'info', value: [['append', 'y', 3]], invokeTime: 20, completeTime: Infinity },
    { process: 3, type: 'fail', value: [['append', 'y', 4]], invokeTime: 21, completeTime: 22 },
  ]);
  assert.equal(checkTxns(txns, { realtime: true }).valid, true);
});

// --- Generated histories -----------------------------------------------------------------------

/** Numerical Recipes' LCG: deterministic, no Math.random. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const activeKeys = 8;
const appendsPerKeyMax = 16;
const processes = 8;
const stepNanos = 1000;

/**
 * A serial execution of list-append transactions, as Jepsen's generator shapes them (a few active
 * keys, each retired after a bounded number of appends). Transaction i takes effect at i * step and
 * its invocation and completion are within 3/10 of a step either side, so real time agrees with the
 * serial order. Some fail (no effect) and some are info (half of those took effect).
 */
function serialHistory(n: number, seed: number): { txns: Txn[]; writer: Map<string, number> } {
  const rand = lcg(seed);
  const int = (k: number) => Math.floor(rand() * k);
  const state = new Map<number, number[]>();
  const keys = Array.from({ length: activeKeys }, (_, i) => i);
  let nextKey = activeKeys;
  let nextElement = 1;
  const appends = new Map<number, number>();
  const writer = new Map<string, number>();
  const txns: Txn[] = [];
  for (let i = 0; i < n; i++) {
    const roll = rand();
    const type: Txn['type'] = roll < 0.04 ? 'fail' : roll < 0.08 ? 'info' : 'ok';
    const applied = type === 'ok' || (type === 'info' && rand() < 0.5);
    const value: Micro[] = [];
    const ops = 1 + int(4);
    for (let j = 0; j < ops; j++) {
      const slot = int(activeKeys);
      const k = keys[slot];
      if (rand() < 0.5) {
        const list = state.get(k) ?? [];
        value.push(['r', k, type === 'ok' ? [...list] : null]);
      } else {
        const e = nextElement++;
        value.push(['append', k, e]);
        writer.set(`${k}/${e}`, i);
        if (applied) state.set(k, [...(state.get(k) ?? []), e]);
        const c = (appends.get(k) ?? 0) + 1;
        appends.set(k, c);
        if (c >= appendsPerKeyMax) keys[slot] = nextKey++;
      }
    }
    const at = i * stepNanos;
    txns.push({ process: i % processes, type, value, invokeTime: at - int(stepNanos * 0.3), completeTime: type === 'info' ? Infinity : at + int(stepNanos * 0.3) });
  }
  return { txns, writer };
}

function describeAll(r: TxnCheckResult): string {
  return r.anomalies.slice(0, 3).map(describeTxnAnomaly).join('\n\n');
}

test('a generated serial history of 20,000 transactions is strict serializable', (t) => {
  const { txns } = serialHistory(20_000, 7);
  const t0 = performance.now();
  const r = checkListAppend(txns, { realtime: true });
  t.diagnostic(`20,000 transactions checked in ${(performance.now() - t0).toFixed(0)} ms; edges ${JSON.stringify(r.edges)}`);
  assert.deepEqual(r.anomalies, [], describeAll(r));
  assert.equal(r.valid, true);
  assert.equal(r.model, 'strict-serializable');
  assert.deepEqual(r.incompleteSearches, []);
  assert.ok(r.edges.ww > 10_000 && r.edges.wr > 10_000 && r.edges.rw > 10_000 && r.edges.realtime > 10_000, JSON.stringify(r.edges));
});

test('the same serial history with one read made stale is not, and the cycle goes through it', () => {
  const { txns, writer } = serialHistory(2_000, 11);
  assert.equal(checkListAppend(txns, { realtime: true }).valid, true);
  // A read that is its transaction's only access to the key, whose last element was appended by a
  // transaction that completed before this one began, and that is not that transaction's only
  // element at the end (which would make the stale read a G1b instead).
  let target: { i: number; j: number; w: number } | undefined;
  for (let i = 0; i < txns.length && target === undefined; i++) {
    const tx = txns[i];
    if (tx.type !== 'ok') continue;
    tx.value.forEach((m, j) => {
      if (target !== undefined || m[0] !== 'r') return;
      const list = m[2] as number[];
      if (list.length < 2 || tx.value.filter((o) => o[1] === m[1]).length !== 1) return;
      const w = writer.get(`${m[1]}/${list.at(-1)}`)!;
      const v = writer.get(`${m[1]}/${list.at(-2)}`)!;
      if (v !== w && txns[w].completeTime < tx.invokeTime) target = { i, j, w };
    });
  }
  assert.ok(target !== undefined);
  const { i, j, w } = target;
  const tampered = txns.map((tx, x) => (x !== i ? tx : { ...tx, value: tx.value.map((m, y): Micro => (y !== j ? m : ['r', m[1], (m[2] as number[]).slice(0, -1)])) }));
  const r = checkListAppend(tampered, { realtime: true });
  assert.equal(r.valid, false);
  assert.ok(r.violated.includes('strict-serializable'));
  const cs = cycles(r);
  assert.ok(cs.length > 0);
  for (const c of cs) {
    assert.match(c.kind, /^G(-single|2-item)(-process|-realtime)?$/);
    // Every other edge goes forward in the serial order: each cycle must use the stale read's rw.
    assert.ok(c.edges.some((e) => e.kind === 'rw' && e.from === i && e.to === w), describeTxnAnomaly(c));
  }
  // And an aborted transaction's element slipped into a read: G1a.
  const f = txns.findIndex((tx) => tx.type === 'fail' && tx.value.some((m) => m[0] === 'append'));
  const [, fk, fe] = txns[f].value.find((m) => m[0] === 'append')!;
  const g = txns.findIndex((tx, x) => x > f && tx.type === 'ok' && tx.value.length === 1 && tx.value[0][0] === 'r' && tx.value[0][1] === fk);
  assert.ok(g > 0);
  const dirty = txns.map((tx, x) => (x !== g ? tx : { ...tx, value: [['r', fk, [...(tx.value[0][2] as number[]), fe]]] as Micro[] }));
  const d = checkListAppend(dirty);
  assert.ok(d.anomalyTypes.includes('G1a'), d.anomalyTypes.join());
  const a = d.anomalies.find((x) => x.kind === 'G1a');
  assert.ok(a?.kind === 'G1a' && a.reader.index === g && a.writer.index === f);
});

// --- Registers ---------------------------------------------------------------------------------

test('register transactions: each reading the other\'s write is G1c', () => {
  const r = checkRwRegister(
    history([
      ['ok', [['w', 'x', 1], ['r', 'y', 2]]],
      ['ok', [['w', 'y', 2], ['r', 'x', 1]]],
    ]),
  );
  assert.deepEqual(r.anomalyTypes, ['G1c']);
  assert.deepEqual(witness(only(r, 'G1c')), { txns: [0, 1], kinds: ['wr', 'wr'] });
  assert.deepEqual(r.consistentWith, ['read-uncommitted']);
  assert.equal(r.workload, 'rw-register');
  assert.equal(checkTxns(history([['ok', [['w', 'x', 1], ['r', 'y', 2]]], ['ok', [['w', 'y', 2], ['r', 'x', 1]]]])).workload, 'rw-register');
});

test('register transactions: a read of the initial state after a write was acknowledged is G-single-realtime, and serializable', () => {
  const rows = history([
    ['ok', [['w', 'x', 1]]],
    ['ok', [['r', 'x', null]]],
  ]);
  const strict = checkRwRegister(rows, { realtime: true });
  assert.deepEqual(strict.anomalyTypes, ['G-single-realtime']);
  assert.deepEqual(witness(only(strict, 'G-single-realtime')), { txns: [0, 1], kinds: ['realtime', 'rw'] });
  assert.equal(strict.edges.rw, 1);
  assert.ok(!strict.consistentWith.includes('strict-serializable') && strict.consistentWith.includes('serializable'), strict.consistentWith.join());
  // The same read before any write, or of a key the writer never committed, is fine.
  const early = checkRwRegister(history([['ok', [['r', 'x', null]]], ['ok', [['w', 'x', 1]]], ['fail', [['w', 'x', 2]]]]), { realtime: true });
  assert.equal(early.valid, true, early.anomalyTypes.join());
  assert.equal(early.edges.rw, 1);
});

test('register transactions: write-follows-read gives ww edges; sequential histories are valid', () => {
  const ok = checkRwRegister(
    history([
      ['ok', [['w', 'x', 1]]],
      ['ok', [['r', 'x', 1], ['w', 'x', 2], ['r', 'x', 2]]],
      ['ok', [['r', 'x', 2], ['r', 'y', null]]],
      ['info', [['w', 'y', 5]]],
    ]),
    { realtime: true },
  );
  assert.deepEqual(ok.anomalies, []);
  assert.equal(ok.valid, true);
  assert.deepEqual([ok.edges.ww, ok.edges.wr, ok.edges.rw], [1, 2, 0]);
  // Each read the other's x or y and then overwrote it: the versions are ordered both ways.
  const g0 = checkRwRegister(
    history([
      ['ok', [['w', 'x', 1], ['r', 'y', 20], ['w', 'y', 21]]],
      ['ok', [['r', 'x', 1], ['w', 'x', 2], ['w', 'y', 20]]],
    ]),
  );
  assert.ok(g0.anomalyTypes.includes('G0'));
  assert.deepEqual(witness(only(g0, 'G0')), { txns: [0, 1], kinds: ['ww', 'ww'] });
  assert.match(describeTxnAnomaly(only(g0, 'G0')), /T1 read "x" = 1, which T0 wrote, then overwrote it with 2/);
  // Aborted, intermediate, garbage and internal reads.
  const bad = checkRwRegister(
    history([
      ['fail', [['w', 'x', 1]]],
      ['ok', [['w', 'y', 1], ['w', 'y', 2]]],
      ['ok', [['r', 'x', 1], ['r', 'y', 1], ['r', 'z', 9]]],
      ['ok', [['w', 'z', 3], ['r', 'z', 4]]],
    ]),
  );
  assert.deepEqual(bad.anomalyTypes, ['G1a', 'G1b', 'garbage-read', 'internal']);
  assert.deepEqual(modelsConsistentWith(bad.anomalyTypes), []);
});
