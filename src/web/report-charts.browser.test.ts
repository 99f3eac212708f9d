/**
 * What a reader can trust at a glance, in headless Chromium, for the demo's report, three story
 * reports (a partition, a release, disk faults) and the seven variants of self-healing: every fault
 * and scheduled event is shaded on every time chart in its kind's hue; no two variants share a colour and none uses a fault's; every chart
 * titles both axes; the message-sequence view keeps its node lanes in sight when a fault opens it
 * scrolled to the middle; split-brain's first headline chart is the lost writes its check is about,
 * naive's bar above fixed's; nothing is cut off at 1366 px. Each report is kept in a results folder
 * (test-artifacts/charts/<scenario>/<time>/, `latest` linking to it), and its screenshots
 * (report.png, sequence.png) are written into that folder.
 *
 * The runs are shortened (--set) so that the whole file stays within about 30 s.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { skipUnlessInstalled, testToolPath } from '../testing/test-tools.js';
import { scenarioFile } from '../testing/story-runner.js';
import { runDemo } from '../cli/demo.js';
import { closeRunStore, commandLine, openRunStore } from '../cli/run-store.js';
import { parseScenario } from '../scenario/load.js';
import { runVariant } from '../scenario/runner.js';
import { withCapturedEvents } from '../scenario/index.js';
import { reportInputFromRuns } from './from-runs.js';
import { writeHtmlReport } from './write-report.js';
import { FAULT_COLORS } from './palette.js';

/** The browser's own, inside page.$$eval (this project compiles without the DOM's types). */
declare const getComputedStyle: (e: unknown) => { backgroundColor: string };

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** The results store of this test's reports: <out>/<scenario>/<time>/ as `pillars run --out` writes it. */
const out = fileURLToPath(new URL('../../../test-artifacts/charts/', import.meta.url));
const skip = process.env.PILLARS_SKIP_BROWSER === '1' ? 'PILLARS_SKIP_BROWSER=1' : skipUnlessInstalled('chromium');

/**
 * A story's report with every variant captured, its runs shortened by `set`, kept in a results folder
 * as `pillars run` keeps it (report.html, report.json, the command and the scenario; no history or
 * trace, which this test does not look at): the screenshots go into the same folder.
 */
function storyReport(name: string, set: string[]): string {
  const text = readFileSync(scenarioFile(`${name}.yaml`), 'utf8');
  const s = parseScenario(text, `${name}.yaml`, { set });
  const runs = s.variants.map((v) => runVariant(v, { scenario: s.name, capture: true }));
  const store = openRunStore(out, s.name, text, commandLine(['run', `scenarios/${name}.yaml`, ...set.flatMap((x) => ['--set', x])]));
  writeHtmlReport(join(store.dir, 'report.html'), reportInputFromRuns(runs, { title: s.name, description: s.description, shownMetrics: s.variants[0].metrics.show, charts: s.variants[0].metrics.chart }));
  closeRunStore(store, runs.map((r) => withCapturedEvents(r.report, r.capture)));
  return join(store.dir, 'report.html');
}

/** The page's own data: the variants' colours and the faults and events it promises to shade. */
async function pageData(page: Page): Promise<{ variants: { name: string; color: string }[]; faultMarks: { kind: string; startS: number; endS: number | null; color: string }[] }> {
  return page.$eval('#report-data', (el) => JSON.parse(el.textContent ?? '{}'));
}

/** What the first chart of a story's results must show, checked in the page. */
type HeadlineCheck = (page: Page) => Promise<void>;

/**
 * split-brain's headline is the writes naive acknowledged and then lost: its first chart (not
 * ops_ok, where naive looks best) has naive's bar above fixed's, and says naive failed the check.
 */
