/**
 * The README's pictures of the lab (`npm run screenshots`, not part of npm test): three stories
 * captured in headless Chromium at the moment they tell something, into docs/img/:
 *   lab-split-brain.png   split-brain's naive variant mid-partition: the primary cut from dc-west,
 *                         the partition's band on the charts as it lasts;
 *   lab-raft-chaos.png    raft-chaos's leader crashed by a click, and the new leader;
 *   lab-demo.png          `pillars demo` live: the shopping day's pillar panels, naive against fixed.
 * Each is a viewport, not the whole page, so the files stay small (well under 200 KB).
 */
import { mkdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Page } from 'playwright-core';
import { startLabServer } from '../src/lab/server.js';
import { testToolPath } from '../src/testing/test-tools.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const VIEWPORT = { width: 1280, height: 1000 };
const PNG_BYTES_MAX = 200 * 1024;
const out = fileURLToPath(new URL('../../docs/img/', import.meta.url));

/** Play until the page's virtual clock reads at least `ms`, then pause. */
async function playUntil(page: Page, ms: number): Promise<void> {
  await page.click('#play');
  await page.waitForFunction(`Number.parseFloat(document.getElementById('clock').textContent) >= ${ms}`, undefined, { timeout: 60_000 });
  await page.click('#play');
}

const server = await startLabServer({ port: 0 });
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const browser = await chromium.launch({ executablePath: testToolPath('chromium'), args: CHROMIUM_ARGS });
const errors: string[] = [];
mkdirSync(out, { recursive: true });
try {
  const open = async (query: string) => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${base}/?${query}`);
    return page;
  };
  const shot = async (page: Page, file: string) => {
    await page.waitForTimeout(400); // the charts redraw a few times a second
    await page.screenshot({ path: join(out, file) });
    const bytes = statSync(join(out, file)).size;
    process.stdout.write(`${file}: ${Math.round(bytes / 1024)} KB\n`);
    if (bytes > PNG_BYTES_MAX) throw new Error(`${file} is ${bytes} bytes: more than ${PNG_BYTES_MAX}`);
    await page.close();
  };

  // 1. split-brain, naive: 20 s into the run, 15 s into the partition that splits the brain.
  const split = await open('story=split-brain&variant=naive&seed=2&speed=5000');
  await split.waitForSelector('#stage [data-node="n1"]');
  await playUntil(split, 20_000);
  await shot(split, 'lab-split-brain.png');

  // 2. raft-chaos, fixed: a leader is elected, a click crashes it, another takes over.
  const raft = await open('story=raft-chaos&variant=fixed&seed=1&speed=1000');
  await raft.click('#play');
  const leader = raft.locator('#stage .node.server[data-role="leader"]').first();
  await leader.waitFor({ timeout: 30_000 });
  const old = (await leader.getAttribute('data-node'))!;
  await raft.click('#play');
  await raft.click(`#stage [data-node="${old}"]`);
  await raft.click('#play');
  await raft.waitForSelector(`#stage .node.server[data-role="leader"]:not([data-node="${old}"])`, { timeout: 30_000 });
  await raft.click('#play');
  await shot(raft, 'lab-raft-chaos.png');

  // 3. The shopping day, naive against fixed, half way through: its title and the work pillar's panel.
  const demo = await open('demo=1&play=1');
  await demo.waitForFunction("Number.parseFloat(document.getElementById('demo-clock').textContent) >= 30", undefined, { timeout: 120_000 });
  await demo.click('#demo-play');
  await shot(demo, 'lab-demo.png');
  if (errors.length > 0) throw new Error(`the page logged errors: ${errors.join('; ')}`);
} finally {
  await browser.close();
  server.close();
}
