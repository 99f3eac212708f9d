import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { registerCatalog } from '../cli/catalog.js';
import { parseScenario, runVariant } from '../scenario/index.js';
import { LabSession, type StoryFile } from './session.js';

registerCatalog();

const story = (name: string): StoryFile => ({ file: `${name}.yaml`, text: readFileSync(fileURLToPath(new URL(`../../../scenarios/${name}.yaml`, import.meta.url)), 'utf8') });

/** A small Raft KV: three nodes, four seconds, every history checked. */
const raft: StoryFile = {
  file: 'lab-raft.yaml',
  text: `name: lab-raft
seed: 1
topology: { nodes: 3 }
network: { latency: { dist: uniform, min: 1, max: 5 } }
system: { process: truth/raft-kv, config: { profile: real-node } }
workload: { type: closed, clients: 3, durationMs: 4000, ops: { read: 1, write: 1 }, keys: { dist: uniform, count: 3 }, target: random }
checks: [ { name: linearizable, model: kv } ]
variants:
  naive: { expect: pass }
  fixed: { expect: pass }
`,
};

/** split-brain without its scheduled partition: whatever cuts its links is done by hand. */
function calmSplitBrain(): StoryFile {
  const s = story('split-brain');
  const text = s.text.replace(/^faults:\n  - \{ at: 5000, for: 43000, partition: \[\[n1, n2, n3\], \[n4, n5\]\] \}\n/m, '');
  assert.notEqual(text, s.text, 'split-brain schedules its own partition');
  return { file: s.file, text };
}

function runToEnd(s: LabSession, eventsPerPiece: number): void {
  while (!s.ended) s.advance(eventsPerPiece);
}

test('a run stepped in pieces of any size ends as the unstepped run: same traceHash, events and verdicts', () => {
  const s = story('split-brain');
  const whole = runVariant(parseScenario(s.text, s.file).variants.find((v) => v.name === 'naive')!, { seed: 3 }).report;
  const judged: string[] = [];
  for (const piece of [1, 997]) {
    const lab = new LabSession(s, 'naive', 3);
    let cutsSeen = 0;
    while (!lab.ended) {
      lab.advance(piece);
      if (piece > 1) cutsSeen = Math.max(cutsSeen, lab.cutLinks().length);
    }
    // dc-east (n1 n2 n3) and dc-west (n4 n5) lose each other: 3 x 2 links, cut both ways, then healed.
    if (piece > 1) assert.equal(cutsSeen, 6);
    assert.deepEqual(lab.cutLinks(), []);
    const r = lab.finish().report;
    assert.equal(r.traceHash, whole.traceHash, `pieces of ${piece} events`);
    assert.equal(r.events, whole.events);
    assert.deepEqual(r.checks, whole.checks);
    judged.push(JSON.stringify(lab.checks));
  }
  assert.equal(judged[0], judged[1], 'the live checks fail at the same virtual time however the run is stepped');
});

