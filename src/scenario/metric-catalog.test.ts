import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { declaredMetrics, parseScenario, ScenarioError, undeclaredMetrics } from './load.js';
import { runVariants } from './runner.js';
import { checks } from './checks.js';
import { editDistance, MetricCatalog, pattern } from './metric-catalog.js';
import { registerCatalog } from '../cli/catalog.js';

registerCatalog();

const root = fileURLToPath(new URL('../../../', import.meta.url));
const main = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const scenarioFile = (name: string) => join(root, 'scenarios', `${name}.yaml`);
const load = (name: string, set?: string[]) => parseScenario(readFileSync(scenarioFile(name), 'utf8'), scenarioFile(name), { set });

function rejected(f: () => unknown): ScenarioError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ScenarioError, `expected a ScenarioError, got ${e}`);
    return e;
  }
  assert.fail('expected the scenario to be rejected');
}

const queue = `
name: t
topology: { nodes: 1 }
system: { process: work/queue-server, config: { workers: 2, service: { dist: exponential, mean: 5 } } }
workload: { type: open, ratePerSec: 100, durationMs: 1000, ops: { job: 1 } }
checks:
  - { name: metric, metric: ops_fail, max: 0 }
  - { name: metric, metric: wait_ms_job_p99, max: 100 }
variants:
  naive: {}
  fixed:
    checks:
      - { name: metric, metric: ops_fail, max: 0 }
      - { name: metric, metric: jobs_done, min: 1 }
      - { name: metric, metric: jobs_dnoe, min: 1 }
`;

test('a misspelt metric in a check is refused at load time, with the closest known names', () => {
  const e = rejected(() => parseScenario(queue, 'q.yaml'));
  assert.equal(e.path, 'variants.fixed.checks[2].metric');
  assert.match(e.expected, /"jobs_dnoe"/);
  assert.match(e.expected, /closest known: jobs_done/);
  assert.match(e.expected, /pillars list q\.yaml/);
});

test('a metric of the base is named by its base path; histograms and per-operation names are declared', () => {
  assert.equal(parseScenario(queue.replace('jobs_dnoe', 'wait_ms_job_p99'), 'q.yaml').variants.length, 2);
  const e = rejected(() => parseScenario(queue.replace('jobs_dnoe', 'queue_depth').replace('wait_ms_job_p99', 'wait_ms_read_p99'), 'q.yaml'));
  assert.equal(e.path, 'checks[1].metric');
  assert.match(e.expected, /wait_ms_job_p99/);
});

test('compare checks its metric against its own variant and ofMetric against the other', () => {
  const cmp = (check: string) => queue.replace(/ {2}fixed:[\s\S]*$/, `  fixed:\n    checks:\n      - ${check}\n`);
  assert.equal(parseScenario(cmp('{ name: compare, metric: jobs_done, of: naive, minRatio: 1 }'), 'q.yaml').variants.length, 2);
  const mine = rejected(() => parseScenario(cmp('{ name: compare, metric: job_done, of: naive, minRatio: 1 }'), 'q.yaml'));
  assert.equal(mine.path, 'variants.fixed.checks[0].metric');
  assert.match(mine.expected, /variant fixed/);
  const theirs = rejected(() => parseScenario(cmp('{ name: compare, metric: jobs_done, of: naive, ofMetric: jobs_dn, minRatio: 1 }'), 'q.yaml'));
  assert.equal(theirs.path, 'variants.fixed.checks[0].ofMetric');
  assert.match(theirs.expected, /variant naive/);
  // A comparison's own result is a metric a later check may bound.
  const then = cmp('{ name: compare, metric: jobs_done, of: naive, minRatio: 1 }\n      - { name: metric, metric: jobs_done_vs_naive, min: 1 }');
  assert.equal(parseScenario(then, 'q.yaml').variants.length, 2);
});

test('metrics.show and metrics.chart name declared metrics', () => {
  const fixedQueue = queue.replace('jobs_dnoe', 'queue_depth');
  const e = rejected(() => parseScenario(`${fixedQueue}\nmetrics: { show: [jobs_done, queue_dpth] }\n`, 'q.yaml'));
  assert.equal(e.path, 'metrics.show[1]');
  assert.match(e.expected, /closest known: queue_depth/);
  const c = rejected(() => parseScenario(`${fixedQueue}\nmetrics: { chart: [ops_okk] }\n`, 'q.yaml'));
  assert.equal(c.path, 'metrics.chart[0]');
});

