/**
 * Raft core tests on a hand-driven network: messages move only when a test delivers them, so each
 * test states exactly which messages are lost and in what order things happen.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Raft, defaultRaftConfig, type RaftConfig } from './raft.js';
import { isConfChange, type Entry, type HardState, type Message } from './types.js';
import { decodeSnapshotFile } from './storage.js';
import { concatBytes } from '../../runtime/records.js';
import { crc32c } from '../../runtime/crc32c.js';

type Drop = (from: string, to: string, m: Message) => boolean;

class Cluster {
  readonly nodes = new Map<string, Raft>();
  /** Durable state per node, as a host would keep it on disk. */
  readonly disk = new Map<string, { hardState: HardState; entries: Entry[]; snapshot?: { index: number; term: number; data: unknown } }>();
  readonly applied = new Map<string, unknown[]>();
  /** The chunks of a snapshot being received, per node. */
  readonly incoming = new Map<string, Uint8Array[]>();
  readonly inbox: { from: string; to: string; m: Message }[] = [];
  readonly down = new Set<string>();
  transcript: string[] = [];
  private seed = 1;

  constructor(readonly ids: string[], private readonly extra: Partial<RaftConfig> = {}) {
    for (const id of ids) this.start(id);
  }

  private config(id: string): RaftConfig {
    let x = this.seed++ * 7919 + id.charCodeAt(id.length - 1);
    const random = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) % 1000) / 1000;
    return { ...defaultRaftConfig, id, voters: this.ids, random, ...this.extra };
  }

  start(id: string): void {
    const d = this.disk.get(id);
    this.nodes.set(id, new Raft(this.config(id), d));
    this.down.delete(id);
    if (!this.applied.has(id)) this.applied.set(id, []);
  }

  crash(id: string): void {
    this.down.add(id);
    this.nodes.delete(id);
    this.applied.set(id, []);
  }

  raft(id: string): Raft {
    return this.nodes.get(id)!;
  }

  /** Process every node's Ready: persist, queue messages, apply, advance. */
  flush(): void {
    for (const [id, r] of this.nodes) {
      while (r.hasReady()) {
        const rd = r.ready();
        const d = this.disk.get(id) ?? { hardState: { term: 0, vote: undefined, commit: 0 }, entries: [] };
        for (const chunk of rd.snapshotChunks) {
          // A host appends them to a file; the core keeps none of their bytes.
          if (chunk.offset === 0) this.incoming.set(id, []);
          this.incoming.get(id)!.push(chunk.bytes);
        }
        let snapshot = rd.snapshot;
        if (snapshot && rd.snapshotReceived) {
          // The file the chunks made is the snapshot: decoded here, as a host loads it.
          const file = concatBytes(this.incoming.get(id)!);
          snapshot = { ...decodeSnapshotFile(file, 'received'), conf: snapshot.conf };
          r.offerSnapshotBytes({ index: snapshot.index, bytes: file.length, crc: crc32c(file), read: (offset, length) => file.slice(offset, offset + length) });
        }
        if (snapshot) {
          d.snapshot = snapshot;
          d.entries = d.entries.filter((e) => e.index > snapshot.index);
          this.applied.set(id, [...(snapshot.data as unknown[])]);
        }
        if (rd.hardState) d.hardState = rd.hardState;
        for (const e of rd.entries) {
          d.entries = d.entries.filter((x) => x.index < e.index);
          d.entries.push(e);
        }
        this.disk.set(id, d);
        for (const o of rd.messages) this.inbox.push({ from: id, to: o.to, m: o.msg });
        for (const e of rd.committed) {
          if (isConfChange(e.data)) r.applyConfChange(e.data.confChange);
          else if (e.data !== undefined) this.applied.get(id)!.push(e.data);
        }
        r.advance(rd);
      }
    }
  }

  /** Deliver messages until none is left; `drop` decides which are lost. */
  deliver(drop: Drop = () => false, steps = 10_000): void {
    this.flush();
    while (this.inbox.length > 0 && steps-- > 0) {
      const { from, to, m } = this.inbox.shift()!;
      if (this.down.has(to) || this.down.has(from) || drop(from, to, m)) continue;
      this.transcript.push(`${from}->${to} ${m.type} t${m.term}`);
      this.nodes.get(to)!.step(from, m);
      this.flush();
    }
  }

  tick(id: string, n = 1, drop?: Drop): void {
    for (let i = 0; i < n; i++) {
      this.raft(id).tick();
      this.deliver(drop);
    }
  }

  /** Tick every live node once per round, delivering messages after each round. */
  tickAll(rounds: number, drop?: Drop): void {
    for (let i = 0; i < rounds; i++) {
      for (const r of this.nodes.values()) r.tick();
      this.deliver(drop);
    }
  }

  /** Make `id` campaign now (etcd's MsgHup) and deliver, again while it loses on a stale term; it must win. */
  elect(id: string, drop?: Drop): void {
    for (let i = 0; i < 5 && this.raft(id).role !== 'leader'; i++) {
      this.raft(id).campaign();
      this.deliver(drop);
    }
    assert.equal(this.raft(id).role, 'leader', `${id} should lead: ${this.state()}`);
  }

  leaderAmong(ids: string[]): string | undefined {
    return ids.find((id) => this.nodes.get(id)?.role === 'leader');
  }

  state(): string {
    return [...this.nodes].map(([id, r]) => `${id}:${r.role[0]}${r.term} last=${r.log.lastIndex()} commit=${r.log.committed}`).join(' ');
  }
}

