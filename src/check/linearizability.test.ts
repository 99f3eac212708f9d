import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HistoryEvent } from './history.js';
import { bankModel, checkLinearizable, describeViolation, kvModel, operationsOf, registerModel, type Model, type Op } from './linearizability.js';
import { Sfc32 } from '../sim/rng.js';
import { KvStateMachine } from '../truth/index.js';
import { linearizableRegisterHistory, withStaleRead } from './register-histories.js';

/**
 * A history from a compact notation, one operation per row:
 * [process, f, key, value-in, invoke time, outcome, completion time, value-out]
 */
type Row = [number, string, string, unknown, number, 'ok' | 'fail' | 'info' | 'none', number?, unknown?];
function history(rows: Row[]): HistoryEvent[] {
  const events: (HistoryEvent & { order: number })[] = [];
  rows.forEach(([process, f, key, value, t0, outcome, t1, out], i) => {
    events.push({ process, type: 'invoke', f: f as HistoryEvent['f'], key, value: f === 'read' ? null : value, time: t0, order: i * 2 });
    if (outcome !== 'none') events.push({ process, type: outcome, f: f as HistoryEvent['f'], key, value: f === 'read' || f === 'incr' ? out : value, time: t1!, order: i * 2 + 1 });
  });
  return events.sort((a, b) => a.time - b.time || a.order - b.order);
}

test('sequential and overlapping histories that are linearizable', () => {
  const h = history([
    [1, 'write', 'x', 1, 0, 'ok', 10],
    [2, 'read', 'x', null, 20, 'ok', 30, 1],
    [1, 'write', 'x', 2, 40, 'ok', 60],
    [2, 'read', 'x', null, 45, 'ok', 50, 1], // overlaps the write of 2: may read 1
    [3, 'read', 'x', null, 55, 'ok', 70, 2],
    [1, 'cas', 'x', [2, 3], 80, 'ok', 90],
    [2, 'read', 'x', null, 100, 'ok', 110, 3],
  ]);
  const r = checkLinearizable(h, registerModel);
  assert.equal(r.ok, true);
  assert.equal(r.operations, 7);
});

test('a stale read after a completed write is not linearizable, and the witness names it', () => {
  const h = history([
    [1, 'write', 'x', 1, 0, 'ok', 10],
    [1, 'write', 'x', 2, 20, 'ok', 30],
    [2, 'read', 'x', null, 40, 'ok', 50, 1],
  ]);
  const r = checkLinearizable(h, registerModel);
  assert.equal(r.ok, false);
  assert.equal(r.violation!.stuck.f, 'read');
  assert.equal(r.violation!.state, '2');
  assert.match(describeViolation(r.violation!), /no order of the operations explains this one:\n  process 2 read x 1/);
});

test('two reads that see a write in opposite orders are not linearizable', () => {
  // r1 sees the new value, then a later r2 sees the old one: a real-time violation.
  const h = history([
    [1, 'write', 'x', 0, 0, 'ok', 5],
    [1, 'write', 'x', 1, 10, 'ok', 100],
    [2, 'read', 'x', null, 20, 'ok', 30, 1],
    [3, 'read', 'x', null, 40, 'ok', 50, 0],
  ]);
  assert.equal(checkLinearizable(h, registerModel).ok, false);
});

test('info operations may have happened, or not', () => {
  // An unanswered write whose value is later read: it happened.
  const happened = history([
    [1, 'write', 'x', 7, 0, 'info', 10],
    [2, 'read', 'x', null, 50, 'ok', 60, 7],
  ]);
  assert.equal(checkLinearizable(happened, registerModel).ok, true);
  // An unanswered write never seen: it may not have happened.
  const never = history([
    [1, 'write', 'x', 7, 0, 'info', 10],
    [2, 'read', 'x', null, 50, 'ok', 60, null],
  ]);
  assert.equal(checkLinearizable(never, registerModel).ok, true);
  // An info cas whose expectation is false at the end must still be allowed (as never having taken effect).
  const cas = history([
    [1, 'write', 'x', 1, 0, 'ok', 10],
    [2, 'cas', 'x', [5, 6], 20, 'info', 30],
    [3, 'read', 'x', null, 40, 'ok', 50, 1],
  ]);
  assert.equal(checkLinearizable(cas, registerModel).ok, true);
  // But an info write cannot take effect before it was invoked.
  const early = history([
    [2, 'read', 'x', null, 0, 'ok', 10, 7],
    [1, 'write', 'x', 7, 20, 'info', 30],
  ]);
  assert.equal(checkLinearizable(early, registerModel).ok, false);
  // And an invocation never answered at all counts as info.
  const pending = history([
    [1, 'write', 'x', 9, 0, 'none'],
    [2, 'read', 'x', null, 50, 'ok', 60, 9],
  ]);
  assert.equal(checkLinearizable(pending, registerModel).ok, true);
});

