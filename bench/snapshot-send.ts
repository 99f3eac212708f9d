/**
 * The leader's longest step while a follower far behind catches up from a snapshot of the whole
 * store: three RaftKv nodes in the real node's profile (snapshots taken in slices, InstallSnapshot in
 * 1 MiB chunks) on virtual time and simulated disks, n3 down until the leader has compacted its log
 * behind a snapshot. Every timer, message and fsync completion is one step, timed with the real
 * clock: on a real node each would be one turn of the event loop, so the longest is its longest pause.
 * The leader sends the file it wrote, read back a chunk at a time (Raft.offerSnapshotBytes); it
 * keeps no copy of the store to encode whole, so there is no other way to compare it with here
 * (before, encoding it whole took the leader 200-300 ms, and the follower's install 0.3-1.2 s).
 *
 * While n3 catches up, each step runs in a turn of the event loop of its own (ManualClock.runNext,
 * then setImmediate), so monitorEventLoopDelay sees the longest of them as a real node's event loop
 * would: the follower's receiving, installing and loading in slices, and the leader's chunks.
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { ManualClock } from '../src/runtime/clock.js';
import { SimDisk } from '../src/sim/disk.js';
import { manualContext } from '../src/testing/manual-context.js';
import { RaftKv, raftKvConfigSchema } from '../src/truth/raft/host.js';

export interface SnapshotSendPauses {
  /** The leader's longest step from n3's start until it caught up (ms). */
  leaderMaxMs: number;
  /** What that step was (a message type, a timer, an fsync). */
  leaderMaxStep: string;
  /**
   * The leader's longest step less the garbage collection inside it (ms): the three nodes share one
   * heap here, so a collection of the follower's garbage can fall in a leader's step, which on a
   * real leader, a process of its own, it would not.
   */
  leaderMaxWithoutGcMs: number;
  /** n3's longest step: receiving, installing and loading the snapshot it received (ms). */
  followerMaxMs: number;
  followerMaxStep: string;
  /** The same less the garbage collection inside it (the three nodes share one heap here). */
  followerMaxWithoutGcMs: number;
  /**
   * n3's longest step in CPU time (process.cpuUsage, ms): what the step costs without the time the
   * machine gave to other processes, which on a busy shared machine inflates every wall-clock figure.
   */
  followerMaxCpuMs: number;
  /** The event loop's longest delay while n3 caught up (monitorEventLoopDelay, ms): any node's step, or a GC. */
  loopDelayMaxMs: number;
  chunks: number;
}

const nodeIds = ['n1', 'n2', 'n3'];
/** Virtual time for the writes that trigger the snapshot, and for n3 to catch up. */
const writePhaseMs = 20_000;
const catchUpMs = 20_000;

