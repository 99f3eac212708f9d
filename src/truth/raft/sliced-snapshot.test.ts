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

/**
 * Three RaftKv nodes in the real node's profile on one manual clock, n3 cut off until n3Up: n1 and
 * n2 take 1,000 writes and compact their logs behind a snapshot n3 can only catch up from. A node
 * booted again on its disk is a restart: the timers and messages of its earlier life are dropped.
 */
function snapshotCluster() {
  // No entries kept behind the snapshot: n3, started late, can only catch up from it.
  const config = raftKvConfigSchema.parse({ voters: ['n1', 'n2', 'n3'], profile: 'real-node', sessions: false, snapshotEntries: 300, snapshotSliceItems: 7, snapshotCatchUpEntries: 0, snapshotChunkBytes: 256 });
  const clock = new ManualClock();
  const nodes = new Map<string, { kv: RaftKv; disk: SimDisk; life: number }>();
  const cluster = {
    clock,
    nodes,
    n3Up: false,
    writesMax: 1_000,
    writes: 0,
    /** Every chunk sent to n3, with the life of n3 it was sent to. */
    chunksToN3: [] as { life: number; offset: number; bytes: Uint8Array; total: number }[],
    /** The events each node logged. */
    events: [] as { node: string; event: string; fields: Record<string, unknown> }[],
    /** Called as each event is logged (the state at that instant). */
    onEvent: (_node: string, _event: string, _fields: Record<string, unknown>) => {},
    leader: () => [...nodes.values()].find((n) => n.kv.raft.role === 'leader'),
    request: () => {
      const id = ++cluster.writes;
      cluster.leader()!.kv.onMessage('c/1', { type: 'client_request', id, op: { f: 'write', key: `k${id % 211}`, value: `v${id}` }, attempt: 1 });
    },
    boot: (name: string, disk?: SimDisk) => {
      const life = (nodes.get(name)?.life ?? 0) + 1;
      const alive = () => nodes.get(name)?.life === life;
      const world = manualContext({
        id: name,
        peers: ['n1', 'n2', 'n3'].filter((p) => p !== name),
        fsyncMs,
        clock,
        disk,
        send: (to, msg) => {
          if (!alive()) return;
          // Each reply at once sends the next write.
          if (to === 'c/1') return (msg as { type: string }).type === 'client_reply' && cluster.writes < cluster.writesMax && clock.set(1, cluster.request);
          if (!cluster.n3Up && (to === 'n3' || name === 'n3')) return;
          const m = msg as { type: string; offset: number; bytes: Uint8Array; total: number };
          if (to === 'n3' && m.type === 'snapshot_chunk') cluster.chunksToN3.push({ life: nodes.get('n3')!.life, offset: m.offset, bytes: new Uint8Array(m.bytes), total: m.total });
          clock.set(1, () => nodes.get(to)!.kv.onMessage(name, msg));
        },
      });
      const { ctx } = world;
      // A stopped node's timers die with it. n3's slices wait a millisecond, so messages come between them.
      const setTimer = ctx.setTimer;
      ctx.setTimer = (ms, fn) => setTimer(name === 'n3' ? Math.max(ms, 1) : ms, () => alive() && fn());
      // Election timeouts apart, so one node wins the first election.
      ctx.random = () => 0.1 + 0.3 * ['n1', 'n2', 'n3'].indexOf(name);
      ctx.log = (event, fields = {}) => {
        cluster.events.push({ node: name, event, fields });
        cluster.onEvent(name, event, fields);
      };
      const node = { kv: new RaftKv(ctx, config), disk: world.disk, life };
      nodes.set(name, node);
      return node;
    },
    /** Boot the three, and have n1 and n2 take the writes: returns the leader and its snapshot file. */
    writeWithoutN3: () => {
      for (const name of ['n1', 'n2', 'n3']) cluster.boot(name);
      nodes.get('n1')!.kv.start();
      nodes.get('n2')!.kv.start();
      clock.advance(2_000);
      cluster.request();
      clock.advance(10_000);
      assert.equal(cluster.writes, 1_000, 'every write was answered');
      const lead = cluster.leader()!;
      assert.ok(lead.kv.raft.log.snapshotIndex() > 0, 'the leader compacted its log behind a snapshot');
      return { lead, file: lead.disk.read(snapshotFile)! };
    },
  };
  return cluster;
}

