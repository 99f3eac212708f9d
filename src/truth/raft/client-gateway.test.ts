/**
 * The real node's client layer on virtual time: resends, backoff, deadlines and idle clients, each
 * driven by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../runtime/clock.js';
import type { ClientRequest } from '../../runtime/client-protocol.js';
import { ClientGateway, gatewayDefaults, type Outcome } from './client-gateway.js';
import { notAppliedErrors } from './host.js';

function gateway(member: { stopped?: string } = {}) {
  const clock = new ManualClock();
  const handedOff: { at: number; client: string; req: ClientRequest }[] = [];
  const counts = new Map<string, number>();
  const g = new ClientGateway(
    { clock, timers: { set: (ms, fn) => clock.set(ms, fn), clear: (h) => clock.clear(h) }, metrics: { count: (n) => counts.set(n, (counts.get(n) ?? 0) + 1), observe() {}, gauge() {} } },
    gatewayDefaults,
    {
      handOff: (client, req) => {
        if (member.stopped !== undefined) return member.stopped;
        handedOff.push({ at: clock.now(), client, req });
        return undefined;
      },
    },
  );
  g.start();
  return { g, clock, handedOff, counts };
}

const write = { f: 'write' as const, key: 'k', value: 1 };

test('an unanswered request is sent again every replyWaitMs, a new attempt each time, until its deadline: then a write is unknown', () => {
  const { g, clock, handedOff } = gateway();
  const outcomes: Outcome[] = [];
  g.submit('n1/c1', 7, 7, 'write', write, (r) => outcomes.push(r));
  clock.advance(gatewayDefaults.replyWaitMs * 3 + gatewayDefaults.sweepEveryMs);
  assert.deepEqual(handedOff.map((h) => [h.req.id, h.req.attempt, h.req.ackedBelow]), [[7, 1, 7], [7, 2, 7], [7, 3, 7], [7, 4, 7]]);
  assert.deepEqual(outcomes, []);
  clock.advance(gatewayDefaults.requestTimeoutMs);
  assert.deepEqual(outcomes, [{ status: 'info', error: 'timeout' }]);
  assert.equal(g.size, 0);
});

test('a read that times out failed (it never ran); an answer ends a request at once', () => {
  const { g, clock } = gateway();
  const outcomes: Outcome[] = [];
  g.submit('n1/c1', 1, 1, 'read', { f: 'read', key: 'k', value: null }, (r) => outcomes.push(r));
  g.submit('n1/c1', 2, 1, 'write', write, (r) => outcomes.push(r));
  assert.equal(g.onReply('n1/c1', { type: 'client_reply', id: 2, status: 'ok', attempt: 1 }), true);
  clock.advance(gatewayDefaults.requestTimeoutMs + gatewayDefaults.sweepEveryMs);
  assert.deepEqual(outcomes, [{ status: 'ok', value: undefined }, { status: 'fail', error: 'timeout' }]);
  assert.equal(g.onReply('n1/c1', { type: 'client_reply', id: 2, status: 'ok' }), false, 'nobody waits any more');
});

test('a refusal as not applied is retried after a backoff that doubles; a refusal of an older attempt is ignored', () => {
  const { g, clock, handedOff } = gateway();
  const outcomes: Outcome[] = [];
  g.submit('n1/c1', 1, 1, 'write', write, (r) => outcomes.push(r));
  const refuse = () => g.onReply('n1/c1', { type: 'client_reply', id: 1, status: 'fail', error: notAppliedErrors.noLeader, attempt: handedOff[handedOff.length - 1].req.attempt });
  // Every attempt is refused as soon as it is handed over, until the fifth.
  refuse();
  while (handedOff.length < 5) {
    const seen = handedOff.length;
    clock.advance(gatewayDefaults.sweepEveryMs);
    if (handedOff.length > seen && handedOff.length < 5) refuse();
  }
  const gaps = handedOff.slice(1).map((h, i) => h.at - handedOff[i].at);
  // Each resend waits for the backoff (20, 40, 80, 160 ms), rounded up to the next sweep.
  assert.deepEqual(gaps, [50, 50, 100, 200]);
  g.onReply('n1/c1', { type: 'client_reply', id: 1, status: 'fail', error: 'wrong type', attempt: 1 });
  assert.deepEqual(outcomes, [], 'a definite refusal of attempt 1 says nothing of attempt 5');
  g.onReply('n1/c1', { type: 'client_reply', id: 1, status: 'fail', error: 'wrong type', attempt: 5 });
  assert.deepEqual(outcomes, [{ status: 'fail', error: 'wrong type' }]);
});

test('a stopped member ends requests at once; failAll makes waiting writes unknown and reads failed; idle clients are dropped', () => {
  const member: { stopped?: string } = {};
  const { g, clock } = gateway(member);
  const outcomes: Outcome[] = [];
  g.submit('n1/c1', 1, 1, 'write', write, (r) => outcomes.push(r));
  g.submit('n1/c2', 1, 1, 'read', { f: 'read', key: 'k', value: null }, (r) => outcomes.push(r));
  assert.equal(g.clients, 2);
  g.failAll('disk full');
  assert.deepEqual(outcomes, [{ status: 'info', error: 'disk full' }, { status: 'fail', error: 'disk full' }]);
  clock.advance(gatewayDefaults.sweepEveryMs);
  assert.equal(g.clients, 0);
  member.stopped = 'disk failure';
  g.submit('n1/c3', 1, 1, 'write', write, (r) => outcomes.push(r));
  assert.deepEqual(outcomes[2], { status: 'info', error: 'disk failure' });
});
