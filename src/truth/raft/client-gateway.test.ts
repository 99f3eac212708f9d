/**
 * The real node's client layer on virtual time: resends, backoff, deadlines and idle clients, each
 * driven by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../runtime/clock.js';
import type { ClientRequest } from '../../runtime/client-protocol.js';
import { ClientGateway, gatewayDefaults, isClusterDownError, type Outcome } from './client-gateway.js';
import { notAppliedErrors } from './host.js';

function gateway(member: { stopped?: string; inContact?: boolean } = {}) {
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
      ...(member.inContact === undefined ? {} : { inContact: () => member.inContact! }),
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

test('out of contact for clusterDownAfterMs, requests fail at once: reads and never-proposed writes as not applied, a write that may be in a log as unknown', () => {
  const member = { inContact: true };
  const { g, clock, handedOff } = gateway(member);
  const outcomes = new Map<string, Outcome>();
  const submit = (name: string, id: number, kind: 'read' | 'write') => g.submit('n1/c1', id, 1, kind, kind === 'read' ? { f: 'read', key: 'k', value: null } : write, (r) => outcomes.set(name, r));
  const refuseNoLeader = (id: number) => {
    const last = handedOff.filter((h) => h.req.id === id).at(-1)!;
    g.onReply('n1/c1', { type: 'client_reply', id, status: 'fail', error: notAppliedErrors.noLeader, attempt: last.req.attempt });
  };
  // In contact: an election shorter than clusterDownAfterMs is ridden through, as before.
  member.inContact = false;
  submit('read', 1, 'read');
  submit('refused write', 2, 'write');
  submit('unanswered write', 3, 'write');
  // The node refuses the read and one write at once, at every attempt (it knows no leader); the
  // other write's attempt was forwarded to a leader that may have logged it, and no answer comes.
  const step = gatewayDefaults.sweepEveryMs / 5;
  const until = (ms: number) => {
    while (clock.now() < ms) {
      if (!outcomes.has('read')) refuseNoLeader(1);
      if (!outcomes.has('refused write')) refuseNoLeader(2);
      clock.advance(step);
    }
  };
  until(gatewayDefaults.clusterDownAfterMs - gatewayDefaults.sweepEveryMs);
  assert.equal(outcomes.size, 0, 'nothing failed within clusterDownAfterMs');
  until(gatewayDefaults.clusterDownAfterMs + 2 * gatewayDefaults.sweepEveryMs);
  assert.ok(clock.now() < gatewayDefaults.requestTimeoutMs / 4, 'long before requestTimeoutMs');
  assert.equal(outcomes.get('read')?.status, 'fail');
  assert.equal(outcomes.get('refused write')?.status, 'fail', 'every attempt refused before a log took it: nothing was applied');
  assert.equal(outcomes.get('unanswered write')?.status, 'info', 'an attempt went unanswered: it may apply');
  for (const r of outcomes.values()) assert.ok(isClusterDownError(r.error), r.error);
  assert.match(outcomes.get('read')!.error!, /^the cluster is down: this node has heard from no working leader for 2\.\d s$/);

  // While down, a new request is failed without being handed to anyone.
  const before = handedOff.length;
  submit('new', 4, 'write');
  assert.equal(outcomes.get('new')?.status, 'fail');
  assert.equal(handedOff.length, before);
  // Back in contact: served as usual again, from the first request, before any sweep has looked
  // (a leader elected a moment ago must not answer CLUSTERDOWN to the request that finds it).
  member.inContact = true;
  submit('later', 5, 'write');
  assert.equal(outcomes.has('later'), false);
  assert.equal(handedOff.at(-1)!.req.id, 5);
});

test('a host that cannot say whether it is in contact (the simulator) never fails a request early', () => {
  const { g, clock } = gateway();
  const outcomes: Outcome[] = [];
  g.submit('n1/c1', 1, 1, 'read', { f: 'read', key: 'k', value: null }, (r) => outcomes.push(r));
  clock.advance(gatewayDefaults.requestTimeoutMs - gatewayDefaults.sweepEveryMs);
  assert.deepEqual(outcomes, []);
  clock.advance(2 * gatewayDefaults.sweepEveryMs);
  assert.deepEqual(outcomes, [{ status: 'fail', error: 'timeout' }]);
});
