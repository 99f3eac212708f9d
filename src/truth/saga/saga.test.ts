/**
 * Sagas: the definition's rule on compensations, the coordinator core (reverse-order compensation,
 * crash and resume from any point of its log), idempotent services, and the saga-payment story's
 * numbers in the simulator.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isScenarioError, parseScenario } from '../../scenario/load.js';
import { runVariant } from '../../scenario/runner.js';
import type { ResolvedVariant } from '../../scenario/schema.js';
import { loadScenario, runner } from '../../testing/story-runner.js';
import { SagaCoordinator, type CoordinatorEffect, type CoordinatorRecord, type StepReply, type StepRequest, type TimerToken } from './coordinator.js';
import { sagaDefinitionSchema, type SagaDefinition } from './definition.js';
import { SagaParticipant } from './participant.js';
import { Journal } from './journal.js';
import type { Context, Disk } from '../../runtime/context.js';
import { InventoryLedger, PaymentLedger, ShippingLedger, paymentFlowCatalog, paymentFlowSaga, sagaPaymentConfigSchema } from '../../systems/truth/saga-payment/payment-flow.js';

// ---------------------------------------------------------------------------------------------
// The definition: a step without a compensation is refused at load time, naming the step.

const sagaWithout = (steps: string) => `
name: bad-saga
topology: { nodes: 4 }
workload: { type: script, durationMs: 100, script: [] }
checks: [ { name: saga-all-or-nothing } ]
system:
  process: truth/saga-payment
  config:
    saga:
      steps:
${steps}
`;

const chargeWithoutRefund = sagaWithout(`        - { name: reserve-inventory, service: inventory, action: reserve, compensation: release }
        - { name: charge-card, service: payment, action: charge }
        - { name: ship, service: shipping, action: ship, pivot: true }`);

function loadError(text: string): string {
  try {
    parseScenario(text, 'bad-saga.yaml');
  } catch (e) {
    assert.ok(isScenarioError(e), `a ScenarioError, got ${String(e)}`);
    return e.message;
  }
  assert.fail('the scenario loaded');
}

test('definition: a step without a compensation before the pivot is refused at load time, naming the step and the field', () => {
  const msg = loadError(chargeWithoutRefund);
  assert.match(msg, /^bad-saga\.yaml:\d+:\d+: system\.config\.saga\.steps\[1\]\.compensation: step "charge-card" has no compensation/);
  assert.match(msg, /one of refund/);
  assert.match(msg, /pivot: true/);
  // No pivot at all: the last step needs a compensation too.
  const noPivot = loadError(
    sagaWithout(`        - { name: reserve-inventory, service: inventory, action: reserve, compensation: release }
        - { name: ship, service: shipping, action: ship }`),
  );
  assert.match(noPivot, /steps\[1\]\.compensation: step "ship" has no compensation/);
  // The pivot's compensation would never run; a second pivot, an unknown action, a foreign compensation.
  assert.match(loadError(sagaWithout(`        - { name: ship, service: shipping, action: ship, compensation: cancel-shipment, pivot: true }`)), /steps\[0\]\.compensation: step "ship" is the pivot: it is never undone/);
  assert.match(
    loadError(
      sagaWithout(`        - { name: a, service: payment, action: charge, pivot: true }
        - { name: b, service: shipping, action: ship, pivot: true }`),
    ),
    /steps\[1\]\.pivot: step "b": at most one pivot/,
  );
  assert.match(loadError(sagaWithout(`        - { name: a, service: payment, action: pay, compensation: refund }`)), /steps\[0\]\.action: step "a": an action of payment: charge \(got "pay"\)/);
  assert.match(loadError(sagaWithout(`        - { name: a, service: payment, action: charge, compensation: release }`)), /steps\[0\]\.compensation: step "a": a compensation of payment: refund/);
  // The default payment flow follows the rule (ship is the pivot, the last step).
  const ok = sagaDefinitionSchema(paymentFlowCatalog).safeParse(paymentFlowSaga);
  assert.equal(ok.success, true);
});

test('definition: pillars run exits 2 with one message for a saga step without a compensation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pillars-saga-'));
  const file = join(dir, 'bad-saga.yaml');
  writeFileSync(file, chargeWithoutRefund);
  const main = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
  const r = spawnSync(process.execPath, [main, 'run', file, '--no-store'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /system\.config\.saga\.steps\[1\]\.compensation: step "charge-card" has no compensation/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

// ---------------------------------------------------------------------------------------------
// The coordinator core against real participants, synchronously: every effect is carried out at
// once, messages in FIFO order, and the coordinator can be "crashed" at any point of its log.

interface Harness {
  log: CoordinatorRecord[];
  sent: StepRequest[];
  timers: TimerToken[];
  timerMs: number[];
  ended: { saga: string; status: string; reason?: string }[];
  services: Record<string, SagaParticipant>;
}

const options = { compensate: true, idempotencyKeys: true, stepTimeoutMs: 100, stepAttemptsMax: 3, retryTimeoutMaxMs: 1000 };

function services(declineCharges: boolean): Record<string, SagaParticipant> {
  const fixed = () => 0.5;
  return {
    inventory: new SagaParticipant(new InventoryLedger(10), fixed),
    payment: new SagaParticipant(new PaymentLedger(declineCharges ? 1 : 0), fixed),
    shipping: new SagaParticipant(new ShippingLedger(), fixed),
  };
}

/** Carry out effects until none are left; `crashAt` stops once the log holds that many records. */
function drive(core: SagaCoordinator, first: CoordinatorEffect[], h: Harness, opts: { crashAt?: number; lose?: (m: StepRequest) => boolean } = {}): 'crashed' | 'idle' {
  const queue: CoordinatorEffect[] = [...first];
  const replies: StepReply[] = [];
  while (queue.length > 0 || replies.length > 0) {
    const e = queue.shift();
    if (e === undefined) {
      queue.push(...core.onReply(replies.shift()!));
      continue;
    }
    if (e.kind === 'record') {
      h.log.push(e.record);
      if (opts.crashAt !== undefined && h.log.length >= opts.crashAt) {
        // Crash: the requests already sent still reach their services; their answers are lost.
        return 'crashed';
      }
    } else if (e.kind === 'timer') {
      h.timers.push(e.token);
      h.timerMs.push(e.ms);
    }
    else if (e.kind === 'ended') h.ended.push(e);
    else {
      h.sent.push(e.msg);
      if (opts.lose?.(e.msg)) continue;
      const svc = h.services[e.service];
      const m = e.msg;
      if (m.phase === 'action') {
        const r = svc.act(m.op, m.saga, m.key, m.data);
        replies.push({ type: 'saga_step_reply', saga: m.saga, step: m.step, phase: m.phase, attempt: m.attempt, outcome: r.ok ? 'ok' : 'refused', reason: r.reason });
      } else {
        svc.undo(m.op, m.saga, m.key, m.data);
        replies.push({ type: 'saga_step_reply', saga: m.saga, step: m.step, phase: m.phase, attempt: m.attempt, outcome: 'ok' });
      }
    }
  }
  return 'idle';
}

