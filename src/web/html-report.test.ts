/**
 * The HTML report as strings: what each part contains, escaping, the chart data uPlot gets, the
 * panels a report builds for itself, and graceful pages when there is little to show.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { VariantReport } from '../scenario/report.js';
import type { MessageSequence } from '../scenario/fault-tap.js';
import { chartData, looksLikeCounter, ratePoints } from './chart-data.js';
import { faultTimeline } from './fault-timeline.js';
import { buildHtmlReport, defaultPanels, renderHtmlReport, type HtmlReportInput } from './html-report.js';
import { esc, formatNumber, scriptJson } from './html.js';
import { pageScript } from './page-script.js';
import { sequenceSvg } from './sequence-svg.js';
import { pageStyle } from './page-style.js';
import { FAULT_COLORS, VARIANT_STYLES_MAX, variantStyles } from './palette.js';
import { metricTitle } from '../scenario/metric-catalog.js';

const assets = { js: '/* uplot */ window.uPlot = function () {};', css: '.uplot {}' };

function report(variant: string, over: Partial<VariantReport> = {}): VariantReport {
  return {
    schemaVersion: 1,
    scenario: 's',
    variant,
    seed: 1,
    expect: variant === 'naive' ? 'fail' : 'pass',
    met: true,
    virtualMs: 10_000,
    events: 1234,
    traceHash: '00ff00ff00ff00ff',
    checks: [{ name: 'no-lost-writes', ok: variant !== 'naive', detail: variant === 'naive' ? '3 lost </script><b>' : 'none lost' }],
    metrics: { ops_ok: variant === 'naive' ? 90 : 100, lost: variant === 'naive' ? 3 : 0 },
    series: {
      ops_ok: [
        [0, 0],
        [5000, 40],
        [10_000, variant === 'naive' ? 90 : 100],
      ],
      queue: [
        [0, 2],
        [5000, 7.5],
        [10_000, 1],
      ],
    },
    ...over,
  };
}

/** The JSON the page carries, parsed back. */
function pageData(html: string): { variants: { name: string; color: string }[]; charts: { id: string; x: number[]; ys: (number | null)[][]; rate: boolean; unit: string }[]; faultMarks: unknown[]; xMaxS: number } {
  const m = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html);
  assert.ok(m, 'the page carries its data');
  return JSON.parse(m[1]);
}

test('a counter is charted as its rate per second, a gauge as its value, variants aligned on one x', () => {
  assert.deepEqual(ratePoints([[0, 0], [500, 10], [1500, 30]]), [[500, 20], [1500, 20]]);
  const a = report('naive');
  const b = report('fixed', { series: { ops_ok: [[0, 0], [2500, 50], [10_000, 100]] } });
  const c = chartData({ id: 'c', name: 'ops_ok', rate: true }, [a, b]);
  assert.deepEqual(c.x, [2.5, 5, 10]);
  assert.deepEqual(c.ys, [
    [null, 8, 10],
    [20, null, 6.66667],
  ]);
  assert.equal(c.title, 'operations that succeeded per second');
  assert.equal(c.yLabel, 'ops per second');
  assert.equal(c.unit, '/s');
  assert.equal(c.points, 4);
  const g = chartData({ id: 'g', name: 'queue', rate: false }, [a]);
  assert.deepEqual(g.ys, [[2, 7.5, 1]]);
  assert.equal(chartData({ id: 'm', name: 'missing', rate: true }, [a, b]).points, 0);
  assert.equal(looksLikeCounter('ops_ok', [a, b]), true);
  assert.equal(looksLikeCounter('queue', [a]), false);
});

