/**
 * The correlated-models story as a system: a card-payment fraud screen in which several models
 * vote on every transaction, and a fraud tactic shifts midway (fraud-world.ts).
 *
 * Members are logistic models (each on chosen features, fitted at start on the same pre-shift
 * history, as is or as a bootstrap resample of it, and optionally refitted on the latest transactions
 * whose outcome has become known) or a hand-written rule. Each member says fraud or
 * not; a majority declines. With `disagreementGuard`, a transaction on which the members disagree
 * (some say fraud, not a majority) is held for an analyst instead of approved: the members' disagreement
 * is the signal that one of them sees what the others were never trained to see.
 *
 * Measured after the shift: each member's errors as a 0/1 series over the transactions, their mean
 * pairwise Pearson correlation, the share of transactions every member got wrong against the product
 * of their error rates (what independent members would give), and the screen's miss rate on fraud.
 */
import { z } from 'zod';
import type { Context, NodeId, Process } from '../../../runtime/context.js';
import { nodeRef } from '../../../runtime/node-ref.js';
import { pearson } from '../../../intelligence/index.js';
import { drawTransaction, featureNames, modelInput, type Tactic, type Transaction } from './fraud-world.js';
import { fitLogistic, predictLogistic } from './logistic.js';

const memberSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('logistic'),
      features: z.array(z.enum(featureNames)).min(1),
      /**
       * shared: the pre-shift history as it is; bootstrap: a resample of it (the usual way to make
       * members "differ"); recent: the shared history at first, then refitted every `refitEvery`
       * labels on the last `windowLabels` transactions whose outcome is known (a different training window).
       */
      trainedOn: z.enum(['shared', 'bootstrap', 'recent']).default('shared'),
      windowLabels: z.number().int().positive().default(3000),
      refitEvery: z.number().int().positive().default(1000),
    })
    .strict(),
  z.object({ kind: z.literal('rules'), velocityPerHourMin: z.number().positive(), distanceKmMin: z.number().positive() }).strict(),
]);
export type FraudMemberSpec = z.infer<typeof memberSchema>;

export const fraudScreenConfigSchema = z
  .object({
    server: nodeRef().default('n1'),
    members: z.array(memberSchema).min(1),
    disagreementGuard: z.boolean().default(false),
    transactionEveryMs: z.number().positive().default(10),
    shiftAtMs: z.number().nonnegative().default(30_000),
    /** Transactions stop here and the numbers are taken. */
    runForMs: z.number().positive().default(60_000),
    fraudShare: z.number().gt(0).lt(1).default(0.02),
    /** After the shift, the share of fraud that uses the new tactic (the rest keeps the old one). */
    newTacticShare: z.number().min(0).max(1).default(0.8),
    historyTransactions: z.number().int().positive().default(4000),
    /** How long after a transaction its outcome (a chargeback, or none) is known. */
    labelDelayMs: z.number().nonnegative().default(2000),
    /** A model says fraud above this probability. */
    threshold: z.number().gt(0).lt(1).default(0.5),
  })
  .strict()
  .refine((c) => c.shiftAtMs < c.runForMs, { message: 'shiftAtMs must come before runForMs', path: ['shiftAtMs'] });
export type FraudScreenConfig = z.infer<typeof fraudScreenConfigSchema>;

type Verdict = (t: Transaction) => boolean;
type Decision = 'approve' | 'review' | 'decline';

/** A member's own miss rate on fraud above which it counts as failing the shift. */
const MEMBER_FAILING_MISS_RATE = 0.5;

