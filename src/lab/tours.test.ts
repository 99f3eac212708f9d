import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { registerCatalog } from '../cli/catalog.js';
import { parseScenario, runVariant } from '../scenario/index.js';
import { LabSession, type StoryFile } from './session.js';
import { recordMatches, TourGuide } from './tour-guide.js';
import { TOURS } from './tours.js';

registerCatalog();

const story = (name: string): StoryFile => ({ file: `${name}.yaml`, text: readFileSync(fileURLToPath(new URL(`../../../scenarios/${name}.yaml`, import.meta.url)), 'utf8') });
/** The seeds the quotes come from: outside the package, so the check is skipped where they are not. */
const seedsDir = process.env.PILLARS_SEEDS_DIR ?? '/work/shared/seeds';

test('tours cover the five pillars, and each names a story, variant and seed that exist', () => {
  assert.deepEqual(new Set(TOURS.map((t) => t.pillar)), new Set(['work', 'state', 'truth', 'control', 'intelligence']));
  assert.equal(new Set(TOURS.map((t) => t.name)).size, TOURS.length, 'tour names are unique');
  for (const t of TOURS) {
    const variants = parseScenario(story(t.story).text, `${t.story}.yaml`).variants.map((v) => v.name);
    for (const v of [t.variant, t.compareWith ?? t.variant]) assert.ok(variants.includes(v), `${t.name}: ${t.story} has no variant ${v}`);
    assert.ok(t.stops.length >= 2, `${t.name}: a tour has stops`);
  }
});

test('every stop of every tour is reached, in order, in its story', () => {
  for (const t of TOURS) {
    const lab = new LabSession(story(t.story), t.variant, t.seed);
    const guide = new TourGuide(t, lab);
    let lastMs = 0;
    // The event (by count) whose record first matches the next stop's pattern, seen on its own.
    let matched: { event: number; ms: unknown } | undefined;
    lab.listen((r) => {
      const at = guide.next?.at;
      if (matched === undefined && at !== undefined && 'on' in at && recordMatches(at.on, r)) matched = { event: lab.events, ms: r.t };
    });
    t.stops.forEach((stop, i) => {
      matched = undefined;
      guide.runTo(i);
      assert.equal(guide.reached, i, `${t.name}: stop ${i + 1} "${stop.title}" reached (the run stands at ${lab.nowMs} ms${lab.ended ? ', ended' : ''})`);
      assert.ok(lab.nowMs >= lastMs, `${t.name}: stops in order`);
      lastMs = lab.nowMs;
      if ('ms' in stop.at) assert.ok(lab.nowMs >= stop.at.ms && lab.run.world.scheduler.peekTime() > stop.at.ms, `${t.name}: "${stop.title}" pauses once ${stop.at.ms} ms has run`);
      if ('on' in stop.at) assert.deepEqual({ event: lab.events, ms: lab.nowMs }, matched, `${t.name}: "${stop.title}" pauses right after the event whose record it waits for, at its time`);
      if (!('end' in stop.at)) assert.ok(!lab.ended, `${t.name}: "${stop.title}" comes before the end`);
    });
  }
});

test('a tour pauses the run and never steers it: the traceHash is the CLI\'s', () => {
  const t = TOURS.find((x) => x.name === 'atm-race')!;
  const lab = new LabSession(story(t.story), t.variant, t.seed);
  new TourGuide(t, lab).runTo(t.stops.length - 1);
  const whole = runVariant(parseScenario(story(t.story).text, `${t.story}.yaml`).variants.find((v) => v.name === t.variant)!, { seed: t.seed }).report;
  assert.equal(lab.finish().report.traceHash, whole.traceHash);
});

test('a record pattern: exact fields, dotted names, numeric bounds', () => {
  const r = { kind: 'send', msg: { type: 'child_order', attempt: 2 } };
  assert.ok(recordMatches({ kind: 'send', 'msg.type': 'child_order' }, r));
  assert.ok(recordMatches({ 'msg.attempt': { min: 2, max: 2 } }, r));
  assert.ok(!recordMatches({ 'msg.attempt': { min: 3 } }, r));
  assert.ok(!recordMatches({ kind: 'deliver' }, r));
  assert.ok(!recordMatches({ 'msg.nope.deeper': 1 }, r));
});

test('every quote of every tour appears verbatim in the seed it names', { skip: existsSync(seedsDir) ? false : `no seeds at ${seedsDir} (PILLARS_SEEDS_DIR)` }, () => {
  for (const t of TOURS) {
    for (const stop of t.stops) {
      assert.ok(stop.quotes.length > 0, `${t.name}: "${stop.title}" quotes the seeds`);
      for (const quote of stop.quotes) assert.ok(readFileSync(join(seedsDir, quote.seed), 'utf8').includes(quote.text), `${t.name}: "${quote.text}" is not in ${quote.seed}`);
    }
  }
});

test('the Raft tour shows what it says at each stop: a leader in term 1, the power gone, a new leader, linearizable red', () => {
  const t = TOURS.find((x) => x.name === 'raft')!;
  const lab = new LabSession(story(t.story), t.variant, t.seed);
  const guide = new TourGuide(t, lab);
  const servers = () => lab.nodes().filter((n) => n.kind === 'server');
  const leaders = () => servers().filter((n) => n.state?.role === 'leader');
  guide.runTo(0);
  assert.deepEqual(leaders().map((n) => [n.id, n.state!.term]), [['n1', 1]], 'n1 leads term 1');
  guide.runTo(2);
  assert.deepEqual(new Set(servers().map((n) => n.status)), new Set(['down']), 'every server is down');
  guide.runTo(3);
  assert.equal(leaders().length, 1);
  assert.ok((leaders()[0].state!.term as number) > 1, 'a new term');
  const linearizable = () => lab.checks.find((c) => c.name === 'linearizable')!;
  assert.equal(linearizable().failedAtMs, undefined, 'not failed yet when the new leader is elected');
  guide.runTo(4);
  assert.equal(linearizable().failedAtMs, 7250, 'red at the stop');
  // What the stop says of it: k0 written 1208, 1209 and 1213 before the cut at 6 s, read 1203 after it.
  const detail = linearizable().detail ?? '';
  assert.match(detail, /^not linearizable on key k0: no order of the operations explains this one:\n {2}process \d+ read k0 1203 \[69\d\d\.\d+ ms/);
  for (const v of [1208, 1209, 1213]) assert.match(detail, new RegExp(`write k0 ${v} \\[59\\d\\d\\.\\d+ ms, 59\\d\\d\\.\\d+ ms\\]`), `${v} acknowledged before the cut`);
});
