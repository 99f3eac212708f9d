/**
 * One table per rule of the Raft paper, in the style of etcd-io/raft's tests: each row is a state and
 * an input, and the answer the rule demands. A core that breaks a rule fails the row that shows it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Raft, defaultRaftConfig, type RaftConfig } from './raft.js';
import type { Entry, Message, Outbound } from './types.js';

const ids = ['n1', 'n2', 'n3'];

/** Entries 1..n with the given terms. */
const log = (terms: readonly number[]): Entry[] => terms.map((term, i) => ({ term, index: i + 1, data: `e${i + 1}` }));

function node(opts: { terms?: number[]; term?: number; vote?: string; commit?: number; id?: string; extra?: Partial<RaftConfig> } = {}): Raft {
  const entries = log(opts.terms ?? []);
  const cfg: RaftConfig = { ...defaultRaftConfig, id: opts.id ?? 'n1', voters: ids, random: () => 0, ...opts.extra };
  return new Raft(cfg, { hardState: { term: opts.term ?? 0, vote: opts.vote, commit: opts.commit ?? 0 }, entries });
}

/** Persist and send everything the node has ready, as a host would; return what it sent. */
function drain(r: Raft): Outbound[] {
  const out: Outbound[] = [];
  while (r.hasReady()) {
    const rd = r.ready();
    out.push(...rd.messages);
    r.advance(rd);
  }
  return out;
}

function answer(r: Raft, from: string, m: Message): Message | undefined {
  r.step(from, m);
  return drain(r).find((o) => o.to === from)?.msg;
}

// --- §5.4.1: a vote goes only to a candidate whose log is at least as up to date ---------------

test('§5.4.1 election restriction: votes and pre-votes only for a log at least as up to date', () => {
  // The voter holds terms [1, 1, 2]: last index 3, last term 2.
  const rows: { lastLogIndex: number; lastLogTerm: number; grant: boolean; why: string }[] = [
    { lastLogIndex: 3, lastLogTerm: 2, grant: true, why: 'the same last entry' },
    { lastLogIndex: 4, lastLogTerm: 2, grant: true, why: 'same last term, longer' },
    { lastLogIndex: 1, lastLogTerm: 3, grant: true, why: 'a later last term wins even when shorter' },
    { lastLogIndex: 2, lastLogTerm: 2, grant: false, why: 'same last term, shorter' },
    { lastLogIndex: 9, lastLogTerm: 1, grant: false, why: 'an earlier last term loses even when longer' },
    { lastLogIndex: 0, lastLogTerm: 0, grant: false, why: 'an empty log' },
  ];
  for (const type of ['vote', 'pre_vote'] as const) {
    for (const row of rows) {
      const voter = node({ id: 'n2', terms: [1, 1, 2], term: 2 });
      const resp = answer(voter, 'n1', { type, term: 3, lastLogIndex: row.lastLogIndex, lastLogTerm: row.lastLogTerm });
      assert.equal(resp?.type, `${type}_resp`, `${type}: ${row.why}`);
      assert.equal((resp as { reject: boolean }).reject, !row.grant, `${type}: ${row.why}`);
      // A real vote is remembered; a refusal, and any pre-vote, leaves the vote as it was.
      assert.equal(voter.vote, type === 'vote' && row.grant ? 'n1' : undefined, `${type}: ${row.why}`);
    }
  }
});

// --- §5.2: terms and one vote per term ----------------------------------------------------------

