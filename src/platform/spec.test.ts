/**
 * The system spec loader: the example parses into the typed spec, and every kind of mistake is one
 * ScenarioError naming the field and what was expected (for a pattern, the known names).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ScenarioError } from '../scenario/index.js';
import { knownPatterns, parseSystemSpec, pillarNames, replicationFactorOf, validateSystemSpec, dataSets } from './spec.js';

const examplePath = fileURLToPath(new URL('../../../examples/ecommerce.yaml', import.meta.url));
const exampleText = readFileSync(examplePath, 'utf8');
/** A fresh, editable copy of the example as plain data. */
const example = () => parse(exampleText) as Record<string, Record<string, Record<string, unknown>>>;

function rejects(raw: unknown): ScenarioError {
  try {
    validateSystemSpec(raw, 'sys.yaml');
  } catch (e) {
    assert.ok(e instanceof ScenarioError, `a ScenarioError, got ${String(e)}`);
    return e;
  }
  assert.fail('the spec was accepted');
}

test("the example expresses the seeds' e-commerce platform in the typed spec", () => {
  const s = parseSystemSpec(exampleText, 'examples/ecommerce.yaml');
  assert.equal(s.name, 'ecommerce');
  assert.deepEqual(s.regions, ['us', 'eu']);
  assert.deepEqual(Object.keys(s.work), ['api_gateway', 'load_balancer', 'order_processing', 'scaling']);
  assert.deepEqual(Object.keys(s.state), ['user_data', 'product_catalog', 'inventory', 'orders', 'backups']);
  assert.deepEqual(Object.keys(s.truth), ['inventory_count', 'order_status', 'user_preferences', 'catalog_prices', 'checkout']);
  const lb = s.work.load_balancer;
  assert.ok(lb.pattern === 'power-of-two-choices' && lb.backends === 8);
  const inventory = s.state.inventory;
  assert.ok(inventory.pattern === 'geographic' && inventory.key === 'warehouse_id' && inventory.shards === 2);
  assert.deepEqual(Object.fromEntries(dataSets(s).map(([n, c]) => [n, replicationFactorOf(c)])), { user_data: 3, product_catalog: 4, inventory: 3, orders: 3 });
  const kill = s.control.kill_switch;
  assert.ok(kill.pattern === 'kill-switch' && kill.scope === 'cluster' && kill.store === 'raft-kv');
  const fraud = s.intelligence.fraud_detection;
  assert.ok(fraud.pattern === 'edge-scoring' && fraud.guard === 'ml-circuit-breaker' && fraud.fallback === 'rules');
});

test('a missing pillar is named, with the patterns it could hold', () => {
  for (const p of pillarNames) {
    const raw = example();
    delete raw[p];
    const e = rejects(raw);
    assert.equal(e.path, p);
    assert.match(e.expected, new RegExp(`the ${p} pillar \\(missing\\)`));
    assert.ok(e.expected.includes(knownPatterns(p).join(', ')), e.expected);
  }
  const empty = example();
  empty.intelligence = {};
  assert.deepEqual(validateSystemSpec(empty, 'sys.yaml').intelligence, {}, 'an empty pillar is a statement, not a mistake');
});

test('an unknown or missing pattern names the field and lists the known names', () => {
  const raw = example();
  raw.state.inventory.pattern = 'sharded-by-magic';
  const e = rejects(raw);
  assert.equal(e.path, 'state.inventory.pattern');
  assert.match(e.expected, /^one of hash-mod-n, consistent-hash, rendezvous, range, geographic, time, bounded-load, replicated, snapshots, continuous-archive \(got "sharded-by-magic"\)$/);

  const none = example();
  delete none.control.kill_switch.pattern;
  const m = rejects(none);
  assert.equal(m.path, 'control.kill_switch.pattern');
  assert.match(m.expected, /one of circuit-breaker, .*kill-switch.* \(missing\)/);

  const anomaly = example();
  anomaly.intelligence.anomaly_detection.detector = 'crystal-ball';
  const d = rejects(anomaly);
  assert.equal(d.path, 'intelligence.anomaly_detection.detector');
  assert.match(d.expected, /static-threshold.*seasonal-esd.*recommended/);
});

test("a pattern's fields are checked: unknown, missing, wrong type", () => {
  const unknown = example();
  unknown.work.load_balancer.servers = 8;
  assert.deepEqual(pick(rejects(unknown)), ['work.load_balancer.servers', 'unknown field "servers"']);

  const missing = example();
  delete missing.state.inventory.replicationFactor;
  assert.deepEqual(pick(rejects(missing)), ['state.inventory.replicationFactor', 'expected number (missing)']);

  const type = example();
  (type.traffic as Record<string, unknown>).requestsPerSecPeak = 'lots';
  assert.deepEqual(pick(rejects(type)), ['traffic.requestsPerSecPeak', 'expected number, got string']);

  const whole = example();
  whole.state.inventory.replicationFactor = 0;
  assert.equal(rejects(whole).path, 'state.inventory.replicationFactor');

  const top = example() as Record<string, unknown>;
  top.owner = 'me';
  assert.deepEqual(pick(rejects(top)), ['owner', 'unknown field "owner"']);
});

test('names that refer to other components or regions must exist', () => {
  const truth = example();
  truth.truth.inventory_count.of = 'stock';
  assert.deepEqual(pick(rejects(truth)), ['truth.inventory_count.of', 'a data set of the state pillar: one of user_data, product_catalog, inventory, orders (got "stock")']);

  const backup = example();
  (backup.state.backups.of as string[]).push('carts');
  assert.equal(rejects(backup).path, 'state.backups.of[4]');

  const region = example();
  region.state.product_catalog.regions = ['us', 'apac'];
  assert.deepEqual(pick(rejects(region)), ['state.product_catalog.regions[1]', 'one of the regions (us, eu), got "apac"']);

  const scaler = example();
  scaler.work.scaling.target = 'api_gateway';
  assert.match(rejects(scaler).expected, /one of load_balancer, order_processing \(got "api_gateway"\)/);

  const bounds = example();
  bounds.work.scaling.minReplicas = 100;
  assert.deepEqual(pick(rejects(bounds)), ['work.scaling.minReplicas', 'at most maxReplicas (64), got 100']);

  const guard = example();
  guard.control.autoscaling_guards.guards = 'load_balancer';
  assert.match(rejects(guard).expected, /a scaler of the work pillar: one of scaling/);

  const edge = example();
  edge.intelligence.fraud_detection.at = 'load_balancer';
  assert.match(rejects(edge).expected, /an api-gateway of the work pillar: one of api_gateway/);
});

test('bad YAML and a document that is not a mapping name the place', () => {
  assert.throws(() => parseSystemSpec('name: x\nregions: [us\n', 'sys.yaml'), (e: unknown) => e instanceof ScenarioError && /^line \d+, column \d+$/.test(e.path) && /^valid YAML/.test(e.expected));
  assert.throws(() => parseSystemSpec('- just\n- a list\n', 'sys.yaml'), (e: unknown) => e instanceof ScenarioError && e.path === '' && /five pillars/.test(e.expected));
});

function pick(e: ScenarioError): [string, string] {
  return [e.path, e.expected];
}
