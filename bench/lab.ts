/**
 * The lab's speed: simulated events per wall second in the page (headless Chromium, drawing every
 * frame, at "as fast as it goes"), for a 5-node Raft, against the same run stepped the same way in
 * Node in this process. Three runs: bench:raft's cluster (5 RaftKv nodes, 50 clients writing, no
 * faults), its messages through the peer codec (MessagePack, as the real node) and by reference; and
 * raft-chaos's naive variant (10 clients, a random nemesis, disk faults).
 *
 * Each page figure is given with the charts drawn and left out (`charts=0`), to show what they cost.
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

/** Events per second in the page: the median of its one-second readings, after one to warm up. */
async function inPage(browser: Browser, base: string, story: string, variant: string, charts: boolean): Promise<number> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${base}/?story=${story}&variant=${variant}&seed=1&speed=max&play=1${charts ? '' : '&charts=0'}`);
  await page.waitForSelector('#rate[data-events-per-sec]:not([data-events-per-sec="0"])', { timeout: 20_000 });
  const readings: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    await page.waitForTimeout(SAMPLE_MS);
    readings.push(Number(await page.locator('#rate').getAttribute('data-events-per-sec')));
  }
  await page.close();
  return median(readings.slice(1));
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
    process.stdout.write(`${story} ${variant}: ${page.toLocaleString('en')} events/s in the page while drawing (${bare.toLocaleString('en')} without the charts), ${node.toLocaleString('en')} events/s stepped in node\n`);
    if (variant === 'peer-codec') ratio = page / node;
  }
} finally {
  await browser.close();
  server.close();
}
process.stdout.write(`ratio ${ratio.toFixed(2)} lab page events/s (drawing) vs the same run stepped in node events/s\n`);