test('§5.2 terms: a newer term makes anyone a follower of it; an older one is refused with ours', () => {
  const rows: { role: 'follower' | 'candidate' | 'leader'; m: Message; term: number; role2: string; leader?: string; reply?: Partial<Message> }[] = [
    { role: 'leader', m: { type: 'heartbeat', term: 9, commit: 0, context: 0 }, term: 9, role2: 'follower', leader: 'n3' },
    { role: 'candidate', m: { type: 'append', term: 9, prevLogIndex: 0, prevLogTerm: 0, entries: [], commit: 0 }, term: 9, role2: 'follower', leader: 'n3' },
    { role: 'candidate', m: { type: 'vote_resp', term: 9, reject: true }, term: 9, role2: 'follower' },
    { role: 'follower', m: { type: 'append', term: 1, prevLogIndex: 0, prevLogTerm: 0, entries: [], commit: 0 }, term: -1, role2: 'follower', reply: { type: 'append_resp', reject: true } },
    { role: 'leader', m: { type: 'heartbeat', term: 1, commit: 0, context: 0 }, term: -1, role2: 'leader', reply: { type: 'append_resp', reject: true } },
    { role: 'follower', m: { type: 'vote', term: 1, lastLogIndex: 99, lastLogTerm: 99 }, term: -1, role2: 'follower' },
  ];
  for (const [i, row] of rows.entries()) {
    const r = node({ terms: [1], term: 2 });
    if (row.role !== 'follower') {
      r.campaign('vote');
      if (row.role === 'leader') r.step('n2', { type: 'vote_resp', term: r.term, reject: false });
    }
    drain(r);
    assert.equal(r.role, row.role, `row ${i}: set up`);
    const before = r.term;
    const reply = answer(r, 'n3', row.m);
    assert.equal(r.term, row.term === -1 ? before : row.term, `row ${i}: term`);
    assert.equal(r.role, row.role2, `row ${i}: role`);
    if (row.leader !== undefined) assert.equal(r.leader, row.leader, `row ${i}: leader`);
    if (row.reply !== undefined) {
      assert.equal(reply?.type, row.reply.type, `row ${i}: reply`);
      assert.equal((reply as { reject: boolean }).reject, true, `row ${i}: refused`);
      assert.equal(reply!.term, before, `row ${i}: the refusal carries our term`);
    } else if (row.term === -1) {
      assert.equal(reply === undefined || (reply as { reject?: boolean }).reject === true, true, `row ${i}: an older vote request gets no vote`);
    }
  }
});

test('§5.2 one vote per term: the vote is kept, given again to the same candidate only, and on disk before it is sent', () => {
  const r = node({ id: 'n2', terms: [1], term: 3, vote: 'n1' });
  const other = answer(r, 'n3', { type: 'vote', term: 3, lastLogIndex: 5, lastLogTerm: 3 });
  assert.deepEqual([other?.type, (other as { reject: boolean }).reject, r.vote], ['vote_resp', true, 'n1']);
  const again = answer(r, 'n1', { type: 'vote', term: 3, lastLogIndex: 1, lastLogTerm: 1 });
  assert.deepEqual([(again as { reject: boolean }).reject, r.vote], [false, 'n1']);
  // A vote in a new term: the Ready that carries the answer carries the vote to persist with it.
  const fresh = node({ id: 'n2', terms: [1], term: 3 });
  fresh.step('n3', { type: 'vote', term: 4, lastLogIndex: 1, lastLogTerm: 1 });
  const rd = fresh.ready();
  assert.deepEqual(rd.hardState && { term: rd.hardState.term, vote: rd.hardState.vote }, { term: 4, vote: 'n3' });
  assert.equal(rd.messages.some((o) => o.msg.type === 'vote_resp' && !o.msg.reject), true);
});

// --- §5.3: log matching --------------------------------------------------------------------------

test('§5.3 log matching: an append is taken only after a matching entry; conflicts cut the rest; duplicates cut nothing', () => {
  // The follower holds terms [1, 1, 1, 2, 2]; the leader is at term 3.
  const rows: { prev: [number, number]; entries: [number, number][]; accept: boolean; terms: number[]; why: string }[] = [
    { prev: [5, 2], entries: [[6, 3]], accept: true, terms: [1, 1, 1, 2, 2, 3], why: 'after the last entry' },
    { prev: [6, 2], entries: [[7, 3]], accept: false, terms: [1, 1, 1, 2, 2], why: 'the entry before is missing' },
    { prev: [3, 2], entries: [[4, 3]], accept: false, terms: [1, 1, 1, 2, 2], why: 'the entry before has another term' },
    { prev: [3, 1], entries: [[4, 3]], accept: true, terms: [1, 1, 1, 3], why: 'a conflict at 4 removes 4 and 5' },
    { prev: [2, 1], entries: [[3, 1], [4, 2]], accept: true, terms: [1, 1, 1, 2, 2], why: 'an old duplicate keeps entry 5' },
    { prev: [0, 0], entries: [[1, 1], [2, 1], [3, 3]], accept: true, terms: [1, 1, 3], why: 'from the start, conflicting at 3' },
  ];
  for (const row of rows) {
    const f = node({ id: 'n2', terms: [1, 1, 1, 2, 2], term: 3 });
    const entries = row.entries.map(([index, term]) => ({ index, term, data: `l${index}` }));
    const resp = answer(f, 'n1', { type: 'append', term: 3, prevLogIndex: row.prev[0], prevLogTerm: row.prev[1], entries, commit: 0 }) as Extract<Message, { type: 'append_resp' }>;
    assert.equal(resp.reject, !row.accept, row.why);
    const terms = Array.from({ length: f.log.lastIndex() }, (_, i) => f.log.term(i + 1));
    assert.deepEqual(terms, row.terms, row.why);
    if (row.accept) assert.equal(resp.index, row.prev[0] + row.entries.length, row.why);
  }
});