const cut = (side: string[]): Drop => (from, to) => side.includes(from) !== side.includes(to);

test('election: one node times out, asks for pre-votes, then votes, and leads', () => {
  const c = new Cluster(['n1', 'n2', 'n3']);
  c.elect('n1');
  // Pre-votes ask for term 1 without moving anyone's term; the real votes follow at term 1.
  assert.deepEqual(c.transcript.slice(0, 10), [
    'n1->n2 pre_vote t1',
    'n1->n3 pre_vote t1',
    'n2->n1 pre_vote_resp t1',
    'n3->n1 pre_vote_resp t1',
    'n1->n2 vote t1',
    'n1->n3 vote t1',
    'n2->n1 vote_resp t1',
    'n3->n1 vote_resp t1',
    'n1->n2 append t1',
    'n1->n3 append t1',
  ]);
  assert.equal(c.state(), 'n1:l1 last=1 commit=1 n2:f1 last=1 commit=1 n3:f1 last=1 commit=0');
  c.tick('n1'); // the next heartbeat carries the commit index to the last follower
  assert.equal(c.state(), 'n1:l1 last=1 commit=1 n2:f1 last=1 commit=1 n3:f1 last=1 commit=1');
  assert.equal(c.raft('n2').leader, 'n1');
});

test('replication: proposals commit on a quorum and apply in the same order everywhere', () => {
  const c = new Cluster(['n1', 'n2', 'n3']);
  c.elect('n1');
  for (let i = 0; i < 100; i++) assert.equal(c.raft('n1').propose(`cmd${i}`).ok, true);
  c.deliver();
  c.tick('n1', 2); // heartbeats carry the final commit index
  const expected = Array.from({ length: 100 }, (_, i) => `cmd${i}`);
  for (const id of c.ids) assert.deepEqual(c.applied.get(id), expected, id);
  assert.equal(c.raft('n2').propose('x').ok, false);
});

