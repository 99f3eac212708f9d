/**
 * RaftKv alone (a cluster of one), on virtual time and the simulator's disk: what its write-ahead log
 * holds with a real node's settings, and what a restart makes of it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualContext } from '../../testing/manual-context.js';
import { ManualClock } from '../../runtime/clock.js';
import { scanRecords } from '../../runtime/records.js';
import { SimDisk } from '../../sim/disk.js';
import { RaftKv, raftKvConfigSchema, type RaftKvProfile } from './host.js';
import { segmentPrefix } from './storage.js';
import { decodeWalRecord } from './wal-format.js';

const fsyncMs = 1;

function simDisk(clock: ManualClock): SimDisk {
  return new SimDisk({ now: () => clock.now(), fsyncDelayMs: () => fsyncMs, scheduleSync: (at, _file, complete) => clock.set(at - clock.now(), complete) });
}

function member(disk: SimDisk, clock: ManualClock, profile: RaftKvProfile, replies: unknown[]): RaftKv {
  const { ctx } = manualContext({ id: 'n1', fsyncMs, clock, disk, send: (_to, msg) => replies.push(msg) });
  const kv = new RaftKv(ctx, raftKvConfigSchema.parse({ voters: ['n1'], profile }));
  kv.start();
  return kv;
}

type WalRecord = { hs?: { term: number; vote: string | null; commit: number }; e?: unknown[] };

/** The records of the log: each a hard state or a batch of entries. */
function walRecords(disk: SimDisk): WalRecord[] {
  return scanRecords(disk.read(`${segmentPrefix}1`)!).records.map((r) => decodeWalRecord(r) as WalRecord);
}

/** Hard-state records that move nothing but the commit index and come with no entries. */
function commitOnlyRecords(records: WalRecord[]): number {
  let n = 0;
  let last: WalRecord['hs'];
  records.forEach((r, i) => {
    if (r.hs === undefined) return;
    const withEntries = i > 0 && records[i - 1].e !== undefined;
    if (last !== undefined && !withEntries && r.hs.term === last.term && r.hs.vote === last.vote) n++;
    last = r.hs;
  });
  return n;
}

function writeThree(profile: RaftKvProfile): { disk: SimDisk; clock: ManualClock; replies: unknown[] } {
  const clock = new ManualClock();
  const disk = simDisk(clock);
  const replies: unknown[] = [];
  const kv = member(disk, clock, profile, replies);
  clock.advance(2_000);
  assert.equal(kv.raft.role, 'leader');
  for (let id = 1; id <= 3; id++) {
    kv.onMessage('c/1', { type: 'client_request', id, op: { f: 'write', key: `k${id}`, value: id }, attempt: 1, ackedBelow: id });
    clock.advance(50);
  }
  assert.deepEqual(
    replies.map((r) => (r as { status: string }).status),
    ['ok', 'ok', 'ok'],
  );
  return { disk, clock, replies };
}

test('in the real node\'s profile (syncOnlyWhenRequired) a hard state whose commit alone moved gets no write of its own: the next entries carry it', () => {
  const records = walRecords(writeThree('real-node').disk);
  assert.equal(commitOnlyRecords(records), 0);
  const commits = records.filter((r) => r.hs !== undefined).map((r) => r.hs!.commit);
  assert.ok(commits.length >= 3 && commits[commits.length - 1] >= 3, `commit hints written: ${commits.join(', ')}`);
  // In the textbook profile every hard state is written as it comes.
  assert.ok(commitOnlyRecords(walRecords(writeThree('textbook').disk)) >= 1);
});

test('after a crash the member learns the commit index it did not write again, and serves every acknowledged write', () => {
  const { disk, clock } = writeThree('real-node');
  disk.crash();
  const restarted = member(disk, clock, 'real-node', []);
  const lastIndex = restarted.raft.log.lastIndex();
  assert.ok(restarted.raft.log.committed < lastIndex, `restored commit ${restarted.raft.log.committed} below the last index ${lastIndex}`);
  clock.advance(2_000);
  assert.equal(restarted.raft.role, 'leader');
  // Its own no-op of the new term commits everything before it (Raft §5.4.2).
  assert.ok(restarted.raft.log.committed > lastIndex);
  assert.deepEqual([1, 2, 3].map((i) => restarted.kv.get(`k${i}`)), [1, 2, 3]);
});

test('a snapshot keeps the membership as of its index: a member restarted from it does not fall back to its first one', () => {
  const clock = new ManualClock();
  const disk = simDisk(clock);
  const { ctx } = manualContext({ id: 'n1', fsyncMs, clock, disk, send: () => {} });
  const kv = new RaftKv(ctx, raftKvConfigSchema.parse({ voters: ['n1'], profile: 'textbook', snapshotEntries: 5 }));
  kv.start();
  clock.advance(2_000);
  let applied = false;
  assert.equal(kv.host.proposeConfChange({ type: 'add-learner', node: 'n9' }, (ok) => (applied = ok)), true);
  clock.advance(50);
  assert.equal(applied, true);
  for (let id = 1; id <= 10; id++) {
    kv.onMessage('c/1', { type: 'client_request', id, op: { f: 'write', key: `k${id}`, value: id }, attempt: 1, ackedBelow: id });
    clock.advance(50);
  }
  assert.ok(kv.raft.log.snapshotIndex() > 2, 'the change is behind a snapshot now');
  disk.crash();
  const { ctx: again } = manualContext({ id: 'n1', fsyncMs, clock, disk, send: () => {} });
  const restarted = new RaftKv(again, raftKvConfigSchema.parse({ voters: ['n1'], profile: 'textbook', snapshotEntries: 5 }));
  assert.deepEqual(restarted.raft.confState(), { voters: ['n1'], learners: ['n9'] });
});

test('SPOP goes into the log with the leader\'s draw: replaying the log after a crash pops the same members', () => {
  const clock = new ManualClock();
  const disk = simDisk(clock);
  const replies: unknown[] = [];
  const kv = member(disk, clock, 'real-node', replies);
  clock.advance(2_000);
  const members = Array.from({ length: 50 }, (_, i) => `m${i}`);
  kv.onMessage('c/1', { type: 'client_request', id: 1, op: { f: 'sadd', key: 's', value: members }, attempt: 1, ackedBelow: 1 });
  clock.advance(50);
  kv.onMessage('c/1', { type: 'client_request', id: 2, op: { f: 'spop', key: 's', value: { count: 10 } }, attempt: 1, ackedBelow: 2 });
  clock.advance(50);
  const popped = (replies[1] as { value: string[] }).value;
  assert.equal(popped.length, 10);
  const left = kv.kv.query({ f: 'smembers', key: 's' });
  assert.deepEqual(left, members.filter((m) => !popped.includes(m)));
  // The entry carries the leader's draw (the test context's random() is 0.5), and only SPOP's does.
  const logged = JSON.stringify(walRecords(disk));
  assert.equal(logged.split('"random":2147483648').length - 1, 1, 'one entry carries the draw');
  disk.crash();
  const restarted = member(disk, clock, 'real-node', []);
  clock.advance(2_000);
  assert.deepEqual(restarted.kv.query({ f: 'smembers', key: 's' }), left, 'the replayed SPOP took the same members');
});
