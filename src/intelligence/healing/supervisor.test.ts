import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../runtime/clock.js';
import { ConfigError } from '../../runtime/config-error.js';
import { Supervisor, type HealingAction, type SupervisorOptions } from './supervisor.js';

const nodes = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6'];
/** Six shards on six nodes, three replicas each: shard si on ni, ni+1, ni+2. */
const placement = Object.fromEntries(nodes.map((_, i) => [`s${i + 1}`, [0, 1, 2].map((j) => nodes[(i + j) % nodes.length])]));

function make(opts: Partial<SupervisorOptions> = {}) {
  const clock = new ManualClock();
  const sup = new Supervisor({ nodes, placement, replicationFactor: 3, replaceAfterMs: 5000, restart: { initialMs: 1000, factor: 2, attemptsMax: 3 }, ...opts }, clock);
  return { clock, sup };
}

const ofType = <T extends HealingAction['type']>(as: HealingAction[], type: T) => as.filter((a): a is Extract<HealingAction, { type: T }> => a.type === type);
const live = (sup: Supervisor, shard: string) => sup.replicas(shard).filter(([n, st]) => st === 'ok' && sup.status(n) === 'up').length;

/** Run decide() every `stepMs` for `ms`, completing every copy at once; returns all actions. */
function runFor(clock: ManualClock, sup: Supervisor, ms: number, stepMs = 100, complete = true): HealingAction[] {
  const all: HealingAction[] = [];
  for (let t = 0; t < ms; t += stepMs) {
    const as = sup.decide();
    all.push(...as);
    if (complete) for (const a of as) if (a.type === 're-replicate' || a.type === 'split') sup.completed(a.id, true);
    clock.advance(stepMs);
  }
  return all;
}

test('a down node is restarted with exponential backoff, then given up on; its replicas are copied elsewhere', () => {
  const { clock, sup } = make({ replaceAfterMs: 60_000 });
  sup.observe({ type: 'node-down', node: 'n3' });
  const restarts: [number, number][] = [];
  for (let t = 0; t <= 10_000; t += 100) {
    for (const a of sup.decide()) {
      if (a.type === 'restart') restarts.push([clock.now(), a.attempt]);
      if (a.type === 're-replicate') sup.completed(a.id, true);
    }
    clock.advance(100);
  }
  // At once, then 1 s and 2 s later; 4 s after the third the supervisor gives up.
  assert.deepEqual(restarts, [[0, 1], [1000, 2], [3000, 3]]);
  assert.equal(sup.status('n3'), 'dead');
  const giveUp = sup.log.find((e) => e.action === 'give-up')!;
  assert.equal(giveUp.target, 'n3');
  assert.equal(giveUp.atMs, 7000);
  // Before the give-up nothing was copied (replaceAfterMs is a minute); at the give-up all three shards of n3 were.
  const copies = sup.log.filter((e) => e.action === 're-replicate');
  assert.equal(copies.length, 3);
  assert.ok(copies.every((e) => e.atMs === 7000));
  for (const s of ['s1', 's2', 's3']) {
    assert.equal(live(sup, s), 3, s);
    assert.ok(!sup.replicas(s).some(([n]) => n === 'n3'), `${s} still lists n3`);
  }
  assert.deepEqual(sup.underReplicated(), []);
});

test('a node back before the next attempt is not restarted again, and a short absence copies nothing', () => {
  const { clock, sup } = make();
  sup.observe({ type: 'node-down', node: 'n2' });
  const first = runFor(clock, sup, 500);
  assert.equal(ofType(first, 'restart').length, 1);
  sup.observe({ type: 'node-up', node: 'n2' });
  const later = runFor(clock, sup, 20_000);
  assert.deepEqual(later, []);
  assert.equal(sup.status('n2'), 'up');
  assert.deepEqual(sup.underReplicated(), []);
});

