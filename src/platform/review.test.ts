/**
 * The automated 5-minute review: the example passes item by item (a snapshot of its verdicts), and
 * each mistake the seeds warn about turns its item to warn or fail with the reason and the number.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { validateSystemSpec } from './spec.js';
import { formatReview, reviewSystem, type Review, type ReviewItem } from './review.js';

const exampleText = readFileSync(fileURLToPath(new URL('../../../examples/ecommerce.yaml', import.meta.url)), 'utf8');
type Raw = Record<string, Record<string, Record<string, unknown>>>;
const example = () => parse(exampleText) as Raw;
const review = (raw: Raw): Review => reviewSystem(validateSystemSpec(raw, 'sys.yaml'));
const item = (r: Review, name: string): ReviewItem => {
  const found = r.items.find((i) => i.item === name);
  assert.ok(found, `an item "${name}" in ${r.items.map((i) => i.item).join(', ')}`);
  return found;
};

test('the example passes every item of the review (snapshot of the verdicts)', () => {
  const r = review(example());
  assert.deepEqual(
    r.items.map((i) => `${i.pillar} ${i.kind === 'advice' ? 'advice: ' : ''}${i.item}: ${i.verdict}`),
    [
      'work load balancing strategy: pass',
      'work scaling triggers: pass',
      'work batch vs stream: pass',
      'work advice: load balancer: pass',
      'state partitioning scheme: pass',
      'state replication factor: pass',
      'state backup strategy: pass',
      'state advice: sharding: pass',
      'state advice: replication: pass',
      'truth consistency model: pass',
      'truth conflict resolution: pass',
      'truth transaction boundaries: pass',
      'truth advice: consensus: pass',
      'truth advice: event sourcing: pass',
      'control health checks: pass',
      'control deployment strategy: pass',
      'control rollback plan: pass',
      'control kill switch: pass',
      'control advice: circuit breakers: pass',
      'control advice: autoscaling guards: pass',
      'intelligence auto-recovery: pass',
      'intelligence anomaly detection: pass',
      'intelligence learning from failures: pass',
      'intelligence advice: chaos engineering: pass',
      'intelligence advice: model guards: pass',
      'intelligence advice: feedback loops: pass',
    ],
  );
  assert.equal(r.verdict, 'pass');
  assert.deepEqual(r.counts, { pass: 26, warn: 0, fail: 0 });
  assert.equal(r.maturity.label, 'L5 self-optimizing');
  assert.match(item(r, 'replication factor').reason, /user_data 3, product_catalog 4 \(2 regions x 2\), inventory 3, orders 3/);
  assert.match(item(r, 'consensus').reason, /600 writes\/s per Raft group at peak \(1,200 over 2 partitions\), under 1,000/);
  assert.deepEqual(review(example()), r, 'the same spec, the same review');
});

test('replication factor 1 on inventory and no kill switch: the review fails and names both', () => {
  const raw = example();
  raw.state.inventory.replicationFactor = 1;
  delete raw.control.kill_switch;
  const r = review(raw);
  assert.equal(r.verdict, 'fail');
  assert.equal(r.counts.fail, 2);
  assert.equal(item(r, 'replication factor').verdict, 'fail');
  assert.match(item(r, 'replication factor').reason, /^replication factor 1 on inventory: one disk failure loses it$/);
  assert.equal(item(r, 'kill switch').verdict, 'fail');
  assert.match(item(r, 'kill switch').reason, /no kill switch/);
});

test('replication factor 2 warns: no majority; an even Raft group warns: use an odd number', () => {
  const two = example();
  two.state.orders.replicationFactor = 2;
  const r = review(two);
  assert.equal(item(r, 'replication factor').verdict, 'warn');
  assert.match(item(r, 'replication factor').reason, /replication factor 2 on orders: .*no majority/);
  assert.equal(r.verdict, 'warn');

  const four = example();
  four.state.inventory.replicationFactor = 4;
  const c = item(review(four), 'consensus');
  assert.equal(c.verdict, 'warn');
  assert.match(c.reason, /Raft over 4 copies tolerates 1 failure, as 3 would; use an odd number/);
});

test("the seeds' pattern advice warns with its numbers", () => {
  // A small shop: 60 req/s, 40 GB, $50k an hour down, one region, a balancer, sharding, Raft, chaos.
  const small = example();
  Object.assign(small.traffic, { requestsPerSecPeak: 60, dataGb: 40, downtimeCostUsdPerHour: 50_000, uptimeTargetPercent: 99.5 });
  for (const set of ['user_data', 'orders', 'inventory']) delete small.state[set].sizeGb;
  const r = review(small);
  assert.match(item(r, 'load balancer').reason, /a load balancer at 60 req\/s peak: under 100 req\/s the seeds do without one/);
  assert.match(item(r, 'sharding').reason, /user_data sharded, with 40 GB in the whole system: under the 100 GB below which the seeds do not shard/);
  assert.doesNotMatch(item(r, 'sharding').reason, /inventory/, 'partitioning by warehouse places data; it is not sharding for size');
  assert.match(item(r, 'chaos engineering').reason, /chaos engineering at \$50,000 an hour down: .* more than \$1M\/hour/);
  assert.match(item(r, 'replication').reason, /copies in several regions for a 99.5% target: under 99.9% the seeds find one region OK/);
  for (const name of ['load balancer', 'sharding', 'chaos engineering', 'replication']) assert.equal(item(r, name).verdict, 'warn', name);
  assert.equal(r.verdict, 'warn', 'advice warns, it never fails a review');

  const big = example();
  big.state.user_data = { pattern: 'replicated', regions: ['us'], replicasPerRegion: 3 };
  big.state.orders = { pattern: 'replicated', regions: ['us'], replicasPerRegion: 3 };
  big.truth.inventory_count.scope = 'single';
  delete big.intelligence.chaos;
  big.regions = ['us'] as never;
  big.state.product_catalog.regions = ['us'];
  big.work.api_gateway.regions = ['us'];
  big.work.api_gateway.services = Array.from({ length: 14 }, (_, i) => `svc${i}`);
  const b = review(big);
  assert.match(item(b, 'sharding').reason, /2,400 GB and nothing sharded: above 1 TB the seeds shard/);
  assert.match(item(b, 'consensus').reason, /inventory_count: 1,200 writes\/s through one Raft group at peak: every write waits for a majority; above 1,000/);
  assert.match(item(b, 'chaos engineering').reason, /\$2.5M an hour down and no chaos engineering: above \$1M\/hour/);
  assert.match(item(b, 'service mesh').reason, /14 services and no service mesh: above 10 the seeds use one/);
  assert.match(item(b, 'replication').reason, /a 99.95% target \(4.4 hours down a year\) in one region/);

  const mesh = example();
  mesh.control.mesh = { pattern: 'service-mesh' };
  assert.match(item(review(mesh), 'service mesh').reason, /a service mesh over 10 services .*: the seeds use one above 10/);
});

test('truth: a promise the pattern cannot keep fails; so do an async primary and a saga step with no compensation', () => {
  const lww = example();
  lww.truth.catalog_prices.consistency = 'linearizable';
  const c = item(review(lww), 'consistency model');
  assert.equal(c.verdict, 'fail');
  assert.match(c.reason, /catalog_prices promises linearizable reads of product_catalog, but lww gives at most eventual/);

  const bare = example();
  delete bare.truth.user_preferences;
  assert.match(item(review(bare), 'consistency model').reason, /no consistency model for user_data/);

  const primary = example();
  primary.truth.inventory_count = { pattern: 'async-primary', of: 'inventory', consistency: 'eventual' };
  const p = review(primary);
  assert.equal(item(p, 'conflict resolution').verdict, 'fail');
  assert.match(item(p, 'conflict resolution').reason, /async primary: after a failover the new primary lacks acknowledged writes/);

  const saga = example();
  (saga.truth.checkout.steps as { name: string; compensation?: string }[])[1].compensation = undefined;
  assert.match(item(review(saga), 'transaction boundaries').reason, /checkout: step authorize-payment has no compensation/);

  const noSaga = example();
  delete noSaga.truth.checkout;
  const t = item(review(noSaga), 'transaction boundaries');
  assert.equal(t.verdict, 'warn');
  assert.match(t.reason, /inventory is split over 2 partitions and no saga or two-phase commit spans them/);

  const clock = example();
  clock.truth.catalog_prices.clock = 'wall';
  assert.match(item(review(clock), 'conflict resolution').reason, /last write wins by wall clock.*scenarios\/time-traitors\.yaml/);
});

test('control and intelligence: what each missing or naive answer costs', () => {
  const naive = example();
  naive.control = {
    deployment: { pattern: 'all-at-once', bakeMinutes: 1, versionCheck: false },
    rollback: { pattern: 'manual-rollback', runbook: 'wiki/rollback' },
    kill_switch: { pattern: 'kill-switch', scope: 'cluster', store: 'single', pollMs: 100 },
    health: { pattern: 'health-endpoint', intervalMs: 5000 },
  };
  naive.intelligence = { anomaly: { pattern: 'anomaly-detection', detector: 'static-threshold', metrics: ['cpu'] } };
  const r = review(naive);
  const verdicts = Object.fromEntries(r.items.filter((i) => i.kind === 'checklist' && (i.pillar === 'control' || i.pillar === 'intelligence')).map((i) => [i.item, i.verdict]));
  assert.deepEqual(verdicts, {
    'health checks': 'warn',
    'deployment strategy': 'fail',
    'rollback plan': 'warn',
    'kill switch': 'warn',
    'auto-recovery': 'fail',
    'anomaly detection': 'warn',
    'learning from failures': 'fail',
  });
  assert.match(item(r, 'deployment strategy').reason, /^deployment: all at once: .*; deployment: no version check: .*Knight Capital 2012/);
  assert.match(item(r, 'kill switch').reason, /on one flag server/);
  assert.match(item(r, 'autoscaling guards').reason, /scaling: an autoscaler with no guards/);
  assert.equal(r.maturity.label, 'L3 predictive', 'anomaly alerts, a reactive floor, a forecast; no supervisor');

  const empty = example();
  empty.work = {};
  delete empty.control.autoscaling_guards;
  delete empty.intelligence.fraud_detection;
  const w = review(empty);
  assert.equal(item(w, 'load balancing strategy').verdict, 'fail');
  assert.match(item(w, 'load balancing strategy').reason, /no load balancing strategy at 12,000 req\/s peak/);
  assert.equal(item(w, 'scaling triggers').verdict, 'fail');
  assert.equal(item(w, 'batch vs stream').verdict, 'warn');
});

test('the terminal report groups items by pillar, and colours only when asked', () => {
  const r = review(example());
  const plain = formatReview(r);
  assert.doesNotMatch(plain, /\x1b\[/);
  const order = ['Work:', 'State:', 'Truth:', 'Control:', 'Intelligence:'].map((h) => plain.indexOf(`\n${h}`));
  assert.ok(order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1])), 'the five pillars in order');
  assert.match(plain, /\n {2}pass {2}kill switch +kill_switch: cluster-wide, in the Raft KV/);
  assert.match(plain.trim().split('\n').at(-1)!, /^PASS: 26 pass, 0 warn, 0 fail; intelligence maturity L5 self-optimizing$/);
  assert.match(formatReview(r, { color: true }), /\x1b\[32mpass/);
});
