/**
 * The HTML report in a real browser: a report of split-brain (naive against fixed, with a capture),
 * and the demo's five-pillar report of the e-commerce platform, are opened from files in headless
 * Chromium with the network refused; every chart must draw with data, legends must read values, and
 * clicking a fault must show the messages around it. Screenshots go to test-artifacts/ for a person
 * to look at.
 *
 * Chromium comes from Debian (`apt-get install chromium`, which `npm test` runs first where it can):
 * playwright's own browser download cannot run here. Without it these tests are skipped, naming the
 * package; PILLARS_SKIP_BROWSER=1 skips them on a machine that has it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';
import { loadScenario } from '../testing/story-runner.js';
import { skipUnlessInstalled, testToolPath } from '../testing/test-tools.js';
import { runDemo } from '../cli/demo.js';
import { runVariant } from '../scenario/runner.js';
import { reportInputFromRuns } from './from-runs.js';
import { writeHtmlReport } from './write-report.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const artifacts = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));
const skip = process.env.PILLARS_SKIP_BROWSER === '1' ? 'PILLARS_SKIP_BROWSER=1' : skipUnlessInstalled('chromium');

/** Open a report file offline in headless Chromium; the page's errors and any network attempt fail the test. */
async function withReport(file: string, body: (page: Page) => Promise<void>): Promise<void> {
  const browser = await chromium.launch({ executablePath: testToolPath('chromium'), args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    const errors: string[] = [];
    const outside: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    // Offline: anything but the file itself is refused, and noted.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      outside.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
    assert.deepEqual(errors, []);
    assert.deepEqual(outside, [], 'the page loads nothing from the network');
    await body(page);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
}

/**
 * Every uPlot chart of the page: its series, canvas size, and the legend's value per variant (the
 * checks' final-value bars are SVG, with no legend; report-charts.browser.test.ts checks them).
 */
function chartsOf(page: Page) {
  return page.$$eval('.chart:not([data-mode="final"])', (els) =>
    els.map((el) => {
      const c = el.querySelector('canvas');
      return {
        panel: el.closest('section.panel')?.id ?? '',
        series: el.getAttribute('data-series'),
        w: c?.width ?? 0,
        h: c?.height ?? 0,
        legend: [...el.querySelectorAll('.u-legend .u-series')].slice(1).map((r) => r.querySelector('.u-value')?.textContent ?? ''),
      };
    }),
  );
}

test('the split-brain report in headless Chromium: charts with data, live legends, a fault opens its message sequence', { skip, timeout: 60_000 }, async () => {
  const s = loadScenario('split-brain.yaml');
  const runs = ['naive', 'fixed'].map((name) => runVariant(s.variants.find((v) => v.name === name)!, { scenario: s.name, capture: true }));
  const input = reportInputFromRuns(runs, { title: s.name, description: s.description, shownMetrics: s.variants[0].metrics.show, charts: s.variants[0].metrics.chart });
  const file = join(mkdtempSync(join(tmpdir(), 'pillars-report-')), 'report.html');
  writeHtmlReport(file, input);

  await withReport(file, async (page) => {
    // Every panel is there; every chart has a canvas with a size and a legend row per variant.
    const panels = await page.$$eval('section.panel', (els) => els.map((e) => e.id));
    assert.deepEqual(panels, ['verdict', 'faults', 'panel-results', 'panel-series']);
    const charts = await chartsOf(page);
    assert.ok(charts.length >= 6, `${charts.length} charts`);
    for (const c of charts) {
      assert.ok(c.w > 100 && c.h > 100, `${c.series}: canvas ${c.w}x${c.h}`);
      assert.equal(c.legend.length, 2, `${c.series}: a legend row per variant`);
      // Out of the cursor a legend reads each variant's average rate or last value; a counter only one
      // design has (promotions: naive only) has no samples in the other.
      for (const v of c.legend) assert.match(v, /^((avg|last|total|max) -?[\d.]+[kMG]?( ?[A-Za-z%]*)?(\/s)?|no samples)$/, `${c.series}: ${v}`);
      assert.ok(c.legend.some((v) => v !== 'no samples'), `${c.series}: one variant at least has samples`);
    }
    assert.ok(charts.some((c) => c.series === 'ops_ok'));
    assert.equal(await page.locator('.empty', { hasText: 'Nothing to chart' }).count(), 0);

    // Hovering one chart moves every chart's cursor: the legends read the values at that instant.
    const first = page.locator('.chart .u-over').first();
    await first.scrollIntoViewIfNeeded();
    const box = (await first.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    // The distribution charts are by percentile, the checks' bars by variant, not time: the cursor of time does not move them.
    const live = await page.$$eval('.chart:not([data-mode="distribution"]):not([data-mode="final"])', (els) => els.map((el) => [...el.querySelectorAll('.u-legend .u-series')].map((r) => r.querySelector('.u-value')?.textContent ?? '')));
    for (const [time, ...values] of live) {
      assert.match(time, /^\d+\.\d\d s$/, 'the time under the cursor');
      for (const v of values) assert.match(v, /^(-?[\d.]+[kMG]?( ?[A-Za-z%]*)?(\/s)?|--)$/);
    }
    // Every chart of a counter reads a rate at the cursor (for each variant that has samples there).
    const rateCharts = charts.filter((c) => c.legend.some((v) => v.endsWith('/s'))).length;
    // Rare counters (promotions, crashes) are marks of events, not rates.
    assert.ok(rateCharts >= 5, `${rateCharts} charts of rates`);
    assert.ok(live.flat().filter((v) => /^[\d.]+[kMG]?\/s$/.test(v)).length >= rateCharts, 'the rate charts read a rate at the cursor');

    // The fault timeline: the partition and its heal for each variant; the partition's mark opens its sequence.
    assert.equal(await page.locator('.timeline-row').count(), 2);
    assert.equal(await page.locator('.fault-mark').count(), 4);
    assert.equal(await page.locator('.sequence:visible').count(), 0, 'no sequence before a click');
    await page.locator('.fault-mark.has-sequence').first().click();
    const group = page.locator('.fault-group:visible');
    assert.equal(await group.count(), 1);
    assert.match((await group.textContent()) ?? '', /partition n1,n2,n3 \| n4,n5/);
    const view = page.locator('.sequence:visible');
    assert.equal(await view.count(), 1);
    const svg = view.locator('svg.sequence-svg');
    const size = (await svg.boundingBox())!;
    assert.ok(size.width > 300 && size.height > 300, `sequence ${size.width}x${size.height}`);
    assert.equal(await view.locator('.sequence-lanes .lane-label').count(), 5);
    assert.equal(await svg.locator('g.msg').count(), 60);
    assert.ok((await svg.locator('g.msg.drop').count()) >= 10, 'the cut drops messages');
    assert.equal(await svg.locator('.fault-line').count(), 1);
    // The diagram scrolled to put the fault in view.
    assert.ok((await view.locator('.sequence-scroll').evaluate((el) => el.scrollTop)) > 0);

    // A second mark replaces the first one's details.
    await page.locator('.fault-mark').nth(1).click();
    assert.equal(await page.locator('.fault-group:visible').count(), 1);
    assert.match((await page.locator('.fault-group:visible').textContent()) ?? '', /heal/);

    mkdirSync(artifacts, { recursive: true });
    await page.locator('.fault-mark.has-sequence').first().click();
    await page.screenshot({ path: join(artifacts, 'report-split-brain.png'), fullPage: true });
  });
});

test("the demo's five-pillar report in headless Chromium: a panel per pillar with its numbers, check and charts; the chaos on the timeline", { skip, timeout: 120_000 }, async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'pillars-demo-')), 'report.html');
  const { ok } = runDemo({ html: file, quiet: true }, { color: false, progress: false });
  assert.ok(ok, 'every pillar prevented its failure');
  await withReport(file, async (page) => {
    const panels = await page.$$eval('section.panel', (els) => els.map((e) => e.id));
    assert.deepEqual(panels, ['verdict', 'faults', 'panel-work', 'panel-state', 'panel-truth', 'panel-control', 'panel-intelligence']);
    for (const pillar of ['work', 'state', 'truth', 'control', 'intelligence']) {
      const panel = page.locator(`#panel-${pillar}`);
      assert.equal(await panel.locator('.pillar').textContent(), pillar);
      assert.match((await panel.locator('.panel-text').textContent()) ?? '', /What happened: .+ Naive: .+ Fixed: .+ Prevented: /);
      // The failure this pillar prevents: its check fails naive and holds fixed.
      const check = panel.locator('tr', { hasText: 'check metric:' });
      assert.deepEqual(await check.locator('td').allTextContents(), ['FAIL', 'ok'], `${pillar}: the check`);
      // The numbers side by side, the better one marked where they differ.
      assert.ok((await panel.locator('table.side-by-side tbody tr').count()) >= 4, `${pillar}: rows`);
      assert.ok((await panel.locator('td.best').count()) >= 1, `${pillar}: a better value marked`);
    }
    const charts = await chartsOf(page);
    for (const pillar of ['work', 'state', 'truth', 'control', 'intelligence']) {
      const mine = charts.filter((c) => c.panel === `panel-${pillar}`);
      assert.ok(mine.length >= 3, `${pillar}: ${mine.length} charts`);
      for (const c of mine) {
        assert.ok(c.w > 100 && c.h > 100, `${c.series}: canvas ${c.w}x${c.h}`);
        assert.equal(c.legend.length, 2, `${c.series}: a legend row per variant`);
        assert.ok(c.legend.some((v) => /^(avg|last|total|max) /.test(v)), `${c.series}: samples in one variant at least (${c.legend})`);
      }
    }
    // The series each panel is about, with the values that tell the variants apart.
    const legend = (series: string) => charts.find((c) => c.series === series)!.legend;
    assert.deepEqual(legend('nodes_up'), ['last 19 nodes', 'last 19 nodes'], 'the crashed warehouse node came back');
    assert.equal(legend('fraud_rules_in_charge_us')[1], 'last 1 1 = rules', 'the rules answer after the drift');
    assert.equal(await page.locator('.empty').count(), 0, 'nothing missing');

    // The chaos: a crash and its restart, a partition and its heal, in each variant; and what the day
    // schedules: the opening, the drift, the release, the spike.
    assert.equal(await page.locator('.timeline-row').count(), 2);
    assert.equal(await page.locator('.fault-mark').count(), 16);
    await page.locator('.fault-mark.has-sequence').first().click();
    assert.match((await page.locator('.fault-group:visible').textContent()) ?? '', /crash/);
    const svg = page.locator('.sequence:visible svg.sequence-svg');
    assert.ok((await svg.locator('g.msg').count()) > 10, 'messages around the crash');
    await page.locator('.fault-mark').nth(6).click(); // naive's row: opening, drift, release, crash, spike, restart, partition, heal
    assert.match((await page.locator('.fault-group:visible').textContent()) ?? '', /partition/);

    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'report-demo.png'), fullPage: true });
  });
});
