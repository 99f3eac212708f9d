/**
 * What a restart costs a real node: the log it replays after its snapshot, and whether it answers its
 * peers while it replays (raft-host.ts applyEntriesMax, snapshotLogBytesRatio).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualContext, type ManualWorld } from '../../testing/manual-context.js';
import { RaftKv, raftKvConfigSchema } from './host.js';

const fsyncMs = 1;

/** A one-node cluster on the real node's profile, written `writes` times over `keys` keys, one write per reply. */
function written(writes: number, keys: number, settings: Record<string, unknown>): { world: ManualWorld; kv: RaftKv; config: ReturnType<typeof raftKvConfigSchema.parse> } {
  const config = raftKvConfigSchema.parse({ voters: ['n1'], profile: 'real-node', sessions: false, ...settings });
  let kv: RaftKv | undefined;
  let id = 0;
  const request = () => {
    id++;
    kv!.onMessage('c/1', { type: 'client_request', id, op: { f: 'write', key: `k${id % keys}`, value: `v${id}` }, attempt: 1 });
  };
  const world = manualContext({ id: 'n1', fsyncMs, send: (_to, msg) => (msg as { type: string }).type === 'client_reply' && id < writes && request() });
  kv = new RaftKv(world.ctx, config);
  kv.start();
  world.clock.advance(2_000);
  request();
  world.clock.advance(writes * 5);
  assert.equal(id, writes);
  return { world, kv, config };
}

test('a restarted node applies its backlog 50 entries per turn, with the turns between them free for its peers, and ends in the state it had', () => {
  const { world, kv, config } = written(600, 40, { snapshotEntries: 1_000_000, applyEntriesMax: 50 });
  const before = kv.kv.snapshot();
  const { clock, disk } = world;
  const { ctx } = manualContext({ id: 'n1', fsyncMs, send: () => {}, disk, clock });
  // Each timer is a turn of the node's event loop: what it applied in each, and that other turns (ticks) ran between.
  const appliedAfterTurn: number[] = [];
  const setTimer = ctx.setTimer;
  ctx.setTimer = (ms, fn) =>
    setTimer(ms, () => {
      fn();
      appliedAfterTurn.push(restarted.host.applied);
    });
  const restarted = new RaftKv(ctx, config);
  const from = restarted.host.applied;
  const backlog = restarted.raft.log.committed - from;
  assert.ok(backlog >= 500, `${backlog} committed entries to apply again`);
  restarted.start();
  clock.advance(3_000);
  const steps = appliedAfterTurn.map((a, i) => a - (i === 0 ? from : appliedAfterTurn[i - 1]));
  assert.ok(steps.every((s) => s <= 50), `at most 50 per turn (${steps.filter((s) => s > 0).join(' ')})`);
  assert.ok(steps.filter((s) => s > 0).length >= backlog / 50, `the backlog took ${steps.filter((s) => s > 0).length} turns`);
  assert.deepEqual(restarted.kv.snapshot().data, before.data);

});

test('snapshotLogBytesRatio: a small state is snapshotted once the log outweighs it, long before snapshotEntries; the restart replays that much less', () => {
  const replayAfterRestart = (ratio: number) => {
    const { world, kv, config } = written(5_000, 10, { snapshotEntries: 2_000, snapshotLogBytesRatio: ratio });
    const restarted = new RaftKv(manualContext({ id: 'n1', fsyncMs, send: () => {}, disk: world.disk, clock: world.clock }).ctx, config);
    return { snapshotIndex: restarted.raft.log.snapshotIndex(), replay: restarted.raft.log.lastIndex() - restarted.raft.log.snapshotIndex(), live: kv.raft.log.lastIndex() };
  };
  // The first at snapshotEntries; then, every tenth of it at the least: 200 entries of 10 keys outweigh their snapshot.
  const bySize = replayAfterRestart(1);
  assert.ok(bySize.snapshotIndex >= 4_700, `snapshot at ${bySize.snapshotIndex}`);
  assert.ok(bySize.replay <= 300, `${bySize.replay} entries to replay`);
  const byCount = replayAfterRestart(1e9);
  assert.ok(byCount.snapshotIndex >= 4_000 && byCount.snapshotIndex < 4_100, `snapshot at ${byCount.snapshotIndex}`);
  assert.ok(byCount.replay >= 900, `${byCount.replay} entries to replay`);
});