test('the report: variants side by side, checks with their verdicts, identity, charts, and escaped run text', () => {
  const input: HtmlReportInput = { title: 'split <brain>', description: 'two & more', variants: [report('naive'), report('fixed')], shownMetrics: ['lost', 'ops_ok'], charts: ['ops_ok'], counters: ['ops_ok'] };
  const html = buildHtmlReport(input, assets);
  assert.ok(html.startsWith('<!doctype html>'));
  assert.ok(html.includes('<title>split &lt;brain&gt;</title>'));
  assert.ok(html.includes('two &amp; more'));
  assert.ok(html.includes(assets.js) && html.includes(assets.css), 'uPlot is inlined');
  assert.doesNotMatch(html, /<(script|link)[^>]+(src|href)=/, 'no external script or stylesheet');
  assert.ok(!html.includes('</script><b>'), 'a check detail cannot close the script or add markup');
  assert.ok(html.includes('3 lost &lt;/script&gt;&lt;b&gt;'));
  assert.match(html, /<th scope="row">check no-lost-writes<\/th><td class="bad" title="3 lost[^"]*">FAIL<\/td><td class="ok" title="none lost">ok<\/td>/);
  assert.match(html, /<th scope="row">lost<\/th><td>3<\/td><td>0<\/td>/);
  assert.ok(html.includes('00ff00ff00ff00ff'));
  assert.ok(html.includes('This report carries no fault timeline.'));
  const data = pageData(html);
  assert.deepEqual(data.variants.map((v) => v.name), ['naive', 'fixed']);
  assert.notEqual(data.variants[0].color, data.variants[1].color);
  assert.deepEqual(data.charts.map((c) => [c.id, c.rate]), [
    ['panel-results-ops-ok', true],
    ['panel-series-queue', false],
  ]);
  assert.equal(data.xMaxS, 10);
  for (const c of data.charts) assert.ok(html.includes(`id="chart-${c.id}"`));
});

test('without panels the report builds a results panel (shown metrics, chosen charts) and one of every other series', () => {
  const panels = defaultPanels({ title: 't', variants: [report('fixed')], shownMetrics: ['ops_ok'], charts: ['ops_ok'] });
  assert.deepEqual(panels.map((p) => [p.id, p.metrics, p.series.map((s) => s.name)]), [
    ['results', ['ops_ok'], ['ops_ok']],
    ['series', [], ['queue']],
  ]);
  assert.deepEqual(defaultPanels({ title: 't', variants: [report('fixed')] })[0].metrics, ['lost', 'ops_ok']);
});

