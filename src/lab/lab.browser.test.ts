/**
 * The lab in headless Chromium: the page runs split-brain to its end and shows the traceHash that
 * `pillars run` prints for the same variant and seed; a click crashes raft-chaos's leader and another
 * node takes over; the hand fault, exported as YAML, replays under `pillars run` to the page's final
 * traceHash; on split-brain's naive variant without its scheduled partition, a line drawn by hand
 * cuts the primary from dc-west's standby and the naive check fails, turning red while the run goes
 * with its witness, and that run replays too; the shopping day's naive variant, played to pause
 * at each check turning red, oversells, red at 33600 ms with the SKU as its witness; a clock
 * skewed, a disk failed and a link slowed by
 * clicks are drawn and replay too; the report's charts are drawn live, the faults shaded as they
 * strike (hand cuts too); the shopping day of `pillars demo` runs with a panel per pillar; atm-race's
 * naive and fixed run side by side in step, a crash clicked on one stage strikes both, and the YAML
 * exported side by side replays each side to its own traceHash; split-brain's guided tour pauses at
 * the partition and at the second primary, and Back returns to the partition; a step runs one event,
 * a message step runs to a delivery or a drop; raft-chaos's address, with its four hand faults,
 * opened anew replays to the same traceHash; an address naming a variant that is not there says so;
 * and the page logs no error. Screenshots go to test-artifacts/lab/. (How fast the page simulates is bench/lab.ts's figure.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { skipUnlessInstalled, testToolPath } from '../testing/test-tools.js';
import { startLabServer } from './server.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const skip = process.env.PILLARS_SKIP_BROWSER === '1' ? 'PILLARS_SKIP_BROWSER=1' : skipUnlessInstalled('chromium');
const bin = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const scenarios = fileURLToPath(new URL('../../../scenarios/', import.meta.url));
/** Screenshots of the page at the moments the test looks at, for a reader. */
const shots = fileURLToPath(new URL('../../../test-artifacts/lab/', import.meta.url));

/** `pillars run FILE --variant V [--seed N]`'s traceHash, from its JSON report. */
function cliTraceHash(file: string, variant: string, seed?: number): string {
  return cliTraceHashes(file, seed, variant)[variant];
}

/** The traceHash of each variant `pillars run FILE [--seed N] [--variant V]` runs, by variant. */
function cliTraceHashes(file: string, seed?: number, variant?: string): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'pillars-lab-'));
  const json = join(dir, 'r.json');
  const args = [bin, 'run', file, '--json', json, '--no-store', '-q', ...(variant === undefined ? [] : ['--variant', variant]), ...(seed === undefined ? [] : ['--seed', String(seed)])];
  try {
    execFileSync(process.execPath, args, { stdio: 'pipe' });
  } catch (e) {
    // Exit 1 is a variant that did not meet its expectation: its report is still written.
    if ((e as { status?: number }).status !== 1) throw e;
  }
  const report = JSON.parse(readFileSync(json, 'utf8')) as { variant: string; traceHash: string } | { variant: string; traceHash: string }[];
  return Object.fromEntries((Array.isArray(report) ? report : [report]).map((r) => [r.variant, r.traceHash]));
}