export class FraudScreen implements Process {
  private readonly members: Verdict[] = [];
  /** After the shift, per member, 1 where it was wrong, per transaction. */
  private readonly memberErrors: number[][];
  private readonly memberMissedFraud: number[];
  private readonly tally = { before: newTally(), after: newTally() };
  private fraudLossesAfterUsd = 0;
  /** Transactions whose outcome is not known yet, oldest first, and the known ones, newest last. */
  private readonly awaitingLabel: { at: number; t: Transaction; fraud: 0 | 1 }[] = [];
  private readonly labelled: { t: Transaction; fraud: 0 | 1 }[] = [];
  private labelsSinceStart = 0;
  /** The members that learn from recent labels: each refits itself. */
  private readonly refits: { every: number; refit: () => void }[] = [];

  constructor(
    private readonly ctx: Context,
    private readonly config: FraudScreenConfig,
  ) {
    this.memberErrors = config.members.map(() => []);
    this.memberMissedFraud = config.members.map(() => 0);
  }

  start(): void {
    if (this.ctx.id !== this.config.server) return;
    this.train();
    this.ctx.metrics.count('transactions', 0);
    this.ctx.setTimer(this.config.transactionEveryMs, () => this.transaction());
    this.ctx.setTimer(this.config.runForMs, () => this.summarise());
  }

  /** Every model learns from one history drawn from the world before the shift: the data all teams share. */
  private train(): void {
    const r = () => this.ctx.random();
    const history: { t: Transaction; fraud: 0 | 1 }[] = [];
    for (let i = 0; i < this.config.historyTransactions; i++) {
      const fraud = r() < this.config.fraudShare;
      history.push({ t: drawTransaction(fraud ? 'old' : 'legit', r), fraud: fraud ? 1 : 0 });
    }
    for (const spec of this.config.members) {
      if (spec.kind === 'rules') {
        this.members.push((t) => t.velocityPerHour >= spec.velocityPerHourMin || t.distanceKm >= spec.distanceKmMin);
        continue;
      }
      const rows = spec.trainedOn === 'bootstrap' ? history.map(() => history[Math.floor(r() * history.length)]) : history;
      let fit = fitLogistic(
        rows.map((h) => modelInput(h.t, spec.features)),
        rows.map((h) => h.fraud),
      );
      if (spec.trainedOn === 'recent') {
        this.refits.push({
          every: spec.refitEvery,
          refit: () => {
            const recent = this.labelled.slice(-spec.windowLabels);
            // A window without a single fraud has nothing to teach: keep the last fit.
            if (!recent.some((h) => h.fraud === 1)) return;
            fit = fitLogistic(
              recent.map((h) => modelInput(h.t, spec.features)),
              recent.map((h) => h.fraud),
            );
          },
        });
      }
      this.members.push((t) => predictLogistic(fit, modelInput(t, spec.features)) > this.config.threshold);
    }
  }

  private transaction(): void {
    const now = this.ctx.now();
    if (now + this.config.transactionEveryMs < this.config.runForMs) this.ctx.setTimer(this.config.transactionEveryMs, () => this.transaction());
    const r = () => this.ctx.random();
    const after = now >= this.config.shiftAtMs;
    const fraud = r() < this.config.fraudShare;
    const tactic: Tactic = !fraud ? 'legit' : after && r() < this.config.newTacticShare ? 'new' : 'old';
    const t = drawTransaction(tactic, r);
    this.learnOutcomesKnownBy(now);
    this.awaitingLabel.push({ at: now, t, fraud: fraud ? 1 : 0 });
    const votes = this.members.map((m) => m(t));
    const flags = votes.filter(Boolean).length;
    const decision: Decision = 2 * flags > votes.length ? 'decline' : this.config.disagreementGuard && flags > 0 ? 'review' : 'approve';
    this.ctx.metrics.count('transactions');
    if (decision !== 'approve') this.ctx.log('screened', { tactic, decision, flags });
    const tally = after ? this.tally.after : this.tally.before;
    tally.n++;
    tally[decision]++;
    if (fraud) {
      tally.fraud++;
      if (decision === 'approve') tally.fraudApproved++;
      if (decision === 'approve' && after) this.fraudLossesAfterUsd += t.amount;
    } else if (decision === 'decline') tally.legitDeclined++;
    if (!after) return;
    votes.forEach((v, i) => {
      const wrong = v !== fraud;
      this.memberErrors[i].push(wrong ? 1 : 0);
      if (fraud && wrong) this.memberMissedFraud[i]++;
    });
  }