test('after replaceAfterMs a down node\'s replicas are copied from a live replica to a healthy node that lacks the shard', () => {
  const { clock, sup } = make({ restart: { initialMs: 100_000, attemptsMax: 3 } });
  sup.observe({ type: 'node-down', node: 'n1' });
  assert.deepEqual(ofType(runFor(clock, sup, 5000), 're-replicate'), []);
  assert.deepEqual(sup.underReplicated().sort(), ['s1', 's5', 's6']);
  const copies = ofType(sup.decide(), 're-replicate');
  assert.equal(copies.length, 3);
  for (const c of copies) {
    const holders = placement[c.shard];
    assert.equal(c.replaces, 'n1');
    assert.ok(holders.includes(c.from) && c.from !== 'n1', `${c.shard} copied from ${c.from}`);
    assert.ok(!holders.includes(c.to), `${c.shard} copied to ${c.to}, which already holds it`);
    // While the copy runs, the target is listed as incoming (it takes writes) and n1 still as a replica.
    assert.equal(sup.replicas(c.shard).find(([n]) => n === c.to)![1], 'incoming');
  }
  // No two copies to the same target when others are free: the targets spread.
  assert.equal(new Set(copies.map((c) => c.to)).size, 3);
  assert.deepEqual(sup.decide(), [], 'copies under way are not asked for twice');
  for (const c of copies) sup.completed(c.id, true);
  assert.deepEqual(sup.underReplicated(), []);
  assert.ok(!sup.shardNames().some((s) => sup.replicas(s).some(([n]) => n === 'n1')));
});

test('a lost replica is copied at once; a failed copy is tried again', () => {
  const { sup } = make();
  sup.observe({ type: 'replica-lost', shard: 's4', node: 'n5' });
  const [first] = sup.decide();
  assert.equal(first.type, 're-replicate');
  assert.equal((first as { shard: string }).shard, 's4');
  assert.equal((first as { replaces?: string }).replaces, undefined);
  sup.completed(first.id, false, 'source went away');
  assert.equal(sup.log.at(-1)!.action, 'failed');
  assert.equal(sup.log.at(-1)!.reason, 'source went away');
  const [again] = sup.decide();
  assert.equal(again.type, 're-replicate');
  sup.completed(again.id, true);
  assert.equal(live(sup, 's4'), 3);
});

test('the shards with the fewest live replicas are copied first', () => {
  const { sup } = make({ repairsInFlightMax: 1 });
  // s3 (n3, n4, n5) loses two replicas, s1 (n1, n2, n3) one.
  sup.observe({ type: 'replica-lost', shard: 's1', node: 'n1' });
  sup.observe({ type: 'replica-lost', shard: 's3', node: 'n3' });
  sup.observe({ type: 'replica-lost', shard: 's3', node: 'n4' });
  const [a] = sup.decide();
  assert.equal((a as { shard: string }).shard, 's3');
});

test('a token bucket spaces the actions out; what it refuses waits for a later round', () => {
  const { clock, sup } = make({ actionsPerSec: 1, actionBurst: 1, restart: { initialMs: 1e6, attemptsMax: 3 } });
  for (const s of ['s1', 's2', 's3', 's4']) sup.observe({ type: 'replica-lost', shard: s, node: placement[s][0] });
  const at: number[] = [];
  for (let t = 0; t < 5000; t += 250) {
    for (const a of sup.decide()) {
      at.push(clock.now());
      sup.completed(a.id, true);
    }
    clock.advance(250);
  }
  assert.deepEqual(at, [0, 1000, 2000, 3000]);
  assert.ok(sup.deferred > 0);
  assert.deepEqual(sup.underReplicated(), []);
});

test('repairsInFlightMax caps the copies under way cluster-wide; copiesPerNodeMax caps them per node', () => {
  const a = make({ repairsInFlightMax: 2, restart: { initialMs: 1e6 } });
  a.sup.observe({ type: 'node-down', node: 'n1' });
  a.clock.advance(6000);
  const first = ofType(a.sup.decide(), 're-replicate');
  assert.equal(first.length, 2);
  assert.deepEqual(a.sup.decide(), []);
  a.sup.completed(first[0].id, true);
  assert.equal(ofType(a.sup.decide(), 're-replicate').length, 1);

  const b = make({ copiesPerNodeMax: 1, restart: { initialMs: 1e6 } });
  // n1 and n2 down: s1 (n1, n2, n3) can only be copied from n3, as can s6 (n6, n1, n2) from n6 and s5 (n5, n6, n1).
  b.sup.observe({ type: 'node-down', node: 'n1' });
  b.sup.observe({ type: 'node-down', node: 'n2' });
  b.clock.advance(6000);
  const copies = ofType(b.sup.decide(), 're-replicate');
  const perNode = new Map<string, number>();
  for (const c of copies) for (const n of [c.from, c.to]) perNode.set(n, (perNode.get(n) ?? 0) + 1);
  assert.ok([...perNode.values()].every((x) => x === 1), JSON.stringify(copies));
  // s1 from n3 to n4 and s6 from n6 to n5; every other copy would need a node already copying.
  assert.equal(copies.length, 2);
});