// --- §5.4.2: a leader commits by counting replicas only entries of its own term --------------------

test('§5.4.2 a leader counts replicas only for an entry of its own term; older entries commit with it', () => {
  // n1 holds terms [1, 2] and wins term 3; followers acknowledge up to `ack` in turn.
  const rows: { ack: number; commit: number; unsafeCommit: number; why: string }[] = [
    { ack: 1, commit: 0, unsafeCommit: 1, why: 'a quorum holds entry 1 of term 1' },
    { ack: 2, commit: 0, unsafeCommit: 2, why: 'a quorum holds entry 2 of term 2' },
    { ack: 3, commit: 3, unsafeCommit: 3, why: "a quorum holds the leader's own no-op of term 3" },
  ];
  for (const unsafe of [false, true]) {
    for (const row of rows) {
      const leader = node({ terms: [1, 2], term: 2, extra: { unsafeCommitPreviousTerms: unsafe } });
      leader.campaign('vote');
      leader.step('n2', { type: 'vote_resp', term: 3, reject: false });
      drain(leader);
      assert.equal(leader.role, 'leader');
      leader.step('n2', { type: 'append_resp', term: 3, reject: false, index: row.ack, hint: row.ack });
      drain(leader);
      assert.equal(leader.log.committed, unsafe ? row.unsafeCommit : row.commit, `${unsafe ? 'unsafe' : 'safe'}: ${row.why}`);
    }
  }
});

// --- §4.1: one membership change at a time, also across leaders ----------------------------------

test('§4.1 single-server changes: a new leader whose log holds an earlier leader’s uncommitted change proposes none until its no-op is applied', () => {
  const rows: { unsafe: boolean; refusedFirst: boolean }[] = [
    { unsafe: false, refusedFirst: true },
    { unsafe: true, refusedFirst: false },
  ];
  for (const row of rows) {
    // n1 holds, uncommitted, a change an earlier leader of term 1 proposed (add n4 as a learner).
    const entries: Entry[] = [{ term: 1, index: 1, data: { confChange: { type: 'add-learner', node: 'n4' } } }];
    const cfg: RaftConfig = { ...defaultRaftConfig, id: 'n1', voters: ids, random: () => 0, unsafeConcurrentConfChanges: row.unsafe };
    const r = new Raft(cfg, { hardState: { term: 1, vote: undefined, commit: 0 }, entries });
    r.campaign('vote');
    drain(r);
    r.step('n2', { type: 'vote_resp', term: 2, reject: false });
    drain(r);
    assert.equal(r.role, 'leader');
    const first = r.proposeConfChange({ type: 'add-voter', node: 'n5' });
    assert.equal(!first.ok, row.refusedFirst, `unsafe=${row.unsafe}: a second change while the first is unsettled`);
    if (!row.refusedFirst) continue;
    // Once a quorum holds the no-op, it commits (and the old change with it); applied, a change may go.
    r.step('n2', { type: 'append_resp', term: 2, reject: false, index: r.log.lastIndex(), hint: 0 });
    drain(r);
    assert.equal(r.log.applied, r.log.lastIndex());
    assert.equal(r.proposeConfChange({ type: 'add-voter', node: 'n5' }).ok, true);
  }
});