test('failed operations did not happen', () => {
  const h = history([
    [1, 'write', 'x', 1, 0, 'ok', 10],
    [2, 'write', 'x', 2, 20, 'fail', 30],
    [3, 'read', 'x', null, 40, 'ok', 50, 2],
  ]);
  assert.equal(checkLinearizable(h, registerModel).ok, false);
});

test('kv splits per key: a violation on one key is found among many clean ones', () => {
  const rows: Row[] = [];
  let t = 0;
  for (let k = 0; k < 50; k++) {
    rows.push([1, 'write', `k${k}`, k, t, 'ok', t + 5]);
    rows.push([2, 'read', `k${k}`, null, t + 6, 'ok', t + 9, k]);
    t += 10;
  }
  assert.equal(checkLinearizable(history(rows), kvModel).ok, true);
  rows.push([3, 'read', 'k17', null, t, 'ok', t + 1, 99]);
  const r = checkLinearizable(history(rows), kvModel);
  assert.equal(r.ok, false);
  assert.equal(r.violation!.key, 'k17');
  assert.equal(r.keys, 50);
});

test('incr returns the new value; a lost increment is caught', () => {
  const good = history([
    [1, 'incr', 'c', 1, 0, 'ok', 10, 1],
    [2, 'incr', 'c', 1, 5, 'ok', 15, 2],
    [3, 'read', 'c', null, 20, 'ok', 30, 2],
  ]);
  assert.equal(checkLinearizable(good, registerModel).ok, true);
  const lost = history([
    [1, 'incr', 'c', 1, 0, 'ok', 10, 1],
    [2, 'incr', 'c', 1, 20, 'ok', 30, 1],
  ]);
  assert.equal(checkLinearizable(lost, registerModel).ok, false);
});

test('an incr reveals the value before it: an info write it counted from happened', () => {
  // Nothing returned 5, yet the incr's 6 shows the write of 5 took effect.
  const revealed = history([
    [1, 'write', 'x', 5, 0, 'info'],
    [2, 'incr', 'x', 1, 10, 'ok', 20, 6],
  ]);
  assert.equal(checkLinearizable(revealed, registerModel).ok, true);
  // An unanswered incr may apply too: the read of 6 is the write of 5 plus it.
  const unanswered = history([
    [1, 'write', 'x', 5, 0, 'info'],
    [2, 'incr', 'x', 1, 10, 'none'],
    [3, 'read', 'x', null, 30, 'ok', 40, 6],
  ]);
  assert.equal(checkLinearizable(unanswered, registerModel).ok, true);
  // Without the write, 6 cannot come from one incr of an empty key.
  const impossible = history([[2, 'incr', 'x', 1, 10, 'ok', 20, 6]]);
  assert.equal(checkLinearizable(impossible, registerModel).ok, false);
});

test('incr adds the amount it was invoked with (INCRBY, DECR)', () => {
  const h = history([
    [1, 'write', 'x', 10, 0, 'ok', 5],
    [1, 'incr', 'x', 5, 10, 'ok', 20, 15],
    [2, 'incr', 'x', -1, 30, 'ok', 40, 14],
    [3, 'read', 'x', null, 50, 'ok', 60, 14],
  ]);
  assert.equal(checkLinearizable(h, registerModel).ok, true);
  const wrongAmount = history([
    [1, 'write', 'x', 10, 0, 'ok', 5],
    [1, 'incr', 'x', 5, 10, 'ok', 20, 11],
  ]);
  assert.equal(checkLinearizable(wrongAmount, registerModel).ok, false);
});

test('bank: concurrent withdrawals that overdraw are not linearizable', () => {
  const h = history([
    [0, 'write', 'acct', 1000, 0, 'ok', 1],
    [1, 'transfer', 'acct', { to: 'cash1', amount: 800 }, 10, 'ok', 20],
    [2, 'transfer', 'acct', { to: 'cash2', amount: 800 }, 11, 'ok', 21],
  ]);
  assert.equal(checkLinearizable(h, bankModel).ok, false);
  const one = history([
    [0, 'write', 'acct', 1000, 0, 'ok', 1],
    [1, 'transfer', 'acct', { to: 'cash1', amount: 800 }, 10, 'ok', 20],
    [2, 'transfer', 'acct', { to: 'cash2', amount: 800 }, 11, 'fail', 21],
    [3, 'read', 'acct', null, 30, 'ok', 40, 200],
  ]);
  assert.equal(checkLinearizable(one, bankModel).ok, true);
});