const holding = (h: Harness, action: string, saga = 'o1') => {
  const svc = { reserve: 'inventory', charge: 'payment', ship: 'shipping' }[action]!;
  return h.services[svc].ledger.holdings()[action][saga] ?? 0;
};

function harness(declineCharges = false): Harness {
  return { log: [], sent: [], timers: [], timerMs: [], ended: [], services: services(declineCharges) };
}

test('coordinator: runs the steps in order, and on a refusal compensates the completed steps in reverse order', () => {
  const def: SagaDefinition = {
    name: 'four',
    steps: [
      { name: 'reserve', service: 'inventory', action: 'reserve', compensation: 'release', pivot: false },
      { name: 'ship-early', service: 'shipping', action: 'ship', compensation: 'cancel-shipment', pivot: false },
      { name: 'charge', service: 'payment', action: 'charge', pivot: true },
    ],
  };
  const h = harness(true);
  const core = new SagaCoordinator(def, options, () => 0.5);
  drive(core, core.begin('o1', { sku: 'k1', units: 2 }), h);
  assert.deepEqual(
    h.sent.map((m) => `${m.phase}:${m.op}`),
    ['action:reserve', 'action:ship', 'action:charge', 'compensation:cancel-shipment', 'compensation:release'],
  );
  assert.deepEqual(h.ended, [{ kind: 'ended', saga: 'o1', status: 'compensated', reason: 'card declined' }]);
  assert.equal(holding(h, 'reserve'), 0);
  assert.equal(holding(h, 'ship'), 0);
  // Every outcome was a record before the next request went out.
  assert.deepEqual(
    h.log.map((r) => (r.t === 'step' ? `step${r.step}:${r.outcome}` : r.t === 'undone' ? `undone${r.step}` : r.t)),
    ['begin', 'step0:ok', 'step1:ok', 'step2:failed', 'undone1', 'undone0', 'end'],
  );
});