test('a minority cannot commit; the majority side elects a leader and commits', () => {
  const c = new Cluster(['n1', 'n2', 'n3', 'n4', 'n5']);
  c.elect('n1');
  const partition = cut(['n1', 'n2']);
  c.raft('n1').propose('minority write');
  c.deliver(partition);
  assert.equal(c.raft('n1').log.committed, 1);
  c.tickAll(40, partition);
  const leader = c.leaderAmong(['n3', 'n4', 'n5'])!;
  assert.ok(leader !== undefined, c.state());
  assert.notEqual(c.raft('n1').role, 'leader', 'check-quorum deposed the minority leader');
  c.raft(leader).propose('majority write');
  c.tickAll(2, partition);
  for (const id of ['n3', 'n4', 'n5']) assert.deepEqual(c.applied.get(id), ['majority write'], id);
  // Healed: the old leader's uncommitted entry is overwritten by the majority's log.
  c.tickAll(3);
  assert.deepEqual(c.applied.get('n1'), ['majority write']);
  assert.deepEqual(c.applied.get('n2'), ['majority write']);
  assert.equal(c.leaderAmong(c.ids), leader);
});

test('check-quorum: a leader cut off from the majority steps down within an election timeout', () => {
  const c = new Cluster(['n1', 'n2', 'n3']);
  c.elect('n1');
  const alone = cut(['n1']);
  c.tick('n1', defaultRaftConfig.electionTicks * 2, alone);
  assert.equal(c.raft('n1').role, 'follower');
});

test('pre-vote: a node partitioned away does not inflate its term, and does not disrupt the leader on return', () => {
  const c = new Cluster(['n1', 'n2', 'n3']);
  c.elect('n1');
  const term = c.raft('n1').term;
  const alone = cut(['n3']);
  c.tickAll(100, alone);
  assert.equal(c.raft('n3').term, term, 'pre-votes that fail do not bump the term');
  c.tickAll(30);
  assert.equal(c.raft('n1').role, 'leader');
  assert.equal(c.raft('n1').term, term);
});

test('without pre-vote, the returning node does depose the leader (the problem pre-vote solves)', () => {
  const c = new Cluster(['n1', 'n2', 'n3'], { preVote: false, checkQuorum: false });
  c.elect('n1');
  const term = c.raft('n1').term;
  const alone = cut(['n3']);
  c.tickAll(100, alone);
  assert.ok(c.raft('n3').term > term + 3);
  c.tickAll(30);
  assert.notEqual(c.raft('n1').term, term, 'the leader was forced into a new term');
});

test('restart: a node rebuilt from its disk keeps its term, vote and log', () => {
  const c = new Cluster(['n1', 'n2', 'n3']);
  c.elect('n1');
  c.raft('n1').propose('a');
  c.deliver();
  c.crash('n2');
  c.start('n2');
  const r = c.raft('n2');
  assert.equal(r.term, c.raft('n1').term);
  assert.equal(r.log.lastIndex(), 2);
  c.tick('n1', 2);
  assert.deepEqual(c.applied.get('n2'), ['a']);
});

/**
 * Figure 8 of the Raft paper, five nodes. An entry of term 2 gets onto a majority while a later
 * leader (term 4) leads; counting replicas would commit it, yet a node with a term-3 entry can still
 * win an election and overwrite it. The safe rule waits for an entry of the current term.
 */
function figure8(unsafe: boolean): { onMajority: boolean; committedByLeader: boolean; survived: boolean } {
  // The paper's basic Raft: no pre-vote or check-quorum, elections forced as in its figure.
  const c = new Cluster(['s1', 's2', 's3', 's4', 's5'], { maxEntriesPerMsg: 1, preVote: false, checkQuorum: false, unsafeCommitPreviousTerms: unsafe });
  const only = (allowed: string[]): Drop => (from, to) => !(allowed.includes(from) && allowed.includes(to));
  // (a) s1 leads; its next entry (term t1) reaches s2 only.
  c.elect('s1');
  const t1 = c.raft('s1').term;
  c.raft('s1').propose('old-term entry');
  c.deliver(only(['s1', 's2']));
  const index = c.raft('s1').log.lastIndex();
  assert.equal(c.raft('s2').log.term(index), t1);
  // (b) s1 crashes; s5 wins with s3, s4 and writes its own entry at that index, which nobody receives.
  c.crash('s1');
  c.elect('s5', (from, to, m) => to === 's2' || from === 's2' || m.type === 'append');
  c.raft('s5').propose('term of s5');
  c.inbox.length = 0;
  // (c) s5 crashes; s1 returns and wins with s2, s3. It copies its old entry to s3, but its own no-op
  // reaches s2 only: the old entry is on a majority, no entry of the new term is.
  c.crash('s5');
  c.start('s1');
  c.elect('s1', (from, to, m) => to === 's4' || from === 's4' || (to === 's3' && m.type === 'append' && c.raft('s3').log.matchTerm(m.prevLogIndex, m.prevLogTerm) && m.entries.some((e) => e.index > index)));
  const onMajority = ['s1', 's2', 's3'].every((id) => c.raft(id).log.term(index) === t1);
  const committedByLeader = c.raft('s1').log.committed >= index && c.raft('s1').log.term(index) === t1;
  // (d) s1 crashes before any entry of its own term spreads; s5 returns and wins with s2, s3, s4.
  c.crash('s1');
  c.inbox.length = 0;
  c.start('s5');
  c.elect('s5');
  c.tickAll(3);
  const survived = c.raft('s5').log.term(index) === t1;
  return { onMajority, committedByLeader, survived };
}

