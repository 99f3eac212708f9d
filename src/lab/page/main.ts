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
import { parseScenario, type Fault } from '../../scenario/index.js';
import { addressProblem, faultsFromAddress } from '../address.js';
import { LabSession, type LinkFaultKind, type StoryFile } from '../session.js';
import type { DiskFaultKind } from '../../sim/disk.js';
import { CLIENTS_DRAWN_MAX, Stage } from './stage.js';
import { LiveCharts, storySeries } from '../live-charts.js';
import { LiveChartView } from './charts.js';
import { startDemo } from './demo.js';
import { verdictsView } from './verdicts.js';
import { CompareView } from './compare.js';
import { TourPanel } from './tour.js';
import { TourGuide } from '../tour-guide.js';
import { TOURS, tourNamed } from '../tours.js';
import { carriedFaultItem, faultItem, linkName, signedMs, struckWords } from './fault-words.js';

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
/** Side by side (mode=compare): two runs in step, drawn by their own view; `session` is then unset. */
let compare: CompareView | undefined;
/** A guided tour over the one run: its guide advances the run, its panel shows the stop. */
let guide: TourGuide | undefined;
let tourPanel: TourPanel | undefined;
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
  const names = variantsOf(story);
  select.replaceChildren(...names.map((n) => new Option(n, n)));
  $<HTMLSelectElement>('with').replaceChildren(...names.map((n) => new Option(n, n)));
  pickOther();
}

/** The variant beside the chosen one: fixed, or the first other. */
function pickOther(): void {
  const variant = $<HTMLSelectElement>('variant').value;
  const other = $<HTMLSelectElement>('with');
  if (other.value !== variant && other.value !== '') return;
  const names = [...other.options].map((o) => o.value).filter((n) => n !== variant);
  other.value = names.includes('fixed') ? 'fixed' : (names[0] ?? '');
}

function closeTour(): void {
  tourPanel?.close();
  tourPanel = undefined;
  guide = undefined;
}

function setAddress(story: string, variant: string, seed: number, faults: readonly Fault[]): void {
  const url = new URL(location.href);
  url.searchParams.set('story', story);
  url.searchParams.set('variant', variant);
  url.searchParams.set('seed', String(seed));
  if (faults.length > 0) url.searchParams.set('faults', JSON.stringify(faults));
  else url.searchParams.delete('faults');
  const compared = $<HTMLSelectElement>('mode').value === 'compare';
  const pauseOnRed = $<HTMLInputElement>('pause-on-red').checked ? '1' : '';
  for (const [k, v] of [['mode', compared ? 'compare' : ''], ['with', compared ? $<HTMLSelectElement>('with').value : ''], ['tour', guide?.tour.name ?? ''], ['pauseOnRed', pauseOnRed]]) {
    if (v !== '') url.searchParams.set(k, v);
    else url.searchParams.delete(k);
  }
  history.replaceState(null, '', url);
}

