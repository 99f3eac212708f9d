/**
 * `pillars demo` in the lab: the e-commerce platform's shopping day, naive and fixed, run as the
 * command runs them (the same scenario, runVariant's VariantRun, captured for the report, the fixed
 * platform's comparisons reading what naive measured) but in step, piece by piece, so that the page
 * draws one panel per pillar, like the demo's report, while the day goes on. Each run's traceHash
 * is the command's. No DOM here: src/lab/page/demo.ts draws what this says.
 */
import { parseScenario, VariantRun, type RunResult, type Scenario } from '../scenario/index.js';
import { judgePillars, pillarSections, type PillarSection, type PillarVerdict } from '../platform/ecommerce/pillar-report.js';
import { LiveCharts } from './live-charts.js';
import type { StoryFile } from './session.js';

/** The platforms the demo compares, in the order it runs them: naive first, as `pillars demo` does. */
export const DEMO_PLATFORMS = ['naive', 'fixed'] as const;

/** How far one platform may run ahead of the other, in virtual ms: the two stay in step to the eye. */
const IN_STEP_MS = 10;

export interface DemoPanel {
  section: PillarSection;
  charts: LiveCharts;
}

export class DemoSession {
  readonly scenario: Scenario;
  readonly runs: readonly VariantRun[];
  readonly panels: readonly DemoPanel[];
  /** What each platform's finished run measured: the fixed platform's compare checks read naive's. */
  private readonly peers = new Map<string, Record<string, number>>();
  private readonly results: (RunResult | undefined)[] = [];

  constructor(story: StoryFile, seed?: number) {
    this.scenario = parseScenario(story.text, story.file);
    const pick = (name: string) => {
      const v = this.scenario.variants.find((x) => x.name === name);
      if (v === undefined) throw new Error(`${story.file} has no variant ${name}: the demo compares naive and fixed`);
      return v;
    };
    // Peers are read when a run is judged, not while it runs: fixed runs beside naive and is judged after it.
    this.runs = DEMO_PLATFORMS.map((name) => new VariantRun(pick(name), { seed, scenario: this.scenario.name, peers: this.peers, capture: true }));
    const lines = this.runs.map((run, i) => ({ name: DEMO_PLATFORMS[i], run }));
    this.panels = pillarSections.map((section) => ({ section, charts: new LiveCharts(`pillar-${section.pillar}`, section.series, lines) }));
  }

  get ended(): boolean {
    return this.runs.every((r) => r.ended);
  }

  /** Virtual time reached by both platforms (the one behind). */
  get nowMs(): number {
    const going = this.runs.filter((r) => !r.ended);
    return going.length === 0 ? Math.max(...this.runs.map((r) => r.world.now)) : Math.min(...going.map((r) => r.world.now));
  }

  get events(): number {
    return this.runs.reduce((n, r) => n + r.world.events, 0);
  }

  /**
   * Run up to `eventsMax` events, each piece on the platform behind in virtual time, to at most
   * IN_STEP_MS past the other; returns the events run.
   */
  advance(eventsMax: number): number {
    let ran = 0;
    while (ran < eventsMax && !this.ended) {
      const i = this.behind();
      const [run, other] = [this.runs[i], this.runs[1 - i]];
      ran += run.advance(eventsMax - ran, other.ended ? Infinity : Math.max(other.world.now, run.world.now) + IN_STEP_MS);
      this.judgeEnded();
    }
    return ran;
  }

  /** Both judged runs, and each pillar's verdict, once the day has ended for both. */
  finish(): { results: RunResult[]; verdicts: PillarVerdict[] } {
    if (!this.ended) throw new Error('the shopping day has not ended: advance it first');
    this.judgeEnded();
    const results = this.results as RunResult[];
    return { results, verdicts: judgePillars(results[0].report, results[1].report) };
  }

  private behind(): number {
    const [a, b] = this.runs;
    if (a.ended) return 1;
    if (b.ended) return 0;
    // Ties go to naive: it runs first in the command too.
    return b.world.now < a.world.now ? 1 : 0;
  }

  /** Judge each run as it ends, in the command's order: naive's metrics must be there when fixed is judged. */
  private judgeEnded(): void {
    for (let i = 0; i < this.runs.length; i++) {
      if (this.results[i] !== undefined || !this.runs[i].ended) return;
      const r = this.runs[i].finish();
      this.results[i] = r;
      this.peers.set(DEMO_PLATFORMS[i], r.report.metrics);
    }
  }
}
