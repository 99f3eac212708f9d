/**
 * The HTML report in a real browser: a report of split-brain (naive against fixed, with a capture) is
 * opened from a file in headless Chromium with the network refused, and every chart must draw with
 * data, legends must read values, and clicking a fault must show the messages around it. A screenshot
 * goes to test-artifacts/ for a person to look at.
 *
 * Chromium comes from Debian (`apt-get install chromium`; .ci/run installs it): playwright's own
 * browser download cannot run here. PILLARS_SKIP_BROWSER=1 skips this test where no browser can be had.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { loadScenario } from '../testing/story-runner.js';
import { runVariant } from '../scenario/runner.js';
import { reportInputFromRuns } from './from-runs.js';
import { writeHtmlReport } from './write-report.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const artifacts = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));
const skip = process.env.PILLARS_SKIP_BROWSER === '1' ? 'PILLARS_SKIP_BROWSER=1' : false;

test('the split-brain report in headless Chromium: charts with data, live legends, a fault opens its message sequence', { skip, timeout: 60_000 }, async () => {
  assert.ok(existsSync(CHROMIUM), `headless Chromium is missing at ${CHROMIUM}: install it with "apt-get update && apt-get install -y chromium" (CI's .ci/run does), or set PILLARS_SKIP_BROWSER=1 to skip this test`);
  const s = loadScenario('split-brain.yaml');
  const runs = ['naive', 'fixed'].map((name) => runVariant(s.variants.find((v) => v.name === name)!, { scenario: s.name, capture: true }));
  const input = reportInputFromRuns(runs, { title: s.name, description: s.description, shownMetrics: s.variants[0].metrics.show, charts: s.variants[0].metrics.chart });
  const file = join(mkdtempSync(join(tmpdir(), 'pillars-report-')), 'report.html');
  writeHtmlReport(file, input);

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
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

    // Every panel is there; every chart has a canvas with a size and a legend row per variant.
    const panels = await page.$$eval('section.panel', (els) => els.map((e) => e.id));
    assert.deepEqual(panels, ['verdict', 'faults', 'panel-results', 'panel-series']);
    const charts = await page.$$eval('.chart', (els) =>
      els.map((el) => {
        const c = el.querySelector('canvas');
        return { series: el.getAttribute('data-series'), w: c?.width ?? 0, h: c?.height ?? 0, legend: [...el.querySelectorAll('.u-legend .u-series')].slice(1).map((r) => r.querySelector('.u-value')?.textContent ?? '') };
      }),
    );
    assert.ok(charts.length >= 6, `${charts.length} charts`);
    for (const c of charts) {
      assert.ok(c.w > 100 && c.h > 100, `${c.series}: canvas ${c.w}x${c.h}`);
      assert.equal(c.legend.length, 2, `${c.series}: a legend row per variant`);
      // Out of the cursor a legend reads each variant's average rate or last value; a counter only one
      // design has (promotions: naive only) has no samples in the other.
      for (const v of c.legend) assert.match(v, /^((avg|last) -?[\d.]+[kMG]?(\/s)?|no samples)$/, `${c.series}: ${v}`);
      assert.ok(c.legend.some((v) => v !== 'no samples'), `${c.series}: one variant at least has samples`);
    }
    assert.ok(charts.some((c) => c.series === 'ops_ok'));
    assert.equal(await page.locator('.empty', { hasText: 'Nothing to chart' }).count(), 0);

    // Hovering one chart moves every chart's cursor: the legends read the values at that instant.
    const first = page.locator('.chart .u-over').first();
    await first.scrollIntoViewIfNeeded();
    const box = (await first.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    const live = await page.$$eval('.chart', (els) => els.map((el) => [...el.querySelectorAll('.u-legend .u-series')].map((r) => r.querySelector('.u-value')?.textContent ?? '')));
    for (const [time, ...values] of live) {
      assert.match(time, /^\d+\.\d\d s$/, 'the time under the cursor');
      for (const v of values) assert.match(v, /^(-?[\d.]+[kMG]?(\/s)?|--)$/);
    }
    assert.ok(live.flat().filter((v) => /^[\d.]+[kMG]?\/s$/.test(v)).length >= charts.length, 'most legends read a rate at the cursor');

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
    assert.equal(await svg.locator('.lane-label').count(), 5);
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
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