test('many concurrent operations on one key stay fast thanks to the memo', () => {
  const rows: Row[] = [];
  // 12 overlapping writes then a read of one of them: 12! orders without pruning.
  for (let p = 0; p < 12; p++) rows.push([p, 'write', 'x', p, 0, 'ok', 100]);
  rows.push([99, 'read', 'x', null, 200, 'ok', 210, 5]);
  const r = checkLinearizable(history(rows), registerModel);
  assert.equal(r.ok, true);
  assert.ok(r.steps < 200_000, `${r.steps} steps`);
});

/**
 * The reference: every order of the operations that respects real time, every outcome the model
 * allows (an info operation may apply or not). Exponential, so only for a handful of operations; it
 * shares nothing with the checker's search (no memo, no pruning of unobserved info operations, no
 * placing of reads first).
 */
function bruteForceLinearizable(events: HistoryEvent[], model: Model<any>): boolean {
  const groups = new Map<string | undefined, Op[]>();
  for (const op of operationsOf(events)) {
    const k = model.perKey ? op.key : undefined;
    groups.set(k, [...(groups.get(k) ?? []), op]);
  }
  const search = (rest: Op[], state: unknown): boolean => {
    if (rest.length === 0) return true;
    return rest.some((op) => {
      if (rest.some((other) => other.ret < op.call)) return false;
      const others = rest.filter((o) => o !== op);
      return model.steps(state, op).some((s) => search(others, s));
    });
  };
  return [...groups.values()].every((ops) => search(ops, model.init()));
}

/** A random history of at most `opsMax` operations by 1 to 3 processes, with ties and every outcome. */
function randomHistory(rng: Sfc32, model: 'register' | 'distinct' | 'bank', opsMax: number): HistoryEvent[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)];
  const events: { e: HistoryEvent; order: number }[] = [];
  const processes = 1 + Math.floor(rng.next() * 3);
  const total = 1 + Math.floor(rng.next() * opsMax);
  const clock = new Array<number>(processes).fill(0);
  let order = 0;
  for (let i = 0; i < total; i++) {
    const process = i % processes;
    const call = clock[process] + Math.floor(rng.next() * 4);
    const ret = call + Math.floor(rng.next() * 8);
    clock[process] = ret;
    const outcome = pick(['ok', 'ok', 'ok', 'ok', 'info', 'fail', 'none'] as const);
    let f: HistoryEvent['f'];
    let key: string;
    let value: unknown;
    let out: unknown;
    if (model === 'distinct') {
      // Reads and writes of distinct values only: what the block-order path decides.
      f = pick(['read', 'write'] as const);
      key = 'x';
      value = f === 'write' ? i + 1 : null;
      out = f === 'read' ? pick([null, ...Array.from({ length: total }, (_, k) => k + 1)]) : value;
    } else if (model === 'register') {
      f = pick(['read', 'read', 'write', 'write', 'cas', 'incr'] as const);
      key = pick(['x', 'x', 'y']);
      value = f === 'write' ? pick([1, 2, 3]) : f === 'cas' ? [pick([null, 1, 2]), pick([1, 2, 3])] : f === 'incr' ? pick([1, 2, -1]) : null;
      out = f === 'read' ? pick([null, 1, 2, 3]) : f === 'incr' ? pick([1, 2, 3, 4]) : value;
    } else {
      f = pick(['read', 'write', 'transfer', 'transfer'] as const);
      key = pick(['a', 'b']);
      value = f === 'write' ? pick([5, 10]) : f === 'transfer' ? { to: pick(['a', 'b', 'c']), amount: pick([3, 5, 8]) } : null;
      out = f === 'read' ? pick([null, 0, 2, 5, 10]) : value;
    }
    events.push({ e: { process: process, type: 'invoke', f, key, value, time: call }, order: order++ });
    if (outcome !== 'none') events.push({ e: { process: process, type: outcome, f, key, value: out, time: ret }, order: order++ });
    if (outcome === 'none' || outcome === 'info') clock[process] = Infinity; // an unanswered process is never reused
    if (clock.every((c) => c === Infinity)) break;
  }
  return events.sort((a, b) => a.e.time - b.e.time || a.order - b.order).map((x) => x.e);
}

test('reads and writes of distinct values: block order, search and brute force agree on 400 random histories', () => {
  const rng = new Sfc32(26, 9, 9, 9);
  const verdicts = { true: 0, false: 0 };
  for (let i = 0; i < 400; i++) {
    const h = randomHistory(rng, 'distinct', 7);
    const expected = bruteForceLinearizable(h, registerModel);
    const byOrder = checkLinearizable(h, registerModel);
    const bySearch = checkLinearizable(h, registerModel, undefined, { distinctValueOrder: false });
    const where = `history ${i}:\n${h.map((e) => JSON.stringify(e)).join('\n')}`;
    assert.equal(byOrder.ok, expected, `block order, ${where}`);
    assert.equal(bySearch.ok, expected, `search, ${where}`);
    if (!byOrder.ok) assert.ok(describeViolation(byOrder.violation!).startsWith('not linearizable on key x'));
    verdicts[`${expected}`]++;
  }
  assert.ok(verdicts.true >= 80 && verdicts.false >= 80, JSON.stringify(verdicts));
});