async function open(browser: Browser, base: string, query: string, errors: string[], ready = '#stage [data-node="n1"]'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${base}/?${query}`);
  await page.waitForSelector(ready, { timeout: 10_000 });
  return page;
}

async function finalHash(page: Page): Promise<string> {
  await page.waitForSelector('#status[data-state="ended"]', { timeout: 20_000 });
  return (await page.locator('#trace-hash').textContent()) ?? '';
}

/**
 * The stories the page offers: split-brain and raft-chaos as they are, and split-brain-calm, the same
 * story without its scheduled partition, so that a cut by hand is the only one (its naive variant
 * passes untouched: src/lab/session.test.ts).
 */
function storiesDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pillars-lab-stories-'));
  for (const f of ['split-brain.yaml', 'raft-chaos.yaml', 'ecommerce.yaml', 'atm-race.yaml']) copyFileSync(join(scenarios, f), join(dir, f));
  const text = readFileSync(join(scenarios, 'split-brain.yaml'), 'utf8');
  const calm = text.replace(/^name: split-brain$/m, 'name: split-brain-calm').replace(/^faults:\n  - \{ at: 5000, for: 43000, partition: \[\[n1, n2, n3\], \[n4, n5\]\] \}\n/m, '');
  assert.ok(!calm.includes('partition: [[n1, n2, n3], [n4, n5]] }\nchecks'), 'split-brain-calm has no scheduled partition');
  writeFileSync(join(dir, 'split-brain-calm.yaml'), calm);
  return dir;
}

/** Draw a line with the mouse from one server to another. */
async function drawLine(page: Page, from: string, to: string): Promise<void> {
  const a = (await page.locator(`#stage [data-node="${from}"] circle`).boundingBox())!;
  const b = (await page.locator(`#stage [data-node="${to}"] circle`).boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

test('the lab in Chromium: split-brain to the end, a leader crashed by hand, a clock skewed, a disk failed, links slowed and cut by hand, checks red as they fail, their YAML replayed by the CLI, side by side, a tour', { skip, timeout: 150_000 }, async () => {
  const server = await startLabServer({ port: 0, scenariosDir: storiesDir() });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: testToolPath('chromium'), args: CHROMIUM_ARGS });
  const errors: string[] = [];
  try {
    // 1. split-brain's naive variant, played at full speed to its end: the CLI's traceHash.
    const split = await open(browser, base, 'story=split-brain&variant=naive&seed=2&speed=max&play=1', errors);
    const pageHash = await finalHash(split);
    assert.equal(pageHash, cliTraceHash(join(scenarios, 'split-brain.yaml'), 'naive', 2));
    assert.equal(await split.locator('#verdicts tr[data-check="no-lost-increments"] td').first().textContent(), 'FAILS', 'naive loses increments, and the page says so');
    // The report's charts, drawn as the run went: a point per sample, the partition shaded 5 s to 48 s.
    assert.ok(Number(await split.locator('#charts .chart[data-series="ops_ok"]').getAttribute('data-points')) >= 200, 'ops_ok charted live');
    assert.equal(await split.locator('#charts .chart[data-series="ops_ok"] .event-band[data-kind="partition"]').getAttribute('data-start-s'), '5');
    mkdirSync(shots, { recursive: true });
    await split.screenshot({ path: join(shots, 'split-brain-ended.png') });
    await split.close(); // a page left open draws every frame, and the machine is shared

    // 2. raft-chaos: wait for a leader in slow motion, click it, see another node lead.
    const raft = await open(browser, base, 'story=raft-chaos&variant=fixed&seed=1&speed=1000', errors);
    // First a step of one event, then one of a message: to its delivery or its drop.
    const eventsRun = async () => Number(/([\d,]+) events/.exec((await raft.locator('#clock').textContent()) ?? '')![1].replaceAll(',', ''));
    await raft.click('#step');
    assert.equal(await eventsRun(), 1, 'Step event runs one event');
    for (let i = 0; i < 20; i++) await raft.click('#step');
    await raft.click('#step-message');
    assert.ok((await eventsRun()) > 21, 'Step message runs on to a message');
    assert.match((await raft.locator('#last').textContent()) ?? '', / (deliver|drop) #\d+/, 'the last records show the delivery or the drop');
    await raft.click('#play');
    const leader = raft.locator('#stage .node.server[data-role="leader"]').first();
    await leader.waitFor({ timeout: 10_000 });
    const old = (await leader.getAttribute('data-node'))!;
    await raft.click('#play'); // pause, so the click lands on the node that leads now
    await raft.click(`#stage [data-node="${old}"]`);
    assert.equal(await raft.locator(`#stage [data-node="${old}"]`).getAttribute('data-status'), 'down');
    const carried = JSON.parse(new URL(raft.url()).searchParams.get('faults') ?? '[]') as { crash?: string }[];
    assert.deepEqual(carried.map((f) => f.crash), [old], 'the address carries the hand fault');
    await raft.click('#play');
    await raft.waitForSelector(`#stage .node.server[data-role="leader"]:not([data-node="${old}"])`, { timeout: 15_000 });
    assert.match((await raft.locator('#faults li').first().textContent()) ?? '', new RegExp(`^${old} crashed at `));
    await raft.screenshot({ path: join(shots, 'raft-chaos-new-leader.png') });

    // 2b. The other hand faults, paused: skew a server's clock, fail another's disk, slow a link one
    // way; each is drawn, and a second click on the failed disk repairs it. The story's own nemesis
    // crashes and skews too: the servers picked are up, and their clocks untouched, when clicked.
    await raft.click('#play');
    const servers = raft.locator('#stage .node.server');
    const calmServers: string[] = [];
    for (let i = 0; i < (await servers.count()); i++) {
      const n = servers.nth(i);
      if ((await n.getAttribute('data-status')) === 'up' && (await n.getAttribute('data-clock-offset-ms')) === '0') calmServers.push((await n.getAttribute('data-node'))!);
    }
    assert.ok(calmServers.length >= 2, `up with a true clock: ${calmServers.join(', ')}`);
    const [skewed, diskFailed] = calmServers;
    const [a, b] = ['n1', 'n2', 'n3', 'n4', 'n5'].filter((id) => id !== skewed && id !== diskFailed);
    await raft.selectOption('#click-does', 'skew');
    await raft.fill('#skew-ms', '-750');
    await raft.click(`#stage [data-node="${skewed}"]`);
    assert.equal(await raft.locator(`#stage [data-node="${skewed}"] .clock-badge`).textContent(), 'clock −750 ms');
    await raft.selectOption('#click-does', 'disk');
    await raft.selectOption('#disk-fault', 'bit-flip');
    await raft.click(`#stage [data-node="${diskFailed}"]`);
    const disk = raft.locator(`#stage [data-node="${diskFailed}"]`);
    assert.deepEqual([await disk.getAttribute('data-status'), await disk.getAttribute('data-disk-fault')], ['down', 'bit-flip'], 'a damaged disk crashes its server');
    assert.equal(await disk.locator('.disk-mark').textContent(), '⛁✕ bit-flip');
    await raft.selectOption('#line-does', 'slow');
    await raft.fill('#slow-ms', '80');
    await raft.check('#cut-one-way');
    await drawLine(raft, a, b);
    const slow = raft.locator(`#stage .slow.by-hand[data-slow="${a}-${b}"]`);
    assert.deepEqual([await slow.getAttribute('data-one-way'), await slow.getAttribute('data-added-ms'), await slow.locator('.slow-label').textContent()], ['true', '80', '+80 ms'], 'slowed one way, by 80 ms');
    await raft.screenshot({ path: join(shots, 'raft-chaos-skew-disk-slow.png') });
    const struckAtMs = Number.parseFloat((await raft.locator('#clock').textContent()) ?? '');
    await raft.selectOption('#speed', '5000');
    await raft.click('#play');
    await raft.waitForFunction(`Number.parseFloat(document.getElementById('clock').textContent) >= ${struckAtMs + 1500}`, undefined, { timeout: 10_000 });
    await raft.click('#play');
    await raft.click(`#stage [data-node="${diskFailed}"]`);
    assert.equal(await disk.getAttribute('data-disk-fault'), null, 'a second click repairs the disk');
    assert.match((await raft.locator('#faults li').last().textContent()) ?? '', new RegExp(`^${diskFailed} disk repaired at `));
    const kinds = (JSON.parse(new URL(raft.url()).searchParams.get('faults') ?? '[]') as Record<string, unknown>[]).map((f) => Object.keys(f).find((k) => k !== 'at' && k !== 'for'));
    assert.deepEqual(kinds, ['crash', 'clock', 'disk', 'slowLink'], 'the address carries every hand fault');
    await raft.click('#play');

    // 3. To the end at full speed, then the exported YAML, every hand fault in it, replays to the page's traceHash.
    await raft.selectOption('#speed', 'max');
    const raftHash = await finalHash(raft);
    await raft.click('#export');
    const yaml = await raft.locator('#yaml').inputValue();
    assert.match(yaml, /4 faults by hand/);
    const file = join(mkdtempSync(join(tmpdir(), 'pillars-lab-')), 'raft-chaos-lab.yaml');
    writeFileSync(file, yaml);
    assert.equal(cliTraceHash(file, 'fixed'), raftHash);
    // The address holds the story, the seed and the faults: opened elsewhere, it replays the same run.
    const sharedAddress = new URL(raft.url()).searchParams;
    sharedAddress.set('speed', 'max');
    sharedAddress.set('play', '1');
    const shared = await open(browser, base, sharedAddress.toString(), errors);
    assert.equal(await finalHash(shared), raftHash, 'the shared address replays to the same traceHash');
    assert.equal(await shared.locator('#faults li').count(), 4, 'and lists the faults it carries');
    // Once the run has ended a click strikes nothing, and the page says why.
    await shared.click('#stage [data-node="n1"]');
    assert.match((await shared.locator('#error').textContent()) ?? '', /^the run has ended: no more faults\. Restart run/);
    await shared.close();
    await raft.close();
    // An address asking for what is not here says which field, and opens what it can.
    const wrong = await open(browser, base, 'story=raft-chaos&variant=fenced&seed=1', errors);
    assert.equal(await wrong.locator('#error').textContent(), 'the address: variant: a variant of raft-chaos: naive, fixed, real-node, fixed-textbook, fixed-lease-reads, naive-crash-before-fsync, fixed-crash-before-fsync (got "fenced")');
    await wrong.close();

    // 4. split-brain-calm's naive variant: a line drawn from n1 (the primary) to n4 (dc-west's
    // standby) cuts their link both ways; two shift-clicks with "one way" ticked cut n5 -> n1; a
    // click on that cut heals it. n4 promotes itself, and at the end the naive check fails.
    const calm = await open(browser, base, 'story=split-brain-calm&variant=naive&seed=2&speed=5000', errors);
    await calm.click('#play');
    // Evaluated in the page: its text, not this file's code, so no DOM types are needed here.
    await calm.waitForFunction("Number.parseFloat(document.getElementById('clock').textContent) >= 1000", undefined, { timeout: 10_000 });
    assert.equal(await calm.locator('#live-checks tr[data-check="no-lost-increments"]').getAttribute('data-state'), 'holding');
    await calm.click('#play');
    await drawLine(calm, 'n1', 'n4');
    const both = calm.locator('#stage .cut.by-hand[data-cut="n1-n4"]');
    assert.equal(await both.getAttribute('data-one-way'), 'false');
    await calm.check('#cut-one-way');
    await calm.click('#stage [data-node="n5"]', { modifiers: ['Shift'] });
    await calm.click('#stage [data-node="n1"]', { modifiers: ['Shift'] });
    assert.equal(await calm.locator('#stage .cut.by-hand[data-cut="n5-n1"]').getAttribute('data-one-way'), 'true');
    assert.deepEqual(await calm.locator('#stage [data-node="n1"]').getAttribute('data-status'), 'up', 'shift-clicks cut, they do not crash');
    const cuts = JSON.parse(new URL(calm.url()).searchParams.get('faults') ?? '[]') as { partition?: string[][]; oneWay?: { from: string[]; to: string[] } }[];
    assert.deepEqual(cuts.map((f) => f.partition ?? f.oneWay), [[['n1'], ['n4']], { from: ['n5'], to: ['n1'] }], 'the address carries the cuts');
    await calm.click('#stage .cut.by-hand[data-cut="n5-n1"]');
    assert.equal(await calm.locator('#stage [data-cut="n5-n1"]').count(), 0, 'a click on the cut heals it');
    // The hand cuts are shaded on the charts as they strike: no partition was scheduled.
    await calm.waitForSelector('#charts .chart[data-series="nodes_up"] .event-band[data-kind="one-way"]', { state: 'attached', timeout: 5_000 });
    assert.equal(await calm.locator('#charts .chart[data-series="nodes_up"] .event-band[data-kind="partition"]').count(), 1);
    assert.match((await calm.locator('#faults li').last().textContent()) ?? '', /^n5 → n1 healed at /);
    await calm.screenshot({ path: join(shots, 'split-brain-cut-by-hand.png') });
    // Red while the run goes, long before its end, with the first increment lost as the witness.
    await calm.click('#play');
    const red = calm.locator('#live-checks tr[data-check="no-lost-increments"][data-state="failed"]');
    await red.waitFor({ timeout: 20_000 });
    await calm.click('#play');
    const redAtMs = Number(await red.getAttribute('data-failed-at-ms'));
    assert.ok(redAtMs > 2000 && redAtMs < 50_000, `red at ${redAtMs} ms of 65000`);
    assert.equal(await calm.locator('#status').getAttribute('data-state'), 'paused', 'red before the end');
    assert.match((await red.locator('td').nth(2).textContent()) ?? '', /acknowledged increments were lost .*; the first: on k\d, process \d+'s incr answered \d+ at [\d.]+ ms \(via n\d\)/);
    await calm.screenshot({ path: join(shots, 'split-brain-red-as-it-fails.png') });
    await calm.selectOption('#speed', 'max');
    await calm.click('#play');
    const calmHash = await finalHash(calm);
    const failed = calm.locator('#verdicts tr[data-check="no-lost-increments"] td');
    assert.equal(await failed.first().textContent(), 'FAILS', 'the hand cut split the brain, and the page says so');
    assert.match((await failed.nth(2).textContent()) ?? '', /^[1-9]\d* of \d+ acknowledged increments were lost/, 'with its witness: how many');
    const unplaced = calm.locator('#verdicts tr[data-check="linearizable"] td');
    assert.equal(await unplaced.first().textContent(), 'FAILS');
    assert.match((await unplaced.nth(2).textContent()) ?? '', /no order of the operations explains this one:\s+process \d+ incr/, 'with its witness: the operation no order places');
    await calm.click('#export');
    const calmFile = join(mkdtempSync(join(tmpdir(), 'pillars-lab-')), 'split-brain-calm-lab.yaml');
    writeFileSync(calmFile, await calm.locator('#yaml').inputValue());
    assert.equal(cliTraceHash(calmFile, 'naive'), calmHash);
    await calm.close();

    // 4b. The shopping day's naive variant, played flat out with "pause when a check turns red": it
    // pauses first where the server errors pass their ceiling (18600 ms); played on, no-oversell
    // turns red while the day goes, at the judgement after the first unit beyond a SKU's stock
    // (seed 1: 33600 ms of 60000), with that SKU as its witness, and the run pauses right there.
    const shop = await open(browser, base, 'story=ecommerce&variant=naive&seed=1&speed=max&play=1&pauseOnRed=1', errors, '#stage [data-node="gw-eu"]');
    const oversold = '#live-checks tr[data-check="no-oversell"][data-state="failed"]';
    // Paused at each check that turns red (src/lab/session.test.ts has them): the first, the server errors' ceiling at 18600 ms.
    const pausedAt: string[] = [];
    for (let red = 1; ; red++) {
      await shop.waitForFunction(`document.querySelectorAll('#live-checks tr[data-state="failed"]').length >= ${red} && document.getElementById('status').dataset.state === 'paused'`, undefined, { timeout: 30_000 });
      pausedAt.push(((await shop.locator('#clock').textContent()) ?? '').replace(/ ms of .*/, ''));
      if ((await shop.locator(oversold).count()) > 0) break;
      await shop.click('#play');
    }
    assert.equal(pausedAt.length, 4, `paused at ${pausedAt.join(', ')}`);
    assert.ok(Number(pausedAt[0]) > 18_000 && Number(pausedAt[0]) <= 18_600, `first paused at ${pausedAt[0]}`);
    assert.equal(await shop.locator('#status').getAttribute('data-state'), 'paused', 'red before the day ends, and paused there');
    assert.ok(Number.parseFloat((await shop.locator('#clock').textContent()) ?? '') <= 33_600, 'paused at the judgement that found it, not after');
    assert.equal(await shop.locator(oversold).getAttribute('data-failed-at-ms'), '33600');
    assert.match((await shop.locator(`${oversold} td`).nth(2).textContent()) ?? '', /; the first: SKU 13 \(stock 150\): process \d+'s checkout of k13 .* as unit 151$/);
    await shop.screenshot({ path: join(shots, 'ecommerce-oversold-red.png') });
    await shop.close();

    // 5. Side by side: atm-race's naive and fixed in step; n3 crashed by a click on the left stage
    // goes down on both, a click on the right restarts it on both; each side ends with its own
    // verdicts, at the traceHash `pillars run --variant V` prints for the YAML the page exports.
    const pair = await open(browser, base, 'story=atm-race&variant=naive&seed=1&mode=compare&with=fixed&speed=1000', errors, '#stage-0 [data-node="n1"]');
    const side = (i: number, node: string) => pair.locator(`#stage-${i} [data-node="${node}"]`);
    const clockAt = (ms: number) => pair.waitForFunction(`Number.parseFloat(document.getElementById('clock').textContent) >= ${ms}`, undefined, { timeout: 10_000 });
    await pair.click('#play');
    await clockAt(300);
    await pair.click('#play');
    await side(0, 'n3').click();
    assert.deepEqual([await side(0, 'n3').getAttribute('data-status'), await side(1, 'n3').getAttribute('data-status')], ['down', 'down'], 'a fault struck side by side strikes both');
    await pair.click('#play');
    await clockAt(1200);
    await pair.click('#play');
    await side(1, 'n3').click();
    assert.deepEqual([await side(0, 'n3').getAttribute('data-status'), await side(1, 'n3').getAttribute('data-status')], ['up', 'up']);
    const listed = await pair.locator('#faults li').allTextContents();
    assert.deepEqual(listed.map((t) => t.replace(/[\d.]+ ms/, 'T ms')), ['n3 crashed at T ms, on both', 'n3 restarted at T ms, on both'], 'listed as the one-run view lists them');
    await pair.selectOption('#speed', 'max');
    await pair.click('#play');
    await pair.waitForSelector('#status[data-state="ended"]', { timeout: 20_000 });
    await pair.screenshot({ path: join(shots, 'atm-race-side-by-side.png') });
    const address = new URL(pair.url()).searchParams;
    assert.equal(address.get('mode'), 'compare');
    const struck = JSON.parse(address.get('faults') ?? '[]') as { crash?: string; for?: number }[];
    assert.deepEqual(struck.map((f) => [f.crash, f.for !== undefined]), [['n3', true]], 'one crash and its restart, for both');
    // Export YAML side by side: one file, both variants with the hand faults, each replayed by the CLI.
    await pair.click('#export');
    const atmFile = join(mkdtempSync(join(tmpdir(), 'pillars-lab-')), 'atm-race-side-by-side.yaml');
    writeFileSync(atmFile, await pair.locator('#yaml').inputValue());
    const atmHashes = cliTraceHashes(atmFile);
    for (const [i, variant, verdict] of [[0, 'naive', 'FAILS'], [1, 'fixed', 'holds']] as const) {
      const sideHash = (await pair.locator(`.side[data-side="${i}"] .side-hash`).textContent()) ?? '';
      assert.equal(sideHash.replace(/^final traceHash: /, ''), atmHashes[variant], `${variant}'s side replays`);
      assert.equal(await pair.locator(`.side[data-side="${i}"] tr[data-check="balance-floor"] td`).first().textContent(), verdict);
    }
    // Restarted, the run carries the faults, listed in words as the one-run view lists them.
    await pair.click('#reload');
    assert.match((await pair.locator('#faults li').first().textContent()) ?? '', /^n3 crashed at [\d.]+ ms, until [\d.]+ ms, on both$/);
    await pair.close();

    // 6. A guided tour: split-brain pauses at the partition, then at the second primary; Back runs
    // again to the partition. The seeds' words are beside the run.
    const tour = await open(browser, base, 'tour=split-brain&speed=max', errors);
    await tour.click('#tour-next');
    await tour.waitForSelector('#tour-panel[data-stop="0"]', { timeout: 10_000 });
    assert.match((await tour.locator('#clock').textContent()) ?? '', /^5000\.000 ms/, 'paused at the partition, not after');
    assert.ok((await tour.locator('#stage .cut').count()) > 0, 'the cut links are drawn');
    assert.equal(await tour.locator('#tour-panel blockquote p').first().textContent(), 'T+00:00:00  43-second network partition');
    await tour.click('#tour-next');
    await tour.waitForSelector('#tour-panel[data-stop="1"]', { timeout: 10_000 });
    assert.equal(await tour.locator('#stage [data-node="n4"]').getAttribute('data-role'), 'leader', 'n4 promoted itself');
    await tour.screenshot({ path: join(shots, 'split-brain-tour.png') });
    await tour.click('#tour-back');
    await tour.waitForSelector('#tour-panel[data-stop="0"]', { timeout: 10_000 });
    assert.match((await tour.locator('#clock').textContent()) ?? '', /^5000\.000 ms/);

    // 5. `pillars demo` live: a panel per pillar, its charts filling while the day goes on.
    const demo = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    demo.on('pageerror', (e) => errors.push(String(e)));
    demo.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await demo.goto(`${base}/?demo=1&play=1`);
    const orders = demo.locator('#pillar-work .chart[data-series="orders_acked"]');
    await demo.waitForSelector('#pillar-work .chart[data-series="orders_acked"]:not([data-points="0"])', { timeout: 20_000 });
    const panels = demo.locator('#demo section[id^="pillar-"]');
    const ids = await Promise.all(Array.from({ length: await panels.count() }, (_, i) => panels.nth(i).getAttribute('id')));
    assert.deepEqual(ids, ['pillar-work', 'pillar-state', 'pillar-truth', 'pillar-control', 'pillar-intelligence']);
    assert.equal(await orders.locator('.u-legend .u-series').count(), 3, 'virtual time, naive and fixed');
    assert.ok((await orders.locator('.event-band').count()) > 0, 'the closed shop shaded as it was');
    await demo.close();

    assert.deepEqual(errors, [], 'no console errors');
  } finally {
    await browser.close();
    server.close();
  }
});