async function splitBrainHeadline(page: Page): Promise<void> {
  const first = page.locator('#panel-results .chart').first();
  assert.equal(await first.getAttribute('data-series'), 'lost_acked_increments');
  assert.match((await page.locator('#panel-results .chart-card h3').first().textContent()) ?? '', /no-lost-increments: acknowledged increments lost/);
  const bars = await first.locator('rect.bar').evaluateAll((els) =>
    els.map((b) => ({ variant: b.getAttribute('data-variant'), value: Number(b.getAttribute('data-value')), verdict: b.getAttribute('data-verdict'), height: b.getBoundingClientRect().height, fill: b.getAttribute('fill') })),
  );
  const naive = bars.find((b) => b.variant === 'naive')!;
  const fixed = bars.find((b) => b.variant === 'fixed')!;
  assert.ok(naive.value > 0 && fixed.value === 0, `naive lost ${naive.value}, fixed ${fixed.value}`);
  assert.ok(naive.height > 10 * fixed.height, `naive's bar (${naive.height} px) towers over fixed's (${fixed.height} px)`);
  assert.deepEqual([naive.verdict, fixed.verdict], ['FAIL', 'ok']);
  const colors = (await pageData(page)).variants;
  for (const b of bars) assert.equal(b.fill, colors.find((v) => v.name === b.variant)?.color, `${b.variant}'s bar in its colour`);
}

