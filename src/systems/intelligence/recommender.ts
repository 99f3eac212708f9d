/**
 * The objective-monster story as a system: a recommender that learns from watch time (the proxy)
 * what to show, in a world where the simulation knows what the viewers want (the true objective).
 *
 * Ten styles of video, from 0 (careful, good) to 9 (clickbait): style k has clickbait c = k/9.
 * Clickbait holds people longer, so watch time grows with c; what a viewer gets out of it (the true
 * value, which the simulation knows and a survey samples with noise) falls with c, and so does their
 * patience: the chance they click "not interested" grows with c. Sessions arrive every sessionEveryMs;
 * a share `holdoutShare` of viewers is a hold-out served the starting policy, frozen; the others get
 * the learner's. The learner is a gradient bandit (Sutton and Barto 2.8) on watch time: it works,
 * watch time rises, and the true value falls with it.
 *
 * `guard: true`: an ObjectiveGuard watches the survey and the complaints, treatment against hold-out,
 * every windowMs. When it trips, the learner is rolled back to its last checkpoint that passed and
 * stops learning from watch time alone (a human decides what next).
 */
import { z } from 'zod';
import type { Context, NodeId, Process } from '../../runtime/context.js';
import { nodeRef } from '../../runtime/node-ref.js';
import { ObjectiveGuard } from '../../intelligence/index.js';

export const recommenderConfigSchema = z
  .object({
    server: nodeRef().default('n1'),
    guard: z.boolean(),
    sessionEveryMs: z.number().positive().default(50),
    holdoutShare: z.number().gt(0).lt(1).default(0.2),
    /** The share of sessions that answer the satisfaction survey. */
    surveyShare: z.number().gt(0).max(1).default(0.5),
    /** The gradient bandit's step size (watch time is scaled to [0, 1] first). */
    learningRate: z.number().positive().default(0.005),
    windowMs: z.number().positive().default(60_000),
    minSamples: z.number().int().positive().default(50),
    /** How much worse than the hold-out the treatment may be on the survey or the complaint rate. */
    margin: z.number().nonnegative().default(0.06),
  })
  .strict();
export type RecommenderConfig = z.infer<typeof recommenderConfigSchema>;

const styles = 10;
/** Minutes watched: 5 plus up to 25 more for pure clickbait, give or take 3. */
const watchMinutesBase = 5;
const watchMinutesClickbait = 25;
const watchMinutesNoise = 3;
const watchMinutesMax = watchMinutesBase + watchMinutesClickbait + 3 * watchMinutesNoise;
/** What a viewer gets out of style c: 1 for the careful end, -0.1 for pure clickbait. */
const trueValue = (c: number) => 1 - 1.1 * c;
const surveyNoise = 0.3;
const complaintChanceMax = 0.3;

export class Recommender implements Process {
  private readonly preferences = new Array<number>(styles).fill(0);
  private readonly baselinePolicy: number[];
  private checkpoint: number[];
  private rewardMean = 0;
  private rewards = 0;
  private learning = true;
  private readonly guard: ObjectiveGuard | undefined;
  /** The current window's sums, per group: sessions, watch minutes, true value. */
  private window = { treatment: { n: 0, watch: 0, value: 0 }, holdout: { n: 0, watch: 0, value: 0 } };

  constructor(
    private readonly ctx: Context,
    private readonly config: RecommenderConfig,
  ) {
    this.baselinePolicy = softmax(this.preferences);
    this.checkpoint = [...this.preferences];
    if (config.guard) {
      this.guard = new ObjectiveGuard(
        {
          metrics: [
            { name: 'satisfaction', better: 'higher' },
            { name: 'complaint', better: 'lower' },
          ],
          windowMs: config.windowMs,
          minSamples: config.minSamples,
          margin: config.margin,
        },
        ctx.now(),
      );
    }
  }

  start(): void {
    if (this.ctx.id !== this.config.server) return;
    for (const m of ['guard_trips', 'sessions']) this.ctx.metrics.count(m, 0);
    this.ctx.setTimer(this.config.sessionEveryMs, () => this.session());
    this.ctx.setTimer(this.config.windowMs, () => this.closeWindow());
  }

