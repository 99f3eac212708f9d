/**
 * The lab's speed: simulated events per wall second in the page (headless Chromium, drawing every
 * frame, at "as fast as it goes"), for a 5-node Raft, against the same run stepped the same way in
 * Node in this process. Three runs: bench:raft's cluster (5 RaftKv nodes, 50 clients writing, no
 * faults), its messages through the peer codec (MessagePack, as the real node) and by reference; and
 * raft-chaos's naive variant (10 clients, a random nemesis, disk faults).
 *
 * Each page figure is given with the charts drawn and left out (`charts=0`), to show what they cost,
 * and per second of wall time and of the page's main-thread time.
 * Last line: `ratio <x> lab page events/s (drawing) vs the same run stepped in node events/s`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { registerCatalog } from '../src/cli/catalog.js';
import { LabSession } from '../src/lab/session.js';
import { startLabServer } from '../src/lab/server.js';
import { testToolPath } from '../src/testing/test-tools.js';
import { median } from './anchors.js';

registerCatalog();

const SAMPLE_MS = 1_000;
const SAMPLES = 4;
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const dir = mkdtempSync(join(tmpdir(), 'pillars-bench-lab-'));
writeFileSync(
  join(dir, 'bench-raft.yaml'),
  `name: bench-raft
topology: { nodes: 5 }
network: { latency: { dist: uniform, min: 0.5, max: 2 } }
disk: { fsyncMs: { dist: uniform, min: 0.2, max: 1 } }
system: { process: truth/raft-kv }
workload: { type: closed, clients: 50, durationMs: 120000, ops: { write: 1 }, keys: { dist: uniform, count: 100 }, target: random, settleMs: 100 }
variants:
  peer-codec: {}
  by-reference: { network: { codec: none } }
`,
);
writeFileSync(join(dir, 'raft-chaos.yaml'), readFileSync(new URL('../../scenarios/raft-chaos.yaml', import.meta.url), 'utf8'));

/**
 * Events per second in the page: the median of its one-second readings, after one to warm up; and
 * per second of the page's main-thread time (Chromium's TaskDuration), which other work on a shared
 * machine does not shrink as it shrinks the wall-clock figure: what the page does with a core of its own.
 */
async function inPage(browser: Browser, base: string, story: string, variant: string, charts: boolean): Promise<{ wall: number; mainThread: number }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  const taskSeconds = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')!.value;
  const eventsRun = async () => Number(/([\d,]+) events/.exec((await page.locator('#clock').textContent()) ?? '')![1].replaceAll(',', ''));
  await page.goto(`${base}/?story=${story}&variant=${variant}&seed=1&speed=max&play=1${charts ? '' : '&charts=0'}`);
  await page.waitForSelector('#rate[data-events-per-sec]:not([data-events-per-sec="0"])', { timeout: 20_000 });
  const readings: number[] = [];
  // Main-thread time counts only over the samples the run was still going at the end of.
  const ran = { events: 0, taskS: 0 };
  let last = { events: 0, taskS: 0 };
  for (let i = 0; i < SAMPLES; i++) {
    await page.waitForTimeout(SAMPLE_MS);
    readings.push(Number(await page.locator('#rate').getAttribute('data-events-per-sec')));
    const now = { events: await eventsRun(), taskS: await taskSeconds() };
    if (i > 0 && (await page.locator('#status').getAttribute('data-state')) === 'playing') [ran.events, ran.taskS] = [ran.events + now.events - last.events, ran.taskS + now.taskS - last.taskS];
    last = now;
  }
  await page.close();
  return { wall: median(readings.slice(1)), mainThread: ran.taskS > 0 ? Math.round(ran.events / ran.taskS) : NaN };
}

/** The same run stepped in Node as the page steps it (2,000 events a piece), for as long. */
function inNode(story: string, variant: string): number {
  const s = new LabSession({ file: `${story}.yaml`, text: readFileSync(join(dir, `${story}.yaml`), 'utf8') }, variant, 1);
  s.advance(20_000); // warm up, as the page's first second
  const start = performance.now();
  const from = s.events;
  while (!s.ended && performance.now() - start < SAMPLE_MS * (SAMPLES - 1)) s.advance(2_000);
  return Math.round(((s.events - from) * 1000) / (performance.now() - start));
}

const server = await startLabServer({ port: 0, scenariosDir: dir });
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const browser = await chromium.launch({ executablePath: testToolPath('chromium'), args: CHROMIUM_ARGS });
let ratio = NaN;
try {
  for (const [story, variant] of [['bench-raft', 'peer-codec'], ['bench-raft', 'by-reference'], ['raft-chaos', 'naive']] as const) {
    const page = await inPage(browser, base, story, variant, true);
    const bare = await inPage(browser, base, story, variant, false);
    const node = inNode(story, variant);
    const n = (x: number) => (Number.isNaN(x) ? 'n/a (the run ended)' : x.toLocaleString('en'));
    process.stdout.write(
      `${story} ${variant}: ${n(page.wall)} events/s in the page while drawing (${n(bare.wall)} without the charts), ${n(node)} events/s stepped in node; per second of the page's main thread ${n(page.mainThread)} drawing (${n(bare.mainThread)} without the charts)\n`,
    );
    if (variant === 'peer-codec') ratio = page.wall / node;
  }
} finally {
  await browser.close();
  server.close();
}
process.stdout.write(`ratio ${ratio.toFixed(2)} lab page events/s (drawing) vs the same run stepped in node events/s\n`);