test('coordinator: a compensatable step that never answers is given up on and compensated with its key; the pivot is asked until it answers', () => {
  const h = harness();
  const core = new SagaCoordinator(paymentFlowSaga, options, () => 0.5);
  // The payment service is unreachable: every charge is lost.
  const lose = (m: StepRequest) => m.op === 'charge';
  drive(core, core.begin('o1', { sku: 'k1', units: 1 }), h, { lose });
  for (let i = 0; i < 5 && h.ended.length === 0; i++) drive(core, core.onTimer(h.timers.at(-1)!), h, { lose });
  assert.equal(h.sent.filter((m) => m.op === 'charge').length, options.stepAttemptsMax);
  assert.deepEqual(h.ended.map((e) => e.status), ['compensated']);
  // The refund reached payment before any charge: a tombstone, so a late charge is refused.
  assert.equal(h.services.payment.act('charge', 'o1', 'o1/charge-card', { sku: 'k1', units: 1 }).ok, false);
  assert.equal(holding(h, 'charge'), 0);
  assert.equal(holding(h, 'reserve'), 0);

  // Shipping (the pivot) unreachable: asked again and again, never compensated.
  const h2 = harness();
  const core2 = new SagaCoordinator(paymentFlowSaga, options, () => 0.5);
  const loseShip = (m: StepRequest) => m.op === 'ship';
  drive(core2, core2.begin('o1', { sku: 'k1', units: 1 }), h2, { lose: loseShip });
  for (let i = 0; i < 10; i++) drive(core2, core2.onTimer(h2.timers.at(-1)!), h2, { lose: loseShip });
  assert.equal(h2.ended.length, 0);
  assert.equal(h2.sent.filter((m) => m.op === 'ship').length, 11);
  assert.equal(core2.view('o1')!.phase, 'forward');
  // Its timeout doubles up to the cap (1000 ms), half of it jittered (the random draw is 0.5 here).
  assert.deepEqual(h2.timerMs.slice(2, 8), [100, 150, 300, 600, 750, 750]);
  drive(core2, core2.onTimer(h2.timers.at(-1)!), h2);
  assert.deepEqual(h2.ended.map((e) => e.status), ['completed']);
  assert.equal(holding(h2, 'ship'), 1);
});

test('coordinator: crashed after any record of its log, a new coordinator resumes from the log and completes or compensates, charging at most once', () => {
  for (const decline of [false, true]) {
    const full = harness(decline);
    const ref = new SagaCoordinator(paymentFlowSaga, options, () => 0.5);
    drive(ref, ref.begin('o1', { sku: 'k1', units: 3 }), full);
    const expected = decline ? 'compensated' : 'completed';
    assert.deepEqual(full.ended.map((e) => e.status), [expected]);
    for (let k = 1; k < full.log.length; k++) {
      const h = harness(decline);
      const first = new SagaCoordinator(paymentFlowSaga, options, () => 0.5);
      assert.equal(drive(first, first.begin('o1', { sku: 'k1', units: 3 }), h, { crashAt: k }), 'crashed');
      // What reached the disk: the first k records. A new coordinator starts from them.
      const durable = h.log.slice(0, k);
      h.log = [...durable];
      const second = new SagaCoordinator(paymentFlowSaga, options, () => 0.5);
      drive(second, second.recover(durable), h);
      assert.equal(second.resumed, 1, `crash after record ${k}`);
      assert.deepEqual(h.ended.map((e) => e.status), [expected], `crash after record ${k}`);
      assert.equal(holding(h, 'charge'), decline ? 0 : 1, `crash after record ${k}: charges`);
      assert.equal(holding(h, 'reserve'), decline ? 0 : 3, `crash after record ${k}: units held`);
      assert.equal(holding(h, 'ship'), decline ? 0 : 1, `crash after record ${k}: shipments`);
    }
  }
});