test('panels with a pillar, text, checks, and series that were never sampled say so', () => {
  const html = buildHtmlReport(
    {
      title: 't',
      variants: [report('naive', { series: undefined }), report('fixed', { series: undefined })],
      panels: [{ id: 'truth', title: 'Inventory on Raft', pillar: 'truth', text: 'No unit sold twice.', metrics: ['lost', { name: 'ops_ok', label: 'orders done', better: 'higher' }], series: [{ name: 'ops_ok', title: 'orders', unit: '/s' }], checks: ['no-lost-writes'] }],
      faults: [],
    },
    assets,
  );
  assert.ok(html.includes('<span class="pillar pillar-truth">truth</span>Inventory on Raft'));
  assert.ok(html.includes('No unit sold twice.'));
  assert.match(html, /<th scope="row" title="ops_ok">orders done<\/th><td>90<\/td><td class="best">100<\/td>/);
  assert.match(html, /<th scope="row">check no-lost-writes<\/th><td class="bad"/);
  assert.match(html, /Nothing to chart: no samples of ops_ok in these runs \(a run samples its series with --html/);
  assert.ok(html.includes('No faults struck in this run.'));
  assert.deepEqual(pageData(html).charts, []);
});

const sequence: MessageSequence = {
  title: 'partition: n1 | n2',
  atMs: 100,
  nodes: ['n1', 'n2'],
  variant: 'naive',
  messages: [
    { sentMs: 90, atMs: 95, from: 'n1', to: 'n2', type: 'append', fate: 'deliver' },
    { sentMs: 92, atMs: 97, from: 'n1', to: 'n2', type: 'append', fate: 'duplicate' },
    { sentMs: 101, atMs: 101, from: 'n2', to: 'n1', type: 'vote<x>', fate: 'drop', reason: 'partition' },
    { atMs: 103, from: 'n2', to: 'n2', type: 'tick', fate: 'deliver' },
  ],
};

test('a message sequence: a lane per node, an arrow per message, a cross per drop, the fault line between before and after', () => {
  const svg = sequenceSvg(sequence, 'p');
  assert.equal((svg.match(/<g class="msg /g) ?? []).length, 4);
  assert.equal((svg.match(/class="msg drop"/g) ?? []).length, 1);
  assert.equal((svg.match(/class="cross"/g) ?? []).length, 1);
  assert.equal((svg.match(/class="lane"/g) ?? []).length, 2);
  assert.ok(svg.includes('vote&lt;x&gt;'));
  assert.ok(svg.includes('marker-end="url(#p-arrow-dup)"'));
  // Rows: 90 92 95 97 | 101 103 — the fault line sits after the fourth row.
  const y = Number(/class="fault-line" x1="[\d.]+" y1="([\d.]+)"/.exec(svg)![1]);
  assert.equal(y, 34 + 4 * 18);
  assert.ok(svg.includes('−10.0') && svg.includes('+3.00'), 'rows are labelled with their time from the fault');
});

test('the fault timeline: a mark per instant and variant, bands for lasting faults, the nearest sequence attached', () => {
  const faults = [
    { atMs: 100, kind: 'partition', detail: 'n1 | n2', nodes: ['n1', 'n2'], untilMs: 5000, variant: 'naive' },
    { atMs: 5000, kind: 'heal', detail: 'n1 | n2 heals', variant: 'naive' },
    { atMs: 100, kind: 'partition', detail: 'n1 | n2', untilMs: 5000, variant: 'fixed' },
    { atMs: 100, kind: 'crash', detail: 'n3 crashes', variant: 'fixed' },
  ];
  const html = faultTimeline(faults, [sequence], [{ name: 'naive', virtualMs: 10_000 }, { name: 'fixed', virtualMs: 10_000 }], 7);
  assert.equal((html.match(/class="timeline-row"/g) ?? []).length, 2);
  assert.equal((html.match(/<button type="button" class="fault-mark/g) ?? []).length, 3, 'two faults at one instant share a mark');
  assert.equal((html.match(/class="band /g) ?? []).length, 2);
  assert.match(html, /left:1\.000%" data-group="fault-group-0" data-sequence="sequence-0"/);
  assert.doesNotMatch(html, /data-group="fault-group-2" data-sequence/, "the fixed variant's mark does not take the naive sequence");
  assert.ok(html.includes('<div class="sequence" hidden id="sequence-0">'));
  assert.ok(html.includes('(7 later faults not shown)'));
  assert.ok(html.includes('No message sequence was captured near this fault'));
});

test('helpers: escaping, JSON inside a script element, numbers', () => {
  assert.equal(esc(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  assert.equal(scriptJson({ s: '</script><!--' }), '{"s":"\\u003c/script>\\u003c!--"}');
  assert.deepEqual(JSON.parse(scriptJson({ s: '</script>\u2028' })), { s: '</script>\u2028' });
  assert.equal(formatNumber(1234567), '1,234,567');
  assert.equal(formatNumber(0.012345), '0.0123');
  assert.equal(formatNumber(undefined), '-');
});

test('the page script parses, and the real uPlot build is inlined by renderHtmlReport', () => {
  assert.doesNotThrow(() => new Function(pageScript));
  const html = renderHtmlReport({ title: 't', variants: [report('fixed')] });
  assert.ok(html.length > 40_000, 'uPlot is in the page');
  assert.ok(html.includes('var uPlot=function()'));
});

test('a rare counter is drawn as marks of how many happened in each interval, with whole-number ticks; not as a rate', () => {
  const one = report('fixed', { series: { rollbacks: [[0, 0], [300, 0], [600, 1], [900, 1]] } });
  const c = chartData({ id: 'r', name: 'rollbacks', rate: true }, [one]);
  assert.equal(c.mode, 'events');
  assert.deepEqual(c.x, [0.6]);
  assert.deepEqual(c.ys, [[1]], 'one rollback is one mark of 1, not 3.3/s');
  assert.equal(c.integer, true);
  assert.equal(c.yLabel, 'events in the interval');
});

test('variant colours: fixed by role in every report, all distinct up to nine variants, none a fault colour', () => {
  const seven = ['gray-ignored', 'naive', 'timeouts', 'fixed', 'hedged', 'breaker', 'bulkhead'];
  const styles = variantStyles(seven);
  assert.equal(styles[1].color, variantStyles(['naive', 'fixed'])[0].color, 'naive is naive’s colour wherever it stands');
  assert.equal(styles[3].color, variantStyles(['fixed'])[0].color);
  assert.equal(new Set(variantStyles([...seven, 'a', 'b']).map((s) => s.color)).size, VARIANT_STYLES_MAX);
  for (const s of styles) assert.ok(!FAULT_COLORS.includes(s.color), s.color);
  assert.equal(new Set(styles.map((s) => JSON.stringify(s.dash))).size, styles.length, 'a dash each: coinciding lines stay apart');
});

test('human titles for metric names: declared ones, histograms and units read from the name', () => {
  assert.deepEqual(metricTitle('latency_ms_p50_interval'), { title: 'client latency, median per interval', unit: 'ms' });
  assert.deepEqual(metricTitle('fraud_loss_usd'), { title: 'fraud loss', unit: 'USD' });
  assert.deepEqual(metricTitle('nodes_up'), { title: 'nodes up', unit: 'nodes' });
});

test('scheduled events are on the timeline and among the marks every chart shades, each kind in its hue', () => {
  const input: HtmlReportInput = {
    title: 't',
    variants: [report('naive'), report('fixed')],
    faults: [{ atMs: 2000, untilMs: 4000, kind: 'crash', detail: 'n1 crashes', variant: 'naive' }],
    events: [{ atMs: 5000, untilMs: 8000, kind: 'spike', detail: 'load ×3', variant: 'naive' }, { atMs: 6000, kind: 'release', detail: 'v2', variant: 'naive' }],
  };
  const html = buildHtmlReport(input, assets);
  const data = pageData(html) as unknown as { faultMarks: { kind: string; color: string; endS: number | null }[] };
  assert.deepEqual(data.faultMarks.map((m) => [m.kind, m.endS]), [['crash', 4], ['spike', 8], ['release', null]]);
  assert.equal(new Set(data.faultMarks.map((m) => m.color)).size, 3);
  assert.match(html, /class="band kind-spike"/);
  assert.match(html, /class="fault-mark kind-release/);
});

test('the sequence view keeps its lane labels in a strip of their own that sticks to the top', () => {
  const seq: MessageSequence = { title: 'crash', atMs: 100, nodes: ['n1', 'n2'], messages: [{ sentMs: 90, atMs: 95, from: 'n1', to: 'n2', type: 'ping', fate: 'deliver' }] };
  const svg = sequenceSvg(seq, 's');
  assert.match(svg, /^<div class="sequence-lanes"><svg[^>]*>.*lane-label.*n1.*n2.*<\/svg><\/div><svg class="sequence-svg"/);
  assert.doesNotMatch(svg.slice(svg.indexOf('class="sequence-svg"')), /lane-label/);
  assert.match(pageStyle, /\.sequence-lanes \{ position: sticky; top: 0;/);
});

test('a gauge of whole numbers (nodes up) gets whole-number ticks on an axis from 0; a fractional gauge does not', () => {
  const nodesUp = chartData({ id: 'n', name: 'nodes_up', rate: false }, [report('naive', { series: { nodes_up: [[0, 20], [500, 19], [1000, 18]] } }), report('fixed', { series: { nodes_up: [[0, 20], [500, 20], [1000, 20]] } })]);
  assert.equal(nodesUp.mode, 'value');
  assert.equal(nodesUp.integer, true, 'no "18.50 nodes up" tick');
  assert.equal(nodesUp.yLabel, 'nodes');
  const load = chartData({ id: 'l', name: 'load', rate: false }, [report('fixed', { series: { load: [[0, 0.5], [500, 1]] } })]);
  assert.equal(load.integer, false);
});
