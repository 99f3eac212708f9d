import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RandomStreams } from '../../sim/rng.js';
import { FeedbackLoopDetector } from './feedback-loop-detector.js';

/**
 * A risk score s ~ U(0, 1) per case. The real world: a case goes bad with a propensity that rises
 * with s, whether anyone acts or not. A self-fulfilling model: acting on a high score causes the bad
 * outcome (a flagged customer is refused and defaults); held-out cases go bad at a base rate that has
 * nothing to do with s.
 */
function drive(d: FeedbackLoopDetector, kind: 'real' | 'self-caused' | 'noise', seed: number, cases = 400) {
  const r = new RandomStreams(seed).stream('cases');
  for (let i = 0; i < cases; i++) {
    const s = r.next();
    const holdout = i % 5 === 0; // one case in five is scored but not acted on
    const noise = r.next() - 0.5;
    let outcome: number;
    if (kind === 'real') outcome = s + 0.5 * noise;
    else if (kind === 'noise') outcome = noise;
    else outcome = holdout ? noise : s + 0.5 * noise;
    d.record(holdout ? 'holdout' : 'acted', s, outcome);
  }
}

test('a real effect: both groups follow the predictions, no feedback loop (Pearson and Spearman)', () => {
  for (const method of ['pearson', 'spearman'] as const) {
    const d = new FeedbackLoopDetector({ windowSize: 80, method });
    drive(d, 'real', 1);
    const a = d.assess();
    assert.equal(a.verdict, 'real-effect', `${method}: ${JSON.stringify(a)}`);
    assert.ok(a.acted > 0.7 && a.holdout > 0.7);
    assert.ok(Math.abs(a.z) < 3);
  }
});

test('self-caused: only the acted-on group follows the predictions: a feedback loop (Pearson and Spearman)', () => {
  for (const method of ['pearson', 'spearman'] as const) {
    const d = new FeedbackLoopDetector({ windowSize: 80, method });
    drive(d, 'self-caused', 2);
    const a = d.assess();
    assert.equal(a.verdict, 'feedback-loop', `${method}: ${JSON.stringify(a)}`);
    assert.ok(a.acted > 0.7);
    assert.ok(Math.abs(a.holdout) < 0.3);
    assert.ok(a.z > 5);
  }
});

test('the seeds\' detector (correlation > 0.8 alone) flags the real effect too; the hold-out does not', () => {
  const d = new FeedbackLoopDetector({ windowSize: 80 });
  drive(d, 'real', 3);
  const a = d.assess();
  assert.ok(a.acted > 0.8, 'a correlation-only detector would call this a loop');
  assert.notEqual(a.verdict, 'feedback-loop');
});

test('no relation, and too little data to judge', () => {
  const d = new FeedbackLoopDetector({ windowSize: 80 });
  drive(d, 'noise', 4);
  assert.equal(d.assess().verdict, 'no-relation');
  const early = new FeedbackLoopDetector({ windowSize: 80, minimumPairs: 40 });
  drive(early, 'self-caused', 5, 100); // only 20 hold-out cases so far
  assert.equal(early.assess().verdict, 'insufficient-data');
  const judged = new FeedbackLoopDetector({ windowSize: 80 });
  drive(judged, 'self-caused', 6);
  assert.equal(judged.assess().verdict, 'feedback-loop');
  judged.reset();
  assert.deepEqual(judged.assess().pairs, { acted: 0, holdout: 0 });
  const flat = new FeedbackLoopDetector({ windowSize: 10 });
  for (let i = 0; i < 10; i++) {
    flat.record('acted', 1, i);
    flat.record('holdout', i, i);
  }
  assert.equal(flat.assess().verdict, 'insufficient-data');
  flat.record('acted', NaN, 1); // ignored
});

test('bad configuration names the option', () => {
  assert.throws(() => new FeedbackLoopDetector({ windowSize: 0 }), /windowSize: expected a positive integer, got 0/);
  assert.throws(() => new FeedbackLoopDetector({ windowSize: 50, minimumPairs: 3 }), /minimumPairs: expected a count in \[4, windowSize = 50\]/);
  assert.throws(() => new FeedbackLoopDetector({ windowSize: 50, correlationMin: 0 }), /correlationMin: expected a number in \(0, 1\]/);
  assert.throws(() => new FeedbackLoopDetector({ windowSize: 50, zMin: -1 }), /zMin: expected a positive number/);
  assert.throws(() => new FeedbackLoopDetector({ windowSize: 50, method: 'kendall' as 'pearson' }), /method: expected "pearson" or "spearman"/);
});