test('live checks turn red as they fail, with the witness, and only those a prefix can fail for good', () => {
  const lab = new LabSession(story('split-brain'), 'naive', 1);
  assert.deepEqual(lab.checks.map((c) => [c.name, c.failedAtMs]), [['no-lost-increments', undefined], ['linearizable', undefined]]);
  let redAtMs: number | undefined;
  while (!lab.ended && redAtMs === undefined) {
    lab.advance(100);
    redAtMs = lab.checks[0].failedAtMs;
    if (redAtMs === undefined) assert.ok(lab.nowMs <= 9100, `still holding at ${lab.nowMs} ms`);
  }
  // The first increment lost is acknowledged at 9079.332 ms (pillars run's verdict names it): red at
  // the next judgement. A run of 65 s is judged every 650 ms (100 times).
  assert.equal(lab.judgeEveryMs, 650);
  assert.equal(redAtMs, 9100);
  assert.ok(lab.nowMs < 9200, `the run is at ${lab.nowMs} ms: red while it goes, not at its end (65000 ms)`);
  const detail = lab.checks[0].detail!;
  assert.match(detail, /^\d+ of \d+ acknowledged increments were lost .*; the first: on k0, process 11's incr answered 66 at 9079\.332 ms \(via n5\), as process 2's had at 4985\.237 ms \(via n1\)$/);
  runToEnd(lab, 100_000);
  const lin = lab.checks[1];
  assert.ok(lin.live && lin.failedAtMs !== undefined && lin.failedAtMs < 65_000, `linearizable red at ${lin.failedAtMs}`);
  assert.match(lin.detail!, /^not linearizable on key k\d: no order of the operations explains this one:\n  process \d+ incr/);
  assert.deepEqual(lab.finish().report.checks.map((c) => c.ok), [false, false]);

  // A counter over its max is red as it goes; a floor waits for the end; a run that holds stays green.
  const bounded = { ...raft, text: raft.text.replace('checks: [ { name: linearizable, model: kv } ]', 'checks: [ { name: linearizable, model: kv }, { name: metric, metric: ops_ok, max: 40 }, { name: metric, id: some-ok, metric: ops_ok, min: 1 } ]') };
  assert.notEqual(bounded.text, raft.text);
  const fixed = new LabSession(bounded, 'fixed', 1);
  runToEnd(fixed, 2_000);
  const [held, over, floor] = fixed.checks;
  assert.deepEqual([held.live, held.failedAtMs], [true, undefined]);
  assert.ok(over.live && over.failedAtMs !== undefined && over.failedAtMs <= 1000, `ops_ok over 40 by ${over.failedAtMs} ms of 4000`);
  assert.match(over.detail!, /^ops_ok = \d+, expected <= 40$/);
  assert.deepEqual([floor.live, floor.failedAtMs], [false, undefined]);
});

test('messages in flight balance: every copy sent is delivered, dropped or still travelling', () => {
  // A lossy, duplicating network, so that every fate is seen.
  const lossy = { ...raft, text: raft.text.replace('network: { latency: { dist: uniform, min: 1, max: 5 } }', 'network: { latency: { dist: uniform, min: 1, max: 5 }, loss: 0.05, duplicate: 0.05 }') };
  assert.notEqual(lossy.text, raft.text);
  const lab = new LabSession(lossy, 'naive', 1);
  let seenInFlight = 0;
  while (!lab.ended) {
    lab.advance(500);
    const f = lab.flights;
    assert.equal(f.sent + f.duplicated, f.delivered + f.dropped + f.size);
    for (const m of f.list(5)) assert.ok(m.sentMs <= lab.nowMs && m.dueMs >= m.sentMs, `${m.type} ${m.id} sent ${m.sentMs} due ${m.dueMs} at ${lab.nowMs}`);
    seenInFlight = Math.max(seenInFlight, f.size);
  }
  assert.ok(seenInFlight > 0);
  const f = lab.flights;
  assert.ok(f.duplicated > 0 && f.dropped > 0, `${f.duplicated} duplicated, ${f.dropped} dropped`);
  assert.ok(lab.recent.length > 0 && lab.recent.every((r) => typeof r.kind === 'string'));
});

