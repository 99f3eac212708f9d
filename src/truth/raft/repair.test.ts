/**
 * Protocol-aware recovery in the Raft core (Alagappan et al., FAST 2018): a node that lost entries it
 * had made durable neither votes nor campaigns until a leader has repaired its log, and a leader
 * forgets what a restarted follower acknowledged before (its /status lag and its commits count only
 * what the follower holds now).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Raft, defaultRaftConfig, type RepairTarget } from './raft.js';
import type { Entry, Message } from './types.js';

const ids = ['n1', 'n2', 'n3'];
const log = (to: number, term: number): Entry[] => Array.from({ length: to }, (_, i) => ({ term, index: i + 1, data: i + 1 }));

function node(id: string, boot: number, restored?: { entries: Entry[]; term: number; repairUntil?: RepairTarget }): Raft {
  let x = id.charCodeAt(1) * 7919 + boot;
  const random = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) % 1000) / 1000;
  const r = restored && { hardState: { term: restored.term, vote: undefined, commit: 0 }, entries: restored.entries, repairUntil: restored.repairUntil };
  return new Raft({ ...defaultRaftConfig, checkQuorum: false, id, voters: ids, random, boot }, r);
}

/** Persist (nothing to model here), then hand every message to its node, until no one has anything to say. */
function exchange(nodes: Map<string, Raft>, keep: (m: Message) => boolean = () => true): void {
  for (let round = 0; round < 100; round++) {
    const out: { from: string; to: string; m: Message }[] = [];
    for (const [id, r] of nodes) {
      while (r.hasReady()) {
        const rd = r.ready();
        for (const o of rd.messages) out.push({ from: id, to: o.to, m: o.msg });
        r.advance(rd);
      }
    }
    if (out.length === 0) return;
    for (const { from, to, m } of out) if (keep(m)) nodes.get(to)?.step(from, m);
  }
}

function replies(r: Raft): Message[] {
  const rd = r.ready();
  r.advance(rd);
  return rd.messages.map((o) => o.msg);
}

test('a repairing node refuses votes and pre-votes and never campaigns; once a leader has brought its log back, it votes again', () => {
  const n2 = node('n2', 1, { entries: log(3, 2), term: 2, repairUntil: { index: 6, term: 2 } });
  assert.equal(n2.repairing, true);
  n2.step('n3', { type: 'pre_vote', term: 3, lastLogIndex: 3, lastLogTerm: 2 });
  n2.step('n3', { type: 'vote', term: 3, lastLogIndex: 3, lastLogTerm: 2 });
  assert.deepEqual(replies(n2).map((m) => [m.type, (m as { reject: boolean }).reject]), [['pre_vote_resp', true], ['vote_resp', true]]);
  for (let i = 0; i < 100; i++) n2.tick();
  assert.equal(n2.role, 'follower', 'it never campaigns');
  n2.step('n1', { type: 'append', term: 3, prevLogIndex: 3, prevLogTerm: 2, entries: log(6, 2).slice(3), commit: 6 });
  assert.equal(n2.repairing, false, 'holding entries up to 6 of term 2 again');
  replies(n2);
  n2.step('n3', { type: 'vote', term: 4, lastLogIndex: 6, lastLogTerm: 2 });
  assert.deepEqual(replies(n2).map((m) => [m.type, (m as { reject: boolean }).reject]), [['vote_resp', false]]);
});

test("a leader forgets what a restarted follower acknowledged: its match drops to what the follower holds, then climbs back as it is repaired", () => {
  const nodes = new Map(ids.map((id) => [id, node(id, 1)]));
  const n1 = nodes.get('n1')!;
  n1.campaign('vote');
  exchange(nodes);
  assert.equal(n1.role, 'leader');
  for (let i = 0; i < 5; i++) n1.propose(`w${i}`);
  exchange(nodes);
  const last = n1.log.lastIndex();
  assert.equal(n1.matchIndexes().get('n2'), last);
  // n2 restarts with its log cut to two entries; the mark says it held `last`.
  const kept = [1, 2].map((i) => ({ term: n1.log.term(i), index: i, data: undefined }));
  nodes.set('n2', node('n2', 2, { entries: kept, term: n1.term, repairUntil: { index: last, term: n1.term } }));
  // Only the heartbeat round: the answer carries the new start, and the old acknowledgement is gone.
  n1.tick();
  exchange(nodes, (m) => m.type === 'heartbeat' || m.type === 'heartbeat_resp');
  assert.equal(n1.matchIndexes().get('n2'), 0, 'no lag 0 for a follower that is behind');
  // The probe that reset sent was held back above; the next heartbeat round sends another.
  n1.tick();
  exchange(nodes);
  assert.equal(n1.matchIndexes().get('n2'), last, 'repaired from the leader');
  assert.equal(nodes.get('n2')!.repairing, false);
});