  private learnOutcomesKnownBy(now: number): void {
    let known = 0;
    while (known < this.awaitingLabel.length && this.awaitingLabel[known].at + this.config.labelDelayMs <= now) known++;
    if (known === 0) return;
    for (const l of this.awaitingLabel.splice(0, known)) {
      this.labelled.push({ t: l.t, fraud: l.fraud });
      this.labelsSinceStart++;
      for (const m of this.refits) if (this.labelsSinceStart % m.every === 0) m.refit();
    }
    // Keep no more than the widest window needs.
    const keep = Math.max(0, ...this.config.members.map((m) => (m.kind === 'logistic' && m.trainedOn === 'recent' ? m.windowLabels : 0)));
    if (this.labelled.length > 2 * keep) this.labelled.splice(0, this.labelled.length - keep);
  }

  private summarise(): void {
    const m = this.ctx.metrics;
    const { before, after } = this.tally;
    const pct = (x: number, of: number) => (of === 0 ? 0 : round2((100 * x) / of));
    m.gauge('fraud_before', before.fraud);
    m.gauge('fraud_after', after.fraud);
    m.gauge('fraud_missed_before_pct', pct(before.fraudApproved, before.fraud));
    m.gauge('fraud_missed_after_pct', pct(after.fraudApproved, after.fraud));
    m.gauge('fraud_losses_after_usd', Math.round(this.fraudLossesAfterUsd));
    m.gauge('false_decline_pct', pct(before.legitDeclined + after.legitDeclined, before.n + after.n - before.fraud - after.fraud));
    m.gauge('review_pct', pct(before.review + after.review, before.n + after.n));
    const missRates = this.memberMissedFraud.map((x) => (after.fraud === 0 ? 0 : x / after.fraud));
    m.gauge('members_failing_after', missRates.filter((x) => x > MEMBER_FAILING_MISS_RATE).length);
    m.gauge('best_member_missed_after_pct', round2(100 * Math.min(...missRates)));
    // How alike the members' mistakes are: 1 when they err on the same transactions, 0 when unrelated.
    const pairs: number[] = [];
    for (let i = 0; i < this.memberErrors.length; i++) {
      for (let j = i + 1; j < this.memberErrors.length; j++) {
        const r = pearson(this.memberErrors[i], this.memberErrors[j]);
        if (!Number.isNaN(r)) pairs.push(r);
      }
    }
    m.gauge('error_correlation', pairs.length === 0 ? 0 : round3(pairs.reduce((a, b) => a + b, 0) / pairs.length));
    // Every member wrong at once, measured, against what independent members with the same error
    // rates would give (the product of the rates): the ratio is the hidden correlation.
    const n = after.n;
    let allWrong = 0;
    for (let k = 0; k < n; k++) if (this.memberErrors.every((e) => e[k] === 1)) allWrong++;
    const independent = this.memberErrors.reduce((p, e) => (p * e.reduce((a, b) => a + b, 0)) / Math.max(1, n), 1);
    m.gauge('all_wrong_pct', pct(allWrong, n));
    m.gauge('all_wrong_if_independent_pct', Number((100 * independent).toPrecision(3)));
    this.ctx.log('summary', { fraudAfter: after.fraud, missedAfter: after.fraudApproved, allWrong, reviews: before.review + after.review });
  }

  onMessage(_from: NodeId, _msg: unknown): void {}
}

function newTally() {
  return { n: 0, approve: 0, review: 0, decline: 0, fraud: 0, fraudApproved: 0, legitDeclined: 0 };
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

export const fraudScreen = (ctx: Context, config: FraudScreenConfig): Process => new FraudScreen(ctx, config);