test('a crash and a restart by hand: the run changes, and its exported YAML replays to the same traceHash', () => {
  const untouched = new LabSession(raft, 'naive', 2);
  runToEnd(untouched, 10_000);

  const lab = new LabSession(raft, 'naive', 2);
  lab.advance(Infinity, 700);
  const leader = lab.nodes().find((n) => n.state?.role === 'leader');
  assert.ok(leader !== undefined, 'a leader by 700 ms');
  const crash = lab.crash(leader.id);
  assert.ok(crash.at > 700 - 1 && crash.at < 701, `struck at ${crash.at}`);
  assert.equal(lab.nodes().find((n) => n.id === leader.id)!.status, 'down');
  assert.throws(() => lab.crash(leader.id), /down already/);
  lab.advance(Infinity, 2500);
  const newLeader = lab.nodes().find((n) => n.state?.role === 'leader');
  assert.ok(newLeader !== undefined && newLeader.id !== leader.id, 'another node leads while the old leader is down');
  // What the stage draws by each node: its describe() has the role, the term and the log's reach.
  const newTerm = newLeader.state!.term as number;
  assert.ok(newTerm > (leader.state!.term as number), `a new leader, a later term (${String(leader.state!.term)} then ${newTerm})`);
  for (const n of lab.nodes().filter((x) => x.kind === 'server' && x.status === 'up')) {
    assert.equal(n.state!.term, newTerm, `${n.id} has heard of term ${newTerm}`);
    assert.equal(n.state!.leader, newLeader.id, `${n.id} follows ${newLeader.id}`);
    assert.ok((n.state!.commit as number) > 0 && (n.state!.commit as number) <= (n.state!.lastIndex as number), `${n.id}: commit ${String(n.state!.commit)} of ${String(n.state!.lastIndex)}`);
  }
  const restarted = lab.restart(leader.id);
  assert.ok(restarted.for !== undefined && restarted.at + restarted.for > 2500);
  assert.notEqual(lab.nodes().find((n) => n.id === leader.id)!.status, 'down');
  assert.throws(() => lab.restart(leader.id), /not crashed by hand/);
  runToEnd(lab, 3_000);
  const live = lab.finish().report;
  assert.notEqual(live.traceHash, untouched.finish().report.traceHash, 'the hand faults changed the run');

  const yaml = lab.exportYaml();
  assert.match(yaml, /pillars lab: lab-raft\.yaml, variant naive, seed 2, 1 fault by hand/);
  const replayed = parseScenario(yaml, 'exported.yaml');
  assert.deepEqual(replayed.variants.map((v) => v.name), ['naive'], 'only the variant run');
  const replay = runVariant(replayed.variants[0]).report;
  assert.equal(replay.traceHash, live.traceHash);
  assert.equal(replay.events, live.events);

  // The hand faults carried to a new session (a shared address) give the same run.
  const restored = new LabSession(raft, 'naive', 2, lab.handFaults);
  assert.deepEqual(restored.handFaults, lab.handFaults);
  runToEnd(restored, 5_000);
  assert.equal(restored.finish().report.traceHash, live.traceHash);
});

test('a crash and a pause carried from an earlier session can be ended by hand, and that run replays too', () => {
  const lab = new LabSession(raft, 'fixed', 4, [{ at: 900, crash: 'n2' }, { at: 1000, pause: 'n3' }]);
  lab.advance(Infinity, 1500);
  const status = (id: string) => lab.nodes().find((n) => n.id === id)!;
  assert.deepEqual([status('n2').status, status('n2').heldByHand, status('n3').status, status('n3').heldByHand], ['down', 'crash', 'paused', 'pause']);
  assert.throws(() => lab.resume('n2'), /n2 was not paused by hand/);
  assert.throws(() => lab.pause('n3'), /n3 is paused: only a running server can be paused/);
  const f = lab.restart('n2');
  assert.equal(f.at, 900);
  assert.equal(lab.resume('n3').at, 1000);
  assert.equal(status('n3').status, 'up');
  lab.advance(Infinity, 2500);
  const paused = lab.pause('n1');
  assert.equal(status('n1').status, 'paused');
  lab.advance(Infinity, 3000);
  assert.ok(lab.resume('n1').for! > 400, `paused from ${paused.at} ms`);
  runToEnd(lab, 5_000);
  const replay = runVariant(parseScenario(lab.exportYaml(), 'exported.yaml').variants[0]).report;
  assert.equal(replay.traceHash, lab.finish().report.traceHash);
  assert.throws(() => new LabSession(raft, 'fixed', 1, [{ at: 5, crash: 'c1' }]), /c1 is not a server/);
  assert.throws(() => new LabSession(raft, 'fixed', 1, [{ at: 5, isolate: 'n1' }]), /a fault by hand is a crash, a pause, a disk fault, a clock skew, or a cut or slow link/);
});