test('a leader sends a follower far behind the snapshot file it wrote slice by slice, byte for byte, not the snapshot encoded again whole', () => {
  const c = snapshotCluster();
  const { lead, file } = c.writeWithoutN3();
  c.n3Up = true;
  c.nodes.get('n3')!.kv.start();
  c.clock.advance(10_000);
  assert.deepEqual(c.nodes.get('n3')!.kv.kv.snapshot(), lead.kv.kv.snapshot(), 'n3 installed the snapshot and caught up');
  const chunks = c.chunksToN3;
  assert.ok(chunks.length > 1, 'the snapshot went in chunks');
  assert.ok(chunks.every((x) => x.bytes.length <= 256 && x.total === file.length));
  // The chunks, joined in offset order, are the leader's file as it streamed it to disk, read back a chunk at a time.
  const byOffset = new Map(chunks.map((x) => [x.offset, x.bytes]));
  const sent = concatBytes([...byOffset.entries()].sort((a, b) => a[0] - b[0]).map(([, b]) => b));
  assert.deepEqual(sent, file, 'the bytes sent are the file written in slices');
  assert.notDeepEqual(file, encodeSnapshotFile(decodeSnapshotFile(file, snapshotFile)), 'a snapshot encoded again whole would be other bytes');
});

test('a follower that stops while it receives a snapshot goes on after its restart from the bytes on its disk; the leader sends only the rest; it loads it in slices', () => {
  const c = snapshotCluster();
  const { lead, file } = c.writeWithoutN3();

  // n3 starts and receives about half of the snapshot, then stops (its unsynced writes lost).
  c.n3Up = true;
  c.nodes.get('n3')!.kv.start();
  for (let ms = 0; ms < 10_000 && c.chunksToN3.length * 256 < file.length / 2; ms++) c.clock.advance(1);
  const n3 = c.nodes.get('n3')!;
  assert.ok(c.chunksToN3.length > 2 && c.chunksToN3.length * 256 < file.length, `n3 got ${c.chunksToN3.length} chunks of a ${file.length}-byte file`);
  n3.disk.crash();
  const restarted = c.boot('n3', n3.disk);
  const kept = c.events.filter((e) => e.event === 'raft_snapshot_partial_kept');
  assert.equal(kept.length, 1, 'the restart kept the part received');
  const resumedAt = kept[0].fields.received as number;
  assert.ok(resumedAt > 0 && resumedAt < file.length, `kept ${resumedAt} of ${file.length} bytes`);
  // What n3's file holds when it loads the snapshot, and what it had committed by then.
  const loads: { fields: Record<string, unknown>; commit: number; file: Uint8Array }[] = [];
  c.onEvent = (node, event, fields) => {
    if (node === 'n3' && event === 'raft_snapshot_installed') loads.push({ fields, commit: restarted.kv.raft.log.committed, file: restarted.disk.read(snapshotFile)! });
  };
  restarted.kv.start();
  // Writes go on meanwhile: entries above the snapshot reach n3 while it loads it.
  c.writesMax = 1_500;
  c.request();
  c.clock.advance(10_000);
  assert.equal(c.writes, 1_500);

  assert.deepEqual(restarted.kv.kv.snapshot(), lead.kv.kv.snapshot(), 'n3 installed the snapshot and caught up');
  // After the restart the leader went on from what n3 held (after at most one chunk sent from where it was).
  const after = c.chunksToN3.filter((x) => x.life === 2);
  const fresh = after.filter((x) => x.offset < resumedAt);
  assert.ok(fresh.length <= 1, `chunks below the ${resumedAt} bytes kept: ${fresh.map((x) => x.offset).join(' ')}`);
  assert.equal(new Set(after.filter((x) => x.offset >= resumedAt).map((x) => x.offset)).size, Math.ceil((file.length - resumedAt) / 256), 'only the rest was sent');
  // Loaded in slices (the file's records, 7 items each) over turns, while entries after it were
  // committed: none was applied before the last slice (raft-host.ts apply() asserts it).
  assert.equal(loads.length, 1);
  const { fields, commit } = loads[0];
  assert.ok((fields.slices as number) > 10, `loaded in ${fields.slices} slices`);
  assert.ok(commit > (fields.index as number), `entries up to ${commit} committed while snapshot ${fields.index} loaded`);
  // Its file is the leader's bytes as received (after a record naming them), never encoded again.
  const installed = loads[0].file;
  assert.deepEqual(installed.subarray(installed.length - file.length), file);
  assert.deepEqual(decodeSnapshotFile(installed, snapshotFile), decodeSnapshotFile(file, snapshotFile));
});
