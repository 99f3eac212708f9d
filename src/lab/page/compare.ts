/**
 * Side by side: two variants of one story on one seed, two stages next to each other, advanced in
 * step by virtual time (play, step and speed act on both), each with its own traceHash and verdicts.
 * A fault struck by hand on either stage strikes both at one moment (LabPair.strike). The page's
 * buttons are shared with the one-run view: this view listens to them while it is shown.
 */
import type { Fault } from '../../scenario/index.js';
import type { DiskFaultKind } from '../../sim/disk.js';
import { LabPair } from '../pair.js';
import type { LabSession, StoryFile } from '../session.js';
import { CLIENTS_DRAWN_MAX, Stage } from './stage.js';
import { verdictsView } from './verdicts.js';
import { carriedFaultItem, faultItem, struckWords } from './fault-words.js';

/** Wall time a frame may spend simulating: within a 60 Hz frame at a set speed, about 30 frames a second flat out. */
const FRAME_SIMULATION_MS = 12;
const FRAME_SIMULATION_FULL_SPEED_MS = 28;
/** Events a side runs between looks at the wall clock. */
const EVENTS_PER_CHUNK = 2_000;
/** A frame after a long pause (a hidden tab) advances as if this much wall time had passed. */
const FRAME_GAP_MAX_MS = 100;

/** What the view tells the page. */
export interface CompareHands {
  /** The hand faults changed: the address carries them. */
  faults(faults: readonly Fault[]): void;
  error(message: string): void;
}

interface SideView {
  session: LabSession;
  stage: Stage;
  hash: HTMLElement;
  verdicts: HTMLElement;
  shownEnd: boolean;
}

const byId = <E extends HTMLElement>(id: string): E => document.getElementById(id) as E;

export class CompareView {
  readonly pair: LabPair;
  private readonly sides: SideView[];
  private playing = false;
  private virtualTarget = 0;
  private lastFrame = 0;
  private readonly stop = new AbortController();

  constructor(
    box: HTMLElement,
    story: StoryFile,
    variants: readonly [string, string],
    seed: number,
    handFaults: readonly Fault[],
    private readonly hands: CompareHands,
  ) {
    this.pair = new LabPair(story, variants, seed, handFaults);
    const row = document.createElement('div');
    row.className = 'compare';
    box.replaceChildren(row);
    this.sides = this.pair.sides.map((session, i) => {
      const side = document.createElement('div');
      side.className = 'side';
      side.dataset.side = String(i);
      side.dataset.variant = session.variant.name;
      const title = Object.assign(document.createElement('h3'), { textContent: session.variant.name });
      const stageBox = document.createElement('div');
      const hash = Object.assign(document.createElement('div'), { className: 'side-hash' });
      const verdicts = Object.assign(document.createElement('div'), { className: 'side-verdicts hint', textContent: 'judged when the run ends' });
      side.append(title, stageBox, hash, verdicts);
      row.append(side);
      const stage = new Stage(stageBox, session, {
        node: (id) => this.clickNode(session, id),
        line: (from, to, altKey) => this.drawnLine(from, to, altKey),
        endLink: (kind, from, to) => (kind === 'cut' ? this.strike((s) => s.heal(from, to), 'healed') : this.strike((s) => s.speedUp(from, to), 'sped up')),
      });
      stage.svg.id = `stage-${i}`; // one page, two stages: ids stay unique
      return { session, stage, hash, verdicts, shownEnd: false };
    });
    byId('faults').replaceChildren(
      ...handFaults.map((f) => {
        const li = carriedFaultItem(f);
        li.textContent += ', on both';
        return li;
      }),
    );
    const on = (id: string, fn: () => void) => byId(id).addEventListener('click', fn, { signal: this.stop.signal });
    on('play', () => {
      if (this.pair.ended) return;
      this.playing = !this.playing;
      this.virtualTarget = this.pair.nowMs;
    });
    on('step', () => ((this.playing = false), this.pair.step()));
    on('step-message', () => ((this.playing = false), this.pair.stepMessage()));
    byId('speed').addEventListener('change', () => (this.virtualTarget = this.pair.nowMs), { signal: this.stop.signal });
    requestAnimationFrame((ts) => this.frame(ts));
  }

  /** The faults struck by hand (the left side's: both took each, unless one refused it). */
  get handFaults(): readonly Fault[] {
    return this.pair.sides[0].handFaults;
  }

  play(): void {
    this.playing = true;
  }

  /** Stop drawing and listening: the page shows another view. */
  close(): void {
    this.stop.abort();
  }