test('hand faults are refused where they cannot be replayed', () => {
  const lab = new LabSession(raft, 'fixed', 1);
  assert.throws(() => lab.crash('c1'), /not a server/);
  assert.throws(() => lab.restart('n1'), /not crashed by hand/);
  assert.throws(() => new LabSession(raft, 'nope', 1), /no variant nope \(naive, fixed\)/);
  runToEnd(lab, Infinity);
  assert.throws(() => lab.crash('n1'), /ended/);
});

test('links cut by hand, both ways and one way, then healed: the naive primary loses acknowledged increments, and the YAML replays', () => {
  const calm = calmSplitBrain();
  const untouched = new LabSession(calm, 'naive', 2);
  runToEnd(untouched, 50_000);
  assert.deepEqual(untouched.finish().report.checks.map((c) => c.ok), [true, true], 'no cut, nothing lost');

  const lab = new LabSession(calm, 'naive', 2);
  lab.advance(Infinity, 2000);
  assert.deepEqual(lab.cutLinks(), []);
  const both = lab.cut('n1', 'n4');
  assert.deepEqual(both.partition, [['n1'], ['n4']]);
  assert.throws(() => lab.cut('n4', 'n1'), /n1 - n4 is cut by hand already/);
  assert.throws(() => lab.cut('n1', 'n4', true), /n1 - n4 is cut by hand already/);
  const one = lab.cut('n5', 'n1', true);
  assert.deepEqual(one.oneWay, { from: ['n5'], to: ['n1'] });
  assert.ok(one.at > both.at);
  assert.deepEqual(lab.cutLinks(), [
    { from: 'n1', to: 'n4', oneWay: false, byHand: true },
    { from: 'n5', to: 'n1', oneWay: true, byHand: true },
  ]);
  lab.advance(Infinity, 20_000);
  // Either end of a link names it.
  assert.equal(lab.heal('n4', 'n1').for! + both.at > 20_000, true);
  assert.equal(lab.heal('n1', 'n5'), one);
  assert.throws(() => lab.heal('n1', 'n4'), /n1 - n4 was not cut by hand/);
  assert.deepEqual(lab.cutLinks(), []);
  runToEnd(lab, 50_000);
  const live = lab.finish().report;
  const lost = live.checks.find((c) => c.name === 'no-lost-increments')!;
  assert.equal(lost.ok, false, 'n4 promoted itself behind the cut; the heal overwrote what n1 acknowledged');
  assert.ok(live.metrics.lost_acked_increments > 0 && live.metrics.promotions >= 1, `${live.metrics.lost_acked_increments} lost, ${live.metrics.promotions} promotions`);

  const yaml = lab.exportYaml();
  assert.match(yaml, /2 faults by hand/);
  const replay = runVariant(parseScenario(yaml, 'exported.yaml').variants[0]).report;
  assert.equal(replay.traceHash, live.traceHash);
  assert.deepEqual(replay.checks, live.checks);
  const restored = new LabSession(calm, 'naive', 2, lab.handFaults);
  runToEnd(restored, 50_000);
  assert.equal(restored.finish().report.traceHash, live.traceHash);
  assert.ok(lab.checks.every((c) => c.failedAtMs !== undefined && c.failedAtMs < 20_000), 'both checks red while n1 - n4 is cut');
  assert.deepEqual(restored.checks, lab.checks, 'the run carried in an address turns red at the same virtual times, with the same witness');
});

