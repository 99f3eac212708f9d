/**
 * The lab's page: pick a story, a variant and a seed, then play, pause, step one event or one message,
 * at a chosen speed; click a server to crash it, pause it, skew its clock or fail its disk, and again
 * to restart, resume or repair it; draw a line between two servers to cut or slow their link, and
 * click the line to heal it or speed it up; watch the checks turn red as they fail, with their
 * witness; export what you did as a scenario file.
 * The simulator runs here, in slices between animation frames, so the page stays responsive; what
 * is drawn is read from the run and never steers it, so the traceHash is the CLI's.
 */
import { registerCatalog } from '../../cli/catalog.js';
import { z } from 'zod';
import { parseScenario, type Fault } from '../../scenario/index.js';
import { faultSchema } from '../../scenario/schema.js';
import { LabSession, type LinkFaultKind, type StoryFile } from '../session.js';
import type { DiskFaultKind } from '../../sim/disk.js';
import { CLIENTS_DRAWN_MAX, Stage } from './stage.js';
import { LiveCharts, storySeries } from '../live-charts.js';
import { LiveChartView } from './charts.js';
import { startDemo } from './demo.js';

/**
 * Wall time a frame may spend simulating before it draws: at a set speed, within a 60 Hz frame; as
 * fast as it goes, about 30 frames a second, which still feels live and leaves most time to the run.
 */
const FRAME_SIMULATION_MS = 12;
const FRAME_SIMULATION_FULL_SPEED_MS = 28;
/** Events run between looks at the wall clock. */
const EVENTS_PER_CHUNK = 2_000;
/** A frame after a long pause (a hidden tab) advances as if this much wall time had passed. */
const FRAME_GAP_MAX_MS = 100;

interface StoryEntry extends StoryFile {
  name: string;
}

const $ = <E extends HTMLElement>(id: string): E => document.getElementById(id) as E;

registerCatalog();

let stories: StoryEntry[] = [];
let session: LabSession | undefined;
let stage: Stage | undefined;
let charts: LiveChartView | undefined;
let playing = false;
/** Virtual ms per wall second, or Infinity: as fast as the simulator goes. */
let speed = Infinity;
let virtualTarget = 0;
let lastFrame = 0;
let shownEnd = false;
const rate = { events: 0, wallMs: 0, perSec: 0 };

function showError(e: unknown): void {
  const box = $('error');
  box.textContent = e instanceof Error ? e.message : String(e);
  box.hidden = false;
}

function variantsOf(story: StoryEntry): string[] {
  return parseScenario(story.text, story.file).variants.map((v) => v.name);
}

function fillVariants(): void {
  const story = stories.find((s) => s.name === $<HTMLSelectElement>('story').value)!;
  const select = $<HTMLSelectElement>('variant');
  select.replaceChildren(...variantsOf(story).map((n) => new Option(n, n)));
}

/** The hand faults an address carries (`faults=[{"at":1250,"crash":"n1"}]`), checked as a scenario's faults are. */
function faultsFromAddress(text: string | null): Fault[] {
  if (text === null || text === '') return [];
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`faults in the address: a JSON list of faults, e.g. [{"at":1250,"crash":"n1"}] (got ${text.slice(0, 80)})`);
  }
  const parsed = z.array(faultSchema).safeParse(raw);
  if (!parsed.success) throw new Error(`faults in the address: ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`);
  return parsed.data as Fault[];
}

function setAddress(story: string, variant: string, seed: number, faults: readonly Fault[]): void {
  const url = new URL(location.href);
  url.searchParams.set('story', story);
  url.searchParams.set('variant', variant);
  url.searchParams.set('seed', String(seed));
  if (faults.length > 0) url.searchParams.set('faults', JSON.stringify(faults));
  else url.searchParams.delete('faults');
  history.replaceState(null, '', url);
}

function load(handFaults: readonly Fault[] = []): void {
  $('error').hidden = true;
  const story = stories.find((s) => s.name === $<HTMLSelectElement>('story').value);
  if (story === undefined) return;
  const variant = $<HTMLSelectElement>('variant').value;
  const seed = Number($<HTMLInputElement>('seed').value);
  if (!Number.isInteger(seed) || seed < 0) return showError(`seed: a whole number >= 0 (got "${$<HTMLInputElement>('seed').value}")`);
  try {
    session = new LabSession(story, variant, seed, handFaults);
  } catch (e) {
    return showError(e);
  }
  stage = new Stage($('stage-box'), session, { node: clickNode, line: drawnLine, endLink });
  // charts=0 in the address leaves them out: what drawing them costs is bench/lab.ts's other figure.
  charts = new URLSearchParams(location.search).get('charts') === '0' ? undefined : new LiveChartView($('charts'), new LiveCharts('live', storySeries(session.variant.metrics.chart), [{ name: variant, run: session.run }]));
  playing = false;
  shownEnd = false;
  virtualTarget = 0;
  rate.events = rate.wallMs = rate.perSec = 0;
  $('verdicts').replaceChildren();
  checksShown = '';
  $('faults').replaceChildren(...session.handFaults.map(carriedFaultItem));
  $<HTMLTextAreaElement>('yaml').hidden = true;
  $('description').textContent = session.scenario.description ?? '';
  setAddress(story.name, variant, seed, session.handFaults);
  render();
}