test('a name that depends on the config follows it: netflix-encoding with another concurrency has no throughput_n720', () => {
  const s = load('netflix-encoding');
  assert.ok(declaredMetrics(s.variants[0]).has('throughput_n720'));
  const e = rejected(() => load('netflix-encoding', ['system.config.phases.0.concurrency=64']));
  assert.equal(e.path, 'checks[0].metric');
  assert.match(e.expected, /"throughput_n720"/);
  assert.match(e.expected, /throughput_n64/);
  // What the variants declare now (as pillars list shows it, past the check that names the old one).
  const text = readFileSync(scenarioFile('netflix-encoding'), 'utf8');
  const changed = parseScenario(text, 'netflix-encoding.yaml', { set: ['system.config.phases.0.concurrency=64'], checkMetricNames: false });
  assert.ok(declaredMetrics(changed.variants[0]).has('throughput_n64'));
  assert.ok(!declaredMetrics(changed.variants[0]).has('throughput_n720'));
});

test('per-node names are declared for the nodes of the topology, when the config turns them on', () => {
  const s = load('anti-entropy');
  const fixed = declaredMetrics(s.variants.find((v) => v.name === 'fixed')!);
  assert.ok(fixed.has('divergent_buckets_n3'));
  assert.ok(!fixed.has('divergent_buckets_n4'));
  // naive runs no anti-entropy: no Merkle trees to compare
  assert.ok(!declaredMetrics(s.variants.find((v) => v.name === 'naive')!).has('divergent_buckets_n1'));
});

test('patterns match one name part; the closest names come by edit distance', () => {
  const c = new MetricCatalog().add(['ops_ok', 'ops_fail', pattern('requests_to_<backend>')]);
  assert.ok(c.has('requests_to_n12'));
  assert.ok(!c.has('requests_to_'));
  assert.deepEqual(c.closest('ops_fial'), ['ops_fail']);
  assert.deepEqual(c.closest('zzzzzzzzzzzzzzzzzzzzzz').length, 3);
  assert.equal(editDistance('kitten', 'sitting'), 3);
});

test('cheap scenarios report only metrics their variants declare', () => {
  let runs = 0;
  for (const name of ['atm-race', 'batching', 'flash-crash', 'phantom-write', 'kill-switch', 'time-traitors', 'deadlock', 'thundering-herd']) {
    const s = load(name);
    for (const seed of [1, 2]) {
      const done = runVariants(s, s.variants.map((v) => v.name), () => ({ seed }));
      for (const v of s.variants) {
        runs++;
        assert.deepEqual(undeclaredMetrics(v, done.get(v.name)!.report.metrics), [], `${name}/${v.name} seed ${seed}`);
      }
    }
  }
  assert.ok(runs >= 16);
});

test('pillars: a misspelt metric exits 2 naming the field; list <scenario> prints what each variant declares', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pillars-metrics-'));
  const file = join(dir, 'q.yaml');
  writeFileSync(file, queue);
  const run = spawnSync(process.execPath, [main, 'run', file, '-q', '--no-store'], { encoding: 'utf8' });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /variants\.fixed\.checks\[2\]\.metric: a metric variant fixed reports, got "jobs_dnoe"; closest known: jobs_done/);
  // The list still works on the file with the typo: it is where to look the name up.
  const list = spawnSync(process.execPath, [main, 'list', file], { encoding: 'utf8' });
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /^fixed \(work\/queue-server, \d+ names\):/m);
  assert.match(list.stdout, / jobs_done /);
  const usl = spawnSync(process.execPath, [main, 'list', scenarioFile('netflix-encoding'), '--set', 'system.config.phases.0.concurrency=64'], { encoding: 'utf8' });
  assert.equal(usl.status, 0, usl.stderr);
  assert.match(usl.stdout, /throughput_n64/);
});

test("every story's checks name the metric their verdict is about, one they produce (or, for metric and compare, one the variant declares)", () => {
  const files = readdirSync(join(root, 'scenarios')).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 40, `${files.length} stories`);
  let named = 0;
  for (const f of files) {
    for (const v of load(f.replace(/\.yaml$/, '')).variants) {
      for (const c of v.checks) {
        const entry = checks[c.name];
        const metric = entry.verdictMetric(c);
        if (metric === undefined) continue;
        named++;
        const own = c.name === 'metric' || c.name === 'compare' ? declaredMetrics(v) : new MetricCatalog().add(entry.produces(c, v));
        assert.ok(own.has(metric), `${f} ${v.name} check ${c.name}: its verdict metric ${metric} is not among ${own.list().join(', ')}`);
      }
    }
  }
  assert.ok(named >= 100, `${named} checks name their metric`);
});
