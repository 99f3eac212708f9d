import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualContext } from '../../testing/manual-context.js';
import type { ClientReply, ClientRequest } from '../../runtime/client-protocol.js';
import type { Context, Process } from '../../runtime/context.js';
import { timeShards, timeShardsConfigSchema } from './time-shards.js';

const shards = ['n2', 'n3', 'n4', 'n5'];

/** A message as the test reads it: a request's operation or a reply's outcome. */
type Wire = Omit<ClientRequest, 'type'> & Omit<ClientReply, 'type'>;

/** A node of the store with its sends and counters recorded. */
function node(id: string, config: Record<string, unknown>) {
  const sent: { to: string; msg: Wire }[] = [];
  const counters = new Map<string, number>();
  const world = manualContext({ id, peers: ['n1', ...shards], fsyncMs: 1, send: (to, msg) => sent.push({ to, msg: msg as Wire }) });
  const ctx: Context = { ...world.ctx, metrics: { count: (name: string, by = 1) => void counters.set(name, (counters.get(name) ?? 0) + by), observe() {}, gauge() {} } };
  const cfg = timeShardsConfigSchema.parse({ start: '2026-11-24T23:59:55Z', service: { dist: 'constant', value: 1 }, ...config });
  const process: Process = timeShards(ctx, cfg);
  return { process, sent, counters, clock: world.clock };
}

const request = (id: number, f: 'write' | 'scan', key?: string, value?: unknown): ClientRequest => ({ type: 'client_request', id, op: { f, key, value } });
const ok = (to: { msg: Wire }, value?: unknown): ClientReply => ({ type: 'client_reply', id: to.msg.id, status: 'ok', value });

test('a scan asks every salt of the day and is checked: a row a shard lost is missing, a row never written is foreign', () => {
  const router = node('n1', { salts: 4 });
  for (const [id, value] of [[1, 101], [2, 102]] as const) {
    router.process.onMessage('c1', request(id, 'write', `k${id}`, value));
    const toShard = router.sent.at(-1)!;
    assert.equal(toShard.msg.op.key, `2026-11-24/k${id}`, 'stamped with the router\'s day');
    router.process.onMessage(toShard.to, ok(toShard));
  }
  router.sent.length = 0;
  router.process.onMessage('c1', request(3, 'scan', 'k9'));
  assert.deepEqual(router.sent.map((s) => s.to).sort(), shards, 'one request to each of the 4 salts');
  assert.ok(router.sent.every((s) => s.msg.op.f === 'scan' && s.msg.op.key === '2026-11-24'));
  // The shards answer: 101 is found, 102 was lost, 999 was never written.
  const parts = [...router.sent];
  router.process.onMessage(parts[0].to, ok(parts[0], [101, 999]));
  for (const p of parts.slice(1)) router.process.onMessage(p.to, ok(p, []));
  const reply = router.sent.at(-1)!;
  assert.equal(reply.to, 'c1');
  assert.deepEqual([reply.msg.id, reply.msg.status, reply.msg.value], [3, 'ok', 2]);
  assert.equal(router.counters.get('scan_rows_expected'), 2);
  assert.equal(router.counters.get('scan_rows_missing'), 1);
  assert.equal(router.counters.get('scan_rows_foreign'), 1);
  assert.equal(router.counters.get('scan_shard_requests'), 4);
});

test('a scan with a part that fails fails as a whole; the day alone asks one shard', () => {
  const router = node('n1', { salts: 1 });
  router.process.onMessage('c1', request(1, 'scan'));
  assert.equal(router.sent.length, 1);
  const part = router.sent[0];
  router.process.onMessage(part.to, { type: 'client_reply', id: part.msg.id, status: 'fail', error: 'queue full' });
  assert.deepEqual([router.sent[1].to, router.sent[1].msg.status], ['c1', 'fail']);
  assert.equal(router.counters.get('scans_verified'), 0, 'a failed scan proves nothing either way');
});

test('a shard keeps each day\'s rows and returns only the day asked for, after its service time', () => {
  const shard = node('n2', { salts: 4 });
  shard.process.onMessage('n1', request(1, 'write', '2026-11-24/k1', 'a'));
  shard.process.onMessage('n1', request(2, 'write', '2026-11-25/k1', 'b'));
  shard.process.onMessage('n1', request(3, 'scan', '2026-11-24'));
  assert.equal(shard.sent.length, 0, 'nothing answered before the service time');
  shard.clock.advance(3);
  assert.deepEqual(shard.sent.map((s) => [s.msg.id, s.msg.value]), [[1, undefined], [2, undefined], [3, ['a']]]);
});