test('coordinator: without idempotency keys, resuming after a crash charges twice (what the keys prevent)', () => {
  const h = harness();
  const noKeys = { ...options, idempotencyKeys: false };
  const first = new SagaCoordinator(paymentFlowSaga, noKeys, () => 0.5);
  // Crash right after the reservation's outcome is logged and the charge was sent (and applied).
  drive(first, first.begin('o1', { sku: 'k1', units: 1 }), h, { crashAt: 3 });
  assert.equal(holding(h, 'charge'), 1);
  const second = new SagaCoordinator(paymentFlowSaga, noKeys, () => 0.5);
  drive(second, second.recover(h.log.slice(0, 2)), h);
  assert.equal(holding(h, 'charge'), 2);
});

// ---------------------------------------------------------------------------------------------
// The journal: nothing acts before its records (and every earlier commit's) are durable.

/** A Context with only a disk whose fsyncs complete when the test says, and crash() keeping only synced bytes. */
function diskContext() {
  let files = new Map<string, Uint8Array>();
  let synced = new Map<string, Uint8Array>();
  const fsyncs: (() => void)[] = [];
  const disk: Disk = {
    write: (f, d) => void files.set(f, d),
    append: (f, d) => {
      const old = files.get(f) ?? new Uint8Array();
      const out = new Uint8Array(old.length + d.length);
      out.set(old);
      out.set(d, old.length);
      files.set(f, out);
    },
    read: (f) => files.get(f),
    truncate: (f, n) => void files.set(f, (files.get(f) ?? new Uint8Array()).slice(0, n)),
    remove: (f) => void files.delete(f),
    list: () => [...files.keys()].sort(),
    fsync: (f, done) => {
      const snapshot = files.get(f);
      fsyncs.push(() => {
        if (snapshot !== undefined) synced.set(f, snapshot);
        done();
      });
    },
  };
  const ctx = { disk, log: () => {} } as unknown as Context;
  return {
    ctx,
    completeFsync: () => fsyncs.shift()!(),
    crash: () => {
      files = new Map(synced);
      synced = new Map(synced);
      fsyncs.length = 0;
    },
    files: () => files,
  };
}

test('journal: a commit acts only once its records and every earlier commit are durable; a crash keeps the synced records', () => {
  const d = diskContext();
  const j = new Journal<{ n: number }>(d.ctx, 'j.log', true);
  const acted: string[] = [];
  j.commit([{ n: 1 }], () => acted.push('one'));
  j.commit([], () => acted.push('nothing to write, after one'));
  j.commit([{ n: 2 }, { n: 3 }], () => acted.push('two and three'));
  assert.deepEqual(acted, []);
  d.completeFsync();
  assert.deepEqual(acted, ['one', 'nothing to write, after one']);
  // A crash now: records 2 and 3 never became durable, and their commit never acted.
  d.crash();
  const after = new Journal<{ n: number }>(d.ctx, 'j.log', true);
  assert.deepEqual(after.replayed, [{ n: 1 }]);
  // A torn tail (an append cut by the crash) is dropped and cut off, not reported as corruption.
  const goodBytes = d.files().get('j.log')!.length;
  d.ctx.disk.append('j.log', new Uint8Array([9, 0, 0]));
  const torn = new Journal<{ n: number }>(d.ctx, 'j.log', true);
  assert.deepEqual(torn.replayed, [{ n: 1 }]);
  assert.equal(torn.corrupt, undefined);
  assert.equal(d.files().get('j.log')!.length, goodBytes);
  // In memory: acts at once, keeps nothing.
  const mem = new Journal<{ n: number }>(d.ctx, 'mem.log', false);
  let now = false;
  mem.commit([{ n: 1 }], () => (now = true));
  assert.equal(now, true);
  assert.equal(d.files().has('mem.log'), false);
});