test('cuts carried from an earlier session and still open can be healed by hand, and that run replays too', () => {
  const lab = new LabSession(raft, 'fixed', 4, [{ at: 900, partition: [['n1'], ['n2']] }, { at: 1000, oneWay: { from: ['n3'], to: ['n1'] } }]);
  lab.advance(Infinity, 1500);
  assert.deepEqual(lab.cutLinks(), [
    { from: 'n1', to: 'n2', oneWay: false, byHand: true },
    { from: 'n3', to: 'n1', oneWay: true, byHand: true },
  ]);
  assert.equal(lab.heal('n2', 'n1').at, 900);
  assert.equal(lab.heal('n3', 'n1').at, 1000);
  assert.deepEqual(lab.cutLinks(), []);
  lab.advance(Infinity, 2500);
  lab.cut('n2', 'n3');
  runToEnd(lab, 5_000);
  assert.deepEqual(lab.cutLinks(), [{ from: 'n2', to: 'n3', oneWay: false, byHand: true }], 'a cut never healed lasts to the end');
  const replay = runVariant(parseScenario(lab.exportYaml(), 'exported.yaml').variants[0]).report;
  assert.equal(replay.traceHash, lab.finish().report.traceHash);
  assert.throws(() => lab.cut('n1', 'n3'), /ended/);

  const early = new LabSession(raft, 'fixed', 1, [{ at: 3000, partition: [['n1'], ['n2']] }]);
  assert.throws(() => early.heal('n1', 'n2'), /strikes at 3000 ms: it can be ended once it has/);
  const fresh = new LabSession(raft, 'fixed', 1);
  assert.throws(() => fresh.cut('n1', 'n1'), /joins two servers/);
  assert.throws(() => fresh.cut('n1', 'c1'), /c1 is not a server/);
  assert.throws(() => new LabSession(raft, 'fixed', 1, [{ at: 5, partition: [['n1'], ['n2', 'n3']] }]), /a fault by hand is a crash, a pause, a disk fault, a clock skew, or a cut or slow link/);
});

/** Finish a session, replay its export and a session carrying its hand faults: both give its traceHash. */
function assertReplays(lab: LabSession, story: StoryFile): void {
  runToEnd(lab, 5_000);
  const live = lab.finish().report;
  const replay = runVariant(parseScenario(lab.exportYaml(), 'exported.yaml').variants[0]).report;
  assert.equal(replay.traceHash, live.traceHash, 'the exported YAML replays');
  assert.equal(replay.events, live.events);
  const restored = new LabSession(story, lab.variant.name, lab.seed, lab.handFaults);
  runToEnd(restored, 5_000);
  assert.equal(restored.finish().report.traceHash, live.traceHash, 'the hand faults carried in an address replay');
  assert.deepEqual(restored.checks, lab.checks, 'and their checks are judged alike as they go');
}

test('a clock skewed by hand, forward then back: the node shows its offset, and the YAML replays', () => {
  const lab = new LabSession(raft, 'fixed', 3);
  lab.advance(Infinity, 800);
  const forward = lab.skew('n2', 250);
  assert.deepEqual(forward.clock, { node: 'n2', offsetMs: 250 });
  assert.equal(forward.for, undefined, 'a jump is over as it strikes');
  const offset = (id: string) => lab.nodes().find((n) => n.id === id)!.clockOffsetMs;
  assert.equal(Math.round(offset('n2')), 250);
  assert.equal(offset('n1'), 0);
  lab.advance(Infinity, 1600);
  lab.skew('n2', -400);
  assert.equal(Math.round(offset('n2')), -150);
  assert.throws(() => lab.skew('n2', 0), /moves the clock by some ms/);
  assert.throws(() => lab.skew('c1', 5), /c1 is not a server/);
  assertReplays(lab, raft);
  assert.throws(() => new LabSession(raft, 'fixed', 3, [{ at: 5, clock: { node: 'n1', driftPpm: 100 } }]), /a fault by hand is/);
});