test('figure 8: the safe commit rule never commits what a later leader overwrites', () => {
  const safe = figure8(false);
  assert.equal(safe.onMajority, true, 'the old-term entry is on a majority');
  assert.equal(safe.committedByLeader, false, 'but no entry of the current term is, so it is not committed');
  assert.equal(safe.survived, false, 'and indeed a later leader overwrites it: nothing acknowledged was lost');
});

test('figure 8: counting replicas of an older term commits an entry that is later lost (the broken rule)', () => {
  const broken = figure8(true);
  assert.equal(broken.onMajority, true);
  assert.equal(broken.committedByLeader, true);
  assert.equal(broken.survived, false);
});

test('leadership transfer: the leader brings a lagging follower up to date, then hands over', () => {
  const c = new Cluster(['n1', 'n2', 'n3']);
  c.elect('n1');
  const term = c.raft('n1').term;
  for (let i = 0; i < 5; i++) c.raft('n1').propose(`before${i}`);
  c.deliver((_f, to) => to === 'n2'); // n2 misses them
  assert.ok(c.raft('n2').log.lastIndex() < c.raft('n1').log.lastIndex());
  assert.equal(c.raft('n1').transferLeadership('n2'), true);
  assert.equal(c.raft('n1').propose('during').ok, false, 'proposals wait for the new leader');
  c.deliver();
  assert.equal(c.raft('n2').role, 'leader');
  assert.equal(c.raft('n2').term, term + 1);
  assert.equal(c.raft('n1').role, 'follower');
  assert.ok(c.transcript.some((l) => l.startsWith('n1->n2 timeout_now')));
  c.raft('n2').propose('after');
  c.tickAll(2);
  assert.deepEqual(c.applied.get('n3'), ['before0', 'before1', 'before2', 'before3', 'before4', 'after']);
});

test('lease reads are served without a round of messages while a quorum answered recently, not after', () => {
  const c = new Cluster(['n1', 'n2', 'n3'], { readMode: 'lease' });
  c.elect('n1');
  c.tickAll(2);
  const leader = c.raft('n1');
  c.transcript = [];
  assert.equal(leader.readIndex(7), true);
  const rd = leader.ready();
  assert.deepEqual(rd.readStates, [{ context: 7, index: leader.log.committed }]);
  assert.equal(rd.messages.length, 0, 'no heartbeat round');
  leader.advance(rd);
  // Cut off for longer than the lease: the read must go through a heartbeat round, which cannot complete.
  const alone = cut(['n1']);
  c.tick('n1', defaultRaftConfig.electionTicks - 1, alone);
  leader.readIndex(8);
  const rd2 = leader.ready();
  assert.deepEqual(rd2.readStates, []);
  assert.ok(rd2.messages.some((o) => o.msg.type === 'heartbeat' && o.msg.context === 8));
});