// ---------------------------------------------------------------------------------------------
// Idempotent services.

test('participant: the same charge delivered five times charges once with a key, five times without', () => {
  const data = { sku: 'k1', units: 1 };
  const keyed = new SagaParticipant(new PaymentLedger(0), () => 0.5);
  const answers = Array.from({ length: 5 }, () => keyed.act('charge', 'o1', 'o1/charge-card', data));
  assert.deepEqual(answers.map((a) => [a.ok, a.duplicate]), [[true, false], [true, true], [true, true], [true, true], [true, true]]);
  assert.equal(keyed.ledger.holdings().charge.o1, 1);
  // The refund, also duplicated, refunds once; then the charge stays refused.
  assert.deepEqual([keyed.undo('refund', 'o1', 'o1/charge-card', data).effect, keyed.undo('refund', 'o1', 'o1/charge-card', data).effect], ['undone', 'none']);
  assert.equal(keyed.ledger.holdings().charge.o1, 0);
  assert.equal(keyed.act('charge', 'o1', 'o1/charge-card', data).ok, false);

  const naive = new SagaParticipant(new PaymentLedger(0), () => 0.5);
  for (let i = 0; i < 5; i++) naive.act('charge', 'o1', undefined, data);
  assert.equal(naive.ledger.holdings().charge.o1, 5);

  // A decline is remembered too: the retry of a declined charge is declined, not drawn again.
  let draws = 0;
  const declining = new SagaParticipant(new PaymentLedger(0.5), () => (draws++ === 0 ? 0.1 : 0.9));
  assert.equal(declining.act('charge', 'o2', 'o2/charge-card', data).reason, 'card declined');
  assert.equal(declining.act('charge', 'o2', 'o2/charge-card', data).ok, false);
  assert.equal(draws, 1);
});

test('participant: replaying its journal rebuilds the ledger and the keys (a restarted service still refuses a second charge)', () => {
  const data = { sku: 'k1', units: 2 };
  const before = new SagaParticipant(new InventoryLedger(5), () => 0.5);
  const records = [
    before.act('reserve', 'o1', 'o1/reserve-inventory', data).record!,
    before.act('reserve', 'o2', 'o2/reserve-inventory', data).record!,
    before.undo('release', 'o2', 'o2/reserve-inventory', data).record!,
    before.undo('release', 'o3', 'o3/reserve-inventory', data).record!,
    before.act('reserve', 'o4', 'o4/reserve-inventory', { sku: 'k1', units: 4 }).record!,
  ];
  assert.equal(records[4].t === 'act' && records[4].ok, false); // 1 unit left: out of stock
  const after = new SagaParticipant(new InventoryLedger(5), () => 0.5);
  for (const r of JSON.parse(JSON.stringify(records))) after.replay(r);
  assert.deepEqual(after.ledger.holdings(), before.ledger.holdings());
  assert.equal((after.ledger as InventoryLedger).availableUnits('k1'), 3);
  assert.equal(after.act('reserve', 'o1', 'o1/reserve-inventory', data).duplicate, true);
  assert.match(after.act('reserve', 'o3', 'o3/reserve-inventory', data).reason!, /cancelled/);
  assert.match(after.act('reserve', 'o4', 'o4/reserve-inventory', { sku: 'k1', units: 4 }).reason!, /out of stock/);
});

// ---------------------------------------------------------------------------------------------
// In the simulator: one order, the coordinator crashed in the middle of its saga.

/**
 * Latency 5 ms, fsync 1 ms: the order reaches n1 at 5, the reservation is asked at 6 and logged at
 * 18, the charge is asked at 18 and applied at n3 at 24; n1 crashes at 26, before the answer arrives,
 * for 500 ms.
 */
