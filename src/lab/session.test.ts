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
  }
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
  assert.throws(() => new LabSession(raft, 'fixed', 1, [{ at: 5, isolate: 'n1' }]), /a fault by hand is a crash, a pause or a cut link/);
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
  assert.throws(() => early.heal('n1', 'n2'), /strikes at 3000 ms: it can be healed once it has/);
  const fresh = new LabSession(raft, 'fixed', 1);
  assert.throws(() => fresh.cut('n1', 'n1'), /joins two servers/);
  assert.throws(() => fresh.cut('n1', 'c1'), /c1 is not a server/);
  assert.throws(() => new LabSession(raft, 'fixed', 1, [{ at: 5, partition: [['n1'], ['n2', 'n3']] }]), /a fault by hand is a crash, a pause or a cut link/);
});
