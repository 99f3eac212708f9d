/**
 * A real node's snapshot is copied and encoded in slices while clients keep writing (raft-host.ts
 * maybeSnapshot). Its file must hold exactly the state at its Raft index, and a node restarted from
 * it must come back to the state it had.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualContext } from '../../testing/manual-context.js';
import { KvStateMachine, type KvSnapshot } from '../kv.js';
import { RaftKv, raftKvConfigSchema } from './host.js';
import { decodeSnapshotFile, snapshotFile } from './storage.js';

const fsyncMs = 1;

test('writes applied between the slices of a snapshot are not in it; a restart from it comes back to the live state', () => {
  const config = raftKvConfigSchema.parse({ voters: ['n1'], profile: 'real-node', sessions: false, snapshotEntries: 300, snapshotSliceItems: 7 });
  let kv: RaftKv | undefined;
  let id = 0;
  const request = () => {
    id++;
    const key = `k${id % 97}`;
    const op = id % 5 === 0 ? { f: 'hset', key: `h${id % 13}`, value: [[`f${id % 3}`, String(id)]] } : id % 7 === 0 ? { f: 'delete', key } : { f: 'write', key, value: `v${id}` };
    kv!.onMessage('c/1', { type: 'client_request', id, op, attempt: 1 });
  };
  const world = manualContext({
    id: 'n1',
    fsyncMs,
    // Each reply at once sends the next write: writes keep applying while the snapshot is sliced.
    send: (_to, msg) => (msg as { type: string }).type === 'client_reply' && id < 500 && request(),
  });
  const { ctx, clock, disk } = world;
  // A slice waits a millisecond rather than none, so the writes (one per fsync) fall between slices.
  const setTimer = ctx.setTimer;
  ctx.setTimer = (ms, fn) => setTimer(Math.max(ms, 1), fn);
  kv = new RaftKv(ctx, config);
  // The reference: the whole state copied at once, at the instant the sliced snapshot starts.
  const started: { index: number; state: KvSnapshot; writesBefore: number }[] = [];
  const begin = kv.kv.beginSnapshot.bind(kv.kv);
  kv.kv.beginSnapshot = () => {
    started.push({ index: kv!.raft.log.applied, state: kv!.kv.snapshot(), writesBefore: id });
    return begin();
  };
  kv.start();
  clock.advance(2_000);
  request();
  clock.advance(5_000);
  assert.equal(id, 500);
  assert.ok(started.length >= 1, 'a snapshot was taken');
  const snap = decodeSnapshotFile(disk.read(snapshotFile)!, snapshotFile);
  const last = started[started.length - 1];
  assert.equal(snap.index, last.index);
  assert.equal(snap.term, kv.raft.log.term(last.index));
  assert.deepEqual(snap.data, last.state, 'the file holds the state at its index, not one written over by later writes');
  assert.deepEqual(snap.conf, { voters: ['n1'], learners: [] });
  assert.deepEqual(kv.raft.log.snapshotIndex() <= last.index, true);
  const live = kv.kv.snapshot();
  assert.notDeepEqual(live, last.state, 'writes applied after the snapshot started');

  // A node restarted on this disk: the snapshot, then the log after it, give the live state back.
  const restarted = new RaftKv(manualContext({ id: 'n1', fsyncMs, send: () => {}, disk, clock }).ctx, config);
  assert.deepEqual(restarted.kv.snapshot().applied, snap.data && (snap.data as KvSnapshot).applied, 'the state machine starts from the snapshot');
  restarted.start();
  clock.advance(2_000);
  assert.deepEqual(restarted.kv.snapshot(), live);
  const fromFile = new KvStateMachine();
  fromFile.restore(snap.data as KvSnapshot);
  assert.deepEqual(fromFile.snapshot(), last.state);
});