function oneOrder(config: Record<string, unknown>, opts: { retries?: number } = {}): ResolvedVariant {
  const text = `
name: saga-crash
topology: { nodes: 4 }
network: { latency: { dist: constant, value: 5 } }
disk: { fsyncMs: { dist: constant, value: 1 } }
workload:
  type: script
  durationMs: 100
  script: [ { at: 0, client: 1, f: write, key: k1, value: 1 } ]
  servers: [n1]
  target: n1
  timeoutMs: 300
  retries: ${opts.retries ?? 5}
  settleMs: 5000
faults: [ { at: 26, for: 500, crash: n1 } ]
checks: [ { name: saga-all-or-nothing } ]
system: { process: truth/saga-payment, config: ${JSON.stringify(config)} }
`;
  return parseScenario(text, 'saga-crash.yaml').variants[0];
}

test('simulator: a coordinator crashed in the middle of a saga resumes it from its log and completes it, charging once', () => {
  const r = runVariant(oneOrder({ declineProbability: 0 })).report;
  assert.equal(r.met, true, JSON.stringify(r.checks));
  const m = r.metrics;
  assert.equal(m.sagas_resumed, 1);
  assert.equal(m.orders_completed, 1);
  assert.equal(m.applied_charge, 1);
  // The charge was asked again after the restart, with its key: answered from the payment service's memory.
  assert.ok(m.duplicates_absorbed >= 1, `${m.duplicates_absorbed} duplicates absorbed`);
  assert.equal(m.double_charges, 0);
  assert.equal(m.ops_ok, 1);

  // The same crash without keys: the resumed charge is a second charge.
  const noKeys = runVariant(oneOrder({ declineProbability: 0, idempotencyKeys: false })).report.metrics;
  assert.equal(noKeys.sagas_resumed, 1);
  assert.equal(noKeys.double_charges, 1);
});

test('simulator: a coordinator crashed while a declined charge is answered resumes and compensates; in memory it forgets and leaks', () => {
  const r = runVariant(oneOrder({ declineProbability: 1 })).report;
  assert.equal(r.met, true, JSON.stringify(r.checks));
  const m = r.metrics;
  assert.equal(m.sagas_resumed, 1);
  assert.equal(m.orders_failed, 1);
  assert.equal(m.orders_compensated, 1);
  assert.equal(m.compensations_run, 1);
  assert.equal(m.units_leaked, 0);
  assert.equal(m.applied_charge, 0);
  // The client heard "compensated", but an attempt of its had timed out, so it records the outcome as unknown.
  assert.equal(m.ops_ok, 0);

  // A coordinator that keeps its sagas in memory, and a client that does not retry: the saga is
  // forgotten in the crash, and its reservation is never released.
  const forgot = runVariant(oneOrder({ declineProbability: 1, durableLog: false }, { retries: 0 })).report;
  assert.equal(forgot.met, false);
  assert.equal(forgot.metrics.sagas_resumed, 0);
  assert.equal(forgot.metrics.orders_lost, 1);
  assert.ok(forgot.metrics.units_leaked >= 1);
});

// ---------------------------------------------------------------------------------------------
// The story.