test('the fleet guard holds every action while too much of the fleet looks down, and says so once', () => {
  const { clock, sup } = make({ downFractionMax: 0.3 });
  for (const n of ['n1', 'n2']) sup.observe({ type: 'node-down', node: n });
  // 2 of 6 (33%) look down: more than 30%.
  assert.deepEqual(runFor(clock, sup, 10_000), []);
  const holds = sup.log.filter((e) => e.action === 'hold');
  assert.equal(holds.length, 1);
  assert.match(holds[0].reason, /2 of 6 nodes look down or gray \(33% > 30%\)/);
  assert.equal(sup.holdingAll(), true);
  // One comes back: 1 of 6 is under the guard; the supervisor acts again (it restarts n1 at once, overdue).
  sup.observe({ type: 'node-up', node: 'n2' });
  const after = sup.decide();
  assert.equal(sup.log.filter((e) => e.action === 'resume').length, 1);
  assert.ok(ofType(after, 'restart').some((a) => a.node === 'n1'));
});

test('the kill switch cancels the repairs under way and halts every action until it is reset', () => {
  const { clock, sup } = make({ restart: { initialMs: 1e6 } });
  sup.observe({ type: 'replica-lost', shard: 's1', node: 'n1' });
  const [copy] = sup.decide();
  assert.equal(copy.type, 're-replicate');
  sup.observe({ type: 'replica-lost', shard: 's2', node: 'n2' });
  const cancelled = sup.stop('operators: the supervisor is making things worse');
  assert.deepEqual(cancelled, [copy]);
  assert.deepEqual(sup.inFlightActions(), []);
  assert.ok(!sup.replicas('s1').some(([, st]) => st === 'incoming'), 'the cancelled copy is no longer a replica');
  assert.equal(sup.log.find((e) => e.action === 'failed')!.reason, 'cancelled by the kill switch: operators: the supervisor is making things worse');
  assert.deepEqual(runFor(clock, sup, 2000), []);
  assert.equal(sup.log.filter((e) => e.action === 'halt').length, 1);
  assert.equal(sup.log.find((e) => e.action === 'halt')!.reason, 'operators: the supervisor is making things worse');
  // A late completion of a cancelled copy changes nothing.
  sup.completed(copy.id, true);
  assert.equal(live(sup, 's1'), 2);
  sup.resume();
  const after = ofType(sup.decide(), 're-replicate');
  assert.deepEqual(after.map((a) => a.shard), ['s1', 's2']);
});

test('a gray node is drained: its replicas are copied away from healthy sources, then dropped from it', () => {
  // One copy per node: a busy healthy source is waited for rather than the gray one used.
  const { clock, sup } = make({ copiesPerNodeMax: 1 });
  sup.observe({ type: 'node-gray', node: 'n4' });
  const as = runFor(clock, sup, 1000);
  assert.equal(ofType(as, 'drain').length, 1);
  const copies = ofType(as, 're-replicate');
  assert.deepEqual(copies.map((c) => c.shard).sort(), ['s2', 's3', 's4']);
  for (const c of copies) {
    assert.equal(c.replaces, 'n4');
    assert.notEqual(c.from, 'n4', 'copies come from healthy replicas, not the slow one');
  }
  assert.equal(sup.draining('n4'), true);
  assert.ok(!sup.shardNames().some((s) => sup.replicas(s).some(([n]) => n === 'n4')));
  assert.deepEqual(sup.underReplicated(), []);
});

test('a hot shard is split onto the same replicas, and not split again within the cooldown', () => {
  const { clock, sup } = make({ splitCooldownMs: 10_000 });
  sup.observe({ type: 'shard-hot', shard: 's2' });
  const [split] = sup.decide();
  assert.deepEqual({ ...split, id: 0 }, { id: 0, type: 'split', shard: 's2', newShard: 's2.1' });
  sup.completed(split.id, true);
  assert.deepEqual(sup.replicas('s2.1'), sup.replicas('s2'));
  sup.observe({ type: 'shard-hot', shard: 's2' });
  assert.deepEqual(runFor(clock, sup, 9000), []);
  clock.advance(1000);
  const [again] = sup.decide();
  assert.equal((again as { newShard: string }).newShard, 's2.2');
});