  private session(): void {
    this.ctx.setTimer(this.config.sessionEveryMs, () => this.session());
    const r = () => this.ctx.random();
    const group = r() < this.config.holdoutShare ? 'holdout' : 'treatment';
    const policy = group === 'holdout' ? this.baselinePolicy : softmax(this.preferences);
    const style = pick(policy, r());
    const c = style / (styles - 1);
    const watch = Math.max(0, watchMinutesBase + watchMinutesClickbait * c + watchMinutesNoise * gaussian(r));
    const value = trueValue(c);
    this.ctx.metrics.count('sessions');
    const w = this.window[group];
    w.n++;
    w.watch += watch;
    w.value += value;
    // What the guard can see: a noisy survey from some viewers, and complaints.
    if (this.guard !== undefined) {
      if (r() < this.config.surveyShare) this.guard.record(group, 'satisfaction', value + surveyNoise * gaussian(r));
      this.guard.record(group, 'complaint', r() < complaintChanceMax * c ? 1 : 0);
    }
    if (group === 'treatment' && this.learning) this.learn(style, policy, watch / watchMinutesMax);
  }

  /** The gradient bandit's step: raise the preference of a style that beat the average reward. */
  private learn(style: number, policy: readonly number[], reward: number): void {
    this.rewards++;
    this.rewardMean += (reward - this.rewardMean) / this.rewards;
    const step = this.config.learningRate * (reward - this.rewardMean);
    for (let k = 0; k < styles; k++) this.preferences[k] += k === style ? step * (1 - policy[k]) : -step * policy[k];
  }

  private closeWindow(): void {
    this.ctx.setTimer(this.config.windowMs, () => this.closeWindow());
    const t = this.window.treatment;
    const h = this.window.holdout;
    if (t.n > 0 && h.n > 0) {
      const watch = t.watch / t.n;
      const value = t.value / t.n;
      const holdoutWatch = h.watch / h.n;
      const holdoutValue = h.value / h.n;
      // The gap the story is about: how far the proxy has risen while the true objective fell, each
      // against the hold-out, which still gets the starting policy.
      const proxyLift = watch / holdoutWatch - 1;
      const trueLift = (value - holdoutValue) / Math.abs(holdoutValue);
      const m = this.ctx.metrics;
      m.gauge('watch_minutes', round3(watch));
      m.gauge('true_value', round3(value));
      m.gauge('holdout_true_value', round3(holdoutValue));
      m.gauge('proxy_lift', round3(proxyLift));
      m.gauge('true_lift', round3(trueLift));
      m.gauge('objective_gap', round3(proxyLift - trueLift));
      const clickbait = round3(softmax(this.preferences).slice(styles / 2).reduce((a, b) => a + b, 0));
      m.gauge('clickbait_share', clickbait);
      // Into the trace too, so that two runs that drifted differently have different trace hashes.
      this.ctx.log('window', { watch: round3(watch), value: round3(value), holdoutValue: round3(holdoutValue), clickbait });
    }
    this.window = { treatment: { n: 0, watch: 0, value: 0 }, holdout: { n: 0, watch: 0, value: 0 } };
    const verdict = this.guard?.assess(this.ctx.now());
    if (verdict === undefined || verdict.kind === 'waiting' || verdict.kind === 'insufficient' || verdict.kind === 'suspect') return;
    if (verdict.kind === 'pass') {
      this.checkpoint = [...this.preferences];
      return;
    }
    if (!this.learning) return;
    this.ctx.metrics.count('guard_trips');
    this.ctx.log('objective_guard_trip', { worse: verdict.worse.map((w) => `${w.name} ${round3(w.treatment)} vs ${round3(w.holdout)}`).join(', ') });
    this.preferences.splice(0, styles, ...this.checkpoint);
    this.learning = false;
  }

  onMessage(_from: NodeId, _msg: unknown): void {}
}

function softmax(h: readonly number[]): number[] {
  const max = Math.max(...h);
  const e = h.map((x) => Math.exp(x - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}

function pick(p: readonly number[], u: number): number {
  let acc = 0;
  for (let k = 0; k < p.length; k++) {
    acc += p[k];
    if (u < acc) return k;
  }
  return p.length - 1;
}

/** A standard normal draw (Box-Muller). */
function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export const recommender = (ctx: Context, config: RecommenderConfig): Process => new Recommender(ctx, config);