/** Load the chosen run; a tour's run goes on, unseen, to the stop `tourStop` (Back). */
function load(handFaults: readonly Fault[] = [], tourStop = -1): void {
  $('error').hidden = true;
  compare?.close();
  compare = undefined;
  const story = stories.find((s) => s.name === $<HTMLSelectElement>('story').value);
  if (story === undefined) return;
  const variant = $<HTMLSelectElement>('variant').value;
  const seed = Number($<HTMLInputElement>('seed').value);
  if (!Number.isInteger(seed) || seed < 0) return showError(`seed: a whole number >= 0 (got "${$<HTMLInputElement>('seed').value}")`);
  $('with-label').hidden = $<HTMLSelectElement>('mode').value !== 'compare';
  if ($<HTMLSelectElement>('mode').value === 'compare') return loadCompare(story, variant, seed, handFaults);
  try {
    session = new LabSession(story, variant, seed, handFaults);
  } catch (e) {
    return showError(e);
  }
  attachTour(session, tourStop);
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

/** Side by side: the page's buttons and faults go to the compare view until another load. */
function loadCompare(story: StoryEntry, variant: string, seed: number, handFaults: readonly Fault[]): void {
  closeTour();
  $<HTMLSelectElement>('tour').value = '';
  session = undefined;
  stage = undefined;
  playing = false;
  $('verdicts').replaceChildren('each side shows its own');
  $('node-table').replaceChildren();
  $('last').textContent = '';
  $<HTMLTextAreaElement>('yaml').hidden = true;
  $('description').textContent = parseScenario(story.text, story.file).description ?? '';
  try {
    compare = new CompareView($('stage-box'), story, [variant, $<HTMLSelectElement>('with').value], seed, handFaults, {
      faults: (f) => setAddress(story.name, variant, seed, f),
      error: showError,
    });
  } catch (e) {
    $('stage-box').replaceChildren();
    return showError(e);
  }
  setAddress(story.name, variant, seed, compare.handFaults);
}

/** The tour chosen, over this run when it is the tour's story, variant and seed; otherwise no tour. */
function attachTour(s: LabSession, tourStop: number): void {
  const name = $<HTMLSelectElement>('tour').value;
  const tour = name === '' ? undefined : tourNamed(name);
  if (tour === undefined || tour.story !== s.scenario.name || tour.variant !== s.variant.name || tour.seed !== s.seed) {
    closeTour();
    $<HTMLSelectElement>('tour').value = '';
    return;
  }
  guide = new TourGuide(tour, s);
  guide.runTo(tourStop);
  if (tourPanel?.tour !== tour) {
    tourPanel?.close();
    tourPanel = new TourPanel($('tour-panel'), tour, {
      next: () => {
        if (session === undefined || session.ended) return;
        playing = true;
        virtualTarget = session.nowMs;
      },
      back: () => load(session?.handFaults ?? [], (guide?.reached ?? 0) - 1),
      compare: (other) => {
        $<HTMLSelectElement>('mode').value = 'compare';
        $<HTMLSelectElement>('with').value = other;
        load(session?.handFaults ?? []);
      },
    });
  }
  tourPanel.show(guide, s.nowMs);
}

/**
 * Run the one run: through the tour's guide when there is one, which pauses at its stops; otherwise
 * paused, when asked to, in the frame a check turns red, at the judgement that found it failed.
 */
function advanceRun(s: LabSession, eventsMax: number, untilMs = Infinity): number {
  if (guide === undefined) {
    const pauseOnRed = $<HTMLInputElement>('pause-on-red').checked;
    const failed = s.checksFailed();
    const ran = s.advance(eventsMax, untilMs, pauseOnRed);
    if (pauseOnRed && s.checksFailed() > failed) playing = false;
    return ran;
  }
  const { ran, stopped } = guide.advance(eventsMax, untilMs);
  if (stopped) {
    playing = false;
    tourPanel?.show(guide, s.nowMs);
  }
  return ran;
}

/** After a hand fault: the address carries it, and the frame shows it. */
function struck(): void {
  if (session !== undefined) setAddress($<HTMLSelectElement>('story').value, session.variant.name, session.seed, session.handFaults);
  render();
}

/** A line drawn from one server to another: it cuts their link or slows it, as the picker says. */
function drawnLine(from: string, to: string, altKey: boolean): void {
  if (session === undefined || refusedAtEnd(session)) return;
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
  if (session === undefined || refusedAtEnd(session)) return;
  try {
    const f = kind === 'cut' ? session.heal(from, to) : session.speedUp(from, to);
    $('faults').append(faultItem(linkName(f), kind === 'cut' ? 'healed' : 'sped up', f.at + f.for!));
  } catch (e) {
    showError(e);
  }
  struck();
}

/** A fault asked for once the run has ended is refused, and the page says how to strike it. */
function refusedAtEnd(s: LabSession): boolean {
  if (s.ended) showError('the run has ended: no more faults. Restart run plays it again from 0 with the faults struck so far, and more can be struck then');
  return s.ended;
}

function clickNode(id: string): void {
  if (session === undefined || refusedAtEnd(session)) return;
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
    do ran += advanceRun(session, EVENTS_PER_CHUNK);
    while (playing && !session.ended && performance.now() - start < FRAME_SIMULATION_FULL_SPEED_MS);
  } else {
    virtualTarget = Math.max(virtualTarget, session.nowMs) + (speed * Math.min(wallMs, FRAME_GAP_MAX_MS)) / 1000;
    do ran += advanceRun(session, EVENTS_PER_CHUNK, virtualTarget);
    while (playing && !session.ended && session.nowMs < virtualTarget && performance.now() - start < FRAME_SIMULATION_MS);
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
  $('verdicts').replaceChildren(...verdictsView(s.finish().report, (name) => s.checks.find((x) => x.name === name)?.failedAtMs));
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
  // A shared address that asks for what is not here says so, and the page opens what it can.
  const problem = addressProblem(params, stories.map((s) => ({ name: s.name, variants: variantsOf(s) })), TOURS.map((t) => t.name));
  const storySelect = $<HTMLSelectElement>('story');
  storySelect.replaceChildren(...stories.map((s) => new Option(s.name, s.name)));
  $<HTMLSelectElement>('tour').append(...TOURS.map((t) => new Option(`${t.pillar}: ${t.title}`, t.name)));
  const tourName = params.get('tour');
  const tour = tourName === null ? undefined : TOURS.find((t) => t.name === tourName);
  if (tour !== undefined) $<HTMLSelectElement>('tour').value = tour.name;
  storySelect.value = tour?.story ?? params.get('story') ?? 'raft-chaos';
  if (storySelect.value === '') storySelect.value = stories[0]?.name ?? '';
  fillVariants();
  const variantSelect = $<HTMLSelectElement>('variant');
  if (params.has('variant') || tour !== undefined) variantSelect.value = tour?.variant ?? params.get('variant')!;
  if (variantSelect.value === '') variantSelect.selectedIndex = 0;
  // A seed the address gets wrong (said above) is seed 1, not the 0 an empty field would read as.
  const seed = String(tour?.seed ?? params.get('seed') ?? '1');
  $<HTMLInputElement>('seed').value = /^\d+$/.test(seed) ? seed : '1';
  $<HTMLSelectElement>('mode').value = tour === undefined && params.get('mode') === 'compare' ? 'compare' : 'one';
  if (params.has('with')) $<HTMLSelectElement>('with').value = params.get('with')!;
  pickOther();
  $<HTMLInputElement>('pause-on-red').checked = params.get('pauseOnRed') === '1';
  const speedSelect = $<HTMLSelectElement>('speed');
  if (params.has('speed')) speedSelect.value = params.get('speed')!;
  if (speedSelect.value === '') speedSelect.value = 'max';
  speed = speedSelect.value === 'max' ? Infinity : Number(speedSelect.value);

  storySelect.addEventListener('change', () => (fillVariants(), load()));
  $('variant').addEventListener('change', () => (pickOther(), load()));
  // Changing the mode or the variant beside keeps the faults struck by hand.
  const handFaults = () => compare?.handFaults ?? session?.handFaults ?? [];
  $('mode').addEventListener('change', () => load(handFaults()));
  $('with').addEventListener('change', () => load(handFaults()));
  $('tour').addEventListener('change', () => {
    const name = $<HTMLSelectElement>('tour').value;
    if (name === '') return (closeTour(), setAddress(storySelect.value, $<HTMLSelectElement>('variant').value, Number($<HTMLInputElement>('seed').value), handFaults()));
    const t = tourNamed(name);
    storySelect.value = t.story;
    fillVariants();
    $<HTMLSelectElement>('variant').value = t.variant;
    $<HTMLInputElement>('seed').value = String(t.seed);
    $<HTMLSelectElement>('mode').value = 'one';
    load();
  });
  $('seed').addEventListener('change', () => load());
  $('pause-on-red').addEventListener('change', () => {
    const url = new URL(location.href);
    if ($<HTMLInputElement>('pause-on-red').checked) url.searchParams.set('pauseOnRed', '1');
    else url.searchParams.delete('pauseOnRed');
    history.replaceState(null, '', url);
  });
  // Restarting the run keeps the faults struck by hand: the same run again, from the start.
  $('reload').addEventListener('click', () => load(handFaults()));
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
  // One run, or both sides: each variant in the file with the faults its run took by hand.
  $('export').addEventListener('click', () => {
    const yaml = session?.exportYaml() ?? compare?.pair.exportYaml();
    if (yaml === undefined) return;
    const area = $<HTMLTextAreaElement>('yaml');
    area.value = yaml;
    area.hidden = false;
    const link = $<HTMLAnchorElement>('download');
    link.href = URL.createObjectURL(new Blob([yaml], { type: 'text/yaml' }));
    link.download = `${$<HTMLSelectElement>('story').value}-lab.yaml`;
    link.hidden = false;
  });
  try {
    load(faultsFromAddress(params.get('faults')));
  } catch (e) {
    showError(e);
  }
  if (problem !== undefined) showError(`the address: ${problem}`);
  if (params.get('play') === '1') {
    playing = true;
    compare?.play();
  }
  requestAnimationFrame(frame);
}

main().catch(showError);
