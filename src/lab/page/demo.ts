/**
 * `pillars demo` live in the page (`?demo=1`): the shopping day, naive and fixed platforms in step,
 * one panel per pillar as the demo's report has them, each with the report's charts filling as the
 * day goes on and the faults and the spike shaded as they strike. When the day ends, each panel says
 * whether the fixed platform prevented its failure, with the numbers, and both traceHashes are those
 * `pillars demo` prints for the same seed.
 */
import { pillarPanels } from '../../web/pillar-panels.js';
import { formatNumber } from '../../runtime/number-format.js';
import { DEMO_PLATFORMS, DemoSession } from '../demo-session.js';
import type { StoryFile } from '../session.js';
import { LiveChartView } from './charts.js';

/** The platform scenario's story name, as the lab's server lists scenarios/ecommerce.yaml. */
const DEMO_STORY = 'ecommerce';
/** Wall time a frame may spend simulating before it draws: as the lab's full speed. */
const FRAME_SIMULATION_MS = 28;
const EVENTS_PER_CHUNK = 2_000;

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
};

export function startDemo(stories: readonly (StoryFile & { name: string })[], params: URLSearchParams): void {
  const box = document.getElementById('demo')!;
  // The lab's own controls pick a story; the day has its own.
  document.getElementById('lab')!.hidden = true;
  for (const c of document.querySelectorAll<HTMLElement>('header > :not(h1)')) c.hidden = true;
  box.hidden = false;
  const story = stories.find((s) => s.name === DEMO_STORY);
  if (story === undefined) {
    box.append(el('p', { id: 'demo-error' }, `no ${DEMO_STORY}.yaml among the lab's stories: the demo runs the platform scenario`));
    return;
  }
  const seedText = params.get('seed');
  const seed = seedText === null ? undefined : Number(seedText);
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0)) {
    box.append(el('p', { id: 'demo-error' }, `seed: a whole number >= 0 (got "${seedText}")`));
    return;
  }
  const day = new DemoSession(story, seed);
  let playing = params.get('play') === '1';

  const play = el('button', { id: 'demo-play' });
  const clock = el('span', { id: 'demo-clock' });
  const rateText = el('span', { id: 'demo-rate' });
  const status = el('span', { id: 'demo-status' });
  play.addEventListener('click', () => {
    playing = !playing && !day.ended;
  });
  box.append(
    el('h2', {}, `${day.scenario.name}: the five pillars, naive against fixed, live`),
    el('p', { className: 'hint' }, day.scenario.description ?? ''),
    el('p', {}, play, ' ', status, ' · ', clock, ' ', rateText, ' · ', el('a', { href: '?' }, 'back to the lab')),
  );
  const views = day.panels.map(({ section, charts }) => {
    const verdict = el('p', { className: 'pillar-verdict' });
    const chartsBox = el('div');
    box.append(
      el(
        'section',
        { id: `pillar-${section.pillar}` },
        el('h2', {}, el('span', { className: `pillar pillar-${section.pillar}` }, section.pillar), section.title),
        el('p', { className: 'panel-text' }, `What happened: ${section.event}. Naive: ${section.naiveChoice}. Fixed: ${section.choice}.`),
        chartsBox,
        verdict,
      ),
    );
    return { view: new LiveChartView(chartsBox, charts), verdict };
  });
  const results = el('section', { id: 'demo-results' }, el('p', { className: 'hint' }, 'Each pillar is judged when the day ends.'));
  box.append(results);

  const rate = { events: 0, wallMs: 0, perSec: 0 };
  let lastFrame = 0;
  let shownEnd = false;
  const frame = (ts: number) => {
    const wall = lastFrame === 0 ? 0 : ts - lastFrame;
    lastFrame = ts;
    if (playing && !day.ended) {
      const start = performance.now();
      let ran = 0;
      do ran += day.advance(EVENTS_PER_CHUNK);
      while (!day.ended && performance.now() - start < FRAME_SIMULATION_MS);
      rate.events += ran;
      rate.wallMs += wall;
      if (rate.wallMs >= 1000) {
        rate.perSec = Math.round((rate.events * 1000) / rate.wallMs);
        rate.events = rate.wallMs = 0;
      }
    }
    for (const v of views) v.view.update(day.ended);
    clock.textContent = `${(day.nowMs / 1000).toFixed(1)} s of ${(day.runs[0].endMs / 1000).toFixed(0)} · ${day.events.toLocaleString('en')} events`;
    rateText.dataset.eventsPerSec = String(rate.perSec);
    rateText.textContent = rate.perSec > 0 ? `· ${rate.perSec.toLocaleString('en')} events/s` : '';
    if (day.ended && !shownEnd) {
      shownEnd = true;
      playing = false;
      showVerdicts(day, views.map((v) => v.verdict), results);
    }
    status.dataset.state = day.ended ? 'ended' : playing ? 'playing' : 'paused';
    status.textContent = day.ended ? 'the day has ended' : playing ? 'the day goes on' : 'paused';
    play.textContent = playing ? 'Pause' : 'Play';
    play.disabled = day.ended;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

/** Each pillar's verdict under its charts, as the demo's report words it; then both runs' checks and traceHashes. */
function showVerdicts(day: DemoSession, verdictBoxes: readonly HTMLElement[], results: HTMLElement): void {
  const { results: runs, verdicts } = day.finish();
  pillarPanels(verdicts).forEach((panel, i) => {
    const v = verdicts[i];
    const box = verdictBoxes[i];
    box.dataset.prevented = String(v.prevented);
    box.className = `pillar-verdict ${v.prevented ? 'verdict-ok' : 'verdict-bad'}`;
    // The panel's text after its choices: "Prevented: ..." or "NOT prevented: ...".
    box.textContent = panel.text!.slice(panel.text!.indexOf(v.prevented ? 'Prevented:' : 'NOT prevented:'));
  });
  const table = el('table');
  runs.forEach((r, i) => {
    const tr = el('tr', {}, el('td', {}, DEMO_PLATFORMS[i]), el('td', { className: r.report.met ? 'verdict-ok' : 'verdict-bad' }, `expects ${r.report.expect}: ${r.report.met ? 'met' : 'NOT met'}`));
    tr.append(el('td', {}, r.report.checks.map((c) => `${c.name} ${c.ok ? 'ok' : 'FAIL'}`).join(', ')), el('td', { className: 'trace-hash' }, r.report.traceHash));
    tr.dataset.platform = DEMO_PLATFORMS[i];
    table.append(tr);
  });
  const held = verdicts.filter((v) => v.prevented).length;
  results.replaceChildren(el('h2', {}, `The day: ${held} of ${verdicts.length} pillars held (${formatNumber(day.events)} events)`), table);
}
