import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from './load.js';
import { runVariant } from './runner.js';
import { KeyPicker } from './workload.js';
import { workloadSchema } from './schema.js';
import { RandomStreams } from '../sim/rng.js';
import { registerCatalog } from '../cli/catalog.js';

registerCatalog();

const scenario = (workload: string, extra = '') =>
  parseScenario(
    `
name: w
topology: { nodes: 2 }
network: { latency: { dist: constant, value: 1 } }
system: { process: work/queue-server, config: { workers: 1000, service: { dist: constant, value: 3 } } }
workload: ${workload}
${extra}`,
    'w.yaml',
  ).variants[0];

test("closed loop: throughput obeys Little's law, clients / (response time + think time)", () => {
  // Each operation: 1 ms there, 3 ms of service, 1 ms back = 5 ms; then 5 ms of thinking.
  const v = scenario('{ type: closed, clients: 8, thinkMs: { dist: constant, value: 5 }, durationMs: 10000, ops: { job: 1 }, settleMs: 100 }');
  const m = runVariant(v).report.metrics;
  assert.equal(m.latency_ms_mean, 5);
  const perSec = m.ops_ok / 10;
  assert.ok(Math.abs(perSec - 8 / 0.01) / 800 < 0.01, `${perSec} ops/s`);
});

test('open loop: Poisson arrivals at the configured rate, whatever the replies', () => {
  const v = scenario('{ type: open, ratePerSec: 2000, clients: 3, durationMs: 20000, ops: { job: 1 }, settleMs: 100 }');
  const m = runVariant(v).report.metrics;
  const rate = m.ops_invoked / 20;
  // 40,000 expected arrivals; a Poisson count's sd is 200, i.e. 0.5%.
  assert.ok(Math.abs(rate - 2000) / 2000 < 0.02, `${rate}/s`);
});

test('keys: Zipf(1) over 100 keys gives key 0 a share of 1/H(100), hot gives one key (or its share), uniform spreads', () => {
  const s = new RandomStreams(4).stream('keys');
  const r = () => s.next();
  const count = (p: KeyPicker, n: number) => {
    const c = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const k = p.pick(r)!;
      c.set(k, (c.get(k) ?? 0) + 1);
    }
    return c;
  };
  const n = 100_000;
  const zipf = count(new KeyPicker({ dist: 'zipf', count: 100, s: 1, hotShare: 1 }), n);
  let h = 0;
  for (let k = 1; k <= 100; k++) h += 1 / k;
  assert.ok(Math.abs(zipf.get('k0')! / n - 1 / h) < 0.005, `k0 share ${zipf.get('k0')! / n}`);
  assert.ok(Math.abs(zipf.get('k1')! / n - 1 / (2 * h)) < 0.005);
  assert.deepEqual([...count(new KeyPicker({ dist: 'hot', count: 100, s: 1, hotShare: 1 }), 100).keys()], ['k0']);
  const celebrity = count(new KeyPicker({ dist: 'hot', count: 1000, s: 1, hotShare: 0.25 }), n);
  assert.ok(Math.abs(celebrity.get('k0')! / n - 0.25) < 0.01);
  assert.ok(celebrity.size > 900, 'the rest spread over the other keys');
  const uniform = count(new KeyPicker({ dist: 'uniform', count: 10, s: 1, hotShare: 1 }), n);
  assert.equal(uniform.size, 10);
  for (const c of uniform.values()) assert.ok(Math.abs(c / n - 0.1) < 0.01);
});

test('keys that move: from each move on, the hot key is k(offset), wrapping around the key count', () => {
  const picker = new KeyPicker({ dist: 'hot', count: 10, s: 1, hotShare: 1, moves: [{ at: 1000, offset: 7 }, { at: 2000, offset: 13 }] });
  const r = () => 0.5;
  assert.deepEqual([0, 999, 1000, 1999, 2000, 9999].map((t) => picker.pick(r, t)), ['k0', 'k0', 'k7', 'k7', 'k3', 'k3']);
  const bad = workloadSchema.safeParse({ type: 'open', ratePerSec: 1, durationMs: 1, ops: { read: 1 }, keys: { dist: 'hot', moves: [{ at: 5, offset: 1 }, { at: 5, offset: 2 }] } });
  assert.equal(bad.success, false);
  assert.match(JSON.stringify(bad.error?.issues), /times in increasing order/);
});

