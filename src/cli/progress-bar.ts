/**
 * Progress on stderr, for a terminal only: `label [bar] 12/200 note | eta 35s`, redrawn in place and
 * fitted to the terminal's width (a note too long is dropped, the bar takes the room left; the count
 * and the eta stay).
 * The eta is hidden until something has finished: before that it could only be a guess (eta 0s).
 */
import { performance } from 'node:perf_hooks';

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): boolean;
}

/** The bar's width when the terminal has room; narrower than the minimum it is left out. */
const BAR_COLUMNS_MAX = 30;
const BAR_COLUMNS_MIN = 8;
/** Redraws at most this often: a sweep finishes runs far faster than a person reads. */
const REDRAW_INTERVAL_MS = 100;
const COLUMNS_DEFAULT = 80;

export interface ProgressState {
  label: string;
  /** Work finished, in the unit of total (may be fractional: 3.4 of 52 stories). */
  done: number;
  /** Undefined when the total is not known (a shrink): no bar, no eta, the note and the time spent. */
  total?: number;
  /** Of done, what was done before the clock started (runs answered from stored results): not in the eta's rate. */
  doneBefore?: number;
  note?: string;
  elapsedMs: number;
  columns: number;
}

const seconds = (ms: number) => {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
};

/** The progress line, pure: what a redraw writes, never wider than `columns`. */
export function progressLine(p: ProgressState): string {
  const total = p.total;
  const count = total === undefined ? '' : `${Math.floor(p.done)}/${total}`;
  const doneHere = p.done - (p.doneBefore ?? 0);
  const time = total === undefined || doneHere <= 0 ? `${seconds(p.elapsedMs)}` : `eta ${seconds((p.elapsedMs / doneHere) * Math.max(0, total - p.done))}`;
  const tail = [count, p.note ?? ''].filter((x) => x !== '').join(' ');
  const fixed = (note: boolean) => `${p.label} ${note ? tail : count} | ${time}`.replace(/  +/g, ' ');
  let line = fixed(true);
  if (line.length > p.columns - 1) line = fixed(false);
  if (line.length > p.columns - 1) line = line.slice(0, p.columns - 1);
  const room = p.columns - 1 - line.length - 1;
  if (total === undefined || room < BAR_COLUMNS_MIN) return line;
  const width = Math.min(BAR_COLUMNS_MAX, room);
  const filled = Math.round((width * Math.min(p.done, total)) / Math.max(1, total));
  const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
  return `${p.label} ${bar}${line.slice(p.label.length)}`;
}

/** A redrawn progress line on a terminal; on anything else it writes nothing. */
export class ProgressBar {
  private readonly startMs: number;
  private lastDrawMs = -Infinity;
  private shown = false;

  private readonly stream: ProgressStream;
  private readonly clockMs: () => number;
  private readonly doneBefore: number;

  constructor(
    private readonly label: string,
    private readonly total: number | undefined,
    o: { stream?: ProgressStream; clockMs?: () => number; doneBefore?: number } = {},
  ) {
    this.stream = o.stream ?? process.stderr;
    this.clockMs = o.clockMs ?? (() => performance.now());
    this.doneBefore = o.doneBefore ?? 0;
    this.startMs = this.clockMs();
  }

  get active(): boolean {
    return this.stream.isTTY === true;
  }

  update(done: number, note?: string, force = false): void {
    if (!this.active) return;
    const now = this.clockMs();
    if (!force && now - this.lastDrawMs < REDRAW_INTERVAL_MS) return;
    this.lastDrawMs = now;
    const columns = this.stream.columns || COLUMNS_DEFAULT; // a terminal of unknown size says 0
    this.stream.write(`\r${progressLine({ label: this.label, done, total: this.total, doneBefore: this.doneBefore, note, elapsedMs: now - this.startMs, columns })}\x1b[K`);
    this.shown = true;
  }

  /** Clear the line, so that what is printed next starts at the left edge of an empty line. */
  stop(): void {
    if (this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}