test('compaction and InstallSnapshot: a node that was away gets the snapshot, then the entries after it', () => {
  const c = new Cluster(['n1', 'n2', 'n3']);
  c.elect('n1');
  c.crash('n3');
  for (let i = 0; i < 20; i++) c.raft('n1').propose(`e${i}`);
  c.tickAll(2);
  const leader = c.raft('n1');
  const applied = leader.log.applied;
  leader.compact(applied, [...c.applied.get('n1')!]);
  assert.equal(leader.log.snapshotIndex(), applied);
  assert.equal(leader.log.term(applied - 1), -1, 'entries before the snapshot are gone');
  c.start('n3');
  c.raft('n1').propose('after-snapshot');
  c.tickAll(3);
  assert.ok(c.transcript.some((l) => l.startsWith('n1->n3 snapshot')));
  assert.deepEqual(c.applied.get('n3'), c.applied.get('n1'));
  assert.equal(c.applied.get('n3')!.at(-1), 'after-snapshot');
  // And it restarts from its own snapshot and log.
  c.crash('n3');
  c.start('n3');
  assert.equal(c.raft('n3').log.snapshotIndex(), applied);
  assert.equal(c.raft('n3').log.lastIndex(), c.raft('n1').log.lastIndex());
});

test('chunked InstallSnapshot: a follower far behind gets a snapshot of many chunks, one in flight, through lost chunks and answers; a new leader goes on from the bytes it holds', () => {
  const c = new Cluster(['n1', 'n2', 'n3'], { snapshotChunkBytes: 64 });
  c.elect('n1');
  c.crash('n3');
  for (let i = 0; i < 40; i++) c.raft('n1').propose(`entry ${i} ${'x'.repeat(20)}`);
  c.tickAll(2);
  const applied = c.raft('n1').log.applied;
  assert.equal(c.raft('n2').log.applied, applied);
  // Both compact at the same index with the same state: the same snapshot file, the same CRC.
  for (const id of ['n1', 'n2']) c.raft(id).compact(applied, [...c.applied.get(id)!]);
  const received = () => (c.raft('n3') as unknown as { incoming?: { received: number; total: number } }).incoming;
  const chunks: { from: string; offset: number }[] = [];
  let pendingMax = 0;
  let n = 0;
  // Every third chunk and every fourth answer lost; the heartbeats' answers set the transfer going again.
  const lossy: Drop = (from, to, m) => {
    pendingMax = Math.max(pendingMax, c.inbox.filter((x) => x.m.type === 'snapshot_chunk' && x.to === 'n3').length);
    if (m.type === 'snapshot_chunk') {
      assert.equal(m.bytes.length <= 64, true);
      if (++n % 3 === 0) return true;
      chunks.push({ from, offset: m.offset });
    }
    return m.type === 'snapshot_chunk_resp' && n % 4 === 0;
  };
  c.start('n3');
  for (let round = 0; round < 40 && (received()?.received ?? 0) < 400; round++) c.tickAll(1, lossy);
  const held = received();
  assert.ok(held !== undefined && held.received >= 400 && held.received < held.total, `n3 holds part of the snapshot (${held?.received} of ${held?.total} bytes)`);
  assert.ok(held.total > 64 * 10, `a snapshot of ${held.total} bytes: more than ten chunks`);
  assert.ok(pendingMax <= 1, `${pendingMax} chunks in flight at once`);
  assert.ok(n % 3 !== 0 || chunks.length > 0);

  // The leader is gone; n2 leads and sends the same snapshot: n3 tells it what it holds, and n2 goes on from there.
  c.crash('n1');
  const before = held.received;
  chunks.length = 0;
  // n3 heard from n1 a moment ago (checkQuorum: it votes for no one yet), and could not win with its log.
  for (let round = 0; round < 40 && c.raft('n2').role !== 'leader'; round++) c.tickAll(1, (from, to, m) => to === 'n1' || lossy(from, to, m));
  assert.equal(c.raft('n2').role, 'leader', c.state());
  for (let round = 0; round < 60 && c.applied.get('n3')!.length < c.applied.get('n2')!.length; round++) c.tickAll(1, (from, to, m) => to === 'n1' || lossy(from, to, m));
  assert.deepEqual(c.applied.get('n3'), c.applied.get('n2'), 'n3 installed the snapshot and caught up');
  const fromN2 = chunks.filter((x) => x.from === 'n2').map((x) => x.offset);
  assert.equal(fromN2[0], 0, 'n2 starts at the beginning');
  // (Offset 0 again while its answer is lost, or a heartbeat's answer comes first.)
  const after = fromN2.filter((o) => o !== 0);
  assert.ok(after[0] === before && after.every((o) => o >= before), `then goes on from the ${before} bytes n3 held: ${fromN2.join(' ')}`);
  const total = (c.raft('n2') as unknown as { encodedSnapshot: { bytes: number } }).encodedSnapshot.bytes;
  assert.equal(new Set(after).size, Math.ceil((total - before) / 64), `only what n3 lacked: ${after.join(' ')} for ${total - before} bytes`);
});