  /** A click on a server of either side: what it does is decided by that side, and done on both. */
  private clickNode(clicked: LabSession, id: string): void {
    const node = clicked.nodes(0).find((n) => n.id === id);
    if (node === undefined || this.pair.ended) return;
    if (node.heldByHand === 'crash' && node.status === 'down') this.strike((s) => s.restart(id), 'restarted');
    else if (node.heldByHand === 'pause' && node.status === 'paused') this.strike((s) => s.resume(id), 'resumed');
    else if (node.heldByHand === 'disk') this.strike((s) => s.repair(id), 'disk repaired');
    else {
      const does = byId<HTMLSelectElement>('click-does').value;
      if (does === 'pause') this.strike((s) => s.pause(id));
      else if (does === 'skew') this.strike((s) => s.skew(id, Number(byId<HTMLInputElement>('skew-ms').value)));
      else if (does === 'disk') this.strike((s) => s.failDisk(id, byId<HTMLSelectElement>('disk-fault').value as DiskFaultKind));
      else this.strike((s) => s.crash(id));
    }
  }

  /** A line drawn on either side: cut or slowed, one way with Alt or the box ticked, on both. */
  private drawnLine(from: string, to: string, altKey: boolean): void {
    const oneWay = altKey || byId<HTMLInputElement>('cut-one-way').checked;
    if (byId<HTMLSelectElement>('line-does').value === 'slow') this.strike((s) => s.slow(from, to, Number(byId<HTMLInputElement>('slow-ms').value), oneWay));
    else this.strike((s) => s.cut(from, to, oneWay));
  }

  /** Strike on both sides; `ended` names what a fault's end did (`restarted`, `healed`), listed at its end. */
  private strike(act: (s: LabSession) => Fault, ended?: string): void {
    let struck;
    try {
      struck = this.pair.strike(act);
    } catch (e) {
      return this.hands.error(e instanceof Error ? e.message : String(e));
    }
    const at = struck.find((x) => x.fault !== undefined)?.fault;
    const errors = struck.flatMap((x) => (x.error !== undefined ? [x.error] : []));
    if (at !== undefined) {
      const li = ended === undefined ? faultItem(...struckWords(at), at.at) : faultItem(struckWords(at)[0], ended, at.at + at.for!);
      li.textContent += errors.length === 0 ? ', on both' : ', on one side';
      byId('faults').append(li);
    }
    if (errors.length > 0) this.hands.error(errors.join('; '));
    this.hands.faults(this.handFaults);
    this.render();
  }

  private frame(ts: number): void {
    if (this.stop.signal.aborted) return;
    const wall = this.lastFrame === 0 ? 0 : ts - this.lastFrame;
    this.lastFrame = ts;
    this.simulate(wall);
    this.render();
    requestAnimationFrame((t) => this.frame(t));
  }

  private simulate(wallMs: number): void {
    const pair = this.pair;
    if (!this.playing || pair.ended) return;
    const start = performance.now();
    const choice = byId<HTMLSelectElement>('speed').value;
    if (choice === 'max') {
      do pair.advance(EVENTS_PER_CHUNK);
      while (!pair.ended && performance.now() - start < FRAME_SIMULATION_FULL_SPEED_MS);
      return;
    }
    this.virtualTarget = Math.max(this.virtualTarget, pair.nowMs) + (Number(choice) * Math.min(wallMs, FRAME_GAP_MAX_MS)) / 1000;
    do pair.advanceTo(this.virtualTarget, EVENTS_PER_CHUNK);
    while (!pair.ended && pair.nowMs < this.virtualTarget && performance.now() - start < FRAME_SIMULATION_MS);
  }

  private render(): void {
    const pair = this.pair;
    for (const side of this.sides) {
      const s = side.session;
      side.stage.draw(s, s.nodes(CLIENTS_DRAWN_MAX));
      side.hash.textContent = `${s.ended ? 'final traceHash' : 'traceHash so far'}: ${s.run.world.trace.hash()}`;
      side.hash.dataset.state = s.ended ? 'ended' : 'running';
      if (s.ended && !side.shownEnd) {
        side.shownEnd = true;
        side.verdicts.classList.remove('hint');
        side.verdicts.replaceChildren(...verdictsView(s.finish().report, (name) => s.checks.find((x) => x.name === name)?.failedAtMs));
      }
    }
    if (pair.ended) this.playing = false;
    const end = Math.max(...pair.sides.map((s) => s.run.endMs));
    byId('clock').textContent = `${pair.nowMs.toFixed(3)} ms of ${end} on both sides · ${pair.events.toLocaleString('en')} events · ${pair.sides.map((s) => s.flights.size).join(' + ')} in flight`;
    const status = byId('status');
    status.dataset.state = pair.ended ? 'ended' : this.playing ? 'playing' : 'paused';
    status.textContent = pair.ended ? 'both ended' : this.playing ? 'playing side by side' : 'paused side by side';
    byId('trace-hash').textContent = 'each side shows its own';
    byId<HTMLButtonElement>('play').textContent = this.playing ? 'Pause' : 'Play';
  }
}