test('saga-payment.yaml: without compensations stock leaks, without keys cards are charged twice; orchestrated and choreographed sagas are all or nothing', () => {
  const run = runner('saga-payment.yaml');
  const naive = run('naive');
  const noKeys = run('no-keys');
  const fixed = run('fixed');
  const choreo = run('choreographed');
  for (const r of [naive, noKeys, fixed, choreo]) assert.equal(r.met, true, r.variant);
  const [n, k, f, c] = [naive.metrics, noKeys.metrics, fixed.metrics, choreo.metrics];
  // The same 1,300 orders in every variant, every one of them accounted for.
  for (const m of [n, k, f, c]) assert.equal(m.orders_completed + m.orders_failed, 1300);
  for (const m of [f, c]) assert.equal(m.orders_unfinished + m.orders_lost, 0);

  // naive: every failed order keeps its units: hundreds leak, and the empty shelves refuse orders.
  assert.ok(n.units_leaked >= 400, `naive leaked ${n.units_leaked}`);
  assert.equal(n.compensations_run, 0);
  assert.ok(n.orders_failed >= 200, `${n.orders_failed}`);
  assert.ok(n.refused_reserve > f.refused_reserve, `out of stock ${n.refused_reserve} vs ${f.refused_reserve}`);
  // ... and retries and duplicated messages charge cards twice.
  assert.ok(n.double_charges >= 15, `naive double charges ${n.double_charges}`);

  // no-keys: compensations release the failed orders' units, but duplicates still apply twice (and
  // late ones after their compensation): fewer units leak, still hundreds.
  assert.ok(k.compensations_run >= 200);
  assert.ok(k.units_leaked < n.units_leaked / 2 && k.units_leaked >= 100, `no-keys leaked ${k.units_leaked} vs ${n.units_leaked}`);
  assert.ok(k.double_charges >= 15, `no-keys double charges ${k.double_charges}`);
  assert.ok(k.double_shipments >= 15);

  // fixed: nothing leaks, nobody pays twice, though the coordinator retried hundreds of steps and resumed after its crash.
  for (const m of [f, c]) {
    assert.equal(m.units_leaked, 0);
    assert.equal(m.double_charges, 0);
    assert.equal(m.charged_not_completed, 0);
    assert.equal(m.double_shipments, 0);
    assert.ok(m.duplicates_absorbed >= 50, `${m.duplicates_absorbed} duplicates absorbed`);
  }
  assert.ok(f.step_retries >= 300);
  assert.ok(f.sagas_resumed >= 1);
  // Every failed order was compensated: a release for each one whose reservation succeeded (and a
  // refund for a charge given up on that had applied after all).
  assert.equal(f.orders_compensated, f.orders_failed);
  assert.ok(f.compensations_run >= f.orders_failed - f.refused_reserve && f.compensations_run <= 2 * f.orders_failed, `${f.compensations_run} compensations`);
  // The charges given up on during the outage were refunded before they arrived: tombstones.
  assert.ok(f.steps_given_up >= 100);
  assert.ok(f.compensations_before_step >= 100);

  // choreographed: the orders caught by the outage wait for payment and complete; slower, not wrong.
  assert.ok(c.orders_completed > f.orders_completed + 80, `${c.orders_completed} vs ${f.orders_completed}`);
  assert.ok(c.event_resends >= 100);
  assert.ok(c.latency_ms_p99 > f.latency_ms_p99);
  // A release per declined charge: nothing is given up on, so nothing else is undone.
  assert.equal(c.compensations_run, c.orders_failed - c.refused_reserve);
});

test('saga-payment.yaml: heavy duplication (30% of messages) never double-charges with keys; the same run without keys does', () => {
  const s = loadScenario('saga-payment.yaml');
  const dup = (name: string) => {
    const v = structuredClone(s.variants.find((x) => x.name === name)!);
    v.network.duplicate = 0.3;
    return runVariant(v).report.metrics;
  };
  const fixed = dup('fixed');
  const choreo = dup('choreographed');
  const noKeys = dup('no-keys');
  for (const m of [fixed, choreo]) {
    assert.equal(m.double_charges, 0);
    assert.equal(m.units_leaked, 0);
    assert.ok(m.duplicates_absorbed >= 1000, `${m.duplicates_absorbed} duplicates absorbed`);
  }
  assert.ok(noKeys.double_charges >= 200, `${noKeys.double_charges} double charges`);
});

test('saga-payment.yaml: the same seed gives the same traceHash', () => {
  const s = loadScenario('saga-payment.yaml');
  for (const name of ['fixed', 'choreographed']) {
    const v = s.variants.find((x) => x.name === name)!;
    assert.equal(runVariant(v).report.traceHash, runVariant(v).report.traceHash, name);
  }
  // The configuration's defaults are the documented payment flow.
  assert.deepEqual(sagaPaymentConfigSchema.parse({}).saga, paymentFlowSaga);
});