function faultItem(id: string, what: string, atMs: number): HTMLLIElement {
  const li = document.createElement('li');
  li.textContent = `${id} ${what} at ${atMs} ms`;
  return li;
}

/** A link as the fault list names it: `n1 ↔ n4`, or `n1 → n4` when cut or slowed one way. */
function linkName(f: Fault): string {
  if (f.partition !== undefined) return `${f.partition[0][0]} ↔ ${f.partition[1][0]}`;
  if (f.oneWay !== undefined) return `${f.oneWay.from[0]} → ${f.oneWay.to[0]}`;
  const l = f.slowLink!;
  return `${l.from[0]} ${l.oneWay === true ? '→' : '↔'} ${l.to[0]}`;
}

/** What a hand fault did, as the fault list says it: `crashed`, `slowed +80 ms`, `clock +500 ms`. */
function struckWords(f: Fault): [string, string] {
  if (f.crash !== undefined) return [f.crash, 'crashed'];
  if (f.pause !== undefined) return [f.pause, 'paused'];
  if (f.disk !== undefined) return [f.disk.node, `disk ${f.disk.fault}`];
  if (f.clock !== undefined) return [f.clock.node, `clock ${signedMs(f.clock.offsetMs ?? 0)}`];
  if (f.slowLink !== undefined) return [linkName(f), `slowed +${f.slowLink.addedMs} ms`];
  return [linkName(f), 'cut'];
}

function signedMs(ms: number): string {
  return `${ms >= 0 ? '+' : '−'}${Math.abs(ms)} ms`;
}

/** A hand fault an address carried, as the list shows it, with its end when it has one. */
function carriedFaultItem(f: Fault): HTMLLIElement {
  const li = faultItem(...struckWords(f), f.at);
  if (f.for !== undefined) li.textContent += `, until ${f.at + f.for} ms`;
  return li;
}

/** After a hand fault: the address carries it, and the frame shows it. */
function struck(): void {
  if (session !== undefined) setAddress($<HTMLSelectElement>('story').value, session.variant.name, session.seed, session.handFaults);
  render();
}

/** A line drawn from one server to another: it cuts their link or slows it, as the picker says. */
function drawnLine(from: string, to: string, altKey: boolean): void {
  if (session === undefined || session.ended) return;
  const oneWay = altKey || $<HTMLInputElement>('cut-one-way').checked;
  try {
    const f = $<HTMLSelectElement>('line-does').value === 'slow' ? session.slow(from, to, Number($<HTMLInputElement>('slow-ms').value), oneWay) : session.cut(from, to, oneWay);
    $('faults').append(faultItem(...struckWords(f), f.at));
  } catch (e) {
    showError(e);
  }
  struck();
}

/** A click on a line drawn by hand: a cut heals, a slow link speeds up. */
function endLink(kind: LinkFaultKind, from: string, to: string): void {
  if (session === undefined || session.ended) return;
  try {
    const f = kind === 'cut' ? session.heal(from, to) : session.speedUp(from, to);
    $('faults').append(faultItem(linkName(f), kind === 'cut' ? 'healed' : 'sped up', f.at + f.for!));
  } catch (e) {
    showError(e);
  }
  struck();
}

function clickNode(id: string): void {
  if (session === undefined || session.ended) return;
  const node = session.nodes(0).find((n) => n.id === id);
  if (node === undefined) return;
  const ended = (f: Fault, what: string) => $('faults').append(faultItem(id, what, f.at + f.for!));
  const strikes = (f: Fault) => $('faults').append(faultItem(...struckWords(f), f.at));
  try {
    // A server held by hand is let go (restarted, resumed, repaired); any other gets what the picker says.
    if (node.heldByHand === 'crash' && node.status === 'down') ended(session.restart(id), 'restarted');
    else if (node.heldByHand === 'pause' && node.status === 'paused') ended(session.resume(id), 'resumed');
    else if (node.heldByHand === 'disk') ended(session.repair(id), 'disk repaired');
    else {
      const does = $<HTMLSelectElement>('click-does').value;
      if (does === 'pause') strikes(session.pause(id));
      else if (does === 'skew') strikes(session.skew(id, Number($<HTMLInputElement>('skew-ms').value)));
      else if (does === 'disk') strikes(session.failDisk(id, $<HTMLSelectElement>('disk-fault').value as DiskFaultKind));
      else strikes(session.crash(id));
    }
  } catch (e) {
    showError(e);
  }
  struck();
}