test('membership: a learner gets the log but no say; promoted, it counts; a removed leader steps down', () => {
  const c = new Cluster(['n1', 'n2', 'n3', 'n4'], { voters: ['n1', 'n2', 'n3'] });
  c.elect('n1');
  assert.equal(c.raft('n1').proposeConfChange({ type: 'add-learner', node: 'n4' }).ok, true);
  assert.equal(c.raft('n1').proposeConfChange({ type: 'add-voter', node: 'n4' }).ok, false, 'one change at a time');
  c.tickAll(2);
  c.raft('n1').propose('x');
  c.tickAll(2);
  assert.deepEqual(c.applied.get('n4'), ['x'], 'the learner receives the log');
  assert.deepEqual(c.raft('n4').confState(), { voters: ['n1', 'n2', 'n3'], learners: ['n4'] });
  // Two voters down: the leader and the learner are not a quorum of three.
  const down = (from: string, to: string) => ['n2', 'n3'].includes(from) || ['n2', 'n3'].includes(to);
  c.raft('n1').propose('needs a quorum');
  c.tickAll(3, down);
  assert.deepEqual(c.applied.get('n1'), ['x']);
  c.tickAll(3);
  // Promote n4, then remove the leader n1: n2, n3, n4 carry on.
  assert.equal(c.raft('n1').proposeConfChange({ type: 'add-voter', node: 'n4' }).ok, true);
  c.tickAll(2);
  assert.equal(c.raft('n1').proposeConfChange({ type: 'remove-voter', node: 'n1' }).ok, true);
  c.tickAll(2);
  assert.notEqual(c.raft('n1').role, 'leader', 'the removed leader stepped down');
  assert.deepEqual(c.raft('n2').confState(), { voters: ['n2', 'n3', 'n4'], learners: [] });
  c.tickAll(60);
  const leader = c.leaderAmong(['n2', 'n3', 'n4'])!;
  assert.ok(leader !== undefined, c.state());
  assert.equal(c.raft('n1').role, 'follower', 'a node outside the membership never campaigns');
  // Cut one new voter other than the leader (and other than n4): the remaining two still commit.
  const cutOff = ['n2', 'n3'].find((x) => x !== leader)!;
  c.raft(leader).propose('after');
  c.tickAll(2, (from, to) => from === cutOff || to === cutOff);
  assert.equal(c.applied.get(leader)!.at(-1), 'after', 'two of the three new voters commit');
  assert.equal(c.applied.get('n4')!.at(-1), 'after');
});