test('a link slowed by hand, both ways and one way, then sped up: messages on it take longer, and the YAML replays', () => {
  const lab = new LabSession(raft, 'naive', 2);
  lab.advance(Infinity, 600);
  const leader = lab.nodes().find((n) => n.state?.role === 'leader')!.id;
  const [f1, f2] = ['n1', 'n2', 'n3'].filter((id) => id !== leader);
  const both = lab.slow(leader, f1, 40);
  assert.deepEqual(both.slowLink, { from: [leader], to: [f1], addedMs: 40 });
  assert.throws(() => lab.slow(f1, leader, 10), new RegExp(`is slowed by hand already: speed up it first`));
  assert.throws(() => lab.slow(leader, f2, 0), /a positive number of ms/);
  const one = lab.slow(f2, leader, 25, true);
  const sorted = (xs: ReturnType<LabSession['slowLinks']>) => xs.map((l) => `${l.from}${l.oneWay ? '->' : '<->'}${l.to} +${l.addedMs}${l.byHand ? ' by hand' : ''}`).sort();
  assert.deepEqual(sorted(lab.slowLinks()), sorted([
    { from: leader < f1 ? leader : f1, to: leader < f1 ? f1 : leader, oneWay: false, addedMs: 40, byHand: true },
    { from: f2, to: leader, oneWay: true, addedMs: 25, byHand: true },
  ]));
  // A slow link is not a cut.
  assert.deepEqual(lab.cutLinks(), []);
  // What the leader sends while the links are slow, looked at every 5 ms.
  const seen = new Map<number, { to: string; ms: number; heldMs: number }>();
  const delayedBefore = lab.flights.delayed;
  for (let t = 605; t <= 1200; t += 5) {
    lab.advance(Infinity, t);
    for (const f of lab.flights.list()) if (f.from === leader) seen.set(f.id, { to: f.to, ms: f.dueMs - f.sentMs, heldMs: f.heldMs });
  }
  const took = (to: string) => [...seen.values()].filter((x) => x.to === to).map((x) => x.ms);
  // Each message says how long the fault held it back, which the stage draws: the slow link's 40 ms, or nothing.
  const held = (to: string) => new Set([...seen.values()].filter((x) => x.to === to).map((x) => x.heldMs));
  assert.deepEqual([held(f1), held(f2)], [new Set([40]), new Set([0])], 'held back on the slow link only, by what it adds');
  assert.ok(lab.flights.delayed - delayedBefore >= took(f1).length, `${lab.flights.delayed - delayedBefore} held back`);
  assert.ok(took(f1).length > 10 && took(f1).every((ms) => ms >= 41 && ms <= 45), `every message the leader sends ${f1} takes 40 ms more than the 1..5 ms of the network: ${took(f1).slice(0, 5)}`);
  assert.ok(took(f2).length > 10 && took(f2).every((ms) => ms <= 5), `the leader reaches ${f2} as fast as ever: only ${f2} -> leader is slowed`);
  assert.equal(lab.speedUp(f1, leader), both);
  assert.ok(both.for! > 500);
  assert.throws(() => lab.speedUp(leader, f1), /was not slowed by hand/);
  assert.deepEqual(lab.slowLinks().map((l) => l.from), [f2], 'the one-way slow link stays');
  assertReplays(lab, raft);
  assert.equal(one.for, undefined, 'never sped up: it lasts to the end');

  const carried = new LabSession(raft, 'naive', 2, lab.handFaults);
  carried.advance(Infinity, 2000);
  assert.deepEqual(carried.slowLinks(), [{ from: f2, to: leader, oneWay: true, addedMs: 25, byHand: true }]);
  carried.speedUp(leader, f2);
  assert.deepEqual(carried.slowLinks(), []);
  assertReplays(carried, raft);
});