function simulate(wallMs: number): void {
  if (session === undefined || !playing || session.ended) return;
  const start = performance.now();
  let ran = 0;
  if (speed === Infinity) {
    do ran += session.advance(EVENTS_PER_CHUNK);
    while (!session.ended && performance.now() - start < FRAME_SIMULATION_FULL_SPEED_MS);
  } else {
    virtualTarget = Math.max(virtualTarget, session.nowMs) + (speed * Math.min(wallMs, FRAME_GAP_MAX_MS)) / 1000;
    do ran += session.advance(EVENTS_PER_CHUNK, virtualTarget);
    while (!session.ended && session.nowMs < virtualTarget && performance.now() - start < FRAME_SIMULATION_MS);
  }
  rate.events += ran;
  rate.wallMs += wallMs;
  if (rate.wallMs >= 1000) {
    rate.perSec = Math.round((rate.events * 1000) / rate.wallMs);
    rate.events = rate.wallMs = 0;
  }
}

function render(): void {
  if (session === undefined || stage === undefined) return;
  const nodes = session.nodes(CLIENTS_DRAWN_MAX);
  stage.draw(session, nodes);
  // Paused, each frame follows a click (a step, a fault): the charts show it at once.
  charts?.update(!playing);
  $('clock').textContent = `${session.nowMs.toFixed(3)} ms of ${session.run.endMs} · ${session.events.toLocaleString('en')} events · ${session.flights.size} in flight`;
  const r = $('rate');
  r.dataset.eventsPerSec = String(rate.perSec);
  r.textContent = rate.perSec > 0 ? `${rate.perSec.toLocaleString('en')} events/s` : '';
  $('node-table').replaceChildren(
    ...nodes
      .filter((n) => n.kind === 'server')
      .map((n) => {
        const tr = document.createElement('tr');
        const state = n.state === undefined ? '' : Object.entries(n.state).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ');
        const marks = [Math.abs(n.clockOffsetMs) >= 0.5 ? `clock ${signedMs(Math.round(n.clockOffsetMs))}` : '', n.diskFault === undefined ? '' : `disk ${n.diskFault}`].filter((x) => x !== '').join(', ');
        for (const c of [n.id, marks === '' ? n.status : `${n.status} (${marks})`, state]) tr.append(Object.assign(document.createElement('td'), { textContent: c }));
        return tr;
      }),
  );
  $('last').textContent = session.recent.slice(-4).map(describeRecord).join('\n');
  const hash = $('trace-hash');
  hash.textContent = session.run.world.trace.hash();
  const status = $('status');
  if (!session.ended) showLiveChecks(session);
  if (session.ended && !shownEnd) {
    shownEnd = true;
    playing = false;
    showVerdicts(session);
    status.dataset.state = 'ended';
  } else if (!session.ended) status.dataset.state = playing ? 'playing' : 'paused';
  status.textContent = session.ended ? 'ended: final traceHash' : playing ? 'playing: traceHash so far' : 'paused: traceHash so far';
  $<HTMLButtonElement>('play').textContent = playing ? 'Pause' : 'Play';
}

/** The live checks as last shown, so the table is rebuilt only when a verdict changes. */
let checksShown = '';

/**
 * While the run goes: each check that a prefix can fail for good holds so far, or has failed, red,
 * from the virtual time it was first found failed, with the checker's witness; the others wait for the end.
 */
function showLiveChecks(s: LabSession): void {
  const key = JSON.stringify(s.checks);
  if (key === checksShown) return;
  checksShown = key;
  const rows = s.checks.map((c) => {
    const tr = document.createElement('tr');
    const failed = c.failedAtMs !== undefined;
    tr.className = failed ? 'failed' : c.live ? 'ok' : 'pending';
    tr.dataset.check = c.name;
    tr.dataset.state = failed ? 'failed' : c.live ? 'holding' : 'at-the-end';
    if (failed) tr.dataset.failedAtMs = String(c.failedAtMs);
    const verdict = failed ? `FAILED at ${c.failedAtMs} ms` : c.live ? 'holds so far' : 'at the end';
    for (const t of [verdict, c.name, c.detail ?? '']) tr.append(Object.assign(document.createElement('td'), { textContent: t }));
    return tr;
  });
  const table = document.createElement('table');
  table.id = 'live-checks';
  table.append(...rows);
  const head = document.createElement('p');
  head.textContent = `judged on the run so far every ${s.judgeEveryMs} virtual ms; a check that only the whole run can fail (a final value, a gauge) is judged at the end`;
  $('verdicts').replaceChildren(table, head);
}