test('the storage protocol: while storage is busy a Ready carries no storage work and only what promises nothing about the disk', () => {
  const c = new Cluster(['n1', 'n2', 'n3']);
  c.elect('n1');
  const leader = c.raft('n1');
  const follower = c.raft('n2');
  leader.propose('a');
  const rd = leader.ready();
  assert.equal(rd.entries.length, 1, 'the new entry is storage work');
  // The leader's storage writes it; meanwhile its appends may leave (thesis §10.2.1), nothing is written twice.
  const busy = leader.ready({ storageBusy: true });
  assert.deepEqual([busy.entries.length, busy.hardState, busy.snapshot], [0, undefined, undefined]);
  assert.deepEqual(busy.messages, [], 'the appends were handed out once, in the first Ready');
  assert.ok(rd.messages.every((o) => leader.sendableBeforeStorage(o.msg)), "a leader's appends promise nothing about its own disk");
  leader.persisted(rd);
  for (const o of rd.messages) follower.step('n1', o.msg);
  const frd = follower.ready();
  assert.ok(frd.entries.length === 1 && frd.messages.some((o) => o.msg.type === 'append_resp'));
  assert.equal(follower.sendableBeforeStorage(frd.messages.find((o) => o.msg.type === 'append_resp')!.msg), false, 'an append answer promises the entry is on disk: it waits');
  follower.advance(frd);
});

test('the storage protocol: committed entries handed out must be reported applied before the next Ready, and only stable ones can be', () => {
  const c = new Cluster(['n1', 'n2', 'n3']);
  c.elect('n1');
  const leader = c.raft('n1');
  leader.propose('x');
  c.deliver();
  leader.propose('y');
  c.tickAll(1);
  const l = c.raft('n1');
  // Drive one more commit by hand so a Ready hands out a committed entry.
  l.propose('z');
  const rd = l.ready();
  l.persisted(rd);
  for (const o of rd.messages) {
    const f = c.raft(o.to);
    f.step('n1', o.msg);
    const frd = f.ready();
    f.advance(frd);
    for (const r of frd.messages) if (r.to === 'n1') l.step(o.to, r.msg);
  }
  const withCommitted = l.ready();
  assert.ok(withCommitted.committed.length > 0, 'the leader hands out what it committed');
  assert.throws(() => l.ready(), /before applied/, 'a host that forgot to report what it applied is stopped at once');
  assert.throws(() => l.applied(l.log.lastIndex() + 1), /beyond what was committed/);
  l.applied(withCommitted.committed.at(-1)!.index);
  assert.doesNotThrow(() => l.ready());
});

test('in contact: a leader just elected counts the votes that elected it, before any append is answered, and only for one election timeout', () => {
  const c = new Cluster(['n1', 'n2', 'n3']);
  // Every answer to an append or a heartbeat is lost: the leader hears from its voters by their votes alone.
  const noAppendAnswers: Drop = (_from, _to, m) => m.type === 'append_resp' || m.type === 'heartbeat_resp';
  c.elect('n1', noAppendAnswers);
  assert.equal(c.raft('n1').inContact(), true, 'elected by a majority a moment ago');
  const t = defaultRaftConfig.electionTicks;
  for (let i = 0; i < t; i++) c.tick('n1', 1, noAppendAnswers);
  assert.equal(c.raft('n1').inContact(), false, `no answer for ${t} ticks since the votes: ${c.state()}`);
});

test('in contact: a leader cut from its majority, and a follower cut from its leader, say so within one election timeout', () => {
  const c = new Cluster(['n1', 'n2', 'n3']);
  c.elect('n1');
  c.tickAll(3);
  assert.deepEqual(['n1', 'n2', 'n3'].map((id) => c.raft(id).inContact()), [true, true, true]);
  const alone = cut(['n1']);
  const t = defaultRaftConfig.electionTicks;
  for (let i = 0; i < t; i++) {
    for (const id of ['n1', 'n2', 'n3']) c.raft(id).tick();
    c.deliver(alone);
  }
  // Check-quorum may not have fired yet (it looks once per election timeout), nor n2's election timer.
  assert.equal(c.raft('n1').inContact(), false, `the leader after ${t} ticks without a quorum: ${c.state()}`);
  assert.equal(c.raft('n2').inContact() && c.raft('n2').leader === 'n1', false, 'the follower no longer counts on n1');
  // Contact comes back with a leader that hears from a majority.
  c.tickAll(4 * t);
  const leader = c.leaderAmong(['n1', 'n2', 'n3'])!;
  c.tickAll(2);
  assert.equal(c.raft(leader).inContact(), true);
});
