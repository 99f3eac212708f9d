/**
 * The lab's live charts read the run and never steer it: a story stepped in the page's small pieces
 * with its capture read between them ends with the traceHash of the same run made whole without a
 * capture, and with the very series and faults the HTML report charts; a hand crash is shaded up to
 * now while it lasts. And `pillars demo` in step: both platforms, advanced in turn, end with the
 * traceHashes and the pillar verdicts of the command's runs, one after the other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { registerCatalog } from '../cli/catalog.js';
import { parseScenario, runVariant } from '../scenario/index.js';
import { judgePillars } from '../platform/ecommerce/pillar-report.js';
import { LabSession } from './session.js';
import { LiveCharts, storySeries } from './live-charts.js';
import { DemoSession } from './demo-session.js';

registerCatalog();

const story = (name: string) => ({ file: `${name}.yaml`, text: readFileSync(new URL(`../../../scenarios/${name}.yaml`, import.meta.url), 'utf8') });
/** Events per piece: a prime, so the pieces end anywhere between samples. */
const PIECE_EVENTS = 997;

test('live charts of split-brain: same traceHash as a run without charts, the report\'s series and faults, the partition shaded as it lasts', () => {
  const s = new LabSession(story('split-brain'), 'naive', 2);
  const live = new LiveCharts('live', storySeries(s.variant.metrics.chart), [{ name: 'naive', run: s.run }]);
  const bandEnds: number[] = [];
  while (!s.ended) {
    s.advance(PIECE_EVENTS);
    const cut = live.faultMarks().find((m) => m.kind === 'partition');
    if (cut !== undefined && !s.ended) bandEnds.push(cut.endS!);
    live.charts();
  }
  const page = s.finish().report;
  const v = s.variant;
  const plain = runVariant(v, { seed: 2, scenario: s.scenario.name });
  assert.equal(page.traceHash, plain.report.traceHash, 'drawing never steers the run');
  assert.equal(page.events, plain.report.events);
  const report = runVariant(v, { seed: 2, scenario: s.scenario.name, capture: true }).capture!;
  const sorted = (m: ReadonlyMap<string, unknown>) => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)));
  assert.deepEqual(sorted(s.run.captured!.series), report.series, 'the samples the report charts, taken between the page\'s pieces');
  assert.deepEqual(s.run.captured!.faults, report.faults, 'the faults the report shades');
  // The partition (5 s to 48 s) was a band growing with the run, then one ending at its heal.
  assert.ok(bandEnds.length > 3 && bandEnds[0] < 48 && bandEnds.every((x, i) => i === 0 || x >= bandEnds[i - 1]), `the band grew: ${bandEnds.slice(0, 5)}`);
  assert.deepEqual(live.faultMarks().find((m) => m.kind === 'partition')!.endS, 48);
  const charts = live.charts();
  assert.deepEqual(charts.map((c) => [c.name, c.mode]), [['ops_ok', 'rate'], ['nodes_up', 'value']]);
  assert.ok(charts.every((c) => c.points >= 200), 'a point per sample');
});

test('a crash by hand is shaded up to now while it lasts, and to its restart after', () => {
  const s = new LabSession(story('raft-chaos'), 'fixed', 1);
  const live = new LiveCharts('live', storySeries(s.variant.metrics.chart), [{ name: 'fixed', run: s.run }]);
  s.advance(Infinity, 1_000);
  const crash = s.crash('n2');
  s.advance(Infinity, 1_500);
  const open = live.faultMarks().find((m) => m.kind === 'crash' && m.startS === crash.at / 1000)!;
  assert.equal(open.endS, s.nowMs / 1000, 'in force: up to now');
  s.restart('n2');
  s.advance(Infinity, 2_000);
  const closed = live.faultMarks().find((m) => m.kind === 'crash' && m.startS === crash.at / 1000)!;
  assert.equal(closed.endS, (crash.at + crash.for!) / 1000, 'ended by the restart');
});

test('pillars demo in step: both platforms end as the command\'s runs, and the pillars are judged the same', () => {
  // A shorter day keeps the test quick: the spike, the partitions and the faults still strike in it.
  const day = story('ecommerce');
  day.text = day.text.replace(/^( +)durationMs: 55000$/m, '$1durationMs: 20000');
  assert.ok(day.text.includes('durationMs: 20000'), 'the day was shortened');
  const demo = new DemoSession(day);
  let apart = 0;
  while (!demo.ended) {
    demo.advance(5_000);
    if (!demo.runs[0].ended && !demo.runs[1].ended) apart = Math.max(apart, Math.abs(demo.runs[0].world.now - demo.runs[1].world.now));
  }
  assert.ok(apart <= 10, `the platforms stay within 10 virtual ms of each other (${apart})`);
  const { results, verdicts } = demo.finish();
  const scenario = parseScenario(day.text, day.file);
  const peers = new Map<string, Record<string, number>>();
  const command = ['naive', 'fixed'].map((name) => {
    const r = runVariant(scenario.variants.find((v) => v.name === name)!, { scenario: scenario.name, peers });
    peers.set(name, r.report.metrics);
    return r.report;
  });
  assert.deepEqual(results.map((r) => r.report.traceHash), command.map((r) => r.traceHash));
  assert.deepEqual(results.map((r) => r.report.checks), command.map((r) => r.checks), 'fixed compared with naive as the command compares them');
  assert.deepEqual(verdicts.map((v) => v.prevented), judgePillars(command[0], command[1]).map((v) => v.prevented));
  assert.deepEqual(demo.panels.map((p) => p.section.pillar), ['work', 'state', 'truth', 'control', 'intelligence']);
  assert.ok(demo.panels.every((p) => p.charts.charts().some((c) => c.points > 0)), 'every pillar has something charted');
});