test('the checker agrees with a brute force over every order on 600 small random histories', () => {
  const rng = new Sfc32(26, 3, 5, 7);
  for (const [name, model] of [['register', registerModel], ['bank', bankModel]] as const) {
    const verdicts = { true: 0, false: 0 };
    for (let i = 0; i < 300; i++) {
      const h = randomHistory(rng, name, 7);
      const expected = bruteForceLinearizable(h, model);
      const r = checkLinearizable(h, model);
      assert.equal(r.unknown, undefined);
      assert.equal(r.ok, expected, `${name} history ${i}:\n${h.map((e) => JSON.stringify(e)).join('\n')}`);
      verdicts[`${expected}`]++;
    }
    // Both verdicts are well represented, or the comparison proves little.
    assert.ok(verdicts.true >= 60 && verdicts.false >= 60, `${name}: ${JSON.stringify(verdicts)}`);
  }
});

test('long one-key histories: linearizable by construction, and with one stale read found', () => {
  for (const seed of [1, 2, 3]) {
    for (const processes of [3, 8]) {
      const h = linearizableRegisterHistory({ operations: 600, processes, keys: 1, seed });
      for (const distinctValueOrder of [true, false]) {
        const ok = checkLinearizable(h, kvModel, undefined, { distinctValueOrder });
        assert.equal(ok.ok, true, `seed ${seed}, ${processes} processes`);
        for (const at of [0.1, 0.9]) {
          const stale = checkLinearizable(withStaleRead(h, at), kvModel, undefined, { distinctValueOrder });
          assert.equal(stale.ok, false, `seed ${seed}, ${processes} processes, stale read at ${at}`);
          assert.equal(stale.unknown, undefined);
          assert.equal(stale.violation!.stuck.f, 'read');
        }
      }
    }
  }
});

test('one key, 16 processes, 10,000 operations: the search alone proves it within the default budget', () => {
  const h = linearizableRegisterHistory({ operations: 10_000, processes: 16, keys: 1, seed: 7 });
  const r = checkLinearizable(h, kvModel, undefined, { distinctValueOrder: false });
  assert.equal(r.unknown, undefined, `gave up after ${r.steps} steps`);
  assert.equal(r.ok, true);
  assert.ok(r.steps > 2_000_000, `${r.steps} steps: no longer a case for the budget`);
});

test('bank: histories of the state machine Raft replicates, self-transfers included, are linearizable', () => {
  // Each operation takes effect on the KV state machine at a random point inside its interval, as in
  // a correct replicated run; the bank model must accept every such history.
  const rng = new Sfc32(41, 2, 3, 4);
  for (let round = 0; round < 20; round++) {
    const kv = new KvStateMachine();
    const events: { e: HistoryEvent; order: number }[] = [];
    const effects: { at: number; apply: () => void }[] = [];
    const clock = [0, 0, 0];
    let selfTransfers = 0;
    for (let i = 0; i < 60; i++) {
      const process = i % 3;
      const call = clock[process] + Math.floor(rng.next() * 5);
      const at = call + 0.5 + Math.floor(rng.next() * 10);
      const ret = Math.ceil(at + rng.next() * 10);
      clock[process] = ret;
      const key = rng.next() < 0.5 ? 'a' : 'b';
      const dice = rng.next();
      const f = i < 2 ? 'write' : dice < 0.4 ? 'read' : dice < 0.5 ? 'write' : 'transfer';
      const value = f === 'write' ? 20 : f === 'transfer' ? { to: rng.next() < 0.5 ? 'a' : 'b', amount: 1 + Math.floor(rng.next() * 8) } : null;
      if (f === 'transfer' && (value as { to: string }).to === key) selfTransfers++;
      const done: HistoryEvent = { process, type: 'ok', f, key, value, time: ret };
      events.push({ e: { process, type: 'invoke', f, key, value, time: call }, order: 2 * i }, { e: done, order: 2 * i + 1 });
      effects.push({
        at,
        apply: () => {
          const r = kv.apply({ op: { f, key, value } });
          if (f === 'read' && r.ok) done.value = r.value ?? null;
          if (!r.ok) done.type = 'fail';
        },
      });
    }
    effects.sort((a, b) => a.at - b.at);
    for (const x of effects) x.apply();
    const h = events.sort((a, b) => a.e.time - b.e.time || a.order - b.order).map((x) => x.e);
    const r = checkLinearizable(h, bankModel);
    assert.ok(selfTransfers > 0);
    assert.equal(r.ok, true, r.violation === undefined ? 'unknown' : describeViolation(r.violation));
  }
});