test('operations follow their weights, and a timed-out operation is recorded as info', () => {
  const v = scenario(
    '{ type: closed, clients: 4, durationMs: 2000, ops: { read: 3, write: 1 }, keys: { dist: uniform, count: 5 }, timeoutMs: 2, settleMs: 50 }',
  );
  const { history } = runVariant(v, { recordHistory: true });
  const invokes = history!.events.filter((e) => e.type === 'invoke');
  const reads = invokes.filter((e) => e.f === 'read').length;
  assert.ok(Math.abs(reads / invokes.length - 0.75) < 0.03);
  // Service takes 3 ms plus 2 ms on the wire: every operation outlives its 2 ms timeout.
  const outcomes = new Set(history!.events.filter((e) => e.type !== 'invoke').map((e) => e.type));
  assert.deepEqual([...outcomes], ['info']);
  // Each info retires its process: no process id is reused after an info.
  const retired = new Set<number>();
  for (const e of history!.events) {
    if (e.type === 'invoke') assert.ok(!retired.has(e.process));
    if (e.type === 'info') retired.add(e.process);
  }
});

test('time series are sampled on virtual time and aligned', () => {
  const v = scenario('{ type: open, ratePerSec: 100, durationMs: 1000, ops: { job: 1 }, settleMs: 0 }', 'metrics: { sampleEveryMs: 100 }');
  const { report } = runVariant(v);
  const series = report.series!;
  assert.equal(series.ops_invoked.length, 11);
  assert.deepEqual(series.ops_invoked.map(([t]) => t), [0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
  assert.equal(series.ops_ok.length, series.ops_invoked.length);
  const last = series.ops_invoked[series.ops_invoked.length - 1][1];
  assert.equal(last, report.metrics.ops_invoked);
});

test('spikes: an open workload arrives at rate x factor during a spike (thinning), at the base rate elsewhere', () => {
  const v = scenario('{ type: open, ratePerSec: 1000, clients: 4, durationMs: 20000, ops: { job: 1 }, settleMs: 100, spikes: [{ at: 5000, for: 5000, factor: 3 }] }');
  const m = runVariant(v).report.metrics;
  // 15 s at 1000/s and 5 s at 3000/s: 30,000 arrivals (sd ≈ 173).
  assert.ok(Math.abs(m.ops_invoked - 30_000) / 30_000 < 0.02, `${m.ops_invoked} arrivals`);
});

test('retries wait their backoff and stop at the retry budget; the give-ups are info', () => {
  // A server slower than the timeout: every attempt times out.
  const slow = (workload: string) =>
    parseScenario(
      `
name: w
topology: { nodes: 1 }
network: { latency: { dist: constant, value: 1 } }
system: { process: work/queue-server, config: { workers: 1000, service: { dist: constant, value: 500 } } }
workload: ${workload}`,
      'w.yaml',
    ).variants[0];
  const base = '{ type: open, ratePerSec: 100, clients: 1, durationMs: 10000, ops: { job: 1 }, timeoutMs: 100, retries: 3, settleMs: 5000';
  const unlimited = runVariant(slow(`${base} }`)).report.metrics;
  const budgeted = runVariant(slow(`${base}, retryBudget: { ratio: 0.1, minPerSecond: 0 }, retryBackoff: { initialMs: 50, jitter: none } }`)).report.metrics;
  // Without a budget every call is tried 4 times; with one, retries are about a tenth of the calls.
  assert.ok(Math.abs(unlimited.ops_retried - 3 * unlimited.ops_invoked) <= 3, `${unlimited.ops_retried} retries for ${unlimited.ops_invoked} calls`);
  assert.ok(budgeted.ops_retried <= 0.1 * budgeted.ops_invoked + 1, `${budgeted.ops_retried} retries for ${budgeted.ops_invoked} calls`);
  assert.ok(budgeted.retries_refused_by_budget > 0.8 * budgeted.ops_invoked);
  // Given up on: outcome unknown (a late reply to an attempt still pending may yet say ok).
  assert.equal(budgeted.ops_info + (budgeted.ops_ok ?? 0), budgeted.ops_invoked);
  assert.ok(budgeted.ops_info > 0.85 * budgeted.ops_invoked);
});

test('a metric bound on a metric the run never reported fails instead of holding vacuously; outcomes are reported even at 0', () => {
  // A misspelt name is refused when the file loads (metric-catalog.test.ts); one that is declared
  // but not reported this time (no operation was retried) still fails at run time.
  assert.throws(() => scenario('{ type: open, ratePerSec: 100, clients: 1, durationMs: 1000, ops: { job: 1 }, settleMs: 100 }', 'checks: [{ name: metric, metric: ops_infoo, max: 0 }]'), /closest known: ops_info/);
  const v = scenario('{ type: open, ratePerSec: 100, clients: 1, durationMs: 1000, ops: { job: 1 }, settleMs: 100 }', 'checks: [{ name: metric, metric: ops_retried, max: 0 }, { name: metric, metric: ops_info, max: 0 }]');
  const r = runVariant(v).report;
  assert.equal(r.checks[0].ok, false);
  assert.match(r.checks[0].detail, /ops_retried was not reported/);
  assert.equal(r.checks[1].ok, true);
  assert.equal(r.metrics.ops_info, 0);
});