async function checkReport(browser: Browser, name: string, file: string, expectKinds: string[], headline?: HeadlineCheck): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
  const data = await pageData(page);

  // Colours: one per variant, none a fault's or an event's.
  const colors = data.variants.map((v) => v.color.toLowerCase());
  assert.equal(new Set(colors).size, colors.length, `${name}: a colour per variant (${colors})`);
  const faultColors = new Set(FAULT_COLORS.map((c) => c.toLowerCase()));
  for (const v of data.variants) assert.ok(!faultColors.has(v.color.toLowerCase()), `${name}: ${v.name} is drawn in a fault's colour ${v.color}`);
  // The legend swatches say the same as the lines.
  const swatches = await page.$$eval('.variant-chip .swatch', (els) => els.map((e) => getComputedStyle(e).backgroundColor));
  assert.equal(new Set(swatches).size, data.variants.length, `${name}: distinct swatches`);

  // Nothing is cut off at a laptop's width: the page never scrolls sideways, and every table fits
  // its card (the seven-variant self-healing verdict table once ran past 1400 px).
  const widths = {
    page: await page.$eval('html', (el) => el.scrollWidth),
    view: page.viewportSize()!.width,
    tables: await page.$$eval('.table-scroll', (els) => els.map((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }))),
  };
  assert.ok(widths.page <= widths.view, `${name}: the page is ${widths.page} px wide in a ${widths.view} px window`);
  for (const t of widths.tables) assert.ok(t.scroll <= t.client + 1, `${name}: a table ${t.scroll} px wide in a ${t.client} px card`);

  // Every kind expected is among the marks: the scheduled events are there, not only the faults.
  const kinds = new Set(data.faultMarks.map((m) => m.kind.replace(/^disk-.*/, 'disk')));
  for (const k of expectKinds) assert.ok(kinds.has(k), `${name}: ${k} among the shaded kinds (${[...kinds]})`);

  // Every time chart shades every mark within its range, in the mark's hue; every chart titles both axes.
  const charts = await page.$$eval('.chart', (els) =>
    els.map((el) => ({
      series: el.getAttribute('data-series') ?? '',
      mode: el.getAttribute('data-mode') ?? '',
      axisTitles: [...(el.closest('.chart-card')?.querySelectorAll('.axis-title') ?? [])].filter((t) => t.getBoundingClientRect().width > 0).map((t) => (t.textContent ?? '').trim()),
      shaded: [...el.querySelectorAll('.event-band, .event-line')].map((b) => ({
        kind: b.getAttribute('data-kind') ?? '',
        startS: Number(b.getAttribute('data-start-s')),
        width: b.getBoundingClientRect().width,
        color: getComputedStyle(b).backgroundColor,
      })),
    })),
  );
  assert.ok(charts.length >= 3, `${name}: ${charts.length} charts`);
  for (const c of charts) {
    assert.equal(c.axisTitles.length, 2, `${name} ${c.series}: both axes titled (${c.axisTitles})`);
    for (const t of c.axisTitles) assert.ok(t.length >= 2, `${name} ${c.series}: an axis title "${t}"`);
    if (c.mode === 'distribution' || c.mode === 'final') continue;
    assert.match(c.axisTitles[1], /time \(s\)/, `${name} ${c.series}: the time axis says its unit`);
    assert.equal(c.shaded.length, data.faultMarks.length, `${name} ${c.series}: every fault and event shaded`);
    for (const m of data.faultMarks) {
      const b = c.shaded.find((x) => x.kind === m.kind && x.startS === m.startS);
      assert.ok(b !== undefined && b.width >= 1, `${name} ${c.series}: ${m.kind} at ${m.startS} s shaded`);
    }
    assert.ok(!c.shaded.some((b) => colors.includes(rgbHex(b.color))), `${name} ${c.series}: no band in a variant's colour`);
  }
  assert.ok(charts.some((c) => c.mode === 'distribution'), `${name}: a latency distribution chart`);
  if (headline !== undefined) await headline(page);

  // The sequence view, opened on a fault, scrolled to it: its lanes still in view.
  const mark = page.locator('.fault-mark.has-sequence').first();
  if ((await mark.count()) > 0) {
    await mark.click();
    const view = page.locator('.sequence:visible');
    const scroll = view.locator('.sequence-scroll');
    const scrolled = await scroll.evaluate((el) => el.scrollTop);
    const box = (await scroll.boundingBox())!;
    const labels = view.locator('.lane-label');
    assert.ok((await labels.count()) >= 2, `${name}: lanes`);
    for (const l of await labels.all()) {
      const lb = (await l.boundingBox())!;
      assert.ok(lb.y >= box.y - 1 && lb.y + lb.height <= box.y + box.height, `${name}: lane ${await l.textContent()} visible (scrolled ${scrolled} px)`);
    }
    await view.screenshot({ path: join(dirname(file), 'sequence.png') });
  }
  await page.screenshot({ path: join(dirname(file), 'report.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
}

/** "rgb(1, 2, 3)" as "#010203", to compare with the palette. */
function rgbHex(css: string): string {
  const m = /rgba?\((\d+), (\d+), (\d+)/.exec(css);
  return m === null ? css : `#${[m[1], m[2], m[3]].map((x) => Number(x).toString(16).padStart(2, '0')).join('')}`;
}

test('the demo and three story reports in headless Chromium: every fault and event shaded, variant colours apart from each other and from faults, axis titles, sequence lanes in view', { skip, timeout: 60_000 }, async () => {
  // This run's folders only: the store is the test's, not a history of every run.
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  // The demo's own results folder, as `pillars demo --out` keeps it.
  runDemo({ html: false, quiet: true, store: true, out }, { color: false, progress: false });
  const demo = join(realpathSync(join(out, 'ecommerce', 'latest')), 'report.html');
  const stories: [string, string, string[], HeadlineCheck?][] = [
    ['demo', demo, ['spike', 'drift', 'release', 'opening', 'crash', 'partition']],
    ['split-brain', storyReport('split-brain', ['workload.durationMs=20000', 'faults.0.for=10000']), ['partition', 'heal'], splitBrainHeadline],
    ['bad-deploy', storyReport('bad-deploy', ['workload.durationMs=20000']), ['release']],
    ['disk-faults', storyReport('disk-faults', ['workload.durationMs=12000']), ['partition', 'disk']],
    ['self-healing', storyReport('self-healing', ['workload.durationMs=25000']), ['crash']],
  ];
  const browser = await chromium.launch({ executablePath: testToolPath('chromium'), args: CHROMIUM_ARGS });
  try {
    for (const [name, file, kinds, headline] of stories) await checkReport(browser, name, file, kinds, headline);
  } finally {
    await browser.close();
  }
  // Each report's folder holds its screenshots beside what reproduces it.
  for (const [name, file] of stories) for (const f of ['report.png', 'report.json', 'command.txt', 'scenario.yaml']) assert.ok(existsSync(join(dirname(file), f)), `${name}: ${f} in ${dirname(file)}`);
  assert.match(readFileSync(join(out, 'split-brain', 'latest', 'command.txt'), 'utf8'), /^pillars run scenarios\/split-brain\.yaml --set workload\.durationMs=20000 --set faults\.0\.for=10000\n$/);
});
