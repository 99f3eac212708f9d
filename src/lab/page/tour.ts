/**
 * A guided tour's panel: the stop the run stands at, the seeds' words for it, what the run shows,
 * and Back / Next. Next plays on to the next stop; Back runs the story again, unseen, to the stop
 * before (the run cannot go backwards, but it is deterministic, so a replay to a stop is that stop).
 */
import type { TourGuide } from '../tour-guide.js';
import { SEED_TITLES, type Tour } from '../tours.js';

export interface TourHands {
  next(): void;
  back(): void;
  /** Put this variant beside the tour's, side by side, on the same seed and faults. */
  compare(variant: string): void;
}

export class TourPanel {
  private readonly body = document.createElement('div');
  private readonly backButton = Object.assign(document.createElement('button'), { id: 'tour-back', textContent: 'Back' });
  private readonly nextButton = Object.assign(document.createElement('button'), { id: 'tour-next', textContent: 'Next' });

  constructor(
    private readonly box: HTMLElement,
    readonly tour: Tour,
    private readonly hands: TourHands,
  ) {
    const head = Object.assign(document.createElement('h2'), { textContent: `Tour · ${tour.pillar} · ${tour.title}` });
    const buttons = document.createElement('div');
    buttons.className = 'tour-buttons';
    buttons.append(this.backButton, this.nextButton);
    box.replaceChildren(head, this.body, buttons);
    box.hidden = false;
    this.backButton.addEventListener('click', () => hands.back());
    this.nextButton.addEventListener('click', () => hands.next());
  }

  /** Show where the guide stands: its stop's words, or what comes next. */
  show(guide: TourGuide, nowMs: number): void {
    const stops = this.tour.stops;
    const i = guide.reached;
    const stop = guide.current;
    this.box.dataset.stop = String(i);
    this.backButton.disabled = i < 0;
    this.nextButton.disabled = guide.next === undefined;
    this.nextButton.textContent = i < 0 ? 'Start' : 'Next';
    if (stop === undefined) {
      const intro = Object.assign(document.createElement('p'), { textContent: `${stops.length} stops on ${this.tour.story}, variant ${this.tour.variant}, seed ${this.tour.seed}. The run pauses at each; Next plays on to the next.` });
      this.body.replaceChildren(intro);
      return;
    }
    const title = Object.assign(document.createElement('h3'), { className: 'tour-title', textContent: `${i + 1} of ${stops.length} · ${stop.title} · ${nowMs.toFixed(1)} ms` });
    const quotes = stop.quotes.map((q) => {
      const b = document.createElement('blockquote');
      b.append(Object.assign(document.createElement('p'), { textContent: q.text }));
      b.append(Object.assign(document.createElement('cite'), { textContent: SEED_TITLES[q.seed] ?? q.seed }));
      return b;
    });
    const say = Object.assign(document.createElement('p'), { className: 'tour-say', textContent: stop.say });
    const other = this.tour.compareWith;
    const after: HTMLElement[] = [];
    if (guide.next === undefined && other !== undefined) {
      const button = Object.assign(document.createElement('button'), { id: 'tour-compare', textContent: `Run ${this.tour.variant} and ${other} side by side` });
      button.addEventListener('click', () => this.hands.compare(other));
      after.push(button);
    }
    this.body.replaceChildren(title, ...quotes, say, ...after);
  }

  close(): void {
    this.box.hidden = true;
    this.box.replaceChildren();
  }
}