export async function measureSnapshotSend(keys: number, valueBytes: number): Promise<SnapshotSendPauses> {
  const collections: { start: number; end: number }[] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) collections.push({ start: e.startTime, end: e.startTime + e.duration });
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  // Entries after the store is filled: a snapshot is taken after this many, with none kept behind it.
  const snapshotEntries = 300;
  const config = raftKvConfigSchema.parse({ voters: nodeIds, profile: 'real-node', sessions: false, snapshotEntries, snapshotCatchUpEntries: 0 });
  const clock = new ManualClock();
  const longest = new Map<string, { ms: number; step: string }>(nodeIds.map((n) => [n, { ms: 0, step: '' }]));
  let measuring = false;
  const leaderSteps: { start: number; end: number }[] = [];
  const followerSteps: { start: number; end: number; step: string }[] = [];
  let leaderName = '';
  let followerMaxCpuMs = 0;
  const timed = (node: string, step: string, fn: () => void) => () => {
    const t = performance.now();
    const cpu = process.cpuUsage();
    fn();
    const end = performance.now();
    if (measuring && node === 'n3') {
      const used = process.cpuUsage(cpu);
      followerMaxCpuMs = Math.max(followerMaxCpuMs, (used.user + used.system) / 1000);
    }
    const ms = end - t;
    if (measuring && node === leaderName) leaderSteps.push({ start: t, end });
    if (measuring && node === 'n3') followerSteps.push({ start: t, end, step });
    if (ms > longest.get(node)!.ms) longest.set(node, { ms, step });
  };
  const nodes = new Map<string, RaftKv>();
  let n3Up = false;
  let chunks = 0;
  let id = 0;
  const leader = () => [...nodes.values()].find((n) => n.raft.role === 'leader');
  const request = () => {
    id++;
    leader()?.onMessage('c/1', { type: 'client_request', id, op: { f: 'write', key: `key:${id % keys}`, value: 'y'.repeat(valueBytes) }, attempt: 1 });
  };
  for (const [i, name] of nodeIds.entries()) {
    const disk = new SimDisk({ now: () => clock.now(), fsyncDelayMs: () => 1, scheduleSync: (at, _file, complete) => clock.set(at - clock.now(), timed(name, 'fsync', complete)) });
    const { ctx } = manualContext({
      id: name,
      peers: nodeIds.filter((p) => p !== name),
      fsyncMs: 1,
      clock,
      disk,
      send: (to, msg) => {
        if (to === 'c/1') return (msg as { type: string }).type === 'client_reply' && id < 2 * snapshotEntries && clock.set(1, request);
        if (!n3Up && (to === 'n3' || name === 'n3')) return;
        const type = (msg as { type: string }).type;
        if (to === 'n3' && type === 'snapshot_chunk') chunks++;
        clock.set(1, timed(to, type, () => nodes.get(to)!.onMessage(name, msg)));
      },
    });
    const setTimer = ctx.setTimer;
    ctx.setTimer = (ms, fn) => setTimer(ms, timed(name, 'timer', fn));
    // Election timeouts apart, so one node wins the first election.
    ctx.random = () => 0.1 + 0.3 * i;
    nodes.set(name, new RaftKv(ctx, config));
  }
  // n1 and n2 hold the same store before the log starts: only the snapshot brings it to n3.
  const value = 'x'.repeat(valueBytes);
  for (const name of ['n1', 'n2']) for (let k = 0; k < keys; k++) nodes.get(name)!.kv.apply({ op: { f: 'write', key: `key:${k}`, value } });
  nodes.get('n1')!.start();
  nodes.get('n2')!.start();
  clock.advance(2_000);
  const lead = leader();
  if (lead === undefined) throw new Error('snapshot-send: no leader elected');
  request();
  clock.advance(writePhaseMs);
  if (lead.raft.log.snapshotIndex() === 0) throw new Error('snapshot-send: the leader took no snapshot');
  for (const n of nodeIds) longest.set(n, { ms: 0, step: '' });
  leaderName = [...nodes].find(([, n]) => n === lead)![0];
  measuring = true;
  n3Up = true;
  nodes.get('n3')!.start();
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const end = clock.now() + catchUpMs;
  while (clock.runNext(end)) await new Promise((r) => setImmediate(r));
  histogram.disable();
  if (nodes.get('n3')!.kv.data.size !== lead.kv.data.size) throw new Error(`snapshot-send: n3 holds ${nodes.get('n3')!.kv.data.size} keys, the leader ${lead.kv.data.size}`);
  // GC entries are delivered after the code that ran into them.
  await new Promise((r) => setTimeout(r, 50));
  gcObserver.disconnect();
  const overlap = (a: { start: number; end: number }, b: { start: number; end: number }) => Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
  const withoutGc = leaderSteps.map((step) => step.end - step.start - collections.reduce((sum, c) => sum + overlap(step, c), 0));
  const l = longest.get(leaderName)!;
  const f = longest.get('n3')!;
  const followerWithoutGc = followerSteps.map((s) => ({ ms: s.end - s.start - collections.reduce((sum, c) => sum + overlap(s, c), 0), step: s.step })).sort((a, b) => b.ms - a.ms);
  if (process.env.SNAPSHOT_SEND_STEPS !== undefined) process.stderr.write(`n3's longest steps less GC: ${followerWithoutGc.slice(0, 8).map((s) => `${s.step} ${s.ms.toFixed(1)}`).join(', ')}\n`);
  return { leaderMaxMs: l.ms, leaderMaxStep: l.step, leaderMaxWithoutGcMs: Math.max(0, ...withoutGc), followerMaxMs: f.ms, followerMaxStep: f.step, followerMaxWithoutGcMs: followerWithoutGc[0]?.ms ?? 0, followerMaxCpuMs, loopDelayMaxMs: histogram.max / 1e6, chunks };
}
