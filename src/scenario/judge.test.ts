import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from './load.js';
import { judge, runVariants } from './runner.js';
import type { CheckReport } from './report.js';
import { registerCatalog } from '../cli/catalog.js';
import { History, NANOS_PER_MS } from '../check/history.js';
import { MetricsRegistry } from '../sim/metrics.js';
import { checks } from './checks.js';

registerCatalog();

const base = `
name: t
topology: { nodes: 3 }
system: { process: state/gossip }
workload: { type: closed, durationMs: 2000, clients: 2, ops: { broadcast: 1 } }
checks: [ { name: broadcast-complete }, { name: metric, metric: ops_ok, min: 1 } ]
`;

const variant = (expect: string) => parseScenario(base + `variants:\n  v: { expect: ${expect} }\n`, 'x.yaml').variants[0];
const r = (name: string, ok: boolean, extra: Partial<CheckReport> = {}): CheckReport => ({ name, ok, detail: '', ...extra });

test('expect fail is met only when the checks it names fail, and nothing could not be judged', () => {
  const v = variant('{ fail: [broadcast-complete] }');
  assert.deepEqual(judge(v, [r('broadcast-complete', false), r('metric:ops_ok', true)]), { met: true });
  // Another check failing proves nothing about the story.
  const other = judge(v, [r('broadcast-complete', true), r('metric:ops_ok', false)]);
  assert.equal(other.met, false);
  assert.match(other.why!, /expected broadcast-complete to fail; it did not/);
  // A check that could not decide is not a failure.
  assert.equal(judge(v, [r('broadcast-complete', false, { unknown: true }), r('metric:ops_ok', true)]).met, false);
  // A missing metric or an exceeded event budget is an error, never a met expectation.
  const broken = judge(v, [r('broadcast-complete', false), r('metric:ops_okk', false, { error: true, detail: 'ops_okk was not reported by this run' })]);
  assert.equal(broken.met, false);
  assert.match(broken.why!, /metric:ops_okk could not be judged: ops_okk was not reported/);
  assert.equal(judge(v, [r('broadcast-complete', false), r('event-budget', false, { error: true })]).met, false);
});

test('expect pass is met when every check holds; a search is met when it catches the failure on this seed', () => {
  const pass = variant('pass');
  assert.deepEqual(judge(pass, [r('broadcast-complete', true)]), { met: true });
  assert.match(judge(pass, [r('broadcast-complete', false)]).why!, /broadcast-complete did not hold/);
  const search = variant('{ search: [broadcast-complete], caught: 8, seeds: 1..500 }');
  assert.deepEqual(judge(search, [r('broadcast-complete', false)]), { met: true });
  assert.match(judge(search, [r('broadcast-complete', true)]).why!, /a search: not caught on this seed .* on 8 of seeds 1\.\.500/);
});

test('a comparison runs its peer first on the same seed and bounds the ratio as a product', () => {
  const cmp = (ratio: string) => parseScenario(base + `variants:\n  fixed: { checks: [ { name: compare, metric: ops_ok, of: naive, ${ratio} } ] }\n  naive: { workload: { clients: 1 } }\n`, 'x.yaml');
  const s = cmp('minRatio: 1.2');
  const runs = runVariants(s, ['fixed']);
  assert.deepEqual([...runs.keys()], ['naive', 'fixed'], 'the peer ran first, though listed second and not asked for');
  const mine = runs.get('fixed')!.report;
  const theirs = runs.get('naive')!.report;
  assert.equal(mine.seed, theirs.seed);
  const ratio = mine.metrics.ops_ok / theirs.metrics.ops_ok;
  assert.ok(ratio > 1.2, `two clients do more than one: ratio ${ratio}`);
  const check = mine.checks.find((c) => c.name === 'compare:ops_ok')!;
  assert.equal(check.ok, true, check.detail);
  assert.equal(mine.metrics.ops_ok_vs_naive, Number(ratio.toPrecision(4)));
  // The same pair with a bound the numbers do not meet fails, and says both numbers.
  const tight = runVariants(cmp(`minRatio: ${Math.ceil(ratio * 10)}`), ['fixed']).get('fixed')!.report.checks.find((c) => c.name === 'compare:ops_ok')!;
  assert.equal(tight.ok, false);
  assert.match(tight.detail, new RegExp(`ops_ok = ${mine.metrics.ops_ok}, naive's ops_ok = ${theirs.metrics.ops_ok}: ratio`));
});

test("a comparison's seedRatio sets the seeds' figure beside the measured ratio and says whether it holds", () => {
  const cmp = (seedRatio: number) => parseScenario(base + `variants:\n  fixed: { checks: [ { name: compare, metric: ops_ok, of: naive, minRatio: 1, seedRatio: ${seedRatio} } ] }\n  naive: { workload: { clients: 1 } }\n`, 'x.yaml');
  const detailWith = (seedRatio: number) => runVariants(cmp(seedRatio), ['fixed']).get('fixed')!.report.checks.find((c) => c.name === 'compare:ops_ok')!;
  const runs = runVariants(cmp(1), ['fixed']);
  const ratio = runs.get('fixed')!.report.metrics.ops_ok / runs.get('naive')!.report.metrics.ops_ok;
  // Two clients against one: the ratio is near 2. A seed's 2 holds; a seed's 20 is ten times off.
  const near = detailWith(Number(ratio.toFixed(1)));
  assert.equal(near.ok, true);
  assert.match(near.detail, new RegExp(`the seeds say ${Number(ratio.toFixed(1))}: measured [\\d.]+ times that, it holds`));
  const far = detailWith(20);
  // The seeds' figure is reported, not judged: the check's own bounds still decide.
  assert.equal(far.ok, true);
  assert.match(far.detail, /the seeds say 20: measured 0\.\d+ times that, it differs/);
  assert.doesNotMatch(runVariants(parseScenario(base + `variants:\n  fixed: { checks: [ { name: compare, metric: ops_ok, of: naive, minRatio: 1 } ] }\n  naive: { workload: { clients: 1 } }\n`, 'x.yaml'), ['fixed']).get('fixed')!.report.checks.find((c) => c.name === 'compare:ops_ok')!.detail, /seeds say/);
});

test('stale-reads names its first stale read as the witness: who read what, when, and the newer write acknowledged before', () => {
  const h = new History();
  const ms = (x: number) => x * NANOS_PER_MS;
  const op = (process: number, f: 'read' | 'write', value: unknown, from: number, to: number, node: string) => {
    h.events.push({ process, type: 'invoke', f, key: 'k', value: f === 'write' ? value : null, time: ms(from) });
    h.events.push({ process, type: 'ok', f, key: 'k', value, time: ms(to), node });
  };
  op(0, 'write', 1, 0, 10, 'n1');
  op(0, 'write', 2, 20, 30, 'n1');
  op(1, 'read', 2, 35, 40, 'n1');
  op(2, 'read', 1, 45, 50, 'n3');
  const entry = checks['stale-reads'];
  const out = entry.run({ history: h } as never, { max: 0, fromMs: 0 });
  assert.equal(out.ok, false);
  assert.equal(out.detail, "1 of 2 reads returned a value older than an acknowledged write (50.00%); the first: process 2's read of k begun at 45.000 ms (via n3) returned 1, though 2 was acknowledged at 30.000 ms");
  assert.equal(entry.failsForGood?.({}, new MetricsRegistry()), true, 'a stale read stays stale whatever follows');
});