function showVerdicts(s: LabSession): void {
  const r = s.finish().report;
  const rows = r.checks.map((c) => {
    const tr = document.createElement('tr');
    tr.className = c.ok ? 'ok' : 'failed';
    tr.dataset.check = c.name;
    const firstFailed = s.checks.find((x) => x.name === c.name)?.failedAtMs;
    for (const t of [c.ok ? 'holds' : c.unknown ? 'undecided' : 'FAILS', c.name, c.detail, firstFailed === undefined ? '' : `red from ${firstFailed} ms`]) tr.append(Object.assign(document.createElement('td'), { textContent: t }));
    return tr;
  });
  const head = document.createElement('p');
  head.textContent = `${r.variant}, seed ${r.seed}: expected ${r.expect}; ${r.met ? 'met' : `not met${r.why !== undefined ? ` (${r.why})` : ''}`}. ${r.events.toLocaleString('en')} events, ${r.virtualMs} ms.`;
  const table = document.createElement('table');
  table.append(...rows);
  $('verdicts').replaceChildren(head, table);
}

function describeRecord(r: Readonly<Record<string, unknown>>): string {
  const t = typeof r.t === 'number' ? r.t.toFixed(3) : '?';
  switch (r.kind) {
    case 'send':
      return `${t}  ${String(r.from)} → ${String(r.to)}  send ${typeOf(r.msg)}${r.due === undefined ? ' (lost)' : ''}`;
    case 'deliver':
    case 'drop':
    case 'duplicate':
      return `${t}  ${String(r.from)} → ${String(r.to)}  ${r.kind} #${String(r.id)}${r.reason !== undefined ? ` (${String(r.reason)})` : ''}`;
    case 'log':
      return `${t}  ${String(r.node)}  ${String(r.event)}`;
    default:
      return `${t}  ${String(r.kind)} ${String(r.node ?? r.fault ?? '')}`;
  }
}

function typeOf(msg: unknown): string {
  return typeof msg === 'object' && msg !== null && typeof (msg as { type?: unknown }).type === 'string' ? (msg as { type: string }).type : 'message';
}

function frame(ts: number): void {
  const wall = lastFrame === 0 ? 0 : ts - lastFrame;
  lastFrame = ts;
  simulate(wall);
  render();
  requestAnimationFrame(frame);
}

async function main(): Promise<void> {
  const res = await fetch('stories.json');
  stories = (await res.json()) as StoryEntry[];
  const params = new URLSearchParams(location.search);
  if (params.has('demo')) return startDemo(stories, params);
  const storySelect = $<HTMLSelectElement>('story');
  storySelect.replaceChildren(...stories.map((s) => new Option(s.name, s.name)));
  storySelect.value = params.get('story') ?? 'raft-chaos';
  if (storySelect.value === '') storySelect.value = stories[0]?.name ?? '';
  fillVariants();
  if (params.has('variant')) $<HTMLSelectElement>('variant').value = params.get('variant')!;
  $<HTMLInputElement>('seed').value = params.get('seed') ?? '1';
  const speedSelect = $<HTMLSelectElement>('speed');
  if (params.has('speed')) speedSelect.value = params.get('speed')!;
  speed = speedSelect.value === 'max' ? Infinity : Number(speedSelect.value);

  storySelect.addEventListener('change', () => (fillVariants(), load()));
  $('variant').addEventListener('change', () => load());
  $('seed').addEventListener('change', () => load());
  // Restarting the run keeps the faults struck by hand: the same run again, from the start.
  $('reload').addEventListener('click', () => load(session?.handFaults ?? []));
  speedSelect.addEventListener('change', () => {
    speed = speedSelect.value === 'max' ? Infinity : Number(speedSelect.value);
    virtualTarget = session?.nowMs ?? 0;
  });
  $('play').addEventListener('click', () => {
    if (session === undefined || session.ended) return;
    playing = !playing;
    if (session !== undefined) virtualTarget = session.nowMs;
    render();
  });
  $('step').addEventListener('click', () => {
    playing = false;
    session?.advance(1);
    render();
  });
  $('step-message').addEventListener('click', () => {
    playing = false;
    session?.advanceOneMessage();
    render();
  });
  $('export').addEventListener('click', () => {
    if (session === undefined) return;
    const area = $<HTMLTextAreaElement>('yaml');
    area.value = session.exportYaml();
    area.hidden = false;
    const link = $<HTMLAnchorElement>('download');
    link.href = URL.createObjectURL(new Blob([area.value], { type: 'text/yaml' }));
    link.download = `${session.scenario.name}-lab.yaml`;
    link.hidden = false;
  });
  try {
    load(faultsFromAddress(params.get('faults')));
  } catch (e) {
    showError(e);
  }
  if (params.get('play') === '1') playing = true;
  requestAnimationFrame(frame);
}

main().catch(showError);
