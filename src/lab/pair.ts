/**
 * Two variants of one story on one seed, side by side and in step: both runs advance to the same
 * virtual time, and a fault struck by hand strikes both at the same moment. Each side is a whole
 * LabSession, so each ends with its own verdicts, and its traceHash is the one `pillars run
 * --variant V --seed N` prints with the same faults in the file.
 *
 * In step means: after advanceTo(T), every event at or before T has run on both sides and none after
 * (a side that has ended stays ended). Full speed lets the side behind lead by a slice of events, and
 * sync() brings the other up before a fault strikes, so that one moment lies between the events run
 * and the events pending on both sides.
 */
import type { Fault } from '../scenario/index.js';
import { LabSession, scenarioYaml, type StoryFile } from './session.js';
import { roundTimeBetween } from './strike-time.js';

/** The two sides, left and right. */
export type Sides = readonly [LabSession, LabSession];

/** What a fault by hand did on one side: the fault, or why that side refused it. */
export type SideStrike = { fault: Fault; error?: undefined } | { fault?: undefined; error: string };

export class LabPair {
  readonly sides: Sides;

  constructor(story: StoryFile, variants: readonly [string, string], seed: number, handFaults: readonly Fault[] = []) {
    if (variants[0] === variants[1]) throw new Error(`side by side needs two variants (got ${variants[0]} twice)`);
    this.sides = [new LabSession(story, variants[0], seed, handFaults), new LabSession(story, variants[1], seed, handFaults)];
  }

  /** The virtual time both sides have reached (a side that has ended has reached every time). */
  get nowMs(): number {
    const live = this.sides.filter((s) => !s.ended);
    return live.length === 0 ? Math.max(...this.sides.map((s) => s.nowMs)) : Math.min(...live.map((s) => s.nowMs));
  }

  get ended(): boolean {
    return this.sides.every((s) => s.ended);
  }

  get events(): number {
    return this.sides[0].events + this.sides[1].events;
  }

  /** Run both sides to `untilMs` (every event at or before it), at most `eventsMax` events each; returns the events run. */
  advanceTo(untilMs: number, eventsMax = Infinity): number {
    let ran = 0;
    for (const s of this.sides) ran += s.advance(eventsMax, untilMs);
    return ran;
  }

  /** As fast as it goes: the side behind runs `eventsMax` events, and the other catches up to it. */
  advance(eventsMax: number): number {
    const live = this.sides.filter((s) => !s.ended);
    if (live.length === 0) return 0;
    const behind = live.reduce((a, b) => (b.nowMs < a.nowMs ? b : a));
    let ran = behind.advance(eventsMax);
    const target = behind.ended ? Infinity : behind.nowMs;
    for (const s of live) if (s !== behind) ran += s.advance(eventsMax, target);
    return ran;
  }

  /** Both sides to the next instant at which either has an event: one step, on both. */
  step(): number {
    this.sync();
    const next = Math.min(...this.sides.filter((s) => !s.ended).map((s) => s.run.world.scheduler.peekTime()));
    return next === Infinity ? this.advanceTo(Infinity) : this.advanceTo(next);
  }

  /** Step until a message is delivered or dropped on either side (or both runs end). */
  stepMessage(): number {
    const fates = () => this.sides.reduce((n, s) => n + s.flights.delivered + s.flights.dropped, 0);
    const before = fates();
    let ran = 0;
    while (!this.ended && fates() === before) ran += this.step();
    return ran;
  }

  /** Bring the side behind up to the other, so that both stand at one virtual time. */
  sync(): void {
    this.advanceTo(Math.max(...this.sides.filter((s) => !s.ended).map((s) => s.nowMs)));
  }

  /**
   * The scenario file that replays both sides: each variant with the faults its side took by hand, so
   * that `pillars run <file> --variant V` ends at that side's traceHash.
   */
  exportYaml(): string {
    const [left] = this.sides;
    return scenarioYaml(left.story, left.scenario, left.seed, this.sides);
  }

  /**
   * Strike what `act` does (a crash, a cut, their ends) on both sides at one moment: the roundest
   * time after every event run and before every event pending, on both. A side that refuses (its
   * variant has no such server, the server is down already) says why; the other still takes it.
   */
  strike(act: (s: LabSession) => Fault): SideStrike[] {
    this.sync();
    const live = this.sides.filter((s) => !s.ended);
    if (live.length === 0) throw new Error('both runs have ended: no more faults');
    const windows = live.map((s) => s.strikeWindow());
    const atMs = roundTimeBetween(Math.max(...windows.map((w) => w.afterMs)), Math.min(...windows.map((w) => w.beforeMs)));
    return this.sides.map((s): SideStrike => {
      if (s.ended) return { error: `${s.variant.name} has ended` };
      try {
        return { fault: s.strikeAt(atMs, () => act(s)) };
      } catch (e) {
        return { error: `${s.variant.name}: ${e instanceof Error ? e.message : String(e)}` };
      }
    });
  }
}