test('a disk failed by hand, then repaired: a damaged disk crashes its node and the repair restarts it; EIO holds until repaired; the YAML replays', () => {
  const lab = new LabSession(raft, 'fixed', 5);
  lab.advance(Infinity, 1000);
  const view = (id: string) => lab.nodes().find((n) => n.id === id)!;
  const flip = lab.failDisk('n1', 'bit-flip');
  assert.deepEqual(flip.disk, { node: 'n1', fault: 'bit-flip' });
  assert.deepEqual([view('n1').status, view('n1').heldByHand, view('n1').diskFault], ['down', 'disk', 'bit-flip']);
  assert.throws(() => lab.restart('n1'), /n1 was not crashed by hand/);
  assert.throws(() => lab.failDisk('n1', 'lost-write'), /n1 is down: only a running server's disk can be failed/);
  assert.throws(() => lab.failDisk('n2', 'melted' as never), /a disk fault is one of torn-write/);
  const eio = lab.failDisk('n2', 'eio-append');
  assert.equal(view('n2').heldByHand, 'disk');
  assert.throws(() => lab.crash('n2'), /n2 is held by a disk by hand already: end it first/);
  lab.advance(Infinity, 2000);
  assert.equal(lab.repair('n1'), flip);
  assert.notEqual(view('n1').status, 'down');
  assert.equal(view('n1').diskFault, undefined);
  lab.advance(Infinity, 2500);
  lab.repair('n2');
  assert.ok(eio.for! > 1000);
  assert.throws(() => lab.repair('n2'), /n2 was not failed on its disk by hand/);
  assertReplays(lab, raft);

  // Carried and still failing: a second click repairs it as if it were struck in this session.
  const carried = new LabSession(raft, 'fixed', 5, [{ at: 700, disk: { node: 'n3', fault: 'cut-log' } }]);
  carried.advance(Infinity, 1500);
  assert.equal(carried.nodes().find((n) => n.id === 'n3')!.status, 'down');
  const repaired = carried.repair('n3').for!;
  assert.ok(repaired >= 800 && repaired <= 801, `repaired ${repaired} ms after 700`);
  assertReplays(carried, raft);
});

test("the shopping day's oversold unit turns red as it is sold, with the order that was one too many", () => {
  const lab = new LabSession(story('ecommerce'), 'naive', 1);
  const oversell = () => lab.checks.find((c) => c.name === 'no-oversell')!;
  const end = 60_000;
  while (!lab.ended && oversell().failedAtMs === undefined) lab.advance(5_000);
  // Seed 1's first unit beyond a SKU's stock is acknowledged at 33378.143 ms (pillars run's verdict
  // names it): red at the next judgement (every 600 ms of a 60 s day), long before the audit at 58 s.
  assert.equal(lab.judgeEveryMs, end / 100);
  const { live, failedAtMs, detail } = oversell();
  assert.deepEqual([live, failedAtMs], [true, 33_600]);
  assert.ok(lab.nowMs < 34_000, `the day is at ${lab.nowMs} ms: red while it goes, not at its end (${end} ms)`);
  assert.match(detail!, /^\d+ checkouts acknowledged over 20 SKUs of 150 units each: 1 units? oversold in 1 SKU; the first: SKU 13 \(stock 150\): process 14's checkout of k13 begun at 32952\.478 ms \(via gw-eu\) was acknowledged at 33378\.143 ms as unit 151$/);
  // The audit's gauge is not set until the end, so it cannot say so yet.
  assert.equal(lab.checks.find((c) => c.name === 'metric:oversold_units')!.failedAtMs, undefined);

  // Asked to, a run stops at each judgement that turns a check red, every event up to it run and
  // none after: the server errors' ceiling, the checkouts failed in the spike, the fraud lost, then
  // the oversold unit.
  const paused = new LabSession(story('ecommerce'), 'naive', 1);
  const stops: [number, string[]][] = [];
  while (paused.checks.find((c) => c.name === 'no-oversell')!.failedAtMs === undefined) {
    paused.advance(Infinity, Infinity, true);
    const redNow = paused.checks.filter((c) => c.failedAtMs !== undefined && c.failedAtMs >= paused.nowMs).map((c) => c.name);
    stops.push([paused.nowMs === 0 ? 0 : paused.checks.find((c) => c.name === redNow[0])!.failedAtMs!, redNow]);
    const at = stops.at(-1)![0];
    assert.ok(paused.nowMs <= at && paused.run.world.scheduler.peekTime() > at, `stopped at ${paused.nowMs} ms, the next event at ${paused.run.world.scheduler.peekTime()} ms`);
  }
  assert.deepEqual(stops, [[18_600, ['metric:server_errors']], [20_400, ['metric:spike_checkouts_failed']], [31_800, ['metric:fraud_loss_after_reaction_usd']], [33_600, ['no-oversell']]]);
  assert.equal(paused.checksFailed(), 4);
  // Stopping there does not change the run.
  runToEnd(paused, 5_000);
  runToEnd(lab, 5_000);
  assert.equal(paused.finish().report.traceHash, lab.finish().report.traceHash);
});
