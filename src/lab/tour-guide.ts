/**
 * A tour's guide over a live run: it runs the session toward the tour's next stop and no further,
 * so the page pauses exactly at the moment the stop names: right after the event whose record
 * matches, once every event at or before the stop's time has run, or at the end. It reads the run's
 * trace records and never steers the run: the traceHash is the one `pillars run` prints.
 */
import type { LabSession } from './session.js';
import type { RecordPattern, Tour, TourStop } from './tours.js';

export class TourGuide {
  /** The index of the last stop reached (-1: none yet). */
  private reachedIndex = -1;
  /** The next stop's record pattern has matched a record the run made. */
  private matched = false;

  constructor(
    readonly tour: Tour,
    readonly session: LabSession,
  ) {
    if (session.variant.name !== tour.variant || session.seed !== tour.seed) throw new Error(`tour ${tour.name}: runs ${tour.variant} on seed ${tour.seed} (got ${session.variant.name}, seed ${session.seed})`);
    session.listen((r) => {
      const at = this.next?.at;
      if (at !== undefined && 'on' in at && !this.matched && recordMatches(at.on, r)) this.matched = true;
    });
  }

  get reached(): number {
    return this.reachedIndex;
  }

  /** The stop the run stands at, if it has reached one. */
  get current(): TourStop | undefined {
    return this.tour.stops[this.reachedIndex];
  }

  /** The stop the run goes to next, if any is left. */
  get next(): TourStop | undefined {
    return this.tour.stops[this.reachedIndex + 1];
  }

  /**
   * Run toward the next stop: at most `eventsMax` events, none later than `untilMs`. `stopped` is
   * true when the run has just reached the next stop (the page pauses there).
   */
  advance(eventsMax: number, untilMs = Infinity): { ran: number; stopped: boolean } {
    const s = this.session;
    const at = this.next?.at;
    let ran = 0;
    if (at === undefined || 'end' in at) ran = s.advance(eventsMax, untilMs);
    else if ('ms' in at) ran = s.advance(eventsMax, Math.min(untilMs, at.ms));
    else {
      // One event at a time, so the run stops right after the one whose record matches, and its
      // clock at that event's time (not moved on to the next slice's boundary).
      const w = s.run.world;
      while (ran < eventsMax && !this.matched && !s.ended && !(s.nowMs >= untilMs && w.scheduler.peekTime() > untilMs)) ran += s.advance(1, Math.min(untilMs, w.scheduler.peekTime()));
    }
    const stopped = at !== undefined && this.isAt(at);
    if (stopped) {
      this.reachedIndex++;
      this.matched = false;
    }
    return { ran, stopped };
  }

  /** Run, unseen, to stop `index` (or the end, if the run ends before it); returns the events run. */
  runTo(index: number): number {
    let ran = 0;
    while (this.reachedIndex < index && this.next !== undefined) {
      const ended = this.session.ended;
      ran += this.advance(Infinity).ran;
      if (ended) break; // the run ended before this stop: it is not reached
    }
    return ran;
  }

  private isAt(at: TourStop['at']): boolean {
    const s = this.session;
    if ('end' in at) return s.ended;
    if ('ms' in at) return s.nowMs >= at.ms && (s.ended || s.run.world.scheduler.peekTime() > at.ms);
    return this.matched;
  }
}

/** Every field of the pattern matches the record's (a dotted name reaches inside). */
export function recordMatches(pattern: RecordPattern, r: Readonly<Record<string, unknown>>): boolean {
  for (const [path, want] of Object.entries(pattern)) {
    let v: unknown = r;
    for (const k of path.split('.')) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined;
    if (typeof want === 'object') {
      if (typeof v !== 'number' || (want.min !== undefined && v < want.min) || (want.max !== undefined && v > want.max)) return false;
    } else if (v !== want) return false;
  }
  return true;
}
