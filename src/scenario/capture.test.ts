/**
 * A capture sees a run without changing it, and keeps what the HTML report shows: dense series, the
 * faults with their spans, and the messages around the first faults.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../runtime/config-error.js';
import { loadScenario } from '../testing/story-runner.js';
import { runVariant } from './runner.js';
import { describeFault, FaultTap, messagesOf, pickAround, type SequenceMessage } from './fault-tap.js';

const variant = (file: string, name: string) => loadScenario(file).variants.find((v) => v.name === name)!;

test('split-brain: the same report, traceHash and event count with a capture; the partition, its heal and the messages across the cut', () => {
  const v = variant('split-brain.yaml', 'naive');
  const plain = runVariant(v);
  const lines: string[] = [];
  const seen = runVariant(v, { capture: true, traceSink: (l) => lines.push(l) });
  assert.deepEqual(seen.report, plain.report);
  assert.ok(lines.length > 10_000, 'the caller still gets every trace line');
  const c = seen.capture!;
  assert.equal(plain.capture, undefined);

  // 200 intervals over the 65 s run, every counter from t = 0 (zero before it was first counted).
  const ok = c.series.ops_ok;
  assert.equal(ok.length, 201);
  assert.deepEqual([ok[0][0], ok[200][0]], [0, 65_000]);
  assert.equal(ok[200][1], plain.report.metrics.ops_ok);
  assert.equal(c.series.promotions.length, 201);
  assert.equal(c.series.promotions[0][1], 0);
  assert.ok(c.counters.includes('ops_ok') && c.counters.includes('net_dropped'));

  assert.deepEqual(
    c.faults.map((f) => [f.atMs, f.kind, f.untilMs]),
    [
      [5000, 'partition', 48_000],
      [48_000, 'heal', undefined],
    ],
  );
  assert.equal(c.faults[0].detail, 'n1,n2,n3 | n4,n5');
  assert.equal(c.sequences.length, 2);
  const cut = c.sequences[0];
  assert.equal(cut.atMs, 5000);
  assert.deepEqual(cut.nodes, ['n1', 'n2', 'n3', 'n4', 'n5']);
  assert.equal(cut.messages.length, 60);
  assert.equal(cut.messages.filter((m) => m.atMs < 5000).length, 30, 'half before the fault');
  const east = new Set(['n1', 'n2', 'n3']);
  const dropped = cut.messages.filter((m) => m.fate === 'drop');
  assert.ok(dropped.length >= 10, `${dropped.length} drops`);
  for (const m of dropped) {
    assert.ok(m.atMs >= 5000, 'nothing is cut before the partition');
    assert.equal(m.reason, 'partition');
    assert.notEqual(east.has(m.from), east.has(m.to), 'a dropped message crossed the cut');
  }
  for (const m of cut.messages) assert.ok(m.sentMs! <= m.atMs && Math.abs(m.atMs - 5000) <= 500);
});

test('a capture with a random nemesis: crashes pair with their restarts, sequences stop at sequencesMax, faultsMax bounds the list', () => {
  const v = variant('raft-chaos.yaml', 'fixed');
  const r = runVariant(v, { capture: { sequencesMax: 2, faultsMax: 12, samplePoints: 20 } });
  const c = r.capture!;
  assert.equal(c.faults.length, 12);
  assert.ok(c.faultsDropped > 0);
  assert.equal(c.sequences.length, 2);
  assert.equal(c.series.ops_ok.length, 21);
  for (const f of c.faults.filter((x) => x.kind === 'crash' && x.untilMs !== undefined)) {
    assert.ok(c.faults.some((g) => g.kind === 'restart' && g.atMs === f.untilMs && g.nodes![0] === f.nodes![0]), `crash of ${f.nodes} at ${f.atMs} ends with its restart`);
  }
  for (const s of c.sequences) {
    assert.ok(s.messages.length > 0 && s.messages.length <= 60);
    assert.ok(s.messages.every((m) => s.nodes.includes(m.from) && s.nodes.includes(m.to)));
  }
});

test('latency per interval and servers up over time: the nemesis of raft-chaos shows in both', () => {
  const v = variant('raft-chaos.yaml', 'fixed');
  const r = runVariant(v, { capture: { samplePoints: 40 } });
  const c = r.capture!;
  const p99 = c.series.latency_ms_p99_interval;
  const p50 = c.series.latency_ms_p50_interval;
  assert.ok(p99.length > 20 && p99.length <= 41, `${p99.length} intervals with observations`);
  for (let i = 0; i < p99.length; i++) assert.ok(p99[i][1] >= p50[i][1], 'p99 >= p50 in each interval');
  // The run's p99 lies within the intervals' p99s, and an interval's p99 can be far above the mean one.
  const values = p99.map(([, x]) => x);
  assert.ok(Math.min(...values) <= r.report.metrics.latency_ms_p99 && r.report.metrics.latency_ms_p99 <= Math.max(...values) * 1.01);
  assert.ok(!c.counters.includes('latency_ms_p99_interval'), 'a quantile is charted as a value, not a rate');
  // The nemesis crashes servers: fewer than all are up at some sample, all of them at the start.
  const up = c.series.nodes_up.map(([, x]) => x);
  const servers = 5;
  assert.equal(up[0], servers);
  assert.ok(Math.min(...up) < servers, `nodes_up never fell below ${servers}`);
});

test('a run without scheduled faults is not tapped: no faults, no sequences, the series all the same', () => {
  const v = variant('metastable.yaml', 'naive');
  assert.equal(v.faults.length, 0);
  const plain = runVariant(v);
  const seen = runVariant(v, { capture: true });
  assert.deepEqual(seen.report, plain.report);
  assert.deepEqual([seen.capture!.faults, seen.capture!.sequences], [[], []]);
  assert.equal(seen.capture!.series.ops_invoked.length, 201);
});

test('capture options are checked', () => {
  const v = variant('split-brain.yaml', 'naive');
  assert.throws(() => runVariant(v, { capture: { samplePoints: 0 } }), (e: unknown) => e instanceof ConfigError && /capture\.samplePoints: expected a positive integer/.test(e.message));
  assert.throws(() => runVariant(v, { capture: { sequenceWindowMs: -1 } }), /capture\.sequenceWindowMs/);
});

const line = (r: Record<string, unknown>) => JSON.stringify(r);

test('the tap pairs faults with what undoes them and opens one window per instant', () => {
  const tap = new FaultTap({ servers: ['n1', 'n2', 'n3'], clients: ['c1'], faultsMax: 100, sequencesMax: 2, sequenceWindowMs: 10, sequenceMessagesMax: 60 });
  tap.line(line({ t: 1, kind: 'send', from: 'n1', to: 'n2', id: 1, msg: { type: 'ping' } }));
  tap.line(line({ t: 2, kind: 'deliver', from: 'n1', to: 'n2', id: 1 }));
  tap.line(line({ t: 5, kind: 'fault', fault: 'crash', node: 'n1' }));
  tap.line(line({ t: 5, kind: 'fault', fault: 'crash', node: 'n2' }));
  tap.line(line({ t: 6, kind: 'send', from: 'c1', to: 'n1', id: 2, msg: { type: 'get' } }));
  tap.line(line({ t: 7, kind: 'drop', from: 'c1', to: 'n1', id: 2, reason: 'node-down' }));
  tap.line(line({ t: 8, kind: 'fault', fault: 'partition', groups: [['n1'], ['n2', 'n3']] }));
  tap.line(line({ t: 9, kind: 'fault', fault: 'one-way', from: ['n3'], to: ['n2'] }));
  tap.line(line({ t: 20, kind: 'restart', node: 'n1' }));
  tap.line(line({ t: 30, kind: 'fault', fault: 'heal', partition: 'all' }));
  tap.line(line({ t: 31, kind: 'timer', node: 'n2', timer: 4 }));
  tap.finish();
  const f = tap.faults;
  assert.deepEqual(f.map((x) => [x.kind, x.atMs, x.untilMs]), [
    ['crash', 5, 20],
    ['crash', 5, undefined],
    ['partition', 8, 30],
    ['one-way', 9, 30],
    ['restart', 20, undefined],
    ['heal', 30, undefined],
  ]);
  // Both crashes share the window at t=5; the partition opens the second; the rest get none.
  assert.equal(tap.sequences.length, 2);
  const [crash, cut] = tap.sequences;
  assert.equal(crash.title, 'crash: n1, n2');
  assert.deepEqual(crash.nodes, ['n1', 'n2', 'c1']);
  assert.deepEqual(crash.messages, [
    { sentMs: 1, atMs: 2, from: 'n1', to: 'n2', type: 'ping', fate: 'deliver' },
    { sentMs: 6, atMs: 7, from: 'c1', to: 'n1', type: 'get', fate: 'drop', reason: 'node-down' },
  ]);
  assert.deepEqual(cut.messages.map((m) => `${m.from}>${m.to}`), ['n1>n2'], "a partition shows its nodes' messages, not the client's");
});

test('a second delivery of one message is a duplicate; a delivery whose send was forgotten is left out', () => {
  const ms = messagesOf([
    line({ t: 1, kind: 'send', from: 'a', to: 'b', id: 7, msg: { type: 'x' } }),
    line({ t: 2, kind: 'deliver', from: 'a', to: 'b', id: 7 }),
    line({ t: 3, kind: 'deliver', from: 'a', to: 'b', id: 7 }),
    line({ t: 3, kind: 'deliver', from: 'a', to: 'b', id: 6 }),
    line({ t: 4, kind: 'send', from: 'a', to: 'b', id: 8, msg: 'no type' }),
    line({ t: 4, kind: 'drop', from: 'a', to: 'b', id: 8, reason: 'loss' }),
  ]);
  assert.deepEqual(ms.map((m) => [m.fate, m.type, m.atMs]), [
    ['deliver', 'x', 2],
    ['duplicate', 'x', 3],
    ['drop', '?', 4],
  ]);
});

test('pickAround keeps the messages nearest the fault, half on each side unless one side has fewer', () => {
  const at = (t: number) => ({ atMs: t, from: 'a', to: 'b', type: 't', fate: 'deliver' }) as SequenceMessage;
  const ms = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(at);
  assert.deepEqual(pickAround(ms, 5.5, 4).map((m) => m.atMs), [4, 5, 6, 7]);
  assert.deepEqual(pickAround(ms, 2.5, 4).map((m) => m.atMs), [1, 2, 3, 4]);
  assert.deepEqual(pickAround(ms, 9.5, 4).map((m) => m.atMs), [7, 8, 9, 10]);
  assert.deepEqual(pickAround(ms, 0, 3).map((m) => m.atMs), [1, 2, 3]);
});

test('every fault the world records is told in words', () => {
  const d = (r: Record<string, unknown>) => describeFault({ t: 1, kind: 'fault', ...r }).detail;
  assert.equal(d({ fault: 'slow', node: 'n2', factor: 10 }), 'n2 runs 10x slower');
  assert.equal(d({ fault: 'slow', node: 'n2', factor: 1 }), 'n2 runs at full speed again');
  assert.equal(d({ fault: 'clock', node: 'n3', offsetMs: -250 }), "n3's clock jumps -250 ms");
  assert.equal(d({ fault: 'clock', node: 'n3', offsetMs: 0, driftPpm: 200 }), "n3's clock drifts 200 ppm");
  assert.equal(d({ fault: 'one-way', from: ['n1'], to: ['n2', 'n3'] }), 'n1 cannot reach n2,n3');
  assert.equal(d({ fault: 'heal', partition: 'n1 -/-> n2,n3' }), 'n1 -/-> n2,n3 heals');
  assert.deepEqual(describeFault({ t: 1, kind: 'fault', fault: 'heal', partition: 'n1 -/-> n2,n3' }).nodes, ['n1', 'n2', 'n3']);
  assert.equal(d({ fault: 'loss', p: 0.5 }), 'every link loses 50% more of its messages');
  assert.equal(d({ fault: 'loss', p: 0 }), 'the extra message loss stops');
  assert.equal(d({ fault: 'pause', node: 'n1' }), 'n1 pauses (messages and timers wait)');
});