test('a flapping node is no longer restarted but drained', () => {
  const { clock, sup } = make({ flap: { downsMax: 2, windowMs: 60_000 }, restart: { initialMs: 100, attemptsMax: 5 } });
  const as: HealingAction[] = [];
  for (let i = 0; i < 3; i++) {
    sup.observe({ type: 'node-down', node: 'n6' });
    clock.advance(200);
    as.push(...sup.decide());
    sup.observe({ type: 'node-up', node: 'n6' });
    clock.advance(1000);
  }
  assert.equal(ofType(as, 'restart').length, 2, 'the third down is one too many: no restart');
  assert.equal(sup.log.filter((e) => e.action === 'flapping').length, 1);
  assert.deepEqual(ofType(as, 'drain').map((a) => a.node), ['n6']);
  assert.equal(sup.draining('n6'), true);
});

test('in alert mode nothing is done; each problem is raised once, and again only after it cleared', () => {
  const { clock, sup } = make({ mode: 'alert' });
  sup.observe({ type: 'node-down', node: 'n1' });
  assert.deepEqual(runFor(clock, sup, 20_000), []);
  const alerts = sup.log.filter((e) => e.action === 'alert');
  assert.deepEqual(alerts.map((e) => e.target).sort(), ['n1', 's1', 's5', 's6']);
  assert.deepEqual(sup.underReplicated().sort(), ['s1', 's5', 's6']);
  sup.observe({ type: 'node-up', node: 'n1' });
  runFor(clock, sup, 1000);
  sup.observe({ type: 'node-down', node: 'n1' });
  runFor(clock, sup, 1000);
  assert.equal(sup.log.filter((e) => e.action === 'alert' && e.target === 'n1').length, 2);
});

test('bad configuration names the field and what was expected', () => {
  const clock = new ManualClock();
  const base: SupervisorOptions = { nodes, placement, replicationFactor: 3 };
  const bad: [Partial<SupervisorOptions>, RegExp][] = [
    [{ replicationFactor: 7 }, /^replicationFactor: expected at most the number of nodes \(6\)/],
    [{ replicationFactor: 0 }, /^replicationFactor: expected a positive integer/],
    [{ placement: { s1: ['n1', 'n1', 'n2'] } }, /^placement\.s1: expected distinct nodes of the fleet/],
    [{ placement: { s1: ['n1', 'n2', 'n9'] } }, /^placement\.s1/],
    [{ downFractionMax: 1.5 }, /^downFractionMax: expected a number in \(0, 1\]/],
    [{ actionsPerSec: -1 }, /^ratePerSec: expected a positive number/],
    [{ actionBurst: 3 }, /^actionBurst: expected actionsPerSec as well/],
    [{ repairsInFlightMax: 0.5 }, /^repairsInFlightMax: expected a positive integer/],
    [{ mode: 'panic' as 'act' }, /^mode: expected act or alert/],
    [{ restart: { attemptsMax: 1.5 } }, /^restart\.attemptsMax/],
    [{ flap: { downsMax: 0, windowMs: 1000 } }, /^flap\.downsMax/],
  ];
  for (const [o, re] of bad) assert.throws(() => new Supervisor({ ...base, ...o }, clock), (e: unknown) => e instanceof ConfigError && re.test(e.message), JSON.stringify(o));
  const sup = new Supervisor(base, clock);
  assert.throws(() => sup.observe({ type: 'node-down', node: 'n9' }), /node: expected one of n1, n2/);
});

test('every action is logged with its time, target and reason', () => {
  const { clock, sup } = make();
  clock.advance(2500);
  sup.observe({ type: 'replica-lost', shard: 's1', node: 'n1' });
  const [a] = sup.decide();
  assert.equal(a.type, 're-replicate');
  const e = sup.log.at(-1)!;
  assert.equal(e.atMs, 2500);
  assert.equal(e.action, 're-replicate');
  assert.equal(e.target, `s1@${(a as { to: string }).to}`);
  assert.equal(e.reason, '2 of 3 replicas');
});
