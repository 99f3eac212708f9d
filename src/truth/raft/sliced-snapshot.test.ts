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
import { decodeSnapshotFile, encodeSnapshotFile, snapshotFile } from './storage.js';
import { ManualClock } from '../../runtime/clock.js';
import { concatBytes } from '../../runtime/records.js';
import type { SimDisk } from '../../sim/disk.js';

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

test('a leader sends a follower far behind the snapshot file it wrote slice by slice, byte for byte, not the snapshot encoded again whole', () => {
  // No entries kept behind the snapshot: n3, started late, can only catch up from it.
  const config = raftKvConfigSchema.parse({ voters: ['n1', 'n2', 'n3'], profile: 'real-node', sessions: false, snapshotEntries: 300, snapshotSliceItems: 7, snapshotCatchUpEntries: 0, snapshotChunkBytes: 256 });
  const clock = new ManualClock();
  const nodes = new Map<string, { kv: RaftKv; disk: SimDisk }>();
  let n3Up = false;
  const chunksToN3: { offset: number; bytes: Uint8Array; total: number }[] = [];
  let id = 0;
  const leader = () => [...nodes.values()].find((n) => n.kv.raft.role === 'leader');
  const request = () => {
    id++;
    leader()!.kv.onMessage('c/1', { type: 'client_request', id, op: { f: 'write', key: `k${id % 211}`, value: `v${id}` }, attempt: 1 });
  };
  for (const [i, name] of ['n1', 'n2', 'n3'].entries()) {
    const world = manualContext({
      id: name,
      peers: ['n1', 'n2', 'n3'].filter((p) => p !== name),
      fsyncMs,
      clock,
      send: (to, msg) => {
        if (to === 'c/1') return (msg as { type: string }).type === 'client_reply' && id < 1_000 && clock.set(1, request);
        if (!n3Up && (to === 'n3' || name === 'n3')) return;
        const m = msg as { type: string; offset: number; bytes: Uint8Array; total: number };
        if (to === 'n3' && m.type === 'snapshot_chunk') chunksToN3.push({ offset: m.offset, bytes: new Uint8Array(m.bytes), total: m.total });
        clock.set(1, () => nodes.get(to)!.kv.onMessage(name, msg));
      },
    });
    // Election timeouts apart, so one node wins the first election.
    world.ctx.random = () => 0.1 + 0.3 * i;
    nodes.set(name, { kv: new RaftKv(world.ctx, config), disk: world.disk });
  }
  nodes.get('n1')!.kv.start();
  nodes.get('n2')!.kv.start();
  clock.advance(2_000);
  request();
  clock.advance(10_000);
  assert.equal(id, 1_000, 'every write was answered');
  const lead = leader()!;
  assert.ok(lead.kv.raft.log.snapshotIndex() > 0, 'the leader compacted its log behind a snapshot');
  const file = lead.disk.read(snapshotFile)!;

  n3Up = true;
  nodes.get('n3')!.kv.start();
  clock.advance(10_000);
  assert.deepEqual(nodes.get('n3')!.kv.kv.snapshot(), lead.kv.kv.snapshot(), 'n3 installed the snapshot and caught up');
  assert.ok(chunksToN3.length > 1, 'the snapshot went in chunks');
  assert.ok(chunksToN3.every((c) => c.bytes.length <= 256 && c.total === file.length));
  // The chunks, joined in offset order, are the leader's file: the parts it streamed to disk, with their crc taken as they went.
  const byOffset = new Map(chunksToN3.map((c) => [c.offset, c.bytes]));
  const sent = concatBytes([...byOffset.entries()].sort((a, b) => a[0] - b[0]).map(([, b]) => b));
  assert.deepEqual(sent, file, 'the bytes sent are the file written in slices');
  assert.notDeepEqual(file, encodeSnapshotFile(decodeSnapshotFile(file, snapshotFile)), 'a snapshot encoded again whole would be other bytes');
});
